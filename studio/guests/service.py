"""The guest service: the guest page, WHIP (a guest's media in) and WHEP (their return out),
served by aiohttp with aiortc on an event loop of its own thread.

    service = GuestService(host, port=8790)          # host: a GuestHost (studio/guests/host.py)
    service.start()                                   # listening when this returns
    service.link("guest-1", token)                    # http://127.0.0.1:8790/guest/guest-1#<token>
    service.end_sessions("guest-1")                   # the link was revoked: hang up now
    service.stop()

HTTP surface:
- `GET /guest/<id>`: the guest page. The link carries the token in its fragment, which browsers
  never send to a server or in a Referer; the page sends it as `Authorization: Bearer <token>`.
  Served for any id: whether an id exists is only said to whoever holds its token.
- `GET /guest-assets/<file>`: the page's scripts and styles, only files that exist in
  studio/guests/page/ (nothing else of the filesystem is reachable).
- `GET /guest/<id>/config` (Bearer): what the page needs (name, caps, ICE servers).
- `POST /whip/<id>` (Bearer, application/sdp offer) -> 201, `Location: /whip/<id>/<session>`,
  the SDP answer (non-trickle). A new session for a guest replaces the one before (a reload).
- `DELETE /whip/<id>/<session>` (Bearer) -> 200: the guest left (WAITING).
- `POST /whep/<id>`, `DELETE /whep/<id>/<session>`: the return alone, for encoders.
- `PATCH` on a session -> 405 (no trickle ICE); `OPTIONS` -> 204 with CORS and Accept-Post.
A missing or wrong token, or an unknown id: 401, nothing created. Tokens are compared in
constant time; the access log is off and no log line holds a token or a whole link.

At most MAX_SESSIONS sessions (WHIP and WHEP) at once, each with its own ICE, DTLS, decoders and
encoders; more get 503 (a new session replacing a guest's own does not count twice).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import mimetypes
import re
import secrets
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Self

from aiohttp import web
from aiortc import RTCConfiguration

from studio.asyncio_server_thread import AsyncioServerThread
from studio.engine.errors import StudioError
from studio.engine.guest_settings import IceServer
from studio.engine.sources.guest_feed import GuestStats
from studio.guests.certificate import LanCertificate, ensure_lan_certificate, primary_lan_address
from studio.guests.host import GuestAccess, GuestHost
from studio.guests.ice import browser_ice_servers, is_loopback_host, rtc_ice_servers
from studio.guests.peer import GuestPeer, NegotiationError, ReturnPeer, PeerSession
from studio.guests.sdp import OfferError
from studio.listening_address import ListeningAddress

log = logging.getLogger(__name__)

MAX_SESSIONS = 16
MAX_OFFER_BYTES = 128 * 1024  # a browser's offer is some 6 kB; an encoder's less
NEGOTIATION_TIMEOUT_S = 20.0  # ICE gathering waits up to 5 s per STUN/TURN server
VIDEO_CONVERSION_THREADS = 2
_STOP_TIMEOUT_S = 10.0
_GUEST_ID = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"
_ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
PAGE_PACKAGE = "studio.guests"
PAGE_DIRECTORY = "page"
PAGE_FILE = "guest.html"
# Compared against when the id is unknown, so a wrong id costs what a wrong token does.
_NO_TOKEN = secrets.token_bytes(32)

_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, If-Match",
    "Access-Control-Expose-Headers": "Location, Accept-Post",
    "Access-Control-Max-Age": "600",
}


class GuestServiceError(StudioError):
    """The guest service could not start (the port is taken, no certificate directory...)."""


class GuestService(ListeningAddress, AsyncioServerThread):
    port_in_use_hint = "(another studio or program listens there); choose another guests.port"

    def __init__(
        self,
        host: GuestHost,
        *,
        bind_host: str = "127.0.0.1",
        port: int = 0,
        lan: bool = False,
        certificate_dir: Path | None = None,
        ice_servers: Iterable[IceServer] = (),
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        if not 0 <= port <= 65535:
            raise GuestServiceError(f"guest service: port must be 0..65535, got {port}")
        if lan and certificate_dir is None:
            raise GuestServiceError("guest service: serving the LAN needs a certificate directory (certificate_dir)")
        self._host = host
        self.host = bind_host  # ListeningAddress
        self._requested_port = port
        self._port: int | None = None
        self.lan = lan
        self._certificate_dir = Path(certificate_dir) if certificate_dir is not None else None
        self.certificate: LanCertificate | None = None
        self._ice_servers = list(ice_servers)
        self.max_sessions = max_sessions
        # A service reachable only from this machine: its guests are on this machine too.
        self._loopback_address = ("::1" if ":" in bind_host else "127.0.0.1") if is_loopback_host(bind_host) else None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread_id: int | None = None
        self._runner: web.AppRunner | None = None
        self._start_error: BaseException | None = None
        self._ready = threading.Event()
        self._stopped = False
        self._video_executor: ThreadPoolExecutor | None = None
        # Event-loop state.
        self._guests: dict[str, GuestPeer] = {}  # guest id -> their current WHIP session
        self._returns: dict[str, ReturnPeer] = {}  # session id -> WHEP session
        self._negotiating = 0
        self._guests_seen: set[str] = set()  # read by guest_stats() from other threads
        self._guests_seen_lock = threading.Lock()
        self.unauthorized = 0  # requests refused for a missing or wrong token

    # -- public -----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT, or https://<this machine's LAN address>:PORT on the LAN."""
        if not self.lan:
            return self.address_url("http")
        address = primary_lan_address()
        if address is None and self.certificate is not None and self.certificate.addresses:
            address = self.certificate.addresses[0]
        address = address or "127.0.0.1"
        return f"https://{f'[{address}]' if ':' in address else address}:{self.port}"

    def link(self, guest_id: str, token: str) -> str:
        """The link to hand the guest: a secret (it holds their token), never log it."""
        return f"{self.base_url}/guest/{guest_id}#{token}"

    def start(self) -> None:
        """Listen from a new thread; returns once listening. GuestServiceError if it cannot."""
        if self._thread is not None:
            raise RuntimeError("GuestService.start() called twice")
        if self.lan:
            assert self._certificate_dir is not None
            try:
                self.certificate = ensure_lan_certificate(self._certificate_dir)
            except OSError as error:
                raise GuestServiceError(
                    f"guest service: cannot make the LAN certificate in {self._certificate_dir}: {error.strerror or error}"
                ) from None
        self._video_executor = ThreadPoolExecutor(VIDEO_CONVERSION_THREADS, thread_name_prefix="guest-video")
        self._start_listening("guest-service", "guest service", GuestServiceError, self._video_executor)
        log.info("guest service listening on %s", self.base_url)

    def stop(self) -> None:
        """Hang up every session (the guests see the call end) and stop the thread. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive() and self._start_error is None:
            future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            try:
                future.result(_STOP_TIMEOUT_S)
            except Exception as error:  # noqa: BLE001 - stopping must go on
                log.warning("guest service: stopping: %s", error)
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(_STOP_TIMEOUT_S)
        if self._video_executor is not None:
            self._video_executor.shutdown(wait=True)

    def end_sessions(self, guest_id: str) -> int:
        """Close this guest's sessions now (their link was revoked); returns how many."""
        return self._call_on_loop(self._end_guest_sessions(guest_id, "the studio ended the call", lost=False))

    def session_count(self) -> int:
        return len(self._guests) + len(self._returns)

    def guest_stats(self) -> dict[str, GuestStats]:
        """The state and figures of every guest that has joined this service, by guest id."""
        stats: dict[str, GuestStats] = {}
        with self._guests_seen_lock:
            seen = sorted(self._guests_seen)
        for guest_id in seen:
            feed = self._host.guest_feed(guest_id)
            stats[guest_id] = feed.stats() if feed is not None else GuestStats()
        return stats

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- the thread ---------------------------------------------------------------------------------

    def _call_on_loop(self, coroutine):
        """Run a coroutine on the service's loop and wait for its result (0 when not running)."""
        loop = self._loop
        if loop is None or self._stopped or not loop.is_running():
            coroutine.close()
            return 0
        if threading.get_ident() == self._loop_thread_id:
            raise RuntimeError("GuestService: call this from another thread than the service's own")
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(_STOP_TIMEOUT_S)

    async def _open(self) -> None:
        app = web.Application(client_max_size=MAX_OFFER_BYTES)
        session = r"/{guest_id:" + _GUEST_ID + r"}/{session_id:[A-Za-z0-9_-]{1,64}}"
        app.router.add_get(r"/guest/{guest_id:" + _GUEST_ID + "}", self._page)
        app.router.add_get(r"/guest/{guest_id:" + _GUEST_ID + "}/config", self._config)
        app.router.add_get(r"/guest-assets/{name}", self._asset)
        for kind in ("whip", "whep"):
            app.router.add_post(f"/{kind}/{{guest_id:{_GUEST_ID}}}", self._post_whip if kind == "whip" else self._post_whep)
            app.router.add_route("OPTIONS", f"/{kind}/{{guest_id:{_GUEST_ID}}}", self._options)
            app.router.add_delete(f"/{kind}{session}", self._delete_whip if kind == "whip" else self._delete_whep)
            app.router.add_route("OPTIONS", f"/{kind}{session}", self._options)
            app.router.add_route("PATCH", f"/{kind}{session}", self._patch)
        # access_log=None: request lines are not logged at all (no link, no token reaches a log).
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        ssl_context = self.certificate.server_context() if self.certificate is not None else None
        site = web.TCPSite(self._runner, self.host, self._requested_port, ssl_context=ssl_context, backlog=64)
        await site.start()
        addresses = self._runner.addresses
        self._port = int(addresses[0][1]) if addresses else self._requested_port

    async def _shutdown(self) -> None:
        peers: list[PeerSession] = [*self._guests.values(), *self._returns.values()]
        await asyncio.gather(
            *(peer.end("the studio closed the guest service", lost=False) for peer in peers), return_exceptions=True
        )
        if self._runner is not None:
            await self._runner.cleanup()

    async def _end_guest_sessions(self, guest_id: str, reason: str, *, lost: bool) -> int:
        peers: list[PeerSession] = [peer for peer in self._returns.values() if peer.guest_id == guest_id]
        if guest_id in self._guests:
            peers.append(self._guests[guest_id])
        await asyncio.gather(*(peer.end(reason, lost=lost) for peer in peers), return_exceptions=True)
        return len(peers)

    # -- requests -----------------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> GuestAccess | None:
        """The guest's access when the request carries their token; None otherwise."""
        access = self._host.guest_access(request.match_info["guest_id"])
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        offered = value.strip().encode("utf-8", "replace") if scheme.lower() == "bearer" else b""
        expected = access.token.encode("utf-8") if access is not None and access.token else _NO_TOKEN
        if hmac.compare_digest(offered, expected) and access is not None and offered:
            return access
        return None

    def _unauthorized(self, request: web.Request) -> web.Response:
        self.unauthorized += 1
        log.warning("guest service: refused %s %s from %s: missing or wrong token", request.method, request.path, request.remote)
        return _error(401, "unauthorized: this link is not (or no longer) valid", **{"WWW-Authenticate": "Bearer"})

    async def _page(self, _request: web.Request) -> web.Response:
        page = _page_file(PAGE_FILE)
        if page is None:
            log.error("guest service: the guest page is missing (%s/%s/%s)", PAGE_PACKAGE.replace(".", "/"), PAGE_DIRECTORY, PAGE_FILE)
            return web.Response(status=500, text="the guest page is not installed (studio/guests/page/guest.html is missing)")
        return web.Response(body=page.read_bytes(), content_type="text/html", charset="utf-8", headers=_PAGE_HEADERS)

    async def _asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        asset = _page_file(name) if _ASSET_NAME.fullmatch(name) else None
        if asset is None:
            return _error(404, "no such file")
        content_type = _ASSET_TYPES.get(Path(name).suffix.lower()) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return web.Response(body=asset.read_bytes(), content_type=content_type, headers=_PAGE_HEADERS)

    async def _config(self, request: web.Request) -> web.Response:
        access = self._authorized(request)
        if access is None:
            return self._unauthorized(request)
        return web.json_response(
            {
                "name": access.name,
                "show_program_video": access.show_program_video,
                "audio_processing": access.audio_processing,
                "ice_servers": browser_ice_servers(self._ice_servers),
                "max_width": access.max_width,
                "max_height": access.max_height,
                "max_fps": access.max_fps,
                # Besides the answer's cap (sdp.py): the page sets it as its encoding's maxBitrate.
                "max_video_bitrate_kbps": access.max_video_bitrate_kbps,
            },
            headers={"Cache-Control": "no-store", **_CORS},
        )

    async def _options(self, _request: web.Request) -> web.Response:
        return web.Response(status=204, headers={**_CORS, "Accept-Post": "application/sdp", "Allow": "POST, DELETE, OPTIONS"})

    async def _patch(self, _request: web.Request) -> web.Response:
        return _error(405, "trickle ICE is not supported: send every candidate in the offer", Allow="DELETE, OPTIONS")

    async def _read_offer(self, request: web.Request) -> str | web.Response:
        if request.content_type != "application/sdp":
            return _error(415, f"expected Content-Type: application/sdp, got {request.content_type or 'none'}")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error(413, f"the offer is too large: at most {MAX_OFFER_BYTES} bytes")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "the SDP offer is not UTF-8 text")

    def _no_room(self) -> web.Response | None:
        if self.session_count() + self._negotiating >= self.max_sessions:
            return _error(503, f"busy: {self.max_sessions} guest sessions are open; retry later", **{"Retry-After": "5"})
        return None

    def _configuration(self) -> RTCConfiguration:
        return RTCConfiguration(iceServers=rtc_ice_servers(self._ice_servers))

    async def _negotiate(self, peer: PeerSession, offer: str) -> str | web.Response:
        """The answer's SDP, or the error reply (the peer is closed then)."""
        self._negotiating += 1
        try:
            answer, _media = await asyncio.wait_for(peer.answer(offer, gather_on_loopback=self._loopback_address), NEGOTIATION_TIMEOUT_S)
            return answer
        except (NegotiationError, OfferError) as error:
            await peer.close()
            return _error(400, str(error))
        except TimeoutError:
            await peer.close()
            return _error(504, f"could not answer within {NEGOTIATION_TIMEOUT_S:.0f} s (ICE servers unreachable?)")
        except BaseException:
            await peer.close()
            raise
        finally:
            self._negotiating -= 1

    async def _post_whip(self, request: web.Request) -> web.Response:
        access = self._authorized(request)
        if access is None:
            return self._unauthorized(request)
        offer = await self._read_offer(request)
        if isinstance(offer, web.Response):
            return offer
        replaced = self._guests.get(access.guest_id)
        if replaced is None and (busy := self._no_room()) is not None:
            return busy
        feed = self._host.guest_feed(access.guest_id)
        if feed is None:
            return _error(503, "the studio is not taking guests right now (no show is running); retry later", **{"Retry-After": "5"})
        peer = GuestPeer(secrets.token_urlsafe(12), access, self._host, feed, self._configuration(), self._video_executor)
        answer = await self._negotiate(peer, offer)
        if isinstance(answer, web.Response):
            return answer
        # The newest answered offer takes the slot: the one before (a reload, a reconnect) goes.
        previous = self._guests.get(access.guest_id)
        peer.start()
        self._guests[access.guest_id] = peer
        with self._guests_seen_lock:
            self._guests_seen.add(access.guest_id)
        peer.on_closed = self._forget
        if previous is not None:
            asyncio.get_running_loop().create_task(previous.end("replaced by a new session", lost=False))
        return _answer_response("whip", access.guest_id, peer.session_id, answer)

    async def _post_whep(self, request: web.Request) -> web.Response:
        access = self._authorized(request)
        if access is None:
            return self._unauthorized(request)
        offer = await self._read_offer(request)
        if isinstance(offer, web.Response):
            return offer
        if (busy := self._no_room()) is not None:
            return busy
        peer = ReturnPeer(secrets.token_urlsafe(12), access, self._host, self._configuration())
        answer = await self._negotiate(peer, offer)
        if isinstance(answer, web.Response):
            return answer
        peer.start()
        self._returns[peer.session_id] = peer
        peer.on_closed = self._forget
        return _answer_response("whep", access.guest_id, peer.session_id, answer)

    def _forget(self, peer: PeerSession) -> None:
        if isinstance(peer, GuestPeer):
            if self._guests.get(peer.guest_id) is peer:
                del self._guests[peer.guest_id]
        else:
            self._returns.pop(peer.session_id, None)

    async def _delete_whip(self, request: web.Request) -> web.Response:
        access = self._authorized(request)
        if access is None:
            return self._unauthorized(request)
        peer = self._guests.get(access.guest_id)
        if peer is None or peer.session_id != request.match_info["session_id"]:
            return _error(404, "no such session (it ended, or another one replaced it)")
        await peer.end("left", lost=False)
        return _ended_response()

    async def _delete_whep(self, request: web.Request) -> web.Response:
        access = self._authorized(request)
        if access is None:
            return self._unauthorized(request)
        peer = self._returns.get(request.match_info["session_id"])
        if peer is None or peer.guest_id != access.guest_id:
            return _error(404, "no such session (it ended)")
        await peer.end("left", lost=False)
        return _ended_response()


# The page's own kinds of file, not left to the system's MIME table (Windows' registry may call
# .js text/plain, and a module script is then refused: the page is served with nosniff).
_ASSET_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".woff2": "font/woff2",
}

# The page and its files: never cached (a new studio version may change them), never framed,
# and no Referer from them (defence in depth: the token is in the fragment, which is never sent).
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def _page_file(name: str):
    """A file of studio/guests/page/ (a Traversable), or None when it is not there."""
    try:
        candidate = resources.files(PAGE_PACKAGE).joinpath(PAGE_DIRECTORY, name)
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    return candidate if candidate.is_file() else None


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers={**_CORS, **headers})


def _ended_response() -> web.Response:
    # FFmpeg's WHIP muxer logs "Failed to read response from DELETE" after this reply, with or
    # without a body (both tried); the session has ended all the same.
    return web.Response(status=200, headers=_CORS)


def _answer_response(kind: str, guest_id: str, session_id: str, answer_sdp: str) -> web.Response:
    return web.Response(
        status=201,
        body=answer_sdp.encode("utf-8"),
        content_type="application/sdp",
        headers={**_CORS, "Location": f"/{kind}/{guest_id}/{session_id}", "Cache-Control": "no-store"},
    )
