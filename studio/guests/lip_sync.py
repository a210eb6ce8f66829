"""Lip sync of a guest from RTP/RTCP timestamps: which picture goes with which sound.

The studio adds equal delays of its own to a guest's sound and picture, but before their
arrival the two travel separate paths (the browser's capture and encoders, the network,
aiortc's jitter buffers, the video decoder): measured with Chromium on loopback, the sound
arrives some 60-150 ms after the picture captured with it. Arrival times cannot tell the two
paths apart; the sender's own timestamps can:

- Every RTP packet carries a timestamp on the track's media clock (90 kHz for video, the sample
  rate for Opus), and aiortc hands it on as the decoded frame's pts (counted from the track's
  first frame). Every so often an RTCP sender report (SR) ties an RTP timestamp of the track to
  the sender's wall clock (NTP), one wall clock for all of the sender's tracks. A TrackClock
  maps each frame to that clock: the instant, on the guest's side, its content was captured.
- The sound's path, capture to program, is what the audio ring makes of it: a sound arriving at
  time a is heard on program at about a + the ring's fill + one program block (the block mixed
  at a tick starts with the ring's oldest sample; GuestFeed.sound_after_arrival_ns). Taken at
  the middle of each 20 ms frame of sound (the fill is measured at the ticks, when on average
  half a frame has come in since the last arrival), the sum is the steady playout delay: the
  arrival's lateness and the ring's fill move against each other as the ring absorbs jitter.
  SoundPath keeps the median over the last two seconds.
- A picture captured at c is then stamped c + sound path - half a program frame: the program
  shows the newest frame stamped at or before each tick, so on average the picture first
  appears when the sound captured with it is heard. The rest is the program's own grain: a
  guest's frames fall between ticks, so a picture shows up to half a frame early or late.

The picture can wait (GuestFeed holds it until it is due) but cannot be shown before it
arrived: when its path is slower than the sound's, it is shown on arrival and the shortfall is
reported (LipSyncFigures.video_late_ms). Delaying the sound instead is not done here: the
mixer's sync offset is the user's to set. Before both tracks have had a sender report, frames
keep the feed's own arrival stamping.

What no receiver can see is how well the sender's timestamps tell the truth: measured with
Chromium's canvas and Web Audio tracks, its own pictures' timestamps ran about 10 ms early
against its sound's (tests/test_guest_lip_sync.py prints what a run saw).

Per frame this is a few integer operations; the medians are refreshed every SOUND_PATH_EVERY
frames of sound and at each sender report, not per frame.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass
from fractions import Fraction

from studio.engine.clock import NS_PER_MS, NS_PER_SECOND

VIDEO_RTP_CLOCK_HZ = 90_000  # every video payload format (RFC 3551, 6184, 7741)
# aiortc's G.722 decoder counts pts at the 16 kHz it samples at, while G.722's RTP clock is
# 8 kHz (RFC 3551 kept it for historical reasons); every other audio codec's RTP clock is its
# sample rate, which is the pts time base aiortc gives.
G722_TIME_BASE = Fraction(1, 16_000)
G722_RTP_CLOCK_HZ = 8_000
# Opus (the only 48 kHz codec aiortc takes) decodes a packet's sound 312 samples late: the
# encoder's look-ahead in the modes browsers use (2.5 ms + 4 ms, RFC 7845's usual pre-skip),
# which an RTP timestamp does not count. Measured: the sound came out 5.6 ms later than its
# timestamps said, on loopback with Chromium.
OPUS_TIME_BASE = Fraction(1, 48_000)
OPUS_LOOKAHEAD_NS = 312 * NS_PER_SECOND // 48_000
RTP_TIMESTAMP_MODULUS = 1 << 32
HALF_RTP_TIMESTAMP_MODULUS = 1 << 31
NTP_FRACTION_BITS = 32
REPORTS_KEPT = 5  # sender reports per track the clock offset is the median of
SOUND_PATH_WINDOW = 100  # frames of sound kept: two seconds of 20 ms Opus frames
SOUND_PATH_EVERY = 25  # the median is refreshed every this many frames (half a second)
SOUND_PATH_MIN_FRAMES = 10  # a path is known after this many mapped frames of sound
# A step in the sound's path (the ring re-primed after a stall, and plays with less or more
# delay from then on) is taken at once, not over a second of the median: this many frames in a
# row this far off the estimate, on the same side, restart it from them.
SOUND_PATH_STEP_NS = 20 * NS_PER_MS
SOUND_PATH_STEP_FRAMES = 10
FIGURE_FRAMES = 60  # pictures the hold and lateness figures are the median of


def ntp_to_ns(ntp_timestamp: int) -> int:
    """A 64-bit NTP timestamp (32.32 fixed point seconds) in ns."""
    seconds = ntp_timestamp >> NTP_FRACTION_BITS
    fraction = ntp_timestamp & ((1 << NTP_FRACTION_BITS) - 1)
    return seconds * NS_PER_SECOND + ((fraction * NS_PER_SECOND) >> NTP_FRACTION_BITS)


def rtp_clock_rate_hz(kind: str, time_base: Fraction) -> int:
    """The RTP clock of a track whose decoded frames (from aiortc) have this pts time base."""
    if kind == "video":
        return VIDEO_RTP_CLOCK_HZ
    if kind != "audio":
        raise ValueError(f"track kind: expected 'audio' or 'video', got {kind!r}")
    if time_base == G722_TIME_BASE:
        return G722_RTP_CLOCK_HZ
    if time_base.numerator != 1:
        raise ValueError(f"audio pts time base: expected 1/<sample rate>, got {time_base}")
    return time_base.denominator


def codec_delay_ns(kind: str, time_base: Fraction) -> int:
    """How much later than its RTP timestamp says the decoded media was captured."""
    return OPUS_LOOKAHEAD_NS if kind == "audio" and time_base == OPUS_TIME_BASE else 0


@dataclass(frozen=True, slots=True)
class SenderReport:
    """What an RTCP sender report says: this RTP timestamp of the track is this NTP time of the
    sender's wall clock."""

    ntp_timestamp: int
    rtp_timestamp: int


class TrackClock:
    """One incoming track's frames on the sender's wall clock (ns), from its sender reports.

    Each report gives the offset between the sender's wall clock and the track's RTP clock; the
    median of the last REPORTS_KEPT offsets is used. Measured from Chromium on loopback, its
    video reports (several a second) agree to within a millisecond, but its audio reports (every
    3-6 s) scatter over some 15 ms: one report alone would jolt every picture's stamp by as much.

    start() gives what the frames' pts count from: the RTP timestamp of pts 0 and the pts time
    base (known once the first frame is out). RTP timestamps are 32 bits and wrap (a random
    start, so a wrap can come at any time): differences are taken modulo 2**32, which is right
    while the frame and the report are less than half the range apart (6.6 h of video); an
    offset a second away from the one before (a wrap, a sender that restarted its clock) starts
    the median afresh."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.reports_received = 0
        self._waiting: deque[SenderReport] = deque(maxlen=REPORTS_KEPT)  # before start()
        self._origin: int | None = None
        self.rtp_clock_rate_hz = 0
        # RTP ticks = pts * _pts_multiplier // _pts_divisor (1 and 1 but for G.722).
        self._pts_multiplier = 1
        self._pts_divisor = 1
        self.codec_delay_ns = 0
        # Wall clock minus RTP clock (ns) per report, and the newest report's RTP timestamp
        # counted from pts 0 with the wall-clock time the median gives it.
        self._offsets_ns: deque[int] = deque(maxlen=REPORTS_KEPT)
        self._anchor_ticks = 0
        self._anchor_ns = 0

    @property
    def mapped(self) -> bool:
        """Frames can be put on the sender's clock (started, and a report arrived)."""
        return bool(self._offsets_ns)

    def start(self, origin_rtp_timestamp: int, time_base: Fraction) -> None:
        self.rtp_clock_rate_hz = rtp_clock_rate_hz(self.kind, time_base)
        ticks_per_pts = time_base * self.rtp_clock_rate_hz
        self._pts_multiplier, self._pts_divisor = ticks_per_pts.numerator, ticks_per_pts.denominator
        self.codec_delay_ns = codec_delay_ns(self.kind, time_base)
        self._origin = origin_rtp_timestamp % RTP_TIMESTAMP_MODULUS
        while self._waiting:
            self._take(self._waiting.popleft())

    def sender_report(self, report: SenderReport) -> None:
        self.reports_received += 1
        if self._origin is None:
            self._waiting.append(report)
        else:
            self._take(report)

    def _take(self, report: SenderReport) -> None:
        assert self._origin is not None
        ticks = (report.rtp_timestamp - self._origin) % RTP_TIMESTAMP_MODULUS
        offset_ns = ntp_to_ns(report.ntp_timestamp) - ticks * NS_PER_SECOND // self.rtp_clock_rate_hz
        if self._offsets_ns and abs(offset_ns - self._offsets_ns[-1]) > NS_PER_SECOND:
            self._offsets_ns.clear()
        self._offsets_ns.append(offset_ns)
        self._anchor_ticks = ticks
        self._anchor_ns = int(statistics.median(self._offsets_ns)) + ticks * NS_PER_SECOND // self.rtp_clock_rate_hz

    def sender_ns(self, pts: int | None) -> int | None:
        """When (sender's wall clock, ns) what the decoded frame with this pts holds was
        captured; None if the track is not mapped yet or the frame has no pts."""
        if not self._offsets_ns or pts is None:
            return None
        ticks = pts * self._pts_multiplier // self._pts_divisor
        since_report = (ticks - self._anchor_ticks + HALF_RTP_TIMESTAMP_MODULUS) % RTP_TIMESTAMP_MODULUS - HALF_RTP_TIMESTAMP_MODULUS
        return self._anchor_ns + since_report * NS_PER_SECOND // self.rtp_clock_rate_hz - self.codec_delay_ns


class SoundPath:
    """How long the guest's sound takes from its capture (sender's clock) to being heard on
    program (media clock): the median of the last SOUND_PATH_WINDOW frames of sound, refreshed
    every SOUND_PATH_EVERY, or at once after a step (SOUND_PATH_STEP_NS). Each frame's own
    figure is its arrival's lateness plus the ring's fill at that moment (the two move against
    each other as the ring absorbs jitter: their sum is the steady playout delay). The two
    clocks are different machines' (an offset of anything), which cancels out: the pictures'
    capture times are on the same sender clock."""

    def __init__(self) -> None:
        self._recent: deque[int] = deque(maxlen=SOUND_PATH_WINDOW)
        self._since_refresh = 0
        self._off_in_a_row = 0  # + above the estimate by a step, - below
        self.estimate_ns: int | None = None
        self.steps = 0

    def add(self, path_ns: int) -> None:
        self._recent.append(path_ns)
        self._since_refresh += 1
        estimate_ns = self.estimate_ns
        if estimate_ns is None:
            if len(self._recent) >= SOUND_PATH_MIN_FRAMES:
                self._refresh()
            return
        off_ns = path_ns - estimate_ns
        if off_ns > SOUND_PATH_STEP_NS:
            self._off_in_a_row = self._off_in_a_row + 1 if self._off_in_a_row > 0 else 1
        elif off_ns < -SOUND_PATH_STEP_NS:
            self._off_in_a_row = self._off_in_a_row - 1 if self._off_in_a_row < 0 else -1
        else:
            self._off_in_a_row = 0
        if abs(self._off_in_a_row) >= SOUND_PATH_STEP_FRAMES:
            newest = list(self._recent)[-SOUND_PATH_STEP_FRAMES:]
            self._recent.clear()
            self._recent.extend(newest)
            self.steps += 1
            self._off_in_a_row = 0
            self._refresh()
        elif self._since_refresh >= SOUND_PATH_EVERY:
            self._refresh()

    def _refresh(self) -> None:
        self._since_refresh = 0
        self.estimate_ns = int(statistics.median(self._recent))


@dataclass(frozen=True, slots=True)
class LipSyncFigures:
    """What lip sync does to a guest's pictures, over the last FIGURE_FRAMES of them."""

    aligned: bool = False  # from sender reports; False: stamped at arrival (not aligned yet)
    video_held_ms: float = 0.0  # median wait after arrival for the sound captured with it
    video_late_ms: float = 0.0  # median lateness behind that sound, for pictures that arrived too late
    late_share: float = 0.0  # share of the pictures that arrived too late to meet their sound


class LipSync:
    """One guest session's stamping (see the module's docstring). Runs on the service's event
    loop: audio_arrived() for each frame of sound as it goes to the feed, picture_due_ns() for
    each picture as it goes to the feed."""

    def __init__(self, audio: TrackClock, video: TrackClock, max_hold_ns: int) -> None:
        if max_hold_ns <= 0:
            raise ValueError(f"max_hold_ns: expected a positive hold, got {max_hold_ns}")
        self.audio = audio
        self.video = video
        self.max_hold_ns = max_hold_ns
        self.sound_path = SoundPath()
        self._last_stamp_ns: int | None = None
        self._held_ns: deque[int] = deque(maxlen=FIGURE_FRAMES)  # negative: arrived this late
        self.pictures_aligned = 0
        self.pictures_late = 0  # arrived after their sound's moment: shown on arrival
        self.pictures_capped = 0  # would have waited longer than max_hold_ns

    def audio_arrived(self, pts: int | None, duration_ns: int, arrival_ns: int, sound_after_arrival_ns: int) -> None:
        """A frame of sound (pts from aiortc, `duration_ns` long) went into the ring at
        arrival_ns, to be heard on program sound_after_arrival_ns later (GuestFeed says)."""
        captured_ns = self.audio.sender_ns(pts)
        if captured_ns is not None:
            # From the frame's middle (see the module's docstring).
            self.sound_path.add(arrival_ns + sound_after_arrival_ns - captured_ns - duration_ns // 2)

    def picture_due_ns(self, pts: int | None, arrival_ns: int, program_frame_ns: int) -> int | None:
        """The stamp (media clock) for a picture arriving at arrival_ns, so that it is on program
        with the sound captured with it; None while that cannot be known (the feed then stamps
        it at arrival). `program_frame_ns`: the program's tick interval (0 if not known yet)."""
        sound_path_ns = self.sound_path.estimate_ns
        if sound_path_ns is None:
            return None
        captured_ns = self.video.sender_ns(pts)
        if captured_ns is None:
            return None
        wanted_ns = captured_ns + sound_path_ns - program_frame_ns // 2
        held_ns = wanted_ns - arrival_ns
        self._held_ns.append(held_ns)
        self.pictures_aligned += 1
        if held_ns < 0:
            self.pictures_late += 1
            wanted_ns = arrival_ns  # as soon as it is here: it cannot be shown before it arrived
        elif held_ns > self.max_hold_ns:
            self.pictures_capped += 1
            wanted_ns = arrival_ns + self.max_hold_ns
        if self._last_stamp_ns is not None and wanted_ns <= self._last_stamp_ns:
            wanted_ns = self._last_stamp_ns + 1  # never before the previous picture (the estimate moved)
        self._last_stamp_ns = wanted_ns
        return wanted_ns

    def figures(self) -> LipSyncFigures:
        held = list(self._held_ns)
        if not held:
            return LipSyncFigures()
        waits = [value for value in held if value >= 0]
        late = [-value for value in held if value < 0]
        return LipSyncFigures(
            aligned=True,
            video_held_ms=min(statistics.median(waits), self.max_hold_ns) / NS_PER_MS if waits else 0.0,
            video_late_ms=statistics.median(late) / NS_PER_MS if late else 0.0,
            late_share=len(late) / len(held),
        )
