"""The local comments API: platform bridges POST or stream viewers' messages to the studio.

    server = CommentsApiServer(port=8765, token="...", ingest=desk.ingest)
    server.start()            # listening on 127.0.0.1 from its own thread when this returns
    ...
    server.stop()             # stores what was accepted, closes the clients, joins the thread

Endpoints (every one but /health needs the token):

- `GET /health` -> 200 `{"ok": true}`.
- `POST /comments` with one JSON message, a JSON array of them, or `{"seq": 17, "messages": [...]}`
  -> 200 `{"results": [...]}`, one result per message in order:
  `{"ok": true, "id": "m1", "platform": "douyin", "duplicate": false}` once it is stored, or
  `{"ok": false, "error": "text: too long ..."}`. Malformed JSON -> 400 `{"error": ...}`; a body
  over MAX_FRAME_BYTES -> 413; the backlog full -> 503 (with Retry-After), nothing stored.
- `GET /ws` (WebSocket): each text (or UTF-8 binary) frame is one message, an array, or the
  `{"seq": 17, "messages": [...]}` wrapper; each frame gets exactly one reply frame, in the order
  the frames came, sent after its messages are stored: `{"results": [...]}` (with `"seq"` echoed
  from a wrapper). A frame that cannot be read gets `{"error": "...", "results": []}` and the
  connection stays open.

The token is `Authorization: Bearer <token>`, or `?token=<token>` on /ws for WebSocket clients
that cannot set headers. Without it: 401 (HTTP), or the WebSocket is closed with code 4401. The
token is compared in constant time and never appears in a log line, a reply or an error (the
access log is off: a WebSocket URL carries it).

Storing: messages from every connection go through one micro-batcher (up to MAX_BATCH messages,
or what arrived until the oldest of them has waited BATCH_WINDOW_S), and each batch is one
`ingest` call on a worker thread (SQLite blocks; the event loop never waits for it). A message
is acknowledged only after the `ingest` call holding it has returned. Everything is bounded: at most
MAX_BACKLOG messages waiting to be stored (more are refused with a "busy, retry" error, not
queued), MAX_PENDING_FRAMES unanswered frames per WebSocket (then the connection is not read
until replies go out), MAX_CONNECTIONS connections, MAX_FRAME_BYTES per frame or body.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, Self

from aiohttp import WSCloseCode, WSMsgType, web

from studio.asyncio_server_thread import AsyncioServerThread
from studio.listening_address import ListeningAddress
from studio.comments.message import Comment, parse_batch
from studio.engine.errors import StudioError

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 1024 * 1024 + 64 * 1024  # 1 MiB of text and its JSON around it
# Above this aiohttp itself refuses (WebSocket close 1009, HTTP 413) without reading it all;
# between MAX_FRAME_BYTES and this the client gets a clear error and the connection stays open.
HARD_FRAME_BYTES = 2 * MAX_FRAME_BYTES
MAX_CONNECTIONS = 64
MAX_BACKLOG = 10_000  # messages accepted and not yet stored
MAX_BATCH = 100
# A message waits at most this long for others to share its batch: at 2,000 messages/s about 20
# per transaction, where the store's CPU per message is well below what it is at 10 (about 20 us)
# and near what it is at 40 (about 11 us); the acknowledgement comes a few milliseconds later.
BATCH_WINDOW_S = 0.010
MAX_PENDING_FRAMES = 256  # per WebSocket: frames read and not yet answered
CLOSE_UNAUTHORIZED = 4401
STOP_DRAIN_S = 5.0


class CommentsApiError(StudioError):
    """The comments API could not start (the port is taken, the token is empty, ...)."""


@dataclass(frozen=True)
class IngestResult:
    """What the ingest callback says about one stored message (a StoredComment fits too)."""

    rowid: int
    duplicate: bool


class _StoredLike(Protocol):
    rowid: int
    duplicate: bool


IngestCallback = Callable[[list[Comment]], Sequence[_StoredLike]]


@dataclass(frozen=True)
class ApiStats:
    received: int  # messages (array elements) received in frames and bodies that could be read
    acknowledged: int  # stored and acknowledged ok (duplicates included)
    refused: int  # answered ok=false: invalid, busy, stopping, or the store failed
    duplicates: int  # acknowledged as already stored
    batches: int  # ingest calls
    connections: int  # open TCP connections now
    backlog: int  # accepted, not yet stored, now
    frames: int  # WebSocket frames and HTTP bodies answered
    unauthorized: int  # requests and WebSockets refused for a missing or wrong token


class _FrameError(ValueError):
    """A frame or body that cannot be read at all (not JSON, too large, ...)."""


class _Job:
    """One frame's (or body's) messages: its reply is ready when the last of them is settled."""

    __slots__ = ("busy", "future", "pending", "results")

    def __init__(self, results: list[dict[str, Any] | None], pending: int, future: asyncio.Future) -> None:
        self.results = results
        self.pending = pending
        self.future = future
        self.busy = False

    def settle(self, index: int, result: dict[str, Any]) -> None:
        self.results[index] = result
        self.pending -= 1
        if self.pending == 0 and not self.future.done():
            self.future.set_result(self.results)


class _Connection:
    """An open WebSocket and its replies, answered strictly in the order its frames came."""

    __slots__ = ("replies", "writer", "ws")

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.replies: asyncio.Queue[tuple[object, asyncio.Future] | None] = asyncio.Queue(MAX_PENDING_FRAMES)
        self.writer: asyncio.Task | None = None


def _split_frame(data: object) -> tuple[object, list]:
    """(seq, the messages) of a decoded frame: one object, an array, or the seq wrapper."""
    if isinstance(data, list):
        return None, data
    if isinstance(data, dict):
        if "messages" in data:
            messages = data["messages"]
            if not isinstance(messages, list):
                raise _FrameError("messages: expected a JSON array of messages")
            return data.get("seq"), messages
        return None, [data]
    raise _FrameError(f"expected a JSON object or array, got {type(data).__name__}")


def _decode_frame(text: str) -> tuple[object, list]:
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _FrameError(f"malformed JSON: {error}") from None
    except RecursionError:
        raise _FrameError("malformed JSON: nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise _FrameError(f"malformed JSON: {error}") from None
    return _split_frame(data)


# One encoder for every reply: json.dumps with options builds a new JSONEncoder per call, which
# costs more than encoding a one-message reply.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dumps(reply: dict[str, Any]) -> str:
    return _ENCODER.encode(reply)


def check_server_options(token: str, port: int) -> None:
    """What every comments API server refuses, in the same words (thread or child process)."""
    if not isinstance(token, str) or not token.strip():
        raise CommentsApiError("comments API: a token is required (comments.api_token)")
    if not 0 <= port <= 65535:
        raise CommentsApiError(f"comments API: port must be 0..65535, got {port}")


class CommentsApiServer(ListeningAddress, AsyncioServerThread):
    port_in_use_hint = "(another studio or program listens there); choose another comments.api_port"

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
        self._token = token.encode("utf-8")
        self._ingest = ingest
        self._default_platform = default_platform
        self.max_connections = max_connections
        self.max_backlog = max_backlog
        self.max_batch = max_batch
        self.batch_window_s = batch_window_s
        self.max_frame_bytes = max_frame_bytes
        self._hard_frame_bytes = max(HARD_FRAME_BYTES, 2 * max_frame_bytes)
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread_id: int | None = None
        self._runner: web.AppRunner | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._start_error: BaseException | None = None
        self._ready = threading.Event()
        self._stopped = False
        # Event-loop state (touched on the server's thread only).
        self._queue: deque[tuple[Comment, _Job, int, float]] = deque()  # (message, its frame, index, queued at)
        self._backlog = 0
        self._wake: asyncio.Event | None = None
        self._full: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._batcher: asyncio.Task | None = None
        self._connections: set[_Connection] = set()
        self._closing = False
        # Counters (ints written on the loop's thread; read from anywhere).
        self._received = 0
        self._acknowledged = 0
        self._refused = 0
        self._duplicates = 0
        self._batches = 0
        self._frames = 0
        self._unauthorized = 0

    # -- public ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.address_url("http")

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/ws"

    @property
    def running(self) -> bool:
        return self._ready.is_set() and self._start_error is None and not self._stopped

    def stats(self) -> ApiStats:
        return ApiStats(
            received=self._received,
            acknowledged=self._acknowledged,
            refused=self._refused,
            duplicates=self._duplicates,
            batches=self._batches,
            connections=self._open_connections(),
            backlog=self._backlog,
            frames=self._frames,
            unauthorized=self._unauthorized,
        )

    def start(self) -> None:
        """Listen from a new thread; returns once listening. Raises CommentsApiError when the
        address cannot be used (the port is taken...)."""
        if self._thread is not None:
            raise RuntimeError("CommentsApiServer.start() called twice")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comments-ingest")
        self._start_listening("comments-api", "comments API", CommentsApiError, self._executor)
        log.info("comments API listening on %s", self.url)

    def stop(self) -> None:
        """Store what was accepted (up to STOP_DRAIN_S), answer it, close every client, and
        stop the thread. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive() and self._start_error is None:
            future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            try:
                future.result(STOP_DRAIN_S + 10.0)
            except Exception as error:  # noqa: BLE001 - stopping must go on
                log.warning("comments API: stopping: %s", error)
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(10.0)
        if self._executor is not None:
            self._executor.shutdown(wait=True)  # no ingest call runs once stop() has returned

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- the thread -------------------------------------------------------------------------------

    async def _open(self) -> None:
        self._wake = asyncio.Event()
        self._full = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        app = web.Application(client_max_size=self._hard_frame_bytes)
        app.router.add_get("/health", self._health)
        app.router.add_post("/comments", self._post_comments)
        app.router.add_get("/ws", self._websocket)
        # access_log=None: a WebSocket URL may carry ?token=, and nothing may print it.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, keepalive_timeout=15.0, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port, backlog=128)
        await site.start()
        addresses = self._runner.addresses
        self._port = int(addresses[0][1]) if addresses else self._requested_port
        self._batcher = asyncio.get_running_loop().create_task(self._run_batches(), name="comments-api-batcher")

    async def _shutdown(self) -> None:
        self._closing = True
        assert self._idle is not None
        try:  # what was accepted is stored and answered before the clients go
            await asyncio.wait_for(self._idle.wait(), STOP_DRAIN_S)
        except TimeoutError:
            log.warning("comments API: stopping with %d message(s) not stored", len(self._queue))
        while self._queue:
            _comment, job, index, _queued_at = self._queue.popleft()
            self._backlog -= 1
            self._refused += 1
            job.settle(index, {"ok": False, "error": "not stored: the comments API is stopping; retry later"})
        await asyncio.gather(*(self._close_connection(connection) for connection in list(self._connections)), return_exceptions=True)
        if self._batcher is not None:
            self._batcher.cancel()
            await asyncio.gather(self._batcher, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()

    async def _close_connection(self, connection: _Connection) -> None:
        try:  # the replies already due go out first
            await asyncio.wait_for(connection.replies.join(), 2.0)
        except TimeoutError:
            pass
        await connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"the studio's comments API is stopping")

    # -- storing ----------------------------------------------------------------------------------

    def _submit(self, seq: object, items: list) -> tuple[asyncio.Future, _Job]:
        """Parse the messages of one frame and queue the good ones; the future gives the reply's
        results once every message is stored (or refused)."""
        loop = asyncio.get_running_loop()
        received_ns = time.monotonic_ns()
        results: list[dict[str, Any] | None] = [None] * len(items)
        accepted: list[tuple[int, Comment]] = []
        for index, parsed in enumerate(parse_batch(items, default_platform=self._default_platform, received_ns=received_ns)):
            if isinstance(parsed, Comment):
                accepted.append((index, parsed))
            else:  # a MessageError: "field: what is wrong"
                results[index] = {"ok": False, "error": str(parsed)}
        self._received += len(items)
        self._refused += len(items) - len(accepted)
        future = loop.create_future()
        job = _Job(results, len(accepted), future)
        refusal = None
        if accepted:
            if self._closing:
                refusal = "not stored: the comments API is stopping; retry later"
            elif len(accepted) > self.max_backlog:
                refusal = f"too many messages in one frame ({len(accepted)}); send at most {self.max_backlog} at a time"
            elif self._backlog + len(accepted) > self.max_backlog:
                refusal = f"busy: {self._backlog} messages are waiting to be stored; retry in a moment"
                job.busy = True
        if refusal is not None:
            for index, _comment in accepted:
                results[index] = {"ok": False, "error": refusal}
            self._refused += len(accepted)
            accepted = []
            job.pending = 0
        if not accepted:
            future.set_result(results)
            return future, job
        queued_at = loop.time()
        for index, comment in accepted:
            self._queue.append((comment, job, index, queued_at))
        self._backlog += len(accepted)
        assert self._wake is not None and self._full is not None and self._idle is not None
        self._idle.clear()
        self._wake.set()
        if len(self._queue) >= self.max_batch:
            self._full.set()
        return future, job

    async def _run_batches(self) -> None:
        assert self._wake is not None and self._full is not None and self._idle is not None
        loop = asyncio.get_running_loop()
        while True:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
            # Each batch waits until its oldest message has waited batch_window_s (or the batch is
            # full): under load a batch gathers about rate x window messages, so the store runs one
            # transaction (and this process one hand-over) per window rather than one per frame.
            remaining_s = self._queue[0][3] + self.batch_window_s - loop.time()
            if len(self._queue) < self.max_batch and remaining_s > 0:
                self._full.clear()
                try:
                    await asyncio.wait_for(self._full.wait(), remaining_s)
                except TimeoutError:
                    pass
            if not self._queue:
                continue
            count = min(self.max_batch, len(self._queue))
            batch = [self._queue.popleft() for _ in range(count)]
            if len(self._queue) < self.max_batch:
                self._full.clear()
            comments = [comment for comment, _job, _index, _queued_at in batch]
            try:
                stored = await loop.run_in_executor(self._executor, self._ingest, comments)
                if len(stored) != len(comments):
                    raise RuntimeError(f"ingest returned {len(stored)} results for {len(comments)} messages")
            except asyncio.CancelledError:
                for _comment, job, index, _queued_at in batch:
                    self._refused += 1
                    job.settle(index, {"ok": False, "error": "not stored: the comments API is stopping; retry later"})
                raise
            except Exception as error:  # noqa: BLE001 - the store failing must not stop the API
                log.error("comments API: storing a batch of %d message(s) failed: %s: %s", count, type(error).__name__, error)
                self._refused += count
                for _comment, job, index, _queued_at in batch:
                    job.settle(index, {"ok": False, "error": f"not stored: the store failed ({type(error).__name__}); retry"})
            else:
                self._batches += 1
                for (comment, job, index, _queued_at), result in zip(batch, stored):
                    duplicate = bool(result.duplicate)
                    self._acknowledged += 1
                    self._duplicates += duplicate
                    job.settle(index, {"ok": True, "id": comment.id, "platform": comment.platform, "duplicate": duplicate})
            finally:
                self._backlog -= count
                if self._backlog == 0:
                    self._idle.set()

    # -- HTTP ---------------------------------------------------------------------------------------

    def _authorized(self, request: web.BaseRequest, *, query_allowed: bool) -> bool:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            offered = value.strip()
        elif query_allowed:
            offered = request.query.get("token", "")
        else:
            offered = ""
        return hmac.compare_digest(offered.encode("utf-8", "replace"), self._token)

    def _open_connections(self) -> int:
        runner = self._runner
        server = runner.server if runner is not None else None
        for _attempt in range(3):  # read from another thread, the set may change while it is copied
            try:
                return len(server.connections) if server is not None else 0
            except RuntimeError:
                continue
        return 0

    def _too_many_connections(self) -> bool:
        return self._open_connections() > self.max_connections

    @staticmethod
    def _error(status: int, message: str, **headers: str) -> web.Response:
        return web.json_response({"error": message}, status=status, dumps=_dumps, headers=headers or None)

    def _refuse_unauthorized(self, request: web.BaseRequest) -> web.Response:
        self._unauthorized += 1
        log.warning("comments API: refused %s %s from %s: missing or wrong token", request.method, request.path, request.remote)
        return self._error(
            401, "unauthorized: send the comments API token as 'Authorization: Bearer <token>'", **{"WWW-Authenticate": "Bearer"}
        )

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True}, dumps=_dumps)

    async def _post_comments(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request, query_allowed=False):
            return self._refuse_unauthorized(request)
        if self._too_many_connections():
            return self._error(503, f"busy: more than {self.max_connections} connections; retry later", **{"Retry-After": "1"})
        too_large = f"body too large: at most {self.max_frame_bytes} bytes per request; send fewer messages at a time"
        if request.content_length is not None and request.content_length > self._hard_frame_bytes:
            return self._error(413, too_large, Connection="close")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._error(413, too_large, Connection="close")
        if len(body) > self.max_frame_bytes:
            return self._error(413, too_large)
        try:
            seq, items = _decode_frame(body.decode("utf-8"))
        except UnicodeDecodeError as error:
            return self._error(400, f"the body is not UTF-8: {error.reason} at byte {error.start}")
        except _FrameError as error:
            return self._error(400, str(error))
        future, job = self._submit(seq, items)
        results = await future
        self._frames += 1
        reply: dict[str, Any] = {"results": results}
        if seq is not None:
            reply = {"seq": seq, "results": results}
        if job.busy:
            return web.json_response(reply, status=503, dumps=_dumps, headers={"Retry-After": "1"})
        return web.json_response(reply, dumps=_dumps)

    # -- WebSocket ----------------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=self._hard_frame_bytes, heartbeat=30.0, compress=False, timeout=5.0)
        if not self._authorized(request, query_allowed=True):
            self._unauthorized += 1
            log.warning("comments API: closed a WebSocket from %s: missing or wrong token", request.remote)
            await ws.prepare(request)
            await ws.close(code=CLOSE_UNAUTHORIZED, message=b"unauthorized: a valid comments API token is required")
            return ws
        if self._too_many_connections():
            return self._error(503, f"busy: more than {self.max_connections} connections; retry later", **{"Retry-After": "1"})
        if self._closing:
            return self._error(503, "the comments API is stopping; retry later", **{"Retry-After": "1"})
        await ws.prepare(request)
        connection = _Connection(ws)
        connection.writer = asyncio.get_running_loop().create_task(self._write_replies(connection))
        self._connections.add(connection)
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    reply = self._frame_reply(message.data)
                elif message.type == WSMsgType.BINARY:
                    try:
                        text = message.data.decode("utf-8")
                    except UnicodeDecodeError as error:
                        reply = self._ready_reply(None, f"the binary frame is not UTF-8 JSON: {error.reason} at byte {error.start}")
                    else:
                        reply = self._frame_reply(text)
                else:  # ERROR (a frame over the hard limit...): aiohttp closes the connection
                    break
                await connection.replies.put(reply)
        finally:
            try:
                connection.replies.put_nowait(None)
            except asyncio.QueueFull:
                connection.writer.cancel()
            await asyncio.gather(connection.writer, return_exceptions=True)
            self._connections.discard(connection)
        return ws

    def _ready_reply(self, seq: object, error: str) -> tuple[object, asyncio.Future]:
        future = asyncio.get_running_loop().create_future()
        future.set_result(error)
        return seq, future

    def _frame_reply(self, text: str) -> tuple[object, asyncio.Future]:
        if len(text) > self.max_frame_bytes:
            return self._ready_reply(None, f"frame too large: at most {self.max_frame_bytes} bytes per frame; send fewer messages at a time")
        try:
            seq, items = _decode_frame(text)
        except _FrameError as error:
            return self._ready_reply(None, str(error))
        future, _job = self._submit(seq, items)
        return seq, future

    async def _write_replies(self, connection: _Connection) -> None:
        broken = False
        while True:
            item = await connection.replies.get()
            try:
                if item is None:
                    return
                seq, future = item
                outcome = await future
                self._frames += 1
                if isinstance(outcome, str):
                    reply: dict[str, Any] = {"error": outcome, "results": []}
                else:
                    reply = {"results": outcome}
                if seq is not None:
                    reply = {"seq": seq, **reply}
                if not broken and not connection.ws.closed:
                    try:
                        await connection.ws.send_str(_dumps(reply))
                    except (ConnectionError, RuntimeError) as error:
                        broken = True  # keep draining, so the reader is never stuck on a full queue
                        log.debug("comments API: a WebSocket went away while answering: %s", error)
            finally:
                connection.replies.task_done()
