"""Reading .cube 3D LUT files, the format colourists and camera makers publish (Adobe/Resolve).

A .cube file is text: optional keyword lines (TITLE "name", LUT_3D_SIZE n, DOMAIN_MIN r g b,
DOMAIN_MAX r g b, Resolve's LUT_3D_INPUT_RANGE lo hi), comments starting with '#', then n**3
rows of three numbers, red changing fastest, then green, then blue. Anything malformed is
refused with an InputError naming the file and the line, so a seller sees which file to fix
instead of a picture that is silently wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.engine.errors import InputError

MIN_SIZE = 2
MAX_SIZE = 256  # the Adobe specification's limit; a 256**3 table is already 400 MB of floats
# Numbers in published files are printed with 6-10 digits, so a value may overshoot the domain
# by its last printed digit; more than this fraction of the domain's width is refused.
DOMAIN_TOLERANCE = 1e-5


@dataclass(frozen=True)
class CubeLut:
    """A parsed 3D LUT. `table[r, g, b]` is the output RGB at input lattice point (r, g, b)."""

    path: str
    title: str
    size: int
    domain_min: tuple[float, float, float]
    domain_max: tuple[float, float, float]
    table: np.ndarray  # (size, size, size, 3) float64, in the file's own units

    def is_identity(self, tolerance: float = 1e-4) -> bool:
        """True when every lattice point maps to itself (within `tolerance` of the domain width)."""
        identity = identity_table(self.size, self.domain_min, self.domain_max)
        return bool(np.all(np.abs(self.table - identity) <= tolerance * self.domain_width))

    @property
    def domain_width(self) -> np.ndarray:
        return np.asarray(self.domain_max) - np.asarray(self.domain_min)


def identity_table(size: int, domain_min=(0.0, 0.0, 0.0), domain_max=(1.0, 1.0, 1.0)) -> np.ndarray:
    """The (size, size, size, 3) table that maps every lattice point to itself."""
    steps = np.linspace(0.0, 1.0, size)
    r, g, b = np.meshgrid(steps, steps, steps, indexing="ij")
    unit = np.stack([r, g, b], axis=-1)
    return np.asarray(domain_min) + unit * (np.asarray(domain_max) - np.asarray(domain_min))


def format_cube(table: np.ndarray, title: str = "", domain_min=(0.0, 0.0, 0.0), domain_max=(1.0, 1.0, 1.0)) -> str:
    """A table as .cube text (red fastest), for tests and tools that write LUTs."""
    size = table.shape[0]
    lines = [f'TITLE "{title}"'] if title else []
    lines.append(f"LUT_3D_SIZE {size}")
    lines.append("DOMAIN_MIN " + " ".join(f"{v:.6f}" for v in domain_min))
    lines.append("DOMAIN_MAX " + " ".join(f"{v:.6f}" for v in domain_max))
    rows = table.transpose(2, 1, 0, 3).reshape(-1, 3)  # file order: b slowest, r fastest
    lines.extend(f"{r:.10f} {g:.10f} {b:.10f}" for r, g, b in rows)
    return "\n".join(lines) + "\n"


def load_cube(path: str | Path) -> CubeLut:
    """Read and check a .cube file; InputError (naming the file and line) if it is malformed."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the LUT: {error.strerror or error}", file=name) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # titles from older tools; the numbers are ASCII either way
    return parse_cube(text, file=name)


@dataclass
class _Header:
    title: str = ""
    size: int | None = None
    size_line: int = 0
    domain_min: tuple[float, ...] = (0.0, 0.0, 0.0)
    domain_max: tuple[float, ...] = (1.0, 1.0, 1.0)


def parse_cube(text: str, *, file: str = "<cube>") -> CubeLut:
    """Parse .cube text; `file` names it in errors."""

    def fail(line_number: int, message: str) -> InputError:
        return InputError(message, file=file, field=f"line {line_number}")

    header = _Header()
    rows: list[tuple[float, float, float]] = []
    row_lines: list[int] = []
    last_line = 0
    # Kept lean: a 65-point LUT has 274,625 rows.
    for line_number, raw_line in enumerate(text.splitlines(), start=1):
        last_line = line_number
        line = raw_line.split("#", 1)[0].strip() if "#" in raw_line else raw_line.strip()
        if not line:
            continue
        if line[0].isalpha() and line[:3].upper() not in ("NAN", "INF"):
            if rows:
                raise fail(line_number, f"keyword {line.split()[0]} after the table data started (keywords go before the table)")
            _read_keyword(header, line, line_number, fail)
            continue
        if header.size is None:
            raise fail(line_number, "table data before LUT_3D_SIZE (the size line is missing)")
        parts = line.split()
        if len(parts) != 3:
            raise fail(line_number, f"a table row needs 3 numbers, got {len(parts)}: {line!r}")
        try:
            rows.append((float(parts[0]), float(parts[1]), float(parts[2])))
        except ValueError:
            raise fail(line_number, f"{_first_non_number(parts)!r} is not a number") from None
        row_lines.append(line_number)

    size = header.size
    if size is None:
        raise fail(last_line, "no LUT_3D_SIZE line: not a 3D .cube LUT")
    if len(rows) > size**3:
        raise fail(row_lines[size**3], f"more table rows than LUT_3D_SIZE {size} allows ({size**3})")
    if len(rows) < size**3:
        raise fail(last_line, f"the table has {len(rows)} rows; LUT_3D_SIZE {size} needs {size**3}")
    low, high = np.asarray(header.domain_min), np.asarray(header.domain_max)
    if not np.all(high > low):
        raise fail(header.size_line, f"DOMAIN_MAX {header.domain_max} must be above DOMAIN_MIN {header.domain_min} everywhere")

    values = np.asarray(rows, dtype=np.float64)
    finite = np.isfinite(values).all(axis=1)
    if not finite.all():
        index = int(np.argmin(finite))
        raise fail(row_lines[index], f"{tuple(values[index])} is not a finite number in every channel")
    slack = DOMAIN_TOLERANCE * (high - low)
    outside = np.any((values < low - slack) | (values > high + slack), axis=1)
    if outside.any():
        index = int(np.argmax(outside))
        raise fail(
            row_lines[index],
            f"value {tuple(values[index])} is outside the domain {header.domain_min} - {header.domain_max}",
        )
    values = np.clip(values, low, high)
    table = values.reshape(size, size, size, 3).transpose(2, 1, 0, 3).copy()  # file is b-major
    return CubeLut(file, header.title, size, tuple(header.domain_min), tuple(header.domain_max), table)


def _read_keyword(header: _Header, line: str, line_number: int, fail) -> None:
    head = line.split(None, 1)[0]
    keyword = head.upper()
    rest = line[len(head) :].strip()
    if keyword == "TITLE":
        header.title = rest.strip('"')
    elif keyword == "LUT_3D_SIZE":
        if header.size is not None:
            raise fail(line_number, f"LUT_3D_SIZE given twice (first on line {header.size_line})")
        header.size = _parse_size(rest, line_number, fail)
        header.size_line = line_number
    elif keyword == "DOMAIN_MIN":
        header.domain_min = _parse_numbers(rest, 3, line_number, fail, what=keyword)
    elif keyword == "DOMAIN_MAX":
        header.domain_max = _parse_numbers(rest, 3, line_number, fail, what=keyword)
    elif keyword == "LUT_3D_INPUT_RANGE":
        low, high = _parse_numbers(rest, 2, line_number, fail, what=keyword)
        header.domain_min, header.domain_max = (low,) * 3, (high,) * 3
    elif keyword == "LUT_1D_SIZE":
        raise fail(line_number, "1D LUTs (LUT_1D_SIZE) are not supported; export a 3D LUT (LUT_3D_SIZE)")
    else:
        # Refused rather than skipped: an unknown keyword (Resolve's LUT_IN_VIDEO_RANGE, say) may
        # change what the numbers mean, and a wrong picture is worse than an error.
        raise fail(line_number, f"unknown keyword {head!r}")


def _first_non_number(parts: list[str]) -> str:
    for part in parts:
        try:
            float(part)
        except ValueError:
            return part
    return parts[0]


def _parse_size(text: str, line_number: int, fail) -> int:
    parts = text.split()
    if len(parts) != 1:
        raise fail(line_number, f"LUT_3D_SIZE needs one whole number, got {text!r}")
    try:
        size = int(parts[0])
    except ValueError:
        raise fail(line_number, f"LUT_3D_SIZE needs a whole number, got {parts[0]!r}") from None
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise fail(line_number, f"LUT_3D_SIZE must be {MIN_SIZE}-{MAX_SIZE}, got {size}")
    return size


def _parse_numbers(text: str, count: int, line_number: int, fail, *, what: str) -> tuple[float, ...]:
    parts = text.split()
    if len(parts) != count:
        raise fail(line_number, f"{what} needs {count} numbers, got {len(parts)}: {text!r}")
    numbers = []
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            raise fail(line_number, f"{part!r} is not a number") from None
        if not math.isfinite(number):
            raise fail(line_number, f"{part!r} is not a finite number")
        numbers.append(number)
    return tuple(numbers)
