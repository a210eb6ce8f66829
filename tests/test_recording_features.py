"""Recording: chapter marks, splitting into parts without losing a frame, free-space checks."""

from __future__ import annotations

import json

import av
import pytest

from studio.app import build_engine
from studio.engine.errors import InputError
from studio.engine.show import parse_show
from tests.conftest import ffprobe


def small_show(demo_show_data, **recording):
    demo_show_data["canvas"] = {"width": 640, "height": 360, "fps": 30}
    demo_show_data["recording"] = recording
    return parse_show(demo_show_data)


def run_recording(show, ticks, path, before_start=lambda engine: None):
    engine = build_engine(show, virtual_clock=True, tick_limit=ticks)
    engine.start_recording(path)
    before_start(engine)
    engine.start()
    assert engine.wait(120)
    engine.stop()
    return engine


def test_chapter_marks_land_on_their_tick_and_survive_in_a_sidecar(tmp_path, demo_show_data):
    path = tmp_path / "show.mkv"

    def marks(engine):
        engine.add_chapter("Dress A", at_ns=0)
        engine.add_chapter("连衣裙 B", at_ns=1_500_000_000)

    run_recording(small_show(demo_show_data), 90, path, marks)
    chapters = av.open(str(path)).chapters()
    starts_ms = [chapter["start"] * chapter["time_base"] * 1000 for chapter in chapters]
    assert starts_ms == [0, 1500]
    assert [chapter["metadata"]["title"] for chapter in chapters] == ["Dress A", "连衣裙 B"]
    assert chapters[-1]["end"] * chapters[-1]["time_base"] == 3  # the end of the recording
    sidecar = json.loads((tmp_path / "show.mkv.chapters.json").read_text())
    assert sidecar == [{"start_ms": 0, "title": "Dress A"}, {"start_ms": 1500, "title": "连衣裙 B"}]


def test_split_by_time_keeps_every_frame_across_the_parts(tmp_path, demo_show_data):
    path = tmp_path / "long.mkv"
    run_recording(small_show(demo_show_data, split_every_s=10), 750, path)
    parts = [path, tmp_path / "long-002.mkv", tmp_path / "long-003.mkv"]
    counts = []
    for part in parts:
        video = next(s for s in ffprobe(part)["streams"] if s["codec_type"] == "video")
        counts.append(int(video["nb_read_frames"]))
        with av.open(str(part)) as container:  # each part starts on a keyframe at time zero
            first = next(container.demux(video=0))
            assert first.is_keyframe and first.pts == 0
    assert counts == [300, 300, 150]
    assert not (tmp_path / "long-004.mkv").exists()


def test_recording_is_refused_when_the_disk_is_nearly_full(tmp_path, demo_show_data):
    show = small_show(demo_show_data, min_free_disk_mb=10**12)
    engine = build_engine(show, virtual_clock=True, tick_limit=1)
    with pytest.raises(InputError, match="MB free"):
        engine.start_recording(tmp_path / "x.mkv")
    engine.stop()


def test_low_disk_is_warned_about_while_recording(tmp_path, demo_show_data):
    warnings = []
    show = small_show(demo_show_data, warn_free_disk_mb=10**12)
    engine = build_engine(show, virtual_clock=True, tick_limit=10)
    engine.events.error.connect(warnings.append)
    engine.start_recording(tmp_path / "x.mkv")
    engine.start()
    assert engine.wait(60)
    engine.stop()
    assert any("low disk space" in warning for warning in warnings)
