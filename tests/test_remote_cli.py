"""`studio run --remote-port/--remote-password`: a headless show driven by a real obs-websocket
client (obsws-python), as a Stream Deck or Companion would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import obsws_python

from tests.conftest import REPO_ROOT
from tests.servers import free_port, poll_until, tcp_port_open


def test_a_headless_show_is_driven_by_an_obs_websocket_client(tmp_path):
    port, password = free_port(), "remote-test-pw"
    app = subprocess.Popen(
        [sys.executable, "-m", "studio", "run", "--duration", "60", "--remote-port", str(port), "--comments-db", str(tmp_path / "c.sqlite")],
        cwd=REPO_ROOT, env={**os.environ, "STUDIO_REMOTE_PASSWORD": password}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        poll_until(lambda: tcp_port_open(port) or app.poll() is not None, 60, "the remote control to listen")
        assert app.poll() is None, app.stderr.read()
        client = obsws_python.ReqClient(host="127.0.0.1", port=port, password=password, timeout=10)
        try:
            scenes = [scene["sceneName"] for scene in client.get_scene_list().scenes]
            assert {"FRONT", "SIDE", "BACK", "DETAIL"} <= set(scenes)
            client.set_current_program_scene("SIDE")
            poll_until(lambda: client.get_current_program_scene().current_program_scene_name == "SIDE", 10, "program to be SIDE")
            hotkeys = client.get_hotkey_list().hotkeys
            assert "link_321" in hotkeys and "product.1" in hotkeys
            client.trigger_hotkey_by_name("link_321")
            assert client.get_input_mute("Tone").input_muted is False
        finally:
            client.disconnect()
    finally:
        app.send_signal(signal.SIGTERM)
        _, errors = app.communicate(timeout=30)
    assert app.returncode == 0, errors
    assert password not in errors


def test_the_remote_control_needs_a_password(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != "STUDIO_REMOTE_PASSWORD"}
    result = subprocess.run(
        [sys.executable, "-m", "studio", "run", "--virtual-clock", "--duration", "1", "--remote-port", str(free_port()),
         "--comments-db", str(tmp_path / "c.sqlite")],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2 and "--remote-password" in result.stderr
