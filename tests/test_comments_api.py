"""The local comments API (HTTP + WebSocket) against real aiohttp clients on loopback.

Every test runs twice: with the server on its own thread of this process (CommentsApiServer)
and in its own child process (CommentsApiProcess, as in the app), where only the store step
crosses back to this process. Each test drives it from its own event loop (asyncio.run). The
store is a fake in-memory ingest callback that records every batch and marks a (platform, id)
seen before as a duplicate; it always runs in this process, so the tests can hold or fail it.
Every wait is on an event or a reply, bounded by WAIT_S; nothing sleeps to synchronize.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading

import aiohttp
import pytest

from studio.comments.api_process import CommentsApiProcess
from studio.comments.ingest_api import (
    CLOSE_UNAUTHORIZED,
    CommentsApiError,
    CommentsApiServer,
    IngestResult,
)

TOKEN = "tok-Sekr1t-comments-0042"
WAIT_S = 20.0


class FakeIngest:
    """An in-memory store: records batches, dedupes on (platform, id), can be held or failed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: list[list] = []
        self.rowids: dict[tuple[str, str], int] = {}
        self.threads: set[str] = set()
        self.entered = threading.Event()  # set when a call starts
        self.gate: threading.Event | None = None  # when set to an Event, calls wait for it
        self.fail_next = False

    def __call__(self, comments: list) -> list[IngestResult]:
        self.threads.add(threading.current_thread().name)
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(WAIT_S), "the test never released the ingest gate"
        with self.lock:
            if self.fail_next:
                self.fail_next = False
                raise OSError("disk full")
            self.batches.append(list(comments))
            results = []
            for comment in comments:
                key = (comment.platform, comment.id)
                if key in self.rowids:
                    results.append(IngestResult(self.rowids[key], True))
                else:
                    self.rowids[key] = len(self.rowids) + 1
                    results.append(IngestResult(self.rowids[key], False))
            return results

    @property
    def stored(self) -> int:
        return len(self.rowids)

    def calls_with(self, key: tuple[str, str]) -> int:
        return sum(1 for batch in self.batches for comment in batch if (comment.platform, comment.id) == key)


@pytest.fixture
def ingest() -> FakeIngest:
    return FakeIngest()


# Where the ingest callback runs: the in-process server's worker, or the bridge thread that
# answers the child process.
INGEST_THREAD = {CommentsApiServer: "comments-ingest_0", CommentsApiProcess: "comments-api-bridge"}


@pytest.fixture(params=[CommentsApiServer, CommentsApiProcess], ids=["thread", "process"])
def api_class(request):
    return request.param


@pytest.fixture
def make_server(ingest, api_class):
    servers: list = []

    def make(**options):
        options.setdefault("port", 0)
        options.setdefault("token", TOKEN)
        options.setdefault("ingest", ingest)
        server = api_class(**options)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def server(make_server):
    return make_server()


def run(coroutine):
    async def bounded():
        return await asyncio.wait_for(coroutine, WAIT_S)

    return asyncio.run(bounded())


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def message(number: int, text: str = "想要3号", platform: str = "douyin", **extra) -> dict:
    return {"id": f"m{number}", "platform": platform, "user": "小美", "text": text, "kind": "comment", "ts": 1718000000 + number, **extra}


# -- the basics ---------------------------------------------------------------------------------------


def test_binds_to_loopback_by_default_and_health_needs_no_token(server):
    assert server.host == "127.0.0.1"
    assert server.port > 0 and server.url == f"http://127.0.0.1:{server.port}"

    async def go():
        async with aiohttp.ClientSession() as session, session.get(f"{server.url}/health") as response:
            return response.status, await response.json()

    assert run(go()) == (200, {"ok": True})


def test_http_refuses_missing_and_wrong_token_without_showing_it(server, ingest, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "tok-wrong-guess-0042"

    async def go():
        answers = []
        async with aiohttp.ClientSession() as session:
            for headers, query in (({}, ""), ({"Authorization": f"Bearer {wrong}"}, ""), ({}, f"?token={TOKEN}"), ({"Authorization": TOKEN}, "")):
                async with session.post(f"{server.url}/comments{query}", json=message(1), headers=headers) as response:
                    answers.append((response.status, await response.text(), dict(response.headers)))
        return answers

    answers = run(go())
    assert [status for status, _body, _headers in answers] == [401, 401, 401, 401]  # query tokens only on /ws
    for _status, body, headers in answers:
        assert "unauthorized" in json.loads(body)["error"]
        assert TOKEN not in body and wrong not in body and TOKEN not in json.dumps(headers)
    assert ingest.stored == 0
    assert server.stats().unauthorized == 4
    assert TOKEN not in caplog.text and wrong not in caplog.text


def test_websocket_refuses_missing_or_wrong_token_with_4401(server, ingest, caplog):
    caplog.set_level(logging.DEBUG)

    async def go():
        codes = []
        async with aiohttp.ClientSession() as session:
            for url in (f"{server.url}/ws", f"{server.url}/ws?token=nope-{TOKEN[:5]}"):
                async with session.ws_connect(url) as ws:
                    reply = await ws.receive()
                    codes.append((reply.type, reply.data, reply.extra or ""))
        return codes

    for kind, code, reason in run(go()):
        assert kind == aiohttp.WSMsgType.CLOSE and code == CLOSE_UNAUTHORIZED
        assert "unauthorized" in reason and TOKEN not in reason
    assert ingest.stored == 0
    assert TOKEN not in caplog.text


def test_websocket_accepts_the_token_in_the_query(server, ingest, caplog):
    caplog.set_level(logging.DEBUG)

    async def go():
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{server.ws_url}?token={TOKEN}") as ws:
            await ws.send_json(message(1))
            return await ws.receive_json()

    assert run(go()) == {"results": [{"ok": True, "id": "m1", "platform": "douyin", "duplicate": False}]}
    assert ingest.stored == 1
    assert TOKEN not in caplog.text


def test_http_single_message_and_array(server, ingest):
    async def go():
        async with aiohttp.ClientSession(headers=auth()) as session, session.post(f"{server.url}/comments", json=message(1)) as response:
            single = (response.status, await response.json())
            batch = [message(2), {"id": "m3", "user": "bob", "text": ""}, message(4, platform="")]
            async with session.post(f"{server.url}/comments", json=batch) as response:
                array = (response.status, await response.json())
        return single, array

    single, array = run(go())
    assert single == (200, {"results": [{"ok": True, "id": "m1", "platform": "douyin", "duplicate": False}]})
    status, body = array
    assert status == 200
    assert body["results"][0] == {"ok": True, "id": "m2", "platform": "douyin", "duplicate": False}
    assert body["results"][1]["ok"] is False and body["results"][1]["error"].startswith("text: empty")
    assert body["results"][2] == {"ok": True, "id": "m4", "platform": "local", "duplicate": False}  # default platform
    assert ingest.stored == 3
    stored = {comment.id: comment for batch in ingest.batches for comment in batch}
    assert stored["m1"].user == "小美" and stored["m1"].text == "想要3号" and stored["m1"].received_ns > 0
    assert ingest.threads == {INGEST_THREAD[type(server)]}  # never on the event loop's thread


def test_http_malformed_json_is_400_saying_what_is_wrong(server, ingest):
    async def go():
        answers = []
        async with aiohttp.ClientSession(headers=auth()) as session:
            for body in (b'{"id": "m1", "user": ', b"\xff\xfe not utf-8", b"42", b'{"seq": 1, "messages": {"id": 1}}'):
                async with session.post(f"{server.url}/comments", data=body, headers={"Content-Type": "application/json"}) as response:
                    answers.append((response.status, (await response.json())["error"]))
        return answers

    answers = run(go())
    assert [status for status, _error in answers] == [400, 400, 400, 400]
    assert answers[0][1].startswith("malformed JSON: Expecting value: line 1 column")
    assert "not UTF-8" in answers[1][1]
    assert "expected a JSON object or array, got int" in answers[2][1]
    assert answers[3][1].startswith("messages: expected a JSON array")
    assert ingest.stored == 0


# -- WebSocket ------------------------------------------------------------------------------------------


def test_websocket_acks_every_frame_in_order_and_echoes_seq(server, ingest):
    frames = 60

    async def go():
        async with aiohttp.ClientSession() as session, session.ws_connect(server.ws_url, headers=auth()) as ws:
            for seq in range(frames):  # pipelined: all sent before any reply is read
                await ws.send_json({"seq": seq, "messages": [message(seq * 2), message(seq * 2 + 1)]})
            await ws.send_json([message(1000)])
            await ws.send_json(message(1001))
            return [await ws.receive_json() for _ in range(frames + 2)]

    replies = run(go())
    for seq, reply in enumerate(replies[:frames]):
        assert reply == {
            "seq": seq,
            "results": [
                {"ok": True, "id": f"m{seq * 2}", "platform": "douyin", "duplicate": False},
                {"ok": True, "id": f"m{seq * 2 + 1}", "platform": "douyin", "duplicate": False},
            ],
        }
    assert replies[frames] == {"results": [{"ok": True, "id": "m1000", "platform": "douyin", "duplicate": False}]}
    assert replies[frames + 1] == {"results": [{"ok": True, "id": "m1001", "platform": "douyin", "duplicate": False}]}
    assert ingest.stored == 2 * frames + 2
    order = [comment.id for batch in ingest.batches for comment in batch]
    assert order[: 2 * frames] == [f"m{n}" for n in range(2 * frames)]  # stored in arrival order


def test_websocket_malformed_frames_get_an_error_and_the_connection_stays_open(server, ingest):
    async def go():
        async with aiohttp.ClientSession() as session, session.ws_connect(server.ws_url, headers=auth()) as ws:
            await ws.send_str('{"id": "m1", "user": "a", "text": ')
            malformed = await ws.receive_json()
            await ws.send_bytes(b"\xc3\x28 not utf-8")
            bad_binary = await ws.receive_json()
            await ws.send_bytes(b"")
            empty_binary = await ws.receive_json()
            await ws.send_str('"just a string"')
            not_object = await ws.receive_json()
            await ws.send_bytes(json.dumps(message(1)).encode())
            good_binary = await ws.receive_json()
            await ws.send_json({"seq": "a", "messages": [message(2), {"id": "m3"}]})
            good = await ws.receive_json()
            return malformed, bad_binary, empty_binary, not_object, good_binary, good

    malformed, bad_binary, empty_binary, not_object, good_binary, good = run(go())
    assert malformed["results"] == [] and malformed["error"].startswith("malformed JSON: Expecting value")
    assert bad_binary["results"] == [] and "not UTF-8" in bad_binary["error"]
    assert empty_binary["error"].startswith("malformed JSON")
    assert "expected a JSON object or array, got str" in not_object["error"]
    assert good_binary == {"results": [{"ok": True, "id": "m1", "platform": "douyin", "duplicate": False}]}
    assert good["seq"] == "a"
    assert good["results"][0]["ok"] is True
    assert good["results"][1] == {"ok": False, "error": "user: missing"}
    assert ingest.stored == 2


def test_duplicates_are_acknowledged_as_duplicate_and_stored_once(server, ingest):
    async def go():
        async with aiohttp.ClientSession(headers=auth()) as session, session.ws_connect(server.ws_url) as ws:
            await ws.send_json(message(1))
            first = await ws.receive_json()
            await ws.send_json([message(1), message(1), message(2)])  # again, and twice in one frame
            second = await ws.receive_json()
            async with session.post(f"{server.url}/comments", json=message(2)) as response:
                third = await response.json()
        return first, second, third

    first, second, third = run(go())
    assert first["results"][0]["duplicate"] is False
    assert [result["duplicate"] for result in second["results"]] == [True, True, False]
    assert all(result["ok"] for result in second["results"])
    assert third["results"][0] == {"ok": True, "id": "m2", "platform": "douyin", "duplicate": True}
    assert ingest.stored == 2
    stats = server.stats()
    assert (stats.received, stats.acknowledged, stats.duplicates, stats.refused) == (5, 5, 3, 0)


def test_a_1_mb_text_gets_a_clear_error_and_the_connection_stays_open(server, ingest):
    huge = "a" * (1024 * 1024)

    async def go():
        async with aiohttp.ClientSession(headers=auth()) as session, session.ws_connect(server.ws_url) as ws:
            await ws.send_json(message(1, text=huge))
            too_long = await ws.receive_json()
            await ws.send_json([message(2, text=huge), message(3, text=huge)])  # over the frame size
            too_large = await ws.receive_json()
            await ws.send_json(message(4))
            after = await ws.receive_json()
            async with session.post(f"{server.url}/comments", json=message(5, text=huge)) as response:
                http_too_long = (response.status, await response.json())
            async with session.post(f"{server.url}/comments", json=[message(6, text=huge), message(7, text=huge)]) as response:
                http_too_large = (response.status, await response.json())
            async with session.post(f"{server.url}/comments", data=b"[" + b" " * (5 * 1024 * 1024) + b"]") as response:
                http_far_too_large = (response.status, await response.json())
        return too_long, too_large, after, http_too_long, http_too_large, http_far_too_large

    too_long, too_large, after, http_too_long, http_too_large, http_far_too_large = run(go())
    assert too_long == {"results": [{"ok": False, "error": "text: too long (1048576 bytes; at most 8192)"}]}
    assert too_large["results"] == [] and too_large["error"].startswith("frame too large")
    assert after["results"][0]["ok"] is True
    assert http_too_long == (200, {"results": [{"ok": False, "error": "text: too long (1048576 bytes; at most 8192)"}]})
    assert http_too_large[0] == 413 and http_too_large[1]["error"].startswith("body too large")
    assert http_far_too_large[0] == 413 and http_far_too_large[1]["error"].startswith("body too large")
    assert ingest.stored == 1


def test_ten_clients_of_200_messages_all_acked_exactly_once(server, ingest):
    clients, per_client = 10, 200

    async def client(session: aiohttp.ClientSession, number: int) -> list[str]:
        acked: list[str] = []
        async with session.ws_connect(server.ws_url, headers=auth()) as ws:

            async def send():
                for index in range(per_client):
                    await ws.send_json(message(index, platform=f"c{number}", seq=index))

            sender = asyncio.create_task(send())
            for _ in range(per_client):
                reply = await ws.receive_json()
                assert len(reply["results"]) == 1 and reply["results"][0]["ok"], reply
                acked.append(reply["results"][0]["id"])
            await sender
        return acked

    async def go():
        async with aiohttp.ClientSession() as session:
            return await asyncio.gather(*(client(session, number) for number in range(clients)))

    acked = run(go())
    for ids in acked:
        assert ids == [f"m{index}" for index in range(per_client)]  # each client's acks in its order
    assert ingest.stored == clients * per_client
    assert all(ingest.calls_with((f"c{n}", f"m{i}")) == 1 for n in range(clients) for i in range(per_client))
    assert sum(len(batch) for batch in ingest.batches) == clients * per_client
    assert len(ingest.batches) < clients * per_client  # messages from several connections share a batch
    assert max(len(batch) for batch in ingest.batches) <= 100
    stats = server.stats()
    assert (stats.received, stats.acknowledged, stats.refused, stats.duplicates) == (2000, 2000, 0, 0)


def test_a_full_backlog_refuses_with_busy_retry_instead_of_growing(make_server, ingest):
    ingest.gate = threading.Event()
    server = make_server(max_backlog=5)

    async def go():
        async with aiohttp.ClientSession(headers=auth()) as session, session.ws_connect(server.ws_url) as first, session.ws_connect(server.ws_url) as second:
            await first.send_json([message(n) for n in range(5)])
            assert await asyncio.to_thread(ingest.entered.wait, WAIT_S)  # the 5 are being stored, held
            await second.send_json({"seq": 9, "messages": [message(5)]})
            busy = await second.receive_json()
            async with session.post(f"{server.url}/comments", json=message(6)) as response:
                http_busy = (response.status, response.headers.get("Retry-After"), await response.json())
            ingest.gate.set()
            stored = await first.receive_json()
            await second.send_json(message(5))
            retried = await second.receive_json()
            return busy, http_busy, stored, retried

    busy, http_busy, stored, retried = run(go())
    assert busy["seq"] == 9 and busy["results"][0]["ok"] is False
    assert busy["results"][0]["error"].startswith("busy:") and "retry" in busy["results"][0]["error"]
    assert http_busy[0] == 503 and http_busy[1] == "1" and http_busy[2]["results"][0]["error"].startswith("busy:")
    assert all(result["ok"] for result in stored["results"])
    assert retried["results"][0]["ok"] is True
    assert ingest.stored == 6


def test_a_failing_store_refuses_the_batch_and_the_api_goes_on(server, ingest):
    ingest.fail_next = True

    async def go():
        async with aiohttp.ClientSession(headers=auth()) as session, session.ws_connect(server.ws_url) as ws:
            await ws.send_json(message(1))
            failed = await ws.receive_json()
            await ws.send_json(message(1))
            retried = await ws.receive_json()
            return failed, retried

    failed, retried = run(go())
    assert failed["results"][0]["ok"] is False and failed["results"][0]["error"].startswith("not stored: the store failed")
    assert retried["results"][0] == {"ok": True, "id": "m1", "platform": "douyin", "duplicate": False}


def test_connections_over_the_limit_are_refused(make_server):
    server = make_server(max_connections=2)

    async def go():
        async with aiohttp.ClientSession(headers=auth()) as session, session.ws_connect(server.ws_url), session.ws_connect(server.ws_url):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(server.ws_url)  # a third connection
            return refused.value.status

    assert run(go()) == 503


def test_stop_closes_clients(server, ingest):
    async def go():
        async with aiohttp.ClientSession(headers=auth()) as session, session.ws_connect(server.ws_url) as ws:
            await ws.send_json(message(1))
            acked = await ws.receive_json()
            await asyncio.to_thread(server.stop)
            closing = await ws.receive()
            return acked, closing.type, closing.data  # the code the server closed with

    acked, kind, code = run(go())
    assert acked["results"][0]["ok"] is True
    assert kind == aiohttp.WSMsgType.CLOSE and code == aiohttp.WSCloseCode.GOING_AWAY
    assert not server.running
    with socket.socket() as probe:  # nothing listens any more
        assert probe.connect_ex(("127.0.0.1", server.port)) != 0


def test_stop_stores_and_answers_what_it_had_accepted(server, ingest):
    ingest.gate = threading.Event()

    async def go():
        async with aiohttp.ClientSession(headers=auth()) as session, session.ws_connect(server.ws_url) as ws:
            await ws.send_json([message(1), message(2)])
            assert await asyncio.to_thread(ingest.entered.wait, WAIT_S)  # accepted and being stored, held
            stopping = asyncio.ensure_future(asyncio.to_thread(server.stop))
            ingest.gate.set()  # (whether stop() has begun or not, the answer must come before the close)
            reply = await ws.receive_json()
            closing = await ws.receive()
            await stopping
            return reply, closing.type

    reply, closing = run(go())
    assert reply["results"] == [{"ok": True, "id": f"m{n}", "platform": "douyin", "duplicate": False} for n in (1, 2)]
    assert closing == aiohttp.WSMsgType.CLOSE
    assert ingest.stored == 2 and not server.running
    assert server.stats().acknowledged == 2


def test_a_taken_port_is_a_clear_error(server, ingest, api_class):
    second = api_class(port=server.port, token=TOKEN, ingest=ingest)
    with pytest.raises(CommentsApiError, match=rf"port {server.port} on 127.0.0.1 is already in use"):
        second.start()
    second.stop()
    assert not second.running


def test_an_empty_token_is_refused(api_class):
    with pytest.raises(CommentsApiError, match="a token is required"):
        api_class(port=0, token=" ", ingest=lambda comments: [])
