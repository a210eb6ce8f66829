"""Text rasterized once with Pillow into RGBA, for burn-ins and slates.

ASCII text uses Pillow's built-in font (no files needed); anything else (a Chinese source name,
an emoji) goes through the shipped fonts with per-character fallback (fonts.py), which the
overlay graphics use too.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont


@lru_cache(maxsize=32)
def font(size_px: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    # Pillow's built-in scalable font needs no system fonts, so a bare machine renders text too.
    return ImageFont.load_default(size=size_px)


def render_text_bgra(
    text: str,
    size_px: int,
    rgb: tuple[int, int, int] = (255, 255, 255),
    outline_px: int = 0,
) -> np.ndarray:
    """Tight BGRA image of one line of text (alpha = coverage), with an optional dark outline."""
    if not text.isascii():
        from studio.engine.graphics.fonts import render_text

        image = render_text(text, size_px, rgb, stroke_px=outline_px)
        box = image.getchannel("A").getbbox()
        if box is not None:  # tight, with the same 1 px border as the built-in path
            image = image.crop((box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1))
        rgba = np.asarray(image)
        return np.ascontiguousarray(rgba[:, :, [2, 1, 0, 3]])
    face = font(size_px)
    left, top, right, bottom = face.getbbox(text, stroke_width=outline_px)
    width, height = max(2, right - left + 2), max(2, bottom - top + 2)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).text(
        (1 - left, 1 - top), text, font=face, fill=(*rgb, 255), stroke_width=outline_px, stroke_fill=(0, 0, 0, 255)
    )
    rgba = np.asarray(image)
    return np.ascontiguousarray(rgba[:, :, [2, 1, 0, 3]])


def blend_bgra_onto_bgr(canvas_bgr: np.ndarray, bgra: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend a BGRA image onto a BGR image in place, over its bounding box only (clipped)."""
    height, width = bgra.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas_bgr.shape[1], x + width), min(canvas_bgr.shape[0], y + height)
    if x1 <= x0 or y1 <= y0:
        return
    patch = bgra[y0 - y : y1 - y, x0 - x : x1 - x]
    alpha = patch[:, :, 3:4].astype(np.uint16)
    region = canvas_bgr[y0:y1, x0:x1]
    region[:] = ((patch[:, :, :3] * alpha + region * (255 - alpha) + 127) // 255).astype(np.uint8)
