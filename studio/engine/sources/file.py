"""A media file played as a source: mp4, mov, mkv, webm (anything FFmpeg reads), with its sound.

The file plays on the show's timeline: at media time t its position is t - show_start_ns, wrapped
modulo the file's duration when looping, held on the last frame when not. Pictures are decoded
on demand, forward and sequentially, so the same sequence of render_at calls always gives the
same frames, whether the program thread asks on the virtual clock or a capture thread paces it
in real time.

Video and audio are read through two separate containers on the same file, each with its own
decoder and lock. With one container, demuxing one stream forward produces the other stream's
packets, which would have to be buffered (unboundedly, if one reader lags) for a reader on a
different thread, and a loop rewind for one stream would disturb the other. Two containers cost
a second read of the file (packets of the other stream are skipped, not decoded) and buy
independence: each stream's output depends only on its own sequence of requests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from pydantic import Field

from studio.engine.clock import NS_PER_SECOND, MediaClock
from studio.engine.errors import SourceUnavailable
from studio.engine.frames import Frame
from studio.engine.sources.base import (
    AUDIO_CHANNELS,
    AUDIO_SAMPLE_RATE_HZ,
    AudioSource,
    SourceSettings,
    SourceTiming,
    VideoSource,
    missing_file_problem,
)
from studio.engine.sources.decoded import decoded_to_engine_frame

log = logging.getLogger(__name__)

# Jumping further ahead than this (a source re-opened minutes into the show, a stalled machine)
# seeks to the keyframe before the target instead of decoding everything in between.
SEEK_AHEAD_NS = 3 * NS_PER_SECOND
SEEK_AHEAD_SAMPLES = 3 * AUDIO_SAMPLE_RATE_HZ
# Decoded audio kept behind the newest request, so re-reading the recent past (a mixer that asks
# for a block twice) needs no rewind. Together with one request and one decoded packet this is
# all the audio held in memory.
AUDIO_KEEP_BEHIND_SAMPLES = AUDIO_SAMPLE_RATE_HZ // 2
DEFAULT_FRAME_INTERVAL_NS = NS_PER_SECOND // 30

class FileSettings(SourceSettings):
    path: str = Field(..., min_length=1, description="Media file: mp4, mov, mkv, webm, ...")
    loop: bool = Field(True, description="Start again at the end; otherwise hold the last frame")
    audio: bool = Field(True, description="Offer the file's audio track to the mixer")
    open_delay_ms: int = Field(
        0, ge=0, le=10_000, description="Wait this long in open(), like a camera that takes time to start (tests)"
    )


def ns_from_pts(pts: int, time_base: Fraction) -> int:
    """A stream timestamp in integer nanoseconds (floored, exact for any time base)."""
    return pts * time_base.numerator * NS_PER_SECOND // time_base.denominator


def pts_from_ns(time_ns: int, time_base: Fraction) -> int:
    return time_ns * time_base.denominator // (time_base.numerator * NS_PER_SECOND)


def open_media(path: str) -> av.container.InputContainer:
    if not Path(path).is_file():
        raise SourceUnavailable(f"media file {path}: file not found")
    try:
        return av.open(path, mode="r")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as error:
        raise SourceUnavailable(f"media file {path}: not a readable media file ({error})") from None


@dataclass(frozen=True, slots=True)
class MediaTimeline:
    """Where the file's position 0 is and how long one pass lasts."""

    origin_ns: int  # the container's start time: stream timestamps at this time are position 0
    duration_ns: int  # one pass (the loop period); 0 if the file does not say and cannot be scanned
    frame_interval_ns: int
    has_audio: bool

    def locate(self, elapsed_ns: int, loop: bool) -> tuple[int, int]:
        """(pass number, position in the file) for a time since show start."""
        elapsed_ns = max(0, elapsed_ns)
        if loop and self.duration_ns > 0:
            return divmod(elapsed_ns, self.duration_ns)
        return 0, elapsed_ns


def probe_timeline(container: av.container.InputContainer, path: str) -> MediaTimeline:
    video = container.streams.video[0]
    origin_ns = container.start_time * 1000 if container.start_time is not None else 0
    if container.duration is not None and container.duration > 0:
        # What players report as the file's length (all streams), in AV_TIME_BASE microseconds.
        duration_ns = container.duration * 1000
    elif video.duration is not None and video.duration > 0:
        duration_ns = ns_from_pts(video.duration, video.time_base)
    else:
        duration_ns = _scan_video_end_ns(path) - origin_ns
    rate = video.average_rate or video.guessed_rate or video.base_rate
    interval_ns = int(NS_PER_SECOND / rate) if rate else DEFAULT_FRAME_INTERVAL_NS
    # Garbage rates in broken headers must not make the capture thread spin or stall.
    interval_ns = min(max(interval_ns, NS_PER_SECOND // 240), NS_PER_SECOND)
    return MediaTimeline(origin_ns, max(0, duration_ns), interval_ns, bool(container.streams.audio))


def _scan_video_end_ns(path: str) -> int:
    """End of the last video packet, for files whose header has no duration (streamed mkv)."""
    end_ns = 0
    with open_media(path) as container:
        stream = container.streams.video[0]
        for packet in container.demux(stream):
            if packet.pts is not None:
                end_ns = max(end_ns, ns_from_pts(packet.pts + (packet.duration or 0), stream.time_base))
    return end_ns


class VideoDecoder:
    """Decodes a file's first video stream forward and answers: the newest frame at or before a
    position. Keeps one frame of look-ahead; going backwards starts a fresh pass."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._container: av.container.InputContainer | None = None
        self._timeline: MediaTimeline | None = None
        self.restart()

    @property
    def timeline(self) -> MediaTimeline:
        assert self._timeline is not None
        return self._timeline

    @property
    def container(self) -> av.container.InputContainer:
        assert self._container is not None
        return self._container

    @property
    def is_open(self) -> bool:
        return self._container is not None

    def restart(self) -> None:
        """A fresh pass from the start of the file. Re-opening rather than seeking to 0 gives a
        decoder in exactly the state of the first pass (seeking after the decoder was drained at
        the end of the file is not reliable for every demuxer and codec), so every pass decodes
        the same pictures."""
        self.close()
        container = open_media(self._path)
        if not container.streams.video:
            container.close()
            raise SourceUnavailable(f"media file {self._path}: no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame + slice threads: HD decodes in real time; output is bit-exact
        self._container, self._stream = container, stream
        if self._timeline is None:
            try:
                self._timeline = probe_timeline(container, self._path)
            except BaseException:
                self.close()
                raise
        self._frames = container.decode(stream)
        self._reset_cursor(anchor_ns=0)

    def _reset_cursor(self, anchor_ns: int) -> None:
        self._current: av.VideoFrame | None = None
        self._current_start_ns = anchor_ns
        self._lookahead: tuple[av.VideoFrame, int] | None = None
        self._exhausted = False
        # The first frame after (re)positioning stands for everything from here on, even if its
        # timestamp is a little later (a file whose video starts at 0.1 s shows it from 0).
        self._anchor_ns = anchor_ns
        self._last_start_ns = anchor_ns - self.timeline.frame_interval_ns

    @property
    def current_start_ns(self) -> int:
        return self._current_start_ns

    def frame_at(self, position_ns: int) -> av.VideoFrame | None:
        """Newest frame whose start is at or before position_ns (the first one if none is);
        None only if the file has no decodable frame at all."""
        if self._current is not None and position_ns < self._current_start_ns:
            self.restart()
        elif not self._exhausted and position_ns - self._reached_ns() > SEEK_AHEAD_NS:
            self._seek(position_ns)
        while True:
            if self._lookahead is None:
                self._lookahead = self._decode_next()
                if self._lookahead is None:
                    break
            frame, start_ns = self._lookahead
            if self._current is not None and start_ns > position_ns:
                break
            first_after_anchor = self._current is None
            self._current = frame
            self._current_start_ns = min(start_ns, self._anchor_ns) if first_after_anchor else start_ns
            self._lookahead = None
        return self._current

    def _reached_ns(self) -> int:
        if self._lookahead is not None:
            return self._lookahead[1]
        return self._current_start_ns

    def _decode_next(self) -> tuple[av.VideoFrame, int] | None:
        if self._exhausted:
            return None
        try:
            frame = next(self._frames)
        except StopIteration:
            frame = None
        except av.FFmpegError as error:
            # A damaged packet ends this pass; the source holds its last picture or loops.
            log.warning("media file %s: video decode stopped: %s", self._path, error)
            frame = None
        if frame is None:
            self._exhausted = True
            return None
        if frame.pts is not None:
            start_ns = ns_from_pts(frame.pts, frame.time_base or self._stream.time_base) - self.timeline.origin_ns
        else:
            start_ns = self._last_start_ns + self.timeline.frame_interval_ns
        self._last_start_ns = start_ns
        return frame, start_ns

    def _seek(self, position_ns: int) -> None:
        target_pts = pts_from_ns(position_ns + self.timeline.origin_ns, self._stream.time_base)
        try:
            self.container.seek(target_pts, stream=self._stream, backward=True)
        except av.FFmpegError as error:  # not seekable: decode forward instead
            log.info("media file %s: seek failed (%s); decoding forward", self._path, error)
            return
        self._frames = self.container.decode(self._stream)
        self._reset_cursor(anchor_ns=position_ns)

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None


class SampleWindow:
    """Decoded (n, 2) float32 samples at file sample offsets [start, end), as a few chunks; old
    ones are dropped from the front as playback moves on."""

    def __init__(self, position: int) -> None:
        self.start = position
        self.end = position
        self._chunks: deque[np.ndarray] = deque()

    def jump_to(self, position: int) -> None:
        """Move an empty window (the first decoded sample lies later than expected)."""
        assert not self._chunks
        self.start = self.end = position

    def append(self, samples: np.ndarray) -> None:
        if len(samples):
            self._chunks.append(samples)
            self.end += len(samples)

    def drop_before(self, position: int) -> None:
        position = min(position, self.end)
        while self._chunks and self.start + len(self._chunks[0]) <= position:
            self.start += len(self._chunks.popleft())
        if self._chunks and self.start < position:
            self._chunks[0] = self._chunks[0][position - self.start :]
            self.start = position
        self.start = max(self.start, position)

    def copy_into(self, out: np.ndarray, first_sample: int) -> None:
        """Copy the overlap of [first_sample, first_sample + len(out)) with the window into out."""
        chunk_start = self.start
        wanted_end = first_sample + len(out)
        for chunk in self._chunks:
            chunk_end = chunk_start + len(chunk)
            low, high = max(chunk_start, first_sample), min(chunk_end, wanted_end)
            if low < high:
                out[low - first_sample : high - first_sample] = chunk[low - chunk_start : high - chunk_start]
            if chunk_end >= wanted_end:
                break
            chunk_start = chunk_end


class AudioDecoder:
    """Decodes a file's first audio stream forward to 48 kHz stereo float32, addressed by sample
    offset from the file's position 0, keeping only a bounded window in memory."""

    def __init__(self, path: str, origin_ns: int) -> None:
        self._path = path
        self._origin_ns = origin_ns
        self._container: av.container.InputContainer | None = None
        self.restart()

    def restart(self) -> None:
        """A fresh pass from the start of the file (re-opened, for the same reason as the video)."""
        self.close()
        container = open_media(self._path)
        if not container.streams.audio:
            container.close()
            raise SourceUnavailable(f"media file {self._path}: no audio stream")
        self._container = container
        self._stream = container.streams.audio[0]
        self._reposition(0)

    def _reposition(self, file_sample: int) -> None:
        assert self._container is not None
        self._frames: Iterator[av.AudioFrame] = self._container.decode(self._stream)
        # A resampler keeps filter state across frames; a new position needs a new one.
        self._resampler = av.AudioResampler(format="flt", layout="stereo", rate=AUDIO_SAMPLE_RATE_HZ)
        self._window = SampleWindow(file_sample)
        # Requests from here on are answered without a rewind; before the first decoded sample
        # (audio that starts after the video) there is silence.
        self._known_from = file_sample
        self._anchored = False
        self._skip_samples = 0
        self._exhausted = False

    def read_into(self, out: np.ndarray, first_sample: int) -> None:
        """Fill out (n, 2) with the file's samples [first_sample, first_sample + n); samples the
        file does not have (past its end) are left as they are (silence)."""
        wanted_end = first_sample + len(out)
        if first_sample < self._known_from:
            self.restart()
        elif not self._exhausted and first_sample - self._window.end > SEEK_AHEAD_SAMPLES:
            self._seek(first_sample)
        keep_from = first_sample - AUDIO_KEEP_BEHIND_SAMPLES
        self._drop_before(keep_from)
        while self._window.end < wanted_end and not self._exhausted:
            self._decode_some()
            self._drop_before(keep_from)  # bounded even while catching up
        self._window.copy_into(out, first_sample)

    @property
    def buffered_sample_count(self) -> int:
        return self._window.end - self._window.start

    def _drop_before(self, file_sample: int) -> None:
        self._window.drop_before(file_sample)
        self._known_from = max(self._known_from, self._window.start)

    def _decode_some(self) -> None:
        try:
            frame = next(self._frames)
        except StopIteration:
            frame = None
        except (av.FFmpegError, ValueError) as error:
            # A damaged packet or a mid-file format change ends this pass: silence until the loop.
            log.warning("media file %s: audio decode stopped: %s", self._path, error)
            frame = None
        if frame is None:
            self._exhausted = True
            if self._anchored:  # the resampler holds a few samples back; let them out
                self._take(self._resampler.resample(None))
            return
        if not self._anchored:
            self._anchor(frame)
        self._take(self._resampler.resample(frame))

    def _anchor(self, frame: av.AudioFrame) -> None:
        """Place the first decoded frame: later than expected leaves silence before it; earlier
        (pre-roll before position 0, or a seek landing before the target) skips its head."""
        self._anchored = True
        if frame.pts is None:
            return
        offset_ns = ns_from_pts(frame.pts, frame.time_base or self._stream.time_base) - self._origin_ns
        offset = (offset_ns * AUDIO_SAMPLE_RATE_HZ + NS_PER_SECOND // 2) // NS_PER_SECOND
        if offset > self._window.end:
            self._window.jump_to(offset)
        else:
            self._skip_samples = self._window.end - offset

    def _take(self, frames: list[av.AudioFrame]) -> None:
        for frame in frames:
            # Packed float32: one plane of interleaved L R; copied because the plane's memory
            # belongs to the frame.
            samples = frame.to_ndarray().reshape(-1, AUDIO_CHANNELS)
            if self._skip_samples:
                skipped = min(self._skip_samples, len(samples))
                samples = samples[skipped:]
                self._skip_samples -= skipped
            self._window.append(samples.copy())

    def _seek(self, file_sample: int) -> None:
        assert self._container is not None
        target_ns = file_sample * NS_PER_SECOND // AUDIO_SAMPLE_RATE_HZ + self._origin_ns
        try:
            self._container.seek(pts_from_ns(target_ns, self._stream.time_base), stream=self._stream, backward=True)
        except av.FFmpegError as error:
            log.info("media file %s: audio seek failed (%s); decoding forward", self._path, error)
            return
        self._reposition(file_sample)

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None


class FileAudio(AudioSource):
    """A file source's audio track on the show's sample timeline, looping with the video.

    Sample 0 is show start. Reads decode on demand under a lock (the mixer and the video may run
    on different threads); before the source is open, after it is closed, past the end of a
    file that does not loop, or for a file without audio, the answer is silence.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._decoder: AudioDecoder | None = None
        self._timeline: MediaTimeline | None = None
        self._loop = False

    def attach(self, timeline: MediaTimeline, loop: bool) -> None:
        """Called by FileSource.open(): start decoding this file's audio, if it has any."""
        with self._lock:
            self._close_locked()
            self._timeline, self._loop = timeline, loop
            if timeline.has_audio:
                self._decoder = AudioDecoder(self._path, timeline.origin_ns)

    def detach(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None

    @property
    def buffered_sample_count(self) -> int:
        """Decoded samples held in memory (for diagnostics and tests: it stays bounded)."""
        with self._lock:
            return self._decoder.buffered_sample_count if self._decoder is not None else 0

    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        block = np.zeros((sample_count, AUDIO_CHANNELS), np.float32)
        with self._lock:
            if self._decoder is None or self._timeline is None:
                return block
            try:
                for block_offset, file_sample, length in self._file_spans(start_sample, sample_count):
                    self._decoder.read_into(block[block_offset : block_offset + length], file_sample)
            except SourceUnavailable as error:
                # The file went away mid-show (a rewind re-opens it): silence until the source is
                # opened again, rather than a failure on every block.
                log.warning("%s; its audio is silent until the source re-opens", error)
                self._close_locked()
        return block

    def _file_spans(self, start_sample: int, sample_count: int) -> Iterator[tuple[int, int, int]]:
        """Split show samples [start, start + count) into runs within one pass of the file:
        (offset in the block, first file sample, length)."""
        assert self._timeline is not None
        duration_ns = self._timeline.duration_ns
        end_sample = start_sample + sample_count
        sample = max(start_sample, 0)  # before show start: silence
        if not self._loop or duration_ns <= 0:
            if sample < end_sample:
                yield sample - start_sample, sample, end_sample - sample
            return
        # Sample s plays at s / rate seconds; pass k covers [k * duration, (k + 1) * duration).
        # Integer arithmetic keeps the pass boundaries exactly where the video's are.
        period_scaled = duration_ns * AUDIO_SAMPLE_RATE_HZ
        while sample < end_sample:
            pass_index = sample * NS_PER_SECOND // period_scaled
            pass_first_sample = -(-pass_index * period_scaled // NS_PER_SECOND)
            next_pass_first_sample = -(-(pass_index + 1) * period_scaled // NS_PER_SECOND)
            run_end = min(end_sample, next_pass_first_sample)
            yield sample - start_sample, sample - pass_first_sample, run_end - sample
            sample = run_end


class FileSource(VideoSource):
    kind = "file"
    settings_model = FileSettings
    timing = SourceTiming.RENDERED
    settings: FileSettings

    def __init__(self, name: str, settings: FileSettings, clock: MediaClock) -> None:
        super().__init__(name, settings, clock)
        self._lock = threading.Lock()
        self._video: VideoDecoder | None = None
        self._timeline: MediaTimeline | None = None
        self._pass_index = 0
        # One reformatter for the source's life: swscale's context is reused frame after frame.
        self._reformatter = VideoReformatter()
        self._picture_source: av.VideoFrame | None = None
        self._picture: Frame | None = None
        self._pictures_made = 0
        # The engine wires audio inputs before sources open, so the audio object exists from
        # the start and stays silent until open().
        self._audio = FileAudio(settings.path) if settings.audio else None

    @property
    def frame_interval_ns(self) -> int:
        return self._timeline.frame_interval_ns if self._timeline else DEFAULT_FRAME_INTERVAL_NS

    @property
    def audio(self) -> AudioSource | None:
        return self._audio

    @property
    def duration_ns(self) -> int:
        """One pass of the file (0 before open or if unknown)."""
        return self._timeline.duration_ns if self._timeline else 0

    @classmethod
    def check_resources(cls, settings: FileSettings) -> tuple[str, str] | None:
        # Only existence: whether it decodes is found at open() and shown as NO SIGNAL.
        return missing_file_problem(settings.path, "media file")

    def open(self) -> None:
        if self.settings.open_delay_ms:
            # A slow device, simulated; outside the lock, so nothing else waits behind it. The
            # re-open inside render_at (a file that went away) does not take this delay.
            time.sleep(self.settings.open_delay_ms / 1000)
        with self._lock:
            self._open_locked()

    def _open_locked(self) -> None:
        if self._video is not None:
            return
        self._video = VideoDecoder(self.settings.path)
        self._timeline = timeline = self._video.timeline
        self._pass_index = 0
        self._picture_source = self._picture = None
        if self._audio is not None:
            try:
                self._audio.attach(timeline, self.settings.loop)
            except SourceUnavailable as error:  # sound is secondary: play the picture anyway
                log.warning("source %s: audio unavailable: %s", self.name, error)

    def close(self) -> None:
        with self._lock:
            self._close_video_locked()
        if self._audio is not None:
            self._audio.detach()

    def _close_video_locked(self) -> None:
        if self._video is not None:
            self._video.close()
            self._video = None
        self._picture_source = self._picture = None

    def render_at(self, media_time_ns: int) -> Frame:
        with self._lock:
            if self._video is None:
                self._open_locked()
            try:
                return self._render_locked(media_time_ns)
            except SourceUnavailable:
                if self._video is not None and not self._video.is_open:
                    # The file went away (each pass re-opens it): drop the closed decoder so
                    # the next render tries to open the file afresh.
                    self._close_video_locked()
                raise

    def _render_locked(self, media_time_ns: int) -> Frame:
        video, timeline = self._video, self._timeline
        assert video is not None and timeline is not None
        pass_index, position_ns = timeline.locate(media_time_ns - self.show_start_ns, self.settings.loop)
        if pass_index != self._pass_index:
            video.restart()  # a new pass starts at the top of the file, even for a one-frame file
            self._pass_index = pass_index
        decoded = video.frame_at(position_ns)
        if decoded is None:
            raise SourceUnavailable(f"media file {self.settings.path}: no decodable video frame")
        if decoded is not self._picture_source:
            captured_ns = self.show_start_ns + pass_index * timeline.duration_ns + max(0, video.current_start_ns)
            self._picture = self._to_engine_frame(decoded, captured_ns)
            self._picture_source = decoded
        assert self._picture is not None
        return self._picture

    def _to_engine_frame(self, decoded: av.VideoFrame, captured_ns: int) -> Frame:
        self._pictures_made += 1
        return decoded_to_engine_frame(
            decoded, self._reformatter, captured_ns, self._pictures_made, f"media file {self.settings.path}"
        )


PLUGINS = (FileSource,)
