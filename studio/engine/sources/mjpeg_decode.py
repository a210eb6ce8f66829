"""One MJPEG picture to the engine's I420 frame, decoded at the size it is shown.

libjpeg-turbo (inside OpenCV) can decode a JPEG at 1/2, 1/4 or 1/8 of its size by scaling the
inverse DCT, which skips most of the decode's work after the entropy decoding. A camera shown in
a 2x2 grid cell of a 1080p canvas needs only 960x540 of its 1920x1080: decoding at 1/2 costs
about 60% of a full decode plus colour conversion, and the compositor then copies the picture
instead of scaling it.

Measured on this project's 2-core machine (shared, so roughly), one 1920x1080 4:2:2 JPEG of
about 300 KB, CPU ms per picture including the conversion to I420:

    OpenCV imdecode full / 1/2 / 1/4 / 1/8 + BGR->I420     7.8 / 5.3 / 4.6 / 3.4
    PyAV (FFmpeg's mjpeg decoder) lowres 0..3 + to I420    9.6 / 9.7 / 4.7 / 4.2

so OpenCV's path is the one used, even though FFmpeg hands over YUV planes with no colour
conversion: libjpeg-turbo's SIMD decode and colour conversion beat FFmpeg's decoder.
(benchmarks/cameras.py measures the whole camera path in a running show.)
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.engine.frames import Frame, even, frame_from_bgr

# Reduction factor -> the imdecode flag that decodes at that fraction of the size.
_IMREAD_FLAG = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}
REDUCTIONS_LARGEST_FIRST = (8, 4, 2)

_JPEG_START = (0xFF, 0xD8)


def reduced_size(native_width: int, native_height: int, reduction: int) -> tuple[int, int]:
    """The frame size a decode at 1/reduction gives: libjpeg rounds up, the engine trims to even."""
    return even(-(-native_width // reduction)), even(-(-native_height // reduction))


def reduction_for(native_size: tuple[int, int], shown_size: tuple[int, int] | None) -> int:
    """The largest reduction (8, 4, 2, else 1) whose picture still covers `shown_size` in both
    directions, so the compositor only ever shrinks it; 1 when nothing is known."""
    if shown_size is None:
        return 1
    shown_width, shown_height = shown_size
    for reduction in REDUCTIONS_LARGEST_FIRST:
        width, height = reduced_size(*native_size, reduction)
        if width >= shown_width and height >= shown_height:
            return reduction
    return 1


def looks_like_jpeg(buffer: np.ndarray) -> bool:
    """True for a raw MJPEG buffer as OpenCV's V4L2 capture hands it over with CONVERT_RGB off
    (1 x N bytes starting with a JPEG start-of-image marker), False for a decoded picture."""
    if buffer.dtype != np.uint8 or buffer.ndim not in (1, 2) or (buffer.ndim == 2 and buffer.shape[0] != 1):
        return False
    flat = buffer.reshape(-1)
    return flat.size > 2 and (int(flat[0]), int(flat[1])) == _JPEG_START


def decode_jpeg(data: np.ndarray, reduction: int, captured_ns: int, sequence: int) -> Frame:
    """Decode one JPEG at 1/reduction of its size into an I420 frame. Raises ValueError if the
    bytes are not a picture libjpeg can read (a corrupt or truncated camera frame)."""
    flag = _IMREAD_FLAG.get(reduction)
    if flag is None:
        raise ValueError(f"JPEG reduction must be one of {sorted(_IMREAD_FLAG)}, not {reduction}")
    bgr = cv2.imdecode(data, flag)
    if bgr is None:
        raise ValueError(f"a {data.size}-byte camera picture could not be decoded as JPEG")
    return frame_from_bgr(bgr, captured_ns, sequence)
