"""Issue 2 acceptance, checked from outside: the real CLI, ffprobe, and every decoded frame."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest

from studio.engine.builtin_shows import DEMO_CAMERAS
from tests.conftest import assert_colour_near, decode_rgb_frames, ffprobe, median_rgb, run_studio

FPS = 30
SCRIPT = [
    {"at": 2.0, "do": "cut", "scene": "SIDE"},
    {"at": 3.0, "do": "transition", "scene": "BACK", "kind": "mix", "duration_ms": 500},
    {"at": 5.0, "do": "cut", "scene": "DETAIL"},
    {"at": 6.5, "do": "cut", "scene": "GRID"},
    {"at": 7.51, "do": "cut", "scene": "PIP"},  # round(7.51 * 30) = 225: nearest tick, not the next one
    {"at": 8.5, "do": "transition", "scene": "DETAIL", "kind": "wipe", "duration_ms": 300},
    {"at": 9.2, "do": "transition", "scene": "SIDE", "kind": "dip", "duration_ms": 400},
]


def expected_program(index: int):
    """What frame `index` must show: (kind, details) derived from the script by hand."""
    colours = DEMO_CAMERAS
    if index < 60:
        return ("full", colours["FRONT"])
    if index < 90:
        return ("full", colours["SIDE"])
    if index < 105:  # mix over 15 frames: frame 90 + i shows (i + 1) / 15 of BACK
        progress = (index - 90 + 1) / 15
        mixed = (1 - progress) * np.array(colours["SIDE"]) + progress * np.array(colours["BACK"])
        return ("full", tuple(mixed))
    if index < 150:
        return ("full", colours["BACK"])
    if index < 195:
        return ("full", colours["DETAIL"])
    if index < 225:
        return ("grid", None)
    if index < 255:
        return ("pip", None)
    if index < 264:  # wipe over 9 frames from the left
        return ("wipe", (index - 255 + 1) / 9)
    if index < 276:
        return ("full", colours["DETAIL"])
    if index < 288:  # dip over 12 frames: DETAIL to black, black to SIDE
        return ("dip", (index - 276 + 1) / 12)
    return ("full", colours["SIDE"])


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    folder = tmp_path_factory.mktemp("acceptance")
    script = folder / "cuts.json"
    script.write_text(json.dumps(SCRIPT))
    output = folder / "out.mkv"
    result = run_studio("run", "--virtual-clock", "--duration", "10", "--record", str(output), "--script", str(script))
    assert result.returncode == 0, result.stderr
    return output, result


def test_ffprobe_reads_h264_1080p30_with_300_frames_and_aac_in_step(recording):
    output, _ = recording
    probe = ffprobe(output)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1920, 1080)
    assert video["avg_frame_rate"] == "30/1"
    assert int(video["nb_read_frames"]) == 300
    assert audio["codec_name"] == "aac" and int(audio["sample_rate"]) == 48000 and audio["channels"] == 2
    with av.open(str(output)) as container:
        video_duration_s = 300 / FPS
        audio_samples = sum(frame.samples for frame in container.decode(audio=0))
    assert abs(audio_samples / 48000 - video_duration_s) <= 1 / FPS


def test_summary_line_reports_frames(recording):
    _, result = recording
    assert "frames produced 300, frames dropped 0" in result.stderr
    assert "lagged ticks" in result.stderr


def test_every_frame_shows_the_scripted_scene_from_the_exact_frame(recording):
    output, _ = recording
    colours = {name: np.array(rgb) for name, rgb in DEMO_CAMERAS.items()}
    checked = 0
    for index, rgb in decode_rgb_frames(output):
        kind, detail = expected_program(index)
        what = f"frame {index} ({kind})"
        if kind == "full":
            assert_colour_near(median_rgb(rgb), detail, what=what)
        elif kind == "grid":
            for (top, left), name in zip(((0, 0), (0, 960), (540, 0), (540, 960)), DEMO_CAMERAS, strict=True):
                assert_colour_near(median_rgb(rgb[top : top + 540, left : left + 960]), colours[name], what=f"{what} {name}")
        elif kind == "pip":
            assert_colour_near(median_rgb(rgb), colours["FRONT"], what=what)
            # The inset sits bottom-right: 30% of the width, 40 px margins.
            assert_colour_near(median_rgb(rgb[1080 - 40 - 322 : 1080 - 40, 1920 - 40 - 576 : 1920 - 40]), colours["DETAIL"], what=f"{what} inset")
        elif kind == "wipe":
            edge = int(1920 * detail) & ~1
            if edge >= 8:  # DETAIL comes in from the left; PIP (mostly FRONT) is still on the right
                assert_colour_near(median_rgb(rgb[:, : edge - 4]), colours["DETAIL"], what=f"{what} left of edge")
            if edge <= 1920 - 8:
                assert_colour_near(median_rgb(rgb[:400, edge + 4 :]), colours["FRONT"], what=f"{what} right of edge")
        elif kind == "dip":
            progress = detail
            if progress < 0.5:
                expected = (1 - progress * 2) * colours["DETAIL"]
            else:
                expected = (progress - 0.5) * 2 * colours["SIDE"]
            assert_colour_near(median_rgb(rgb), expected, tolerance=16, what=what)
        checked += 1
    assert checked == 300


def test_keyframe_every_two_seconds_and_colour_tags(recording):
    output, _ = recording
    with av.open(str(output)) as container:
        packets = [packet for packet in container.demux(video=0) if packet.size]
        keyframes = [index for index, packet in enumerate(packets) if packet.is_keyframe]
    assert keyframes == [0, 60, 120, 180, 240]
    video = next(s for s in ffprobe(output)["streams"] if s["codec_type"] == "video")
    # The engine composes in BT.601 limited range; players must be told so.
    assert (video["color_range"], video["color_space"]) == ("tv", "smpte170m")
