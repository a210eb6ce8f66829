"""The 3-2-1 countdown before a link drops: a big digit in a translucent circle, centred.

Each digit pops in: over the first POP_S of its second it shrinks from 140 % to 100 % (eased)
and fades in, then holds. `render_countdown_frames` returns one picture per animation tick; the
caller shows frame k at tick offset k from the start of the digit's second and leaves the last one
up (it is the held picture). Every frame is rendered at its own size from the vector font, not
scaled from a bitmap, so the digit stays sharp.

The three digits differ in shape and in the colour of their ring (3 red, 2 orange, 1 green).
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

from PIL import Image, ImageDraw

from studio.engine.graphics import fonts
from studio.engine.graphics.overlays import Anchor, CanvasUnits, OverlayPlacement, RenderedOverlay, place

POP_S = 0.2
START_SCALE = 1.4
START_OPACITY = 0.3  # the first frame (the beep's tick) already shows the digit
CIRCLE_DESIGN_PX = 340  # diameter at 100 %, for a shorter side of 1080
RING_COLOURS = {3: (255, 59, 92), 2: (255, 159, 28), 1: (46, 213, 115)}
CIRCLE_FILL = (0, 0, 0, 150)
DIGIT_FILL = (255, 255, 255, 255)
DIGIT_OUTLINE = (20, 20, 24, 255)
CENTRED = OverlayPlacement(Anchor.CENTER, margin=0.0)


def _ease_out_cubic(t: float) -> float:
    return 1 - (1 - t) ** 3


def pop_frame_count(fps: float) -> int:
    """Animation frames including the final, held one: ceil(POP_S * fps) + 1 (7 at 30 fps)."""
    return max(1, math.ceil(POP_S * fps - 1e-9)) + 1


def render_countdown_digit(
    digit: int, canvas_width: int, canvas_height: int, scale: float = 1.0, opacity: float = 1.0
) -> RenderedOverlay:
    """One picture of a digit at a scale and opacity, centred on the canvas."""
    image = _digit_image(digit, CanvasUnits(canvas_width, canvas_height).scale * scale, opacity)
    return place(image, CENTRED, canvas_width, canvas_height)


def _digit_image(digit: int, scale: float, opacity: float) -> Image.Image:
    diameter = max(8, round(CIRCLE_DESIGN_PX * scale))
    ring = max(2, round(10 * scale))
    supersample = 4
    big = Image.new("RGBA", (diameter * supersample, diameter * supersample), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    edge = diameter * supersample - 1
    ring_colour = RING_COLOURS.get(digit, (255, 255, 255))
    draw.ellipse((0, 0, edge, edge), fill=(*ring_colour, 255))
    inset = ring * supersample
    draw.ellipse((inset, inset, edge - inset, edge - inset), fill=CIRCLE_FILL)
    image = big.convert("RGBa").resize((diameter, diameter), Image.Resampling.BOX).convert("RGBA")

    # The digit, centred on its ink (digits have no descender, so the line box would sit it high).
    stack = fonts.default_fonts()
    size_px = max(8, round(diameter * 0.74))
    outline = max(1, round(size_px / 22))
    layer = stack.render(str(digit), size_px, DIGIT_FILL, stroke_px=outline, stroke_fill=DIGIT_OUTLINE, bold=True)
    left, top, right, bottom = layer.getchannel("A").getbbox() or (0, 0, layer.width, layer.height)
    ink = layer.crop((left, top, right, bottom))
    image.alpha_composite(ink, ((diameter - ink.width) // 2, (diameter - ink.height) // 2))
    if opacity < 1.0:
        alpha = image.getchannel("A").point(lambda a: round(a * opacity))
        image.putalpha(alpha)
    return image


def render_countdown_frames(digit: int, canvas_width: int, canvas_height: int, fps: float) -> list[RenderedOverlay]:
    """The pop-in of one digit, one picture per tick; the last is the held picture."""
    if digit not in RING_COLOURS:
        raise ValueError(f"the countdown shows 3, 2 and 1, not {digit}")
    count = pop_frame_count(fps)
    frames: list[RenderedOverlay] = []
    for k in range(count):
        progress = 1.0 if k == count - 1 else min(1.0, k / (POP_S * fps))
        eased = _ease_out_cubic(progress)
        scale = START_SCALE + (1.0 - START_SCALE) * eased
        opacity = START_OPACITY + (1.0 - START_OPACITY) * min(1.0, progress * 1.5)
        frames.append(render_countdown_digit(digit, canvas_width, canvas_height, scale, opacity))
    return frames


_set_lock = threading.Lock()


def render_countdown_set(canvas_width: int, canvas_height: int, fps: float) -> dict[int, list[RenderedOverlay]]:
    """The frames of 3, 2 and 1 for a canvas, rendered once per canvas and frame rate (cached)."""
    with _set_lock:
        cached = _countdown_set(canvas_width, canvas_height, float(fps))
    return {digit: list(frames) for digit, frames in cached.items()}  # the same pictures, fresh lists


@lru_cache(maxsize=8)
def _countdown_set(canvas_width: int, canvas_height: int, fps: float) -> dict[int, tuple[RenderedOverlay, ...]]:
    return {digit: tuple(render_countdown_frames(digit, canvas_width, canvas_height, fps)) for digit in (3, 2, 1)}
