"""The program time code (Engine.stamp_program_timecode, for benchmarks/latency.py): when on,
every encoded program picture carries its tick's media time in ms, read back exactly from the
decoded recording; when off, no picture carries one. Virtual clock, so the ticks are exact."""

from __future__ import annotations

import av

from studio.app import build_engine
from studio.engine.clock import NS_PER_MS
from studio.engine.graphics.timecode import read_timecode_y
from studio.engine.show import parse_show

TICKS = 45


def record(tmp_path, demo_show_data, *, stamped: bool):
    demo_show_data["canvas"] = {"width": 640, "height": 360, "fps": 30}
    engine = build_engine(parse_show(demo_show_data), virtual_clock=True, tick_limit=TICKS)
    path = tmp_path / ("stamped.mkv" if stamped else "plain.mkv")
    if stamped:
        engine.stamp_program_timecode()
    engine.start_recording(path)
    engine.start()
    try:
        assert engine.wait(120), "the show did not finish its ticks"
    finally:
        engine.stop()
    with av.open(str(path)) as container:
        codes = [read_timecode_y(frame.to_ndarray(format="gray")) for frame in container.decode(video=0)]
    return engine, codes


def test_each_picture_carries_its_ticks_media_time_in_ms(tmp_path, demo_show_data):
    engine, codes = record(tmp_path, demo_show_data, stamped=True)
    first_tick = engine.recording_stats.first_tick
    assert len(codes) == TICKS - first_tick
    expected = [engine.tick_time_ns(first_tick + index) // NS_PER_MS for index in range(len(codes))]
    assert codes == expected
    assert len(set(codes)) == len(codes)  # 30 fps ticks are more than a ms apart: each code is its own


def test_no_picture_carries_a_code_when_it_is_off(tmp_path, demo_show_data):
    _, codes = record(tmp_path, demo_show_data, stamped=False)
    assert len(codes) > 0
    assert codes == [None] * len(codes)
