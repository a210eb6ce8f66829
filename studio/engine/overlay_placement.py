"""Where the overlays (product card, countdown, lower third, comment ticker) go on another canvas
(the vertical one), as plain validated data: part of the show file, under that canvas.

The overlays are drawn once, for the main canvas, and placed there in main pixels. On another
canvas each kind follows its placement: its anchor (one of nine places, or "follow_main": its
centre keeps its relative place), a margin from the edges, a size (100 %: the main picture's own
pixels, so the card's QR code keeps every module; always shrunk to fit) and whether it shows
there at all (a platform that draws its own comments needs no ticker on the phone picture).
How the engine places them lives in studio/engine/extra_canvas.py.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class OverlayKind(str, Enum):
    CARD = "card"  # the product card (and its QR code), overlay ids "card-N"
    COUNTDOWN = "countdown"  # the 3-2-1 digits
    LOWER_THIRD = "lower-third"
    COMMENT_TICKER = "comment-ticker"


class OverlayAnchor(str, Enum):
    FOLLOW_MAIN = "follow_main"
    TOP_LEFT = "top_left"
    TOP = "top"
    TOP_RIGHT = "top_right"
    LEFT = "left"
    CENTRE = "centre"
    RIGHT = "right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM = "bottom"
    BOTTOM_RIGHT = "bottom_right"


# Where each anchor puts a picture's box, as (x, y) fractions of the room left beside it.
ANCHOR_FRACTIONS: dict[OverlayAnchor, tuple[float, float]] = {
    OverlayAnchor.TOP_LEFT: (0.0, 0.0),
    OverlayAnchor.TOP: (0.5, 0.0),
    OverlayAnchor.TOP_RIGHT: (1.0, 0.0),
    OverlayAnchor.LEFT: (0.0, 0.5),
    OverlayAnchor.CENTRE: (0.5, 0.5),
    OverlayAnchor.RIGHT: (1.0, 0.5),
    OverlayAnchor.BOTTOM_LEFT: (0.0, 1.0),
    OverlayAnchor.BOTTOM: (0.5, 1.0),
    OverlayAnchor.BOTTOM_RIGHT: (1.0, 1.0),
}

DEFAULT_MARGIN_PX = 24


class OverlayPlacement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anchor: OverlayAnchor = OverlayAnchor.FOLLOW_MAIN
    margin_px: int = Field(DEFAULT_MARGIN_PX, ge=0, le=1000, description="kept from the canvas's edges")
    scale_percent: int = Field(100, ge=10, le=100, description="of its size on main (100: its own pixels), shrunk further to fit")
    visible: bool = True


def overlay_kind(overlay_id: str) -> OverlayKind | None:
    """The kind of an overlay by its id ("card-7" is a card); None for others (a script's own)."""
    base, _, number = overlay_id.rpartition("-")
    name = base if base and number.isdigit() else overlay_id
    try:
        return OverlayKind(name)
    except ValueError:
        return None
