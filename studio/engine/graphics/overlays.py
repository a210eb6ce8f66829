"""What the overlay graphics share: placement on any canvas, the rendered result, the look.

Sizes derive from the shorter side of the canvas, so a card is the same size in pixels on a
1920x1080 landscape canvas and a 1080x1920 portrait one; design numbers are written for a
shorter side of 1080 (`CanvasUnits`). Positions snap to even pixels (I420 chroma is 2x2).

Renderers return a `RenderedOverlay`: a BGRA uint8 picture with straight alpha and its top-left
corner on the canvas, exactly what `Engine.show_overlay` and `sequence.ShowPicture` take.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np
from PIL import Image, ImageDraw

from studio.engine.products import CardCorner
from studio.engine.sequence import ShowPicture

DESIGN_SIDE = 1080  # the shorter canvas side the design numbers are written for


def even_floor(value: float) -> int:
    return int(value) & ~1


def even_round(value: float) -> int:
    return round(value / 2.0) * 2


class Anchor(str, Enum):
    TOP_LEFT = "top_left"
    TOP_CENTER = "top_center"
    TOP_RIGHT = "top_right"
    CENTER_LEFT = "center_left"
    CENTER = "center"
    CENTER_RIGHT = "center_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_CENTER = "bottom_center"
    BOTTOM_RIGHT = "bottom_right"

    @property
    def horizontal(self) -> float:
        """0 left, 0.5 centre, 1 right."""
        return 0.0 if self.value.endswith("left") else 1.0 if self.value.endswith("right") else 0.5

    @property
    def vertical(self) -> float:
        """0 top, 0.5 centre, 1 bottom."""
        return 0.0 if self.value.startswith("top") else 1.0 if self.value.startswith("bottom") else 0.5

    @classmethod
    def from_corner(cls, corner: CardCorner | str) -> Anchor:
        return cls(CardCorner(corner).value)


@dataclass(frozen=True, slots=True)
class CanvasUnits:
    """Design pixels (for a shorter side of 1080) to canvas pixels."""

    canvas_width: int
    canvas_height: int

    @property
    def shorter_side(self) -> int:
        return min(self.canvas_width, self.canvas_height)

    @property
    def scale(self) -> float:
        return self.shorter_side / DESIGN_SIDE

    def __call__(self, design_px: float) -> int:
        """Round to whole pixels (at least 1 for a positive size)."""
        value = round(design_px * self.scale)
        return max(1, value) if design_px > 0 else value

    def even(self, design_px: float) -> int:
        return max(2, even_round(design_px * self.scale)) if design_px > 0 else 0

    def fraction(self, fraction_of_shorter_side: float) -> int:
        return round(fraction_of_shorter_side * self.shorter_side)


@dataclass(frozen=True, slots=True)
class OverlayPlacement:
    """Where an overlay sits: an anchor on the canvas, a margin from the canvas edges and a
    width, both as fractions of the canvas's shorter side."""

    anchor: Anchor = Anchor.BOTTOM_RIGHT
    margin: float = 0.035
    width: float | None = None  # None: the renderer's own width

    def margin_px(self, canvas_width: int, canvas_height: int) -> int:
        return even_round(self.margin * min(canvas_width, canvas_height))

    def width_px(self, canvas_width: int, canvas_height: int, default_fraction: float = 0.45) -> int:
        """The overlay width in pixels (even), never wider than the canvas between its margins."""
        fraction = self.width if self.width is not None else default_fraction
        wanted = even_round(fraction * min(canvas_width, canvas_height))
        room = canvas_width - 2 * self.margin_px(canvas_width, canvas_height)
        return max(2, min(wanted, even_floor(room)))

    def box_for(self, canvas_width: int, canvas_height: int, image_width: int, image_height: int) -> tuple[int, int]:
        """Top-left corner (even x, even y) of an image_width x image_height overlay; inside the
        canvas whenever the overlay fits in it."""
        margin = self.margin_px(canvas_width, canvas_height)
        x = margin + self.anchor.horizontal * (canvas_width - 2 * margin - image_width)
        y = margin + self.anchor.vertical * (canvas_height - 2 * margin - image_height)
        x = min(max(0, even_round(x)), even_floor(max(0, canvas_width - image_width)))
        y = min(max(0, even_round(y)), even_floor(max(0, canvas_height - image_height)))
        return x, y


@dataclass(frozen=True, slots=True, eq=False)
class RenderedOverlay:
    """A picture for Engine.show_overlay: (h, w, 4) uint8 BGRA, straight alpha, read-only, even
    width and height; (x, y) is its even top-left corner on the canvas."""

    bgra: np.ndarray
    x: int
    y: int

    @property
    def width(self) -> int:
        return int(self.bgra.shape[1])

    @property
    def height(self) -> int:
        return int(self.bgra.shape[0])

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) on the canvas."""
        return self.x, self.y, self.x + self.width, self.y + self.height

    def picture(self, overlay_id: str) -> ShowPicture:
        """This overlay as a step of a timed sequence (Engine.run_sequence)."""
        return ShowPicture(overlay_id, self.bgra, self.x, self.y)

    def to_rgba_image(self) -> Image.Image:
        return Image.fromarray(np.ascontiguousarray(self.bgra[:, :, [2, 1, 0, 3]]), "RGBA")


def rgba_to_bgra(image: Image.Image) -> np.ndarray:
    """A Pillow RGBA image as a read-only BGRA array with even width and height (padded with
    transparent pixels, never cropped)."""
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    rgba = np.asarray(image)
    height, width = rgba.shape[:2]
    padded_height, padded_width = height + (height & 1), width + (width & 1)
    bgra = np.zeros((max(2, padded_height), max(2, padded_width), 4), np.uint8)
    bgra[:height, :width] = rgba[:, :, [2, 1, 0, 3]]
    bgra.flags.writeable = False
    return bgra


def place(image: Image.Image, placement: OverlayPlacement, canvas_width: int, canvas_height: int) -> RenderedOverlay:
    """Convert a rendered RGBA image and put it where the placement says."""
    bgra = rgba_to_bgra(image)
    x, y = placement.box_for(canvas_width, canvas_height, bgra.shape[1], bgra.shape[0])
    return RenderedOverlay(bgra, x, y)


def composite_onto_bgr(canvas_bgr: np.ndarray, overlay: RenderedOverlay) -> np.ndarray:
    """The overlay blended onto a copy of a BGR picture (previews, snapshots, tests)."""
    from studio.engine.graphics.text import blend_bgra_onto_bgr

    out = canvas_bgr.copy()
    blend_bgra_onto_bgr(out, overlay.bgra, overlay.x, overlay.y)
    return out


# -- the look --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverlayLabels:
    """Every fixed word the overlays draw, in one place (a translated instance can be passed
    to the renderers)."""

    only_left: str = "Only {n} left"
    sold_out: str = "SOLD OUT"
    coupon: str = "Coupon"
    scan_to_buy: str = "Scan to buy"


LABELS = OverlayLabels()


@dataclass(frozen=True, slots=True)
class OverlayStyle:
    """Colours (RGBA) shared by the product card, lower third and comment card."""

    panel: tuple[int, int, int, int] = (16, 16, 20, 222)
    panel_border: tuple[int, int, int, int] = (255, 255, 255, 38)
    text: tuple[int, int, int, int] = (255, 255, 255, 255)
    muted: tuple[int, int, int, int] = (168, 168, 178, 255)
    accent: tuple[int, int, int, int] = (255, 59, 92, 255)  # brand red-pink: bars, rings
    price: tuple[int, int, int, int] = (255, 214, 74, 255)  # warm yellow: readable on the dark panel
    stock: tuple[int, int, int, int] = (255, 150, 64, 255)
    sold_out: tuple[int, int, int, int] = (235, 40, 52, 255)
    coupon: tuple[int, int, int, int] = (255, 214, 74, 255)


STYLE = OverlayStyle()


def rounded_panel(
    width: int,
    height: int,
    radius: int,
    fill: tuple[int, int, int, int],
    border: tuple[int, int, int, int] | None = None,
    border_px: int = 0,
    supersample: int = 4,
) -> Image.Image:
    """An anti-aliased rounded rectangle on a transparent RGBA image (drawn large, shrunk)."""
    big = Image.new("RGBA", (width * supersample, height * supersample), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    box = (0, 0, width * supersample - 1, height * supersample - 1)
    if border and border_px:
        draw.rounded_rectangle(box, radius * supersample, fill=border)
        inset = border_px * supersample
        draw.rounded_rectangle(
            (inset, inset, box[2] - inset, box[3] - inset), max(0, radius - border_px) * supersample, fill=fill
        )
    else:
        draw.rounded_rectangle(box, radius * supersample, fill=fill)
    # Premultiplied while shrinking, so the edge pixels keep their colour.
    return big.convert("RGBa").resize((width, height), Image.Resampling.BOX).convert("RGBA")


def rounded_mask(width: int, height: int, radius: int, supersample: int = 4) -> Image.Image:
    """An anti-aliased rounded-rectangle coverage mask ("L")."""
    big = Image.new("L", (width * supersample, height * supersample), 0)
    ImageDraw.Draw(big).rounded_rectangle(
        (0, 0, width * supersample - 1, height * supersample - 1), radius * supersample, fill=255
    )
    return big.resize((width, height), Image.Resampling.BOX)


class RenderedOverlayCache:
    """Rendered overlays by what they show: the same key gives back the same RenderedOverlay
    object, so a picture is rendered only when its content changes. Thread-safe (two threads
    asking at once keep one object); keeps the `capacity` most recently used."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._cards: OrderedDict[tuple, RenderedOverlay] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0

    def get_or_render(self, key: tuple, render: Callable[[], RenderedOverlay]) -> RenderedOverlay:
        with self._lock:
            card = self._cards.get(key)
            if card is not None:
                self._cards.move_to_end(key)
                return card
        card = render()  # outside the lock: another key renders meanwhile
        with self._lock:
            existing = self._cards.get(key)
            if existing is not None:  # another thread rendered it meanwhile: keep one object
                return existing
            self.renders += 1
            self._cards[key] = card
            while len(self._cards) > self.capacity:
                self._cards.popitem(last=False)
            return card

    def clear(self) -> None:
        with self._lock:
            self._cards.clear()

    def __len__(self) -> int:
        return len(self._cards)
