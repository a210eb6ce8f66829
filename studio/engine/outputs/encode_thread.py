"""The encode thread: takes program pictures and audio from a bounded queue, encodes them once,
and hands the packets to the recording and the stream destinations.

The recording never loses a frame. The program never waits here in real time: a slow encoder is
absorbed by a deeper queue (bounded in seconds and MB by the frame pool), with a warning like
OBS's "encoding overloaded", and if it stays behind, x264 steps down to a faster preset. When
the program could not hand a tick over (the machine stalled past the bound, or the program
skipped ticks to catch up), the recording repeats the last picture (and silence) for it, so its
timing has no gap; those repeats are counted. On the virtual clock there is no real time to
keep, so the program waits for room instead.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
from collections import deque
import shutil
import threading
from pathlib import Path
from dataclasses import dataclass, field
import numpy as np

from studio.engine.commands import AddChapter, StartRecording, StartStreaming, StopRecording, StopStreaming
from studio.engine.outputs.encoder import ProgramEncoder
from studio.engine.outputs.encoder_load import EncoderLoad, EncoderLoadGovernor, LoadAction
from studio.engine.outputs.frame_pool import FramePool, PooledFrame, pool_limit_frames
from studio.engine.outputs.recording import MatroskaRecording, remux_to_mp4
from studio.engine.outputs.stream import EncodedPacket, StreamDestination
from studio.engine.outputs.stream_target import StreamTarget
from studio.engine.show import Canvas, EncoderSettings, RecordingSettings

log = logging.getLogger(__name__)

# How far the encoder may fall behind before a tick cannot be handed over (then the recording
# repeats a picture for it): whichever bound is reached first. 2 s of 1080p is 187 MB.
QUEUE_LIMIT_S = 2.0
QUEUE_LIMIT_MB = 256
VIRTUAL_CLOCK_POOL_FRAMES = 8
# A longer hole (a machine suspended, a debugger) is left as a gap rather than filled with
# minutes of one still picture.
MAX_REPEAT_S = 10
DISK_CHECK_INTERVAL_S = 5
# Places kept free for control messages, so starting or stopping a recording never waits.
CONTROL_PLACES = 8


def free_disk_mb(path: Path) -> int:
    """Free space where this file is (or would be) written, in MB."""
    folder = path.parent if path.parent.exists() else Path(".")
    return shutil.disk_usage(folder).free // 1_000_000


@dataclass(frozen=True, slots=True)
class ProgramSample:
    """One tick of program: its picture (held for the encoder) and the audio for the same interval."""

    tick: int
    picture: PooledFrame
    audio: np.ndarray


@dataclass(frozen=True, slots=True)
class TicksOver:
    """Every program tick before this one has run: the ones not handed over are filled now
    (before a recording or stream stops, and when the program ends)."""

    tick: int


# The encode thread (and x264's worker threads, which inherit it) yields the CPU to the program
# and the GUI when the machine is busy: they must keep real time, the encoder has a queue.
ENCODE_THREAD_NICENESS = 5


def lower_this_threads_priority(niceness: int = ENCODE_THREAD_NICENESS) -> None:
    """Linux: a thread's nice value is its own, and threads it creates inherit it."""
    if sys.platform != "linux":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except OSError as error:  # a sandbox may refuse; the encoder then simply runs at normal priority
        log.info("could not lower the encode thread's priority: %s", error)


@dataclass(frozen=True, slots=True)
class _WarmUp:
    done: threading.Event


@dataclass(frozen=True, slots=True)
class OutputsAskedFor:
    """A recording or a stream was started on this program tick."""

    tick: int


@dataclass(slots=True)
class EncodeStats:
    frames_encoded: int = 0  # pictures encoded, repeats included
    frames_repeated: int = 0  # ticks the program could not hand over, filled with the last picture
    frames_gap: int = 0  # ticks left as a hole because the stall was longer than MAX_REPEAT_S
    load: EncoderLoad = EncoderLoad.NORMAL
    preset: str = ""
    first_tick: int | None = None  # the program tick of the first encoded frame
    bytes_recorded: int = 0
    recording_path: str | None = None
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=20))  # the latest; bounded for long shows


class EncodeThread:
    def __init__(
        self,
        canvas: Canvas,
        settings: EncoderSettings,
        *,
        wait_for_room: bool,
        on_recording_state=None,
        on_error=None,
        on_destination_state=None,
        recording_settings: RecordingSettings | None = None,
        thread_name: str = "encode",
    ) -> None:
        self.recording_settings = recording_settings
        self.thread_name = thread_name
        self.canvas = canvas
        self.settings = settings
        self._wait_for_room = wait_for_room
        # On the virtual clock the program waits for the encoder, so a few pictures in flight
        # are enough; in real time the pool is what absorbs a slow encoder.
        limit = VIRTUAL_CLOCK_POOL_FRAMES if wait_for_room else pool_limit_frames(
            canvas.width, canvas.height, canvas.fps, QUEUE_LIMIT_S, QUEUE_LIMIT_MB
        )
        self.pool = FramePool(canvas.width, canvas.height, limit)
        # Every queued sample holds a pooled picture, so the pool bounds the queue.
        self._queue: queue.Queue = queue.Queue(maxsize=limit + CONTROL_PLACES)
        self._governor = EncoderLoadGovernor(canvas.fps)
        self._last_picture: PooledFrame | None = None  # what a repeat shows
        self._step_down_wanted = False
        self._start_tick: int | None = None  # the tick outputs were asked for, until the encoder opens
        self._on_recording_state = on_recording_state or (lambda state, path: None)
        self._on_error = on_error or (lambda message: None)
        self.stats = EncodeStats()
        self._on_destination_state = on_destination_state or (lambda name, state, reason: None)
        self._encoder: ProgramEncoder | None = None
        self._warm_encoder: ProgramEncoder | None = None  # opened by warm_up(), taken by the first sample
        self._recording: MatroskaRecording | None = None
        self._pending_recording: StartRecording | None = None
        self._pending_chapters: list[str] = []
        self._destinations: list[StreamDestination] = []
        self._pending_destinations: list[StreamTarget] = []
        self._remux_target = None
        self._first_tick = 0
        self._samples_per_tick = 0
        self._next_frame_index = 0
        self._first_part_path = None
        self._part_number = 1
        self._part_origin = 0
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()


    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    @property
    def lag_ms(self) -> int:
        """How far the encode is behind the program."""
        return self._governor.lag_ms(self._queue.qsize())

    # -- the program thread's side -----------------------------------------------------------

    def take_picture(self) -> PooledFrame | None:
        """A picture to compose the next tick into, or None if the encoder is as far behind as
        the bound allows (in real time; on the virtual clock this waits for one instead)."""
        picture = self.pool.take()
        while picture is None and self._wait_for_room and self._thread.is_alive():
            self.pool.wait_for_free(0.1)
            picture = self.pool.take()
        return picture

    def submit(self, sample: ProgramSample) -> None:
        """Queue one tick; the sample's picture must be held for the encoder (it releases it)."""
        self._queue.put_nowait(sample)  # cannot be full: the pool bounds the samples in it

    def ticks_over(self, tick: int) -> None:
        self.control(TicksOver(tick))

    def control(
        self, message: StartRecording | StopRecording | StartStreaming | StopStreaming | TicksOver, tick: int | None = None
    ) -> None:
        """Control messages travel in the same queue as frames, so they take effect at an exact
        tick; places are reserved for them, so they never wait and are never dropped. `tick`: the
        program tick a start was applied on (an encode starts there even if the program could
        not hand that tick over)."""
        if tick is not None and isinstance(message, (StartRecording, StartStreaming)):
            self._queue_control(OutputsAskedFor(tick))
        self._queue_control(message)

    def _queue_control(self, message) -> None:
        try:
            self._queue.put_nowait(message)
        except queue.Full:  # only if more than CONTROL_PLACES arrive within one frame
            self._on_error("too many recording commands at once; this one was not delivered")

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop after draining what is queued; the recording is finalized."""
        try:
            self._queue.put(None, timeout=timeout_s)
        except queue.Full:
            log.error("encode thread is not taking frames; giving up on a clean stop")
            return
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.error("encode thread did not finish within %.0f s", timeout_s)

    # -- the encode thread -------------------------------------------------------------------

    def _run(self) -> None:
        lower_this_threads_priority()
        while True:
            item = self._queue.get()
            if isinstance(item, _WarmUp):
                try:
                    self._open_warm_encoder()
                except Exception:  # the first sample opens it again and reports what fails
                    log.exception("opening the encoder ahead of time failed")
                finally:
                    item.done.set()
                continue
            if item is None:
                break
            try:
                if isinstance(item, ProgramSample):
                    try:
                        self._encode(item)
                    finally:
                        self._keep_as_last_picture(item.picture)
                elif isinstance(item, StartRecording):
                    self._start_recording(item)
                elif isinstance(item, StopRecording):
                    self._stop_recording()
                elif isinstance(item, StartStreaming):
                    self._start_streaming(item)
                elif isinstance(item, StopStreaming):
                    self._stop_streaming()
                elif isinstance(item, AddChapter):
                    self._add_chapter(item.title)
                elif isinstance(item, OutputsAskedFor):
                    if self._encoder is None and self._start_tick is None:
                        self._start_tick = item.tick
                elif isinstance(item, TicksOver):
                    if self._encoder is not None:
                        self._fill_missed_ticks(self._encoder, item.tick - self._first_tick, self._last_picture)
            except Exception as error:  # a failing output must not take the program down
                log.exception("encoding failed")
                self.stats.errors.append(str(error))
                self._on_error(f"recording failed: {error}")
                self._abandon_recording()
        self._stop_streaming()
        self._stop_recording()
        self._keep_as_last_picture(None)

    def _keep_as_last_picture(self, picture: PooledFrame | None) -> None:
        """The encoder's hold moves from the previous picture to this one (a repeat shows it)."""
        previous, self._last_picture = self._last_picture, picture
        if previous is not None:
            previous.release()

    @property
    def destinations(self) -> list[StreamDestination]:
        return list(self._destinations)

    def warm_up(self, timeout_s: float = 10.0) -> None:
        """Open the encoder now, before the program's first tick (call it before any sample is
        submitted): x264 takes 100-150 ms to open, which at tick 0 competes with the program for
        the CPU and costs it frames. It opens on the encode thread, so x264's worker threads
        inherit that thread's lower priority; this waits until it is open."""
        done = threading.Event()
        self._queue_control(_WarmUp(done))
        done.wait(timeout_s)

    def _open_warm_encoder(self) -> None:
        if self._encoder is None and self._warm_encoder is None:
            self._warm_encoder = ProgramEncoder(self.canvas, self.settings)

    def _ensure_encoder(self, tick: int, samples_per_tick: int) -> ProgramEncoder:
        if self._encoder is None:
            warm, self._warm_encoder = self._warm_encoder, None
            self._encoder = warm or ProgramEncoder(self.canvas, self.settings)
            # From the tick the outputs were asked for: ticks between it and this one (a slow
            # start) are filled with this first picture.
            start, self._start_tick = self._start_tick, None
            self._first_tick = start if start is not None and start <= tick else tick
            self._next_frame_index = 0
            self.stats.first_tick = self._first_tick
            self.stats.preset = self._encoder.preset
            self._samples_per_tick = samples_per_tick
            log.info("encoding with %s", self._encoder.codec_name)
        return self._encoder

    def _start_recording(self, message: StartRecording) -> None:
        if self._recording is not None:
            self._stop_recording()
        self._pending_recording = message

    def _open_pending_recording(self, encoder: ProgramEncoder, frame_index: int) -> None:
        message, self._pending_recording = self._pending_recording, None
        self._recording = MatroskaRecording(message.path, encoder, origin_frame_index=frame_index)
        self._first_part_path = message.path
        for title in self._pending_chapters:
            self._recording.add_chapter(title, frame_index)
        self._pending_chapters.clear()
        self._part_number = 1
        self._part_origin = frame_index
        self._remux_target = message.remux_to_mp4
        self.stats.recording_path = str(message.path)
        log.info("recording to %s", message.path)
        self._on_recording_state("recording", str(message.path))

    def _add_chapter(self, title: str) -> None:
        # Control messages arrive in tick order: the mark belongs to the next frame.
        if self._recording is not None:
            self._recording.add_chapter(title, self._next_frame_index)
        elif self._pending_recording is not None:  # it opens with the next frame
            self._pending_chapters.append(title)

    def _split_due(self) -> bool:
        recording, limits = self._recording, self.recording_settings
        if recording is None or limits is None:
            return False
        seconds = limits.split_every_s
        if seconds and (self._next_frame_index - self._part_origin) >= seconds * self.canvas.fps:
            return True
        return bool(limits.split_every_mb and recording.bytes_written >= limits.split_every_mb * 1_000_000)

    def _split(self, encoder: ProgramEncoder, frame_index: int) -> None:
        """Close this part and open the next at this frame, which is encoded as a keyframe: no
        frame is lost or repeated between the parts."""
        self._recording.close(end_frame_index=frame_index)
        self._on_recording_state("stopped", str(self._recording.path))
        self._part_number += 1
        path = self._first_part_path.with_name(
            f"{self._first_part_path.stem}-{self._part_number:03d}{self._first_part_path.suffix}"
        )
        self._recording = MatroskaRecording(path, encoder, origin_frame_index=frame_index)
        self._part_origin = frame_index
        self.stats.recording_path = str(path)
        self._on_recording_state("recording", str(path))

    def _check_free_disk(self) -> None:
        if self._recording is None or self.recording_settings is None:
            return
        free_mb = free_disk_mb(self._recording.path)
        if free_mb < self.recording_settings.warn_free_disk_mb:
            self._on_error(f"low disk space: {free_mb} MB free for the recording in {self._recording.path.parent}")

    def _start_streaming(self, message: StartStreaming) -> None:
        self._pending_destinations.extend(message.destinations)

    def _open_pending_destinations(self, encoder: ProgramEncoder) -> None:
        for target in self._pending_destinations:
            try:
                destination = StreamDestination(
                    target,
                    encoder.video_stream,
                    encoder.audio_stream,
                    bitrate_kbps=self.settings.bitrate_kbps,
                    on_state=self._on_destination_state,
                )
            except ValueError as error:  # a bad URL fails this destination only
                self._on_error(f"destination {target.name}: {error}")
                continue
            self._destinations.append(destination)
        self._pending_destinations.clear()

    def _encode(self, sample: ProgramSample) -> None:
        if not (self._recording or self._pending_recording or self._destinations or self._pending_destinations):
            return
        fresh = self._encoder is None
        encoder = self._ensure_encoder(sample.tick, len(sample.audio))
        frame_index = sample.tick - self._first_tick  # pts straight from the program clock's tick
        if fresh:
            # A fresh encode starts at the tick its outputs were asked for: a slow start is
            # filled with this first picture (the first filled frame is the encoder's keyframe).
            if self._pending_recording is not None:
                self._open_pending_recording(encoder, 0)
            self._open_pending_destinations(encoder)
            self._fill_missed_ticks(encoder, frame_index, sample.picture)
            keyframe = False
        else:
            self._fill_missed_ticks(encoder, frame_index, self._last_picture)
            keyframe = self._step_down_if_behind(encoder, frame_index)
            if self._pending_recording is not None:  # joining a running encode (a stream): on a keyframe
                self._open_pending_recording(encoder, frame_index)
                keyframe = keyframe or frame_index > 0
            elif self._split_due():
                self._split(encoder, frame_index)
                keyframe = True
            if self._pending_destinations:
                self._open_pending_destinations(encoder)
        if frame_index % (DISK_CHECK_INTERVAL_S * self.canvas.fps) == 0:
            self._check_free_disk()
        self._encode_one(encoder, sample.picture.i420, sample.audio, frame_index, keyframe)

    def _encode_one(self, encoder: ProgramEncoder, i420: np.ndarray, audio: np.ndarray, frame_index: int, keyframe: bool) -> None:
        destinations = self._destinations
        if destinations:
            if any(d.wants_keyframe for d in destinations):
                keyframe = True
                for destination in destinations:
                    destination.wants_keyframe = False
            # One encode serves every destination: it follows the most congested one.
            wanted_kbps = min(d.requested_bitrate_kbps() for d in destinations)
            if wanted_kbps != encoder.bitrate_kbps:
                encoder.set_bitrate_kbps(wanted_kbps)
        for packet in encoder.encode_video(i420, frame_index, keyframe=keyframe):
            self._deliver(packet, is_video=True)
        for packet in encoder.encode_audio(audio, frame_index * self._samples_per_tick):
            self._deliver(packet, is_video=False)
        self.stats.frames_encoded += 1
        self._next_frame_index = frame_index + 1
        if self._recording is not None:
            self.stats.bytes_recorded = self._recording.bytes_written

    def _fill_missed_ticks(self, encoder: ProgramEncoder, frame_index: int, picture: PooledFrame | None) -> None:
        """Ticks the program could not hand over, up to `frame_index`, are recorded as `picture`
        (the last one encoded; the first one at a slow start) and silence, so the recording's
        timing never has a hole."""
        missed = frame_index - self._next_frame_index
        if missed <= 0 or picture is None or not (self._recording is not None or self._destinations):
            return
        if missed > MAX_REPEAT_S * self.canvas.fps:
            self.stats.frames_gap += missed
            self._on_error(f"the program stalled for {missed / self.canvas.fps:.1f} s; the recording has a gap there")
            return
        silence = np.zeros((self._samples_per_tick, 2), dtype=np.float32)
        for index in range(self._next_frame_index, frame_index):
            self._encode_one(encoder, picture.i420, silence, index, keyframe=False)
        self.stats.frames_repeated += missed

    def _step_down_if_behind(self, encoder: ProgramEncoder, frame_index: int) -> bool:
        """Watch the queue; warn once when overloaded and step x264 down when it stays behind.
        True if this frame must be a keyframe (a new encoder starts on one). On the virtual clock
        the queue is always full by design (the program waits for the encoder): never."""
        if self._wait_for_room:
            return False
        action = self._governor.observe(self._queue.qsize())
        self.stats.load = self._governor.state
        if action is LoadAction.WARN:
            self._on_error(
                f"encoding overloaded: the recording is {self.lag_ms} ms behind; nothing is lost while it catches up"
            )
        elif action is LoadAction.STEP_DOWN:
            self._step_down_wanted = True
        # The swap waits for the next scheduled keyframe, so the keyframe cadence platforms
        # expect (a fixed GOP) is the same before and after it.
        if not self._step_down_wanted or frame_index % encoder.gop_frames:
            return False
        self._step_down_wanted = False
        preset, held = encoder.step_down()
        for packet in held:
            self._deliver(packet, is_video=True)
        if preset is None:
            self._on_error(f"encoding overloaded: {self.lag_ms} ms behind and no faster encoder preset to step down to")
            return False
        self.stats.preset = preset
        self._on_error(f"encoding overloaded: the encoder stepped down to the {preset} preset to keep up")
        return True

    def _deliver(self, packet, *, is_video: bool) -> None:
        if self._destinations:
            shared = EncodedPacket.from_packet(packet, is_video)
            for destination in self._destinations:
                destination.offer(shared)
        if self._recording is not None:
            if is_video:
                self._recording.write_video(packet)
            else:
                self._recording.write_audio(packet)

    def _stop_streaming(self) -> None:
        self._pending_destinations.clear()
        destinations, self._destinations = self._destinations, []
        for destination in destinations:
            destination.close()
        self._close_encoder_if_unused()

    def _stop_recording(self) -> None:
        self._pending_recording = None
        self._pending_chapters.clear()
        recording = self._recording
        if recording is None:
            return
        self._recording = None
        try:
            if not self._destinations and self._encoder is not None:
                # Nothing else uses the encoder: flush what it still holds into the file.
                video_packets, audio_packets = self._encoder.flush()
                for packet in video_packets:
                    recording.write_video(packet)
                for packet in audio_packets:
                    recording.write_audio(packet)
        finally:
            recording.close(end_frame_index=self._next_frame_index)
            self._close_encoder_if_unused()
        path = recording.path
        self._on_recording_state("stopped", str(path))
        if self._remux_target is not None:
            try:
                remux_to_mp4(path, self._remux_target)
                log.info("remuxed %s to %s", path, self._remux_target)
            except Exception as error:
                self._on_error(f"remux of {path} to MP4 failed: {error}; the MKV is kept")

    def _close_encoder_if_unused(self) -> None:
        if self._encoder is not None and self._recording is None and not self._destinations:
            self._encoder.close()
            self._encoder = None

    def _abandon_recording(self) -> None:
        recording, self._recording = self._recording, None
        if recording is not None:
            try:
                recording.close()
            except Exception:
                log.debug("close after failure failed", exc_info=True)
        self._close_encoder_if_unused()
