"""A still picture from a PNG or JPEG file: logos, lower-third backgrounds, holding slides.

The file is decoded once at open(); every render returns that same Frame, so the compositor can
keep its scaled copy. Transparency in the file is kept as the Frame's alpha.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps
from pydantic import Field

from studio.engine.errors import SourceUnavailable
from studio.engine.frames import Frame, frame_from_bgr, frame_from_bgra
from studio.engine.sources.base import (
    SourceSettings,
    SourceTiming,
    VideoSource,
    missing_file_problem,
)

# Pillow modes that carry transparency (a palette image may also carry it in its info).
_MODES_WITH_ALPHA = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
# 16-bit and 32-bit greyscale: Pillow's convert("RGB") clips these instead of scaling them down.
_WIDE_GREY_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I"})


class ImageSettings(SourceSettings):
    path: str = Field(..., min_length=1, description="PNG or JPEG file")


class ImageSource(VideoSource):
    kind = "image"
    settings_model = ImageSettings
    timing = SourceTiming.RENDERED
    settings: ImageSettings

    def __init__(self, name, settings, clock) -> None:
        super().__init__(name, settings, clock)
        self._frame: Frame | None = None
        self._lock = threading.Lock()

    @classmethod
    def check_resources(cls, settings: ImageSettings) -> tuple[str, str] | None:
        missing = missing_file_problem(settings.path, "image")
        if missing is not None:
            return missing
        from PIL import Image, UnidentifiedImageError

        try:  # reads the header only: cheap, and it tells a picture from a text file renamed .png
            with Image.open(settings.path) as picture:
                picture.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            return ("path", f"image {settings.path}: not a picture Pillow can read (PNG, JPEG, WebP...): {error}")
        return None

    def open(self) -> None:
        with self._lock:
            if self._frame is None:
                self._frame = load_image_frame(Path(self.settings.path))

    def close(self) -> None:
        # Dropping the picture means a re-open reads the file again, picking up a corrected file.
        with self._lock:
            self._frame = None

    def render_at(self, media_time_ns: int) -> Frame:
        frame = self._frame
        if frame is None:
            self.open()
            frame = self._frame
        assert frame is not None
        return frame


def load_image_frame(path: Path) -> Frame:
    """Decode an image file into an engine Frame (alpha kept when the image has transparency)."""
    if not path.is_file():
        raise SourceUnavailable(f"image {path}: file not found")
    try:
        with Image.open(path) as image:
            image.load()
            # Phone JPEGs store their rotation in EXIF; show them the way every viewer does.
            image = ImageOps.exif_transpose(image)
            pixels, has_alpha = _to_rgb_or_rgba(image)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        # UnidentifiedImageError (not an image) and truncated files are OSErrors.
        raise SourceUnavailable(f"image {path}: cannot read it ({error})") from None
    if pixels.shape[0] < 2 or pixels.shape[1] < 2:
        raise SourceUnavailable(f"image {path}: {pixels.shape[1]}x{pixels.shape[0]} px is too small (2x2 at least)")
    if has_alpha:
        return frame_from_bgra(cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGRA), captured_ns=0)
    return frame_from_bgr(cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR), captured_ns=0)


def _to_rgb_or_rgba(image: Image.Image) -> tuple[np.ndarray, bool]:
    """8-bit RGB or RGBA pixels, and whether alpha is present."""
    has_alpha = image.mode in _MODES_WITH_ALPHA or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        return np.asarray(image.convert("RGBA")), True
    if image.mode in _WIDE_GREY_MODES:
        grey = np.asarray(image, dtype=np.uint32)
        # I;16 spans 0..65535; mode "I" from a 16-bit PNG does too. Scale to 8 bits, don't clip.
        grey8 = (np.clip(grey, 0, 65535) >> 8).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey8[:, :, None], 3, axis=2)), False
    return np.asarray(image.convert("RGB")), False


PLUGINS = (ImageSource,)
