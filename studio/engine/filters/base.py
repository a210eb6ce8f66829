"""The one small interface every video filter plugin implements.

A filter kind is a class with a `kind` name and a pydantic `settings_model` (unknown fields
refused, every field with a range and a description, so a settings form can be generated from
its JSON schema, as for sources). An instance is made from one settings object and never changes
them: new settings make a new instance (cheap, except for a LUT's table: see prepare()).

apply(frame) returns a new Frame and never writes into its input: source frames are shared by
every canvas and monitor that shows them. A filter with nothing to do may return its input as
it is. Frames keep their size unless the filter is a geometry filter (crop/pad), keep
captured_ns and sequence, and keep their alpha unless the filter makes alpha (chroma key).

Filters that depend on earlier frames (temporal smoothing) keep that state themselves and forget
it in reset().

Two refinements of the interface let a chain do less work per frame: ColourMapFilter (below), a
per-pixel colour map the chain can compose with its neighbours into one table, and
LumaChangeFilter (luma_change.py), a smooth luma change that can ride along in that table's pass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from studio.engine.frames import Frame


class FilterSettings(BaseModel):
    """Base of each filter's settings schema; unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class VideoFilter(ABC):
    """One filter kind. Subclasses set kind, title and settings_model and are listed in their
    module's PLUGINS tuple (see filters/registry.py)."""

    kind: ClassVar[str]
    #: A short name for menus ("Colour correction").
    title: ClassVar[str]
    settings_model: ClassVar[type[FilterSettings]]
    #: True for geometry filters (crop/pad), whose output may have another size than the input.
    changes_size: ClassVar[bool] = False

    def __init__(self, settings: FilterSettings) -> None:
        self.settings = settings

    @property
    def changes_nothing(self) -> bool:
        """True when these settings leave every frame as it is; the chain then skips the filter."""
        return False

    def prepare(self) -> None:
        """Do the expensive part of setting up (building tables) now rather than on the first
        apply(). Call it off the program thread after creating the filter; apply() calls it
        itself if it was not."""

    @abstractmethod
    def apply(self, frame: Frame) -> Frame:
        """The filtered frame. Must not write into `frame`'s arrays."""

    def reset(self) -> None:
        """Forget anything carried over from earlier frames (the source restarted or changed)."""


class ColourMapFilter(VideoFilter):
    """A filter whose output colour depends only on the input colour of the same pixel (no
    neighbours, no time): colour correction, white balance, a LUT.

    Besides its own apply(), it describes itself as a colour map, so a chain can compose a run
    of adjacent ones into one table (filters/colour_map_run.py) and pay for one table lookup
    instead of one pass per filter."""

    #: True when this filter's own apply() is already a full table lookup (a 3D LUT). A chain
    #: composes a run of colour maps only when it contains one of these: composing cheap maps
    #: that each cost one or two OpenCV calls into a table would cost more, not less.
    tabulated: ClassVar[bool] = False

    @abstractmethod
    def colour_map(self, yuv: np.ndarray) -> np.ndarray:
        """(..., 3) float64 engine YUV code values -> the same, as this filter maps them
        (unrounded, unclipped). Used to build tables, never per frame."""

