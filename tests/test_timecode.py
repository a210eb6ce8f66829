"""The burnt-in time code (studio/engine/graphics/timecode.py): read back exactly after lossy
compression and scaling, or refused; never read as a wrong value. (The JavaScript drawing of the
same layout is compared pixel for pixel in tests/test_guest_page.py.)"""

from __future__ import annotations

import fractions

import av
import numpy as np
import pytest

from studio.engine.graphics.timecode import (
    BLACK_Y,
    DATA_CELLS,
    MAX_VALUE,
    MIN_SHORT_SIDE_PX,
    WHITE_Y,
    cell_rect,
    crc16_ccitt_false,
    draw_timecode_y,
    read_timecode_y,
    timecode_region,
    unit_px,
)

EPOCH_MS = 1_767_225_600_000  # 2026-01-01, beyond 2**40: the full 48 bits are in use


def camera_like_y(width: int, height: int, index: int, rng: np.random.Generator) -> np.ndarray:
    """A moving diagonal ramp with sensor-like noise: hard for the encoder, like a real camera."""
    rows, columns = np.mgrid[0:height, 0:width]
    ramp = (columns + rows + index * 7) % 256
    return np.clip(ramp + rng.integers(-40, 40, (height, width)), 0, 255).astype(np.uint8)


def round_trip(codec: str, size: tuple[int, int], coded_size: tuple[int, int], bitrate_kbps: int, frame_count: int = 45):
    """Draw the code into frames of `size`, scale them to `coded_size`, encode at `bitrate_kbps`,
    decode; (values drawn, values read) per frame."""
    width, height = size
    coded_width, coded_height = coded_size
    rng = np.random.default_rng(7)
    encoder = av.CodecContext.create(codec, "w")
    encoder.width, encoder.height, encoder.pix_fmt = coded_width, coded_height, "yuv420p"
    encoder.time_base = fractions.Fraction(1, 30)
    encoder.framerate = 30
    encoder.bit_rate = bitrate_kbps * 1000
    if codec == "libx264":
        encoder.options = {"preset": "veryfast", "tune": "zerolatency"}
    decoder = av.CodecContext.create({"libx264": "h264", "libvpx": "vp8"}[codec], "r")
    drawn, read = [], []

    def decode(packets) -> None:
        for packet in packets:
            for frame in decoder.decode(packet):
                read.append(read_timecode_y(frame.to_ndarray(format="yuv420p")[: frame.height]))

    for index in range(frame_count):
        y_plane = camera_like_y(width, height, index, rng)
        value = EPOCH_MS + index * 33
        draw_timecode_y(y_plane, value)
        drawn.append(value)
        picture = np.concatenate([y_plane, np.full((height // 2, width), 128, np.uint8)])
        frame = av.VideoFrame.from_ndarray(picture, format="yuv420p").reformat(coded_width, coded_height)
        frame.pts = index
        decode(encoder.encode(frame))
    decode(encoder.encode(None))
    assert len(read) == frame_count
    return drawn, read


@pytest.mark.parametrize(
    "codec, coded_size, bitrate_kbps",
    [
        ("libx264", (640, 360), 150),  # half size, a starved bitrate
        ("libx264", (320, 180), 60),  # quarter size
        ("libvpx", (640, 360), 150),
        ("libvpx", (320, 180), 60),
    ],
)
def test_time_code_survives_compression_and_downscaling(codec, coded_size, bitrate_kbps):
    drawn, read = round_trip(codec, (1280, 720), coded_size, bitrate_kbps)
    wrong = [(d, r) for d, r in zip(drawn, read, strict=True) if r is not None and r != d]
    assert not wrong, f"misread, not refused: {wrong[:3]}"
    exact = sum(d == r for d, r in zip(drawn, read, strict=True))
    assert exact >= 0.95 * len(drawn), f"only {exact} of {len(drawn)} frames read back"


def test_at_a_bitrate_too_low_frames_are_refused_never_misread():
    drawn, read = round_trip("libx264", (1280, 720), (256, 144), 20)
    assert all(r is None or r == d for d, r in zip(drawn, read, strict=True))
    assert None in read, "this test needs a bitrate low enough to damage some codes"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (1080, 1920), (640, 480), (333, 187), (96, 96)])
def test_any_frame_size_reads_back(size):
    width, height = size
    y_plane = np.full((height, width), 100, np.uint8)
    draw_timecode_y(y_plane, EPOCH_MS)
    assert read_timecode_y(y_plane) == EPOCH_MS
    x, y, band_width, band_height = timecode_region(width, height)
    outside = np.ones_like(y_plane, dtype=bool)
    outside[y : y + band_height, x : x + band_width] = False
    assert (y_plane[outside] == 100).all(), "the code drew outside its region"
    assert band_width == pytest.approx(18 * unit_px(width, height), abs=1)


def test_a_scaled_up_frame_reads_back():
    small = np.full((360, 640), 128, np.uint8)
    draw_timecode_y(small, 123_456_789)
    frame = av.VideoFrame.from_ndarray(np.concatenate([small, np.full((180, 640), 128, np.uint8)]), format="yuv420p")
    large = frame.reformat(1920, 1080).to_ndarray(format="yuv420p")[:1080]
    assert read_timecode_y(large) == 123_456_789


def test_a_frame_without_a_code_reads_none():
    rng = np.random.default_rng(3)
    assert read_timecode_y(np.full((720, 1280), 128, np.uint8)) is None
    assert read_timecode_y(rng.integers(0, 256, (720, 1280), dtype=np.uint8)) is None
    assert read_timecode_y(camera_like_y(1280, 720, 0, rng)) is None
    assert read_timecode_y(np.zeros((50, 80), np.uint8)) is None  # too small to carry one


def test_a_damaged_data_cell_is_refused_not_misread():
    width, height = 640, 360
    unit = unit_px(width, height)
    clean = np.full((height, width), 128, np.uint8)
    draw_timecode_y(clean, EPOCH_MS)
    for column, row in DATA_CELLS:
        damaged = clean.copy()
        x0, y0, x1, y1 = cell_rect(column, row, unit)
        damaged[y0:y1, x0:x1] = BLACK_Y + WHITE_Y - damaged[y0:y1, x0:x1]  # one bit flipped
        assert read_timecode_y(damaged) is None, f"a flipped cell at {column},{row} was accepted"


def test_random_damage_never_gives_a_wrong_value():
    width, height = 640, 360
    unit = unit_px(width, height)
    rng = np.random.default_rng(11)
    accepted_wrong = 0
    for _ in range(300):
        value = int(rng.integers(0, MAX_VALUE))
        y_plane = np.full((height, width), 128, np.uint8)
        draw_timecode_y(y_plane, value)
        for _ in range(int(rng.integers(2, 6))):  # a few cells smeared to mid-grey or flipped
            column, row = DATA_CELLS[int(rng.integers(len(DATA_CELLS)))]
            x0, y0, x1, y1 = cell_rect(column, row, unit)
            y_plane[y0:y1, x0:x1] = rng.choice([BLACK_Y, WHITE_Y, 128])
        result = read_timecode_y(y_plane)
        accepted_wrong += result is not None and result != value
    assert accepted_wrong == 0


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="from 0 to 2\\*\\*48-1"):
        draw_timecode_y(np.zeros((360, 640), np.uint8), -1)
    with pytest.raises(ValueError, match="from 0 to 2\\*\\*48-1"):
        draw_timecode_y(np.zeros((360, 640), np.uint8), MAX_VALUE + 1)
    with pytest.raises(ValueError, match=f"at least {MIN_SHORT_SIDE_PX} px"):
        draw_timecode_y(np.zeros((60, 640), np.uint8), 1)
    with pytest.raises(ValueError, match="2-D uint8"):
        draw_timecode_y(np.zeros((360, 640, 3), np.uint8), 1)


def test_crc_is_crc16_ccitt_false():
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogued check value
