"""A WHIP endpoint of the tests' own (RFC 9725) on loopback: aiohttp + aiortc on an asyncio thread.

It plays the platform for the WHIP output: `POST /whip/<id>` with `Authorization: Bearer <token>`
and an SDP offer gets 201, a `Location` and the SDP answer (401 with a wrong or missing token),
`DELETE` on the Location ends the session. What arrives is decoded by aiortc and recorded, so a
test can check the stream frame by frame:
- each video frame: its arrival (time.monotonic_ns, the engine's clock), its pts (aiortc counts
  the track's RTP timestamps from its first frame, 90 kHz), its size, its mean luma, the time code
  of studio.engine.graphics.timecode if the picture carries one; the last few Y planes are kept;
- each audio frame: its arrival, pts (48 kHz) and samples (mono, float);
- each track's RTCP sender reports (sender NTP time <-> RTP time, one wall clock for both tracks:
  what tells which sound goes with which picture) and the RTP timestamp its pts count from.

FFmpeg's WHIP client needs two things aiortc does not do by itself, solved in studio/guests/ice.py
and used here as they are: host candidates on the loopback address (aioice leaves it out, so on a
box with only `lo` ICE would have nothing to pair), and no ICE consent checks (FFmpeg 9 does not
answer them, so aiortc would end the session some 30 s in).

`stop()` is the endpoint going away without a word (server and peer connections closed, no
DELETE reply): what a platform's crash looks like to the sender. `start()` again listens on the
same port.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from studio.engine.graphics.timecode import read_timecode_y
from studio.guests.ice import gather_on_loopback_too, without_consent_checks
from studio.guests.lip_sync import SenderReport
from studio.guests.sender_reports import listen_for_sender_reports, pts_origin_rtp_timestamp

LOOPBACK = "127.0.0.1"
Y_PLANES_KEPT = 8


@dataclass(frozen=True, slots=True)
class ReceivedPicture:
    arrival_ns: int
    pts: int  # 90 kHz, from the track's first frame
    width: int
    height: int
    mean_y: float
    timecode: int | None  # read_timecode_y of the picture, if it carries one
    # When its last RTP packet arrived (before aiortc's jitter buffer, which hands a frame on
    # only once the next frame's first packet is in: one frame interval, and before decoding).
    packets_arrival_ns: int | None


@dataclass(frozen=True, slots=True)
class ReceivedSound:
    arrival_ns: int
    pts: int  # at the sample rate, from the track's first frame
    sample_rate: int
    samples: np.ndarray  # mono float32 in [-1, 1]


@dataclass(slots=True)
class TrackTiming:
    """What maps a track's pts to the sender's wall clock."""

    reports: list[SenderReport] = field(default_factory=list)
    pts_origin_rtp: int | None = None  # the RTP timestamp of pts 0
    last_packet_ns: dict[int, int] = field(default_factory=dict)  # RTP timestamp -> arrival

    def packets_arrival_ns(self, pts: int) -> int | None:
        if self.pts_origin_rtp is None:
            return None
        return self.last_packet_ns.get((self.pts_origin_rtp + pts) & 0xFFFFFFFF)


@dataclass(slots=True)
class WhipSession:
    session_id: str
    stream_id: str
    pc: RTCPeerConnection
    pictures: list[ReceivedPicture] = field(default_factory=list)
    sounds: list[ReceivedSound] = field(default_factory=list)
    video_timing: TrackTiming = field(default_factory=TrackTiming)
    audio_timing: TrackTiming = field(default_factory=TrackTiming)
    y_planes: deque = field(default_factory=lambda: deque(maxlen=Y_PLANES_KEPT))
    deleted: bool = False  # the sender said goodbye with a DELETE
    offer_sdp: str = ""


class WhipEndpoint:
    """See the module's docstring. Use as a context manager or start()/stop()."""

    def __init__(self, token: str, port: int = 0) -> None:
        self.token = token
        self.port = port
        self.sessions: list[WhipSession] = []
        self.refused_posts = 0  # 401s
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task] = set()

    def url(self, stream_id: str = "live") -> str:
        return f"http://{LOOPBACK}:{self.port}/whip/{stream_id}"

    # -- the test's side -----------------------------------------------------------------------

    def start(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="whip endpoint", daemon=True)
        self._thread.start()
        self._call(self._open())

    def stop(self) -> None:
        if self._loop is None:
            return
        try:
            self._call(self._close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()
            self._loop = None

    def __enter__(self) -> WhipEndpoint:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def session_count(self) -> int:
        with self._lock:
            return len(self.sessions)

    def pictures(self, session: int = -1) -> list[ReceivedPicture]:
        with self._lock:
            return list(self.sessions[session].pictures) if self.sessions else []

    def sounds(self, session: int = -1) -> list[ReceivedSound]:
        with self._lock:
            return list(self.sessions[session].sounds) if self.sessions else []

    def _call(self, coroutine, timeout_s: float = 20):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout_s)

    # -- the loop's side -----------------------------------------------------------------------

    async def _open(self) -> None:
        app = web.Application()
        app.router.add_post("/whip/{stream_id}", self._post)
        app.router.add_delete("/whip/{stream_id}/{session_id}", self._delete)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, self.port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        with self._lock:
            sessions = list(self.sessions)
        for session in sessions:
            await session.pc.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _authorized(self, request: web.Request) -> bool:
        return secrets.compare_digest(request.headers.get("Authorization", ""), f"Bearer {self.token}")

    async def _post(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            self.refused_posts += 1
            return web.Response(status=401, text="bad token", headers={"WWW-Authenticate": "Bearer"})
        if request.content_type != "application/sdp":
            return web.Response(status=415, text="expected application/sdp")
        offer = await request.text()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        session = WhipSession(secrets.token_hex(8), request.match_info["stream_id"], pc, offer_sdp=offer)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        for transceiver in pc.getTransceivers():
            transceiver.direction = "recvonly"
            timing = session.video_timing if transceiver.kind == "video" else session.audio_timing
            listen_for_sender_reports(transceiver, offer, timing.reports.append)
            _note_packet_arrivals(transceiver.receiver, timing)
        gather_on_loopback_too(pc, LOOPBACK)
        await pc.setLocalDescription(await pc.createAnswer())
        without_consent_checks(pc)
        for receiver in pc.getReceivers():
            if receiver.track is not None:
                self._spawn(self._receive(session, receiver))
        with self._lock:
            self.sessions.append(session)
        return web.Response(
            status=201,
            text=pc.localDescription.sdp,
            content_type="application/sdp",
            headers={"Location": f"/whip/{session.stream_id}/{session.session_id}"},
        )

    async def _delete(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401, text="bad token")
        with self._lock:
            found = [s for s in self.sessions if s.session_id == request.match_info["session_id"]]
        if not found:
            return web.Response(status=404, text="no such session")
        found[0].deleted = True
        await found[0].pc.close()
        return web.Response(status=200)

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _receive(self, session: WhipSession, receiver) -> None:
        track = receiver.track
        timing = session.video_timing if track.kind == "video" else session.audio_timing
        loop = asyncio.get_running_loop()
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            arrival_ns = time.monotonic_ns()
            if timing.pts_origin_rtp is None:
                timing.pts_origin_rtp = pts_origin_rtp_timestamp(receiver)
            if track.kind == "video":
                # Reading the picture is NumPy work: off the loop, which carries every packet.
                packets_ns = timing.packets_arrival_ns(frame.pts)
                picture, y_plane = await loop.run_in_executor(None, _read_picture, frame, arrival_ns, packets_ns)
                with self._lock:
                    session.pictures.append(picture)
                    session.y_planes.append(y_plane)
            else:
                samples = frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0]
                sound = ReceivedSound(arrival_ns, frame.pts, frame.sample_rate, samples.astype(np.float32) / 32768)
                with self._lock:
                    session.sounds.append(sound)


def _note_packet_arrivals(receiver, timing: TrackTiming) -> None:
    """Wrap this one receiver's RTP entry point (on the instance, as sender_reports.py does for
    RTCP) to note when each RTP timestamp's latest packet arrived."""
    handle = receiver._handle_rtp_packet

    async def handle_rtp_packet(packet, arrival_time_ms: int) -> None:
        timing.last_packet_ns[packet.timestamp] = time.monotonic_ns()
        if len(timing.last_packet_ns) > 4096:  # keep the newest ones, a couple of minutes
            for stale in list(timing.last_packet_ns)[:1024]:
                del timing.last_packet_ns[stale]
        await handle(packet, arrival_time_ms)

    receiver._handle_rtp_packet = handle_rtp_packet


def _read_picture(frame, arrival_ns: int, packets_ns: int | None) -> tuple[ReceivedPicture, np.ndarray]:
    plane = frame.planes[0]
    y_plane = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)[:, : frame.width].copy()
    picture = ReceivedPicture(
        arrival_ns, frame.pts, frame.width, frame.height, float(y_plane.mean()), read_timecode_y(y_plane), packets_ns
    )
    return picture, y_plane


def sender_time_ns(timing: TrackTiming, pts: int, clock_hz: int) -> int | None:
    """When, on the sender's wall clock (NTP, ns), the frame at `pts` was sampled: from the
    track's latest sender report. None before the first report."""
    if not timing.reports or timing.pts_origin_rtp is None:
        return None
    report = timing.reports[-1]
    rtp = (timing.pts_origin_rtp + pts) & 0xFFFFFFFF
    # The RTP difference in 32-bit modular arithmetic, as a signed number.
    delta = ((rtp - report.rtp_timestamp + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)
    ntp_ns = (report.ntp_timestamp >> 32) * 1_000_000_000 + ((report.ntp_timestamp & 0xFFFFFFFF) * 1_000_000_000 >> 32)
    return ntp_ns + delta * 1_000_000_000 // clock_hz
