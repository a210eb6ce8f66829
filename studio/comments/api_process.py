"""The local comments API in a child process: the studio's GIL never serves the network.

    server = CommentsApiProcess(port=8765, token="...", ingest=desk.ingest)
    server.start()            # the child listens on 127.0.0.1 when this returns
    ...
    server.stop()             # the child stores what it accepted, answers it, closes its clients, exits

Why a process: at thousands of messages a second, reading WebSocket frames, decoding JSON,
validating every field and writing a reply per frame is Python work, and Python work on any
thread of the studio holds the one GIL that the program thread needs between its NumPy and
OpenCV calls; each time the program thread waits for it, up to the interpreter's switch interval
(5 ms), its tick gets longer. In the child, all of that runs on the child's own GIL.

The child runs the very same `CommentsApiServer` (same endpoints, limits, replies and error
texts; see studio/comments/ingest_api.py). Only its store step crosses over: each batch of
validated messages comes here as plain tuples over a pipe, `ingest` stores it on this process's
"comments-api-bridge" thread, and the (rowid, duplicate) of each message goes back. The child
acknowledges a message only after that answer came, so "acknowledged after commit" and
"deduplicated" hold exactly as in-process; if `ingest` raises, the batch is refused ("not
stored: the store failed (OSError); retry"), as in-process.

The child is `python -c` importing this module (never the studio's own main script again), and
it talks over its stdin and stdout only. The token reaches it in the first message on its
stdin, never on a command line or in the environment. The child's log lines are forwarded to
this process's loggers (the API never logs the token). If this process dies, the child sees its
pipe close and stops; if the child dies, `running` turns False and the reason is logged.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Self

from studio.comments.ingest_api import (
    BATCH_WINDOW_S,
    MAX_BACKLOG,
    MAX_BATCH,
    MAX_CONNECTIONS,
    MAX_FRAME_BYTES,
    STOP_DRAIN_S,
    ApiStats,
    CommentsApiError,
    CommentsApiServer,
    IngestCallback,
    check_server_options,
    IngestResult,
)
from studio.comments.message import Comment, CommentKind
from studio.listening_address import ListeningAddress

log = logging.getLogger(__name__)

# Starting a Python and importing aiohttp takes about a second; more on a busy machine.
START_TIMEOUT_S = 60.0
STATS_TIMEOUT_S = 5.0
_MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a batch is at most max_batch messages of 8 KB: far below
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds studio/
_NO_STATS = ApiStats(0, 0, 0, 0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class _ChildOptions:
    """What the child needs to build its CommentsApiServer (the first message on its stdin)."""

    host: str
    port: int
    token: str
    default_platform: str
    max_connections: int
    max_backlog: int
    max_batch: int
    batch_window_s: float
    max_frame_bytes: int

    def __repr__(self) -> str:  # never the token, whatever prints this
        return f"_ChildOptions(host={self.host!r}, port={self.port})"


class _Channel:
    """Pickled messages, each after its 4-byte length, over two binary streams (the child's
    stdin and stdout): works wherever Python runs, and nothing else is written there."""

    def __init__(self, reader, writer) -> None:
        self._reader = reader
        self._writer = writer
        self._lock = threading.Lock()  # several threads send

    def send(self, message: tuple) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._writer.write(struct.pack("!I", len(data)) + data)
            self._writer.flush()

    def recv(self) -> tuple:
        """The next message; EOFError once the other side has closed (or died)."""
        (size,) = struct.unpack("!I", self._read_exactly(4))
        if size > _MAX_MESSAGE_BYTES:
            raise EOFError(f"a message of {size} bytes on the comments API pipe: the stream is broken")
        return pickle.loads(self._read_exactly(size))

    def _read_exactly(self, size: int) -> bytes:
        data = self._reader.read(size)  # a buffered reader returns short only at end-of-file
        if data is None or len(data) < size:
            raise EOFError("the comments API pipe closed")
        return data

    def close(self) -> None:
        for stream in (self._writer, self._reader):
            try:
                stream.close()
            except OSError:
                pass


def comment_to_row(comment: Comment) -> tuple:
    """A Comment as the tuple that crosses the pipe (a tuple of str/float/int pickles in C)."""
    return (comment.id, comment.platform, comment.user, comment.text, CommentKind(comment.kind).value, comment.ts, comment.received_ns)


def comment_from_row(row: Sequence) -> Comment:
    message_id, platform, user, text, kind, ts, received_ns = row
    return Comment(id=message_id, platform=platform, user=user, text=text, kind=CommentKind(kind), ts=ts, received_ns=received_ns)


class CommentsApiProcess(ListeningAddress):
    """CommentsApiServer's public surface (start, stop, port, url, ws_url, running, stats), with
    the server in a child process and `ingest` called in this one."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int,
        token: str,
        ingest: IngestCallback,
        default_platform: str = "local",
        max_connections: int = MAX_CONNECTIONS,
        max_backlog: int = MAX_BACKLOG,
        max_batch: int = MAX_BATCH,
        batch_window_s: float = BATCH_WINDOW_S,
        max_frame_bytes: int = MAX_FRAME_BYTES,
    ) -> None:
        check_server_options(token, port)
        self.host = host
        self._requested_port = port
        self._options = _ChildOptions(
            host, port, token, default_platform, max_connections, max_backlog, max_batch, batch_window_s, max_frame_bytes
        )
        self._ingest = ingest
        self._port: int | None = None
        self._process: subprocess.Popen | None = None
        self._channel: _Channel | None = None
        self._bridge: threading.Thread | None = None
        self._stats_lock = threading.Lock()  # one stats() question at a time
        self._start_answered = threading.Event()  # listening, failed, or the child ended
        self._listening = threading.Event()
        self._start_error: str | None = None
        self._stats_answered = threading.Event()
        self._child_stopped = threading.Event()
        self._child_gone = threading.Event()
        self._stats = _NO_STATS
        self._stopped = False

    # -- public ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.address_url("http")

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/ws"

    @property
    def running(self) -> bool:
        return self._listening.is_set() and not self._child_gone.is_set() and not self._stopped

    @property
    def pid(self) -> int | None:
        """The child's process id (for diagnostics); None before start."""
        return self._process.pid if self._process is not None else None

    def stats(self) -> ApiStats:
        """The child's counters, asked over the pipe (the last known ones once it has stopped)."""
        if not self.running:
            return self._stats
        with self._stats_lock:
            self._stats_answered.clear()
            if self._send(("stats",)):
                self._stats_answered.wait(STATS_TIMEOUT_S)
            return self._stats

    def start(self) -> None:
        """Start the child; returns once it listens. Raises CommentsApiError when the address
        cannot be used (the port is taken...) or the child cannot start."""
        if self._process is not None:
            raise RuntimeError("CommentsApiProcess.start() called twice")
        self._process = subprocess.Popen(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {_PACKAGE_ROOT!r}); "
             "from studio.comments.api_process import child_main; child_main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Its own session: Ctrl+C in a terminal reaches the studio, which decides when this stops.
            start_new_session=sys.platform != "win32",
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )  # fmt: skip
        self._channel = _Channel(self._process.stdout, self._process.stdin)
        self._bridge = threading.Thread(target=self._bridge_main, name="comments-api-bridge", daemon=True)
        self._bridge.start()
        self._send(("options", self._options))
        answered = self._start_answered.wait(START_TIMEOUT_S)
        if not self._listening.is_set():
            if self._start_error is not None:
                reason = self._start_error  # the server's own words ("port 8765 ... is already in use")
            elif answered:
                try:
                    exit_code: int | None = self._process.wait(5.0)
                except subprocess.TimeoutExpired:
                    exit_code = None
                reason = f"comments API: the process ended while starting (exit code {exit_code})"
            else:
                reason = f"comments API: the process did not start listening within {START_TIMEOUT_S:g} s"
            self._stopped = True
            self._shut_down_child()
            raise CommentsApiError(reason)

    def stop(self) -> None:
        """Let the child store what it accepted (up to STOP_DRAIN_S), answer it, close every
        client and exit; then stop the bridge. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._process is None:
            return
        if self._send(("stop",)):
            self._child_stopped.wait(STOP_DRAIN_S + 15.0)  # the bridge keeps storing while the child drains
        self._shut_down_child()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- this side ------------------------------------------------------------------------------

    def _send(self, message: tuple) -> bool:
        try:
            self._channel.send(message)
            return True
        except (OSError, ValueError):  # the child is gone (or its pipe was closed)
            return False

    def _shut_down_child(self) -> None:
        process = self._process
        try:
            process.stdin.close()  # end-of-file: a child still reading stops by itself
        except OSError:
            pass
        try:
            process.wait(10.0)
        except subprocess.TimeoutExpired:
            log.warning("comments API: the process did not stop in time; ending it")
            process.kill()
            process.wait(5.0)
        if self._bridge is not None:
            self._bridge.join(10.0)
        self._channel.close()

    def _bridge_main(self) -> None:
        """Read what the child says until it closes its end: batches to store, answers, logs."""
        try:
            while True:
                try:
                    message = self._channel.recv()
                except (EOFError, OSError, pickle.UnpicklingError):
                    break
                kind = message[0]
                if kind == "batch":
                    self._send(self._store(message[1]))
                elif kind == "log":
                    _kind, level, name, text = message
                    logging.getLogger(name).log(level, "%s", text)
                elif kind == "stats":
                    self._stats = ApiStats(*message[1])
                    self._stats_answered.set()
                elif kind == "listening":
                    self._port = message[1]
                    self._listening.set()
                    self._start_answered.set()
                elif kind == "failed":
                    self._start_error = message[1]
                    self._start_answered.set()
                elif kind == "stopped":
                    self._stats = ApiStats(*message[1])
                    self._child_stopped.set()
        finally:
            self._child_gone.set()
            self._start_answered.set()
            self._stats_answered.set()
            if self._listening.is_set() and not self._stopped:
                try:  # its pipe closes a moment before it can be reaped
                    exit_code: int | None = self._process.wait(5.0)
                except subprocess.TimeoutExpired:
                    exit_code = None
                log.error("comments API: its process ended unexpectedly (exit code %s); bridges can no longer send comments",
                          exit_code)  # fmt: skip

    def _store(self, rows: list[tuple]) -> tuple:
        try:
            stored = self._ingest([comment_from_row(row) for row in rows])
            return ("stored", [(int(item.rowid), bool(item.duplicate)) for item in stored])
        except Exception as error:  # noqa: BLE001 - the child refuses the batch; the API goes on
            return ("failed", type(error).__name__, str(error))


# -- the child ------------------------------------------------------------------------------------


class _IngestFailed(Exception):
    """A batch the studio's ingest refused, named after the original error (the reply says it)."""


_failure_types: dict[str, type[_IngestFailed]] = {}


def _failure(type_name: str, text: str) -> _IngestFailed:
    """An exception whose type name is the original's, so the client reads the same reply
    ("not stored: the store failed (OSError); retry") as from an in-process server."""
    if not type_name.isidentifier():
        type_name = "IngestError"
    failure_type = _failure_types.get(type_name)
    if failure_type is None:
        failure_type = _failure_types[type_name] = type(type_name, (_IngestFailed,), {})
    return failure_type(text)


class _ForwardingLogHandler(logging.Handler):
    """The child's log records, sent to the studio process's loggers of the same name."""

    def __init__(self, channel: _Channel) -> None:
        super().__init__(logging.DEBUG)
        self._channel = channel

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            self._channel.send(("log", record.levelno, record.name, text))
        except Exception:  # noqa: BLE001 - a log line must never break the API
            pass


class _ChildSide:
    """The child's end: a CommentsApiServer whose ingest forwards each batch to the studio. A
    reader thread takes in everything the studio says for the child's whole life (answers keep
    coming while the server drains on stop); the main thread starts and stops the server."""

    _GONE = ("gone",)

    def __init__(self, options: _ChildOptions, channel: _Channel) -> None:
        self._channel = channel
        self._answers: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self._studio_gone = threading.Event()
        self._stop_requested = threading.Event()
        self.server = CommentsApiServer(
            host=options.host,
            port=options.port,
            token=options.token,
            ingest=self._forward,
            default_platform=options.default_platform,
            max_connections=options.max_connections,
            max_backlog=options.max_backlog,
            max_batch=options.max_batch,
            batch_window_s=options.batch_window_s,
            max_frame_bytes=options.max_frame_bytes,
        )

    def _forward(self, comments: list[Comment]) -> list[IngestResult]:
        # On the server's one ingest thread: one batch at a time crosses, so answers come in order.
        if self._studio_gone.is_set():
            raise ConnectionError("the studio process went away")
        self._channel.send(("batch", [comment_to_row(comment) for comment in comments]))
        answer = self._answers.get()
        if answer[0] == "stored":
            return [IngestResult(rowid, duplicate) for rowid, duplicate in answer[1]]
        if answer[0] == "failed":
            raise _failure(answer[1], answer[2])
        raise ConnectionError("the studio process went away")

    def _read_from_studio(self) -> None:
        try:
            while True:
                message = self._channel.recv()
                kind = message[0]
                if kind in ("stored", "failed"):
                    self._answers.put(message)
                elif kind == "stats":
                    self._channel.send(("stats", astuple(self.server.stats())))
                elif kind == "stop":
                    self._stop_requested.set()
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            pass  # the studio closed the pipe, or died
        finally:
            self._studio_gone.set()
            self._stop_requested.set()
            self._answers.put(self._GONE)  # a batch waiting for its answer is refused

    def run(self) -> None:
        try:
            self.server.start()
        except CommentsApiError as error:
            self._channel.send(("failed", str(error)))
            return
        reader = threading.Thread(target=self._read_from_studio, name="comments-api-from-studio", daemon=True)
        reader.start()
        self._channel.send(("listening", self.server.port))
        self._stop_requested.wait()
        self.server.stop()  # stores (through the studio, still answering) what was accepted
        try:
            self._channel.send(("stopped", astuple(self.server.stats())))
        except (OSError, ValueError):
            pass
        # The studio closes the pipe once it has read "stopped"; the reader then ends. A reader
        # still blocked on stdin when the interpreter shuts down would make it abort.
        reader.join(STOP_DRAIN_S)
        if reader.is_alive():
            os._exit(0)


# How much lower the child's CPU priority is than the studio's (Unix nice; 0..19). On a machine
# with few cores the program thread otherwise waits for a core behind the API's work; the child
# holds no lock the studio waits for (it has its own GIL), so yielding costs it only latency.
CHILD_NICENESS = 10


def child_main() -> None:
    """The child process: `python -c "...; child_main()"`, talking over its stdin and stdout."""
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)
    # The pipe to the studio is the real stdout; anything printed goes to stderr instead.
    to_studio = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    channel = _Channel(sys.stdin.buffer, to_studio)
    handler = _ForwardingLogHandler(channel)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)  # aiohttp's and asyncio's warnings and errors...
    logging.getLogger("studio").setLevel(logging.DEBUG)  # ...and everything the API itself says
    try:
        kind, options = channel.recv()
    except EOFError:
        return
    if kind != "options":
        return
    _ChildSide(options, channel).run()
