"""One client of the remote control: its websocket session (as obs-websocket's
WebSocketSession), its outbox and the frames it sends and receives.

The outbox is a bounded queue of encoded messages (the server closes a client whose events
overflow it) plus one slot for the newest InputVolumeMeters, so a slow client loses old meters
rather than holding up anything. The writer task sends the queue first, then the meters; the
reader stops reading a client's requests while half its queue waits (`room`), so a client that
does not read its replies cannot pile them up.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque

import msgpack
from aiohttp import WSMsgType, web

from studio.control.remote_protocol import JSON_PROTOCOL, MSGPACK_PROTOCOL, CloseCode, CloseSession

log = logging.getLogger(__name__)


class WebSocketSession:
    """One connected client: what it negotiated, its counters and its outbox."""

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

    async def write_frames(self, resume_below: int) -> None:
        """The writer task: sends the queue, then the newest meters, until the session closes.
        Sets `room` once the queue is below `resume_below` (the reader waits for it)."""
        ws = self.ws
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while not self.closing:
                    if self.queue:
                        frame = self.queue.popleft()
                    elif self.meters is not None:
                        frame, self.meters = self.meters, None
                    else:
                        break
                    if isinstance(frame, str):
                        await ws.send_str(frame)
                    else:
                        await ws.send_bytes(frame)
                    self.outgoing += 1
                    if len(self.queue) <= resume_below:
                        self.room.set()
                if self.closing:
                    return
        except (ConnectionError, RuntimeError) as error:
            log.debug("remote control API: a client went away while sending: %s", error)
            self.closing = True
            self.room.set()

    def decode(self, message) -> object:
        """A received frame's payload in the session's encoding; None (and closing) for a frame
        that is neither text nor binary."""
        if message.type is WSMsgType.TEXT:
            if self.encoding == MSGPACK_PROTOCOL:
                raise CloseSession(CloseCode.MESSAGE_DECODE_ERROR, "Your session encoding is set to MsgPack, but a text message was received.")
            try:
                return json.loads(message.data)
            except (ValueError, RecursionError) as error:
                raise CloseSession(CloseCode.MESSAGE_DECODE_ERROR, f"Unable to decode Json: {error}"[:120]) from None
        if message.type is WSMsgType.BINARY:
            if self.encoding == JSON_PROTOCOL:
                raise CloseSession(CloseCode.MESSAGE_DECODE_ERROR, "Your session encoding is set to Json, but a binary message was received.")
            try:
                return msgpack.unpackb(message.data, raw=False)
            except Exception as error:  # noqa: BLE001 - msgpack raises many kinds for bad input
                raise CloseSession(CloseCode.MESSAGE_DECODE_ERROR, f"Unable to decode MsgPack: {type(error).__name__}"[:120]) from None
        # ERROR (a message over max_msg_size: aiohttp has closed with 1009) and the like
        self.closing = True
        return None
