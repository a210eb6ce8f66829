"""Reading a 3D LUT between its lattice points: trilinear or tetrahedral interpolation.

Both run in float64 over whole arrays of colours. They are used when a LUT filter builds its
table (a few hundred thousand colours, once per setting), never per pixel per frame.
Tetrahedral interpolation splits each lattice cell into six tetrahedra along its grey diagonal,
so greys stay exactly on the LUT's own grey axis and hues do not bend toward the cell's corners;
that is why colourists and most grading tools prefer it. Trilinear blends all eight corners.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class Interpolation(StrEnum):
    TRILINEAR = "trilinear"
    TETRAHEDRAL = "tetrahedral"


def lattice_coordinates(rgb: np.ndarray, size: int, domain_min, domain_max) -> np.ndarray:
    """Colours in the LUT's units -> positions on its lattice, 0 ... size - 1, clamped to the domain."""
    low = np.asarray(domain_min, dtype=np.float64)
    high = np.asarray(domain_max, dtype=np.float64)
    position = (np.asarray(rgb, dtype=np.float64) - low) / (high - low) * (size - 1)
    return np.clip(position, 0.0, size - 1)


def interpolate(table: np.ndarray, position: np.ndarray, method: Interpolation) -> np.ndarray:
    """Look up (..., 3) lattice positions in a (size, size, size, 3) table."""
    size = table.shape[0]
    shape = position.shape
    position = position.reshape(-1, 3)
    # The cell's low corner; a position on the top face uses the last cell with fraction 1.
    corner = np.minimum(np.floor(position).astype(np.intp), size - 2)
    fraction = position - corner
    flat = table.reshape(-1, 3)
    strides = np.array([size * size, size, 1], dtype=np.intp)
    base = corner @ strides
    if method is Interpolation.TRILINEAR:
        result = _trilinear(flat, base, fraction, strides)
    else:
        result = _tetrahedral(flat, base, fraction, strides)
    return result.reshape(shape)


def _trilinear(flat: np.ndarray, base: np.ndarray, fraction: np.ndarray, strides: np.ndarray) -> np.ndarray:
    result = np.zeros((base.shape[0], 3))
    for dr in (0, 1):
        weight_r = fraction[:, 0] if dr else 1.0 - fraction[:, 0]
        for dg in (0, 1):
            weight_g = fraction[:, 1] if dg else 1.0 - fraction[:, 1]
            for db in (0, 1):
                weight_b = fraction[:, 2] if db else 1.0 - fraction[:, 2]
                offset = dr * strides[0] + dg * strides[1] + db * strides[2]
                result += (weight_r * weight_g * weight_b)[:, None] * flat[base + offset]
    return result


def _tetrahedral(flat: np.ndarray, base: np.ndarray, fraction: np.ndarray, strides: np.ndarray) -> np.ndarray:
    # Walk from the low corner to the high one along the axes in order of decreasing fraction:
    # the tetrahedron containing the point has exactly those four vertices, and the weights are
    # the differences of the sorted fractions.
    order = np.argsort(-fraction, axis=1, kind="stable")
    sorted_fraction = np.take_along_axis(fraction, order, axis=1)
    step = strides[order]  # (n, 3): the stride of the largest, middle and smallest axis
    vertex_0 = base
    vertex_1 = vertex_0 + step[:, 0]
    vertex_2 = vertex_1 + step[:, 1]
    vertex_3 = vertex_2 + step[:, 2]
    f_large, f_middle, f_small = sorted_fraction[:, 0:1], sorted_fraction[:, 1:2], sorted_fraction[:, 2:3]
    return (
        (1.0 - f_large) * flat[vertex_0]
        + (f_large - f_middle) * flat[vertex_1]
        + (f_middle - f_small) * flat[vertex_2]
        + f_small * flat[vertex_3]
    )
