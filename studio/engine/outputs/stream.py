"""Live destinations: RTMP, RTMPS and SRT, each sent by its own FFmpeg child process.

Facts that shaped this (measured here): the PyPI PyAV has no SRT, opens RTMP connections while
holding the GIL and ignores rw_timeout, and its mux() blocks for as long as a network outage
lasts. So the engine encodes once, and each destination has
- a bounded queue of encoded packets (filled by the encode thread, which never waits),
- a sender thread that muxes the queue as Matroska into the stdin of an FFmpeg child
  (the imageio-ffmpeg binary, which has SRT/RTMPS), which copies it to the network,
- a watchdog: a child that stops taking data for `stall_timeout_ms` is killed, which also
  unblocks the sender's write; then the ReconnectPolicy decides when to try again.
Congestion: when the queue holds more than `drop_threshold_ms` of media, queued video is
dropped back to a keyframe boundary and incoming video is dropped until the next keyframe
(whole GOPs, never a lone reference frame); audio is kept. Every dropped frame is counted by
reason. Adaptive bitrate: from `abr_threshold_ms` of queue the destination asks the encoder
for its measured throughput; once clear for `abr_climb_interval_ms` it asks for a tenth more,
back up to the configured bitrate.
SRT: FFmpeg | srt-live-transmit when installed (statistics, FEC; srt_link.py), else FFmpeg's own
libsrt. A stalled pipe is not a failure while libsrt still holds the connection (it retransmits
within its latency); libsrt's peer idle timeout says when the receiver is gone.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum
from fractions import Fraction

import av

from studio.engine.backoff import Backoff, ReconnectPolicy
from studio.engine.clock import NS_PER_MS, NS_PER_SECOND
from studio.engine.outputs.srt_link import SrtLinkStats, SrtPipeline, stall_limit_ms
from studio.engine.outputs.srt_sender import is_listener, latency_ms_of, live_transmit_binary, srt_problem
from studio.engine.outputs.senders import base_command, MATROSKA_INPUT, quotes_no_reason, sender_command
from studio.engine.outputs.stream_target import StreamTarget, check_destination_url
from studio.engine.secrets import scrub_secrets

log = logging.getLogger(__name__)


class OutputState(StrEnum):
    """A destination's state, as events, the GUI, the remote control and JSON show it."""

    OFF = "OFF"
    CONNECTING = "CONNECTING"
    LIVE = "LIVE"
    RECONNECTING = "RECONNECTING"
    FAILED = "FAILED"


class DropReason(Enum):
    CONGESTION = "congestion"  # the queue grew past the drop threshold
    RECONNECTING = "reconnecting"  # nothing to send to while the link is down
    WAITING_FOR_KEYFRAME = "waiting for keyframe"  # after a drop or a reconnect
    UNSENT_AT_STOP = "unsent at stop"  # still queued when the sender had to be ended


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """An encoded packet as destinations share it: immutable bytes and timing."""

    is_video: bool
    data: bytes
    pts: int
    dts: int
    keyframe: bool
    time_base: Fraction

    @property
    def media_ns(self) -> int:
        return self.dts * self.time_base.numerator * NS_PER_SECOND // self.time_base.denominator

    @classmethod
    def from_packet(cls, packet: av.Packet, is_video: bool) -> EncodedPacket:
        return cls(is_video, bytes(packet), packet.pts, packet.dts, packet.is_keyframe, packet.time_base)

    def to_packet(self) -> av.Packet:
        packet = av.Packet(self.data)
        packet.pts, packet.dts, packet.time_base = self.pts, self.dts, self.time_base
        if self.keyframe:
            packet.is_keyframe = True
        return packet


# A factor of 1.5 (not 2) keeps the wait short while a server restarts in a few seconds, and
# still backs off a dead server to the cap.
STREAM_RECONNECT_POLICY = ReconnectPolicy(first_delay_ms=1000, factor=1.5, max_delay_ms=30_000, jitter_fraction=0.1)


@dataclass(frozen=True, slots=True)
class StreamTuning:
    drop_threshold_ms: int = 2000
    abr_threshold_ms: int = 200
    abr_climb_interval_ms: int = 4000
    stall_timeout_ms: int = 5000
    connect_timeout_ms: int = 10_000
    max_queue_packets: int = 4000  # a hard bound besides the media-time one




@dataclass(slots=True)
class DestinationStats:
    name: str
    url: str  # masked
    state: OutputState = OutputState.OFF
    bitrate_kbps: float = 0.0
    queue_ms: int = 0
    dropped_frames: Counter = field(default_factory=Counter)
    reconnects: int = 0
    uptime_s: float = 0.0
    requested_bitrate_kbps: int = 0
    last_error: str = ""
    # Video frames written to the sender child (what a receiver can count), over every connection.
    video_frames_sent: int = 0
    kind: str = "rtmp"  # rtmp, srt or whip (StreamKind)
    canvas: str = "main"  # which canvas's program it receives
    srt: SrtLinkStats | None = None  # SRT's figures while an SRT connection runs

    def snapshot(self) -> DestinationStats:
        """A copy that no sender thread changes afterwards, for events."""
        return replace(self, dropped_frames=Counter(self.dropped_frames))

    def line(self) -> str:
        dropped = sum(self.dropped_frames.values())
        return (
            f"{self.name} {self.state.value} {self.bitrate_kbps:.0f}kbps queue={self.queue_ms}ms "
            f"dropped={dropped} reconnects={self.reconnects} sent={self.video_frames_sent}"
        )


class StreamDestination:
    """One live destination: bounded queue, sender thread, FFmpeg child, reconnects, stats."""

    def __init__(
        self,
        target: StreamTarget,
        video_template,
        audio_template,
        *,
        bitrate_kbps: int,
        policy: ReconnectPolicy = STREAM_RECONNECT_POLICY,
        tuning: StreamTuning = StreamTuning(),
        on_state=None,
        ffmpeg: str | None = None,
    ) -> None:
        is_srt = target.kind.value == "srt"
        # srt-live-transmit (srt-tools), when installed, sends SRT: libsrt's statistics and FEC.
        self._live_transmit = live_transmit_binary() if is_srt else None
        problem = check_destination_url(target.url) or (srt_problem(target, self._live_transmit) if is_srt else None)
        if problem:
            raise ValueError(problem)
        self.target = target
        self.name = target.name
        self._url = target.url
        self.masked_url = target.masked_url
        self._video_template = video_template
        self._audio_template = audio_template
        self.configured_bitrate_kbps = bitrate_kbps
        self.policy = policy
        self.tuning = tuning
        self._on_state = on_state or (lambda name, state, reason: None)
        self._ffmpeg = ffmpeg or _ffmpeg_binary()
        self.stats = DestinationStats(self.name, self.masked_url, requested_bitrate_kbps=bitrate_kbps, kind=target.kind.value, canvas=target.canvas)
        self._queue: deque[EncodedPacket] = deque()
        self._lock = threading.Condition()
        self._waiting_for_keyframe = True  # a stream starts on a keyframe
        self._connection_has_video = False  # audio waits for it too
        self.wants_keyframe = True
        self._stop = threading.Event()
        self._child: subprocess.Popen | None = None
        self._child_lock = threading.Lock()
        self._last_progress_ns = time.monotonic_ns()
        self._measured_rtt_ms: float | None = None  # SRT's, from the last connection: the next one's latency
        self._srt_latency_ms = latency_ms_of(target.url, None) if is_srt else 0
        if is_srt and self._live_transmit is None:
            log.warning(
                "destination %s: srt-live-transmit (srt-tools) is not installed: SRT goes through FFmpeg's libsrt, "
                "without SRT's statistics and without FEC", self.name,
            )
        self._live_since_ns: int | None = None
        self._sent_bytes_window: deque[tuple[int, int]] = deque(maxlen=64)
        self._last_climb_ns = time.monotonic_ns()
        self._reconnect_backoff = Backoff(policy)  # the sender thread's alone
        self._thread = threading.Thread(target=self._run, name=f"stream {self.name}", daemon=True)
        self._watchdog = threading.Thread(target=self._watch, name=f"stream watchdog {self.name}", daemon=True)
        self._thread.start()
        self._watchdog.start()

    # -- the encode thread's side (never waits) ------------------------------------------------

    def offer(self, packet: EncodedPacket) -> None:
        with self._lock:
            if self._child is None:  # between connections: nothing to send to
                if packet.is_video:
                    self.stats.dropped_frames[DropReason.RECONNECTING.value] += 1
                    self._waiting_for_keyframe = True
                return
            if packet.is_video:
                if self._waiting_for_keyframe and not packet.keyframe:
                    self.stats.dropped_frames[DropReason.WAITING_FOR_KEYFRAME.value] += 1
                    return
                self._waiting_for_keyframe = False
                self._connection_has_video = True
            elif not self._connection_has_video:
                return  # a connection starts with its first keyframe, audio and video together
            self._queue.append(packet)
            queued_ms = self._queued_ms_locked()
            if queued_ms > self.tuning.drop_threshold_ms or len(self._queue) > self.tuning.max_queue_packets:
                self._drop_video_locked(DropReason.CONGESTION)
            self.stats.queue_ms = self._queued_ms_locked()
            self._lock.notify()

    def _queued_ms_locked(self) -> int:
        if len(self._queue) < 2:
            return 0
        return max(0, (self._queue[-1].media_ns - self._queue[0].media_ns) // NS_PER_MS)

    def _drop_video_locked(self, reason: DropReason) -> None:
        """Drop every queued video packet (whole GOPs: the next video sent will be a keyframe),
        keep the audio."""
        kept = deque(packet for packet in self._queue if not packet.is_video)
        dropped = len(self._queue) - len(kept)
        self._queue = kept
        self.stats.dropped_frames[reason.value] += dropped
        self._waiting_for_keyframe = True
        self.wants_keyframe = True

    def requested_bitrate_kbps(self) -> int:
        """What adaptive bitrate asks of the encoder now (the encode thread reads it each frame)."""
        queued_ms = self.stats.queue_ms
        now_ns = time.monotonic_ns()
        stats = self.stats
        if stats.state is OutputState.LIVE and queued_ms >= self.tuning.abr_threshold_ms:
            throughput = self._throughput_kbps()
            if throughput > 0 and throughput < stats.requested_bitrate_kbps:
                stats.requested_bitrate_kbps = max(200, int(throughput * 0.9))
                self._last_climb_ns = now_ns
        elif (
            queued_ms < self.tuning.abr_threshold_ms // 2
            and stats.requested_bitrate_kbps < self.configured_bitrate_kbps
            and now_ns - self._last_climb_ns >= self.tuning.abr_climb_interval_ms * NS_PER_MS
        ):
            stats.requested_bitrate_kbps = min(
                self.configured_bitrate_kbps, int(stats.requested_bitrate_kbps * 1.1) + 1
            )
            self._last_climb_ns = now_ns
        return stats.requested_bitrate_kbps

    def _throughput_kbps(self) -> float:
        window = list(self._sent_bytes_window)
        if len(window) < 2:
            return 0.0
        (first_ns, first_bytes), (last_ns, last_bytes) = window[0], window[-1]
        seconds = (last_ns - first_ns) / NS_PER_SECOND
        return (last_bytes - first_bytes) * 8 / 1000 / seconds if seconds > 0.5 else 0.0

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop sending: what is queued is given a short time to go out, then the child ends."""
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        self._thread.join(timeout_s)
        self._kill_child()
        self._thread.join(timeout_s)
        self._watchdog.join(timeout_s)
        with self._lock:  # what never went out is counted, so every frame is accounted for
            unsent = sum(1 for packet in self._queue if packet.is_video)
            if unsent:
                self.stats.dropped_frames[DropReason.UNSENT_AT_STOP.value] += unsent
            self._queue.clear()
        self._set_state(OutputState.OFF, "stopped")

    # -- sender thread -------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = self._reconnect_backoff
        first_connection = True
        while not self._stop.is_set():
            self._set_state(OutputState.CONNECTING if first_connection else OutputState.RECONNECTING, "")
            first_connection = False
            went_live = self._send_one_connection()
            if self._stop.is_set():
                break
            self.stats.reconnects += 1
            if went_live:  # it worked for a while: this outage starts the backoff over
                backoff.reset()
            if backoff.exhausted:
                self._set_state(OutputState.FAILED, self.stats.last_error)
                return
            self._set_state(OutputState.RECONNECTING, self.stats.last_error)
            with self._lock:
                self._drop_video_locked(DropReason.RECONNECTING)
                self._queue.clear()
            self._stop.wait(backoff.next_delay_ms() / 1000)

    def _send_one_connection(self) -> bool:
        """One child process, from spawn to its end. True if it went live before failing."""
        went_live = False
        live = threading.Event()
        try:
            if self._live_transmit is not None:
                child = self._start_srt_pipeline(live)
            else:
                child = subprocess.Popen(
                    sender_command(self.target, self._ffmpeg, bitrate_kbps=self.configured_bitrate_kbps),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    start_new_session=sys.platform != "win32",
                )
        except OSError as error:
            self.stats.last_error = f"cannot start the sender: {error}"
            return False
        with self._lock:
            # A new connection starts on a keyframe: ask the encoder for one now rather than
            # wait up to a GOP for the next.
            self._waiting_for_keyframe = True
            self._connection_has_video = False
            self.wants_keyframe = True
            self.stats.last_error = ""
        with self._child_lock:
            self._child = child
        self._last_progress_ns = time.monotonic_ns()
        reader = threading.Thread(target=self._read_child_log, args=(child, live), daemon=True)
        reader.start()
        try:
            if isinstance(child, SrtPipeline) and not self._wait_until_connected(child, live):
                return False
            # cluster_size_limit 0: each packet leaves with the next (a 32 KB cluster held 0.6 s of 400 kbps).
            # max_interleave_delta 1 us: a video frame is not held for the AAC audio of its time, which the
            # encoder emits ~60 ms late; it leaves with the next frame (benchmarks/latency.py measured both).
            container = av.open(child.stdin, "w", format="matroska", options={"live": "1", "flush_packets": "1", "cluster_size_limit": "0", "max_interleave_delta": "1"})
            video = container.add_stream_from_template(self._video_template)
            audio = container.add_stream_from_template(self._audio_template)
            sent_bytes = 0
            while not self._stop.is_set() or self._queue:
                with self._lock:
                    while not self._queue and not self._stop.is_set():
                        self._lock.wait(0.2)
                        if child.poll() is not None:
                            raise BrokenPipeError("sender exited")
                    if not self._queue:
                        break
                    packet = self._queue.popleft()
                    self.stats.queue_ms = self._queued_ms_locked()
                if live.is_set() and not went_live:
                    went_live = True
                    self._live_since_ns = time.monotonic_ns()
                    self._set_state(OutputState.LIVE, "")
                av_packet = packet.to_packet()
                av_packet.stream = video if packet.is_video else audio
                container.mux(av_packet)
                if packet.is_video:
                    self.stats.video_frames_sent += 1
                sent_bytes += len(packet.data)
                now_ns = time.monotonic_ns()
                self._last_progress_ns = now_ns
                self._sent_bytes_window.append((now_ns, sent_bytes))
                self._update_rates(now_ns)
                if self._stop.is_set() and not self._queue:
                    break
            container.close()
            child.stdin.close()
            child.wait(timeout=5)
        except (BrokenPipeError, OSError, av.error.FFmpegError, ValueError, subprocess.TimeoutExpired) as error:
            if isinstance(child, SrtPipeline):
                child.settle_reason()  # libsrt's own reason (a refusal) beats our generic one
            if not self.stats.last_error:
                self.stats.last_error = f"connection lost ({type(error).__name__})"
        finally:
            self._kill_child()
            reader.join(2.0)
            self._live_since_ns = None
            self.stats.uptime_s = 0.0
        return went_live

    def _update_rates(self, now_ns: int) -> None:
        self.stats.bitrate_kbps = self._throughput_kbps()
        if self._live_since_ns is not None:
            self.stats.uptime_s = (now_ns - self._live_since_ns) / NS_PER_SECOND

    def _read_child_log(self, child: subprocess.Popen, live: threading.Event) -> None:
        """FFmpeg prints "Output #0" once the destination is open (connected); its first error
        line is kept, scrubbed of every secret, as the reason for the user."""
        for raw in iter(child.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("Output #0") and not isinstance(child, SrtPipeline):  # a pipeline: srt-live-transmit says
                live.set()
                self.stats.last_error = ""
            elif not self.stats.last_error and not quotes_no_reason(self.target, line) and re.search(
                r"error|failed|refused|timed out|unreachable|broken pipe", line, re.IGNORECASE
            ):
                # The first error says why; FFmpeg's closing "Conversion failed!" does not.
                self.stats.last_error = scrub_secrets(line, self._url, *self._token_urls())[:200]
        child.stderr.close()

    def _token_urls(self) -> tuple[str, ...]:
        # scrub_secrets takes URLs: the bearer token is scrubbed as a URL's query value.
        return (f"whip://token?token={self.target.bearer_token}",) if self.target.bearer_token else ()

    def _watch(self) -> None:
        """Kill a child that has stopped taking data while data is waiting: unblocks the sender."""
        while not self._stop.wait(0.25):
            stalled_ms = (time.monotonic_ns() - self._last_progress_ns) // NS_PER_MS
            state = self.stats.state
            limit_ms = self.tuning.connect_timeout_ms if state is OutputState.CONNECTING else self.tuning.stall_timeout_ms
            if self._srt_latency_ms:
                limit_ms = self._srt_stall_limit_ms(state)
            if self._child is not None and self._queue and stalled_ms > limit_ms:
                self.stats.last_error = f"no progress for {stalled_ms} ms"
                self._kill_child()

    # -- SRT (the pipeline's side; the commands and the statistics live in srt_sender/srt_link) ----

    def _start_srt_pipeline(self, live: threading.Event) -> SrtPipeline:
        def connected() -> None:
            self.stats.last_error = ""
            live.set()

        def error(text: str) -> None:
            if not self.stats.last_error:
                self.stats.last_error = text

        pipeline = SrtPipeline(
            base_command(self._ffmpeg) + MATROSKA_INPUT, self._live_transmit, self.target,
            bitrate_kbps=self.configured_bitrate_kbps, measured_rtt_ms=self._measured_rtt_ms,
            on_connected=connected, on_stats=self._srt_stats, on_error=error,
        )  # fmt: skip
        self._srt_latency_ms = pipeline.latency_ms
        return pipeline

    def _srt_stats(self, stats: SrtLinkStats) -> None:
        """A report from libsrt: packets went out (progress), and its round trip sets the next
        connection's default latency."""
        self.stats.srt = stats
        self._last_progress_ns = time.monotonic_ns()
        if stats.rtt_ms > 0:
            self._measured_rtt_ms = stats.rtt_ms

    def _wait_until_connected(self, child: SrtPipeline, live: threading.Event) -> bool:
        """srt-live-transmit drops what it reads before the connection is up, so the sender waits
        for it; what waited meanwhile is dropped and the connection starts on a keyframe made
        after it came up. Sending the waiting GOP instead put up to a GOP (2 s of video) on the
        link at once: with one core busy and 10 % loss its first keyframe came out damaged (59
        of 1800 frames), as the burst overran the receiver while its losses were being resent.
        False if stopped first; raises if the pipeline ended."""
        while not live.wait(0.1):
            if self._stop.is_set():
                return False
            if child.poll() is not None:
                raise BrokenPipeError("SRT sender exited before connecting")
            with self._lock:
                self._restart_on_a_new_keyframe_locked()
            self._last_progress_ns = time.monotonic_ns() if is_listener(self._url) else self._last_progress_ns
        with self._lock:
            self._restart_on_a_new_keyframe_locked()
            self.wants_keyframe = True  # asked for once, now: the encoder makes it on the next tick
        return True

    def _restart_on_a_new_keyframe_locked(self) -> None:
        self.stats.dropped_frames[DropReason.RECONNECTING.value] += sum(1 for packet in self._queue if packet.is_video)
        self._queue.clear()
        self._waiting_for_keyframe = True
        self._connection_has_video = False  # its audio starts with that keyframe too

    def _srt_stall_limit_ms(self, state: OutputState) -> int:
        if state is not OutputState.LIVE:  # a caller's own connect timeout speaks first
            return self.tuning.connect_timeout_ms + 2000
        return stall_limit_ms(self.tuning.stall_timeout_ms, self._srt_latency_ms)

    def _kill_child(self) -> None:
        with self._child_lock:
            child, self._child = self._child, None
        if child is None:
            return
        # A pipeline has ended once either process has: the other is killed with it.
        if child.poll() is None or isinstance(child, SrtPipeline):
            try:
                if sys.platform != "win32":
                    os.killpg(child.pid, signal.SIGKILL)
                else:
                    child.kill()
            except (ProcessLookupError, PermissionError):
                pass
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.error("sender for %s did not exit after SIGKILL", self.masked_url)

    def _set_state(self, state: OutputState, reason: str) -> None:
        if state is self.stats.state:
            return
        self.stats.state = state
        log.info("destination %s (%s): %s%s", self.name, self.masked_url, state.value, f" ({reason})" if reason else "")
        self._on_state(self.name, state, reason)


def _ffmpeg_binary() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()
