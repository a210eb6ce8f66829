"""The one small interface every video and audio source plugin implements.

A video source is either
- RENDERED: it can compute its picture for any media time (test pattern, colour, image, file).
  In real time a capture thread paces it at its frame rate; on the virtual clock the program
  thread asks it directly for the tick's time, so renders are exact and repeatable.
- CAPTURED: a device hands frames over when it has them (camera, network feed). A capture
  thread blocks on the device and leaves each frame in the source's LatestFrameSlot. A device
  that sends compressed pictures (an MJPG camera) may hand over an EncodedPicture instead; the
  runner decodes it (decode()) on a thread of its own, only while the source is shown, at the
  size it is shown (see sources/decode_worker.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from studio.engine.clock import NS_PER_MS, MediaClock
from studio.engine.frames import Frame

AUDIO_SAMPLE_RATE_HZ = 48_000
AUDIO_CHANNELS = 2

# (width_px, height_px): the largest box a source is shown in, on program, preview or a monitor.
ShownSize = tuple[int, int]
# The demand of a source shown at its own full size whatever that is: a layer crops it, and a
# crop is in the source's own pixels, so a picture decoded smaller would be cropped wrongly.
FULL_SIZE: ShownSize = (2**31 - 1, 2**31 - 1)


@dataclass(frozen=True, slots=True)
class EncodedPicture:
    """A picture as the device sent it, not decoded yet: one JPEG of an MJPG camera."""

    data: np.ndarray  # the compressed bytes, uint8
    captured_ns: int
    sequence: int


class SourceTiming(Enum):
    RENDERED = "rendered"
    CAPTURED = "captured"


def missing_file_problem(path: str, what: str) -> tuple[str, str] | None:
    """check_resources() for plugins whose `path` setting names a file."""
    return None if Path(path).is_file() else ("path", f"{what} {path}: file not found")


class SourceStatus(StrEnum):
    """A video source's state, as events and the GUI show it."""

    STARTING = "starting"
    LIVE = "live"
    NO_SIGNAL = "no signal"
    CLOSED = "closed"


class AudioStatus(StrEnum):
    """An audio input's (or output device's) state, the first half of its status()."""

    STARTING = "starting"
    LIVE = "live"
    LOST = "lost"  # it worked, then went away; being re-opened, silence meanwhile
    UNAVAILABLE = "unavailable"  # it has not worked yet (missing device or PortAudio, no sound in the feed)
    CLOSED = "closed"


class SourceSettings(BaseModel):
    """Base of each plugin's settings schema; unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class AudioSource(ABC):
    """Audio at 48 kHz stereo float32, read in blocks addressed by sample index since show start.

    Computed sources (tone, beep, file) can answer for any sample index, so a sync offset is
    just a shifted read. Live sources (microphones, network feeds) receive audio at the device's
    pace: the mixer calls on_program_block() once per program block, where they pull that
    block's worth from their device ring (drift-compensated) into a short history addressed by
    program sample index; read_block() then reads that history, so a positive sync offset is a
    read into the past. A live source cannot read the future: `max_advance_samples` says how far
    ahead of the program position it can answer (0 for live sources)."""

    #: How far ahead of the current program block read_block() can answer; None = unlimited.
    max_advance_samples: int | None = None

    def on_program_block(self, start_sample: int, sample_count: int) -> None:
        """Called once per program block, before any read_block() for it. Live sources pull here."""

    @abstractmethod
    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        """Return a (sample_count, 2) float32 array for samples [start_sample, start_sample + sample_count).
        Must not block for long: what is not there yet is silence. The array may be reused by
        the source on its next call: the caller copies or consumes it at once."""

    def status(self) -> tuple[AudioStatus, str]:
        """(state, reason) for the GUI and logs: (LIVE, ""), (UNAVAILABLE, "PortAudio not found")..."""
        return (AudioStatus.LIVE, "")

    def close(self) -> None:
        """Release devices and threads. Safe to call more than once."""


class VideoSource(ABC):
    """One video input. Subclasses set kind, settings_model and timing, and register themselves."""

    kind: ClassVar[str]
    settings_model: ClassVar[type[SourceSettings]]
    timing: ClassVar[SourceTiming]
    #: A captured source shows NO SIGNAL once it has delivered nothing for this long. A plugin
    #: whose frames may come slowly at first (a browser's first seconds) sets a longer one.
    no_signal_after_ns: ClassVar[int] = 500 * NS_PER_MS

    def __init__(self, name: str, settings: SourceSettings, clock: MediaClock) -> None:
        self.name = name
        self.settings = settings
        self.clock = clock
        # The media time at which the show started; rendered sources count their own time from it.
        self.show_start_ns = 0

    @property
    def frame_interval_ns(self) -> int:
        """Nominal time between frames, used to pace a rendered source in real time."""
        return 1_000_000_000 // 30

    @property
    def audio(self) -> AudioSource | None:
        """The source's own sound (a file's audio track), if it has one."""
        return None

    @classmethod
    def check_resources(cls, settings: SourceSettings) -> tuple[str, str] | None:
        """Before a headless run: (field, problem) if something the settings name does not exist
        at all (a missing file, a device that is not attached), else None. Open failures of things
        that do exist are not checked here: those become NO SIGNAL at run time."""
        return None

    def open(self) -> None:
        """Acquire the device or file. Raise SourceUnavailable with a reason a user understands."""

    def close(self) -> None:
        """Release everything open() acquired. Must be safe to call more than once."""

    def interrupt(self) -> None:
        """Optional: make a read_next() waiting on another thread return soon (the runner is
        stopping). Called from the stopping thread before it joins the capture thread; must not
        block. The default does nothing: most devices return within a frame anyway."""

    def render_at(self, media_time_ns: int) -> Frame:
        """RENDERED sources: the picture for this media time."""
        raise NotImplementedError(f"{type(self).__name__} is not a rendered source")

    def read_next(self) -> Frame | EncodedPicture | None:
        """CAPTURED sources: block (boundedly) until the device delivers its next frame. A source
        that can decode() may return the compressed picture instead, for the runner to decode.
        None means "nothing yet": the source waited a bounded while (a network feed between
        frames) and the runner asks again, unless it is stopping. Raise SourceUnavailable when the
        device is gone (the runner closes, backs off and re-opens)."""
        raise NotImplementedError(f"{type(self).__name__} is not a captured source")

    def decode(self, picture: EncodedPicture, shown_size: ShownSize) -> Frame:
        """Sources whose read_next() returns EncodedPicture: the frame for it, at least as large
        as `shown_size` (both sides) or at full size. Called on the runner's decode thread."""
        raise NotImplementedError(f"{type(self).__name__} does not decode pictures")

    def set_demand(self, shown_size: ShownSize | None) -> None:
        """Optional: hears the largest box the source is shown in (None: not shown anywhere),
        whenever that changes, on the program thread; must not block. A source whose own work
        depends on being seen can cut it back; the default does nothing (the runner already
        skips decoding EncodedPictures of a source nobody shows)."""
