"""The read-only Twitch chat connector against a local fake IRC server (plain TCP on loopback).

The fake server (asyncio, on its own thread) records every line a client sends and lets the
test send lines, split bytes or drop the connection. Every wait is on a queue or a condition,
bounded by WAIT_S; nothing sleeps to synchronize.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import re
import shutil
import ssl
import subprocess
import random
import threading

import pytest

from studio.comments.message import CommentKind
from studio.comments.twitch import TwitchChat, parse_irc_line, strip_action, unescape_tag_value
from studio.engine.backoff import ReconnectPolicy

WAIT_S = 10.0
CHANNEL = "shop_live"
OAUTH = "q7sekr1toauthtoken0042xyz"


class FakeIrcConnection:
    def __init__(self, loop: asyncio.AbstractEventLoop, writer: asyncio.StreamWriter) -> None:
        self._loop = loop
        self._writer = writer
        self.lines: queue.Queue[str | None] = queue.Queue()  # None: the client closed

    def expect(self) -> str | None:
        return self.lines.get(timeout=WAIT_S)

    def send_raw(self, data: bytes) -> None:
        self._loop.call_soon_threadsafe(self._writer.write, data)

    def send(self, *lines: str) -> None:
        self.send_raw("".join(f"{line}\r\n" for line in lines).encode("utf-8"))

    def drop(self) -> None:
        self._loop.call_soon_threadsafe(self._writer.transport.abort)

    def welcome(self, nick: str) -> None:
        self.send(
            f":tmi.twitch.tv 001 {nick} :Welcome, GLHF!",
            f":tmi.twitch.tv 002 {nick} :Your host is tmi.twitch.tv",
            f":tmi.twitch.tv 372 {nick} :You are in a maze of twisty passages, all alike.",
            f":tmi.twitch.tv 376 {nick} :>",
        )

    def joined(self, nick: str) -> None:
        self.send(
            f":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN #{CHANNEL}",
            f":{nick}.tmi.twitch.tv 353 {nick} = #{CHANNEL} :{nick}",
            f":{nick}.tmi.twitch.tv 366 {nick} #{CHANNEL} :End of /NAMES list",
            f"@emote-only=0;followers-only=-1;r9k=0;room-id=1337;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #{CHANNEL}",
        )


class FakeIrcServer:
    def __init__(self) -> None:
        self.connections: queue.Queue[FakeIrcConnection] = queue.Queue()
        self.count = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-irc", daemon=True)
        self.port = 0

    def start(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=ssl_context), self._loop)
        self._server = started.result(WAIT_S)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def close():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(WAIT_S)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(WAIT_S)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = FakeIrcConnection(self._loop, writer)
        self.count += 1
        self.connections.put(connection)
        try:
            async for raw in reader:
                connection.lines.put(raw.decode("utf-8").rstrip("\r\n"))
        except ConnectionError:
            pass
        finally:
            connection.lines.put(None)
            writer.close()

    def next_connection(self) -> FakeIrcConnection:
        return self.connections.get(timeout=WAIT_S)


@pytest.fixture
def irc_server():
    server = FakeIrcServer()
    server.start()
    yield server
    server.stop()


class Collector:
    """on_comments and on_state, recorded; waits end as soon as what they wait for happens."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.comments: list = []
        self.states: list[tuple[str, str]] = []
        self.threads: set[str] = set()

    def on_comments(self, comments: list) -> None:
        with self.condition:
            self.threads.add(threading.current_thread().name)
            self.comments.extend(comments)
            self.condition.notify_all()

    def on_state(self, state: str, reason: str) -> None:
        with self.condition:
            self.states.append((state, reason))
            self.condition.notify_all()

    def wait_comments(self, count: int) -> list:
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.comments) >= count, WAIT_S), self.comments
            return list(self.comments)

    def wait_state(self, state: str, occurrence: int = 1) -> list[tuple[str, str]]:
        with self.condition:
            assert self.condition.wait_for(lambda: [s for s, _ in self.states].count(state) >= occurrence, WAIT_S), self.states
            return list(self.states)


@pytest.fixture
def collector() -> Collector:
    return Collector()


def make_chat(irc_server: FakeIrcServer, collector: Collector, **options) -> TwitchChat:
    return TwitchChat(
        f"#{CHANNEL.upper()}",
        on_comments=collector.on_comments,
        on_state=collector.on_state,
        host="127.0.0.1",
        port=irc_server.port,
        tls=False,
        reconnect_policy=ReconnectPolicy(first_delay_ms=50, factor=2.0, max_delay_ms=200, jitter_fraction=0.2),
        **options,
    )


def login(connection: FakeIrcConnection) -> str:
    """The anonymous login lines, checked; returns the nick."""
    assert connection.expect() == "CAP REQ :twitch.tv/tags twitch.tv/commands"
    nick_line = connection.expect()
    assert re.fullmatch(r"NICK justinfan\d+", nick_line), nick_line
    nick = nick_line.split()[1]
    connection.welcome(nick)
    assert connection.expect() == f"JOIN #{CHANNEL}"
    connection.joined(nick)
    return nick


# -- IRC lines ------------------------------------------------------------------------------------------


def test_tag_values_are_unescaped():
    assert unescape_tag_value(r"Anna\sgifted\sa\ssub\:\sthanks\\") == "Anna gifted a sub; thanks\\"
    assert unescape_tag_value(r"line\rone\ntwo") == "line\rone\ntwo"
    assert unescape_tag_value(r"\xa\b\\\s") == "xab\\ "  # unknown escapes drop the backslash
    assert unescape_tag_value("trailing\\") == "trailing"
    assert unescape_tag_value("plain") == "plain"


def test_parse_irc_line():
    message = parse_irc_line(
        r"@badge-info=;display-name=Mr\sX;id=abc-1;tmi-sent-ts=1507246572675;flag :mrx!mrx@mrx.tmi.twitch.tv PRIVMSG #shop :hi there :)"
    )
    assert message.command == "PRIVMSG"
    assert message.params == ["#shop", "hi there :)"]
    assert message.tags == {"badge-info": "", "display-name": "Mr X", "id": "abc-1", "tmi-sent-ts": "1507246572675", "flag": ""}
    assert message.nick == "mrx"
    ping = parse_irc_line("PING :tmi.twitch.tv")
    assert (ping.command, ping.params, ping.prefix) == ("PING", ["tmi.twitch.tv"], "")
    assert parse_irc_line(":tmi.twitch.tv 001 justinfan1 :Welcome, GLHF!").params == ["justinfan1", "Welcome, GLHF!"]
    assert parse_irc_line("") is None
    assert strip_action("\x01ACTION waves\x01") == "waves"
    assert strip_action("no action") == "no action"


def test_channel_and_token_are_checked():
    with pytest.raises(ValueError, match="twitch_channel"):
        TwitchChat("not a channel!", on_comments=print)
    with pytest.raises(ValueError, match="nick: required") as refused:
        TwitchChat(CHANNEL, on_comments=print, oauth_token=OAUTH)
    assert OAUTH not in str(refused.value)
    chat = TwitchChat("#Shop_Live", on_comments=print)
    assert chat.channel == "shop_live" and chat.anonymous and re.fullmatch(r"justinfan\d+", chat.nick)


def test_backoff_doubles_from_1_s_to_30_s_with_jitter():
    policy = TwitchChat(CHANNEL, on_comments=print).reconnect_policy
    rng = random.Random(5)
    for failures, expected_ms in ((1, 1000), (2, 2000), (3, 4000), (4, 8000), (5, 16_000), (6, 30_000), (12, 30_000)):
        delays = [policy.delay_ms(failures - 1, rng) for _ in range(50)]
        assert all(0.8 * expected_ms <= delay <= min(1.2 * expected_ms, 30_000) for delay in delays), (failures, delays)
        assert len(set(delays)) > 1  # jittered


# -- against the fake server ---------------------------------------------------------------------------


def test_reads_chat_answers_ping_and_reconnects(irc_server, collector, caplog):
    caplog.set_level(logging.DEBUG)
    chat = make_chat(irc_server, collector)
    chat.start()
    try:
        first = irc_server.next_connection()
        nick = login(first)
        assert collector.wait_state("connected")[-1] == ("connected", f"#{CHANNEL} (anonymous)")
        first.send(
            ":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands",
            "@badge-info=;badges=;color=#0000FF;display-name=ShopFan;emotes=;id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;"
            "mod=0;room-id=1337;subscriber=0;tmi-sent-ts=1507246572675;turbo=0;user-id=1337;user-type= "
            f":shopfan!shopfan@shopfan.tmi.twitch.tv PRIVMSG #{CHANNEL} :How much is #3?",
            f"@display-name=小美;id=m-2;tmi-sent-ts=1507246572700 :xiaomei!xiaomei@xiaomei.tmi.twitch.tv PRIVMSG #{CHANNEL} :想要这个 😍🔥",
            rf"@display-name=;id=m-3;client-nonce=a\sb\:c\\d;tmi-sent-ts=1507246572800 :bob!bob@bob.tmi.twitch.tv PRIVMSG #{CHANNEL} :"
            "\x01ACTION waves at the camera\x01",
            rf"@display-name=Mr\sSemi\:colon\\;id=m-4;tmi-sent-ts=1507246572900 :mr!mr@mr.tmi.twitch.tv PRIVMSG #{CHANNEL} ::) <b>hi</b>",
            r"@display-name=Anna;id=gift-1;login=anna;msg-id=subgift;msg-param-recipient-display-name=Bob;"
            r"system-msg=Anna\sgifted\sa\sTier\s1\ssub\sto\sBob!;tmi-sent-ts=1507246573000 "
            f":tmi.twitch.tv USERNOTICE #{CHANNEL}",
            r"@display-name=Carl;id=resub-1;login=carl;msg-id=resub;system-msg=Carl\ssubscribed\sfor\s3\smonths.;"
            f"tmi-sent-ts=1507246573100 :tmi.twitch.tv USERNOTICE #{CHANNEL} :Great stream!",
            rf"@display-name=Raider;id=raid-1;login=raider;msg-id=raid;system-msg=5\sraiders;tmi-sent-ts=1 :tmi.twitch.tv USERNOTICE #{CHANNEL}",
            f"@login=bob;room-id=1337;target-msg-id=m-3;tmi-sent-ts=1 :tmi.twitch.tv CLEARMSG #{CHANNEL} :waves",
            "PING :tmi.twitch.tv",
        )
        assert first.expect() == "PONG :tmi.twitch.tv"
        # A line split by the network in the middle of an emoji's bytes.
        split = f"@display-name=Dee;id=m-5;tmi-sent-ts=1507246573200 :dee!dee@dee.tmi.twitch.tv PRIVMSG #{CHANNEL} :🎉 yes\r\n".encode()
        cut = split.index("🎉".encode()) + 2
        first.send_raw(split[:cut])
        first.send_raw(split[cut:])
        comments = collector.wait_comments(7)
        assert [(c.id, c.user, c.text, c.kind) for c in comments] == [
            ("b34ccfc7-4977-403a-8a94-33c6bac34fb8", "ShopFan", "How much is #3?", CommentKind.COMMENT),
            ("m-2", "小美", "想要这个 😍🔥", CommentKind.COMMENT),
            ("m-3", "bob", "waves at the camera", CommentKind.COMMENT),
            ("m-4", "Mr Semi;colon\\", ":) <b>hi</b>", CommentKind.COMMENT),
            ("gift-1", "Anna", "Anna gifted a Tier 1 sub to Bob!", CommentKind.GIFT),
            ("resub-1", "Carl", "Great stream!", CommentKind.GIFT),
            ("m-5", "Dee", "🎉 yes", CommentKind.COMMENT),
        ]
        assert all(c.platform == "twitch" for c in comments)
        assert comments[0].ts == pytest.approx(1507246572.675)
        assert comments[0].received_ns > 0
        assert collector.threads == {"twitch-deliver_0"}

        first.drop()
        reconnecting = collector.wait_state("reconnecting")[-1]
        assert reconnecting[1].startswith("the server closed the connection; again in")
        second = irc_server.next_connection()
        assert login(second) == nick  # the same login again, and JOIN again
        collector.wait_state("connected", 2)
        second.send("PING :tmi.twitch.tv")
        assert second.expect() == "PONG :tmi.twitch.tv"

        second.send(":tmi.twitch.tv RECONNECT")
        assert collector.wait_state("reconnecting", 2)[-1][1].startswith("the server asked us to reconnect")
        third = irc_server.next_connection()
        login(third)
        collector.wait_state("connected", 3)
        third.send(f"@display-name=Eve;id=m-6 :eve!eve@eve.tmi.twitch.tv PRIVMSG #{CHANNEL} :back again")
        assert collector.wait_comments(8)[-1].text == "back again"
        assert chat.stats().connects == 3 and chat.stats().reconnects == 2
    finally:
        chat.stop()
    assert collector.states[-1] == ("stopped", "")
    assert not chat._thread.is_alive()
    assert "PASS" not in caplog.text


def test_token_login_never_shows_the_token(irc_server, collector, caplog):
    caplog.set_level(logging.DEBUG)
    chat = make_chat(irc_server, collector, nick="ShopBot", oauth_token=f"oauth:{OAUTH}")
    chat.start()
    try:
        connection = irc_server.next_connection()
        assert connection.expect() == "CAP REQ :twitch.tv/tags twitch.tv/commands"
        assert connection.expect() == f"PASS oauth:{OAUTH}"
        assert connection.expect() == "NICK shopbot"
        connection.welcome("shopbot")
        assert connection.expect() == f"JOIN #{CHANNEL}"
        connection.joined("shopbot")
        assert collector.wait_state("connected")[-1] == ("connected", f"#{CHANNEL} as shopbot")
    finally:
        chat.stop()
    assert OAUTH not in caplog.text
    assert "PASS oauth:****" in caplog.text
    assert all(OAUTH not in reason for _state, reason in collector.states)


def test_a_refused_login_is_final(irc_server, collector):
    chat = make_chat(irc_server, collector, nick="shopbot", oauth_token=OAUTH)
    chat.start()
    try:
        connection = irc_server.next_connection()
        for _ in range(3):  # CAP, PASS, NICK
            connection.expect()
        connection.send(":tmi.twitch.tv NOTICE * :Login authentication failed")
        _state, reason = collector.wait_state("failed")[-1]
        assert "Login authentication failed" in reason and OAUTH not in reason
        chat._thread.join(WAIT_S)
        assert not chat._thread.is_alive()  # no retry with a token that was refused
        assert irc_server.count == 1
    finally:
        chat.stop()
    assert collector.states[-1][0] == "failed"


QUICK_RETRIES = ReconnectPolicy(first_delay_ms=10, factor=2.0, max_delay_ms=50, jitter_fraction=0.2)


def test_an_unreachable_server_is_retried_with_backoff(collector):
    with socket_closed_port() as port:
        chat = TwitchChat(
            CHANNEL, on_comments=collector.on_comments, on_state=collector.on_state, host="127.0.0.1", port=port, tls=False,
            reconnect_policy=QUICK_RETRIES,
        )
        chat.start()
        try:
            states = collector.wait_state("reconnecting", 3)
        finally:
            chat.stop()
    reasons = [reason for state, reason in states if state == "reconnecting"]
    assert all("refused" in reason.lower() for reason in reasons), reasons
    assert collector.states[-1] == ("stopped", "")


class socket_closed_port:
    """A loopback port with nothing listening (bound, never listened on, so nobody takes it)."""

    def __enter__(self) -> int:
        import socket

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        return self._socket.getsockname()[1]

    def __exit__(self, *_exc) -> None:
        self._socket.close()


def test_tls_login_checks_the_certificate(tmp_path, collector):
    """TLS as against irc.chat.twitch.tv:6697, with a certificate of our own for 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("needs the openssl command to make a test certificate: `make test` installs it (apt-get install openssl)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server = FakeIrcServer()
    server.start(server_context)
    try:
        # The system's CAs do not know our certificate: refused, and retried.
        untrusting = TwitchChat(
            CHANNEL, on_comments=collector.on_comments, on_state=collector.on_state, host="127.0.0.1", port=server.port,
            reconnect_policy=QUICK_RETRIES,
        )  # fmt: skip
        untrusting.start()
        try:
            assert "TLS" in collector.wait_state("reconnecting")[-1][1]
        finally:
            untrusting.stop()
        chat = TwitchChat(
            CHANNEL, on_comments=collector.on_comments, on_state=collector.on_state, host="127.0.0.1", port=server.port,
            ssl_context=ssl.create_default_context(cafile=str(cert)),
        )  # fmt: skip
        chat.start()
        try:
            connection = server.next_connection()  # failed handshakes never reach the handler: this is ours
            assert login(connection) == chat.nick
            assert collector.wait_state("connected")[-1] == ("connected", f"#{CHANNEL} (anonymous)")
        finally:
            chat.stop()
    finally:
        server.stop()
