"""What goes back to a guest on their peer connection: their mix-minus, and program video.

aiortc pulls a sending track with `await track.recv()` back to back, as fast as it returns, so
each track paces itself on the wall clock (the engine's program thread ticks on the same
monotonic clock, so the two run at the same rate and nothing drifts).

Audio: 20 ms frames (960 samples, s16 stereo, 48 kHz, pts in 1/48000: what aiortc's Opus encoder
takes without resampling) from the guest's AudioTap. The program thread writes one block per
tick (33 ms at 30 fps, 40 ms at 25), so the tap fills in steps and empties in 20 ms bites; a
small cushion (PRIME_MS, one 25 fps block plus a frame) is kept so every bite finds a whole
frame. What is beyond MAX_BACKLOG_MS is dropped, oldest first: the return's latency stays at
PRIME_MS to MAX_BACKLOG_MS, however late the sender started or stalled. When the tap runs dry
(the program stalled) the track sends silence and builds the cushion again before it plays on.

Video: the newest picture of a small program tap, as often as it asks (15 fps), black until
the first picture.
"""

from __future__ import annotations

import asyncio
import fractions
import time

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from studio.engine.audio.tap import AudioTap
from studio.engine.outputs.video_tap import VideoTap
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ

FRAME_SAMPLES = AUDIO_SAMPLE_RATE_HZ // 50  # 20 ms, Opus's usual packet
PRIME_MS = 60
MAX_BACKLOG_MS = 120
PRIME_SAMPLES = AUDIO_SAMPLE_RATE_HZ * PRIME_MS // 1000
MAX_BACKLOG_SAMPLES = AUDIO_SAMPLE_RATE_HZ * MAX_BACKLOG_MS // 1000
# A sender more than this late (the event loop was held up) starts its clock again instead of
# sending a burst to catch up: the far side's jitter buffer would only throw the burst away.
RESYNC_LATE_S = 0.2

RETURN_VIDEO_WIDTH = 640
RETURN_VIDEO_HEIGHT = 360
RETURN_VIDEO_FPS = 15
VIDEO_CLOCK_RATE_HZ = 90_000

AUDIO_TIME_BASE = fractions.Fraction(1, AUDIO_SAMPLE_RATE_HZ)
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE_HZ)


class _WallClockPacer:
    """When the next frame of a track is due, on time.monotonic()."""

    def __init__(self, clock_rate_hz: int) -> None:
        self.clock_rate_hz = clock_rate_hz
        self._start_s: float | None = None
        self.resyncs = 0  # times the sender was so late that its clock started again

    async def wait_for(self, pts: int) -> None:
        now_s = time.monotonic()
        if self._start_s is None:
            self._start_s = now_s - pts / self.clock_rate_hz
            return
        due_s = self._start_s + pts / self.clock_rate_hz
        if due_s > now_s:
            await asyncio.sleep(due_s - now_s)
        elif now_s - due_s > RESYNC_LATE_S:
            self._start_s = now_s - pts / self.clock_rate_hz
            self.resyncs += 1


class ReturnAudioTrack(MediaStreamTrack):
    """A guest's mix-minus as an aiortc audio track (see the module's docstring)."""

    kind = "audio"

    def __init__(self, tap: AudioTap) -> None:
        super().__init__()
        self.tap = tap
        self._pacer = _WallClockPacer(AUDIO_SAMPLE_RATE_HZ)
        self._float = np.zeros((FRAME_SAMPLES, AUDIO_CHANNELS), np.float32)
        self._playing = False
        self.frames_sent = 0
        self.silent_frames = 0  # sent while the tap could not fill a frame (priming, stalls)
        self.underruns = 0
        self.discarded_samples = 0

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pts = self.frames_sent * FRAME_SAMPLES
        await self._pacer.wait_for(pts)
        samples = self._next_samples()
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = AUDIO_SAMPLE_RATE_HZ
        frame.pts = pts
        frame.time_base = AUDIO_TIME_BASE
        self.frames_sent += 1
        return frame

    def _next_samples(self) -> np.ndarray:
        """One frame of s16 samples from the tap, or silence while the cushion builds up."""
        self.discarded_samples += self.tap.discard_down_to(MAX_BACKLOG_SAMPLES)
        available = self.tap.available_samples
        if self._playing and available < FRAME_SAMPLES:
            self._playing = False
            self.underruns += 1
        if not self._playing and available >= PRIME_SAMPLES:
            self._playing = True
        if not self._playing:
            self.silent_frames += 1
            return np.zeros((FRAME_SAMPLES, AUDIO_CHANNELS), np.int16)
        self.tap.read_into(self._float)
        return float_to_s16(self._float)


def float_to_s16(samples: np.ndarray) -> np.ndarray:
    """float32 in [-1, 1] to int16, clipped (a hot mix must not wrap around)."""
    return np.clip(samples * 32767.0, -32768.0, 32767.0).astype(np.int16)


class ProgramVideoTrack(MediaStreamTrack):
    """Program's picture for a guest who may see it (see the module's docstring). `tap` may be
    None (no engine runs): the guest sees black."""

    kind = "video"

    def __init__(self, tap: VideoTap | None, fps: int = RETURN_VIDEO_FPS) -> None:
        super().__init__()
        self.tap = tap
        self.fps = fps
        self._pacer = _WallClockPacer(VIDEO_CLOCK_RATE_HZ)
        self._black = np.zeros((RETURN_VIDEO_HEIGHT, RETURN_VIDEO_WIDTH, 3), np.uint8)
        self._last_sequence: int | None = None
        self.frames_sent = 0
        self.pictures_shown = 0  # distinct program pictures sent

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pts = self.frames_sent * VIDEO_CLOCK_RATE_HZ // self.fps
        await self._pacer.wait_for(pts)
        picture = self.tap.latest() if self.tap is not None else None
        rgb = picture.image.rgb if picture is not None else self._black
        if picture is not None and picture.sequence != self._last_sequence:
            self._last_sequence = picture.sequence
            self.pictures_shown += 1
        # A new VideoFrame each time: the encoder may still hold the last one on its thread.
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        self.frames_sent += 1
        return frame
