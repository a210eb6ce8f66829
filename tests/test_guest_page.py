"""The guest page (studio/guests/page/) in a real headless Chromium with a fake camera and
microphone, joining a small studio stand-in: an aiohttp server in this file that serves the page
the way the guest service does (GET /guest/<id>, /guest-assets/<file>, /guest/<id>/config) and
answers WHIP with aiortc. The stand-in receives the page's frames (reading the time code guest.js
burns in) and sound, and sends a return: a 440 Hz tone and a program picture.

Set STUDIO_DOCS_SCREENSHOTS=1 to write docs/guest-page.png and docs/guest-page-zh.png.
"""

from __future__ import annotations

import asyncio
import base64
import fractions
import hmac
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import pytest
from aiohttp import web
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from studio.engine.graphics.timecode import BLACK_Y, WHITE_Y, draw_timecode_y, read_timecode_y
from tests.chromium import FAKE_COLOUR, TONE_HZ

PAGE_DIR = Path(__file__).resolve().parents[1] / "studio" / "guests" / "page"
DOCS_DIR = Path(__file__).resolve().parents[1] / "docs"
GUEST_ID = "guest-1"
RETURN_TONE_HZ = 440.0
RETURN_TONE_PEAK = 0.5  # -6 dBFS
PROGRAM_SIZE = (320, 180)
WAIT_S = 60.0  # generous: WebRTC setup on a shared, loaded machine; only a real hang reaches it
PAGE_WAIT_MS = WAIT_S * 1000


# -- the studio stand-in ------------------------------------------------------------------------


class ToneTrack(MediaStreamTrack):
    """The return's sound: a sine, 20 ms frames paced in real time (as a live mix would be)."""

    kind = "audio"
    SAMPLES = 960

    def __init__(self) -> None:
        super().__init__()
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        self._start = self._start or time.monotonic()
        pause_s = self._start + self._pts / 48000 - time.monotonic()
        if pause_s > 0:
            await asyncio.sleep(pause_s)  # pacing the media, not synchronising the test
        times = (self._pts + np.arange(self.SAMPLES)) / 48000
        samples = (np.sin(2 * np.pi * RETURN_TONE_HZ * times) * RETURN_TONE_PEAK * 32767).astype(np.int16)
        # Stereo, as the studio's mix is (interleaved: s16 is a packed format).
        frame = av.AudioFrame.from_ndarray(np.repeat(samples, 2).reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = 48000, self._pts, fractions.Fraction(1, 48000)
        self._pts += self.SAMPLES
        return frame


class ProgramTrack(MediaStreamTrack):
    """The return's picture: an orange-to-purple gradient with a moving bar, 15 fps."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        width, height = PROGRAM_SIZE
        ramp = np.linspace(0, 1, width)[None, :, None]
        self._background = (np.array([230, 120, 40]) * (1 - ramp) + np.array([120, 50, 160]) * ramp).astype(np.uint8)
        self._background = np.repeat(self._background, height, axis=0)
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        self._start = self._start or time.monotonic()
        pause_s = self._start + self._index / 15 - time.monotonic()
        if pause_s > 0:
            await asyncio.sleep(pause_s)
        picture = self._background.copy()
        bar_x = (self._index * 4) % PROGRAM_SIZE[0]
        picture[:, bar_x : bar_x + 12] = 240
        frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts, frame.time_base = self._index * 6000, fractions.Fraction(1, 90000)
        self._index += 1
        return frame


@dataclass(frozen=True)
class ReceivedFrame:
    session: str
    arrival_ms: float
    timecode: int | None
    centre_rgb: tuple[int, ...] | None


@dataclass
class StudioStandIn:
    """What the page talked to; read under `changed` (the server thread writes)."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    show_program_video: bool = True
    whip_statuses: deque = field(default_factory=deque)  # answered instead of an answer, first
    config_status: int | None = None
    posts: int = 0
    deletes: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    frames: deque = field(default_factory=lambda: deque(maxlen=2000))
    audio: dict = field(default_factory=dict)  # session -> deque of mono float arrays
    changed: threading.Condition = field(default_factory=threading.Condition)
    peers: dict = field(default_factory=dict)

    def wait_until(self, predicate, what: str) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self), timeout=WAIT_S):
                raise AssertionError(f"the studio stand-in never saw {what}")

    def video_frames(self, session: str) -> list[ReceivedFrame]:
        with self.changed:
            return [frame for frame in self.frames if frame.session == session]

    def audio_of(self, session: str) -> np.ndarray:
        with self.changed:
            return np.concatenate(list(self.audio.get(session, [])) or [np.zeros(0)])


class StudioServer:
    """The stand-in's aiohttp app on its own thread and loop (Playwright owns the test thread's)."""

    def __init__(self, stand_in: StudioStandIn) -> None:
        self.stand_in = stand_in
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="guest page stand-in", daemon=True)
        self._receivers: set[asyncio.Future] = set()  # the tasks reading received tracks
        self.port = 0

    def url(self, query: str = "test=1", token: str | None = None) -> str:
        return f"http://127.0.0.1:{self.port}/guest/{GUEST_ID}?{query}#{token or self.stand_in.token}"

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(WAIT_S), "the stand-in server did not start"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(WAIT_S)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(WAIT_S)

    def drop_connections(self) -> None:
        """Close every peer connection, as a studio restart would."""
        asyncio.run_coroutine_threadsafe(self._close_peers(), self._loop).result(WAIT_S)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._open())
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _open(self) -> None:
        app = web.Application()
        app.router.add_get("/guest/{guest_id}", self._page)
        app.router.add_get("/guest/{guest_id}/config", self._config)
        app.router.add_get("/guest-assets/{name}", self._asset)
        app.router.add_post("/whip/{guest_id}", self._whip_post)
        app.router.add_delete("/whip/{guest_id}/{session}", self._whip_delete)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def _close_peers(self) -> None:
        peers, self.stand_in.peers = self.stand_in.peers, {}
        await asyncio.gather(*(peer.close() for peer in peers.values()))

    async def _close(self) -> None:
        await self._close_peers()
        for receiver in self._receivers:
            receiver.cancel()
        await asyncio.gather(*self._receivers, return_exceptions=True)
        await self._runner.cleanup()

    def _authorised(self, request: web.Request) -> bool:
        expected = f"Bearer {self.stand_in.token}"
        return request.match_info["guest_id"] == GUEST_ID and hmac.compare_digest(
            request.headers.get("Authorization", "").encode(), expected.encode()
        )

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(PAGE_DIR / "guest.html")

    async def _asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in {path.name for path in PAGE_DIR.iterdir()}:
            raise web.HTTPNotFound()
        return web.FileResponse(PAGE_DIR / name)

    async def _config(self, request: web.Request) -> web.Response:
        if self.stand_in.config_status:
            return web.Response(status=self.stand_in.config_status)
        if not self._authorised(request):
            return web.Response(status=401)
        return web.json_response(
            {
                "name": "Guest 1",
                "show_program_video": self.stand_in.show_program_video,
                "audio_processing": False,  # the tone must arrive as a tone, not be "cleaned"
                "ice_servers": [],
                "max_width": 640,
                "max_height": 360,
                "max_fps": 30,
            }
        )

    async def _whip_post(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        stand_in = self.stand_in
        with stand_in.changed:
            stand_in.posts += 1
            status = stand_in.whip_statuses.popleft() if stand_in.whip_statuses else None
            stand_in.changed.notify_all()
        if status is not None:
            return web.Response(status=status)
        assert request.content_type == "application/sdp"
        offer = await request.text()
        session = secrets.token_hex(8)
        peer = RTCPeerConnection()
        peer.on("track", lambda track: self._receivers.add(asyncio.ensure_future(self._receive(track, session))))
        await peer.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        peer.addTrack(ToneTrack())
        if stand_in.show_program_video:
            peer.addTrack(ProgramTrack())
        await peer.setLocalDescription(await peer.createAnswer())
        stand_in.peers[session] = peer
        with stand_in.changed:
            stand_in.sessions.append(session)
            stand_in.changed.notify_all()
        return web.Response(
            status=201,
            content_type="application/sdp",
            text=peer.localDescription.sdp,
            headers={"Location": f"/whip/{GUEST_ID}/{session}"},
        )

    async def _whip_delete(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        session = request.match_info["session"]
        peer = self.stand_in.peers.pop(session, None)
        if peer:
            await peer.close()
        with self.stand_in.changed:
            self.stand_in.deletes.append(session)
            self.stand_in.changed.notify_all()
        return web.Response(status=200)

    async def _receive(self, track: MediaStreamTrack, session: str) -> None:
        stand_in = self.stand_in
        index = 0
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                arrival_ms = time.time() * 1000
                i420 = frame.to_ndarray(format="yuv420p")
                timecode = read_timecode_y(i420[: frame.height])
                centre = None
                if index % 10 == 0:  # colour conversion is costly; a sample is enough
                    rgb = frame.to_ndarray(format="rgb24")
                    h, w = rgb.shape[:2]
                    centre = tuple(int(c) for c in np.median(rgb[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3].reshape(-1, 3), axis=0))
                with stand_in.changed:
                    stand_in.frames.append(ReceivedFrame(session, arrival_ms, timecode, centre))
                    stand_in.changed.notify_all()
            else:
                samples = frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0].astype(np.float32) / 32768
                with stand_in.changed:
                    stand_in.audio.setdefault(session, deque(maxlen=100)).append(samples)  # 2 s
                    stand_in.changed.notify_all()
            index += 1


@pytest.fixture
def studio():
    stand_in = StudioStandIn()
    server = StudioServer(stand_in)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for_state(page, state: str) -> None:
    page.wait_for_function(f"() => window.guestTest && window.guestTest.state() === {state!r}", timeout=PAGE_WAIT_MS)


def assert_return_tone(page) -> None:
    """The page hears the stand-in's return tone at the level it was sent (a -6 dBFS sine, whose
    RMS is 3 dB lower) with nothing much elsewhere, at some moment within the wait: one reading
    on a loaded machine may catch a concealed packet, so the claim is "it is measured clean"."""
    sent_dbfs = 20 * np.log10(RETURN_TONE_PEAK)
    clean = f"""() => {{
        const r = window.guestTest.returnLevels([{RETURN_TONE_HZ}, 3000]);
        window.lastReturnLevels = r;
        const [tone, elsewhere] = r.levels_dbfs;
        return tone !== null && Math.abs(tone - ({sent_dbfs})) < 2 && Math.abs(r.rms_dbfs - ({sent_dbfs - 3.01})) < 2
            && (elsewhere === null || elsewhere < tone - 30);
    }}"""
    try:
        page.wait_for_function(clean, timeout=PAGE_WAIT_MS)
    except PlaywrightTimeoutError:
        levels = page.evaluate("() => window.lastReturnLevels")
        raise AssertionError(f"the return tone (sent at {sent_dbfs:.1f} dBFS) was never measured clean; last: {levels}") from None


def dominant_frequency_hz(samples: np.ndarray, sample_rate_hz: int = 48000) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * sample_rate_hz / len(samples))


# -- tests -----------------------------------------------------------------------------------------


def test_page_joins_and_the_studio_receives_the_camera_with_time_codes(studio, chromium_pages):
    page = chromium_pages.new_page()
    page.goto(studio.url("test=1&timecode=1"))
    wait_for_state(page, "live")
    stand_in = studio.stand_in
    session = stand_in.sessions[-1]
    stand_in.wait_until(lambda s: sum(f.timecode is not None for f in s.video_frames(session)) >= 60, "60 time-coded frames")
    stand_in.wait_until(lambda s: len(s.audio_of(session)) >= 48000, "a second of the guest's sound")

    # The token left the address bar and is nowhere on the page.
    assert "#" not in page.url and stand_in.token not in page.url
    assert stand_in.token not in page.content()

    frames = stand_in.video_frames(session)
    coded = [frame for frame in frames if frame.timecode is not None]
    assert len(coded) >= 0.9 * len(frames), f"only {len(coded)} of {len(frames)} received frames had a readable time code"
    codes = [frame.timecode for frame in coded]
    assert codes == sorted(codes), "time codes went backwards"
    # Drawn at the page's wall clock, received moments later on the same machine.
    delays_ms = [frame.arrival_ms - frame.timecode for frame in coded]
    assert -100 < min(delays_ms) and max(delays_ms) < 5000, f"time codes are not near now: delays {min(delays_ms):.0f}..{max(delays_ms):.0f} ms"
    colours = [frame.centre_rgb for frame in frames if frame.centre_rgb is not None]
    assert colours and np.abs(np.median(colours, axis=0) - FAKE_COLOUR).max() < 25, f"camera colour {colours[-1]} is not {FAKE_COLOUR}"

    sound = stand_in.audio_of(session)[-24000:]
    assert abs(dominant_frequency_hz(sound) - TONE_HZ) < 10, "the fake microphone's 1 kHz tone did not arrive"
    assert page.evaluate("() => window.guestTest.framesSent()") > 0

    # The return: the studio's 440 Hz tone is heard at the level it was sent, program video shown.
    assert_return_tone(page)
    page.wait_for_function("() => document.getElementById('program-video').videoWidth > 0", timeout=PAGE_WAIT_MS)
    assert page.is_visible("#program-video")


def test_the_pages_time_code_is_the_python_layout_pixel_for_pixel(studio, chromium_pages):
    page = chromium_pages.new_page()
    page.goto(studio.url())
    page.wait_for_function("() => window.guestTest", timeout=PAGE_WAIT_MS)
    value = 1_767_225_600_123  # epoch ms, over 2**40
    sizes = [(1280, 720), (640, 360), (360, 640), (1000, 563), (96, 96)]
    drawn = page.evaluate(
        """([sizes, value]) => sizes.map(([width, height]) => {
            const canvas = document.createElement("canvas");
            canvas.width = width; canvas.height = height;
            const context = canvas.getContext("2d");
            context.fillStyle = "rgb(128, 128, 128)";
            context.fillRect(0, 0, width, height);
            window.guestTest.drawTimecode(canvas, value);
            const rgba = context.getImageData(0, 0, width, height).data;
            let red = "";  // one channel as base64: a list of numbers would be slow to pass
            for (let i = 0; i < rgba.length; i += 4) red += String.fromCharCode(rgba[i]);
            return btoa(red);
        })""",
        [sizes, value],
    )
    for (width, height), red in zip(sizes, drawn, strict=True):
        from_js = np.frombuffer(base64.b64decode(red), dtype=np.uint8).reshape(height, width)
        expected = np.full((height, width), 128, dtype=np.uint8)
        draw_timecode_y(expected, value)
        expected = np.select([expected == BLACK_Y, expected == WHITE_Y], [0, 255], 128).astype(np.uint8)
        differing = int(np.count_nonzero(from_js != expected))
        assert differing == 0, f"{width}x{height}: {differing} pixels differ between guest.js and timecode.py"
        luma = np.select([from_js == 0, from_js == 255], [BLACK_Y, WHITE_Y], 128).astype(np.uint8)
        assert read_timecode_y(luma) == value


@pytest.mark.parametrize("locale, expected", [("zh-CN", ("加入直播", "直播中", "重新加入")), ("en-US", ("Join the live", "Live", "Rejoin"))])
def test_strings_follow_the_browser_language(studio, chromium_pages, locale, expected):
    page = chromium_pages.new_page(locale=locale)
    page.goto(studio.url())
    wait_for_state(page, "live")
    title, live, rejoin = expected
    assert page.text_content("h1") == title
    assert page.text_content("#state") == live
    assert page.text_content("#rejoin") == rejoin
    assert page.evaluate("document.documentElement.lang") == ("zh-CN" if locale.startswith("zh") else "en")
    if os.environ.get("STUDIO_DOCS_SCREENSHOTS") == "1":
        page.wait_for_function("() => document.getElementById('program-video').videoWidth > 0", timeout=PAGE_WAIT_MS)
        name = "guest-page-zh.png" if locale.startswith("zh") else "guest-page.png"
        page.screenshot(path=str(DOCS_DIR / name))


def test_rejoin_makes_a_new_session_and_ends_the_old(studio, chromium_pages):
    page = chromium_pages.new_page()
    page.goto(studio.url())
    wait_for_state(page, "live")
    stand_in = studio.stand_in
    first = stand_in.sessions[-1]
    page.click("#rejoin")
    stand_in.wait_until(lambda s: len(s.sessions) == 2, "a second session")
    page.wait_for_function("() => window.guestTest.sessions() === 2", timeout=PAGE_WAIT_MS)
    wait_for_state(page, "live")
    second = stand_in.sessions[-1]
    assert stand_in.deletes == [first], "Rejoin should end the old session at the studio first"
    stand_in.wait_until(lambda s: len(s.video_frames(second)) >= 10, "frames on the new session")


def test_mute_buttons_silence_and_blank_what_the_studio_gets(studio, chromium_pages):
    page = chromium_pages.new_page()
    page.goto(studio.url())
    wait_for_state(page, "live")
    stand_in = studio.stand_in
    session = stand_in.sessions[-1]
    # The meter shows the fake microphone's tone (a -6 dBFS sine: -9 dBFS RMS).
    page.wait_for_function("() => Number(document.getElementById('mic-meter').getAttribute('aria-valuenow')) > -20", timeout=PAGE_WAIT_MS)
    # After permission the pickers name the devices as the browser does.
    camera_names = page.eval_on_selector_all("#camera-select option", "options => options.map(o => o.textContent)")
    assert camera_names and camera_names[0].endswith("camera.y4m"), camera_names

    def rms(samples: np.ndarray) -> float:
        return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0

    stand_in.wait_until(lambda s: rms(s.audio_of(session)[-4800:]) > 0.1, "the tone at the studio")
    page.click("#mute-mic")
    assert page.text_content("#mute-mic") == "Unmute microphone"
    assert page.get_attribute("#mute-mic", "aria-pressed") == "true"
    stand_in.wait_until(lambda s: rms(s.audio_of(session)[-4800:]) < 0.001, "silence after the mute")

    page.click("#mute-camera")
    assert page.is_visible("#camera-off")
    assert page.text_content("#mute-camera") == "Turn camera on"
    stand_in.wait_until(
        lambda s: any(f.centre_rgb is not None and max(f.centre_rgb) < 30 for f in s.video_frames(session)[-30:]),
        "black frames after the camera was turned off",
    )
    page.click("#mute-camera")
    stand_in.wait_until(
        lambda s: any(
            f.centre_rgb is not None and np.abs(np.subtract(f.centre_rgb, FAKE_COLOUR)).max() < 25 for f in s.video_frames(session)[-30:]
        ),
        "the camera's colour again",
    )


def test_leave_and_closing_the_page_end_the_session(studio, chromium_pages):
    page = chromium_pages.new_page()
    page.goto(studio.url())
    wait_for_state(page, "live")
    stand_in = studio.stand_in
    page.click("#leave")
    stand_in.wait_until(lambda s: s.deletes == [s.sessions[0]], "the session deleted by Leave")
    wait_for_state(page, "waiting")
    assert page.text_content("#message") == "You left the live. Press Rejoin to come back."
    page.click("#rejoin")
    stand_in.wait_until(lambda s: len(s.sessions) == 2, "a session after Rejoin")
    wait_for_state(page, "live")
    page.close()  # pagehide: a keepalive DELETE outlives the page
    stand_in.wait_until(lambda s: s.deletes == s.sessions, "the session deleted when the page closed")


def test_a_link_without_its_token_says_so(studio, chromium_pages):
    page = chromium_pages.new_page()
    page.goto(studio.url().split("#")[0])
    page.wait_for_function("() => !document.getElementById('message').hidden", timeout=PAGE_WAIT_MS)
    assert page.text_content("#message") == "This link is incomplete. Open the whole link the host sent you."
    assert studio.stand_in.posts == 0


@pytest.mark.parametrize("where", ["config", "whip"])
def test_a_refused_link_says_so_and_stops_retrying(studio, chromium_pages, where):
    stand_in = studio.stand_in
    if where == "config":
        stand_in.config_status = 401
    else:
        stand_in.whip_statuses.append(401)
    page = chromium_pages.new_page()
    page.goto(studio.url())
    page.wait_for_function("() => !document.getElementById('message').hidden", timeout=PAGE_WAIT_MS)
    assert page.text_content("#message") == "This link is no longer valid. Ask the host for a new link."
    assert page.evaluate("() => window.guestTest.state()") == "lost"
    assert page.evaluate("() => window.guestTest.retryPending()") is False
    assert stand_in.posts == (0 if where == "config" else 1)
    assert page.evaluate("() => window.guestTest.sessions()") == 0


def test_a_wrong_token_is_refused_too(studio, chromium_pages):
    page = chromium_pages.new_page()
    page.goto(studio.url(token="not-the-token"))
    page.wait_for_function("() => !document.getElementById('message').hidden", timeout=PAGE_WAIT_MS)
    assert "no longer valid" in page.text_content("#message")
    assert studio.stand_in.posts == 0 and not studio.stand_in.sessions


def test_failed_whip_posts_are_retried_after_growing_pauses(studio, chromium_pages):
    studio.stand_in.whip_statuses.extend([503, 503, 500])
    page = chromium_pages.new_page()
    page.goto(studio.url())
    wait_for_state(page, "live")
    assert studio.stand_in.posts == 4
    assert page.evaluate("() => window.guestTest.retryDelaysMs()") == [1000, 2000, 4000]
    history = page.evaluate("() => window.guestTest.stateHistory()")
    assert history == ["waiting", "connecting", "reconnecting", "live"], history
    assert page.evaluate("() => window.guestTest.sessions()") == 1


def test_the_page_reconnects_by_itself_when_the_studio_drops_it(studio, chromium_pages):
    page = chromium_pages.new_page()
    page.goto(studio.url())
    wait_for_state(page, "live")
    studio.drop_connections()
    studio.stand_in.wait_until(lambda s: len(s.sessions) == 2, "the page's second session")
    wait_for_state(page, "live")
    history = page.evaluate("() => window.guestTest.stateHistory()")
    assert history[-3:] == ["lost", "reconnecting", "live"], history
    assert page.evaluate("() => window.guestTest.retryDelaysMs()") == [1000]
    second = studio.stand_in.sessions[-1]
    studio.stand_in.wait_until(lambda s: len(s.video_frames(second)) >= 10, "frames on the new session")


def test_without_a_camera_the_guest_joins_with_sound_only(studio, chromium_pages):
    page = chromium_pages.new_page()
    # As if the machine had no camera: the browser's own error for it.
    page.add_init_script(
        """(() => {
            const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
            navigator.mediaDevices.getUserMedia = (constraints) => constraints.video
                ? Promise.reject(new DOMException("Requested device not found", "NotFoundError"))
                : original(constraints);
        })()"""
    )
    page.goto(studio.url())
    wait_for_state(page, "live")
    assert page.text_content("#notice") == "No camera found: you join with sound only."
    session = studio.stand_in.sessions[-1]
    studio.stand_in.wait_until(lambda s: len(s.audio_of(session)) >= 24000, "the guest's sound")
    assert abs(dominant_frequency_hz(studio.stand_in.audio_of(session)[-24000:]) - TONE_HZ) < 10
    assert studio.stand_in.video_frames(session) == []


def test_chromium_started_in_chinese_shows_chinese_and_can_be_killed(studio, launch_chromium):
    browser = launch_chromium(lang="zh-CN")
    page = browser.new_page()  # no locale of its own: the process's --lang decides
    page.goto(studio.url())
    wait_for_state(page, "live")
    assert page.text_content("#state") == "直播中"
    pid = browser.pid
    browser.kill()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
