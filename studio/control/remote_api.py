"""The remote control API: the obs-websocket v5 protocol (rpcVersion 1), so Stream Decks,
Touch Portal, Companion and any obs-websocket client library can drive the studio.

    server = RemoteControlServer(studio=RemoteTarget.for_session(session), port=4455, password="...")
    server.start()            # listening on 127.0.0.1 from its own thread when this returns
    ...
    server.stop()             # closes the clients (1001), stops the thread

Protocol (docs/generated/protocol.md of obsproject/obs-websocket): the server sends Hello (op 0,
with an authentication challenge when a password is set); the client answers Identify (op 1:
rpcVersion, authentication, eventSubscriptions) and gets Identified (op 2); then Request (op 6)
-> RequestResponse (op 7), RequestBatch (op 8) -> RequestBatchResponse (op 9), Reidentify (op 3)
to change the subscriptions, and Events (op 5) for what the client subscribed to. Subprotocol
"obswebsocket.json" (text frames; also when the client offers none) or "obswebsocket.msgpack"
(binary frames). What the requests and events mean in the studio is in remote_requests.py.

Closing codes, as obs-websocket: 4002 a message that cannot be decoded (or a binary frame on a
JSON session, text on MessagePack), 4003 a missing field, 4004 a field of the wrong type, 4005
a bad value, 4006 an unknown op, 4007 anything but Identify before Identified (or no Identify
within IDENTIFY_TIMEOUT_S), 4008 Identify twice, 4009 wrong or missing authentication, 4010 an
rpcVersion other than 1 (or an obs-websocket 4.x message), 4012 an unsupported batch feature;
4000 a client whose events pile up (see below) or one over MAX_CLIENTS; 1009 a message over
MAX_MESSAGE_BYTES (aiohttp's own check).

Security: listens on 127.0.0.1 unless told otherwise. With a password (the desktop app always
sets one) every client must answer the challenge: base64(sha256(base64(sha256(password + salt))
+ challenge)), compared in constant time. The password itself is never kept after start (only
the salted secret), never logged, never sent. No password (None or ""): no authentication.

Threads: aiohttp on the server's own thread and event loop; requests run one at a time on one
worker thread (engine and desk calls may take a moment: the loop never waits for them). Engine
events fire on engine threads and are handed to the loop with call_soon_threadsafe; each client
has a bounded queue (MAX_QUEUED_MESSAGES). A slow client loses old volume meters (only the
newest waits, in a slot of its own) and never blocks the engine or the other clients; if its
normal events overflow the queue, it is closed with 4000 and a reason. InputVolumeMeters are
sent every 50 ms to the clients subscribed to them (1 << 16), from the newest meters.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import functools
import hashlib
import hmac
import json
import logging
import os
import threading
from collections import deque
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Self

import msgpack
from aiohttp import WSCloseCode, WSMsgType, web

from studio.asyncio_server_thread import AsyncioServerThread
from studio.control.remote_requests import (
    OBS_VERSION,
    OBS_WEBSOCKET_VERSION,
    RPC_VERSION,
    BatchExecution,
    RemoteRequests,
    RemoteTarget,
    RequestResult,
    StudioEvents,
    Subscription,
)
from studio.engine.errors import StudioError

log = logging.getLogger(__name__)

JSON_PROTOCOL = "obswebsocket.json"
MSGPACK_PROTOCOL = "obswebsocket.msgpack"
MAX_MESSAGE_BYTES = 1024 * 1024
MAX_CLIENTS = 64
MAX_QUEUED_MESSAGES = 512  # per client: events and replies waiting to be sent
IDENTIFY_TIMEOUT_S = 10.0
METERS_INTERVAL_S = 0.05
CLOSE_TIMEOUT_S = 2.0
_START_TIMEOUT_S = 15.0


class OpCode(IntEnum):
    HELLO = 0
    IDENTIFY = 1
    IDENTIFIED = 2
    REIDENTIFY = 3
    EVENT = 5
    REQUEST = 6
    REQUEST_RESPONSE = 7
    REQUEST_BATCH = 8
    REQUEST_BATCH_RESPONSE = 9


class CloseCode(IntEnum):
    UNKNOWN_REASON = 4000
    MESSAGE_DECODE_ERROR = 4002
    MISSING_DATA_FIELD = 4003
    INVALID_DATA_FIELD_TYPE = 4004
    INVALID_DATA_FIELD_VALUE = 4005
    UNKNOWN_OP_CODE = 4006
    NOT_IDENTIFIED = 4007
    ALREADY_IDENTIFIED = 4008
    AUTHENTICATION_FAILED = 4009
    UNSUPPORTED_RPC_VERSION = 4010
    SESSION_INVALIDATED = 4011
    UNSUPPORTED_FEATURE = 4012


class RemoteApiError(StudioError):
    """The remote control API could not start (the port is taken, ...)."""


class _Close(Exception):
    """Close this session with a code and a reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class RemoteApiStats:
    clients: int  # connected now
    identified: int  # of them, identified
    requests: int  # answered (each request of a batch counts)
    events: int  # event messages queued to clients (meters included)
    meters_dropped: int  # volume meters replaced before a slow client took them
    closed_slow: int  # clients closed because their queue overflowed
    auth_failures: int


def _unsigned(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def _encode(message: dict, encoding: str) -> str | bytes:
    if encoding == MSGPACK_PROTOCOL:
        return msgpack.packb(message, use_bin_type=True, default=str)
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


def _status(result: RequestResult) -> dict[str, Any]:
    status: dict[str, Any] = {"result": result.ok, "code": int(result.code)}
    if result.comment:
        status["comment"] = result.comment
    return status


class _Session:
    __slots__ = (
        "closing",
        "encoding",
        "identified",
        "challenge",
        "incoming",
        "meters",
        "outgoing",
        "queue",
        "remote",
        "room",
        "rpc_version",
        "subscriptions",
        "wake",
        "writer",
        "ws",
    )

    def __init__(self, ws: web.WebSocketResponse, encoding: str, remote: str | None) -> None:
        self.ws = ws
        self.encoding = encoding
        self.remote = remote or "?"
        self.identified = False
        self.rpc_version = 0
        self.subscriptions = 0
        self.challenge: str | None = None
        self.incoming = 0  # messages received (GetStats)
        self.outgoing = 0  # messages sent
        self.queue: deque[str | bytes] = deque()
        self.meters: str | bytes | None = None  # the newest InputVolumeMeters, not yet sent
        self.wake = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()
        self.writer: asyncio.Task | None = None
        self.closing = False


class RemoteControlServer(AsyncioServerThread):
    def __init__(
        self,
        *,
        studio: RemoteTarget,
        host: str = "127.0.0.1",
        port: int = 4455,
        password: str | None,
        max_clients: int = MAX_CLIENTS,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        max_queued_messages: int = MAX_QUEUED_MESSAGES,
    ) -> None:
        if not 0 <= port <= 65535:
            raise RemoteApiError(f"remote control API: port must be 0..65535, got {port}")
        self.host = host
        self._requested_port = port
        self.max_clients = max_clients
        self.max_message_bytes = max_message_bytes
        self.max_queued_messages = max_queued_messages
        # Only the salted secret is kept: the password itself goes out of scope here.
        self._salt: str | None = None
        self._secret: bytes | None = None
        if password:
            self._salt = base64.b64encode(os.urandom(32)).decode("ascii")
            self._secret = _b64_sha256((password + self._salt).encode("utf-8")).encode("ascii")
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread_id: int | None = None
        self._runner: web.AppRunner | None = None
        self._executor: Any = None
        self._start_error: BaseException | None = None
        self._ready = threading.Event()
        self._stopped = False
        self._closing = False
        self._sessions: set[_Session] = set()
        self._ticker: asyncio.Task | None = None
        self.events = StudioEvents(studio, self._emit, schedule=self._schedule)
        self.requests = RemoteRequests(studio, emit=self._emit, events=self.events)
        # Counters (written on the loop's thread; read from anywhere).
        self._answered = 0
        self._events_sent = 0
        self._meters_dropped = 0
        self._closed_slow = 0
        self._auth_failures = 0

    # -- public -----------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port listened on (the actual one when 0 was asked for); the asked one before start."""
        return self._port if self._port is not None else self._requested_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}"

    @property
    def authentication_required(self) -> bool:
        return self._secret is not None

    @property
    def running(self) -> bool:
        return self._ready.is_set() and self._start_error is None and not self._stopped

    def stats(self) -> RemoteApiStats:
        sessions = list(self._sessions)
        return RemoteApiStats(
            clients=len(sessions),
            identified=sum(1 for s in sessions if s.identified),
            requests=self._answered,
            events=self._events_sent,
            meters_dropped=self._meters_dropped,
            closed_slow=self._closed_slow,
            auth_failures=self._auth_failures,
        )

    def set_studio(self, studio: RemoteTarget) -> None:
        """The session built a new engine (a show loaded): answer from it and listen to it from now on."""
        self.requests.studio = studio
        self.events.replace_studio(studio)

    def start(self) -> None:
        """Listen from a new thread; returns once listening. Raises RemoteApiError when the
        address cannot be used (the port is taken...)."""
        from concurrent.futures import ThreadPoolExecutor

        if self._thread is not None:
            raise RuntimeError("RemoteControlServer.start() called twice")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="remote-requests")
        self._thread = threading.Thread(target=self._thread_main, name="remote-api", daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT_S):
            raise RemoteApiError(f"remote control API: {self.host}:{self._requested_port} did not start listening in time")
        if self._start_error is not None:
            self._thread.join(5.0)
            self._executor.shutdown(wait=False)
            raise self._start_error
        self.events.attach()
        log.info("remote control API (obs-websocket 5) listening on %s%s", self.url, "" if self._secret else " without a password")

    def stop(self) -> None:
        """Close every client (1001) and stop the thread. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self.events.detach()
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive() and self._start_error is None:
            future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            try:
                future.result(CLOSE_TIMEOUT_S + 10.0)
            except Exception as error:  # noqa: BLE001 - stopping must go on
                log.warning("remote control API: stopping: %s", error)
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(10.0)
        if self._executor is not None:
            self._executor.shutdown(wait=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- the thread -------------------------------------------------------------------------------

    def _explain_start_error(self, error: BaseException) -> RemoteApiError:
        where = f"{self.host}:{self._requested_port}"
        if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
            return RemoteApiError(
                f"remote control API: port {self._requested_port} on {self.host} is already in use "
                "(OBS itself, or another studio, listens there); choose another port"
            )
        if isinstance(error, OSError):
            return RemoteApiError(f"remote control API: cannot listen on {where}: {error.strerror or error}")
        return RemoteApiError(f"remote control API: cannot start on {where}: {type(error).__name__}: {error}")

    async def _open(self) -> None:
        app = web.Application(client_max_size=self.max_message_bytes)
        app.router.add_get("/{tail:.*}", self._websocket)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port, backlog=128)
        await site.start()
        addresses = self._runner.addresses
        self._port = int(addresses[0][1]) if addresses else self._requested_port
        self._ticker = asyncio.get_running_loop().create_task(self._run_ticker(), name="remote-api-meters")

    async def _shutdown(self) -> None:
        self._closing = True
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
        await asyncio.gather(
            *(self._close(s, WSCloseCode.GOING_AWAY, "the studio is stopping") for s in list(self._sessions)),
            return_exceptions=True,
        )
        if self._runner is not None:
            await self._runner.cleanup()

    # -- events from any thread ---------------------------------------------------------------------

    def _emit(self, intent: int, event_type: str, data: dict | None) -> None:
        """Called by StudioEvents and RemoteRequests from engine threads, the worker or the loop."""
        loop = self._loop
        if loop is None or self._closing:
            return
        if threading.get_ident() == self._loop_thread_id:
            self._broadcast(intent, event_type, data)
            return
        try:
            loop.call_soon_threadsafe(self._broadcast, intent, event_type, data)
        except RuntimeError:  # the loop is closed: the server is stopping
            pass

    def _schedule(self, delay_s: float, callback) -> None:
        loop = self._loop
        if loop is None or self._closing:
            return
        try:
            loop.call_soon_threadsafe(loop.call_later, delay_s, callback)
        except RuntimeError:
            pass

    def _broadcast(self, intent: int, event_type: str, data: dict | None) -> None:
        message: dict[str, Any] = {"op": OpCode.EVENT, "d": {"eventType": event_type, "eventIntent": int(intent)}}
        if data is not None:
            message["d"]["eventData"] = data
        frames: dict[str, str | bytes] = {}
        for session in list(self._sessions):
            if not session.identified or session.closing or not session.subscriptions & intent:
                continue
            frame = frames.get(session.encoding)
            if frame is None:
                frame = frames[session.encoding] = _encode(message, session.encoding)
            self._events_sent += 1
            self._push(session, frame, event=True)

    def _push(self, session: _Session, frame: str | bytes, *, event: bool) -> None:
        if session.closing:
            return
        session.queue.append(frame)
        if event and len(session.queue) > self.max_queued_messages:
            self._closed_slow += 1
            session.closing = True  # nothing more is queued for it from here
            session.queue.clear()
            session.meters = None
            log.warning("remote control API: closing a client at %s that does not keep up with its events", session.remote)
            asyncio.get_running_loop().create_task(
                self._close(
                    session,
                    CloseCode.UNKNOWN_REASON,
                    f"too slow: more than {self.max_queued_messages} messages were waiting for this client",
                )
            )
            return
        session.wake.set()

    async def _run_ticker(self) -> None:
        """Every 50 ms: mute/volume changes made anywhere, and the newest meters to the clients
        subscribed to InputVolumeMeters."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += METERS_INTERVAL_S
            await asyncio.sleep(max(0.0, due - loop.time()))
            if loop.time() - due > 1.0:  # the loop was held up: do not catch up in a burst
                due = loop.time()
            try:
                self.events.poll_input_changes()
                self._send_meters()
            except Exception:  # noqa: BLE001 - the ticker must go on
                log.exception("remote control API: sending meters failed")

    def _send_meters(self) -> None:
        subscribers = [
            s for s in self._sessions if s.identified and not s.closing and s.subscriptions & Subscription.INPUT_VOLUME_METERS
        ]
        if not subscribers:
            return
        data = self.events.volume_meters()
        if data is None:
            return
        message = {
            "op": OpCode.EVENT,
            "d": {"eventType": "InputVolumeMeters", "eventIntent": int(Subscription.INPUT_VOLUME_METERS), "eventData": data},
        }
        frames: dict[str, str | bytes] = {}
        for session in subscribers:
            frame = frames.get(session.encoding)
            if frame is None:
                frame = frames[session.encoding] = _encode(message, session.encoding)
            if session.meters is not None:
                self._meters_dropped += 1
            session.meters = frame
            self._events_sent += 1
            session.wake.set()

    # -- a connection -------------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(
            protocols=(JSON_PROTOCOL, MSGPACK_PROTOCOL),
            max_msg_size=self.max_message_bytes,
            compress=False,
            timeout=CLOSE_TIMEOUT_S,
        )
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text="obs-websocket: connect with a WebSocket client\n")
        await ws.prepare(request)
        encoding = MSGPACK_PROTOCOL if ws.ws_protocol == MSGPACK_PROTOCOL else JSON_PROTOCOL
        session = _Session(ws, encoding, request.remote)
        if self._closing:
            await self._close(session, WSCloseCode.GOING_AWAY, "the studio is stopping")
            return ws
        if len(self._sessions) >= self.max_clients:
            log.warning("remote control API: refused a client from %s: %d clients already", session.remote, len(self._sessions))
            await self._close(session, CloseCode.UNKNOWN_REASON, f"too many clients: at most {self.max_clients} at once")
            return ws
        self._sessions.add(session)
        session.writer = asyncio.get_running_loop().create_task(self._write(session))
        hello: dict[str, Any] = {
            "obsStudioVersion": OBS_VERSION,
            "obsWebSocketVersion": OBS_WEBSOCKET_VERSION,
            "rpcVersion": RPC_VERSION,
        }
        if self._secret is not None:
            session.challenge = base64.b64encode(os.urandom(32)).decode("ascii")
            hello["authentication"] = {"challenge": session.challenge, "salt": self._salt}
        self._push(session, _encode({"op": OpCode.HELLO, "d": hello}, encoding), event=False)
        deadline = asyncio.get_running_loop().call_later(IDENTIFY_TIMEOUT_S, self._identify_timeout, session)
        try:
            async for message in ws:
                session.incoming += 1
                try:
                    payload = self._decode(session, message)
                    await self._process(session, payload)
                except _Close as close:
                    await self._close(session, close.code, close.reason)
                if session.closing:
                    break
                if session.identified:
                    deadline.cancel()
                while len(session.queue) > self.max_queued_messages // 2 and not session.closing:
                    session.room.clear()  # the client does not read its replies: stop reading its requests
                    await session.room.wait()
        finally:
            deadline.cancel()
            self._sessions.discard(session)
            session.closing = True
            session.wake.set()
            session.room.set()
            if session.writer is not None:
                await asyncio.gather(session.writer, return_exceptions=True)
        return ws

    def _identify_timeout(self, session: _Session) -> None:
        if not session.identified and not session.closing:
            asyncio.get_running_loop().create_task(
                self._close(session, CloseCode.NOT_IDENTIFIED, f"no Identify within {IDENTIFY_TIMEOUT_S:g} s")
            )

    async def _close(self, session: _Session, code: int, reason: str) -> None:
        session.closing = True
        session.wake.set()
        session.room.set()
        if session.ws.closed:
            return
        try:
            await asyncio.wait_for(session.ws.close(code=int(code), message=reason.encode("utf-8")[:123]), CLOSE_TIMEOUT_S)
        except (TimeoutError, ConnectionError, RuntimeError):
            pass

    async def _write(self, session: _Session) -> None:
        ws = session.ws
        try:
            while True:
                await session.wake.wait()
                session.wake.clear()
                while not session.closing:
                    if session.queue:
                        frame = session.queue.popleft()
                    elif session.meters is not None:
                        frame, session.meters = session.meters, None
                    else:
                        break
                    if isinstance(frame, str):
                        await ws.send_str(frame)
                    else:
                        await ws.send_bytes(frame)
                    session.outgoing += 1
                    if len(session.queue) <= self.max_queued_messages // 2:
                        session.room.set()
                if session.closing:
                    return
        except (ConnectionError, RuntimeError) as error:
            log.debug("remote control API: a client went away while sending: %s", error)
            session.closing = True
            session.room.set()

    def _decode(self, session: _Session, message) -> object:
        if message.type is WSMsgType.TEXT:
            if session.encoding == MSGPACK_PROTOCOL:
                raise _Close(CloseCode.MESSAGE_DECODE_ERROR, "Your session encoding is set to MsgPack, but a text message was received.")
            try:
                return json.loads(message.data)
            except (ValueError, RecursionError) as error:
                raise _Close(CloseCode.MESSAGE_DECODE_ERROR, f"Unable to decode Json: {error}"[:120]) from None
        if message.type is WSMsgType.BINARY:
            if session.encoding == JSON_PROTOCOL:
                raise _Close(CloseCode.MESSAGE_DECODE_ERROR, "Your session encoding is set to Json, but a binary message was received.")
            try:
                return msgpack.unpackb(message.data, raw=False)
            except Exception as error:  # noqa: BLE001 - msgpack raises many kinds for bad input
                raise _Close(CloseCode.MESSAGE_DECODE_ERROR, f"Unable to decode MsgPack: {type(error).__name__}"[:120]) from None
        # ERROR (a message over max_msg_size: aiohttp has closed with 1009) and the like
        session.closing = True
        return None

    # -- the protocol -------------------------------------------------------------------------------

    async def _process(self, session: _Session, message: object) -> None:
        if session.closing:
            return
        if not isinstance(message, dict):
            raise _Close(CloseCode.MESSAGE_DECODE_ERROR, "You sent a non-object payload.")
        if not session.identified and "request-type" in message:
            raise _Close(
                CloseCode.UNSUPPORTED_RPC_VERSION,
                "You appear to be attempting to connect with the pre-5.0.0 plugin protocol.",
            )
        if "op" not in message:
            raise _Close(CloseCode.UNKNOWN_OP_CODE, "Your request is missing an `op`.")
        op = message["op"]
        if not _is_number(op):
            raise _Close(CloseCode.UNKNOWN_OP_CODE, "Your `op` is not a number.")
        data = message.get("d")
        if not isinstance(data, dict):
            if data is None:
                raise _Close(CloseCode.MISSING_DATA_FIELD, "Your payload is missing data (`d`).")
            raise _Close(CloseCode.INVALID_DATA_FIELD_TYPE, "Your payload's data (`d`) is not an object.")
        if not session.identified and op != OpCode.IDENTIFY:
            raise _Close(CloseCode.NOT_IDENTIFIED, "You attempted to send a non-Identify message while not identified.")
        if op == OpCode.IDENTIFY:
            self._identify(session, data)
        elif op == OpCode.REIDENTIFY:
            session.subscriptions = self._subscriptions(data, session.subscriptions)
            self._push(session, _encode({"op": OpCode.IDENTIFIED, "d": {"negotiatedRpcVersion": session.rpc_version}}, session.encoding), event=False)
        elif op == OpCode.REQUEST:
            await self._request(session, data)
        elif op == OpCode.REQUEST_BATCH:
            await self._request_batch(session, data)
        else:
            raise _Close(CloseCode.UNKNOWN_OP_CODE, f"Unknown OpCode: {op}")

    @staticmethod
    def _subscriptions(data: dict, default: int) -> int:
        if "eventSubscriptions" not in data or data["eventSubscriptions"] is None:
            return default
        value = data["eventSubscriptions"]
        if not _unsigned(value):
            raise _Close(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `eventSubscriptions` is not an unsigned number.")
        return value

    def _authenticated(self, session: _Session, offered: str) -> bool:
        assert self._secret is not None and session.challenge is not None
        expected = _b64_sha256(self._secret + session.challenge.encode("ascii"))
        return hmac.compare_digest(expected.encode("ascii"), offered.encode("utf-8", "replace"))

    def _identify(self, session: _Session, data: dict) -> None:
        if session.identified:
            raise _Close(CloseCode.ALREADY_IDENTIFIED, "You are already Identified with the obs-websocket server.")
        if self._secret is not None:
            offered = data.get("authentication")
            reason = None
            if offered is None:
                reason = "Your payload's data is missing an `authentication` string, however authentication is required."
            elif not isinstance(offered, str):
                reason = "Your `authentication` field is not a string."
            elif not self._authenticated(session, offered):
                reason = "Authentication failed."
            if reason is not None:
                self._auth_failures += 1
                log.warning("remote control API: authentication failed for a client at %s", session.remote)
                raise _Close(CloseCode.AUTHENTICATION_FAILED, reason)
        if data.get("rpcVersion") is None:
            raise _Close(CloseCode.MISSING_DATA_FIELD, "Your payload's data is missing an `rpcVersion`.")
        rpc_version = data["rpcVersion"]
        if not _unsigned(rpc_version):
            raise _Close(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `rpcVersion` is not an unsigned number.")
        if rpc_version != RPC_VERSION:
            raise _Close(CloseCode.UNSUPPORTED_RPC_VERSION, "Your requested RPC version is not supported by this server.")
        session.subscriptions = self._subscriptions(data, int(Subscription.ALL))
        session.rpc_version = rpc_version
        session.identified = True
        log.info("remote control API: a client at %s identified", session.remote)
        self._push(session, _encode({"op": OpCode.IDENTIFIED, "d": {"negotiatedRpcVersion": rpc_version}}, session.encoding), event=False)

    async def _run(self, session: _Session, request_type: object, request_data: object, execution_type: int) -> RequestResult:
        call = functools.partial(self.requests.handle, request_type, request_data, session=session, execution_type=execution_type)
        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except RuntimeError:  # the worker is shut down: stopping
            result = RequestResult(207, comment="The studio is stopping.")
        self._answered += 1
        return result

    async def _request(self, session: _Session, data: dict) -> None:
        if "requestId" not in data:
            raise _Close(CloseCode.MISSING_DATA_FIELD, "Your payload data is missing a `requestId`.")
        if "requestType" not in data:
            raise _Close(CloseCode.MISSING_DATA_FIELD, "Your payload's data is missing an `requestType`.")
        request_type = data["requestType"]
        if not isinstance(request_type, str):
            raise _Close(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `requestType` is not a string.")
        result = await self._run(session, request_type, data.get("requestData"), BatchExecution.NONE)
        reply: dict[str, Any] = {"requestType": request_type, "requestId": data["requestId"], "requestStatus": _status(result)}
        if result.data is not None:
            reply["responseData"] = result.data
        self._push(session, _encode({"op": OpCode.REQUEST_RESPONSE, "d": reply}, session.encoding), event=False)

    async def _request_batch(self, session: _Session, data: dict) -> None:
        if "requestId" not in data:
            raise _Close(CloseCode.MISSING_DATA_FIELD, "Your payload data is missing a `requestId`.")
        execution_type = BatchExecution.SERIAL_REALTIME
        if data.get("executionType") is not None:
            value = data["executionType"]
            if not isinstance(value, int) or isinstance(value, bool):
                raise _Close(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `executionType` is not a number.")
            if value not in (BatchExecution.SERIAL_REALTIME, BatchExecution.SERIAL_FRAME, BatchExecution.PARALLEL):
                raise _Close(CloseCode.INVALID_DATA_FIELD_VALUE, "Your `executionType` has an invalid value.")
            execution_type = BatchExecution(value)
        variables = data.get("variables")
        if variables is not None:
            if not isinstance(variables, dict):
                raise _Close(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `variables` is not an object.")
            if execution_type == BatchExecution.PARALLEL:
                raise _Close(CloseCode.UNSUPPORTED_FEATURE, "Variables are not supported in Parallel mode.")
        halt_on_failure = data.get("haltOnFailure")
        if halt_on_failure is not None and not isinstance(halt_on_failure, bool):
            raise _Close(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `haltOnFailure` is not a boolean.")
        if "requests" not in data:
            raise _Close(CloseCode.MISSING_DATA_FIELD, "Your payload data is missing a `requests`.")
        requests = data["requests"]
        if not isinstance(requests, list):
            raise _Close(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `requests` is not an array.")
        values: dict[str, Any] = dict(variables or {})
        results: list[dict[str, Any]] = []
        for item in requests:
            if session.closing:
                return
            item = item if isinstance(item, dict) else {}
            request_type = item.get("requestType") if isinstance(item.get("requestType"), str) else ""
            request_data = item.get("requestData")
            inputs = item.get("inputVariables")
            if isinstance(inputs, dict) and inputs and execution_type != BatchExecution.PARALLEL:
                request_data = dict(request_data) if isinstance(request_data, dict) else {}
                for key, name in inputs.items():
                    if isinstance(name, str) and name in values:
                        request_data[key] = values[name]
            result = await self._run(session, request_type, request_data, execution_type)
            outputs = item.get("outputVariables")
            if isinstance(outputs, dict) and result.data:
                for key, field in outputs.items():
                    if isinstance(field, str) and field in result.data:
                        values[key] = result.data[field]
            entry: dict[str, Any] = {"requestType": request_type, "requestStatus": _status(result)}
            if item.get("requestId") is not None:
                entry["requestId"] = item["requestId"]
            if result.data is not None:
                entry["responseData"] = result.data
            results.append(entry)
            if halt_on_failure and not result.ok:
                break
            if result.sleep_s > 0:
                await asyncio.sleep(result.sleep_s)
        reply = {"op": OpCode.REQUEST_BATCH_RESPONSE, "d": {"requestId": data["requestId"], "results": results}}
        self._push(session, _encode(reply, session.encoding), event=False)


__all__ = [
    "CloseCode",
    "JSON_PROTOCOL",
    "MAX_CLIENTS",
    "MAX_MESSAGE_BYTES",
    "MSGPACK_PROTOCOL",
    "OpCode",
    "RemoteApiError",
    "RemoteApiStats",
    "RemoteControlServer",
    "RemoteTarget",
]
