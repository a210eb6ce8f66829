"""GuestFeed: where one guest's media meets the engine, between the guest service's asyncio
thread (which receives WebRTC) and the engine's capture and program threads.

One feed per guest source id, owned by the engine, outliving both reconnects (a guest who
reloads the page comes back into the same slot) and show edits that replace the guest source
(a changed setting must not cut the call). Each WebRTC session that feeds it is a *generation*:
session_started() returns a new number and only the newest generation's media is taken, so a
stale peer that has not noticed it was replaced cannot flash its last frames on program.

Video: decoded frames are stamped with the media clock at arrival plus the audio path's latency
(the ring's target fill), so the frame picked at a tick was captured with the sound mixed at that
tick: lip sync on program, within a frame, for the delay the studio adds itself. The guest source
waits on wait_frame() on its capture thread.

Audio: the service writes 48 kHz stereo float32 into a NetworkFeedAudio tuned for WebRTC (Opus
arrives in steady 20 ms packets after aiortc's jitter buffer, so a 50 ms fill suffices, not the
200 ms an MPEG-TS feed needs); the program thread pulls it through the drift compensator.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, replace
from enum import StrEnum

from studio.engine.audio.drift import DriftSettings
from studio.engine.audio.network_audio import NetworkAudioTuning, NetworkFeedAudio
from studio.engine.clock import NS_PER_MS, MediaClock
from studio.engine.frames import Frame

# Opus packets arrive every 20 ms after the jitter buffer; 50 ms of fill rides over one late
# packet plus a program block (33 ms at 30 fps) without an underrun.
GUEST_DRIFT_SETTINGS = DriftSettings(target_fill_ms=50.0, resync_excess_ms=150.0)
GUEST_AUDIO_TUNING = NetworkAudioTuning(ring_ms=1000, history_ms=2500, drift=GUEST_DRIFT_SETTINGS)
VIDEO_FRAMES_HELD = 3  # the capture thread takes them at once; more would only be stale


class GuestState(StrEnum):
    """What the host sees of a guest."""

    WAITING = "waiting"  # nobody has joined with this link yet (or the guest left)
    CONNECTING = "connecting"  # an offer was answered; ICE/DTLS under way, no media yet
    LIVE = "live"  # media arriving
    LOST = "lost"  # was live; the connection failed or went quiet (see reason)


@dataclass(frozen=True, slots=True)
class GuestStats:
    """One guest's connection as the service last measured it (about once a second)."""

    state: GuestState = GuestState.WAITING
    reason: str = ""  # why LOST or WAITING: "left", "connection failed", "no media for 2 s"
    client: str = ""  # "browser", "WHIP client"
    video_bitrate_kbps: float = 0.0
    audio_bitrate_kbps: float = 0.0
    fps: float = 0.0
    width: int = 0
    height: int = 0
    rtt_ms: float | None = None
    loss_percent: float = 0.0
    uplink_limited: bool = False  # the guest sends well below the cap asked for (their uplink)
    sessions: int = 0  # sessions so far (1 + reconnects)

    def describe(self) -> str:
        """A short line for status lines and logs (no secrets in it)."""
        if self.state is not GuestState.LIVE:
            return f"{self.state}" + (f" ({self.reason})" if self.reason else "")
        parts = [f"{self.width}x{self.height}", f"{self.fps:.0f} fps", f"{self.video_bitrate_kbps:.0f} kbps"]
        if self.rtt_ms is not None:
            parts.append(f"rtt {self.rtt_ms:.0f} ms")
        if self.loss_percent:
            parts.append(f"loss {self.loss_percent:.1f}%")
        if self.uplink_limited:
            parts.append("uplink limited")
        return "live, " + ", ".join(parts)


class GuestFeed:
    def __init__(self, guest_id: str, label: str, clock: MediaClock) -> None:
        """`label` names the guest in logs (the source's name, never its token)."""
        self.guest_id = guest_id
        self.label = label
        self._clock = clock
        self.audio = NetworkFeedAudio(f"guest {label}", GUEST_AUDIO_TUNING)
        self._frames: deque[Frame] = deque(maxlen=VIDEO_FRAMES_HELD)
        self._condition = threading.Condition()
        self._generation = 0
        self._sequence = 0
        self._stats = GuestStats()
        self._closed = False
        self._reader = 0  # the guest source that takes the frames (claim_frames())
        self.frames_received = 0
        self.last_arrival_ns: int | None = None  # media time the newest frame arrived at
        self.stale_frames_refused = 0

    # -- the service's side (asyncio thread) ------------------------------------------------

    def session_started(self, client: str) -> int:
        """A new session (offer answered) takes the slot; returns its generation."""
        with self._condition:
            self._generation += 1
            self._frames.clear()
            generation = self._generation
            self._stats = replace(
                self._stats, state=GuestState.CONNECTING, reason="", client=client, sessions=self._stats.sessions + 1
            )
        return generation

    def is_current(self, generation: int) -> bool:
        return generation == self._generation and not self._closed

    def media_started(self, generation: int, *, carries_audio: bool) -> None:
        """The session's first media arrived: its audio goes to a fresh ring from now on."""
        if not self.is_current(generation):
            return
        self.audio.connected(carries_audio=carries_audio)
        self._set_state(GuestState.LIVE, "")

    def push_video(self, generation: int, frame: Frame) -> bool:
        """A decoded frame (its captured_ns is set here). False if the session was replaced."""
        with self._condition:
            if generation != self._generation or self._closed:
                self.stale_frames_refused += 1
                return False
            self._sequence += 1
            self.last_arrival_ns = self._clock.now_ns()
            stamped = replace(frame, captured_ns=self.last_arrival_ns + self.video_delay_ns, sequence=self._sequence)
            self._frames.append(stamped)
            self.frames_received += 1
            self._condition.notify_all()
        return True

    def push_audio(self, generation: int, samples) -> None:
        """(n, 2) float32 samples at 48 kHz of the current session; others are ignored."""
        if self.is_current(generation):
            self.audio.write(samples)

    def session_ended(self, generation: int, reason: str, *, lost: bool) -> None:
        """The session is over: the guest left (lost=False: WAITING) or the link failed (LOST)."""
        if not self.is_current(generation):
            return
        self.audio.disconnected(reason)
        self._set_state(GuestState.LOST if lost else GuestState.WAITING, reason)

    def update_stats(self, generation: int, stats: GuestStats) -> None:
        """The service's latest measurement of the current session (state and sessions kept)."""
        if not self.is_current(generation):
            return
        with self._condition:
            self._stats = replace(stats, state=self._stats.state, reason=self._stats.reason, client=self._stats.client, sessions=self._stats.sessions)

    def mark_quiet(self, generation: int, reason: str) -> None:
        """Live, but no media for a while (the browser was killed, the network went): LOST with
        the reason; a frame arriving again makes it LIVE."""
        if self.is_current(generation):
            self._set_state(GuestState.LOST, reason)

    def mark_live(self, generation: int) -> None:
        if self.is_current(generation):
            self._set_state(GuestState.LIVE, "")

    # -- the engine's side ------------------------------------------------------------------

    @property
    def video_delay_ns(self) -> int:
        """How much later than its arrival a frame is shown: the sound's own latency."""
        return int(GUEST_DRIFT_SETTINGS.target_fill_ms * NS_PER_MS)

    def claim_frames(self) -> int:
        """A guest source starts taking this feed's frames; returns its reader number. Only the
        newest reader gets frames: while an edit replaces the source, the old one and its
        successor run side by side for a tick, and must not share the frames out between them."""
        with self._condition:
            self._reader += 1
            self._condition.notify_all()
            return self._reader

    def is_reader(self, reader: int) -> bool:
        return reader == self._reader

    def wait_frame(self, timeout_s: float, reader: int | None = None) -> Frame | None:
        """Capture thread: the oldest frame not taken yet, waiting up to timeout_s; None if none,
        or if `reader` (from claim_frames()) is no longer the newest."""
        with self._condition:
            if reader is not None and reader != self._reader:
                return None
            if not self._frames and not self._closed:
                self._condition.wait(timeout_s)
            if reader is not None and reader != self._reader:
                return None
            return self._frames.popleft() if self._frames else None

    def stats(self) -> GuestStats:
        return self._stats

    @property
    def closed(self) -> bool:
        """The guest source left the show: this feed takes nothing any more."""
        return self._closed

    def wake(self) -> None:
        """Let a waiting capture thread return at once (its source is closing)."""
        with self._condition:
            self._condition.notify_all()

    def close(self) -> None:
        """The guest source left the show for good: refuse media from now on."""
        with self._condition:
            self._closed = True
            self._frames.clear()
            self._condition.notify_all()
        self.audio.close()

    def _set_state(self, state: GuestState, reason: str) -> None:
        with self._condition:
            if (self._stats.state, self._stats.reason) != (state, reason):
                self._stats = replace(self._stats, state=state, reason=reason)


class GuestFeeds:
    """The engine's feeds, one per guest source id: made when a guest first appears, kept while an
    edit replaces its source (a changed cap must not cut the call), closed when the guest leaves
    the show or the engine stops. Changed under the engine's edit lock; read from any thread."""

    def __init__(self, clock: MediaClock) -> None:
        self._clock = clock
        self._feeds: dict[str, GuestFeed] = {}

    def feed_for(self, guest_id: str, label: str) -> GuestFeed:
        feed = self._feeds.get(guest_id)
        if feed is None:
            feed = self._feeds[guest_id] = GuestFeed(guest_id, label, self._clock)
        return feed

    def get(self, guest_id: str) -> GuestFeed | None:
        return self._feeds.get(guest_id)

    def close_all_but(self, guest_ids: set[str]) -> None:
        """Close the feeds of guests no longer in the show: their media is refused from now on."""
        for guest_id in [guest_id for guest_id in self._feeds if guest_id not in guest_ids]:
            self._feeds.pop(guest_id).close()
