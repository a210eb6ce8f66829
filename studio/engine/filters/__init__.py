"""Per-source video filters: colour correction, white balance, 3D LUT, sharpen, chroma key,
crop/pad and skin smoothing, each a plugin behind one small interface (base.VideoFilter), listed
in one registry (registry.py) and run in order by a FilterChain (chain.py).

Filters work on the engine's I420 frames directly, in YUV, with no RGB round trip: colour maps
are tabulated (yuv_table.py) and luma-only work touches only the Y plane.
"""

from studio.engine.filters.base import ColourMapFilter, FilterSettings, VideoFilter
from studio.engine.filters.chain import FilterChain, FilterFailure, FilterSlot
from studio.engine.filters.registry import FilterRegistry, default_filter_registry

__all__ = [
    "ColourMapFilter",
    "FilterChain",
    "FilterFailure",
    "FilterRegistry",
    "FilterSettings",
    "FilterSlot",
    "VideoFilter",
    "default_filter_registry",
]
