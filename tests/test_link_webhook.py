"""The link-push webhook against a real local HTTP server: signing, retries, closing."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from studio.commerce.link_webhook import (
    LinkWebhookSender,
    WebhookResult,
    encode_body,
    verify_signature,
)
from studio.engine.backoff import ReconnectPolicy
from studio.engine.products import LinkWebhookSettings
from tests.servers import held_port

SECRET = "whsec-Very-Secret-2024"
WAIT_S = 10.0  # the most any wait below may take; they all end as soon as their event happens
QUICK_RETRIES = ReconnectPolicy(first_delay_ms=10, factor=2.0, max_delay_ms=30_000, jitter_fraction=0.2)
PAYLOAD = {"event": "link_pop", "product_id": "A01", "title": "保温杯", "price": "129.00", "link_url": "https://shop.example/p/a01"}


class Recorder:
    """What the server received, and what it answers (scripted statuses, then 200)."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.retry_after: str | None = None  # the Retry-After header of error answers
        self.hold: threading.Event | None = None  # set: answers wait until it is set

    def record(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self.condition:
            self.requests.append({"path": path, "headers": headers, "body": body})
            status = self.statuses.pop(0) if self.statuses else 200
            self.condition.notify_all()
            return status

    def wait_for(self, count: int) -> list[dict]:
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.requests) >= count, timeout=WAIT_S), (
                f"expected {count} request(s), got {len(self.requests)}"
            )
            return list(self.requests)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        recorder: Recorder = self.server.recorder  # type: ignore[attr-defined]
        status = recorder.record(self.path, {key.lower(): value for key, value in self.headers.items()}, body)
        if recorder.hold is not None:
            recorder.hold.wait(WAIT_S)
        answer = b'{"ok":true}' if status < 400 else b'{"error":"product not found"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if status >= 400 and recorder.retry_after is not None:
            self.send_header("Retry-After", recorder.retry_after)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests must not go through a proxy from the environment."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def webhook_server(no_proxy: None) -> Iterator[tuple[str, Recorder]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder = Recorder()
    server.recorder = recorder  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}/hooks/link-pop", recorder
    finally:
        if recorder.hold is not None:
            recorder.hold.set()
        server.shutdown()
        server.server_close()
        thread.join(WAIT_S)


class Results:
    """on_result's calls, to wait on."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.items: list[WebhookResult] = []
        self.threads: list[str] = []

    def __call__(self, result: WebhookResult) -> None:
        with self.condition:
            self.items.append(result)
            self.threads.append(threading.current_thread().name)
            self.condition.notify_all()

    def wait_for(self, count: int = 1) -> list[WebhookResult]:
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.items) >= count, timeout=WAIT_S), "no result in time"
            return list(self.items)


def make_sender(url: str, results: Results, **options) -> LinkWebhookSender:
    settings = LinkWebhookSettings(url=url, secret=SECRET, timeout_s=options.pop("timeout_s", 5.0),
                                   max_attempts=options.pop("max_attempts", 5))  # fmt: skip
    return LinkWebhookSender(settings, on_result=results, retry_policy=options.pop("retry_policy", QUICK_RETRIES), **options)


def test_a_delivery_arrives_once_signed_with_the_expected_json(webhook_server) -> None:
    url, recorder = webhook_server
    results = Results()
    sender = make_sender(url, results)
    sender.start()
    try:
        sent_from_s = int(time.time())
        assert sender.send(PAYLOAD) is True
        [result] = results.wait_for(1)
        answered_by_s = int(time.time())
    finally:
        assert sender.close(timeout_s=WAIT_S)

    [request] = recorder.requests
    body, headers = request["body"], request["headers"]
    assert request["path"] == "/hooks/link-pop"
    assert json.loads(body.decode("utf-8")) == PAYLOAD
    assert body == json.dumps(PAYLOAD, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    assert "保温杯".encode() in body, "non-ASCII text is sent as UTF-8, not \\u-escaped"
    assert body == encode_body(PAYLOAD)
    assert headers["content-type"] == "application/json"

    timestamp = headers["x-studio-timestamp"]
    assert sent_from_s <= int(timestamp) <= answered_by_s, "the timestamp is when the delivery was signed"
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-studio-signature"] == f"sha256={expected}"
    assert verify_signature(SECRET, timestamp, body, headers["x-studio-signature"], max_age_s=300)
    assert uuid.UUID(headers["x-studio-delivery"]).version == 4

    assert result == WebhookResult(headers["x-studio-delivery"], True, 1, 200, None)
    assert results.threads == ["link-webhook"], "on_result runs on the worker thread"
    assert (sender.delivered, sender.failed, sender.dropped) == (1, 0, 0)


def test_verify_signature_rejects_any_change() -> None:
    body = encode_body(PAYLOAD)
    good = hmac.new(SECRET.encode(), b"1718000000." + body, hashlib.sha256).hexdigest()
    assert verify_signature(SECRET, "1718000000", body, f"sha256={good}")
    assert verify_signature(SECRET, "1718000000", body, f"sha256={good.upper()}")
    assert not verify_signature(SECRET, "1718000001", body, f"sha256={good}")
    assert not verify_signature(SECRET, "1718000000", body + b" ", f"sha256={good}")
    assert not verify_signature("another-secret", "1718000000", body, f"sha256={good}")
    assert not verify_signature(SECRET, "1718000000", body, good)
    assert not verify_signature(SECRET, "1718000000", body, "sha256=")
    assert not verify_signature(SECRET, "1718000000", body, f"sha256={good}", max_age_s=300, now=1718000400)
    assert verify_signature(SECRET, "1718000000", body, f"sha256={good}", max_age_s=300, now=1718000100)


def test_server_errors_are_retried_with_the_same_delivery_id(webhook_server) -> None:
    url, recorder = webhook_server
    recorder.statuses = [500, 500, 200]
    results = Results()
    sender = make_sender(url, results)
    sender.start()
    try:
        sender.send(PAYLOAD)
        [result] = results.wait_for(1)
    finally:
        assert sender.close(timeout_s=WAIT_S)

    assert (result.ok, result.attempts, result.status, result.error) == (True, 3, 200, None)
    assert len(recorder.requests) == 3
    delivery_ids = {request["headers"]["x-studio-delivery"] for request in recorder.requests}
    assert delivery_ids == {result.delivery_id}
    for request in recorder.requests:
        headers = request["headers"]
        assert verify_signature(SECRET, headers["x-studio-timestamp"], request["body"], headers["x-studio-signature"])


def test_too_many_requests_is_retried(webhook_server) -> None:
    url, recorder = webhook_server
    recorder.statuses = [429, 200]
    results = Results()
    sender = make_sender(url, results)
    sender.start()
    try:
        sender.send(PAYLOAD)
        [result] = results.wait_for(1)
    finally:
        sender.close(timeout_s=WAIT_S)
    assert (result.ok, result.attempts, result.status) == (True, 2, 200)


def test_a_client_error_is_not_retried(webhook_server) -> None:
    url, recorder = webhook_server
    recorder.statuses = [400]
    results = Results()
    sender = make_sender(url, results)
    sender.start()
    try:
        sender.send(PAYLOAD)
        [result] = results.wait_for(1)
    finally:
        assert sender.close(timeout_s=WAIT_S)

    assert len(recorder.requests) == 1
    assert (result.ok, result.attempts, result.status) == (False, 1, 400)
    assert "HTTP 400" in result.error and "product not found" in result.error, "the platform's reason is kept"
    assert "hooks" not in result.error and "link-pop" not in result.error, "the URL's path is masked"
    assert sender.failed == 1


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A loopback port bound by the test and never listening: connections to it are refused."""
    with held_port() as port:
        yield port


def test_a_closed_port_exhausts_the_attempts_without_showing_secrets(no_proxy, caplog, refusing_port) -> None:
    caplog.set_level(logging.DEBUG, logger="studio.commerce.link_webhook")
    port = refusing_port
    url = f"http://shop-bot:pa55word-xyz@127.0.0.1:{port}/hooks/link-pop?token=tok-abc123"
    results = Results()
    sender = make_sender(url, results, max_attempts=3)
    sender.start()
    try:
        assert sender.send(PAYLOAD)
        [result] = results.wait_for(1)
    finally:
        assert sender.close(timeout_s=WAIT_S)

    assert (result.ok, result.attempts, result.status) == (False, 3, None)
    assert f"127.0.0.1:{port}" in result.error
    assert "gave up after 3 attempts" in result.error
    shown = result.error + "\n" + caplog.text
    for secret in (SECRET, "pa55word-xyz", "tok-abc123", "token="):
        assert secret not in shown
    assert "link push" in caplog.text, "the failure is logged (masked)"


def test_send_never_blocks_when_the_queue_is_full(webhook_server) -> None:
    url, recorder = webhook_server
    recorder.hold = threading.Event()  # the server keeps the first request waiting
    results = Results()
    # The worker's request outlasts the server's hold (WAIT_S), so until the test sets `hold`
    # the worker is stuck in the network with delivery 0.
    sender = make_sender(url, results, queue_size=64, timeout_s=3 * WAIT_S)
    sender.start()
    try:
        assert sender.send({"n": 0})
        recorder.wait_for(1)  # the worker is busy with it: the queue is empty now

        accepted = [sender.send({"n": n}) for n in range(1, 65)]
        refused = sender.send({"n": 65})

        assert all(accepted) and sender.pending == 64
        assert refused is False and sender.dropped == 1
        # Every send() returned while delivery 0 was still unanswered: none waited for the network.
        assert results.items == [] and len(recorder.requests) == 1, "send() waited for the network"
    finally:
        recorder.hold.set()
        assert sender.close(timeout_s=WAIT_S)
    delivered = results.wait_for(65)
    assert all(result.ok for result in delivered), "what was queued at close is still sent"


class RetryWaiting(logging.Handler):
    """Sets an event when the sender says it is waiting to retry."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.event = threading.Event()
        self.message = ""  # the first such log line

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying in" in record.getMessage() and not self.event.is_set():
            self.message = record.getMessage()
            self.event.set()


def test_close_returns_promptly_while_a_retry_backoff_is_pending(webhook_server, caplog) -> None:
    url, recorder = webhook_server
    recorder.statuses = [503] * 10
    caplog.set_level(logging.INFO, logger="studio.commerce.link_webhook")
    waiting = RetryWaiting()
    logger = logging.getLogger("studio.commerce.link_webhook")
    logger.addHandler(waiting)
    results = Results()
    a_minute = ReconnectPolicy(first_delay_ms=60_000, factor=2.0, max_delay_ms=60_000)
    sender = make_sender(url, results, retry_policy=a_minute)  # the next try would be a minute away
    sender.start()
    try:
        sender.send(PAYLOAD)
        assert waiting.event.wait(WAIT_S), "the first attempt did not fail"

        # close() reports whether the worker ended within its timeout: WAIT_S is far shorter
        # than the minute of backoff, so True means close() did not sit the backoff out.
        assert sender.close(timeout_s=WAIT_S), "close() waited for the retry backoff"
    finally:
        logger.removeHandler(waiting)
        sender.close(timeout_s=WAIT_S)

    [result] = results.wait_for(1)
    assert (result.ok, result.attempts, result.status) == (False, 1, 503)
    assert "closed" in result.error
    assert len(recorder.requests) == 1


def test_a_never_started_sender_reports_what_it_did_not_send(no_proxy) -> None:
    results = Results()
    sender = make_sender("http://127.0.0.1:9/hook", results)
    assert sender.send(PAYLOAD)
    assert sender.close(timeout_s=1.0)
    [result] = results.wait_for(1)
    assert (result.ok, result.attempts) == (False, 0)
    assert sender.send(PAYLOAD) is False, "a closed sender takes nothing"


def test_without_a_url_the_sender_is_off() -> None:
    sender = LinkWebhookSender(LinkWebhookSettings())
    sender.start()
    assert not sender.enabled
    assert sender.send(PAYLOAD) is False
    assert sender.close(timeout_s=1.0)


@pytest.mark.parametrize(("retry_after", "expected_wait"), [("2", "2.0 s"), ("600", "5.0 s")])
def test_retry_after_lengthens_the_wait_up_to_the_backoff_cap(webhook_server, caplog, retry_after, expected_wait) -> None:
    url, recorder = webhook_server
    recorder.statuses, recorder.retry_after = [429], retry_after
    caplog.set_level(logging.INFO, logger="studio.commerce.link_webhook")
    waiting = RetryWaiting()
    logger = logging.getLogger("studio.commerce.link_webhook")
    logger.addHandler(waiting)
    capped = ReconnectPolicy(first_delay_ms=10, factor=2.0, max_delay_ms=5000)  # 10 ms on its own
    sender = make_sender(url, Results(), retry_policy=capped)
    sender.start()
    try:
        sender.send(PAYLOAD)
        assert waiting.event.wait(WAIT_S), "the 429 was not retried"
        assert f"retrying in {expected_wait}" in waiting.message
    finally:
        logger.removeHandler(waiting)
        sender.close(timeout_s=WAIT_S)  # ends the pending wait at once
