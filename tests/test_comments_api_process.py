"""CommentsApiProcess: what only the child-process API has to get right (the endpoints and replies
are tested for both kinds in test_comments_api.py): the token stays out of the child's command
line and environment, the child's log lines reach this process, a dead child is reported, and a
child whose studio dies stops by itself. Waits are on events, pipes and pidfds, bounded."""

from __future__ import annotations

import asyncio
import logging
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

import aiohttp
import pytest

from studio.comments.api_process import CommentsApiProcess
from studio.comments.ingest_api import IngestResult

TOKEN = "tok-Sekr1t-process-0042"
WAIT_S = 30.0
REPO_ROOT = Path(__file__).resolve().parents[1]


def remember(comments):
    return [IngestResult(number, False) for number, _comment in enumerate(comments, start=1)]


@pytest.fixture
def server():
    started = CommentsApiProcess(port=0, token=TOKEN, ingest=remember)
    started.start()
    yield started
    started.stop()


def wait_for_exit(pid: int, timeout_s: float) -> bool:
    """True once the process `pid` (not necessarily our child) has ended, within timeout_s."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([descriptor], [], [], timeout_s)  # a pidfd turns readable on exit
        return bool(readable)
    finally:
        os.close(descriptor)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_token_is_neither_on_the_childs_command_line_nor_in_its_environment(server):
    assert server.pid is not None and server.pid != os.getpid()
    command_line = Path(f"/proc/{server.pid}/cmdline").read_bytes()
    environment = Path(f"/proc/{server.pid}/environ").read_bytes()
    assert b"child_main" in command_line
    assert TOKEN.encode() not in command_line and TOKEN.encode() not in environment


def test_the_childs_log_lines_reach_this_process(server, caplog):
    caplog.set_level(logging.DEBUG)

    async def go():
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{server.url}/comments", json={"id": 1}, headers={"Authorization": "Bearer wrong-0042"}) as response:
                return response.status

    assert asyncio.run(asyncio.wait_for(go(), WAIT_S)) == 401
    stats = server.stats()  # answered after the log line, on the same ordered pipe
    assert stats.unauthorized == 1
    refused = [record for record in caplog.records if "refused POST /comments" in record.getMessage()]
    assert refused and refused[0].name == "studio.comments.ingest_api" and refused[0].levelno == logging.WARNING
    assert TOKEN not in caplog.text and "wrong-0042" not in caplog.text


class _ErrorSeen(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen = threading.Event()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.seen.set()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_dead_child_is_reported_and_stop_still_returns(server):
    handler = _ErrorSeen()
    logger = logging.getLogger("studio.comments.api_process")
    logger.addHandler(handler)
    try:
        assert server.running
        os.kill(server.pid, signal.SIGKILL)
        assert handler.seen.wait(WAIT_S), "the child's death was not reported"
    finally:
        logger.removeHandler(handler)
    assert "ended unexpectedly" in handler.messages[0] and "-9" in handler.messages[0]
    assert not server.running
    server.stop()  # returns at once: nothing left to stop
    assert server.stats().received == 0


_HOST_SCRIPT = f"""
import sys
sys.path.insert(0, {str(REPO_ROOT)!r})
from studio.comments.api_process import CommentsApiProcess
from studio.comments.ingest_api import IngestResult

server = CommentsApiProcess(port=0, token={TOKEN!r}, ingest=lambda comments: [IngestResult(1, False) for _ in comments])
server.start()
print(server.pid, flush=True)
sys.stdin.read()  # until the test kills this process
"""


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs pidfds (Linux 5.3+)")
def test_the_child_stops_when_its_studio_process_dies():
    host = subprocess.Popen([sys.executable, "-c", _HOST_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        child_pid = int(host.stdout.readline())
        assert not wait_for_exit(child_pid, 0.0)  # it runs while its studio does
        host.kill()  # SIGKILL: no clean-up runs in the studio process
        host.wait(WAIT_S)
        assert wait_for_exit(child_pid, WAIT_S), "the API's process outlived its studio"
    finally:
        host.kill()
        host.wait(WAIT_S)
