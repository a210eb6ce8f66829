"""Ports. `studio run --comments-port 0 --remote-port 0`: each server binds a port the system
picks and says which one, so nothing has to guess a free port. The tests' own servers: the proxy
binds port 0; nginx and FFmpeg, which need a port in their config, move to a new one when the one
they were given is taken before they bind (tests/servers.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

import obsws_python

from tests import servers
from tests.conftest import REPO_ROOT
from tests.servers import LOOPBACK

real_free_port = servers.free_port

ANNOUNCED_LIMIT_S = 60  # a bounded wait for the start-up lines; it ends as soon as both are out
COMMENTS_LINE = re.compile(r"studio: comments API on http://127\.0\.0\.1:(\d+) ")
REMOTE_LINE = re.compile(r"studio: remote control \(obs-websocket 5\) on ws://127\.0\.0\.1:(\d+) ")


class AnnouncedPorts:
    """Reads a child's stderr on a thread and keeps the ports its servers announce."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self.comments_port: int | None = None
        self.remote_port: int | None = None
        self.both_announced = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(stream,), name="stderr-reader", daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)
            if match := COMMENTS_LINE.match(line):
                self.comments_port = int(match.group(1))
            if match := REMOTE_LINE.match(line):
                self.remote_port = int(match.group(1))
            if self.comments_port and self.remote_port:
                self.both_announced.set()
        self.both_announced.set()  # the child is gone: whoever waits looks at what it said

    def text(self) -> str:
        self._thread.join(timeout=ANNOUNCED_LIMIT_S)
        return "".join(self.lines)


def test_port_zero_binds_a_free_port_for_each_server_and_prints_it(tmp_path):
    token, password = "ports-test-token-42", "ports-test-pw"
    app = subprocess.Popen(
        [sys.executable, "-m", "studio", "run", "--duration", "60", "--comments-port", "0", "--remote-port", "0",
         "--comments-db", str(tmp_path / "c.sqlite")],
        cwd=REPO_ROOT, env={**os.environ, "STUDIO_COMMENTS_TOKEN": token, "STUDIO_REMOTE_PASSWORD": password},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    announced = AnnouncedPorts(app.stderr)
    try:
        assert announced.both_announced.wait(ANNOUNCED_LIMIT_S), "the servers did not say where they listen"
        assert announced.comments_port and announced.remote_port, "".join(announced.lines)
        assert announced.comments_port != announced.remote_port

        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
        with direct.open(f"http://127.0.0.1:{announced.comments_port}/health", timeout=10) as reply:
            assert reply.status == 200 and json.loads(reply.read())  # the comments API is there
        client = obsws_python.ReqClient(host="127.0.0.1", port=announced.remote_port, password=password, timeout=10)
        try:
            scenes = [scene["sceneName"] for scene in client.get_scene_list().scenes]
            assert "FRONT" in scenes  # the remote control is there, on the demo show
        finally:
            client.disconnect()
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=ANNOUNCED_LIMIT_S)
    errors = announced.text()
    assert app.returncode == 0, errors
    assert token not in errors and password not in errors


def test_a_port_out_of_range_is_refused_naming_the_option(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "studio", "run", "--virtual-clock", "--duration", "1", "--comments-port", "70000",
         "--comments-db", str(tmp_path / "c.sqlite")],
        cwd=REPO_ROOT, env={**os.environ, "STUDIO_COMMENTS_TOKEN": "ports-test-token-42"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "--comments-port" in result.stderr and "0 to 65535" in result.stderr and "70000" in result.stderr


# -- the tests' external servers: a port taken before they bind is not a failure ---------------------


def ports_starting_with(taken: int, kind: int):
    """A stand-in for tests.servers.free_port whose first answer is a port someone else holds."""
    answers = [taken]

    def free_port(requested_kind: int = socket.SOCK_STREAM) -> int:
        assert requested_kind == kind
        return answers.pop(0) if answers else real_free_port(requested_kind)

    return free_port


def test_nginx_moves_to_a_new_port_when_its_first_one_is_taken(tmp_path, monkeypatch):
    with socket.create_server((LOOPBACK, 0)) as stranger:  # listening: nginx cannot bind it
        taken = stranger.getsockname()[1]
        monkeypatch.setattr(servers, "free_port", ports_starting_with(taken, socket.SOCK_STREAM))
        server = servers.RtmpServer(tmp_path / "rtmp")
        assert server.port == taken
        server.start()
        try:
            assert server.running and server.port != taken
            assert servers.bound_by(server.pid, server.port), "nginx is not the one listening"
            with socket.create_connection((LOOPBACK, server.port), timeout=10):
                pass
            server.stop()
            server.start()  # a restart comes back on the port it moved to
            assert server.running and servers.bound_by(server.pid, server.port)
        finally:
            server.stop()


def test_the_srt_listener_moves_to_a_new_port_when_its_first_one_is_taken(tmp_path, monkeypatch):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
        stranger.bind((LOOPBACK, 0))
        taken = stranger.getsockname()[1]
        monkeypatch.setattr(servers, "free_port", ports_starting_with(taken, socket.SOCK_DGRAM))
        listener = servers.SrtListener(tmp_path / "srt")
        assert listener.port == taken
        listener.start()
        try:
            assert listener.running and listener.port != taken
            assert servers.bound_by(listener.pid, listener.port, socket.SOCK_DGRAM)
            assert listener.url().endswith(f":{listener.port}")
        finally:
            listener.stop()


def test_the_proxy_binds_port_0_and_keeps_its_port_across_a_cut():
    # A target that listens, so the proxy's own connection succeeds (with nothing behind it, the
    # proxy resets the client at once, which can race the client's connect()).
    target = socket.socket()
    target.bind((LOOPBACK, 0))
    target.listen(8)
    proxy = servers.ThrottlingProxy(target.getsockname())
    proxy.start()
    try:
        port = proxy.port
        assert port > 0
        with socket.create_connection((LOOPBACK, port), timeout=10):
            pass
        proxy.cut()
        proxy.restore()
        assert proxy.port == port
        with socket.create_connection((LOOPBACK, port), timeout=10):
            pass
    finally:
        proxy.close()
        target.close()
