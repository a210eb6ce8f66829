"""Network feeds (a remote guest over SRT, RTMP or RTMPS): pulling one, and the video source plugin.

Why a child process: the PyAV wheel has no SRT protocol, and PyAV's network opens block while
holding the GIL and ignore timeouts, which would freeze the whole engine behind a dead host. The
FFmpeg binary that imageio-ffmpeg ships has SRT/RTMP/RTMPS, so it pulls the feed and copies it
(no re-encode) as MPEG-TS into a pipe; PyAV demuxes and decodes that pipe in our thread. Every
wait is bounded: the child has protocol timeouts, and the pipe is read through a queue with a
timeout, so a dead or stalled child is noticed, killed (its whole process group) and, by the
caller's reconnect backoff, started afresh.

URLs carry secrets (an RTMP stream key, an SRT passphrase or streamid), so every message and log
line shows them masked: rtmp://host/app/**** and srt://host:port?****, and whatever the child
prints is scrubbed the same way before it is shown.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import av
from av.video.reformatter import VideoReformatter
from pydantic import Field, field_validator

from studio.engine.audio.network_audio import NetworkAudioTuning, NetworkFeedAudio
from studio.engine.backoff import Backoff
from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, MediaClock
from studio.engine.errors import SourceUnavailable
from studio.engine.frames import Frame
from studio.engine.secrets import mask_url, scrub_secrets, url_problem, url_scheme
from studio.engine.sources.base import (
    AUDIO_CHANNELS,
    AUDIO_SAMPLE_RATE_HZ,
    SourceSettings,
    SourceTiming,
    VideoSource,
)
from studio.engine.sources.capture import SOURCE_REOPEN_POLICY
from studio.engine.sources.decoded import decoded_to_engine_frame
from studio.engine.sources.file import DEFAULT_FRAME_INTERVAL_NS, ns_from_pts

log = logging.getLogger(__name__)

SUPPORTED_SCHEMES = ("srt", "rtmp", "rtmps")
DEFAULT_AUDIO_TUNING = NetworkAudioTuning()


# -- URLs and their secrets --------------------------------------------------------------------


def unsupported_url_problem(url: str) -> str | None:
    """Why this URL cannot be pulled, or None."""
    return url_problem(url, SUPPORTED_SCHEMES)


# -- pulling a feed ------------------------------------------------------------------------------


class FeedStalled(Exception):
    """The child delivered nothing for longer than allowed."""


@dataclass(frozen=True, slots=True)
class FeedTuning:
    # The child's own protocol timeouts: it gives up and exits with a readable error.
    connect_timeout_ms: int = 2000
    read_timeout_ms: int = 1000
    # Our bounds on the pipe, in case the child hangs anyway. The first bytes wait for the
    # connection (SRT takes ~0.5 s beyond its connect timeout to report failure).
    first_data_timeout_s: float = 4.0
    stall_timeout_s: float = 1.5
    # Small probes: FFmpeg's defaults (5 MB, 5 s) delay the first picture by seconds. A feed
    # whose codec parameters need more than this still plays; they are filled in as it decodes.
    probe_size_bytes: int = 200_000
    analyze_duration_us: int = 500_000
    pipe_chunk_bytes: int = 65_536
    pipe_queue_chunks: int = 64  # ~4 MB: a few seconds of an HD feed
    terminate_wait_s: float = 0.5
    kill_wait_s: float = 2.0
    stderr_lines_kept: int = 20


def ffmpeg_executable() -> str:
    """The FFmpeg binary of imageio-ffmpeg: unlike the PyAV wheel, it has SRT and RTMP(S)."""
    try:
        import imageio_ffmpeg
    except ImportError:
        raise SourceUnavailable("network feeds need the imageio-ffmpeg package, which is not installed") from None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as error:
        raise SourceUnavailable(f"network feeds need FFmpeg, which was not found: {error}") from None


def url_with_timeouts(url: str, tuning: FeedTuning) -> str:
    """SRT takes its timeouts in the URL; the user's own settings win."""
    if url_scheme(url) != "srt":
        return url
    present = {key for key, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    wanted = {"connect_timeout": str(tuning.connect_timeout_ms), "timeout": str(tuning.read_timeout_ms * 1000)}
    extra = "&".join(f"{key}={value}" for key, value in wanted.items() if key not in present)
    if not extra:
        return url
    return f"{url}{'&' if '?' in url else '?'}{extra}"


def feed_pull_command(executable: str, url: str, tuning: FeedTuning, *, video: bool, audio: bool) -> list[str]:
    """The child's command line: pull the feed, copy its first video/audio stream into MPEG-TS on stdout."""
    command = [executable, "-nostdin", "-hide_banner", "-loglevel", "error"]
    if url_scheme(url).startswith("rtmp"):
        command += ["-rw_timeout", str(tuning.read_timeout_ms * 1000)]  # microseconds
    command += ["-probesize", str(tuning.probe_size_bytes), "-analyzeduration", str(tuning.analyze_duration_us)]
    command += ["-fflags", "nobuffer", "-i", url_with_timeouts(url, tuning)]
    if video:
        command += ["-map", "0:v:0"]  # a video source needs pictures: no video stream is an error
        if audio:
            command += ["-map", "0:a:0?"]  # ...but its sound is optional
    else:
        command += ["-map", "0:a:0"]
    # All for latency: max_interleave_delta stops the muxer holding packets of one stream back
    # until the other catches up; pes_payload_size 0 sends each audio packet at once instead of
    # bundling ~150 ms of them; flush_packets puts each packet into the pipe at once.
    command += ["-c", "copy", "-max_interleave_delta", "1", "-f", "mpegts"]
    command += ["-pes_payload_size", "0", "-flush_packets", "1", "pipe:1"]
    return command


class _BoundedPipeReader:
    """The child's stdout as a file object for PyAV whose read() never waits longer than
    `timeout_s`. A thread does the blocking reads; read() takes from a bounded queue. (select()
    would do on POSIX, but not on Windows pipes.)"""

    def __init__(self, pipe, tuning: FeedTuning, name: str) -> None:
        self._pipe = pipe
        self._chunk_bytes = tuning.pipe_chunk_bytes
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=tuning.pipe_queue_chunks)
        self._pending = b""
        self._ended = False
        self._closed = threading.Event()
        self.timeout_s = tuning.first_data_timeout_s
        self.stall: str | None = None  # why reading stopped early, if it did
        self._thread = threading.Thread(target=self._pump, name=f"feed pipe {name}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            while not self._closed.is_set():
                chunk = self._pipe.read(self._chunk_bytes)  # unbuffered: returns what is there
                if not chunk:
                    break
                self._put(chunk)
        except (OSError, ValueError):  # the pipe was closed under us: that is the end too
            pass
        finally:
            self._put(b"")

    def _put(self, chunk: bytes) -> None:
        # Bounded memory: if the demuxer is slow the child waits (the OS pipe fills), and a
        # closed reader lets the thread go instead of blocking forever.
        while not self._closed.is_set():
            try:
                self._queue.put(chunk, timeout=0.2)
                return
            except queue.Full:
                continue

    def read(self, size: int) -> bytes:
        if not self._pending:
            if self._ended:
                return b""
            try:
                chunk = self._queue.get(timeout=self.timeout_s)
            except queue.Empty:
                # PyAV turns an exception raised here into an end of stream during demux
                # (it only propagates during open), so the reason is kept for the caller too.
                self.stall = f"no data from the feed for {self.timeout_s:g} s"
                self._ended = True
                raise FeedStalled(self.stall) from None
            if not chunk:
                self._ended = True
                return b""
            self._pending = chunk
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def close(self) -> None:
        self._closed.set()


class _StderrTail:
    """Keeps the child's last few stderr lines; a thread drains the pipe so the child never
    blocks writing to it (libsrt logs warnings there whatever FFmpeg's log level)."""

    def __init__(self, pipe, lines_kept: int, name: str) -> None:
        self._lines: deque[str] = deque(maxlen=lines_kept)
        self._pipe = pipe
        self._thread = threading.Thread(target=self._drain, name=f"feed stderr {name}", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            for raw_line in iter(self._pipe.readline, b""):
                line = raw_line.decode("utf-8", "replace").strip()
                if line:
                    self._lines.append(line)
        except (OSError, ValueError):
            pass

    def lines(self, wait_s: float) -> list[str]:
        """The kept lines, after waiting up to wait_s for the child to finish writing."""
        self._thread.join(wait_s)
        return list(self._lines)


class FeedConnection:
    """One pull of a feed: the FFmpeg child and the PyAV demuxer reading its pipe. Not reused:
    a reconnect makes a new one."""

    def __init__(self, url: str, tuning: FeedTuning, *, video: bool, audio: bool) -> None:
        self.url = url
        self.label = f"network feed {mask_url(url)}"
        self._tuning = tuning
        self._video, self._audio = video, audio
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: _BoundedPipeReader | None = None
        self._stderr: _StderrTail | None = None
        self._container: av.container.InputContainer | None = None
        self.video_stream: av.VideoStream | None = None
        self.audio_stream: av.AudioStream | None = None

    def open(self) -> None:
        """Start the child and open the demuxer on its output. Raises SourceUnavailable."""
        problem = unsupported_url_problem(self.url)
        if problem:
            raise SourceUnavailable(f"{self.label}: {problem}")
        command = feed_pull_command(ffmpeg_executable(), self.url, self._tuning, video=self._video, audio=self._audio)
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,  # raw pipes: a read returns what is there instead of waiting for a full buffer
                **_own_process_group(),
            )
        except OSError as error:
            raise SourceUnavailable(f"{self.label}: cannot start FFmpeg ({error.strerror or error})") from None
        name = mask_url(self.url)
        self._stderr = _StderrTail(self._process.stderr, self._tuning.stderr_lines_kept, name)
        self._reader = _BoundedPipeReader(self._process.stdout, self._tuning, name)
        try:
            self._container = av.open(
                self._reader,
                mode="r",
                format="mpegts",
                options={
                    "probesize": str(self._tuning.probe_size_bytes),
                    "analyzeduration": str(self._tuning.analyze_duration_us),
                },
            )
        except (FeedStalled, av.FFmpegError, OSError, ValueError) as error:
            reason = self._failure_reason(fallback=f"cannot read the feed ({error})")
            self.close()
            raise SourceUnavailable(f"{self.label}: {reason}") from None
        self._reader.timeout_s = self._tuning.stall_timeout_s
        streams = self._container.streams
        self.video_stream = streams.video[0] if streams.video else None
        self.audio_stream = streams.audio[0] if streams.audio else None
        if self._video and self.video_stream is None:
            self.close()
            raise SourceUnavailable(f"{self.label}: the feed carries no video")
        if self.video_stream is not None:
            # Slice threads only: frame threads would hold back one picture per thread (a
            # quarter second on an 8-core machine), which is what a live feed cannot afford.
            self.video_stream.thread_type = "SLICE"
        log.info("%s: connected (%s)", self.label, ", ".join(str(s.codec_context.name) for s in streams))

    @property
    def frame_interval_ns(self) -> int:
        stream = self.video_stream
        rate = (stream.average_rate or stream.guessed_rate or stream.base_rate) if stream is not None else None
        interval_ns = int(NS_PER_SECOND / rate) if rate else DEFAULT_FRAME_INTERVAL_NS
        return min(max(interval_ns, NS_PER_SECOND // 240), NS_PER_SECOND)

    def frames(self) -> Generator[av.VideoFrame | av.AudioFrame, None, None]:
        """Decoded frames of the feed's video and audio streams, in arrival order. Ends only by
        raising SourceUnavailable (the feed ended, stalled or broke)."""
        assert self._container is not None
        streams = [stream for stream in (self.video_stream, self.audio_stream) if stream is not None]
        try:
            for packet in self._container.demux(streams):
                if packet.size == 0:
                    # The end-of-stream flush: what the decoder still holds is stale by now, and
                    # showing it would flip a dead feed back to LIVE for a moment.
                    continue
                try:
                    yield from packet.decode()
                except av.FFmpegError as error:
                    # One damaged packet (a loss SRT could not repair in time) costs one
                    # picture or a few ms of sound, not the connection.
                    log.debug("%s: skipped a packet that did not decode: %s", self.label, error)
        except (FeedStalled, av.FFmpegError, OSError) as error:
            reason = self._failure_reason(fallback=f"the feed broke ({error})")
        else:
            reason = self._failure_reason(fallback="the feed ended")
        raise SourceUnavailable(f"{self.label}: {reason}")

    def _failure_reason(self, fallback: str) -> str:
        """Why the feed stopped, in words a user can act on, with every secret masked."""
        if self._reader is not None and self._reader.stall:
            reason = self._reader.stall
        else:
            # The child exits on its own after an error; give it a moment to say why.
            self._wait_for_child(self._tuning.terminate_wait_s)
            child_lines = self._stderr.lines(0.2) if self._stderr is not None else []
            reason = explain_child_errors(child_lines) or fallback
        return scrub_secrets(reason, self.url, url_with_timeouts(self.url, self._tuning))

    def _wait_for_child(self, timeout_s: float) -> None:
        if self._process is not None:
            try:
                self._process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                pass

    def stop_child(self) -> None:
        """End the child (politely, then by force); safe from any thread. Its pipe then ends,
        which wakes whoever reads it."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        # SIGTERM first: FFmpeg then closes the SRT socket properly, so a sender in listener
        # mode is free for our next connection at once instead of after its peer-idle timeout.
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(self._tuning.terminate_wait_s)
            return
        except subprocess.TimeoutExpired:
            pass
        _signal_group(process, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        try:
            process.wait(self._tuning.kill_wait_s)
        except subprocess.TimeoutExpired:
            log.warning("%s: FFmpeg (pid %d) did not exit after being killed", self.label, process.pid)

    def close(self) -> None:
        """Stop the child and close the demuxer. Safe to call more than once; call it from the
        thread that reads frames (the demuxer is not thread-safe)."""
        self.stop_child()
        if self._reader is not None:
            self._reader.close()
        if self._container is not None:
            try:
                self._container.close()
            except av.FFmpegError:
                pass
            self._container = None
        process, self._process = self._process, None
        # Only a child that is gone has pipes nobody reads any more; closing a pipe under a
        # thread still blocked reading it is not safe.
        if process is not None and process.poll() is not None:
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()


_LIBSRT_LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d+/SRT")
_FFMPEG_PREFIX = re.compile(r"^\[[^\]]*@ (?:0x)?[0-9a-f]+\]\s*")
_SRT_PASSPHRASE_REJECTIONS = ("UNSECURE", "BADSECRET", "Password required")


def explain_child_errors(lines: list[str]) -> str:
    """Why the child failed, in words a user can act on, from its stderr lines ("" if they say
    nothing). FFmpeg's first error is the specific one (later lines only repeat that opening
    failed); libsrt's own log lines are used only to recognise a passphrase rejection."""
    srt_lines = [line for line in lines if _LIBSRT_LOG_LINE.match(line)]
    if any(word in line for line in srt_lines for word in _SRT_PASSPHRASE_REJECTIONS):
        return "the connection was rejected: the SRT passphrase is missing or wrong"
    ffmpeg_lines = [line for line in lines if not _LIBSRT_LOG_LINE.match(line)]
    if not ffmpeg_lines:
        return ""
    text = _FFMPEG_PREFIX.sub("", ffmpeg_lines[0]).strip().rstrip(".")
    if text.startswith(("Connection to", "Cannot open connection")):
        text += " (is the sender running and reachable, and is the port right?)"
    if "matches no streams" in text:
        text += " (the feed does not carry that kind of stream)"
    return text


def _own_process_group() -> dict:
    """Popen arguments that put the child in its own process group, so it can be ended whole."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _signal_group(process: subprocess.Popen[bytes], signal_number: int) -> None:
    try:
        if sys.platform == "win32":
            process.terminate()
        else:
            os.killpg(process.pid, signal_number)
    except (ProcessLookupError, PermissionError, OSError):
        pass  # it is already gone


# -- decoded frames into the engine's formats -----------------------------------------------------


class FeedTimestamps:
    """Stamps a feed's pictures on the media clock from their pts, and spots stale ones.

    stamp = pts + offset, where offset is the smallest delay (arrival - pts) seen: the frame
    that came through fastest shows the link's own latency, and later frames delayed by network
    jitter are stamped where they belong instead of when they happened to arrive. The minimum
    creeps up slowly (relax_ppm) so a sender whose clock runs slow against ours is followed.

    A frame more than late_limit_ns behind that is stale: what a stalled link or a sender that
    just died lets out late. It is dropped, so the picture does not jump back in time and a dead
    feed does not flicker back to LIVE. If lateness persists (the link really got slower), the
    mapping starts over from the current delay after a second and a few frames; a jump of more
    than discontinuity_ns either way (a sender restart, the 26-hour MPEG-TS pts wrap) starts it
    over at once.
    """

    def __init__(
        self,
        late_limit_ns: int = 500 * NS_PER_MS,
        persistent_lateness_ns: int = 1 * NS_PER_SECOND,
        persistent_late_frames: int = 10,
        discontinuity_ns: int = 10 * NS_PER_SECOND,
        relax_ppm: float = 2000.0,
    ) -> None:
        self.late_limit_ns = late_limit_ns
        self.persistent_lateness_ns = persistent_lateness_ns
        self.persistent_late_frames = persistent_late_frames
        self.discontinuity_ns = discontinuity_ns
        self.relax_ppm = relax_ppm
        self._offset_ns: int | None = None
        self._last_arrival_ns = 0
        self._late_since_ns: int | None = None
        self._late_frames = 0
        self.stale_frames = 0
        self.restarts = 0

    def stamp(self, pts_ns: int | None, arrival_ns: int) -> int | None:
        """The frame's time on the media clock, or None if it is stale and should be dropped."""
        if pts_ns is None:
            return arrival_ns  # nothing to go by: the arrival is the best guess
        delay_ns = arrival_ns - pts_ns
        offset_ns = self._offset_ns
        if offset_ns is None or abs(delay_ns - offset_ns) > self.discontinuity_ns:
            return self._restart(delay_ns, arrival_ns)
        offset_ns += int((arrival_ns - self._last_arrival_ns) * self.relax_ppm * 1e-6)
        offset_ns = min(offset_ns, delay_ns)
        self._offset_ns, self._last_arrival_ns = offset_ns, arrival_ns
        if delay_ns - offset_ns > self.late_limit_ns:
            if self._late_since_ns is None:
                self._late_since_ns = arrival_ns
            self._late_frames += 1
            late_for_ns = arrival_ns - self._late_since_ns
            if late_for_ns >= self.persistent_lateness_ns and self._late_frames >= self.persistent_late_frames:
                return self._restart(delay_ns, arrival_ns)
            self.stale_frames += 1
            return None
        self._late_since_ns, self._late_frames = None, 0
        return min(arrival_ns, pts_ns + offset_ns)

    def _restart(self, delay_ns: int, arrival_ns: int) -> int:
        if self._offset_ns is not None:
            self.restarts += 1
        self._offset_ns, self._last_arrival_ns = delay_ns, arrival_ns
        self._late_since_ns, self._late_frames = None, 0
        return arrival_ns


class FeedAudioWriter:
    """Resamples a connection's decoded audio to 48 kHz stereo float32 into a NetworkFeedAudio."""

    def __init__(self, audio: NetworkFeedAudio) -> None:
        self._audio = audio
        self._resampler = self._new_resampler()

    @staticmethod
    def _new_resampler() -> av.AudioResampler:
        return av.AudioResampler(format="flt", layout="stereo", rate=AUDIO_SAMPLE_RATE_HZ)

    def write(self, decoded: av.AudioFrame) -> None:
        try:
            resampled = self._resampler.resample(decoded)
        except ValueError:
            # The sender changed its audio format mid-stream: the resampler is built for the
            # first format it saw; start a new one (losing at most its few buffered samples).
            self._resampler = self._new_resampler()
            resampled = self._resampler.resample(decoded)
        for frame in resampled:
            # Packed float32: one plane of interleaved L R.
            self._audio.write(frame.to_ndarray().reshape(-1, AUDIO_CHANNELS))


def _pts_ns(decoded: av.VideoFrame) -> int | None:
    if decoded.pts is None or decoded.time_base is None:
        return None
    return ns_from_pts(decoded.pts, decoded.time_base)


# -- the video source plugin ---------------------------------------------------------------------


class NetworkFeedSettings(SourceSettings):
    url: str = Field(
        ...,
        min_length=1,
        description="srt://host:port?... or rtmp(s)://host/app/key to pull (a remote guest)",
    )
    audio: bool = Field(True, description="Offer the feed's sound to the mixer")

    @field_validator("url")
    @classmethod
    def _supported_url(cls, url: str) -> str:
        problem = unsupported_url_problem(url.strip())
        if problem:
            raise ValueError(problem)
        return url.strip()


class NetworkFeedSource(VideoSource):
    """A feed pulled from an SRT/RTMP/RTMPS URL. A capture thread calls read_next(); frames arrive
    at the sender's pace and are stamped from their pts (FeedTimestamps). Sound met on the way goes
    to `audio`, a live AudioSource that outlives reconnects."""

    kind = "network"
    settings_model = NetworkFeedSettings
    timing = SourceTiming.CAPTURED
    settings: NetworkFeedSettings

    def __init__(
        self,
        name: str,
        settings: NetworkFeedSettings,
        clock: MediaClock,
        *,
        tuning: FeedTuning = FeedTuning(),
        audio_tuning: NetworkAudioTuning = DEFAULT_AUDIO_TUNING,
    ) -> None:
        super().__init__(name, settings, clock)
        self._tuning = tuning
        self._label = f"network feed {mask_url(settings.url)}"
        self._connection: FeedConnection | None = None
        self._frames: Generator[av.VideoFrame | av.AudioFrame, None, None] | None = None
        self._reformatter = VideoReformatter()  # kept across frames: swscale reuses its context
        self._sequence = 0
        self._frame_interval_ns = DEFAULT_FRAME_INTERVAL_NS
        self._timestamps = FeedTimestamps()
        # The engine wires the mixer before sources open, so the audio exists from the start.
        self._audio = NetworkFeedAudio(mask_url(settings.url), audio_tuning) if settings.audio else None
        self._audio_writer = FeedAudioWriter(self._audio) if self._audio is not None else None
        self._last_failure = "closed"

    @property
    def frame_interval_ns(self) -> int:
        return self._frame_interval_ns

    @property
    def audio(self) -> NetworkFeedAudio | None:
        return self._audio

    def open(self) -> None:
        connection = FeedConnection(self.settings.url, self._tuning, video=True, audio=self._audio is not None)
        try:
            connection.open()
        except SourceUnavailable as error:
            if self._audio is not None:
                self._audio.disconnected(str(error))
            raise
        self._connection = connection
        self._frames = connection.frames()
        self._frame_interval_ns = connection.frame_interval_ns
        self._timestamps = FeedTimestamps()  # a new connection's pts start anywhere
        if self._audio is not None:
            self._audio_writer = FeedAudioWriter(self._audio)  # a new connection may bring another format
            self._audio.connected(carries_audio=connection.audio_stream is not None)

    def read_next(self) -> Frame:
        if self._frames is None:
            raise SourceUnavailable(f"{self._label} is not connected")
        try:
            for decoded in self._frames:
                if isinstance(decoded, av.VideoFrame):
                    captured_ns = self._timestamps.stamp(_pts_ns(decoded), self.clock.now_ns())
                    if captured_ns is None:
                        continue  # stale: converting it would only waste time
                    self._sequence += 1
                    return decoded_to_engine_frame(
                        decoded, self._reformatter, captured_ns, self._sequence, self._label
                    )
                if self._audio_writer is not None:
                    self._audio_writer.write(decoded)
        except SourceUnavailable as error:
            self._last_failure = str(error)
            self._frames = None
            raise
        raise AssertionError("FeedConnection.frames() ends only by raising")

    def close(self) -> None:
        connection, self._connection = self._connection, None
        frames, self._frames = self._frames, None
        if frames is not None:
            frames.close()  # leave the demux loop before its container closes
        if connection is not None:
            connection.close()
            if self._audio is not None:
                self._audio.disconnected(self._last_failure)
        self._last_failure = "closed"


PLUGINS = (NetworkFeedSource,)


# -- an audio-only network input -------------------------------------------------------------------


class NetworkAudioInput(NetworkFeedAudio):
    """The sound of a feed pulled on its own (an audio input of kind "network"): only the audio
    stream is copied and decoded. A puller thread connects, feeds the ring and reconnects with
    backoff, like SourceRunner does for a video source."""

    def __init__(
        self,
        url: str,
        name: str = "network audio",
        *,
        tuning: FeedTuning = FeedTuning(),
        audio_tuning: NetworkAudioTuning = DEFAULT_AUDIO_TUNING,
    ) -> None:
        super().__init__(mask_url(url), audio_tuning)
        self.url = url
        self.name = name
        self._tuning = tuning
        self._stop = threading.Event()
        self._connection: FeedConnection | None = None
        self._thread: threading.Thread | None = None
        self.reconnect_count = 0
        # The video feed's policy (SourceRunner's): a remote guest's sound and picture come back alike.
        self._reconnect_backoff = Backoff(SOURCE_REOPEN_POLICY)  # the puller thread's alone
        problem = unsupported_url_problem(url)
        if problem:
            self.disconnected(problem)
            return
        self._thread = threading.Thread(target=self._pull, name=f"network audio {name}", daemon=True)
        self._thread.start()

    def _pull(self) -> None:
        backoff = self._reconnect_backoff
        while not self._stop.is_set():
            connection = FeedConnection(self.url, self._tuning, video=False, audio=True)
            self._connection = connection
            try:
                if self._stop.is_set():  # close() came before this connection was visible to it
                    break
                connection.open()
                self.connected()
                writer = FeedAudioWriter(self)
                for decoded in connection.frames():
                    writer.write(decoded)
                    backoff.reset()  # it worked: the next outage starts the backoff over
                    if self._stop.is_set():
                        break
            except SourceUnavailable as error:
                if not self._stop.is_set():
                    self.disconnected(str(error))
            except Exception as error:  # keep the thread alive whatever the feed does
                log.exception("network audio %s failed", self.label)
                self.disconnected(scrub_secrets(f"{type(error).__name__}: {error}", self.url))
            finally:
                connection.close()
                self._connection = None
            # Backoff is wall time, like SourceRunner's: it is about a remote host coming back.
            if self._stop.wait(backoff.next_delay_ms() / 1000):
                break
            self.reconnect_count += 1

    def close(self) -> None:
        self._stop.set()
        connection = self._connection
        if connection is not None:
            connection.stop_child()  # ends its pipe, which wakes the puller at once
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(self._tuning.first_data_timeout_s + self._tuning.kill_wait_s)
            if self._thread.is_alive():
                log.warning("network audio %s: the puller did not stop in time", self.label)
        super().close()
