"""3D LUT from a .cube file, the looks colourists and camera makers publish.

The LUT is defined on RGB. Rather than converting each frame to RGB and back, the filter composes
"OpenCV's YUV -> RGB, the LUT (trilinear or tetrahedral), RGB -> YUV" once into a YuvTable and
applies that to the I420 planes (see yuv_table.py for how, and what it costs). The table is built
from the exact float64 composition at every mean-Y code value and every 4th U/V code value, so
on flat colour the result is within about half a code value of applying the LUT in float64
(tests/test_filters_lut.py measures it). An identity LUT is detected from its table and leaves
frames untouched, bit for bit.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from studio.engine.filters import bt601
from studio.engine.filters.base import ColourMapFilter, FilterSettings
from studio.engine.filters.cube import CubeLut, load_cube
from studio.engine.filters.lut_interpolation import Interpolation, interpolate, lattice_coordinates
from studio.engine.filters.yuv_table import YuvTable
from studio.engine.frames import Frame


class Lut3dSettings(FilterSettings):
    path: str = Field(..., min_length=1, description="The .cube file (3D LUT, RGB in and out)")
    interpolation: Interpolation = Field(
        Interpolation.TETRAHEDRAL,
        description="How colours between the LUT's points are read: tetrahedral (as grading tools do) or trilinear",
    )
    strength: float = Field(1.0, ge=0.0, le=1.0, description="How much of the look: 1 is the LUT as made, 0 leaves the picture")


class Lut3d(ColourMapFilter):
    kind = "lut3d"
    title = "3D LUT (.cube)"
    settings_model = Lut3dSettings
    tabulated = True
    settings: Lut3dSettings

    def __init__(self, settings: Lut3dSettings) -> None:
        super().__init__(settings)
        # Read and checked now, so a malformed file is refused when the filter is added.
        self.cube: CubeLut = load_cube(settings.path)
        self._identity = settings.strength == 0.0 or self.cube.is_identity()
        self._table: YuvTable | None = None

    @property
    def changes_nothing(self) -> bool:
        return self._identity

    def rgb_map(self, rgb: np.ndarray) -> np.ndarray:
        """(..., 3) RGB code values 0-255 (clipped first) -> the look, unclipped, in code values."""
        cube = self.cube
        unit = np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 255.0) / 255.0
        position = lattice_coordinates(unit, cube.size, cube.domain_min, cube.domain_max)
        looked = interpolate(cube.table, position, self.settings.interpolation)
        return 255.0 * (unit + self.settings.strength * (looked - unit))

    def colour_map(self, yuv: np.ndarray) -> np.ndarray:
        return bt601.rgb_to_yuv(self.rgb_map(bt601.yuv_to_rgb(yuv)))

    def prepare(self) -> None:
        if self._table is None and not self._identity:
            self._table = YuvTable(self.colour_map)

    def apply(self, frame: Frame) -> Frame:
        if self._identity:
            return frame
        self.prepare()
        assert self._table is not None
        return self._table.apply(frame)


PLUGINS = (Lut3d,)
