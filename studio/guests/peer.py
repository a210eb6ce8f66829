"""One WebRTC session of a guest, on the guest service's event loop.

A WHIP session (GuestPeer) brings a guest's camera and microphone into their GuestFeed and, for a
browser, carries their return (mix-minus, and program video when allowed) on the same
transceivers. A WHEP session (ReturnPeer) only carries the return, for WHIP encoders that cannot
receive on their WHIP session.

Negotiation is non-trickle, as WHIP clients expect: the offer is applied, the return tracks are
put on the transceivers the offer opened for receiving, and the answer goes out once ICE has
gathered every candidate.

While a GuestPeer runs:
- one task per incoming track takes decoded frames from aiortc (which decodes on its own threads).
  Pictures are stamped for lip sync as they arrive and converted on the service's small thread
  pool (see receive.py): a conversion costs 0.07 ms for a 720p picture already in BT.601 (a copy),
  2.2 ms from BT.709 and 1.2 ms for a 1080p picture scaled to 720p (measured on the shared 2-core
  test machine), which at 30 fps per guest would take a good share of the event loop that serves
  every packet. What aiortc decoded while the loop was held up (a busy machine) comes in a burst:
  every picture of it is converted except one that a newer picture, already due, hides (it could
  never be on program; _WaitingPictures). Audio is converted inline (about 20 us per 20 ms frame);
- lip sync (lip_sync.py): each track's RTCP sender reports map its frames to the guest's own
  clock (sender_reports.py reaches into aiortc for them), so each picture is stamped to be on
  program with the sound captured with it; until both tracks have had a report, the feed stamps
  pictures at arrival;
- a watchdog: aiortc notices a vanished peer only when ICE consent fails, some 30 s later, so
  media missing for QUIET_AFTER_S marks the guest LOST ("no media for 2 s") at once, and media
  coming back marks them LIVE again. A session with no media at all NO_MEDIA_GIVE_UP_S after the
  answer is ended (LOST): ICE or DTLS never got through;
- stats about once a second (connection_stats.py).
The feed's generation keeps a replaced session's late frames off program: the feed refuses them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpReceiver, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from studio.engine.clock import NS_PER_MS, NS_PER_SECOND
from studio.engine.errors import SourceUnavailable
from studio.engine.sources.guest_feed import VIDEO_FRAMES_HELD, GuestFeed
from studio.guests.connection_stats import ConnectionMeter, FrameTally
from studio.guests.host import GuestAccess, GuestHost
from studio.guests.ice import gather_on_loopback_too, without_consent_checks
from studio.guests.lip_sync import LipSync, TrackClock
from studio.guests.receive import GuestAudioConverter, GuestVideoConverter
from studio.guests.return_media import (
    RETURN_VIDEO_FPS,
    RETURN_VIDEO_HEIGHT,
    RETURN_VIDEO_WIDTH,
    ProgramVideoTrack,
    ReturnAudioTrack,
)
from studio.guests.sdp import OfferedMedia, offered_media, with_video_bitrate, without_remb
from studio.guests.sender_reports import listen_for_sender_reports, pts_origin_rtp_timestamp

log = logging.getLogger(__name__)

QUIET_AFTER_S = 2.0
NO_MEDIA_GIVE_UP_S = 30.0
# A WHIP client's session (no ICE consent checks, see ice.without_consent_checks) quiet this long
# is ended: the encoder went away without a DELETE.
QUIET_GIVE_UP_S = 30.0
WATCHDOG_PERIOD_S = 0.25
STATS_PERIOD_S = 1.0
BROWSER = "browser"
WHIP_CLIENT = "WHIP client"
LIP_SYNC_FIGURES_EVERY = 30  # pictures between lip-sync figures for the feed (a second at 30 fps)


class NegotiationError(ValueError):
    """The offer cannot be answered (the message says why, for a 400 reply)."""


_DIRECTIONS = {(True, True): "sendrecv", (True, False): "recvonly", (False, True): "sendonly", (False, False): "inactive"}


class PeerSession:
    """A peer connection and the return it carries; closed once."""

    takes_incoming = False  # whether the guest's own media is received

    def __init__(self, session_id: str, access: GuestAccess, host: GuestHost, configuration: RTCConfiguration) -> None:
        self.session_id = session_id
        self.guest_id = access.guest_id
        self.access = access
        self._host = host
        self.pc = RTCPeerConnection(configuration)
        self._return_audio: ReturnAudioTrack | None = None
        self._return_video: ProgramVideoTrack | None = None
        self._tasks: set[asyncio.Task] = set()
        self.closed = False
        self.on_closed: Callable[[PeerSession], None] | None = None  # the service forgets it

    @property
    def label(self) -> str:
        return f"guest {self.access.name!r} ({self.guest_id}), session {self.session_id[:6]}"

    async def answer(self, offer_sdp: str, *, gather_on_loopback: str | None) -> tuple[str, list[OfferedMedia]]:
        """Apply the offer, put the return on the transceivers it opened for receiving, gather
        every candidate and return (the answer's SDP, the offer's media)."""
        media = offered_media(offer_sdp)
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except (ValueError, LookupError) as error:
            raise NegotiationError(f"the SDP offer cannot be used: {error}") from None
        except Exception as error:  # aiortc's OperationError (no common codec...), InvalidStateError
            raise NegotiationError(f"the SDP offer cannot be answered: {error}") from None
        by_mid = {item.mid: item for item in media}
        receiving: set[str] = set()
        for transceiver in self.pc.getTransceivers():
            offered = by_mid.get(transceiver.mid)
            if offered is None:
                continue
            # The first incoming track of each kind is taken; another one would only pile up
            # decoded frames in aiortc's queue, so it is answered as not received.
            receive = self.takes_incoming and offered.sends and transceiver.kind not in receiving
            if receive:
                receiving.add(transceiver.kind)
            track = self._return_track(transceiver.kind) if offered.receives else None
            if track is not None:
                transceiver.sender.replaceTrack(track)
            # aiortc answers with this direction narrowed by the offer's.
            transceiver.direction = _DIRECTIONS[(receive, track is not None)]
        if gather_on_loopback is not None:
            gather_on_loopback_too(self.pc, gather_on_loopback)
        answer = await self.pc.createAnswer()
        await self.pc.setLocalDescription(answer)  # returns once every candidate is gathered
        return self.pc.localDescription.sdp, media

    def _return_track(self, kind: str) -> MediaStreamTrack | None:
        if kind == "audio" and self._return_audio is None:
            self._return_audio = ReturnAudioTrack(self._host.open_guest_return(self.guest_id))
            return self._return_audio
        if kind == "video" and self._return_video is None and self.access.show_program_video:
            tap = self._host.open_program_video(RETURN_VIDEO_WIDTH, RETURN_VIDEO_HEIGHT, RETURN_VIDEO_FPS)
            self._return_video = ProgramVideoTrack(tap)
            return self._return_video
        return None

    def _spawn(self, coroutine, name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def close(self) -> None:
        """Stop everything of this session: its tasks, the peer connection, the return's taps."""
        if self.closed:
            return
        self.closed = True
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await self.pc.close()
        except Exception as error:  # noqa: BLE001 - closing must go on
            log.debug("%s: closing the peer connection: %s", self.label, error)
        self._release_return()
        if self.on_closed is not None:
            self.on_closed(self)

    async def end(self, reason: str, *, lost: bool) -> None:
        """End the session for `reason` (the guest left, the link was revoked, it broke)."""
        if not self.closed:
            await self.close()
            log.info("%s: ended (%s)", self.label, reason)

    def _release_return(self) -> None:
        if self._return_audio is not None:
            self._return_audio.stop()
            self._host.close_guest_return(self.guest_id, self._return_audio.tap)
        if self._return_video is not None:
            self._return_video.stop()
            if self._return_video.tap is not None:
                self._host.close_program_video(self._return_video.tap)


class _WaitingPictures:
    """The hand-over between a track's reader and its converter (one event loop): decoded
    pictures with their lip-sync stamps (media clock; None: the feed stamps them on arrival).

    A picture is skipped only when it could never be shown: a newer one is waiting that is due
    by now (an unstamped one is due at once), so the program's next tick would show that one
    instead. Pictures that came in a burst (aiortc hands over at once what it decoded while the
    event loop was held up, as it is on a busy machine) and are due later are all kept: lip sync
    holds pictures some 100-250 ms for their sound, so each still has its own tick on program.
    At most as many wait as the feed holds (VIDEO_FRAMES_HELD); beyond that the oldest go."""

    def __init__(self, max_waiting: int = VIDEO_FRAMES_HELD) -> None:
        self._pictures: deque[tuple[object, int | None]] = deque()
        self._max_waiting = max_waiting
        self._ready = asyncio.Event()

    def put(self, picture, due_ns: int | None) -> int:
        """Leave the picture for the converter; returns how many waiting ones it pushed out (the
        oldest, beyond max_waiting)."""
        self._pictures.append((picture, due_ns))
        self._ready.set()
        dropped = 0
        while len(self._pictures) > self._max_waiting:
            self._pictures.popleft()
            dropped += 1
        return dropped

    async def take(self, now_ns: Callable[[], int]) -> tuple[object, int | None, int]:
        """The oldest picture that can still be shown, its stamp, and how many older ones were
        skipped for it; waits for one."""
        while not self._pictures:
            self._ready.clear()
            await self._ready.wait()
        now = now_ns()
        skipped = 0
        while len(self._pictures) > 1:
            newer_due_ns = self._pictures[1][1]
            if newer_due_ns is not None and newer_due_ns > now:
                break  # the oldest has a tick of its own before the newer one is due
            self._pictures.popleft()
            skipped += 1
        picture, due_ns = self._pictures.popleft()
        return picture, due_ns, skipped


class GuestPeer(PeerSession):
    """A WHIP session: the guest's media in (see the module's docstring)."""

    takes_incoming = True

    def __init__(
        self,
        session_id: str,
        access: GuestAccess,
        host: GuestHost,
        feed: GuestFeed,
        configuration: RTCConfiguration,
        video_executor: Executor,
    ) -> None:
        super().__init__(session_id, access, host, configuration)
        self.feed = feed
        self._video_executor = video_executor
        self.generation = 0
        self.client = WHIP_CLIENT
        self._carries_audio = False
        self._answered_s = 0.0
        self._media_started_s: float | None = None
        self._last_media_s: float | None = None
        self._quiet = False
        self._tally = FrameTally()
        self._meter: ConnectionMeter | None = None
        self.video_frames_dropped = 0  # decoded, but a newer one was due before it was converted
        self.lip_sync: LipSync | None = None  # with both an audio and a video track
        self._lip_sync_told: tuple[bool, bool] = (False, False)  # (aligned, late) as last logged

    async def answer(self, offer_sdp: str, *, gather_on_loopback: str | None) -> tuple[str, list[OfferedMedia]]:
        answer_sdp, media = await super().answer(offer_sdp, gather_on_loopback=gather_on_loopback)
        incoming = [item for item in media if item.kind in ("audio", "video") and item.sends]
        if not incoming:
            raise NegotiationError("the offer sends no audio or video: a WHIP offer must send (use /whep to only receive)")
        self._carries_audio = any(item.kind == "audio" for item in incoming)
        # A browser wants its return on the same transceivers; a WHIP encoder only sends.
        self.client = BROWSER if any(item.receives for item in media) else WHIP_CLIENT
        if self.client == WHIP_CLIENT:
            without_consent_checks(self.pc)
        if any(item.kind == "video" for item in incoming):
            answer_sdp = with_video_bitrate(
                without_remb(answer_sdp), start_kbps=self.access.start_bitrate_kbps, max_kbps=self.access.max_video_bitrate_kbps
            )
        self._meter = ConnectionMeter(cap_kbps=self.access.max_video_bitrate_kbps, bitrate_was_asked=self.client == BROWSER)
        return answer_sdp, media

    def start(self) -> int:
        """The answer goes out: take the guest's slot in the feed and start receiving."""
        self.generation = self.feed.session_started(self.client)
        self._answered_s = time.monotonic()
        self.pc.on("connectionstatechange", self._connection_state_changed)
        clocks: dict[str, TrackClock] = {}
        for receiver in self.pc.getReceivers():
            track = receiver.track
            if track is None or receiver.transport is None:
                continue
            transceiver = next((t for t in self.pc.getTransceivers() if t.receiver is receiver), None)
            if transceiver is None or transceiver.currentDirection not in ("recvonly", "sendrecv"):
                continue
            if track.kind not in ("audio", "video"):
                continue
            clock = clocks[track.kind] = TrackClock(track.kind)
            if not listen_for_sender_reports(transceiver, self.pc.remoteDescription.sdp, clock.sender_report):
                log.info("%s: no sender reports from this aiortc's %s receiver: pictures stamped at arrival", self.label, track.kind)
            if track.kind == "video":
                self._spawn(self._receive_video(track, receiver, clock), f"guest-video {self.guest_id}")
            else:
                self._spawn(self._receive_audio(track, receiver, clock), f"guest-audio {self.guest_id}")
        if "audio" in clocks and "video" in clocks:
            self.lip_sync = LipSync(clocks["audio"], clocks["video"], self.feed.max_video_hold_ns)
        self._spawn(self._watch(), f"guest-watchdog {self.guest_id}")
        self._spawn(self._measure(), f"guest-stats {self.guest_id}")
        log.info("%s: answered a %s (generation %d)", self.label, self.client, self.generation)
        return self.generation

    async def end(self, reason: str, *, lost: bool) -> None:
        """End the session and tell the feed (WAITING when the guest left, LOST when it broke);
        a session already replaced leaves the feed to its successor."""
        if self.closed:
            return
        await self.close()
        self.feed.session_ended(self.generation, reason, lost=lost)
        dropped = f", {self.video_frames_dropped} late pictures dropped" if self.video_frames_dropped else ""
        log.info("%s: ended (%s)%s", self.label, reason, dropped)

    # -- receiving --------------------------------------------------------------------------

    def _media_arrived(self) -> None:
        now_s = time.monotonic()
        self._last_media_s = now_s
        if self._media_started_s is None:
            self._media_started_s = now_s
            self.feed.media_started(self.generation, carries_audio=self._carries_audio)
            log.info("%s: media after %.0f ms", self.label, 1000 * (now_s - self._answered_s))
        elif self._quiet:
            self._quiet = False
            self.feed.mark_live(self.generation)
            log.info("%s: media again", self.label)

    def _start_track_clock(self, clock: TrackClock, receiver: RTCRtpReceiver, decoded) -> None:
        """At a track's first frame: what its pts count from, for lip sync."""
        origin = pts_origin_rtp_timestamp(receiver)
        if origin is None or decoded.time_base is None:
            log.info("%s: no RTP timestamps on the %s frames: pictures stamped at arrival", self.label, clock.kind)
            return
        try:
            clock.start(origin, decoded.time_base)
        except ValueError as error:
            log.info("%s: %s: pictures stamped at arrival", self.label, error)

    async def _receive_video(self, track: MediaStreamTrack, receiver: RTCRtpReceiver, clock: TrackClock) -> None:
        """Take every decoded picture from aiortc at once (its queue to us is unbounded), stamp it
        for lip sync on arrival and leave it for the converter, which skips (and counts) only the
        pictures that a newer one, due by then, hides: when conversion falls behind (the machine is
        overloaded), those are dropped instead of piling up as latency, and no picture that still
        has a tick of its own on program is."""
        waiting = _WaitingPictures()
        converting = self._spawn(self._convert_video(waiting), f"guest-video-convert {self.guest_id}")
        try:
            while True:
                try:
                    decoded = await track.recv()
                except MediaStreamError:
                    return
                if self._tally.frames == 0:
                    self._start_track_clock(clock, receiver, decoded)
                self._tally = FrameTally(self._tally.frames + 1, decoded.width, decoded.height)
                self.video_frames_dropped += waiting.put(decoded, self._picture_due_ns(decoded.pts))
        finally:
            converting.cancel()

    async def _convert_video(self, waiting: _WaitingPictures) -> None:
        converter = GuestVideoConverter(self.access.max_width, self.access.max_height, f"guest {self.access.name}")
        loop = asyncio.get_running_loop()
        while True:
            decoded, due_ns, skipped = await waiting.take(self.feed.media_time_ns)
            self.video_frames_dropped += skipped
            try:
                frame = await loop.run_in_executor(self._video_executor, converter.engine_frame, decoded)
            except SourceUnavailable as error:  # a picture too small to use: skip it
                log.debug("%s: %s", self.label, error)
                continue
            self._media_arrived()
            if not self.feed.push_video(self.generation, frame, due_ns):
                return  # replaced (the new session feeds the guest now) or the guest was removed

    def _picture_due_ns(self, pts: int | None) -> int | None:
        """Lip sync's stamp for a picture arriving now (None: the feed's arrival stamping)."""
        lip_sync = self.lip_sync
        if lip_sync is None:
            return None
        feed = self.feed
        due_ns = lip_sync.picture_due_ns(pts, feed.media_time_ns(), feed.program_frame_ns)
        if lip_sync.pictures_aligned % LIP_SYNC_FIGURES_EVERY == 1:
            self._report_lip_sync(lip_sync)
        return due_ns

    def _report_lip_sync(self, lip_sync: LipSync) -> None:
        figures = lip_sync.figures()
        self.feed.update_lip_sync(self.generation, figures.video_held_ms if figures.aligned else None, figures.video_late_ms)
        # Late by more than half a program frame for most pictures: out of sync on program.
        late = figures.late_share > 0.5 and figures.video_late_ms > self.feed.program_frame_ns / 2 / NS_PER_MS
        told_aligned, told_late = self._lip_sync_told
        if figures.aligned and not told_aligned:
            log.info("%s: lip sync from RTCP sender reports: pictures wait %.0f ms for their sound", self.label, figures.video_held_ms)
        if late and not told_late:
            # Said once per session: the figure itself stays in the guest's stats.
            log.warning(
                "%s: the guest's pictures arrive %.0f ms too late for the sound captured with them and are shown on "
                "arrival, that much behind it (the sound is not delayed here: the mixer's sync offset is the user's)",
                self.label,
                figures.video_late_ms,
            )
        self._lip_sync_told = (told_aligned or figures.aligned, told_late or late)

    async def _receive_audio(self, track: MediaStreamTrack, receiver: RTCRtpReceiver, clock: TrackClock) -> None:
        converter = GuestAudioConverter()
        first = True
        while True:
            try:
                decoded = await track.recv()
            except MediaStreamError:
                return
            if first:
                first = False
                self._start_track_clock(clock, receiver, decoded)
            samples = converter.samples(decoded)
            if len(samples):
                self._media_arrived()
                arrival_ns = self.feed.media_time_ns()
                self.feed.push_audio(self.generation, samples)
                if self.lip_sync is not None:
                    duration_ns = decoded.samples * NS_PER_SECOND // decoded.sample_rate
                    self.lip_sync.audio_arrived(decoded.pts, duration_ns, arrival_ns, self.feed.sound_after_arrival_ns())

    # -- watching -----------------------------------------------------------------------------

    async def _connection_state_changed(self) -> None:
        if self.closed:
            return
        if self.pc.connectionState == "failed":
            await self.end("connection failed", lost=True)
        elif self.pc.connectionState == "closed":  # the guest's side closed DTLS: it hung up
            await self.end("left", lost=False)

    async def _watch(self) -> None:
        while not self.closed:
            await asyncio.sleep(WATCHDOG_PERIOD_S)
            if not self.feed.is_current(self.generation):
                # Replaced (the service is closing it) or the guest left the show: nothing of
                # this session reaches the feed any more.
                await self.close()
                return
            now_s = time.monotonic()
            if self._last_media_s is None:
                if now_s - self._answered_s > NO_MEDIA_GIVE_UP_S:
                    await self.end(f"no media arrived within {NO_MEDIA_GIVE_UP_S:.0f} s", lost=True)
                    return
            elif not self._quiet and now_s - self._last_media_s >= QUIET_AFTER_S:
                self._quiet = True
                self.feed.mark_quiet(self.generation, f"no media for {QUIET_AFTER_S:.0f} s")
                log.warning("%s: no media for %.0f s", self.label, QUIET_AFTER_S)
            elif self.client == WHIP_CLIENT and now_s - self._last_media_s >= QUIET_GIVE_UP_S:
                await self.end(f"no media for {QUIET_GIVE_UP_S:.0f} s", lost=True)
                return

    async def _measure(self) -> None:
        assert self._meter is not None
        while not self.closed:
            await asyncio.sleep(STATS_PERIOD_S)
            try:
                report = await self.pc.getStats()
            except Exception as error:  # noqa: BLE001 - a closing connection; the next round decides
                log.debug("%s: stats: %s", self.label, error)
                continue
            now_s = time.monotonic()
            live_for_s = now_s - self._media_started_s if self._media_started_s is not None else 0.0
            stats = self._meter.measure(report, self._tally, live_for_s=live_for_s, now_s=now_s)
            self.feed.update_stats(self.generation, stats)


class ReturnPeer(PeerSession):
    """A WHEP session: only the guest's return (see the module's docstring)."""

    async def answer(self, offer_sdp: str, *, gather_on_loopback: str | None) -> tuple[str, list[OfferedMedia]]:
        answer_sdp, media = await super().answer(offer_sdp, gather_on_loopback=gather_on_loopback)
        if self._return_audio is None and self._return_video is None:
            raise NegotiationError("the offer receives no audio (or allowed video): a WHEP offer must be recvonly audio/video")
        return answer_sdp, media

    def start(self) -> None:
        self.pc.on("connectionstatechange", self._connection_state_changed)
        log.info("%s: return answered (WHEP)", self.label)

    async def _connection_state_changed(self) -> None:
        if not self.closed and self.pc.connectionState in ("failed", "closed"):
            await self.end(f"connection {self.pc.connectionState}", lost=self.pc.connectionState == "failed")
