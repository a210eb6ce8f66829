"""The link push: POST each "pop this product's link" event to the selling platform's webhook,
signed, from a background thread, so the show never waits for the network.

`LinkWebhookSender(settings).start()`, then `send(payload)` for each event (never blocks: a
bounded queue; when it is full the payload is dropped and counted), `close()` at the end.
Failed deliveries are retried with exponential backoff; `on_result` hears how each one ended.

What the platform receives (how to verify it)
---------------------------------------------
    POST <settings.url>
    Content-Type: application/json
    X-Studio-Timestamp: 1718000000
    X-Studio-Signature: sha256=5f2c...e1
    X-Studio-Delivery: 0b7c6f1e-3a52-4d2c-9a55-9d3e0f1c2b4a

- The body is the payload as JSON, UTF-8, non-ASCII characters as they are (not \\u-escaped),
  keys sorted, no spaces: separators "," and ":". Verify on the raw body bytes as received,
  never on re-serialized JSON.
- X-Studio-Timestamp is the Unix time in whole seconds when this attempt was sent (each retry
  has its own).
- X-Studio-Signature is "sha256=" followed by the lowercase hex HMAC-SHA256, keyed with the
  shared secret (its UTF-8 bytes), of exactly these bytes:

      <the X-Studio-Timestamp value, ASCII digits> + b"." + <the raw body>

  e.g. b'1718000000.{"link_url":"https://shop.example/p/a01","product_id":"A01"}'.
  Compare in constant time (`verify_signature` does all of this), and reject timestamps more
  than a few minutes from your clock to stop replays. With an empty secret the header is left
  out (the request is unsigned).
- X-Studio-Delivery is a UUID4 per payload, the same on every retry of it: deduplicate on it.
- Any 2xx answer is success. 5xx, 429 (honoring Retry-After up to the backoff cap),
  connection errors and timeouts are retried after 1 s, 2 s, 4 s... (capped at 30 s, each
  ±20% jitter) until `max_attempts`; any other answer (4xx, or a redirect: redirects are not
  followed, a POST must go to the final URL) ends the delivery at once.
- Credentials in the URL (https://user:password@host/...) are sent as HTTP Basic auth.

The secret is never logged or put in an error; the URL is shown masked (host and port only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Self
from urllib.parse import unquote, urlsplit, urlunsplit

from studio.engine.backoff import Backoff, ReconnectPolicy
from studio.engine.errors import InputError
from studio.engine.products import LinkWebhookSettings
from studio.engine.secrets import MASK, mask_url, scrub_secrets, url_problem

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Studio-Signature"
TIMESTAMP_HEADER = "X-Studio-Timestamp"
DELIVERY_HEADER = "X-Studio-Delivery"
USER_AGENT = "live-selling-studio link-webhook/1"
DEFAULT_QUEUE_SIZE = 64
_RESPONSE_READ_BYTES = 64 * 1024
_SHOWN_RESPONSE_CHARS = 160
# 1 s, 2 s, 4 s... up to 30 s, each ±20%: what the module doc promises the platform.
LINK_WEBHOOK_RETRY_POLICY = ReconnectPolicy(first_delay_ms=1000, factor=2.0, max_delay_ms=30_000, jitter_fraction=0.2)


@dataclass(frozen=True)
class WebhookResult:
    """How one payload's delivery ended (after its final attempt)."""

    delivery_id: str
    ok: bool
    attempts: int  # 0: never sent (the sender was closed first)
    status: int | None = None  # the last HTTP status; None: no answer
    error: str | None = None  # why it failed, masked; None when ok


def encode_body(payload: Mapping[str, object]) -> bytes:
    """The exact request body: JSON, UTF-8, not ASCII-escaped, sorted keys, compact."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def signature_header(secret: str, timestamp: str, body: bytes) -> str:
    """X-Studio-Signature's value: "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header_value: str,
    *,
    max_age_s: float | None = None,
    now: float | None = None,
) -> bool:
    """For receivers (and tests): is `header_value` the signature of this timestamp and body?

    Constant-time. With max_age_s, also False when the timestamp is further than that from
    `now` (default: the current time)."""
    if not isinstance(header_value, str) or not isinstance(timestamp, str):
        return False
    expected = signature_header(secret, timestamp, body).encode("ascii")
    signature_ok = hmac.compare_digest(expected, header_value.strip().lower().encode("utf-8"))
    if not signature_ok or max_age_s is None:
        return signature_ok
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs((time.time() if now is None else now) - sent) <= max_age_s


@dataclass(frozen=True)
class _Delivery:
    delivery_id: str
    body: bytes


@dataclass(frozen=True)
class _Attempt:
    ok: bool
    status: int | None = None
    error: str | None = None
    retry: bool = False
    retry_after_ms: int | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect answer ends the attempt (urllib would re-send a POST as a body-less GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class LinkWebhookSender:
    """Delivers link-push payloads to one webhook from a worker thread (see the module doc).

    send() is safe from any thread and never blocks. on_result runs on the worker thread
    (for payloads still queued when a never-started sender is closed: on the closing thread).
    With an empty settings.url the sender is disabled: send() returns False, nothing runs.
    """

    def __init__(
        self,
        settings: LinkWebhookSettings,
        *,
        on_result: Callable[[WebhookResult], None] | None = None,
        retry_policy: ReconnectPolicy = LINK_WEBHOOK_RETRY_POLICY,
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        if settings.url:
            problem = url_problem(settings.url, ("https", "http"))
            if problem:
                raise InputError(problem, field="selling.link_webhook.url")
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self._settings = settings
        self._url = settings.url
        self._shown_url = mask_url(settings.url) if settings.url else ""
        self._secret = settings.secret.get_secret_value()
        self._request_url, self._authorization = _split_credentials(settings.url)
        self._on_result = on_result
        self._retry_policy = retry_policy
        self._backoff = Backoff(retry_policy)  # the worker thread's alone
        self._queue_size = queue_size
        # Proxies come from the environment (as for any urllib client); redirects are not followed.
        self._opener = urllib.request.build_opener(_NoRedirect)

        self._condition = threading.Condition()
        self._queue: deque[_Delivery] = deque()
        self._closing = False
        self._close_deadline = 0.0
        self._thread: threading.Thread | None = None
        self._dropped = 0
        self._delivered = 0
        self._failed = 0

    # -- the caller's side -------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    @property
    def dropped(self) -> int:
        """Payloads refused by send(): the queue was full, or the sender closed."""
        with self._condition:
            return self._dropped

    @property
    def delivered(self) -> int:
        with self._condition:
            return self._delivered

    @property
    def failed(self) -> int:
        with self._condition:
            return self._failed

    @property
    def pending(self) -> int:
        """Payloads waiting in the queue (not counting the one being delivered)."""
        with self._condition:
            return len(self._queue)

    def start(self) -> None:
        with self._condition:
            if self._thread is not None or self._closing or not self.enabled:
                return
            self._thread = threading.Thread(target=self._run, name="link-webhook", daemon=True)
            self._thread.start()

    def send(self, payload: Mapping[str, object]) -> bool:
        """Queue one payload; False (and counted in `dropped`) when the queue is full or the
        sender is closed, or when there is no webhook. Never blocks. A payload that is not
        JSON (TypeError, ValueError) is the caller's bug and raises here, not on the worker."""
        body = encode_body(payload)
        if not self.enabled:
            return False
        with self._condition:
            if self._closing or len(self._queue) >= self._queue_size:
                self._dropped += 1
                dropped, closing = self._dropped, self._closing
            else:
                self._queue.append(_Delivery(str(uuid.uuid4()), body))
                self._condition.notify_all()
                return True
        if dropped == 1 or dropped % 100 == 0:
            reason = "the sender is closed" if closing else f"{self._queue_size} payloads are already waiting"
            log.warning("link push to %s dropped (%s); %d dropped so far", self._shown_url, reason, dropped)
        return False

    def close(self, timeout_s: float = 5.0) -> bool:
        """Stop: no new payloads, no more retries (a pending backoff wait ends at once). What
        is still queued gets one attempt each until timeout_s has passed, then is reported as
        not sent. True when the worker has finished within timeout_s."""
        with self._condition:
            self._closing = True
            self._close_deadline = time.monotonic() + max(0.0, timeout_s)
            self._condition.notify_all()
            thread = self._thread
            never_started = [] if thread is not None else list(self._queue)
            if thread is None:
                self._queue.clear()
        for delivery in never_started:
            self._finish(WebhookResult(delivery.delivery_id, False, 0, None, "not sent: the sender was never started"))
        if thread is None:
            return True
        thread.join(max(0.0, timeout_s))
        return not thread.is_alive()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the worker --------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._queue or self._closing)
                if not self._queue:
                    return
                if self._closing and time.monotonic() >= self._close_deadline:
                    abandoned = list(self._queue)
                    self._queue.clear()
                else:
                    abandoned = []
                    delivery = self._queue.popleft()
            if abandoned:
                for left in abandoned:
                    self._finish(WebhookResult(left.delivery_id, False, 0, None, "not sent: the sender was closed"))
                return
            self._finish(self._deliver(delivery))

    def _deliver(self, delivery: _Delivery) -> WebhookResult:
        attempts = 0
        self._backoff.reset()  # each payload's retries start from the first delay
        while True:
            attempts += 1
            outcome = self._attempt(delivery)
            if outcome.ok:
                return WebhookResult(delivery.delivery_id, True, attempts, outcome.status, None)
            error = f"POST {self._shown_url}: {outcome.error}"
            if not outcome.retry:
                return WebhookResult(delivery.delivery_id, False, attempts, outcome.status, self._scrub(error))
            if attempts >= self._settings.max_attempts:
                error += f" (gave up after {attempts} attempt{'s' if attempts > 1 else ''})"
                return WebhookResult(delivery.delivery_id, False, attempts, outcome.status, self._scrub(error))
            delay_ms = self._backoff.next_delay_ms()
            if outcome.retry_after_ms is not None:  # the server knows best, up to our cap
                delay_ms = max(delay_ms, min(outcome.retry_after_ms, self._retry_policy.max_delay_ms))
            log.info(
                "link push %s: attempt %d failed (%s); retrying in %.1f s",
                delivery.delivery_id,
                attempts,
                self._scrub(error),
                delay_ms / 1000,
            )
            with self._condition:
                closed = self._condition.wait_for(lambda: self._closing, timeout=delay_ms / 1000)
            if closed:
                error += f" (not retried after {attempts} attempt{'s' if attempts > 1 else ''}: the sender was closed)"
                return WebhookResult(delivery.delivery_id, False, attempts, outcome.status, self._scrub(error))

    def _attempt(self, delivery: _Delivery) -> _Attempt:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            TIMESTAMP_HEADER: timestamp,
            DELIVERY_HEADER: delivery.delivery_id,
        }
        if self._secret:
            headers[SIGNATURE_HEADER] = signature_header(self._secret, timestamp, delivery.body)
        if self._authorization:
            headers["Authorization"] = self._authorization
        request = urllib.request.Request(self._request_url, data=delivery.body, headers=headers, method="POST")
        timeout_s = self._settings.timeout_s
        try:
            with self._opener.open(request, timeout=timeout_s) as response:
                response.read(_RESPONSE_READ_BYTES)
                return _Attempt(ok=True, status=response.status)
        except urllib.error.HTTPError as answer:
            status = answer.code
            text = f"HTTP {status} {answer.reason}".rstrip()
            snippet = _response_snippet(answer)
            if snippet:
                text += f": {snippet}"
            if 300 <= status < 400:
                text += " (redirects are not followed: set the webhook's final URL)"
            retry = status >= 500 or status == 429
            return _Attempt(False, status, text, retry, _retry_after_ms(answer.headers) if retry else None)
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                return _Attempt(False, None, f"no answer within {timeout_s:g} s", retry=True)
            return _Attempt(False, None, f"cannot connect: {reason}", retry=True)
        except TimeoutError:
            return _Attempt(False, None, f"no answer within {timeout_s:g} s", retry=True)
        except (http.client.HTTPException, OSError) as error:
            return _Attempt(False, None, f"connection failed: {type(error).__name__}: {error}", retry=True)
        except ValueError as error:
            return _Attempt(False, None, f"cannot send to this URL: {error}", retry=False)

    def _finish(self, result: WebhookResult) -> None:
        with self._condition:
            if result.ok:
                self._delivered += 1
            else:
                self._failed += 1
        if result.ok:
            log.debug("link push %s delivered (attempt %d)", result.delivery_id, result.attempts)
        else:
            log.warning("link push %s failed: %s", result.delivery_id, result.error)
        if self._on_result is not None:
            try:
                self._on_result(result)
            except Exception:  # a broken listener must not stop the deliveries
                log.exception("link push: the result listener failed")

    def _scrub(self, text: str) -> str:
        """No secret, no URL credentials or query in text meant for people."""
        text = scrub_secrets(text, self._url) if self._url else text
        if self._secret and len(self._secret) >= 3:
            text = text.replace(self._secret, MASK)
        return text


def _split_credentials(url: str) -> tuple[str, str | None]:
    """The URL without user:password@, and the Basic Authorization header for them."""
    if not url:
        return url, None
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    host = parts.netloc.rpartition("@")[2]
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=host)), f"Basic {token}"


def _response_snippet(answer: urllib.error.HTTPError) -> str:
    """The start of an error answer's body on one line: platforms say there what was wrong."""
    try:
        data = answer.read(_SHOWN_RESPONSE_CHARS * 4)
    except (OSError, http.client.HTTPException):  # the body is a courtesy; its absence is no error
        return ""
    finally:
        answer.close()
    text = " ".join(data.decode("utf-8", errors="replace").split())
    return text if len(text) <= _SHOWN_RESPONSE_CHARS else text[: _SHOWN_RESPONSE_CHARS - 1] + "…"


def _retry_after_ms(headers: Mapping[str, str] | None) -> int | None:
    """Retry-After in delay-seconds, as milliseconds (the policy's unit)."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0, round(float(value) * 1000)) if value else None
    except (ValueError, OverflowError):
        return None  # an HTTP date (or nonsense): the backoff is good enough
