"""A time code burnt into a picture as big black and white blocks, read back exactly from the
decoded picture after lossy compression and scaling, or rejected: never read wrong.

Used to measure glass-to-glass latency: the sender draws the wall-clock ms into each frame
(the guest page does it in JavaScript, guest.js draws the identical layout), the receiver reads
it from the decoded Y plane and compares it with its own clock.

Layout (all sizes in *units*; one unit is the frame's shorter side / UNITS_PER_SHORT_SIDE, so a
scaled frame has a scaled code and the reader finds it from the frame size alone):

    a margin of 1 unit from the top-left corner, then a band of 18 x 6 cells:

        B W B W B W B W B W B W B W B W B W     border ring: its cells alternate black and
        W d d d d d d d d d d d d d d d d B     white, black at the top-left corner; it says
        B d d d d d d d d d d d d d d d d W     "a code is here" and gives the reader its
        W d d d d d d d d d d d d d d d d B     black and white levels (the threshold adapts
        B d d d d d d d d d d d d d d d d W     to what the encoder did to the contrast)
        W B W B W B W B W B W B W B W B W B

    16 x 4 data cells, row by row, most significant bit first: the value as 48 bits
    (big-endian), then a CRC-16/CCITT-FALSE of those 6 bytes. White = 1.

A cell's pixel edges are floor(k * unit + 0.5) for unit index k counted from the frame's
corner, the same formula in Python and JavaScript, so both draw the same pixels. The reader
averages the middle half of each cell (its edges blur under compression and scaling), so the
code survives H.264/VP8 at low bitrates and a downscale to a quarter of the size; the border
check plus the CRC reject a frame without a code, or one too damaged to trust.

48 bits hold the Unix epoch in ms for the next 8000 years, and JavaScript's numbers hold 48-bit
integers exactly.
"""

from __future__ import annotations

import math

import numpy as np

UNITS_PER_SHORT_SIDE = 32
MARGIN_UNITS = 1
DATA_COLUMNS = 16
DATA_ROWS = 4
BAND_COLUMNS = DATA_COLUMNS + 2  # the border ring adds one cell each side
BAND_ROWS = DATA_ROWS + 2
VALUE_BITS = 48
CRC_BITS = 16
MAX_VALUE = (1 << VALUE_BITS) - 1
# Limited-range luma, what the engine's I420 uses for black and white.
BLACK_Y = 16
WHITE_Y = 235
# A cell under 3 px cannot survive 4:2:0 compression; below this short side there is no code.
MIN_UNIT_PX = 3.0
MIN_SHORT_SIDE_PX = math.ceil(MIN_UNIT_PX * UNITS_PER_SHORT_SIDE)
# The reader's checks. Contrast: white minus black as seen in the border, in luma levels (the
# drawn contrast is 219; an encoder keeps most of it; a frame without a code has little
# structure there). Border: at most this share of its cells may look the wrong colour.
MIN_CONTRAST_Y = 60.0
MAX_BORDER_MISMATCH_SHARE = 0.1

assert DATA_COLUMNS * DATA_ROWS == VALUE_BITS + CRC_BITS


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection, no final xor):
    simple enough to write the same in JavaScript (guest.js does)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def timecode_bits(value: int) -> list[int]:
    """The 64 data bits for `value`: 48 bits of value then its CRC, most significant first."""
    if not isinstance(value, int) or not 0 <= value <= MAX_VALUE:
        raise ValueError(f"time code value: expected an integer from 0 to 2**{VALUE_BITS}-1, got {value!r}")
    payload = value.to_bytes(VALUE_BITS // 8, "big")
    word = (value << CRC_BITS) | crc16_ccitt_false(payload)
    total = VALUE_BITS + CRC_BITS
    return [(word >> (total - 1 - index)) & 1 for index in range(total)]


def unit_px(width: int, height: int) -> float:
    return min(width, height) / UNITS_PER_SHORT_SIDE


def _edge_px(unit_index: int, unit: float) -> int:
    # floor(x + 0.5), not round(): Python rounds halves to even, JavaScript's Math.round up.
    return math.floor(unit_index * unit + 0.5)


def cell_rect(column: int, row: int, unit: float) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of band cell (column, row), end-exclusive."""
    return (
        _edge_px(MARGIN_UNITS + column, unit),
        _edge_px(MARGIN_UNITS + row, unit),
        _edge_px(MARGIN_UNITS + column + 1, unit),
        _edge_px(MARGIN_UNITS + row + 1, unit),
    )


def timecode_region(width: int, height: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) in pixels of the band in a frame of this size: what a caller may
    leave out when it compares pictures."""
    unit = unit_px(width, height)
    x0, y0, _, _ = cell_rect(0, 0, unit)
    _, _, x1, y1 = cell_rect(BAND_COLUMNS - 1, BAND_ROWS - 1, unit)
    return x0, y0, x1 - x0, y1 - y0


def _border_cells() -> list[tuple[int, int, int]]:
    """(column, row, expected bit) of each border cell; the colours alternate along rows and
    columns alike (a checkerboard restricted to the ring), black at the top-left."""
    cells = []
    for row in range(BAND_ROWS):
        for column in range(BAND_COLUMNS):
            if row in (0, BAND_ROWS - 1) or column in (0, BAND_COLUMNS - 1):
                cells.append((column, row, (column + row) & 1))
    return cells


BORDER_CELLS = _border_cells()


def _data_cells() -> list[tuple[int, int]]:
    return [(column + 1, row + 1) for row in range(DATA_ROWS) for column in range(DATA_COLUMNS)]


DATA_CELLS = _data_cells()


def _check_plane(y_plane: np.ndarray) -> tuple[int, int]:
    if not isinstance(y_plane, np.ndarray) or y_plane.ndim != 2 or y_plane.dtype != np.uint8:
        raise ValueError(
            "time code: expected a Y plane as a 2-D uint8 numpy array, got "
            f"{getattr(y_plane, 'dtype', type(y_plane).__name__)} of shape {getattr(y_plane, 'shape', '?')}"
        )
    height, width = y_plane.shape
    return width, height


def draw_timecode_y(y_plane: np.ndarray, value: int) -> None:
    """Draw `value` (0 to 2**48-1, e.g. epoch ms) into the top-left corner of a Y plane, in place.
    The chroma planes are the caller's (neutral 128 there keeps the code grey, not tinted)."""
    width, height = _check_plane(y_plane)
    if min(width, height) < MIN_SHORT_SIDE_PX:
        raise ValueError(
            f"time code: a {width}x{height} frame is too small; its shorter side must be at least {MIN_SHORT_SIDE_PX} px"
        )
    unit = unit_px(width, height)
    for column, row, bit in BORDER_CELLS:
        x0, y0, x1, y1 = cell_rect(column, row, unit)
        y_plane[y0:y1, x0:x1] = WHITE_Y if bit else BLACK_Y
    for (column, row), bit in zip(DATA_CELLS, timecode_bits(value), strict=True):
        x0, y0, x1, y1 = cell_rect(column, row, unit)
        y_plane[y0:y1, x0:x1] = WHITE_Y if bit else BLACK_Y


def _cell_means(y_plane: np.ndarray, cells, unit: float) -> np.ndarray:
    """Mean luma of the middle half of each cell (its blurred edges left out)."""
    means = np.empty(len(cells), dtype=np.float64)
    for index, cell in enumerate(cells):
        x0, y0, x1, y1 = cell_rect(cell[0], cell[1], unit)
        inset_x, inset_y = (x1 - x0) // 4, (y1 - y0) // 4
        means[index] = y_plane[y0 + inset_y : y1 - inset_y, x0 + inset_x : x1 - inset_x].mean()
    return means


def read_timecode_y(y_plane: np.ndarray) -> int | None:
    """The value drawn by draw_timecode_y (or guest.js) in this Y plane, or None when there is
    no code, or it is too damaged to be sure (weak contrast, border wrong, CRC mismatch)."""
    width, height = _check_plane(y_plane)
    if min(width, height) < MIN_SHORT_SIDE_PX:
        return None
    unit = unit_px(width, height)
    border_means = _cell_means(y_plane, BORDER_CELLS, unit)
    expected = np.array([bit for _, _, bit in BORDER_CELLS], dtype=bool)
    black_level = float(border_means[~expected].mean())
    white_level = float(border_means[expected].mean())
    if white_level - black_level < MIN_CONTRAST_Y:
        return None
    threshold = (black_level + white_level) / 2
    border_mismatches = int(np.count_nonzero((border_means > threshold) != expected))
    if border_mismatches > MAX_BORDER_MISMATCH_SHARE * len(BORDER_CELLS):
        return None
    bits = _cell_means(y_plane, DATA_CELLS, unit) > threshold
    word = 0
    for bit in bits:
        word = (word << 1) | int(bit)
    value, crc = word >> CRC_BITS, word & ((1 << CRC_BITS) - 1)
    if crc16_ccitt_false(value.to_bytes(VALUE_BITS // 8, "big")) != crc:
        return None
    return value
