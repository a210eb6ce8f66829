"""Bad input gets one clear line naming the file, the field and what was expected; exit code 2.
A show file with several problems gets them all in one message, one per line, in file order."""

from __future__ import annotations

import json

import pytest

from studio.engine.errors import InputError
from studio.engine.show import load_show, parse_show, save_show
from studio.engine.show_problems import ShowProblems
from tests.conftest import run_studio


def write_show(tmp_path, data) -> str:
    path = tmp_path / "show.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def assert_clean_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("studio: error:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def error_block(result) -> list[str]:
    """The one error of a failed run: its "studio: error:" line and the problem lines under it."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    starts = [index for index, line in enumerate(lines) if line.startswith("studio: error:")]
    assert len(starts) == 1, result.stderr
    block = [lines[starts[0]]]
    block += [line for line in lines[starts[0] + 1 :] if line.startswith("  ")]
    return block


def three_problem_show(data: dict) -> dict:
    """A bad canvas width, an unknown source kind and a layer pointing at a missing source."""
    data["canvas"]["width"] = 1921
    data["sources"][1]["kind"] = "hologram"
    data["scenes"][2]["layers"] = [{"source": "front"}, {"source": "nobody"}]
    return data


def test_a_show_with_several_problems_reports_them_all_in_file_order(tmp_path, demo_show_data):
    path = write_show(tmp_path, three_problem_show(demo_show_data))
    block = error_block(run_studio("run", "--show", path, "--virtual-clock", "--duration", "0.1"))
    assert block[0] == f"studio: error: {path}: 3 problems:"
    assert len(block) == 4, block
    canvas, kind, layer = block[1:]
    assert canvas.startswith("  canvas.width: ") and "multiple of 2" in canvas and "1921" in canvas
    assert kind.startswith("  sources[1].kind: ") and "'hologram'" in kind and "test_pattern" in kind
    assert layer.startswith("  scenes[2].layers[1].source: ") and "'nobody'" in layer and "FRONT" in layer


def test_all_problems_come_as_one_show_problems_error_in_a_stable_order(demo_show_data):
    data = three_problem_show(demo_show_data)
    data["sources"][3]["settings"]["colour"] = "reddish"  # a source's settings have their problems too
    data["program_scene"] = "NOWHERE"
    with pytest.raises(ShowProblems) as raised:
        parse_show(data, file="shop.json")
    fields = [problem.field for problem in raised.value.problems]
    # The order of the file: canvas, sources, scenes, program_scene (as demo_show_data lists them).
    assert fields == ["canvas.width", "sources[1].kind", "sources[3].settings.colour", "scenes[2].layers[1].source", "program_scene"]
    assert isinstance(raised.value, InputError) and raised.value.field == "canvas.width"
    assert raised.value.file == "shop.json"
    with pytest.raises(ShowProblems) as again:
        parse_show(data, file="shop.json")
    assert str(again.value) == str(raised.value)
    # Another key order in the file, another order of problems: program_scene moved first.
    reordered = {"program_scene": data["program_scene"], **{k: v for k, v in data.items() if k != "program_scene"}}
    with pytest.raises(ShowProblems) as moved:
        parse_show(reordered, file="shop.json")
    assert moved.value.problems[0].field == "program_scene"


def test_a_single_problem_keeps_the_one_line_form(demo_show_data):
    demo_show_data["canvas"]["width"] = 1921
    with pytest.raises(ShowProblems) as raised:
        parse_show(demo_show_data, file="shop.json")
    assert "\n" not in str(raised.value)
    assert str(raised.value).startswith("shop.json: canvas.width: Input should be a multiple of 2")


def test_links_are_checked_in_the_rest_of_a_show_with_bad_fields_and_named_where_they_are(demo_show_data):
    data = demo_show_data
    data["scenes"][0]["id"] = ""  # scenes[0] cannot be validated: left out of the link checks
    data["scenes"][1]["layout"]["sources"] = ["ghost"]
    data["sources"][2]["name"] = ""  # BACK is bad, and BACK's scene still names it
    with pytest.raises(ShowProblems) as raised:
        parse_show(data, file="shop.json")
    problems = {problem.field: problem.message for problem in raised.value.problems}
    # scenes[1] is named as in the file, although scenes[0] was left out before checking its links.
    assert list(problems) == ["sources[2].name", "scenes[0].id", "scenes[1].layout.sources[0]"]
    assert "at least 1 character" in problems["scenes[0].id"]
    assert "'ghost'" in problems["scenes[1].layout.sources[0]"]
    # Nothing about links to what was left out (the BACK scene's source, the FRONT scene that
    # program_scene and a product name): their own problems are already listed.
    assert not any("'back'" in message or "'FRONT'" in message for message in problems.values())


def test_a_show_whose_scenes_are_unusable_still_lists_every_field_problem(demo_show_data):
    demo_show_data["scenes"] = "FRONT"
    demo_show_data["canvas"]["fps"] = 24
    with pytest.raises(ShowProblems) as raised:
        parse_show(demo_show_data, file="shop.json")
    assert [problem.field for problem in raised.value.problems] == ["canvas.fps", "scenes"]


def test_several_problems_never_quote_a_secret(tmp_path, demo_show_data):
    key, passphrase = "live_9f8e7d6c5b4a", "pp-Hidden-Phrase-77"
    demo_show_data["destinations"] = [{"id": "shop", "name": "Shop", "url": f"ftp://ingest.example/app/{key}"}]
    demo_show_data["audio_inputs"].append(
        {"id": "guest", "name": "Guest", "kind": "network", "url": f"udp://relay.example:9000?passphrase={passphrase}"}
    )
    demo_show_data["canvas"]["width"] = 1921
    block = error_block(run_studio("run", "--show", write_show(tmp_path, demo_show_data), "--duration", "0.1"))
    text = "\n".join(block)
    assert "3 problems" in block[0]
    assert "destinations[0].url" in text and "audio_inputs[2].url" in text
    assert key not in text and passphrase not in text


def test_every_missing_media_file_is_named(tmp_path, demo_show_data):
    for name in ("first", "second"):
        demo_show_data["sources"].append({"id": name, "name": name.upper(), "kind": "file", "settings": {"path": str(tmp_path / f"{name}.mp4")}})
    block = error_block(run_studio("run", "--show", write_show(tmp_path, demo_show_data), "--virtual-clock", "--duration", "0.1"))
    assert "2 problems" in block[0]
    assert block[1].startswith("  sources[5].settings.path: ") and "first.mp4" in block[1]
    assert block[2].startswith("  sources[6].settings.path: ") and "second.mp4" in block[2]


def test_unknown_source_kind(tmp_path, demo_show_data):
    demo_show_data["sources"][1]["kind"] = "hologram"
    path = write_show(tmp_path, demo_show_data)
    result = run_studio("run", "--show", path, "--virtual-clock", "--duration", "0.1")
    assert_clean_error(result, path, "sources[1]", "hologram", "test_pattern")


def test_bad_setting_value_names_the_field(tmp_path, demo_show_data):
    demo_show_data["sources"][0]["settings"]["colour"] = "reddish"
    result = run_studio("run", "--show", write_show(tmp_path, demo_show_data), "--duration", "0.1")
    assert_clean_error(result, "sources[0].settings.colour", "#1e90ff")


def test_layer_pointing_at_a_missing_source(tmp_path, demo_show_data):
    demo_show_data["scenes"][0]["layout"]["sources"] = ["nobody"]
    result = run_studio("run", "--show", write_show(tmp_path, demo_show_data), "--duration", "0.1")
    assert_clean_error(result, "scenes[0].layout.sources[0]", "'nobody'", "FRONT")


def test_malformed_json_names_line_and_column(tmp_path):
    result = run_studio("run", "--show", write_show(tmp_path, '{"scenes": [,]}'), "--duration", "0.1")
    assert_clean_error(result, "show.json", "line 1 column")


def test_missing_show_file(tmp_path):
    result = run_studio("run", "--show", str(tmp_path / "nope.json"))
    assert_clean_error(result, "nope.json", "file not found")


def test_wrong_canvas_rate(tmp_path, demo_show_data):
    demo_show_data["canvas"]["fps"] = 24
    result = run_studio("run", "--show", write_show(tmp_path, demo_show_data), "--duration", "0.1")
    assert_clean_error(result, "canvas.fps", "25")


def test_script_with_a_scene_that_does_not_exist(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"at": 1, "do": "cut", "scene": "SIDE"}, {"at": 2, "do": "cut", "scene": "TOP"}]))
    result = run_studio("run", "--virtual-clock", "--duration", "1", "--script", str(script))
    assert_clean_error(result, "script.json", "[1]", "'TOP'", "GRID")


def test_malformed_script_step(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"at": -1, "do": "cut"}]))
    result = run_studio("run", "--virtual-clock", "--duration", "1", "--script", str(script))
    assert_clean_error(result, "script.json", "at")


def test_unknown_script_command(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"at": 1, "do": "explode"}]))
    result = run_studio("run", "--virtual-clock", "--duration", "1", "--script", str(script))
    assert_clean_error(result, "script.json", "explode")


def test_missing_media_file_in_show(tmp_path, demo_show_data):
    demo_show_data["sources"].append({"id": "clip", "name": "CLIP", "kind": "file", "settings": {"path": str(tmp_path / "missing.mp4")}})
    demo_show_data["scenes"].append({"id": "clip", "name": "CLIP", "layout": {"kind": "full", "sources": ["clip"]}})
    result = run_studio("run", "--show", write_show(tmp_path, demo_show_data), "--virtual-clock", "--duration", "0.5")
    assert_clean_error(result, "sources[5].settings.path", "missing.mp4", "not found")


def test_negative_duration():
    assert_clean_error(run_studio("run", "--duration", "-3"), "--duration")


def test_version():
    result = run_studio("--version")
    assert result.returncode == 0 and result.stdout.startswith("studio ")


def test_bare_studio_without_display_says_how_to_run_headless():
    import os
    import subprocess
    import sys

    environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-m", "studio"], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 0
    assert "studio run" in result.stdout


def test_saved_show_loads_back_identically(tmp_path, demo_show_data):
    show = parse_show(demo_show_data)
    path = tmp_path / "saved.json"
    save_show(show, path)
    assert load_show(path) == show
    assert not list(tmp_path.glob(".saved.json.*"))  # no temp file left behind


def test_unsupported_schema_version(demo_show_data):
    demo_show_data["schema_version"] = 99
    with pytest.raises(InputError, match="schema_version"):
        parse_show(demo_show_data, file="x.json")


def _show_with_missing_camera(tmp_path, demo_show_data) -> str:
    demo_show_data["sources"].append(
        {"id": "cam", "name": "CAM", "kind": "camera", "settings": {"device": "/dev/video97"}}
    )
    demo_show_data["scenes"].append({"id": "cam", "name": "CAM", "layout": {"kind": "full", "sources": ["cam"]}})
    return write_show(tmp_path, demo_show_data)


def test_camera_that_does_not_exist_is_refused_with_the_field(tmp_path, demo_show_data):
    result = run_studio("run", "--show", _show_with_missing_camera(tmp_path, demo_show_data), "--duration", "0.2")
    assert_clean_error(result, "sources[5].settings.device", "/dev/video97", "--allow-missing-devices")


def test_missing_camera_allowed_shows_no_signal_and_the_show_runs(tmp_path, demo_show_data):
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"at": 0, "do": "cut", "scene": "CAM"}]))
    output = tmp_path / "out.mkv"
    result = run_studio(
        "run", "--show", _show_with_missing_camera(tmp_path, demo_show_data), "--duration", "1",
        "--allow-missing-devices", "--script", str(script), "--record", str(output),
    )
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "/dev/video97" in result.stderr
    from tests.conftest import decode_rgb_frames, median_rgb

    frames = list(decode_rgb_frames(output))
    assert len(frames) == 30
    # The NO SIGNAL slate is dark grey, nothing like the demo cameras' colours.
    assert median_rgb(frames[-1][1]).max() < 40


def test_errors_never_quote_a_secret_from_a_url(tmp_path, demo_show_data):
    secret = "sk_live_8c1f0e7d"
    demo_show_data["sources"].append(
        {"id": "guest", "name": "GUEST", "kind": "network", "settings": {"url": f"http://relay.example/{secret}"}}
    )
    result = run_studio("run", "--show", write_show(tmp_path, demo_show_data), "--duration", "0.1")
    assert_clean_error(result, "sources[5].settings.url")
    assert secret not in result.stderr
    del demo_show_data["sources"][-1]
    demo_show_data["audio_inputs"].append(
        {"id": "guest", "name": "Guest", "kind": "network", "url": f"udp://relay.example:9000?passphrase={secret}"}
    )
    result = run_studio("run", "--show", write_show(tmp_path, demo_show_data), "--duration", "0.1")
    assert_clean_error(result, "audio_inputs[2].url")
    assert secret not in result.stderr
