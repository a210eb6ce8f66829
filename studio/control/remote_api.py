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
sets one) every client must answer the challenge (remote_handshake): the password itself is
never kept after start (only the salted secret), never logged, never sent. No password (None or
""): no authentication.

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
import functools
import logging
import threading
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import WSCloseCode, web

from studio.asyncio_server_thread import AsyncioServerThread
from studio.listening_address import ListeningAddress
from studio.control.remote_events import StudioEvents
from studio.control.remote_fields import is_number
from studio.control.remote_handshake import AuthenticationFailed, PasswordCheck, event_subscriptions, hello_data, read_identify
from studio.control.remote_protocol import (
    DEFAULT_PORT,
    JSON_PROTOCOL,
    MSGPACK_PROTOCOL,
    BatchExecution,
    CloseCode,
    CloseSession,
    OpCode,
    RequestResult,
    Subscription,
    encode_message,
    request_status,
)
from studio.control.remote_requests import RemoteRequests
from studio.control.remote_target import RemoteTarget
from studio.control.request_batch import read_batch, run_batch
from studio.control.websocket_session import WebSocketSession
from studio.engine.errors import StudioError

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 1024 * 1024
MAX_CLIENTS = 64
MAX_QUEUED_MESSAGES = 512  # per client: events and replies waiting to be sent
IDENTIFY_TIMEOUT_S = 10.0
METERS_INTERVAL_S = 0.05
CLOSE_TIMEOUT_S = 2.0


class RemoteApiError(StudioError):
    """The remote control API could not start (the port is taken, ...)."""


@dataclass(frozen=True)
class RemoteApiStats:
    clients: int  # connected now
    identified: int  # of them, identified
    requests: int  # answered (each request of a batch counts)
    events: int  # event messages queued to clients (meters included)
    meters_dropped: int  # volume meters replaced before a slow client took them
    closed_slow: int  # clients closed because their queue overflowed
    auth_failures: int


class RemoteControlServer(ListeningAddress, AsyncioServerThread):
    port_in_use_hint = "(OBS itself, or another studio, listens there); choose another port"

    def __init__(
        self,
        *,
        studio: RemoteTarget,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
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
        self._password = PasswordCheck(password)  # the salted secret; the password goes out of scope here
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
        self._sessions: set[WebSocketSession] = set()
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
    def url(self) -> str:
        return self.address_url("ws")

    @property
    def authentication_required(self) -> bool:
        return self._password.required

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
        self._start_listening("remote-api", "remote control API", RemoteApiError, self._executor)
        self.events.attach()
        log.info("remote control API (obs-websocket 5) listening on %s%s", self.url, "" if self._password.required else " without a password")

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
                frame = frames[session.encoding] = encode_message(message, session.encoding)
            self._events_sent += 1
            self._push(session, frame, event=True)

    def _push(self, session: WebSocketSession, frame: str | bytes, *, event: bool) -> None:
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
                frame = frames[session.encoding] = encode_message(message, session.encoding)
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
        session = WebSocketSession(ws, encoding, request.remote)
        if self._closing:
            await self._close(session, WSCloseCode.GOING_AWAY, "the studio is stopping")
            return ws
        if len(self._sessions) >= self.max_clients:
            log.warning("remote control API: refused a client from %s: %d clients already", session.remote, len(self._sessions))
            await self._close(session, CloseCode.UNKNOWN_REASON, f"too many clients: at most {self.max_clients} at once")
            return ws
        self._sessions.add(session)
        session.writer = asyncio.get_running_loop().create_task(session.write_frames(self.max_queued_messages // 2))
        if self._password.required:
            session.challenge = self._password.new_challenge()
        hello = hello_data(self._password, session.challenge)
        self._push(session, encode_message({"op": OpCode.HELLO, "d": hello}, encoding), event=False)
        deadline = asyncio.get_running_loop().call_later(IDENTIFY_TIMEOUT_S, self._identify_timeout, session)
        try:
            async for message in ws:
                session.incoming += 1
                try:
                    payload = session.decode(message)
                    await self._process(session, payload)
                except CloseSession as close:
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

    def _identify_timeout(self, session: WebSocketSession) -> None:
        if not session.identified and not session.closing:
            asyncio.get_running_loop().create_task(
                self._close(session, CloseCode.NOT_IDENTIFIED, f"no Identify within {IDENTIFY_TIMEOUT_S:g} s")
            )

    async def _close(self, session: WebSocketSession, code: int, reason: str) -> None:
        session.closing = True
        session.wake.set()
        session.room.set()
        if session.ws.closed:
            return
        try:
            await asyncio.wait_for(session.ws.close(code=int(code), message=reason.encode("utf-8")[:123]), CLOSE_TIMEOUT_S)
        except (TimeoutError, ConnectionError, RuntimeError):
            pass

    # -- the protocol -------------------------------------------------------------------------------

    async def _process(self, session: WebSocketSession, message: object) -> None:
        if session.closing:
            return
        if not isinstance(message, dict):
            raise CloseSession(CloseCode.MESSAGE_DECODE_ERROR, "You sent a non-object payload.")
        if not session.identified and "request-type" in message:
            raise CloseSession(
                CloseCode.UNSUPPORTED_RPC_VERSION,
                "You appear to be attempting to connect with the pre-5.0.0 plugin protocol.",
            )
        if "op" not in message:
            raise CloseSession(CloseCode.UNKNOWN_OP_CODE, "Your request is missing an `op`.")
        op = message["op"]
        if not is_number(op):
            raise CloseSession(CloseCode.UNKNOWN_OP_CODE, "Your `op` is not a number.")
        data = message.get("d")
        if not isinstance(data, dict):
            if data is None:
                raise CloseSession(CloseCode.MISSING_DATA_FIELD, "Your payload is missing data (`d`).")
            raise CloseSession(CloseCode.INVALID_DATA_FIELD_TYPE, "Your payload's data (`d`) is not an object.")
        if not session.identified and op != OpCode.IDENTIFY:
            raise CloseSession(CloseCode.NOT_IDENTIFIED, "You attempted to send a non-Identify message while not identified.")
        if op == OpCode.IDENTIFY:
            self._identify(session, data)
        elif op == OpCode.REIDENTIFY:
            session.subscriptions = event_subscriptions(data, session.subscriptions)
            self._push(session, encode_message({"op": OpCode.IDENTIFIED, "d": {"negotiatedRpcVersion": session.rpc_version}}, session.encoding), event=False)
        elif op == OpCode.REQUEST:
            await self._request(session, data)
        elif op == OpCode.REQUEST_BATCH:
            await self._request_batch(session, data)
        else:
            raise CloseSession(CloseCode.UNKNOWN_OP_CODE, f"Unknown OpCode: {op}")

    def _identify(self, session: WebSocketSession, data: dict) -> None:
        if session.identified:
            raise CloseSession(CloseCode.ALREADY_IDENTIFIED, "You are already Identified with the obs-websocket server.")
        try:
            session.rpc_version, session.subscriptions = read_identify(data, self._password, session.challenge)
        except AuthenticationFailed:
            self._auth_failures += 1
            log.warning("remote control API: authentication failed for a client at %s", session.remote)
            raise
        session.identified = True
        log.info("remote control API: a client at %s identified", session.remote)
        reply = {"op": OpCode.IDENTIFIED, "d": {"negotiatedRpcVersion": session.rpc_version}}
        self._push(session, encode_message(reply, session.encoding), event=False)

    async def _run(self, session: WebSocketSession, request_type: object, request_data: object, execution_type: int) -> RequestResult:
        call = functools.partial(self.requests.handle, request_type, request_data, session=session, execution_type=execution_type)
        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except RuntimeError:  # the worker is shut down: stopping
            result = RequestResult(207, comment="The studio is stopping.")
        self._answered += 1
        return result

    async def _request(self, session: WebSocketSession, data: dict) -> None:
        if "requestId" not in data:
            raise CloseSession(CloseCode.MISSING_DATA_FIELD, "Your payload data is missing a `requestId`.")
        if "requestType" not in data:
            raise CloseSession(CloseCode.MISSING_DATA_FIELD, "Your payload's data is missing an `requestType`.")
        request_type = data["requestType"]
        if not isinstance(request_type, str):
            raise CloseSession(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `requestType` is not a string.")
        result = await self._run(session, request_type, data.get("requestData"), BatchExecution.NONE)
        reply: dict[str, Any] = {"requestType": request_type, "requestId": data["requestId"], "requestStatus": request_status(result)}
        if result.data is not None:
            reply["responseData"] = result.data
        self._push(session, encode_message({"op": OpCode.REQUEST_RESPONSE, "d": reply}, session.encoding), event=False)

    async def _request_batch(self, session: WebSocketSession, data: dict) -> None:
        batch = read_batch(data)
        run = functools.partial(self._run, session)
        results = await run_batch(batch, run, lambda: session.closing)
        if results is None:  # the client is going: nobody to answer
            return
        reply = {"op": OpCode.REQUEST_BATCH_RESPONSE, "d": {"requestId": batch.request_id, "results": results}}
        self._push(session, encode_message(reply, session.encoding), event=False)


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
