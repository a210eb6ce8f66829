// The time code of studio/engine/graphics/timecode.py, drawn on a 2-D canvas: the same layout,
// pixel for pixel (tests/test_guest_page.py compares the two). Read that module's docstring for
// the format; in short: one unit = shorter side / 32, a 1-unit margin from the top-left corner,
// an 18 x 6 cell band whose border ring alternates black/white (black at the corner), inside it
// 16 x 4 data cells, row by row, most significant bit first: 48 bits of value then a
// CRC-16/CCITT-FALSE of its 6 big-endian bytes. White = 1.

export const UNITS_PER_SHORT_SIDE = 32;
const MARGIN_UNITS = 1;
const DATA_COLUMNS = 16;
const DATA_ROWS = 4;
const BAND_COLUMNS = DATA_COLUMNS + 2;
const BAND_ROWS = DATA_ROWS + 2;
const VALUE_BYTES = 6;
export const MIN_SHORT_SIDE_PX = 96; // 3 px per unit, as the Python side
const BLACK = "#000000";
const WHITE = "#ffffff";

export function crc16CcittFalse(bytes) {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

// 64 bits for a value 0..2^48-1. Numbers, not 32-bit bitwise operators: those would cut the
// value to 32 bits.
export function timecodeBits(value) {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** 48) {
    throw new RangeError(`time code value: expected an integer from 0 to 2**48-1, got ${value}`);
  }
  const bytes = [];
  for (let index = VALUE_BYTES - 1; index >= 0; index--) {
    bytes.push(Math.floor(value / 2 ** (8 * index)) % 256);
  }
  const crc = crc16CcittFalse(bytes);
  bytes.push(crc >> 8, crc & 0xff);
  const bits = [];
  for (const byte of bytes) {
    for (let bit = 7; bit >= 0; bit--) bits.push((byte >> bit) & 1);
  }
  return bits;
}

function edgePx(unitIndex, unit) {
  return Math.floor(unitIndex * unit + 0.5);
}

function fillCell(context, column, row, unit, white) {
  const x0 = edgePx(MARGIN_UNITS + column, unit);
  const y0 = edgePx(MARGIN_UNITS + row, unit);
  const x1 = edgePx(MARGIN_UNITS + column + 1, unit);
  const y1 = edgePx(MARGIN_UNITS + row + 1, unit);
  context.fillStyle = white ? WHITE : BLACK;
  context.fillRect(x0, y0, x1 - x0, y1 - y0);
}

// Draws `value` in the top-left corner of a canvas of width x height pixels.
export function drawTimecode(context, width, height, value) {
  if (Math.min(width, height) < MIN_SHORT_SIDE_PX) return false;
  const unit = Math.min(width, height) / UNITS_PER_SHORT_SIDE;
  for (let row = 0; row < BAND_ROWS; row++) {
    for (let column = 0; column < BAND_COLUMNS; column++) {
      if (row === 0 || row === BAND_ROWS - 1 || column === 0 || column === BAND_COLUMNS - 1) {
        fillCell(context, column, row, unit, (column + row) & 1);
      }
    }
  }
  const bits = timecodeBits(value);
  for (let index = 0; index < bits.length; index++) {
    const column = 1 + (index % DATA_COLUMNS);
    const row = 1 + Math.floor(index / DATA_COLUMNS);
    fillCell(context, column, row, unit, bits[index]);
  }
  return true;
}
