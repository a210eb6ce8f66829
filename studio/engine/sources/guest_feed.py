"""GuestFeed: where one guest's media meets the engine, between the guest service's asyncio
thread (which receives WebRTC) and the engine's capture and program threads.

One feed per guest source id, owned by the engine, outliving both reconnects (a guest who
reloads the page comes back into the same slot) and show edits that replace the guest source
(a changed setting must not cut the call). Each WebRTC session that feeds it is a *generation*:
session_started() returns a new number and only the newest generation's media is taken, so a
stale peer that has not noticed it was replaced cannot flash its last frames on program.

Video: the service stamps each decoded frame for lip sync (studio/guests/lip_sync.py: from the
guest's RTP/RTCP timestamps, the picture is due when the sound captured with it is heard on
program) and passes the stamp to push_video(). A frame pushed without one (before the guest's
sender reports arrived, or by a caller that has none) is stamped with the media clock at
arrival plus the ring's target fill: equal delays for what the studio adds itself. The guest
source waits on wait_frame() on its capture thread, which hands a frame over once it is due
within HANDOVER_LEAD_NS: the sound usually arrives later than the picture, so pictures wait
here (bounded: MAX_VIDEO_HOLD_MS, VIDEO_FRAMES_HELD), not in the source's small frame slot.

Audio: the service writes 48 kHz stereo float32 into a NetworkFeedAudio tuned for WebRTC (Opus
arrives in steady 20 ms packets after aiortc's jitter buffer, so a 50 ms fill suffices, not the
200 ms an MPEG-TS feed needs); the program thread pulls it through the drift compensator.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from enum import StrEnum

from studio.engine.audio.drift import DriftSettings
from studio.engine.audio.network_audio import NetworkAudioTuning, NetworkFeedAudio
from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, MediaClock
from studio.engine.frames import Frame
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ

# Opus packets arrive every 20 ms after the jitter buffer; 50 ms of fill rides over one late
# packet plus a program block (33 ms at 30 fps) without an underrun.
GUEST_DRIFT_SETTINGS = DriftSettings(target_fill_ms=50.0, resync_excess_ms=150.0)
GUEST_AUDIO_TUNING = NetworkAudioTuning(ring_ms=1000, history_ms=2500, drift=GUEST_DRIFT_SETTINGS)
# A picture waits at most this long after arrival for its sound (with Chromium on loopback
# pictures waited 110-240 ms; a guest whose sound is later still is out of sync by the rest,
# which their lip-sync figures show).
MAX_VIDEO_HOLD_MS = 400
# MAX_VIDEO_HOLD_MS at 60 fps, and a few more; the oldest goes first. At 720p that is at most
# some 40 MB per guest, typically a sixth of it.
VIDEO_FRAMES_HELD = 30
# Frames go to the guest source's slot (which keeps 4) this long before they are due: one tick
# of reach for the capture thread, and what a frame stamped at arrival is ahead by.
HANDOVER_LEAD_NS = int(GUEST_DRIFT_SETTINGS.target_fill_ms * NS_PER_MS)


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
    # Lip sync: how long pictures wait after arrival for the sound captured with them (None: not
    # aligned from the guest's timestamps yet, stamped at arrival), and how far they trail it
    # when their path is slower than the sound's (shown on arrival; the sound is not delayed).
    video_held_ms: float | None = None
    video_late_ms: float = 0.0

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


class GuestFeedAudio(NetworkFeedAudio):
    """The guest's sound; it also notes the program's block length, which lip sync needs (a
    sound is heard from the block it is mixed in)."""

    program_block_samples = 0  # written by the program thread, read by the service's

    def on_program_block(self, start_sample: int, sample_count: int) -> None:
        self.program_block_samples = sample_count
        super().on_program_block(start_sample, sample_count)


class GuestFeed:
    def __init__(self, guest_id: str, label: str, clock: MediaClock) -> None:
        """`label` names the guest in logs (the source's name, never its token)."""
        self.guest_id = guest_id
        self.label = label
        self._clock = clock
        self.audio = GuestFeedAudio(f"guest {label}", GUEST_AUDIO_TUNING)
        self._frames: deque[Frame] = deque(maxlen=VIDEO_FRAMES_HELD)
        self._condition = threading.Condition()
        self._generation = 0
        self._sequence = 0
        self._stats = GuestStats()
        self._closed = False
        self._reader = 0  # the guest source that takes the frames (claim_frames())
        self._wakes = 0  # wake() calls: a waiting wait_frame() returns
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
                self._stats,
                state=GuestState.CONNECTING,
                reason="",
                client=client,
                sessions=self._stats.sessions + 1,
                video_held_ms=None,
                video_late_ms=0.0,
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

    def push_video(self, generation: int, frame: Frame, captured_ns: int | None = None) -> bool:
        """A decoded frame, due on program at `captured_ns` (media clock; lip sync's stamp), or
        without one at its arrival plus video_delay_ns. False if the session was replaced."""
        with self._condition:
            if generation != self._generation or self._closed:
                self.stale_frames_refused += 1
                return False
            self._sequence += 1
            self.last_arrival_ns = self._clock.now_ns()
            if captured_ns is None:
                captured_ns = self.last_arrival_ns + self.video_delay_ns
            stamped = replace(frame, captured_ns=captured_ns, sequence=self._sequence)
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
            current = self._stats
            self._stats = replace(
                stats,
                state=current.state,
                reason=current.reason,
                client=current.client,
                sessions=current.sessions,
                video_held_ms=current.video_held_ms,
                video_late_ms=current.video_late_ms,
            )

    def update_lip_sync(self, generation: int, video_held_ms: float | None, video_late_ms: float) -> None:
        """The current session's lip-sync figures (see GuestStats); kept by update_stats()."""
        if not self.is_current(generation):
            return
        with self._condition:
            self._stats = replace(self._stats, video_held_ms=video_held_ms, video_late_ms=video_late_ms)

    def media_time_ns(self) -> int:
        """The media clock now: what arrivals are stamped with."""
        return self._clock.now_ns()

    def sound_after_arrival_ns(self) -> int:
        """How long after its arrival a sound is heard on program: the ring's fill (as measured,
        or its target before the program pulled any) and the program block it is mixed in
        (the block mixed at a tick starts where the ring's oldest sample is)."""
        fill_ms = self.audio.latency_ms or GUEST_DRIFT_SETTINGS.target_fill_ms
        return int(fill_ms * NS_PER_MS) + self.program_frame_ns

    @property
    def program_frame_ns(self) -> int:
        """The program's tick interval, as its audio blocks show it (0 before the first block)."""
        return self.audio.program_block_samples * NS_PER_SECOND // AUDIO_SAMPLE_RATE_HZ

    @property
    def max_video_hold_ns(self) -> int:
        return MAX_VIDEO_HOLD_MS * NS_PER_MS

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
        """Capture thread: the oldest frame not taken yet, once it is due within
        HANDOVER_LEAD_NS, waiting up to timeout_s; None if none is due by then, or if `reader`
        (from claim_frames()) is no longer the newest. A frame stamped at arrival plus
        video_delay_ns is due at once; wake() makes it return None at once."""
        # The timeout is wall time (the media clock may be a test's stepped one, standing still).
        deadline_s = time.monotonic() + timeout_s
        with self._condition:
            wakes = self._wakes
            while True:
                if (reader is not None and reader != self._reader) or self._wakes != wakes:
                    return None
                if self._frames:
                    early_ns = self._frames[0].captured_ns - HANDOVER_LEAD_NS - self._clock.now_ns()
                    if early_ns <= 0:
                        return self._frames.popleft()
                    wait_s = min(early_ns / NS_PER_SECOND, deadline_s - time.monotonic())
                else:
                    wait_s = deadline_s - time.monotonic()
                if wait_s <= 0 or self._closed:
                    return None
                self._condition.wait(wait_s)

    def stats(self) -> GuestStats:
        return self._stats

    @property
    def closed(self) -> bool:
        """The guest source left the show: this feed takes nothing any more."""
        return self._closed

    def wake(self) -> None:
        """Let a waiting capture thread return at once (its source is closing)."""
        with self._condition:
            self._wakes += 1
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
