"""Comments end to end through the real `studio run`: a pinned comment is on program within 3
frames of the pin command, the demo replay reaches the store on the show's clock, script errors
name their step, and nothing acknowledged is lost when the app is killed with SIGKILL. And in
one process: while comments flow, the program thread does none of the comment work."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import aiohttp
import numpy as np
import pytest

import studio.comments.comment_desk as comment_desk_module
import studio.comments.ingest_api as ingest_api_module
import studio.engine.engine as engine_module
from studio.app import build_engine
from studio.comments.api_process import CommentsApiProcess
from studio.comments.comment_desk import CommentDesk
from studio.comments.ingest_api import CommentsApiServer
from studio.comments.moderation import Moderator
from studio.comments.store import CommentStore
from studio.engine.graphics.comment_card import CommentCardCache, render_comment_card
from studio.engine.show import parse_show
from tests.conftest import REPO_ROOT, decode_rgb_frames, run_studio
from tests.servers import free_port, poll_until

FPS = 30
GREY = (128, 128, 128)


def grey_show(tmp_path: Path) -> Path:
    show = {
        "schema_version": 1,
        "name": "Grey comments show",
        "canvas": {"width": 1920, "height": 1080, "fps": FPS},
        "sources": [{"id": "grey", "name": "Grey", "kind": "colour", "settings": {"colour": "#808080"}}],
        "scenes": [{"id": "main", "name": "MAIN", "layout": {"kind": "full", "sources": ["grey"]}}],
        "comments": {"pin_seconds": 1.0},
    }
    path = tmp_path / "show.json"
    path.write_text(json.dumps(show))
    return path


def test_a_pinned_comment_is_on_program_within_three_frames(tmp_path):
    script = tmp_path / "script.json"
    text = "3号多少钱？<b>not bold</b> 😍"
    script.write_text(
        json.dumps(
            [
                {"at": 2.0, "do": "inject_comment", "id": "c1", "user": "小美", "text": text},
                {"at": 3.0, "do": "pin_comment", "id": "c1"},
            ],
            ensure_ascii=False,
        )
    )
    recording, database = tmp_path / "pin.mkv", tmp_path / "comments.sqlite"
    result = run_studio(
        "run", "--show", str(grey_show(tmp_path)), "--virtual-clock", "--duration", "5", "--record", str(recording),
        "--script", str(script), "--comments-db", str(database),
    )
    assert result.returncode == 0, result.stderr
    card = render_comment_card("小美", text, "script", 1920, 1080)
    x0, y0 = card.x, card.y
    x1, y1 = x0 + card.bgra.shape[1], y0 + card.bgra.shape[0]
    alpha = card.bgra[..., 3:4].astype(np.float32) / 255
    expected = np.full((y1 - y0, x1 - x0, 3), GREY, np.float32) * (1 - alpha) + card.bgra[..., 2::-1] * alpha
    background = np.full_like(expected, GREY)
    shown = []
    for _, rgb in decode_rgb_frames(recording):
        region = rgb[y0:y1, x0:x1].astype(np.float32)
        shown.append(np.abs(region - expected).mean() < np.abs(region - background).mean())
    first = shown.index(True)
    assert 90 <= first <= 93, f"pinned at frame 90, first seen on frame {first}"
    assert shown[first : first + 25] == [True] * 25  # it stays (pin_seconds 1.0 = 30 frames)...
    assert not any(shown[first + 31 :])  # ...and goes by itself
    store = CommentStore(database)
    try:
        stored = store.get("script", "c1")
        assert stored is not None and stored.comment.text == text  # markup kept literally in the store
    finally:
        store.close()


def test_the_demo_replay_reaches_the_store_on_the_show_clock(tmp_path):
    database = tmp_path / "demo.sqlite"
    result = run_studio("run", "--virtual-clock", "--duration", "5", "--comments-db", str(database))
    assert result.returncode == 0, result.stderr
    store = CommentStore(database)
    try:
        ids = {item.comment.id for item in store.recent(100)}
    finally:
        store.close()
    assert {"demo-1", "demo-2", "demo-3"} <= ids  # at 1.0, 2.5 and 4.0 s
    assert "demo-5" not in ids  # at 5.5 s: after the show ended


def test_a_bad_injected_comment_names_its_step_and_field(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"at": 1.0, "do": "inject_comment", "id": "c1", "text": "no user"}]))
    result = run_studio("run", "--show", str(grey_show(tmp_path)), "--virtual-clock", "--duration", "2", "--script", str(script),
                        "--comments-db", str(tmp_path / "c.sqlite"))
    assert result.returncode == 2
    assert str(script) in result.stderr and "[0].user" in result.stderr


def test_the_comments_api_needs_a_token(tmp_path):
    result = run_studio("run", "--virtual-clock", "--duration", "1", "--comments-port", str(free_port()), "--comments-db", str(tmp_path / "c.sqlite"))
    assert result.returncode == 2 and "--comments-token" in result.stderr


@pytest.mark.slow
def test_kill_9_during_ingestion_loses_nothing_acknowledged(tmp_path):
    port, token, database = free_port(), "kill-test-token-123", tmp_path / "kill.sqlite"
    environment = {**os.environ, "STUDIO_COMMENTS_TOKEN": token}
    app = subprocess.Popen(
        [sys.executable, "-m", "studio", "run", "--comments-port", str(port), "--comments-db", str(database)],
        cwd=REPO_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    acknowledged: list[str] = []

    async def send_until_killed() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws?token={token}") as socket:
                for batch in range(10_000):
                    messages = [{"id": f"m{batch}-{i}", "platform": "bridge", "user": f"u{i}", "text": f"想要 {batch}"} for i in range(20)]
                    await socket.send_str(json.dumps(messages, ensure_ascii=False))
                    reply = await socket.receive(timeout=10)
                    if reply.type != aiohttp.WSMsgType.TEXT:
                        return  # the app is gone
                    for result in json.loads(reply.data)["results"]:
                        if result["ok"]:
                            acknowledged.append(result["id"])
                    if batch == 40:
                        os.kill(app.pid, signal.SIGKILL)  # mid-stream, with batches in flight

    try:
        poll_until(lambda: _port_open(port) or app.poll() is not None, 60, "the comments API to listen")
        assert app.poll() is None, app.stderr.read()
        try:
            asyncio.run(send_until_killed())
        except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
            pass  # the connection dies with the app
    finally:
        if app.poll() is None:
            app.kill()
        app.wait(10)
    assert app.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 40 * 20
    store = CommentStore(database)
    try:
        missing = [message_id for message_id in acknowledged if store.get("bridge", message_id) is None]
        assert missing == [], f"{len(missing)} acknowledged messages lost, e.g. {missing[:5]}"
        assert store.count() >= len(acknowledged)
    finally:
        store.close()


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_export_comments_writes_what_the_session_stored(tmp_path):
    database = tmp_path / "demo.sqlite"
    assert run_studio("run", "--virtual-clock", "--duration", "3", "--comments-db", str(database)).returncode == 0
    result = run_studio("export-comments", str(database), str(tmp_path / "out.jsonl"))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["text"] for line in lines[:2]] == ["主播好！今天有什么新品？", "hi from Singapore 👋"]
    bad = run_studio("export-comments", str(tmp_path / "missing.sqlite"), str(tmp_path / "x.csv"))
    assert bad.returncode == 2 and "missing.sqlite" in bad.stderr


# -- the program thread does no comment work ------------------------------------------------------------

WAIT_S = 30.0
API_TOKEN = "program-thread-test-token"


class ThreadRecorder:
    """Wraps functions so that each call records (what, the calling thread's ident)."""

    def __init__(self, monkeypatch) -> None:
        self.monkeypatch = monkeypatch
        self.calls: list[tuple[str, int]] = []  # list.append is atomic: any thread may record
        self.seen: dict[str, threading.Event] = {}

    def wrap(self, owner, name: str, what: str) -> None:
        original = getattr(owner, name)
        seen = self.seen.setdefault(what, threading.Event())

        def recorded(*args, **kwargs):
            self.calls.append((what, threading.get_ident()))
            seen.set()
            return original(*args, **kwargs)

        self.monkeypatch.setattr(owner, name, recorded)


@pytest.mark.parametrize("api_class", [CommentsApiProcess, CommentsApiServer], ids=["api-process", "api-thread"])
def test_the_program_thread_does_no_comment_work(tmp_path, monkeypatch, api_class):
    """Comments through the API, a script's inject, pins (cards drawn) and the ticker, all while the
    program ticks in real time: storing, moderating, parsing, drawing cards and the ticker and
    converting them for the program all run on other threads; the program thread only places
    the ready pictures."""
    recorder = ThreadRecorder(monkeypatch)
    recorder.wrap(CommentStore, "add_many", "store")
    recorder.wrap(Moderator, "classify", "moderation")
    recorder.wrap(ingest_api_module, "parse_batch", "parse")  # the in-process API's (the child's is elsewhere)
    recorder.wrap(comment_desk_module, "parse_message", "parse")  # a script's inject
    recorder.wrap(CommentCardCache, "get", "card")
    recorder.wrap(comment_desk_module, "render_ticker", "ticker")
    recorder.wrap(engine_module, "frame_from_bgra", "overlay conversion")
    show = parse_show({
        "schema_version": 1, "name": "Program thread show", "canvas": {"width": 640, "height": 360, "fps": FPS},
        "sources": [{"id": "grey", "name": "Grey", "kind": "colour", "settings": {"colour": "#808080"}}],
        "scenes": [{"id": "main", "name": "MAIN", "layout": {"kind": "full", "sources": ["grey"]}}],
        "comments": {"pin_seconds": 1.0, "ticker": True},
    })  # fmt: skip
    engine = build_engine(show)
    program_threads: list[int] = []
    program_ticked = threading.Event()

    def on_program_stats(_stats) -> None:  # fires on the program thread
        program_threads.append(threading.get_ident())
        program_ticked.set()

    engine.events.program_stats.connect(on_program_stats)
    store = CommentStore(tmp_path / "comments.sqlite")
    desk = CommentDesk(engine, show, store)
    server = api_class(port=0, token=API_TOKEN, ingest=desk.ingest)
    engine.start()
    try:
        server.start()
        assert program_ticked.wait(WAIT_S), "the program never reported its stats"

        async def send_frames() -> list[dict]:
            headers = {"Authorization": f"Bearer {API_TOKEN}"}
            async with aiohttp.ClientSession(headers=headers) as session, session.ws_connect(server.ws_url) as ws:
                for frame in range(20):
                    await ws.send_json([{"id": f"f{frame}-{i}", "platform": "douyin", "user": "小美", "text": f"3号多少钱 {i}"} for i in range(50)])
                return [await ws.receive_json() for _ in range(20)]

        replies = asyncio.run(asyncio.wait_for(send_frames(), WAIT_S))
        assert all(result["ok"] for reply in replies for result in reply["results"])
        desk.inject({"id": "script-1", "user": "Lily", "text": "link please"})
        for stored in store.recent(3):
            desk.pin_comment(stored.rowid)
        assert recorder.seen["ticker"].wait(WAIT_S), "the ticker was never drawn"
        program_ticked.clear()
        assert program_ticked.wait(WAIT_S)  # one more second of ticks with the pictures on program
        assert store.count() == 20 * 50 + 1
    finally:
        server.stop()
        desk.close()
        engine.stop()
        store.close()
    done = {what for what, _thread in recorder.calls}
    assert {"store", "moderation", "parse", "card", "ticker", "overlay conversion"} <= done
    program_thread = program_threads[0]
    assert set(program_threads) == {program_thread}
    on_program = sorted({what for what, thread in recorder.calls if thread == program_thread})
    assert on_program == [], f"the program thread did comment work: {on_program}"
