"""The 3D LUT filter: .cube files read (and malformed ones refused, naming file and line), an
identity LUT leaving frames bit-identical, and a published-style look on a colour chart matching
a reference computed here, independently of the engine, in float64."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.engine.errors import InputError
from studio.engine.filters.chain import FilterChain
from studio.engine.filters.cube import load_cube
from studio.engine.filters.lut3d import Lut3d, Lut3dSettings
from studio.engine.frames import frame_from_bgr

# X-Rite ColorChecker Classic, sRGB 8-bit (BabelColor's published averages), then greys and 75 %
# colour bars: skin, foliage, sky, primaries at the gamut's edge.
CHART_RGB = [
    (115, 82, 68), (194, 150, 130), (98, 122, 157), (87, 108, 67), (133, 128, 177), (103, 189, 170),
    (214, 126, 44), (80, 91, 166), (193, 90, 99), (94, 60, 108), (157, 188, 64), (224, 163, 46),
    (56, 61, 150), (70, 148, 73), (175, 54, 60), (231, 199, 31), (187, 86, 149), (8, 133, 161),
    (243, 243, 242), (200, 200, 200), (160, 160, 160), (122, 122, 121), (85, 85, 85), (52, 52, 52),
    (191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0), (191, 0, 191), (191, 0, 0),
    (0, 0, 191), (30, 30, 30), (255, 255, 255), (230, 180, 150), (120, 70, 50), (60, 40, 30),
]  # fmt: skip
PATCH_PX = 32
CHART_COLUMNS = 6

# BT.601 limited range, the textbook matrices (not the engine's copy of OpenCV's coefficients).
_ENCODE = np.array([[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0], [112.0, -93.786, -18.214]]) / 255.0
_OFFSET = np.array([16.0, 128.0, 128.0])


def encode(rgb: np.ndarray) -> np.ndarray:
    return rgb @ _ENCODE.T + _OFFSET


def decode(yuv: np.ndarray) -> np.ndarray:
    return (yuv - _OFFSET) @ np.linalg.inv(_ENCODE).T


def look(rgb: np.ndarray) -> np.ndarray:
    """A film-style grade as colourists publish them: S-curve, more saturation, teal shadows and
    warm highlights, a soft shoulder instead of a hard clip. RGB 0-1 in and out."""
    curved = 0.6 * rgb + 0.4 * (3 * rgb**2 - 2 * rgb**3)
    luma = curved @ np.array([0.2126, 0.7152, 0.0722])
    graded = luma[..., None] + 1.25 * (curved - luma[..., None]) + (luma[..., None] - 0.5) * np.array([0.07, 0.0, -0.07])
    return 1.0 / (1.0 + np.exp(-5.0 * (graded - 0.5))) * 1.04 - 0.02


def write_cube(path: Path, size: int, transform) -> None:
    """A .cube as published: title, comments, 6 decimals, red changing fastest."""
    steps = np.linspace(0.0, 1.0, size)
    lines = ["# Created by the studio tests", 'TITLE "Test look"', "", f"LUT_3D_SIZE {size}"]
    lines += ["DOMAIN_MIN 0.0 0.0 0.0", "DOMAIN_MAX 1.0 1.0 1.0", "# table"]
    for b in steps:
        for g in steps:
            for r in steps:
                out = np.clip(transform(np.array([r, g, b])), 0.0, 1.0)
                lines.append(f"{out[0]:.6f} {out[1]:.6f} {out[2]:.6f}")
    path.write_text("\n".join(lines) + "\n")


def read_table(path: Path, size: int) -> np.ndarray:
    """The test's own reading of the file it wrote: table[r, g, b]."""
    rows = [line for line in path.read_text().splitlines() if line[:1].isdigit()]
    values = np.array([[float(x) for x in row.split()] for row in rows])
    return values.reshape(size, size, size, 3).transpose(2, 1, 0, 3)


def reference_trilinear(table: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    n = table.shape[0] - 1
    position = np.clip(rgb, 0.0, 1.0) * n
    low = np.minimum(np.floor(position).astype(int), n - 1)
    t = position - low
    out = np.zeros_like(rgb)
    for corner in np.ndindex(2, 2, 2):
        weight = np.prod([t[..., axis] if corner[axis] else 1 - t[..., axis] for axis in range(3)], axis=0)
        out += weight[..., None] * table[low[..., 0] + corner[0], low[..., 1] + corner[1], low[..., 2] + corner[2]]
    return out


def reference_tetrahedral(table: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Kasson, Nin, Plouffe and Hafner's six tetrahedra, written out case by case."""
    n = table.shape[0] - 1
    position = np.clip(rgb, 0.0, 1.0) * n
    r0, g0, b0 = (np.minimum(np.floor(position[..., a]).astype(int), n - 1) for a in range(3))
    fr, fg, fb = (position[..., a] - (r0, g0, b0)[a] for a in range(3))

    def c(dr, dg, db):
        return table[r0 + dr, g0 + dg, b0 + db]

    c000, c111 = c(0, 0, 0), c(1, 1, 1)
    cases = [
        ((fr >= fg) & (fg >= fb), fr, fg, fb, c(1, 0, 0), c(1, 1, 0)),
        ((fr >= fb) & (fb > fg), fr, fb, fg, c(1, 0, 0), c(1, 0, 1)),
        ((fb > fr) & (fr >= fg), fb, fr, fg, c(0, 0, 1), c(1, 0, 1)),
        ((fg > fr) & (fr >= fb), fg, fr, fb, c(0, 1, 0), c(1, 1, 0)),
        ((fg >= fb) & (fb > fr), fg, fb, fr, c(0, 1, 0), c(0, 1, 1)),
        ((fb > fg) & (fg > fr), fb, fg, fr, c(0, 0, 1), c(0, 1, 1)),
    ]
    out = np.zeros_like(rgb)
    for mask, first, second, third, vertex_1, vertex_2 in cases:
        value = (1 - first)[..., None] * c000 + (first - second)[..., None] * vertex_1
        value += (second - third)[..., None] * vertex_2 + third[..., None] * c111
        out[mask] = value[mask]
    return out


def chart_frame():
    rows = -(-len(CHART_RGB) // CHART_COLUMNS)
    rgb = np.zeros((rows * PATCH_PX, CHART_COLUMNS * PATCH_PX, 3), dtype=np.uint8)
    for index, colour in enumerate(CHART_RGB):
        row, column = divmod(index, CHART_COLUMNS)
        rgb[row * PATCH_PX : (row + 1) * PATCH_PX, column * PATCH_PX : (column + 1) * PATCH_PX] = colour
    return frame_from_bgr(np.ascontiguousarray(rgb[..., ::-1]), captured_ns=0)


def patch_centres_yuv(frame) -> np.ndarray:
    """(patches, 3) Y, U, V at each patch's centre (the patches are flat there)."""
    values = []
    for index in range(len(CHART_RGB)):
        row, column = divmod(index, CHART_COLUMNS)
        y, x = row * PATCH_PX + PATCH_PX // 2, column * PATCH_PX + PATCH_PX // 2
        values.append((frame.y[y, x], frame.u[y // 2, x // 2], frame.v[y // 2, x // 2]))
    return np.array(values, dtype=np.float64)


def patch_centres_rgb(frame) -> np.ndarray:
    """(patches, 3) as OpenCV shows the frame."""
    rgb = frame.to_bgr()[..., ::-1]
    centres = [divmod(i, CHART_COLUMNS) for i in range(len(CHART_RGB))]
    middle = PATCH_PX // 2
    return np.array([rgb[row * PATCH_PX + middle, column * PATCH_PX + middle] for row, column in centres], dtype=np.float64)


def i420_round_trip(rgb: np.ndarray) -> np.ndarray:
    """What storing these exact colours in I420 (rounded once) and showing them with OpenCV gives."""
    yuv = np.clip(np.floor(encode(rgb) + 0.5), 0, 255).astype(np.uint8)
    count = len(rgb)
    i420 = np.zeros((3, 2 * count), dtype=np.uint8)  # one 2x2 block per colour
    i420[:2] = np.repeat(yuv[:, 0], 2)
    i420[2, :count] = yuv[:, 1]
    i420[2, count:] = yuv[:, 2]
    return cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)[0, ::2, ::-1].astype(np.float64)


@pytest.mark.parametrize(
    ("interpolation", "reference"), [("tetrahedral", reference_tetrahedral), ("trilinear", reference_trilinear)]
)
def test_published_style_lut_on_a_colour_chart_matches_a_float64_reference(tmp_path, interpolation, reference):
    path = tmp_path / "look.cube"
    write_cube(path, 17, look)
    frame = chart_frame()
    out = Lut3d(Lut3dSettings(path=str(path), interpolation=interpolation)).apply(frame)

    # The reference: the LUT applied in float64 to the chart's colours as the engine holds them
    # (its I420 decoded in float), then expressed in the engine's YUV without rounding.
    table = read_table(path, 17)
    source_rgb = np.clip(decode(patch_centres_yuv(frame)), 0.0, 255.0)
    expected_rgb = 255.0 * reference(table, source_rgb / 255.0)
    expected_yuv = encode(expected_rgb)

    # 1. In the engine's own representation, every patch is within 1 code value per channel.
    error_yuv = np.abs(patch_centres_yuv(out) - expected_yuv)
    assert error_yuv.max() <= 1.0, error_yuv.max(axis=0)

    # 2. In RGB as OpenCV shows it. Merely storing the exact answer in I420 costs up to ~2 RGB code
    # values (one U step is 2.02 steps of blue); so the engine may be off by what that round trip
    # costs at worst on this chart, plus 1.
    shown = patch_centres_rgb(out)
    round_trip_cost = np.abs(i420_round_trip(expected_rgb) - expected_rgb).max()
    assert round_trip_cost > 1.0  # why (2) is not a flat "within 1"
    assert np.abs(shown - expected_rgb).max() <= round_trip_cost + 1.0
    # and most patches show exactly what the round trip of the exact answer shows
    assert np.mean(np.all(shown == i420_round_trip(expected_rgb), axis=1)) >= 0.75


def identity_cube(path: Path, size: int) -> None:
    write_cube(path, size, lambda rgb: rgb)


def test_identity_lut_leaves_the_frame_bit_identical(tmp_path):
    path = tmp_path / "identity.cube"
    identity_cube(path, 33)
    rng = np.random.default_rng(7)
    frame = frame_from_bgr(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8), captured_ns=5)
    lut = Lut3d(Lut3dSettings(path=str(path)))
    assert lut.changes_nothing
    for out in (lut.apply(frame), FilterChain([lut]).apply(frame)):
        assert np.array_equal(out.i420, frame.i420)
        assert out.captured_ns == 5


def test_cube_reader_takes_keywords_comments_and_domain(tmp_path):
    path = tmp_path / "domain.cube"
    rows = "\n".join(f"{r * 2:.1f} {g * 2:.1f} {b * 2:.1f}" for b in (0, 1) for g in (0, 1) for r in (0, 1))
    path.write_text(f'# comment\nTITLE "Two"\nLUT_3D_SIZE 2\nDOMAIN_MIN 0 0 0\nDOMAIN_MAX 2 2 2\n\n{rows}  # trailing\n')
    cube = load_cube(path)
    assert (cube.title, cube.size, cube.domain_max) == ("Two", 2, (2.0, 2.0, 2.0))
    assert cube.table[1, 0, 0].tolist() == [2.0, 0.0, 0.0]  # red changes fastest in the file
    assert cube.table[0, 0, 1].tolist() == [0.0, 0.0, 2.0]
    assert cube.is_identity()


_ROWS_2 = ["0 0 0", "1 0 0", "0 1 0", "1 1 0", "0 0 1", "1 0 1", "0 1 1", "1 1 1"]


@pytest.mark.parametrize(
    ("lines", "line_number", "phrase"),
    [
        (["LUT_3D_SIZE 2", *_ROWS_2[:7]], 8, "has 7 rows"),  # too few rows for the size
        (["LUT_3D_SIZE 2", *_ROWS_2, "0.5 0.5 0.5"], 10, "more table rows"),
        (["LUT_3D_SIZE 2", *_ROWS_2[:3], "1 1", *_ROWS_2[4:]], 5, "needs 3 numbers, got 2"),
        (["LUT_3D_SIZE 2", *_ROWS_2[:5], "1 zero 1", *_ROWS_2[6:]], 7, "'zero' is not a number"),
        (["LUT_3D_SIZE 2", *_ROWS_2[:2], "0 1.5 0", *_ROWS_2[3:]], 4, "outside the domain"),
        (["LUT_3D_SIZE 2", *_ROWS_2[:2], "0 -0.2 0", *_ROWS_2[3:]], 4, "outside the domain"),
        (["# no size", *_ROWS_2], 2, "before LUT_3D_SIZE"),
        (['TITLE "empty"'], 1, "no LUT_3D_SIZE"),
        (["LUT_3D_SIZE 1", *_ROWS_2[:1]], 1, "must be 2-256"),
        (["LUT_3D_SIZE two"], 1, "whole number"),
        (["LUT_1D_SIZE 2", "0 0 0", "1 1 1"], 1, "1D LUTs"),
        (["LUT_3D_SIZE 2", "LUT_IN_VIDEO_RANGE", *_ROWS_2], 2, "unknown keyword"),
        (["LUT_3D_SIZE 2", "DOMAIN_MIN 0 0", *_ROWS_2], 2, "needs 3 numbers"),
        (["LUT_3D_SIZE 2", *_ROWS_2[:4], "nan 0 0", *_ROWS_2[5:]], 6, "not a finite number"),
        (["LUT_3D_SIZE 2", *_ROWS_2, "TITLE late"], 10, "after the table data"),
    ],
)
def test_malformed_cube_is_refused_naming_the_file_and_line(tmp_path, lines, line_number, phrase):
    path = tmp_path / "broken look.cube"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as raised:
        Lut3d(Lut3dSettings(path=str(path)))
    message = str(raised.value)
    assert str(path) in message
    assert f"line {line_number}:" in message
    assert phrase in message


def test_missing_cube_file_is_refused_naming_it(tmp_path):
    with pytest.raises(InputError, match="nowhere.cube"):
        Lut3d(Lut3dSettings(path=str(tmp_path / "nowhere.cube")))


def test_strength_blends_toward_the_original(tmp_path):
    path = tmp_path / "look.cube"
    write_cube(path, 9, look)
    frame = chart_frame()
    full = patch_centres_yuv(Lut3d(Lut3dSettings(path=str(path))).apply(frame))
    half = patch_centres_yuv(Lut3d(Lut3dSettings(path=str(path), strength=0.5)).apply(frame))
    original = patch_centres_yuv(frame)
    assert Lut3d(Lut3dSettings(path=str(path), strength=0.0)).changes_nothing
    # halfway in RGB is halfway in YUV (the conversion is affine), to rounding
    assert np.abs(half - (original + full) / 2).max() <= 1.5
