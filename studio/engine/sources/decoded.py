"""From a picture FFmpeg decoded (any pixel format, colour matrix or range) to the engine's
I420, BT.601 limited range. Shared by every source that decodes with PyAV."""

from __future__ import annotations

import av
import numpy as np
from av.video.reformatter import ColorRange, Colorspace, VideoReformatter

from studio.engine.errors import SourceUnavailable
from studio.engine.frames import Frame, even

# FFmpeg's AVColorSpace tags -> the swscale matrix that decodes them. Anything untagged or
# tagged BT.601 (the engine's own matrix) needs no conversion.
SWSCALE_MATRIX_FOR_TAG = {
    1: Colorspace.ITU709,
    4: Colorspace.FCC,
    7: Colorspace.SMPTE240M,
    9: Colorspace.BT2020,
    10: Colorspace.BT2020,
}


def decoded_to_engine_frame(
    decoded: av.VideoFrame, reformatter: VideoReformatter, captured_ns: int, sequence: int, what: str
) -> Frame:
    """One swscale call, and none at all when the decoder already gives exactly that. `what`
    names the source in the error for a picture too small to use."""
    width, height = even(decoded.width), even(decoded.height)
    if width < 2 or height < 2:
        raise SourceUnavailable(f"{what}: {decoded.width}x{decoded.height} px video is too small")
    full_range = decoded.color_range == ColorRange.JPEG or (
        decoded.color_range == ColorRange.UNSPECIFIED and decoded.format.name.startswith("yuvj")
    )
    converted = reformatter.reformat(
        decoded,
        width=width,  # odd sizes are scaled by under a pixel to the even size I420 needs
        height=height,
        format="yuv420p",
        src_colorspace=SWSCALE_MATRIX_FOR_TAG.get(int(decoded.colorspace), Colorspace.ITU601),
        dst_colorspace=Colorspace.ITU601,
        src_color_range=ColorRange.JPEG if full_range else ColorRange.MPEG,
        dst_color_range=ColorRange.MPEG,
    )
    # to_ndarray stacks the three planes into a new (height * 3 / 2, width) array: a copy, so
    # the Frame stays valid after the decoder reuses its buffers.
    i420 = np.ascontiguousarray(converted.to_ndarray())
    return Frame(i420, width, height, captured_ns, sequence=sequence)
