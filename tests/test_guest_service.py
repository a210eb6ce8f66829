"""The guest service (studio/guests): its HTTP surface, and real WebRTC on loopback.

The guests here are real WebRTC peers: an aiortc client in the test's own event loop (sendrecv
audio and video like the guest page: a picture of one colour and a 1 kHz tone), FFmpeg's WHIP
muxer, and an aiortc WHEP player. The studio side is a GuestTestHost (tests/guest_host.py) of real
GuestFeeds and AudioTaps carrying a 440 Hz tone as the mix-minus. Nothing of aiortc is mocked.
Every wait is bounded (WAIT_S); polling steps are not synchronization.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import subprocess
import time
from collections import deque
from importlib import resources
from pathlib import Path

import aiohttp
import imageio_ffmpeg
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from studio.engine.frames import rgb_to_yuv
from studio.engine.guest_settings import IceServer
from studio.engine.sources.guest_feed import GuestState
from studio.guests.ice import gather_on_loopback_too
from studio.guests.service import GuestService, GuestServiceError
from tests.guest_host import (
    GUEST_TONE_HZ,
    RETURN_TONE_HZ,
    ColourTrack,
    GuestTestHost,
    ToneTrack,
    strongest_frequency_hz,
)

TOKEN = "tok-Guest-Sekr1t-0042-abcdefgh"
OTHER_TOKEN = "tok-Other-Sekr1t-0099-zyxwvuts"
WAIT_S = 20.0
POLL_S = 0.05
RED = (200, 30, 30)
BLUE = (30, 40, 210)


@pytest.fixture
def host():
    host = GuestTestHost()
    host.add_guest("guest-1", TOKEN)
    yield host
    host.close()


@pytest.fixture
def service(host):
    service = GuestService(host)
    service.start()
    yield service
    service.stop()


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def wait_until(condition, what: str, timeout_s: float = WAIT_S):
    deadline = time.monotonic() + timeout_s
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        await asyncio.sleep(POLL_S)  # a bounded polling step
    return result


def take_frame(feed, timeout_s: float = WAIT_S):
    frame = feed.wait_frame(timeout_s)
    assert frame is not None, f"no frame reached the feed within {timeout_s:.0f} s"
    return frame


class GuestClient:
    """An aiortc peer acting as the guest page: sendrecv audio and video, the return kept."""

    def __init__(self, colour=RED, *, loopback_only: bool = False) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.tone = ToneTrack(GUEST_TONE_HZ)
        self.colour = ColourTrack(colour)
        self.pc.addTransceiver(self.tone, "sendrecv")
        self.pc.addTransceiver(self.colour, "sendrecv")
        self.loopback_only = loopback_only
        self.returned_audio: deque[np.ndarray] = deque(maxlen=500)  # the last 10 s of 20 ms frames
        self.returned_video_frames = 0
        self.returned_video_rgb: np.ndarray | None = None
        self.location: str | None = None
        self.answer_sdp = ""
        self._readers: list[asyncio.Task] = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track) -> None:
        self._readers.append(asyncio.ensure_future(self._read(track)))

    async def _read(self, track) -> None:
        while True:
            try:
                frame = await track.recv()
            except Exception:  # noqa: BLE001 - the track ended
                return
            if track.kind == "audio":
                self.returned_audio.append(frame.to_ndarray().reshape(-1, 2).astype(np.float32) / 32768)
            else:
                self.returned_video_frames += 1
                self.returned_video_rgb = frame.to_ndarray(format="rgb24")

    async def offer(self) -> str:
        offer = await self.pc.createOffer()
        if self.loopback_only:
            gather_on_loopback_too(self.pc)
        await self.pc.setLocalDescription(offer)
        sdp = self.pc.localDescription.sdp
        if self.loopback_only:  # what a browser on a machine with no network offers
            sdp = "".join(line for line in sdp.splitlines(True) if not line.startswith("a=candidate:") or " 127.0.0.1 " in line)
        return sdp

    async def join(self, http: aiohttp.ClientSession, service: GuestService, guest_id: str = "guest-1") -> None:
        sdp = await self.offer()
        async with http.post(
            f"{service.base_url}/whip/{guest_id}", data=sdp, headers={**bearer(), "Content-Type": "application/sdp"}
        ) as response:
            body = await response.text()
            assert response.status == 201, body
            assert response.content_type == "application/sdp"
            self.location = response.headers["Location"]
        self.answer_sdp = body
        await self.pc.setRemoteDescription(RTCSessionDescription(body, "answer"))

    def returned_samples(self, last: int = 50) -> np.ndarray:
        return np.concatenate(list(self.returned_audio)[-last:])

    async def close(self) -> None:
        await self.pc.close()
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)


async def in_thread(function, *args):
    return await asyncio.to_thread(function, *args)


# -- the HTTP surface -----------------------------------------------------------------------------


def test_wrong_or_missing_tokens_and_unknown_guests_get_401_with_nothing_created(service, host, caplog):
    caplog.set_level(logging.DEBUG)
    offer = (Path(__file__).parent / "data" / "guest" / "chromium_offer.sdp").read_text()
    sdp_headers = {"Content-Type": "application/sdp"}

    async def attempts():
        async with aiohttp.ClientSession() as http:
            base = service.base_url
            cases = [
                ("POST", "/whip/guest-1", {**sdp_headers}),
                ("POST", "/whip/guest-1", {**sdp_headers, **bearer(OTHER_TOKEN)}),
                ("POST", "/whip/guest-1", {**sdp_headers, "Authorization": f"Basic {TOKEN}"}),
                ("POST", "/whip/guest-2", {**sdp_headers, **bearer()}),  # an id that does not exist
                ("POST", "/whep/guest-1", {**sdp_headers, **bearer(OTHER_TOKEN)}),
                ("GET", "/guest/guest-1/config", {}),
                ("GET", "/guest/guest-1/config", bearer(OTHER_TOKEN)),
                ("GET", "/guest/guest-2/config", bearer()),
                ("DELETE", "/whip/guest-1/abcdef", bearer(OTHER_TOKEN)),
            ]
            statuses = []
            for method, path, headers in cases:
                async with http.request(method, base + path, data=offer if method == "POST" else None, headers=headers) as reply:
                    statuses.append((path, reply.status, reply.headers.get("WWW-Authenticate")))
                    assert TOKEN not in await reply.text()
            return statuses

    statuses = asyncio.run(attempts())
    assert all(status == 401 and challenge == "Bearer" for _path, status, challenge in statuses), statuses
    feed = host.feeds["guest-1"]
    assert feed.stats().state is GuestState.WAITING and feed.stats().sessions == 0
    assert host.returns_opened == [] and host.videos_opened == []
    assert service.session_count() == 0 and service.unauthorized == len(statuses)
    assert not [record for record in caplog.records if TOKEN in record.getMessage() or OTHER_TOKEN in record.getMessage()]


def test_config_options_patch_and_bad_offers(host):
    turn = IceServer(urls=["turn:turn.example.com:3478?transport=udp"], username="studio", credential="turn-pass")
    with GuestService(host, ice_servers=[turn]) as service:

        async def requests():
            async with aiohttp.ClientSession() as http:
                base = service.base_url
                async with http.get(f"{base}/guest/guest-1/config", headers=bearer()) as reply:
                    config = await reply.json()
                async with http.options(f"{base}/whip/guest-1") as reply:
                    options = (reply.status, dict(reply.headers))
                async with http.patch(f"{base}/whip/guest-1/abcdef", headers=bearer()) as reply:
                    patch_status = reply.status
                async with http.post(f"{base}/whip/guest-1", data="v=0", headers={**bearer(), "Content-Type": "text/plain"}) as reply:
                    wrong_type = reply.status
                async with http.post(f"{base}/whip/guest-1", data="hello", headers={**bearer(), "Content-Type": "application/sdp"}) as reply:
                    garbage = (reply.status, (await reply.json())["error"])
                return config, options, patch_status, wrong_type, garbage

        config, options, patch_status, wrong_type, garbage = asyncio.run(requests())
    assert config == {
        "name": "Guest guest-1", "show_program_video": True, "audio_processing": True,
        "ice_servers": [{"urls": ["turn:turn.example.com:3478?transport=udp"], "username": "studio", "credential": "turn-pass"}],
        "max_width": 1280, "max_height": 720, "max_fps": 30, "max_video_bitrate_kbps": 2500,
    }
    status, headers = options
    assert status == 204 and headers["Accept-Post"] == "application/sdp"
    assert headers["Access-Control-Allow-Origin"] == "*" and "Authorization" in headers["Access-Control-Allow-Headers"]
    assert "Location" in headers["Access-Control-Expose-Headers"]
    assert patch_status == 405 and wrong_type == 415
    assert garbage[0] == 400 and "v=0" in garbage[1]
    assert host.feeds["guest-1"].stats().sessions == 0
    assert len(host.returns_closed) == len(host.returns_opened)  # nothing left open by a refused offer


def test_the_page_and_only_its_own_files_are_served(service):
    async def requests():
        async with aiohttp.ClientSession() as http:
            results = {}
            for path in ("/guest/guest-1", "/guest/nobody", "/guest-assets/guest.js", "/guest-assets/nothing.js",
                         "/guest-assets/..%2Fservice.py", "/guest-assets/.hidden", "/guest-assets/%2E%2E"):
                async with http.get(service.base_url + path) as reply:
                    results[path] = (reply.status, reply.headers.get("Content-Type", ""), await reply.text(), dict(reply.headers))
            return results

    results = asyncio.run(requests())
    page_status, page_type, page_text, page_headers = results["/guest/guest-1"]
    assert page_status == 200 and page_type.startswith("text/html"), page_text
    assert page_text == resources.files("studio.guests").joinpath("page", "guest.html").read_text(encoding="utf-8")
    assert page_headers["Referrer-Policy"] == "no-referrer" and page_headers["Cache-Control"] == "no-store"
    assert results["/guest/nobody"][:3] == results["/guest/guest-1"][:3]  # the page does not say which guests exist
    status, content_type, _text, _headers = results["/guest-assets/guest.js"]
    assert status == 200 and content_type.startswith("text/javascript")  # a module script needs it
    for path in ("/guest-assets/nothing.js", "/guest-assets/..%2Fservice.py", "/guest-assets/.hidden", "/guest-assets/%2E%2E"):
        assert results[path][0] == 404, path


def test_a_taken_port_is_a_clear_error(host):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(GuestServiceError, match=rf"127\.0\.0\.1:{port}.*already in use"):
            GuestService(host, port=port).start()


def test_lan_mode_serves_tls_with_the_certificate_it_made(host, tmp_path):
    with GuestService(host, lan=True, certificate_dir=tmp_path) as service:
        assert service.base_url.startswith("https://")
        context = ssl.create_default_context(cafile=str(service.certificate.certificate_path))
        local_url = f"https://127.0.0.1:{service.port}"

        async def fetch():
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{local_url}/guest/guest-1/config", headers=bearer(), ssl=context) as reply:
                    return reply.status, await reply.json()

        status, config = asyncio.run(fetch())
    assert status == 200 and config["name"] == "Guest guest-1"
    with pytest.raises(GuestServiceError, match="certificate"):
        GuestService(host, lan=True)


def test_the_session_limit_answers_503(host):
    with GuestService(host, max_sessions=1) as service:

        async def two_players():
            players = [RTCPeerConnection(RTCConfiguration(iceServers=[])) for _ in range(2)]
            statuses = []
            async with aiohttp.ClientSession() as http:
                for player in players:
                    player.addTransceiver("audio", "recvonly")
                    await player.setLocalDescription(await player.createOffer())
                    async with http.post(
                        f"{service.base_url}/whep/guest-1", data=player.localDescription.sdp,
                        headers={**bearer(), "Content-Type": "application/sdp"},
                    ) as reply:
                        statuses.append((reply.status, reply.headers.get("Retry-After")))
            for player in players:
                await player.close()
            return statuses

        statuses = asyncio.run(two_players())
    assert statuses == [(201, None), (503, "5")]


# -- real WebRTC -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_guest_joins_sends_media_hears_the_mix_minus_and_leaves(service, host, caplog):
    caplog.set_level(logging.DEBUG, logger="studio")
    feed = host.feeds["guest-1"]

    async def call():
        guest = GuestClient(RED)
        async with aiohttp.ClientSession() as http:
            await guest.join(http, service)
            frame = await in_thread(take_frame, feed)
            await wait_until(lambda: len(feed.accepted_samples()) >= 48_000, "a second of the guest's sound in the feed")
            await wait_until(lambda: len(guest.returned_audio) >= 60, "the return audio")
            await wait_until(lambda: guest.returned_video_frames >= 5, "the return video")
            await wait_until(lambda: feed.stats().fps > 0 and feed.stats().rtt_ms is not None, "stats with a round-trip time")
            live = feed.stats()
            async with http.delete(service.base_url + guest.location, headers=bearer()) as reply:
                deleted = reply.status
        await guest.close()
        return guest, frame, live, deleted

    guest, frame, live, deleted = asyncio.run(call())
    assert (frame.width, frame.height) == (640, 360)
    y, u, v = rgb_to_yuv(RED)
    assert abs(frame.y.mean() - y) < 10 and abs(frame.u.mean() - u) < 10 and abs(frame.v.mean() - v) < 10
    assert strongest_frequency_hz(feed.accepted_samples()[-24_000:]) == pytest.approx(GUEST_TONE_HZ, abs=5)
    assert strongest_frequency_hz(guest.returned_samples()) == pytest.approx(RETURN_TONE_HZ, abs=5)
    assert np.abs(guest.returned_video_rgb.astype(int).mean(axis=(0, 1)) - (40, 180, 60)).max() < 20  # program's still
    assert live.state is GuestState.LIVE and live.client == "browser"
    assert (live.width, live.height) == (640, 360) and live.rtt_ms is not None
    assert "b=AS:2500" in guest.answer_sdp and "x-google-max-bitrate=2500" in guest.answer_sdp
    assert deleted == 200
    assert (feed.stats().state, feed.stats().reason) == (GuestState.WAITING, "left")
    assert service.session_count() == 0
    assert host.returns_closed == host.returns_opened and host.videos_closed == host.videos_opened
    assert not [record for record in caplog.records if TOKEN in record.getMessage()]


@pytest.mark.slow
def test_a_guest_that_hangs_up_without_a_delete_is_gone_too(service, host):
    feed = host.feeds["guest-1"]

    async def call():
        guest = GuestClient(RED)
        async with aiohttp.ClientSession() as http:
            await guest.join(http, service)
            await in_thread(take_frame, feed)
            await guest.close()  # its DTLS says goodbye; no DELETE (a tab closed, a crash of the page)
            await wait_until(lambda: service.session_count() == 0, "the session to end")

    asyncio.run(call())
    assert (feed.stats().state, feed.stats().reason) == (GuestState.WAITING, "left")
    assert host.returns_closed == host.returns_opened


@pytest.mark.slow
def test_a_second_offer_takes_the_slot_of_the_first(service, host):
    feed = host.feeds["guest-1"]

    async def two_sessions():
        first, second = GuestClient(RED), GuestClient(BLUE)
        async with aiohttp.ClientSession() as http:
            await first.join(http, service)
            red = await in_thread(take_frame, feed)
            await second.join(http, service)  # the page reloaded: a new offer, same guest
            await wait_until(lambda: host.returns_closed, "the first session's return to be closed")
            frames = [await in_thread(take_frame, feed) for _ in range(10)]
            sessions_open = service.session_count()
        await first.close()
        await second.close()
        return red, frames, sessions_open

    red, frames, sessions_open = asyncio.run(two_sessions())
    assert feed.stats().sessions == 2
    assert not feed.is_current(1) and feed.is_current(2)  # the generation moved on
    assert not feed.push_video(1, red)  # and the first one's pictures are refused
    _y, u_blue, _v = rgb_to_yuv(BLUE)
    # Only the new guest's pictures (red's U is about 100 below blue's; VP8 at its start bitrate
    # wanders by a few steps).
    assert all(abs(frame.u.mean() - u_blue) < 20 for frame in frames)
    assert sessions_open == 1


@pytest.mark.slow
def test_media_stopping_marks_the_guest_lost_and_coming_back_live(service, host):
    feed = host.feeds["guest-1"]

    async def freeze():
        guest = GuestClient(RED)
        async with aiohttp.ClientSession() as http:
            await guest.join(http, service)
            await in_thread(take_frame, feed)
            guest.colour.stop_sending()
            guest.tone.stop_sending()
            stopped_s = time.monotonic()
            await wait_until(lambda: feed.stats().state is GuestState.LOST, "the guest to be marked LOST", timeout_s=6)
            lost_after_s = time.monotonic() - stopped_s
            reason = feed.stats().reason
            guest.colour.sending.set()
            guest.tone.sending.set()
            await wait_until(lambda: feed.stats().state is GuestState.LIVE, "the guest to be LIVE again")
        await guest.close()
        return lost_after_s, reason

    lost_after_s, reason = asyncio.run(freeze())
    assert reason == "no media for 2 s"
    assert lost_after_s < 6


@pytest.mark.slow
def test_a_loopback_only_offer_connects_over_loopback(service, host):
    """A browser on a machine with no network offers only 127.0.0.1; aioice alone would not
    answer with a loopback candidate (on a machine with only `lo`, none at all)."""
    feed = host.feeds["guest-1"]

    async def call():
        guest = GuestClient(RED, loopback_only=True)
        async with aiohttp.ClientSession() as http:
            await guest.join(http, service)
            frame = await in_thread(take_frame, feed)
        # The pair ICE chose, as the client's aioice saw it (a look inside, for this assertion only).
        connection = guest.pc.getTransceivers()[0].receiver.transport.transport._connection
        pairs = [(pair.local_candidate.host, pair.remote_candidate.host) for pair in connection._nominated.values()]
        await guest.close()
        return guest.answer_sdp, frame, pairs

    answer, frame, pairs = asyncio.run(call())
    assert any(" 127.0.0.1 " in line and "typ host" in line for line in answer.splitlines() if line.startswith("a=candidate:"))
    assert frame.width == 640
    assert pairs == [("127.0.0.1", "127.0.0.1")]


@pytest.mark.slow
def test_revoking_a_link_ends_the_call_and_stopping_the_service_hangs_up(host):
    feed = host.feeds["guest-1"]
    service = GuestService(host)
    service.start()

    async def join_revoke_rejoin_stop():
        try:
            async with aiohttp.ClientSession() as http:
                guest = GuestClient(RED)
                await guest.join(http, service)
                await in_thread(take_frame, feed)
                ended = await in_thread(service.end_sessions, "guest-1")
                after_revoke = feed.stats()
                await guest.close()
                guest = GuestClient(BLUE)
                await guest.join(http, service)
                await in_thread(take_frame, feed)
                seen = service.guest_stats()
        finally:
            await in_thread(service.stop)
        await guest.close()
        return ended, after_revoke, seen

    ended, after_revoke, seen = asyncio.run(join_revoke_rejoin_stop())
    assert ended == 1 and after_revoke.state is GuestState.WAITING
    assert seen["guest-1"].sessions == 2 and seen["guest-1"].state in (GuestState.CONNECTING, GuestState.LIVE)
    assert (feed.stats().state, feed.stats().reason) == (GuestState.WAITING, "the studio closed the guest service")
    assert host.returns_closed == host.returns_opened


@pytest.mark.slow
def test_a_guest_removed_from_the_show_is_hung_up(service, host):
    feed = host.feeds["guest-1"]

    async def call():
        guest = GuestClient(RED)
        async with aiohttp.ClientSession() as http:
            await guest.join(http, service)
            await in_thread(take_frame, feed)
            feed.close()  # the engine closes the feed of a guest source that left the show
            await wait_until(lambda: service.session_count() == 0, "the session to hang up")
        await guest.close()

    asyncio.run(call())
    assert host.returns_closed == host.returns_opened and host.videos_closed == host.videos_opened


@pytest.mark.slow
def test_ffmpeg_whip_pushes_a_pattern_and_a_tone(host):
    feed = host.add_guest("guest-1", TOKEN, max_width=960, max_height=540)  # FFmpeg sends 1280x720: scaled
    with GuestService(host) as service:
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
            "-t", "5", "-c:v", "libx264", "-profile:v", "baseline", "-preset", "veryfast", "-tune", "zerolatency",
            "-g", "15", "-bf", "0", "-pix_fmt", "yuv420p", "-b:v", "1500k",
            "-c:a", "libopus", "-ar", "48000", "-ac", "2", "-b:a", "64k",
            "-f", "whip", "-authorization", TOKEN, f"{service.base_url}/whip/guest-1",
        ]
        pusher = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            frames = [take_frame(feed) for _ in range(30)]
            stats = feed.stats()
            _output, errors = pusher.communicate(timeout=60)
        finally:
            if pusher.poll() is None:
                pusher.kill()
                pusher.wait(10)
    assert {(frame.width, frame.height) for frame in frames} == {(960, 540)}
    assert stats.state is GuestState.LIVE and stats.client == "WHIP client"
    assert strongest_frequency_hz(feed.accepted_samples()[-24_000:]) == pytest.approx(1000, abs=5)
    assert TOKEN not in errors
    assert feed.stats().state is GuestState.WAITING  # FFmpeg said goodbye with a DELETE


@pytest.mark.slow
def test_a_whep_player_gets_the_return_audio(service, host):
    async def play():
        player = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        player.addTransceiver("audio", "recvonly")
        received: deque[np.ndarray] = deque(maxlen=500)

        @player.on("track")
        def on_track(track):
            async def read():
                while True:
                    try:
                        frame = await track.recv()
                    except Exception:  # noqa: BLE001 - the track ended
                        return
                    received.append(frame.to_ndarray().reshape(-1, 2).astype(np.float32) / 32768)

            asyncio.ensure_future(read())

        await player.setLocalDescription(await player.createOffer())
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{service.base_url}/whep/guest-1", data=player.localDescription.sdp,
                headers={**bearer(), "Content-Type": "application/sdp"},
            ) as reply:
                assert reply.status == 201, await reply.text()
                location = reply.headers["Location"]
                await player.setRemoteDescription(RTCSessionDescription(await reply.text(), "answer"))
            await wait_until(lambda: len(received) >= 60, "the return audio on the WHEP session")
            async with http.delete(service.base_url + location, headers=bearer()) as reply:
                deleted = reply.status
        await player.close()
        return np.concatenate(list(received)[-50:]), deleted, location

    samples, deleted, location = asyncio.run(play())
    assert location.startswith("/whep/guest-1/")
    assert strongest_frequency_hz(samples) == pytest.approx(RETURN_TONE_HZ, abs=5)
    assert deleted == 200 and service.session_count() == 0
    assert host.feeds["guest-1"].stats().sessions == 0  # a WHEP player is not the guest joining
    assert host.returns_closed == host.returns_opened
