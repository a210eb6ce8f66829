"""SourceRunner: runs one source plugin for the engine.

It owns the capture thread and the LatestFrameSlot, decides NO SIGNAL (no frame for the
plugin's no_signal_after_ns: 500 ms, a guest's 1.5 s), and re-opens a lost source in the
background with backoff. The program thread only ever calls frame_for(), which
never waits for a device.

A runner added while the show runs *joins*: until its first frame (or until it is known to be
unavailable, or JOIN_LIMIT_NS has passed) frame_for() returns the frame it replaces, or None
(the layer is left out), so adding a camera never puts a slate or a black frame on air.

The program tells each runner how large its source is shown (set_demand(); None: nowhere). A
source that hands over compressed pictures (an MJPG camera) is decoded by a DecodeWorker on a
thread of its own, only while demanded, at the demanded size; the capture thread keeps reading
the device either way, so the device stays drained and the source counts as live.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from studio.engine.backoff import Backoff, ReconnectPolicy
from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, MediaClock
from studio.engine.errors import SourceUnavailable
from studio.engine.frames import Frame, LatestFrameSlot
from studio.engine.sources.base import EncodedPicture, ShownSize, SourceStatus, SourceTiming, VideoSource
from studio.engine.sources.decode_worker import DecodeCounts, DecodeWorker
from studio.engine.sources.slate import no_signal_slate

log = logging.getLogger(__name__)

# A missing device is retried without busy-looping; the jitter keeps several cameras on one
# USB hub that came back together from all re-opening on the same millisecond.
SOURCE_REOPEN_POLICY = ReconnectPolicy(first_delay_ms=500, factor=2.0, max_delay_ms=10_000, jitter_fraction=0.2)
JOIN_LIMIT_NS = 5 * NS_PER_SECOND
# Pictures in a row that would not decode before the source is reported NO SIGNAL (half a second
# at 30 fps: a glitch costs a picture, a camera sending garbage says so).
DECODE_FAILURES_FOR_NO_SIGNAL = 15

StatusListener = Callable[[str, SourceStatus, str], None]


class SourceRunner:
    """Drives one VideoSource: capture thread in real time, direct render on the virtual clock."""

    def __init__(
        self,
        source_id: str,
        source: VideoSource,
        clock: MediaClock,
        on_status: StatusListener,
        slate_size: tuple[int, int] = (1280, 720),
        *,
        joining: bool = False,
        held_frame: Frame | None = None,
    ) -> None:
        self.source_id = source_id
        self.source = source
        self._clock = clock
        self._on_status = on_status
        self._slate_size = slate_size
        self._slot = LatestFrameSlot()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SourceStatus.STARTING
        self._status_lock = threading.Lock()
        self._last_frame_ns: int | None = None
        self._started_ns = 0
        self._opened = False
        self._joining = joining
        self._held_frame = held_frame  # what a joining runner shows until its own first frame
        self._join_deadline_ns: int | None = None
        self.reopen_count = 0
        self.render_failures = 0
        self._reopen_backoff = Backoff(SOURCE_REOPEN_POLICY)  # the capture thread's alone
        self._deliveries = 0  # frames or pictures the source handed over, decoded or not
        # The demand (program thread) and the decode worker, made at the first EncodedPicture.
        self._demand: ShownSize | None = None
        self._decoder: DecodeWorker | None = None
        self._decoder_lock = threading.Lock()

    # -- life cycle ------------------------------------------------------------------------

    @property
    def renders_on_program_thread(self) -> bool:
        """On the virtual clock a rendered source is asked for each tick directly: exact and repeatable."""
        return self._clock.is_virtual and self.source.timing is SourceTiming.RENDERED

    def warm_up(self) -> None:
        """Open a rendered source and draw its first picture, on the caller's thread, before the
        show's clock starts: a test pattern's first open and picture cost 50-120 ms of fonts and
        text, which at tick 0 would compete with the program (and tick 0 would show slates). Captured sources (cameras) open on their
        own thread as ever: a device may take seconds or block."""
        if self.source.timing is not SourceTiming.RENDERED or self._opened:
            return
        try:
            self._open_once()
            # The media start's picture, kept: tick 0 shows it instead of a NO SIGNAL slate while
            # the capture thread's first frame is on its way.
            self._accept(self.source.render_at(self.source.show_start_ns))
        except Exception as error:  # the capture thread retries and reports it
            log.info("warming up %s failed: %s", self.source.name, error)
            self._close_source()

    def start(self, show_start_ns: int) -> None:
        self.source.show_start_ns = show_start_ns
        self._started_ns = self._clock.now_ns()
        if self._joining:
            self._join_deadline_ns = self._started_ns + JOIN_LIMIT_NS
        if self.renders_on_program_thread:
            self._open_once()
            return
        self._thread = threading.Thread(target=self._capture_loop, name=f"capture:{self.source.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        try:
            self.source.interrupt()  # a read waiting for the next frame returns now, not at its timeout
        except Exception:
            log.exception("interrupting source %s failed", self.source.name)
        with self._decoder_lock:
            decoder = self._decoder
        if decoder is not None:
            decoder.stop()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            if self._thread.is_alive():
                # Closing under a read still inside the driver can crash it; the thread closes
                # the source itself when the read returns (the loop sees the stop flag).
                log.warning("capture thread of %s did not stop within 2 s; it will close the source", self.source.name)
                self._set_status(SourceStatus.CLOSED, "stopped")
                return
        self._close_source()
        self._set_status(SourceStatus.CLOSED, "stopped")

    @property
    def status(self) -> SourceStatus:
        return self._status

    def latest_frame(self) -> Frame | None:
        """The newest frame delivered (any thread), with no status change: what a replacement
        holds while it joins, what the program's warm-up composes."""
        return self._slot.latest()

    # -- demand: how large the source is shown (program thread) -------------------------------

    @property
    def demand(self) -> ShownSize | None:
        return self._demand

    def set_demand(self, shown_size: ShownSize | None) -> None:
        """The largest box the source is shown in, or None when nothing shows it. Never waits:
        a newly demanded source's held picture is decoded on the decode thread."""
        with self._decoder_lock:
            self._demand = shown_size
            if self._decoder is not None:
                self._decoder.set_demand(shown_size)
        try:
            self.source.set_demand(shown_size)
        except Exception:  # a plugin's optional hook must not break the program's tick
            log.exception("source %s: set_demand failed", self.source.name)

    def decode_counts(self) -> tuple[int, int] | None:
        """(pictures decoded, decode CPU ns) of a source that hands over compressed pictures."""
        with self._decoder_lock:
            decoder = self._decoder
        return None if decoder is None else (decoder.counts.decoded, decoder.counts.cpu_ns)

    def wait_decoded(self, timeout_s: float) -> bool:
        """Wait until every picture handed over so far is decoded or skipped (tests, benchmarks)."""
        with self._decoder_lock:
            decoder = self._decoder
        return True if decoder is None else decoder.wait_idle(timeout_s)

    # -- the program thread's side ----------------------------------------------------------

    def frame_for(self, tick_ns: int) -> Frame | None:
        """The picture to show at this tick: the newest frame stamped at or before it, or the
        slate; while joining, the held frame or None (leave the layer out). None too for a live
        source whose first decode is on its way (just demanded, never shown before)."""
        if self._joining:
            if self._still_joining():
                return self._held_frame
            self._joining, self._held_frame = False, None
        if self.renders_on_program_thread:
            if not self._opened:
                return self._slate()
            try:
                frame = self.source.render_at(tick_ns)
            except Exception as error:  # a plugin bug or a broken file must not stop the program
                self.render_failures += 1
                self._set_status(SourceStatus.NO_SIGNAL, str(error))
                return self._slate()
            self._set_status(SourceStatus.LIVE, "")
            return frame
        frame = self._slot.latest_at_or_before(tick_ns)
        last_ns = self._last_frame_ns if self._last_frame_ns is not None else self._started_ns
        no_signal_after_ns = self.source.no_signal_after_ns
        if self._clock.now_ns() - last_ns > no_signal_after_ns:
            if self._status is not SourceStatus.NO_SIGNAL:
                self._set_status(SourceStatus.NO_SIGNAL, f"no frame for {no_signal_after_ns // NS_PER_MS} ms")
            return self._slate()
        if frame is None and self._decoder is not None and self._status is SourceStatus.LIVE:
            return None  # live and demanded this tick: a tick without it, not a NO SIGNAL flash
        return frame if frame is not None else self._slate()

    def _still_joining(self) -> bool:
        if self._slot.published_count or (self.renders_on_program_thread and self._opened):
            return False
        if self._join_deadline_ns is None:  # not started yet: the engine starts it off this thread
            return True
        if self._status is SourceStatus.NO_SIGNAL and self._held_frame is None:
            return False  # known unavailable, nothing to hold: NO SIGNAL with its reason now
        return self._clock.now_ns() < self._join_deadline_ns

    # -- capture thread ---------------------------------------------------------------------

    def _capture_loop(self) -> None:
        backoff = self._reopen_backoff
        while not self._stop.is_set():
            delivered_before = self._deliveries
            try:
                self._open_once()
                if self.source.timing is SourceTiming.RENDERED:
                    self._pace_rendered()
                else:
                    self._read_captured()
            except SourceUnavailable as error:
                self._set_status(SourceStatus.NO_SIGNAL, str(error))
            except Exception as error:  # keep the thread alive whatever the plugin does
                log.exception("source %s failed", self.source.name)
                self._set_status(SourceStatus.NO_SIGNAL, f"{type(error).__name__}: {error}")
            self._close_source()
            if self._stop.is_set():
                break
            if self._deliveries > delivered_before:  # it delivered: this outage starts over
                backoff.reset()
            self._clock_free_sleep_ms(backoff.next_delay_ms())
            self.reopen_count += 1

    def _clock_free_sleep_ms(self, duration_ms: int) -> None:
        # Backoff is wall time even on the virtual clock: it is about real devices coming back.
        self._stop.wait(duration_ms / 1000)

    def _open_once(self) -> None:
        if not self._opened:
            self.source.open()
            self._opened = True

    def _close_source(self) -> None:
        if self._opened:
            self._opened = False
            try:
                self.source.close()
            except Exception:
                log.exception("closing source %s failed", self.source.name)

    def _pace_rendered(self) -> None:
        interval_ns = self.source.frame_interval_ns
        next_ns = self._clock.now_ns()
        while not self._stop.is_set():
            if not self._clock.wait_until(next_ns, self._stop):
                return
            frame = self.source.render_at(next_ns)
            self._accept(frame)
            next_ns += interval_ns
            now_ns = self._clock.now_ns()
            if now_ns - next_ns > interval_ns:  # fell behind (machine busy): skip, don't burst
                next_ns = now_ns

    def _read_captured(self) -> None:
        while not self._stop.is_set():
            delivered = self.source.read_next()
            if delivered is None:
                continue  # the source waited a bounded while and has nothing yet: ask again
            if isinstance(delivered, EncodedPicture):
                self._hand_to_decoder(delivered)
            else:
                self._accept(delivered)

    def _hand_to_decoder(self, picture: EncodedPicture) -> None:
        self._deliveries += 1
        with self._decoder_lock:
            if self._decoder is None:
                if self._stop.is_set():  # stop() has already stopped the decoders it knew of
                    return
                self._decoder = DecodeWorker(
                    self.source.name, self.source.decode, self._publish_decoded, self._decode_failed, self._demand
                )
            decoder, demanded = self._decoder, self._demand is not None
        decoder.offer(picture)
        if not demanded:
            # Not decoded, but the device is alive: no NO SIGNAL when it is shown again.
            self._last_frame_ns = self._clock.now_ns()
            self._set_status(SourceStatus.LIVE, "")

    def _publish_decoded(self, frame: Frame) -> None:
        """Decode thread: a decoded picture is a delivered frame."""
        self._slot.publish(frame)
        self._last_frame_ns = self._clock.now_ns()
        self._set_status(SourceStatus.LIVE, "")

    def _decode_failed(self, error: Exception, counts: DecodeCounts) -> None:
        if counts.failed == 1 or counts.consecutive_failures == DECODE_FAILURES_FOR_NO_SIGNAL:
            log.warning("source %s: a picture could not be decoded (%d so far): %s", self.source.name, counts.failed, error)
        if counts.consecutive_failures >= DECODE_FAILURES_FOR_NO_SIGNAL:
            self._set_status(SourceStatus.NO_SIGNAL, f"the pictures it sends cannot be decoded: {error}")

    def _accept(self, frame: Frame) -> None:
        self._deliveries += 1
        self._slot.publish(frame)
        self._last_frame_ns = self._clock.now_ns()
        self._set_status(SourceStatus.LIVE, "")

    def _slate(self) -> Frame:
        return no_signal_slate(self.source.name, *self._slate_size)

    def _set_status(self, status: SourceStatus, reason: str) -> None:
        with self._status_lock:
            if status is self._status:
                return
            self._status = status
        log.info("source %s: %s%s", self.source.name, status.value, f" ({reason})" if reason else "")
        self._on_status(self.source_id, status, reason)
