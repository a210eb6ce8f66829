"""Read-only Twitch chat: IRC over TLS (irc.chat.twitch.tv:6697) with IRCv3 tags -> Comments.

    chat = TwitchChat("shop_live", on_comments=desk.ingest, on_state=print)
    chat.start()   # connects, logs in, joins, reconnects by itself, from its own thread
    chat.stop()

- Anonymous by default (`NICK justinfan<digits>`, no PASS): reading public chat needs no
  account. With `oauth_token` it logs in as `nick` (`PASS oauth:<token>`); the token is never
  logged, shown in a state reason or put in an error.
- Sends `CAP REQ :twitch.tv/tags twitch.tv/commands`, then joins `#channel` once the server
  has welcomed it (001); answers PING with PONG; pings the server itself after a quiet spell
  and reconnects when it does not answer.
- PRIVMSG -> a comment: id = the `id` tag, user = `display-name` (else the nick), text with a
  /me ACTION's \\x01 wrapper removed, ts = `tmi-sent-ts` / 1000. USERNOTICE subs and gifts
  (sub, resub, subgift, submysterygift, ...) -> kind "gift", the viewer's message or else the
  `system-msg`. Every one goes through `parse_message(..., default_platform="twitch")`, so
  the same cleaning and limits apply as to the API's messages; one that fails is counted and
  dropped.
- `on_comments(list[Comment])` is called on the connector's delivery thread, in arrival order,
  with what arrived together (one read of the socket); while it runs, more lines are read and
  queued (bounded: when DELIVERY_QUEUE batches wait, reading pauses).
- RECONNECT from the server, a dropped connection, a failed connect: reconnect after 1 s,
  doubling up to 30 s, +-20% jitter (TWITCH_RECONNECT_POLICY); the delay starts over after a
  successful login. "Login authentication failed" (a bad token) is final: state "failed", no retries.
- `on_state(state, reason)`: a ChatState, "connecting", "connected" (joined), "reconnecting"
  (reason: why, and when it tries again), "failed", "stopped". Called on the connector's thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum

from studio.comments.message import Comment, MessageError, parse_message
from studio.engine.backoff import Backoff, ReconnectPolicy

log = logging.getLogger(__name__)

DEFAULT_HOST = "irc.chat.twitch.tv"
DEFAULT_TLS_PORT = 6697
CAPABILITIES = "twitch.tv/tags twitch.tv/commands"
CONNECT_TIMEOUT_S = 10.0
PING_AFTER_S = 240.0  # Twitch pings every ~5 minutes; we ask ourselves after this much silence
PONG_TIMEOUT_S = 30.0
MAX_LINE_BYTES = 16 * 1024  # tags (<= 8191) + the message (<= 512), with room to spare
DELIVERY_QUEUE = 256
TWITCH_RECONNECT_POLICY = ReconnectPolicy(first_delay_ms=1000, factor=2.0, max_delay_ms=30_000, jitter_fraction=0.2)
GIFT_NOTICES = frozenset(
    {
        "sub", "resub", "subgift", "submysterygift", "anonsubgift", "anonsubmysterygift",
        "giftpaidupgrade", "anongiftpaidupgrade", "primepaidupgrade", "standardpayforward",
        "communitypayforward",
    }
)
_CHANNEL = re.compile(r"[a-z0-9_]{1,25}")
_NICK = re.compile(r"[a-z0-9_]{1,25}")
_TAG_ESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}


class ChatState(StrEnum):
    """The connector's state as on_state reports it (a str: logs and JSON show the value)."""

    CONNECTING = "connecting"
    CONNECTED = "connected"  # logged in and joined the channel
    RECONNECTING = "reconnecting"
    FAILED = "failed"  # final: the login was refused
    STOPPED = "stopped"


StateCallback = Callable[[ChatState, str], None]


# -- IRC lines ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IrcMessage:
    command: str
    params: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    prefix: str = ""

    @property
    def nick(self) -> str:
        """The sender's nick from `nick!user@host` (or the whole prefix for a server)."""
        return self.prefix.split("!", 1)[0]

    @property
    def trailing(self) -> str:
        return self.params[-1] if self.params else ""


def unescape_tag_value(value: str) -> str:
    """IRCv3 tag value escapes: \\: -> ';', \\s -> ' ', \\\\ -> '\\', \\r, \\n; a backslash
    before any other character is dropped, and a lone one at the end too."""
    if "\\" not in value:
        return value
    out: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            if index + 1 < len(value):
                following = value[index + 1]
                out.append(_TAG_ESCAPES.get(following, following))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def parse_irc_line(line: str) -> IrcMessage | None:
    """One IRC line (without CR LF) -> IrcMessage, or None for an empty one."""
    line = line.rstrip("\r\n")
    tags: dict[str, str] = {}
    if line.startswith("@"):
        raw_tags, _, line = line[1:].partition(" ")
        for item in raw_tags.split(";"):
            if item:
                key, _, value = item.partition("=")
                tags[key] = unescape_tag_value(value)
        line = line.lstrip(" ")
    prefix = ""
    if line.startswith(":"):
        prefix, _, line = line[1:].partition(" ")
        line = line.lstrip(" ")
    if not line:
        return None
    params: list[str] = []
    while line:
        if line.startswith(":"):
            params.append(line[1:])
            break
        word, _, line = line.partition(" ")
        if word:
            params.append(word)
        line = line.lstrip(" ")
    return IrcMessage(command=params[0].upper(), params=params[1:], tags=tags, prefix=prefix)


def strip_action(text: str) -> str:
    """'\\x01ACTION waves\\x01' (a /me) -> 'waves'."""
    if text.startswith("\x01ACTION ") or text == "\x01ACTION\x01":
        text = text[len("\x01ACTION") :]
        text = text.removesuffix("\x01")
        return text.strip(" ")
    return text


def _ts_seconds(tags: dict[str, str]) -> float | None:
    try:
        return int(tags["tmi-sent-ts"]) / 1000.0
    except (KeyError, ValueError):
        return None


def _user(message: IrcMessage) -> str:
    return message.tags.get("display-name", "").strip() or message.tags.get("login", "") or message.nick


def message_to_comment(message: IrcMessage, *, received_ns: int = 0) -> Comment | None:
    """A PRIVMSG (a comment) or a sub/gift USERNOTICE (a gift) as a Comment; None for anything
    else. Raises MessageError when the message is unusable (no text, ...)."""
    if message.command == "PRIVMSG" and len(message.params) >= 2:
        data = {"text": strip_action(message.trailing), "kind": "comment"}
    elif message.command == "USERNOTICE" and message.tags.get("msg-id", "") in GIFT_NOTICES:
        text = message.trailing if len(message.params) >= 2 else ""
        data = {"text": text or message.tags.get("system-msg", ""), "kind": "gift"}
    else:
        return None
    data["id"] = message.tags.get("id") or f"nid-{uuid.uuid4().hex}"  # no tags capability: no dedup key
    data["platform"] = "twitch"
    data["user"] = _user(message)
    ts = _ts_seconds(message.tags)
    if ts is not None:
        data["ts"] = ts
    return parse_message(data, default_platform="twitch", received_ns=received_ns)


# -- the connector ------------------------------------------------------------------------------------


class _Reconnect(Exception):
    """End this connection and try again (after the backoff)."""


class _LoginFailed(Exception):
    """The server refused the login: retrying will not help."""


@dataclass(frozen=True)
class TwitchStats:
    state: ChatState
    connects: int  # successful logins
    reconnects: int  # connection attempts after the first
    comments: int  # handed to on_comments
    refused: int  # chat lines parse_message refused
    delivery_errors: int  # on_comments calls that raised


class TwitchChat:
    def __init__(
        self,
        channel: str,
        *,
        on_comments: Callable[[list[Comment]], object],
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_TLS_PORT,
        tls: bool = True,
        nick: str | None = None,
        oauth_token: str | None = None,
        on_state: StateCallback | None = None,
        reconnect_policy: ReconnectPolicy = TWITCH_RECONNECT_POLICY,
        ping_after_s: float = PING_AFTER_S,
        pong_timeout_s: float = PONG_TIMEOUT_S,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        name = channel.strip().lstrip("#").lower()
        if not _CHANNEL.fullmatch(name):
            raise ValueError(f"twitch_channel: expected a Twitch channel name (1-25 of a-z, 0-9 and _), got {channel!r}")
        token = (oauth_token or "").strip()
        if token.lower().startswith("oauth:"):
            token = token[len("oauth:") :]
        if token and not nick:
            raise ValueError("nick: required with an oauth token (the account's login name)")
        if nick is None:
            nick = f"justinfan{random.randint(10_000, 99_999_999)}"
        nick = nick.strip().lower()
        if not _NICK.fullmatch(nick):
            raise ValueError(f"nick: expected a Twitch login name (1-25 of a-z, 0-9 and _), got {nick!r}")
        self.channel = name
        self.nick = nick
        self.host = host
        self.port = port
        self.tls = tls
        self._ssl_context = ssl_context  # None: the system's CAs (tests pass one trusting their own)
        self._token = token
        self._on_comments = on_comments
        self._on_state = on_state
        self.reconnect_policy = reconnect_policy
        self.ping_after_s = ping_after_s
        self.pong_timeout_s = pong_timeout_s
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task | None = None
        self._stopping = threading.Event()
        self._state = ChatState.STOPPED
        self._connects = 0
        self._attempts = 0
        self._comments = 0
        self._refused = 0
        self._delivery_errors = 0
        self._session_logged_in = False

    # -- public -------------------------------------------------------------------------------------

    @property
    def state(self) -> ChatState:
        return self._state

    @property
    def anonymous(self) -> bool:
        return not self._token

    def stats(self) -> TwitchStats:
        return TwitchStats(self._state, self._connects, max(0, self._attempts - 1), self._comments, self._refused, self._delivery_errors)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("TwitchChat.start() called twice")
        self._thread = threading.Thread(target=self._thread_main, name=f"twitch-{self.channel}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Disconnect and end the thread (idempotent); 'stopped' is the last state reported."""
        self._stopping.set()
        loop, main = self._loop, self._main
        if loop is not None and main is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(main.cancel)
            except RuntimeError:  # the loop closed meanwhile
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    # -- the thread ----------------------------------------------------------------------------------

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            self._main = loop.create_task(self._run())
            if self._stopping.is_set():
                self._main.cancel()
            try:
                loop.run_until_complete(self._main)
            except asyncio.CancelledError:
                pass
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()
            if self._state is not ChatState.FAILED:
                self._set_state(ChatState.STOPPED, "")

    def _set_state(self, state: ChatState, reason: str) -> None:
        self._state = state
        if state in (ChatState.RECONNECTING, ChatState.FAILED):
            log.warning("twitch #%s: %s: %s", self.channel, state, reason)
        else:
            log.info("twitch #%s: %s%s", self.channel, state, f" ({reason})" if reason else "")
        if self._on_state is not None:
            try:
                self._on_state(state, reason)
            except Exception:
                log.exception("twitch: on_state raised")

    async def _run(self) -> None:
        backoff = Backoff(self.reconnect_policy)
        deliveries: asyncio.Queue[list[Comment] | None] = asyncio.Queue(DELIVERY_QUEUE)
        deliverer = asyncio.get_running_loop().create_task(self._deliver(deliveries))
        try:
            while not self._stopping.is_set():
                self._set_state(ChatState.CONNECTING, f"{self.host}:{self.port}{' (TLS)' if self.tls else ''}")
                self._attempts += 1
                self._session_logged_in = False
                try:
                    await self._session(deliveries)
                    reason = "the server closed the connection"
                except _LoginFailed as error:
                    self._set_state(ChatState.FAILED, str(error))
                    return
                except _Reconnect as error:
                    reason = str(error)
                except (OSError, asyncio.IncompleteReadError, ssl.SSLError, TimeoutError) as error:
                    reason = f"{self.host}:{self.port}: {_describe(error)}"
                except Exception as error:  # a bug of ours: say so, and keep the chat coming
                    log.exception("twitch #%s: unexpected error", self.channel)
                    reason = f"unexpected error: {type(error).__name__}"
                # After a good login the delay starts over; failing again and again, it grows.
                if self._session_logged_in:
                    backoff.reset()
                delay_s = backoff.next_delay_ms() / 1000
                self._set_state(
                    ChatState.RECONNECTING, f"{reason}; again in {delay_s:.1f} s" if delay_s >= 1 else f"{reason}; again in {delay_s:.2f} s"
                )
                await asyncio.sleep(delay_s)
        finally:
            try:
                deliveries.put_nowait(None)
            except asyncio.QueueFull:
                deliverer.cancel()
            await asyncio.gather(deliverer, return_exceptions=True)

    async def _session(self, deliveries: asyncio.Queue) -> None:
        """One connection, until it ends (always by an exception)."""
        ssl_context = (self._ssl_context or ssl.create_default_context()) if self.tls else None
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, ssl=ssl_context, server_hostname=self.host if self.tls else None, limit=MAX_LINE_BYTES),
            CONNECT_TIMEOUT_S,
        )
        try:
            send = _Sender(writer)
            await send(f"CAP REQ :{CAPABILITIES}")
            if self._token:
                await send(f"PASS oauth:{self._token}", shown="PASS oauth:****")
            await send(f"NICK {self.nick}")
            pending = b""
            awaiting_pong = False
            while True:
                timeout = self.pong_timeout_s if awaiting_pong else self.ping_after_s
                try:
                    chunk = await asyncio.wait_for(reader.read(65536), timeout)
                except TimeoutError:
                    if awaiting_pong:
                        raise _Reconnect("no answer from the server to our PING") from None
                    await send("PING :studio")
                    awaiting_pong = True
                    continue
                if not chunk:
                    raise _Reconnect("the server closed the connection")
                awaiting_pong = False
                pending += chunk
                *lines, pending = pending.split(b"\n")
                if len(pending) > MAX_LINE_BYTES:
                    log.warning("twitch #%s: dropped an over-long line (%d bytes)", self.channel, len(pending))
                    pending = b""
                batch: list[Comment] = []
                received_ns = time.monotonic_ns()
                for raw in lines:
                    message = parse_irc_line(raw.decode("utf-8", "replace"))
                    if message is None:
                        continue
                    command = message.command
                    if command == "PING":
                        await send(f"PONG :{message.trailing}" if message.params else "PONG")
                    elif command in ("PRIVMSG", "USERNOTICE"):
                        try:
                            comment = message_to_comment(message, received_ns=received_ns)
                        except MessageError as error:
                            self._refused += 1
                            log.debug("twitch #%s: dropped a message: %s", self.channel, error)
                            continue
                        if comment is not None:
                            batch.append(comment)
                    elif command == "001":
                        self._session_logged_in = True
                        self._connects += 1
                        await send(f"JOIN #{self.channel}")
                    elif command == "JOIN" and message.nick.lower() == self.nick:
                        self._set_state(ChatState.CONNECTED, f"#{self.channel}" + (" (anonymous)" if self.anonymous else f" as {self.nick}"))
                    elif command == "RECONNECT":
                        raise _Reconnect("the server asked us to reconnect (RECONNECT)")
                    elif command == "NOTICE" and not self._session_logged_in and "authentication failed" in message.trailing.lower():
                        raise _LoginFailed(f"Twitch refused the login: {message.trailing} (check the oauth token and nick)")
                    elif command == "NOTICE" and "improperly formatted auth" in message.trailing.lower():
                        raise _LoginFailed(f"Twitch refused the login: {message.trailing}")
                if batch:
                    await deliveries.put(batch)
        finally:
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 2.0)
            except (OSError, TimeoutError, ssl.SSLError):
                pass

    async def _deliver(self, deliveries: asyncio.Queue) -> None:
        loop = asyncio.get_running_loop()
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twitch-deliver")
        try:
            while True:
                batch = await deliveries.get()
                if batch is None:
                    return
                await self._deliver_one(loop, executor, batch)
        finally:
            executor.shutdown(wait=False)

    async def _deliver_one(self, loop: asyncio.AbstractEventLoop, executor: ThreadPoolExecutor, batch: list[Comment]) -> None:
        try:
            await loop.run_in_executor(executor, self._on_comments, batch)
            self._comments += len(batch)
        except Exception as error:  # noqa: BLE001 - the store failing must not end the chat
            self._delivery_errors += 1
            log.error("twitch #%s: handing %d comment(s) on failed: %s: %s", self.channel, len(batch), type(error).__name__, error)


class _Sender:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def __call__(self, line: str, *, shown: str | None = None) -> None:
        log.debug("twitch > %s", shown if shown is not None else line)
        self._writer.write(line.encode("utf-8") + b"\r\n")
        await self._writer.drain()


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "connecting timed out"
    if isinstance(error, ssl.SSLError):
        return f"TLS: {error.reason or error}"
    if isinstance(error, OSError):
        if error.errno:
            return os.strerror(error.errno)  # "Connection refused" (asyncio's own text names the address again)
        return error.strerror or str(error) or type(error).__name__
    return str(error) or type(error).__name__
