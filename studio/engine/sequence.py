"""Timed sequences: several things that must happen on exact frames relative to the tick a
sequence starts on (the 3-2-1 link run: digits on ticks 0, 30, 60, the card and the link push
on tick 90). Callers prepare everything (pictures already rendered) and hand the whole sequence
to Engine.run_sequence; the program thread schedules each step when the sequence starts, so the
offsets are counted from the tick the seller's hotkey was taken on, whatever happens meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.engine.frames import Frame


@dataclass(frozen=True, slots=True)
class PreparedPicture:
    """A picture already converted for the program (Engine.prepare_picture): pictures shown
    again and again, like the countdown digits, are converted once instead of at every use."""

    frame: Frame


@dataclass(frozen=True, slots=True)
class ShowPicture:
    """Put an overlay on program (replacing one with the same id)."""

    overlay_id: str
    bgra: np.ndarray | PreparedPicture  # (h, w, 4) uint8 BGRA, straight alpha; or prepared
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class HidePicture:
    overlay_id: str


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter mark in the recording, if one is being made."""

    title: str


@dataclass(frozen=True, slots=True)
class Beep:
    """A short sound mixed into program audio from this tick: (samples, 2) float32 at 48 kHz."""

    samples: np.ndarray


@dataclass(frozen=True, slots=True)
class LinkPush:
    """The moment a product link is pushed to viewers: Engine.events.link_pushed fires with this
    (tick and media_time_ns filled in by the program thread)."""

    product_id: str
    title: str
    link: str | None
    details: dict = field(default_factory=dict)
    tick: int = -1
    media_time_ns: int = -1


Step = ShowPicture | HidePicture | Chapter | Beep | LinkPush
