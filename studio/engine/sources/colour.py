"""A solid colour: the simplest rendered source (backgrounds, dips, placeholders)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field

from studio.engine.frames import Frame, solid_frame
from studio.engine.sources.base import SourceSettings, SourceTiming, VideoSource

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_rgb(value: object) -> object:
    """Accept "#RRGGBB" or [r, g, b]; leave anything else for pydantic to reject clearly."""
    if isinstance(value, str):
        match = _HEX.match(value.strip())
        if not match:
            raise ValueError(f"expected a colour like '#1e90ff', got {value!r}")
        digits = match.group(1)
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return value


RGBColour = Annotated[
    tuple[Annotated[int, Field(ge=0, le=255)], Annotated[int, Field(ge=0, le=255)], Annotated[int, Field(ge=0, le=255)]],
    BeforeValidator(parse_rgb),
]


class ColourSettings(SourceSettings):
    colour: RGBColour = (0, 0, 0)
    width: int = Field(1920, ge=2, le=7680, multiple_of=2)
    height: int = Field(1080, ge=2, le=4320, multiple_of=2)


class ColourSource(VideoSource):
    kind = "colour"
    settings_model = ColourSettings
    timing = SourceTiming.RENDERED
    settings: ColourSettings

    def __init__(self, name, settings, clock) -> None:
        super().__init__(name, settings, clock)
        s = self.settings
        self._frame = solid_frame(s.width, s.height, s.colour)

    def render_at(self, media_time_ns: int) -> Frame:
        # Same pixels every time; sequence 0 tells the compositor its scaled copy can be reused.
        return self._frame


PLUGINS = (ColourSource,)
