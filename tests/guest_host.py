"""A GuestHost for the guest service's tests, built from real engine objects: real GuestFeeds on
the monotonic clock, AudioTaps filled with a 440 Hz tone standing in for each guest's mix-minus,
and program VideoTaps showing one still picture. And the two media tracks a test guest sends
(a picture of one colour, a 1 kHz tone), as aiortc tracks.
"""

from __future__ import annotations

import asyncio
import fractions
import threading
import time
from collections import deque

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack

from studio.engine.audio.tap import AudioTap
from studio.engine.clock import MonotonicClock
from studio.engine.outputs.video_tap import PROGRAM, TapImage, VideoTap
from studio.engine.sources.guest_feed import GuestFeed
from studio.guests.host import GuestAccess

SAMPLE_RATE_HZ = 48_000
RETURN_TONE_HZ = 440.0
GUEST_TONE_HZ = 1000.0
PROGRAM_STILL_RGB = (40, 180, 60)
AUDIO_KEPT_BLOCKS = 500  # about 10 s of 20 ms blocks


def tone(frequency_hz: float, start_sample: int, count: int, amplitude: float = 0.5) -> np.ndarray:
    """(count, 2) float32 of a sine, continuing from start_sample."""
    t = (np.arange(count) + start_sample) / SAMPLE_RATE_HZ
    mono = (amplitude * np.sin(2 * np.pi * frequency_hz * t)).astype(np.float32)
    return np.column_stack([mono, mono])


def strongest_frequency_hz(samples: np.ndarray) -> float:
    """The frequency with the most energy in (n, 2) or (n,) samples at 48 kHz."""
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE_HZ)[int(np.argmax(spectrum[1:])) + 1])


class RecordingGuestFeed(GuestFeed):
    """A real GuestFeed that also keeps (bounded) the audio it accepted, for the test to listen to."""

    def __init__(self, guest_id: str, label: str) -> None:
        super().__init__(guest_id, label, MonotonicClock())
        self.accepted_audio: deque[np.ndarray] = deque(maxlen=AUDIO_KEPT_BLOCKS)
        self.audio_pushes = 0

    def push_audio(self, generation: int, samples) -> None:
        if self.is_current(generation):
            self.accepted_audio.append(np.array(samples, copy=True))
            self.audio_pushes += 1
        super().push_audio(generation, samples)

    def accepted_samples(self) -> np.ndarray:
        blocks = list(self.accepted_audio)
        return np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)


class _ToneFiller:
    """Writes a 440 Hz tone into a tap at the wall clock's rate, as the program thread would."""

    def __init__(self, tap: AudioTap, block_samples: int = 1600) -> None:
        self.tap = tap
        self.block_samples = block_samples  # one 30 fps tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-return-tone", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        started_s = time.monotonic()
        written = 0
        while not self._stop.is_set():
            due = int((time.monotonic() - started_s) * SAMPLE_RATE_HZ)
            while due - written >= self.block_samples:
                self.tap.write(tone(RETURN_TONE_HZ, written, self.block_samples))
                written += self.block_samples
            self._stop.wait(0.01)  # the pace of a producer, not a synchronization

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


class GuestTestHost:
    """The GuestHost protocol over real feeds and taps, with what was opened kept for asserts."""

    def __init__(self) -> None:
        self.accesses: dict[str, GuestAccess] = {}
        self.feeds: dict[str, RecordingGuestFeed] = {}
        self.returns_opened: list[AudioTap] = []
        self.returns_closed: list[AudioTap] = []
        self.videos_opened: list[VideoTap] = []
        self.videos_closed: list[VideoTap] = []
        self.access_asked = 0
        self._fillers: dict[int, _ToneFiller] = {}

    def add_guest(self, guest_id: str, token: str, **settings) -> RecordingGuestFeed:
        values = dict(
            guest_id=guest_id, name=f"Guest {guest_id}", token=token, show_program_video=True, audio_processing=True,
            max_video_bitrate_kbps=2500, start_bitrate_kbps=1000, max_width=1280, max_height=720, max_fps=30,
        )
        values.update(settings)
        self.accesses[guest_id] = GuestAccess(**values)
        feed = self.feeds.get(guest_id) or RecordingGuestFeed(guest_id, values["name"])
        self.feeds[guest_id] = feed
        return feed

    # -- GuestHost ------------------------------------------------------------------------------

    def guest_access(self, guest_id: str) -> GuestAccess | None:
        self.access_asked += 1
        return self.accesses.get(guest_id)

    def guest_feed(self, guest_id: str) -> GuestFeed | None:
        return self.feeds.get(guest_id)

    def open_guest_return(self, guest_id: str) -> AudioTap:
        tap = AudioTap(2000)
        self.returns_opened.append(tap)
        self._fillers[id(tap)] = _ToneFiller(tap)
        return tap

    def close_guest_return(self, guest_id: str, tap: AudioTap) -> None:
        tap.closed = True
        self.returns_closed.append(tap)
        filler = self._fillers.pop(id(tap), None)
        if filler is not None:
            filler.stop()

    def open_program_video(self, max_width: int, max_height: int, max_fps: int) -> VideoTap | None:
        tap = VideoTap(PROGRAM, max_width, max_height, max_fps)
        width, height = tap.picture_size(1280, 720)
        tap.publish(TapImage.from_rgb(np.full((height, width, 3), PROGRAM_STILL_RGB, np.uint8)), tick=0)
        self.videos_opened.append(tap)
        return tap

    def close_program_video(self, tap: VideoTap) -> None:
        tap.closed = True
        self.videos_closed.append(tap)

    def close(self) -> None:
        for filler in list(self._fillers.values()):
            filler.stop()
        self._fillers.clear()


# -- what a test guest sends ------------------------------------------------------------------------


class ColourTrack(VideoStreamTrack):
    """30 fps pictures of one colour (RGB), width x height; stop_sending() halts it (a frozen
    sender: recv() then waits until the track is stopped)."""

    def __init__(self, rgb: tuple[int, int, int], width: int = 640, height: int = 360) -> None:
        super().__init__()
        self.rgb = np.full((height, width, 3), rgb, np.uint8)
        self.sending = asyncio.Event()
        self.sending.set()
        self.frames_sent = 0

    def stop_sending(self) -> None:
        self.sending.clear()

    async def recv(self) -> av.VideoFrame:
        await self.sending.wait()
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame.from_ndarray(self.rgb, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        self.frames_sent += 1
        return frame


class ToneTrack(MediaStreamTrack):
    """A sine as 20 ms s16 stereo frames at 48 kHz, paced on the wall clock; stop_sending() halts it."""

    kind = "audio"

    def __init__(self, frequency_hz: float = GUEST_TONE_HZ) -> None:
        super().__init__()
        self.frequency_hz = frequency_hz
        self.sending = asyncio.Event()
        self.sending.set()
        self._sample = 0
        self._start_s: float | None = None

    def stop_sending(self) -> None:
        self.sending.clear()

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self.sending.wait()
        if self._start_s is None:
            self._start_s = time.monotonic()
        delay_s = self._start_s + self._sample / SAMPLE_RATE_HZ - time.monotonic()
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        count = SAMPLE_RATE_HZ // 50
        samples = (tone(self.frequency_hz, self._sample, count) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = SAMPLE_RATE_HZ
        frame.pts = self._sample
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE_HZ)
        self._sample += count
        return frame
