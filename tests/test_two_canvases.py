"""Landscape and vertical at once (issue 16): one switcher drives two canvases. Checked from
outside: the real CLI records both, and every decoded frame of both files is compared."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from studio.engine.errors import InputError
from studio.engine.show import CanvasLayout, Layout, LayoutKind, Scene, parse_show
from studio.engine.builtin_shows import demo_show_data
from studio.engine.video.canvas_layouts import canvas_scene_layers
from studio.engine.show import Canvas, Fit
from tests.conftest import decode_rgb_frames, ffprobe, run_studio, run_summary
from tests.test_acceptance_recording import SCRIPT
from tests.test_selling import grey_show_data

FPS = 30
# The acceptance recording's script without its last step: a dip fades to a colour and back, so
# its first changed frame would depend on the change threshold rather than on the tick it lands.
CUTS = SCRIPT[:-1]
# The ticks the script lands on (nearest tick to each time): a change must first show there.
CHANGE_FRAMES = [60, 90, 150, 195, 225, 255]


def small(rgb: np.ndarray) -> np.ndarray:
    return cv2.resize(rgb, (48, 48), interpolation=cv2.INTER_AREA).astype(np.float32)


def change_frames(path, threshold: float) -> list[int]:
    """Frames that differ from the one before by more than `threshold` (mean, 0-255) where it is
    not a step of an ongoing transition: the first frame of each change."""
    changed, previous = [], None
    for index, rgb in decode_rgb_frames(path):
        picture = small(rgb)
        if previous is not None and np.mean(np.abs(picture - previous)) > threshold:
            changed.append(index)
        previous = picture
    return [frame for frame in changed if frame - 1 not in changed]


@pytest.fixture(scope="module")
def both_recordings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-canvases")
    script = folder / "cuts.json"
    script.write_text(json.dumps(CUTS))
    main, vertical = folder / "main.mkv", folder / "vert.mkv"
    result = run_studio(
        "run", "--virtual-clock", "--duration", "10", "--record", str(main), "--record", f"vertical={vertical}",
        "--script", str(script), timeout_s=400,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return main, vertical, result.stderr


def test_both_canvases_record_300_frames_at_their_sizes(both_recordings):
    main, vertical, stderr = both_recordings
    sizes = []
    for path in (main, vertical):
        video = next(s for s in ffprobe(path)["streams"] if s["codec_type"] == "video")
        sizes.append((video["width"], video["height"], int(video["nb_read_frames"])))
    assert sizes == [(1920, 1080, 300), (1080, 1920, 300)]
    assert "canvas vertical: recorded 300 frames" in stderr


def test_every_scripted_change_shows_first_on_the_same_frame_on_both(both_recordings):
    main, vertical, _ = both_recordings
    # A cut changes most of the picture; one step of the mix changes 1/15 of the colour difference.
    on_main, on_vertical = change_frames(main, 3.0), change_frames(vertical, 3.0)
    assert on_main == CHANGE_FRAMES, on_main
    assert on_vertical == CHANGE_FRAMES, on_vertical


def test_a_321_run_shows_countdown_and_card_from_the_same_frames_on_both(tmp_path):
    data = grey_show_data(tmp_path)
    data["canvases"] = {"vertical": {"width": 1080, "height": 1920}}
    show = tmp_path / "selling.json"
    show.write_text(json.dumps(data, ensure_ascii=False))
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"at": 1.0, "do": "select_product", "product": "tee-white"}, {"at": 4.0, "do": "link_321"}]))
    main, vertical = tmp_path / "main.mkv", tmp_path / "vert.mkv"
    result = run_studio(
        "run", "--show", str(show), "--virtual-clock", "--duration", "9", "--record", str(main),
        "--record", f"vertical={vertical}", "--script", str(script), timeout_s=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for path, (width, height) in ((main, (1920, 1080)), (vertical, (1080, 1920))):
        shown, qr_read = [], None
        for index, rgb in decode_rgb_frames(path):
            assert rgb.shape[:2] == (height, width)
            # The program is a still grey: whatever differs from it is an overlay.
            shown.append(bool(np.mean(np.abs(small(rgb) - 128.0)) > 0.5))
            if index == 240:
                qr_read, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        # Nothing before the run (frame 120), the countdown then the card to the end (frame 270).
        assert shown == [False] * 120 + [True] * 150, (path.name, shown.index(True))
        assert qr_read == "https://shop.example.com/p/tee-white", (path.name, qr_read)


# -- the derived layouts and the show file ------------------------------------------------------------------

TALL = Canvas(width=1080, height=1920)
WIDE = Canvas(width=1920, height=1080)


def test_derived_vertical_layouts_cover_and_stack():
    def layers(kind, sources):
        return canvas_scene_layers(Scene(id="s", name="S", layout=Layout(kind=kind, sources=sources)), "vertical", WIDE, TALL)

    (full,) = layers(LayoutKind.FULL, ["a"])
    assert (full.x, full.y, full.width, full.height, full.fit) == (0, 0, 1080, 1920, Fit.COVER)
    top, bottom = layers(LayoutKind.SIDE_BY_SIDE, ["a", "b"])
    assert (top.y, top.height, bottom.y, bottom.height) == (0, 960, 960, 960) and top.width == bottom.width == 1080
    base, inset = layers(LayoutKind.PIP, ["a", "b"])
    assert base.height == 1920 and inset.y < 100 and inset.x + inset.width <= 1080
    assert len(layers(LayoutKind.GRID, ["a", "b", "c", "d"])) == 4


def test_a_scene_may_give_its_own_vertical_layout():
    scene = Scene(
        id="s", name="S", layout=Layout(kind=LayoutKind.FULL, sources=["a"]),
        canvases={"vertical": CanvasLayout(layout=Layout(kind=LayoutKind.SIDE_BY_SIDE, sources=["a", "b"]))},
    )
    placed = canvas_scene_layers(scene, "vertical", WIDE, TALL)
    assert [layer.source for layer in placed] == ["a", "b"]  # the show's own (a side-by-side here)


def test_bad_canvas_names_are_refused_naming_the_field():
    data = demo_show_data()
    data["scenes"][0]["canvases"] = {"square": {"layout": {"kind": "full", "sources": ["front"]}}}
    with pytest.raises(InputError, match=r"scenes\[0\]\.canvases\.square.*unknown canvas 'square'; expected one of vertical"):
        parse_show(data, file="show.json")
    data = demo_show_data()
    data["canvases"]["main"] = {"width": 720, "height": 1280}
    with pytest.raises(InputError, match=r"canvases\.main.*cannot be named 'main'"):
        parse_show(data, file="show.json")
    data = demo_show_data()
    data["destinations"] = [{"id": "d", "name": "Douyin", "url": "rtmp://example.com/live", "canvas": "square"}]
    with pytest.raises(InputError, match=r"destinations\[0\]\.canvas.*unknown canvas 'square'; expected 'main' or one of vertical"):
        parse_show(data, file="show.json")
    data["destinations"][0]["canvas"] = "vertical"
    assert parse_show(data).destinations[0].target().canvas == "vertical"


def test_the_cli_names_an_unknown_canvas(tmp_path):
    result = run_studio("run", "--virtual-clock", "--duration", "1", "--record", f"square={tmp_path / 's.mkv'}")
    assert result.returncode != 0
    assert "--record" in result.stderr and "unknown canvas 'square'; expected one of main, vertical" in result.stderr


def test_live_to_two_keys_one_per_canvas_while_recording_both(rtmp_server, tmp_path):
    # A smaller pair of canvases than the demo's keeps this real-time test honest on a busy
    # two-core machine; benchmarks/pipeline.py measures the full sizes.
    data = demo_show_data()
    data["canvas"] = {"width": 960, "height": 540, "fps": FPS}
    data["canvases"] = {"vertical": {"width": 540, "height": 960}}
    data["encoder"] = {"encoder": "x264", "bitrate_kbps": 1500}
    show = tmp_path / "show.json"
    show.write_text(json.dumps(data))
    main, vertical = tmp_path / "main.mkv", tmp_path / "vert.mkv"
    result = run_studio(
        "run", "--show", str(show), "--duration", "20", "--record", str(main), "--record", f"vertical={vertical}",
        "--output", rtmp_server.url("landscape"), "--output", f"vertical={rtmp_server.url('upright')}", timeout_s=150,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = run_summary(result.stderr)
    for key, name, local, size in (("landscape", "out1", main, (960, 540)), ("upright", "out2", vertical, (540, 960))):
        (received,) = rtmp_server.wait_for_recordings(key, count=1)
        streamed = next(s for s in ffprobe(received)["streams"] if s["codec_type"] == "video")
        recorded = next(s for s in ffprobe(local)["streams"] if s["codec_type"] == "video")
        assert (streamed["width"], streamed["height"]) == size == (recorded["width"], recorded["height"])
        assert int(recorded["nb_read_frames"]) == 20 * FPS
        assert int(streamed["nb_read_frames"]) == summary.sent[name], name  # nginx got every frame sent
        # Every frame is accounted for: sent, or dropped by a counted reason (none on an idle
        # machine; a stream may drop whole GOPs when a busy one falls behind, as any destination).
        assert summary.sent[name] + summary.not_sent[name] == 20 * FPS, name
