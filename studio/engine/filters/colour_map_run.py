"""Adjacent colour-map filters applied as one table: what makes a host camera's chain (colour
correction, white balance, LUT) cost one LUT pass instead of three. A luma-change filter right
after the run (skin smoothing) is added in the same pass (luma_change.py).

Applied one after another, each filter would round its output to uint8 and clip it to 0-255
before the next; the composed map clips between filters too (so what is clipped stays clipped)
but does not round, so a run is at least as precise as the filters applied in turn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from studio.engine.filters.base import ColourMapFilter
from studio.engine.filters.yuv_table import LumaChange, YuvTable
from studio.engine.frames import Frame


class RunMemberFailed(Exception):
    """A member's colour_map raised while the run's table was built; `position` says which."""

    def __init__(self, position: int, error: BaseException) -> None:
        super().__init__(f"member {position}: {error}")
        self.position = position
        self.error = error


class ColourMapRun:
    """Several ColourMapFilters, in order, as one YuvTable."""

    def __init__(self, members: Sequence[ColourMapFilter]) -> None:
        self.members = tuple(members)
        self._table: YuvTable | None = None

    def composed_map(self, yuv: np.ndarray) -> np.ndarray:
        for position, member in enumerate(self.members):
            try:
                yuv = member.colour_map(yuv)
            except Exception as error:
                raise RunMemberFailed(position, error) from error
            if position < len(self.members) - 1:
                yuv = np.clip(yuv, 0.0, 255.0)
        return yuv

    @property
    def built(self) -> bool:
        return self._table is not None

    def build(self) -> None:
        """Tabulate now (a few hundred ms with a LUT in the run). RunMemberFailed names the culprit."""
        if self._table is None:
            self._table = YuvTable(self.composed_map)

    def apply(self, frame: Frame, luma_change: LumaChange | None = None) -> Frame:
        """The run applied; `luma_change` (a following LumaChangeFilter's) is added in its pass."""
        self.build()
        assert self._table is not None
        return self._table.apply(frame, luma_change)
