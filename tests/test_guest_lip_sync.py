"""Issue 14's lip sync: "the guest's audio and video are aligned from their RTP/RTCP timestamps,
within one frame on program".

- End to end: a real headless Chromium joins as a guest in the page's sync mode (?test=1&sync=1:
  a flash of three white frames and a 50 ms 1 kHz beep from each whole second of the page's
  clock), the session records program with only the guest on it, and each beep must be within
  one frame of its flash's onset in the recording, as for the studio's own sync show
  (tests/test_lip_sync.py, whose flash and beep finders are used here). The offsets are printed.
  The flash outlasts a frame because program shows the newest picture due at each tick: a single
  white frame whose successor (a timer's few ms early) is due before the next tick never shows,
  while a flash's onset is the first tick after it began whichever of its frames that tick shows.
- lip_sync.py on its own: synthetic sender reports, wrapping RTP timestamps, jittery arrivals
  (no network).
- sender_reports.py against aiortc's real receiver objects (no network): the one place that
  reaches into aiortc still finds what it reads.
- GuestFeed: a picture stamped for later waits in the feed until it is due.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import pytest
from aiortc import RTCCertificate, RTCDtlsTransport, RTCIceGatherer, RTCIceTransport, RTCRtpReceiver, RTCRtpSender
from aiortc.rtcrtptransceiver import RTCRtpTransceiver
from aiortc.rtp import RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket

from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, VirtualClock
from studio.engine.frames import solid_frame
from studio.engine.show import parse_show
from studio.engine.sources.base import SourceStatus
from studio.engine.sources.guest_feed import GUEST_DRIFT_SETTINGS, HANDOVER_LEAD_NS, GuestFeed, GuestState, GuestStats
from studio.guests.lip_sync import (
    OPUS_LOOKAHEAD_NS,
    SOUND_PATH_STEP_FRAMES,
    LipSync,
    SenderReport,
    SoundPath,
    TrackClock,
    ntp_to_ns,
    rtp_clock_rate_hz,
)
from studio.guests.sender_reports import listen_for_sender_reports, pts_origin_rtp_timestamp, retransmission_ssrcs
from studio.session import SessionOptions, StudioSession
from tests.test_lip_sync import beep_onsets_s, flash_times_s

FPS = 30
FRAME_S = 1 / FPS
JOIN_LIMIT_S = 40.0  # a browser start and an ICE/DTLS handshake on a loaded 2-core machine
SETTLE_S = 3.0  # the browser's encoder ramps up after joining
RECORD_S = 9.0
PAIRING_S = 0.5  # a flash's beep is the nearest one within this
# The flashes judged are those whose pairing window lies inside the recording (one that the
# recording's start or end cuts, or cuts its beep off, says nothing): one a second.
JUDGED_FLASHES = round(RECORD_S - 2 * PAIRING_S)
GUEST = "guest-1"
NTP_UNIX_EPOCH_S = 2_208_988_800  # 1970 - 1900 in seconds


# -- end to end ----------------------------------------------------------------------------------


def sync_guest_show():
    return parse_show(
        {
            "schema_version": 1,
            "name": "Guest lip sync",
            "canvas": {"width": 1280, "height": 720, "fps": FPS},
            "encoder": {"encoder": "x264", "preset": "ultrafast", "bitrate_kbps": 1500},
            "sources": [
                {
                    "id": GUEST,
                    "name": "Guest",
                    "kind": "guest",
                    "settings": {"audio_processing": False, "max_width": 640, "max_height": 360},
                }
            ],
            "scenes": [{"id": "guest", "name": "GUEST", "layout": {"kind": "full", "sources": [GUEST]}}],
            "audio_inputs": [{"id": "voice", "name": "Guest voice", "kind": "source_audio", "source": GUEST}],
            "program_scene": "GUEST",
            "guests": {"port": 0},
        }
    )


@pytest.fixture
def studio(tmp_path):
    session = StudioSession(sync_guest_show(), SessionOptions(comments_database=tmp_path / "comments.sqlite", recording_folder=tmp_path))
    session.start()
    session.start_guest_service(port=0)
    try:
        yield session
    finally:
        session.stop()


def wait_for(condition, what: str, limit_s: float = JOIN_LIMIT_S, poll_s: float = 0.05):
    """Poll the program's own state, bounded: a hang fails here."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"{what}: not within {limit_s:.0f} s")


def sync_link(session: StudioSession) -> str:
    base, _, token = session.guest_link(GUEST).partition("#")
    return f"{base}?test=1&sync=1#{token}"


def flash_onsets(white_frame_times_s: list[float]) -> list[float]:
    """The first program frame of each run of white ones: where a flash appears. A flash is
    several pictures long, and a picture the guest's encoder repeats, or one the program holds
    while the next is late, stays white for more than a tick: none of that is when it came on."""
    onsets: list[float] = []
    previous = None
    for time_s in white_frame_times_s:
        if previous is None or time_s - previous > 1.5 * FRAME_S:
            onsets.append(time_s)
        previous = time_s
    return onsets


def beep_minus_flash_s(flashes: list[float], beeps: list[float]) -> list[float]:
    """For each flash, the nearest beep's time minus the flash's (within PAIRING_S)."""
    offsets = []
    for flash in flashes:
        nearest = min(beeps, key=lambda beep: abs(beep - flash), default=None)
        if nearest is not None and abs(nearest - flash) < PAIRING_S:
            offsets.append(nearest - flash)
    return offsets


def rounded(values, digits: int = 1) -> list[float]:
    return [round(float(value), digits) for value in values]


@pytest.mark.slow
def test_a_guests_beeps_land_on_their_flashes_on_program(studio, launch_chromium, tmp_path):
    browser = launch_chromium()
    page = browser.new_page()
    page.goto(sync_link(studio))
    engine = studio.engine
    wait_for(
        lambda: studio.guest_stats()[GUEST].state is GuestState.LIVE and engine.source_status().get(GUEST) is SourceStatus.LIVE,
        "the guest live on program",
    )
    settle_from_ns = engine.clock.now_ns()
    wait_for(lambda: engine.clock.now_ns() - settle_from_ns >= SETTLE_S * NS_PER_SECOND, "the guest settling", SETTLE_S + 10)
    # Both of the guest's tracks have had a sender report: pictures are stamped from them.
    wait_for(lambda: studio.guest_stats()[GUEST].video_held_ms is not None, "lip sync from the guest's sender reports", 20)
    # ...and its estimate of the sound's path has settled (the first seconds' ring priming moves
    # it): three readings half a second apart within 10 ms of each other.
    held_ms: list[float] = []

    def settled() -> bool:
        held_ms.append(studio.guest_stats()[GUEST].video_held_ms)
        recent = held_ms[-3:]
        return len(recent) == 3 and max(recent) - min(recent) <= 10

    wait_for(settled, "lip sync settling", 20, poll_s=0.5)

    path = tmp_path / "guest-sync.mkv"
    studio.start_recording(path)
    started_ns = engine.clock.now_ns()
    wait_for(lambda: engine.clock.now_ns() - started_ns >= RECORD_S * NS_PER_SECOND, "the recording's length", RECORD_S + 10)
    studio.stop_recording()
    stats = studio.guest_stats()[GUEST]
    white_frames = flash_times_s(path)
    all_flashes, beeps = flash_onsets(white_frames), beep_onsets_s(path)
    flashes = [onset for onset in all_flashes if PAIRING_S <= onset <= RECORD_S - PAIRING_S]
    offsets_ms = [1000 * offset for offset in beep_minus_flash_s(flashes, beeps)]
    lateness_ms = page.evaluate("() => window.guestTest.syncFlashLatenessMs()")

    print(f"\nlip sync: pictures held {stats.video_held_ms:.0f} ms after arrival for their sound, late {stats.video_late_ms:.0f} ms")
    print(f"flashes on program at {rounded(all_flashes, 3)} s ({len(white_frames)} white frames), judged {len(flashes)}")
    print(f"beeps on program at {rounded(beeps, 3)} s")
    print(f"beep minus flash on program: {rounded(offsets_ms)} ms")
    if offsets_ms:
        print(f"  median {statistics.median(offsets_ms):.1f} ms, min {min(offsets_ms):.1f}, max {max(offsets_ms):.1f}")
    print(f"the page drew its flashes late by {rounded(lateness_ms[-len(all_flashes) :])} ms")
    assert len(flashes) >= JUDGED_FLASHES - 1, f"flashes on program: {all_flashes}"
    assert len(offsets_ms) == len(flashes), f"flashes without a beep within {PAIRING_S} s: flashes {flashes}, beeps {beeps}"
    # The alignment: the typical beep is within a frame of its flash (without it, 60-180 ms late).
    assert abs(statistics.median(offsets_ms)) <= 1000 * FRAME_S, f"beep minus flash on program: {rounded(offsets_ms)} ms"
    # Each one too, but one: a stall of this loaded 2-core machine (the browser's or the
    # program's, some hundreds of ms) can put a single flash off its tick, and nothing else.
    off = [offset_ms for offset_ms in offsets_ms if abs(offset_ms) > 1000 * FRAME_S]
    assert len(off) <= 1, f"beeps more than a frame from their flash on program: {rounded(off)} of {rounded(offsets_ms)} ms"


# -- lip_sync.py: the clock math -----------------------------------------------------------------


def ntp_at(wall_ns: int) -> int:
    """An NTP timestamp (32.32, since 1900) for a Unix time in ns."""
    seconds, rest_ns = divmod(wall_ns + NTP_UNIX_EPOCH_S * NS_PER_SECOND, NS_PER_SECOND)
    return (seconds << 32) | ((rest_ns << 32) // NS_PER_SECOND)


def test_ntp_timestamps_are_read_as_ns():
    assert ntp_to_ns((5 << 32) | (1 << 31)) == 5_500_000_000
    wall_ns = 1_700_000_000_123_456_789
    assert abs(ntp_to_ns(ntp_at(wall_ns)) - (wall_ns + NTP_UNIX_EPOCH_S * NS_PER_SECOND)) <= 1


def test_rtp_clock_rates_follow_aiortcs_time_bases():
    assert rtp_clock_rate_hz("video", Fraction(1, 90_000)) == 90_000
    assert rtp_clock_rate_hz("audio", Fraction(1, 48_000)) == 48_000  # Opus
    assert rtp_clock_rate_hz("audio", Fraction(1, 8_000)) == 8_000  # G.711
    assert rtp_clock_rate_hz("audio", Fraction(1, 16_000)) == 8_000  # G.722: RTP keeps 8 kHz
    with pytest.raises(ValueError, match="audio pts time base: expected 1/<sample rate>, got 3/1000"):
        rtp_clock_rate_hz("audio", Fraction(3, 1_000))
    with pytest.raises(ValueError, match="track kind: expected 'audio' or 'video', got 'data'"):
        rtp_clock_rate_hz("data", Fraction(1, 90_000))


class SyntheticSender:
    """A guest's track as aiortc would show it: a random RTP start, a wall clock hours away from
    the studio's, sender reports and frames' pts (counted from the first frame)."""

    def __init__(self, rate_hz: int, first_rtp: int, wall_start_ns: int) -> None:
        self.rate_hz = rate_hz
        self.first_rtp = first_rtp
        self.wall_start_ns = wall_start_ns

    def rtp_at(self, since_start_ns: int) -> int:
        return (self.first_rtp + since_start_ns * self.rate_hz // NS_PER_SECOND) % (1 << 32)

    def report(self, since_start_ns: int, error_ns: int = 0) -> SenderReport:
        """A report for this moment whose wall time is off by error_ns (the sender's own scatter)."""
        return SenderReport(ntp_at(self.wall_start_ns + since_start_ns + error_ns), self.rtp_at(since_start_ns))

    def wall_ns(self, since_start_ns: int) -> int:
        return self.wall_start_ns + since_start_ns + NTP_UNIX_EPOCH_S * NS_PER_SECOND


def test_a_track_clock_maps_frames_to_the_senders_clock_across_an_rtp_wrap():
    # The RTP timestamp wraps half a second in; frames are mapped through it to the ns.
    sender = SyntheticSender(90_000, (1 << 32) - 45_000, wall_start_ns=1_700_000_000 * NS_PER_SECOND)
    clock = TrackClock("video")
    assert clock.sender_ns(0) is None and not clock.mapped
    clock.sender_report(sender.report(200 * NS_PER_MS))  # before the first frame: kept
    clock.start(sender.first_rtp, Fraction(1, 90_000))
    assert clock.mapped and clock.reports_received == 1
    for frame in range(0, 120, 7):  # 4 s of 30 fps frames
        pts = frame * 3000
        assert abs(clock.sender_ns(pts) - sender.wall_ns(frame * NS_PER_SECOND // 30)) <= 1  # NTP's 2**-32 s grain
    # A later report (after the wrap) keeps the same mapping for frames on either side of it.
    clock.sender_report(sender.report(3 * NS_PER_SECOND))
    assert abs(clock.sender_ns(30 * 3000) - sender.wall_ns(NS_PER_SECOND)) <= 1
    assert abs(clock.sender_ns(5 * 30 * 3000) - sender.wall_ns(5 * NS_PER_SECOND)) <= 1
    assert clock.sender_ns(None) is None


def test_a_track_clock_takes_the_median_of_its_last_reports():
    # Chromium's audio reports scatter by some 15 ms: one of them alone must not move the mapping.
    sender = SyntheticSender(48_000, 123_456_789, wall_start_ns=1_700_000_000 * NS_PER_SECOND)
    clock = TrackClock("audio")
    clock.start(sender.first_rtp, Fraction(1, 48_000))
    for index, error_ms in enumerate([0, 14, -2, 7, 10]):
        clock.sender_report(sender.report(index * 4 * NS_PER_SECOND, error_ms * NS_PER_MS))
    pts = 25 * 48_000  # 25 s in
    expected_ns = sender.wall_ns(25 * NS_PER_SECOND) + 7 * NS_PER_MS - OPUS_LOOKAHEAD_NS  # the median error: 7 ms
    assert abs(clock.sender_ns(pts) - expected_ns) <= 1
    assert clock.codec_delay_ns == OPUS_LOOKAHEAD_NS == 6_500_000
    # A report a second away from the others (the sender restarted its clock) starts afresh.
    clock.sender_report(sender.report(26 * NS_PER_SECOND, 3 * NS_PER_SECOND))
    assert abs(clock.sender_ns(pts) - (expected_ns - 7 * NS_PER_MS + 3 * NS_PER_SECOND)) <= 1


def test_g722_frames_count_pts_at_twice_the_rtp_clock():
    sender = SyntheticSender(8_000, 4_000_000_000, wall_start_ns=1_600_000_000 * NS_PER_SECOND)
    clock = TrackClock("audio")
    clock.start(sender.first_rtp, Fraction(1, 16_000))
    clock.sender_report(sender.report(NS_PER_SECOND))
    assert clock.rtp_clock_rate_hz == 8_000 and clock.codec_delay_ns == 0
    assert abs(clock.sender_ns(3 * 16_000) - sender.wall_ns(3 * NS_PER_SECOND)) <= 1  # pts counted at 16 kHz


def test_the_sound_path_is_a_median_and_follows_a_step_at_once():
    path = SoundPath()
    rng = random.Random(14)
    for _ in range(9):
        path.add(200 * NS_PER_MS)
    assert path.estimate_ns is None  # too few frames yet
    for _ in range(200):  # jitter around 200 ms, with an odd stall
        path.add(200 * NS_PER_MS + rng.randint(-8, 8) * NS_PER_MS + (150 * NS_PER_MS if rng.random() < 0.03 else 0))
    assert abs(path.estimate_ns - 200 * NS_PER_MS) <= 3 * NS_PER_MS
    assert path.steps == 0
    # The ring re-primed: the sound plays 60 ms earlier from now on.
    for _ in range(SOUND_PATH_STEP_FRAMES):
        path.add(140 * NS_PER_MS + rng.randint(-3, 3) * NS_PER_MS)
    assert path.steps == 1 and abs(path.estimate_ns - 140 * NS_PER_MS) <= 3 * NS_PER_MS


STUDIO_MINUS_SENDER_NS = -3 * 3600 * NS_PER_SECOND  # the two machines' clocks: hours apart
AUDIO_FRAME_NS = 20 * NS_PER_MS
VIDEO_FRAME_NS = NS_PER_SECOND // 30
PROGRAM_FRAME_NS = NS_PER_SECOND // 30
SOUND_AFTER_ARRIVAL_NS = 83 * NS_PER_MS  # the ring's 50 ms fill and a 33 ms program block
MAX_HOLD_NS = 400 * NS_PER_MS


class SyntheticCall:
    """A guest's call as the service sees it: audio and video tracks with sender reports, and
    frames arriving after their own paths (plus jitter) on the studio's media clock."""

    def __init__(self, audio_path_ns: int, video_path_ns: int, jitter_ns: int = 0, seed: int = 1) -> None:
        wall_start_ns = 1_700_000_000 * NS_PER_SECOND
        self.audio_sender = SyntheticSender(48_000, 3_000_000_000, wall_start_ns)
        self.video_sender = SyntheticSender(90_000, 4_294_000_000, wall_start_ns)
        self.lip_sync = LipSync(TrackClock("audio"), TrackClock("video"), MAX_HOLD_NS)
        self.lip_sync.audio.start(self.audio_sender.first_rtp, Fraction(1, 48_000))
        self.lip_sync.video.start(self.video_sender.first_rtp, Fraction(1, 90_000))
        self.audio_path_ns = audio_path_ns
        self.video_path_ns = video_path_ns
        self.jitter_ns = jitter_ns
        self.rng = random.Random(seed)
        self.audio_frames = 0
        self.video_frames = 0

    def media_ns(self, since_start_ns: int) -> int:
        """A sender instant on the studio's media clock."""
        return self.audio_sender.wall_ns(since_start_ns) + STUDIO_MINUS_SENDER_NS

    def jitter(self) -> int:
        return self.rng.randint(0, self.jitter_ns) if self.jitter_ns else 0

    def reports(self, since_start_ns: int) -> None:
        self.lip_sync.audio.sender_report(self.audio_sender.report(since_start_ns))
        self.lip_sync.video.sender_report(self.video_sender.report(since_start_ns))

    def run_audio_until(self, since_start_ns: int) -> None:
        while (captured_ns := self.audio_frames * AUDIO_FRAME_NS) < since_start_ns:
            arrival_ns = self.media_ns(captured_ns) + self.audio_path_ns + self.jitter()
            self.lip_sync.audio_arrived(self.audio_frames * 960, AUDIO_FRAME_NS, arrival_ns, SOUND_AFTER_ARRIVAL_NS)
            self.audio_frames += 1

    def next_picture(self) -> tuple[int, int, int | None]:
        """(captured, arrival, stamp) of the next picture, on the studio's media clock."""
        captured_ns = self.video_frames * VIDEO_FRAME_NS
        self.run_audio_until(captured_ns)
        arrival_ns = self.media_ns(captured_ns) + self.video_path_ns + self.jitter()
        stamp_ns = self.lip_sync.picture_due_ns(self.video_frames * 3000, arrival_ns, PROGRAM_FRAME_NS)
        self.video_frames += 1
        return self.media_ns(captured_ns), arrival_ns, stamp_ns


def heard_ns(call: SyntheticCall, captured_media_ns: int) -> int:
    """When the sound captured at this instant is heard on program: Opus decodes it 6.5 ms
    after its timestamp, the middle of its frame arrives after the audio path and plays
    sound_after_arrival later (the feed's model)."""
    return captured_media_ns + OPUS_LOOKAHEAD_NS + call.audio_path_ns + SOUND_AFTER_ARRIVAL_NS - AUDIO_FRAME_NS // 2


def test_pictures_are_stamped_to_meet_the_sound_captured_with_them():
    call = SyntheticCall(audio_path_ns=140 * NS_PER_MS, video_path_ns=50 * NS_PER_MS)
    assert call.next_picture()[2] is None  # no sender report yet: the feed stamps at arrival
    call.reports(0)
    for _ in range(60):
        captured_ns, arrival_ns, stamp_ns = call.next_picture()
    # The newest frame stamped at or before a tick is shown: on average half a program frame
    # after its stamp, which is when its sound is heard.
    assert abs(stamp_ns + PROGRAM_FRAME_NS // 2 - heard_ns(call, captured_ns)) <= NS_PER_MS
    figures = call.lip_sync.figures()
    expected_hold_ms = (stamp_ns - arrival_ns) / NS_PER_MS
    assert figures.aligned and abs(figures.video_held_ms - expected_hold_ms) < 1 and figures.video_late_ms == 0
    assert abs(expected_hold_ms - (6.5 + 140 - 50 + 83 - 10 - 16.7)) < 1


def test_jittery_arrivals_do_not_move_the_pictures_stamps():
    # Up to 30 ms of jitter on every frame of either track: the stamps follow the sender's
    # capture times, a frame interval apart, not the arrivals.
    call = SyntheticCall(audio_path_ns=140 * NS_PER_MS, video_path_ns=50 * NS_PER_MS, jitter_ns=30 * NS_PER_MS, seed=7)
    call.reports(0)
    pictures = [call.next_picture() for _ in range(300)][150:]
    errors_ms = [(stamp + PROGRAM_FRAME_NS // 2 - heard_ns(call, captured)) / NS_PER_MS for captured, _, stamp in pictures]
    # The sound's own jitter is absorbed by the ring around the median arrival: the stamps are
    # 15 ms (half the jitter's range) after the jitter-free figure, give or take the median's
    # own wander over two seconds of samples, and steady.
    assert all(abs(error - 15) <= 5 for error in errors_ms), rounded(errors_ms)
    intervals = [later[2] - earlier[2] for earlier, later in zip(pictures, pictures[1:])]
    assert max(intervals) - min(intervals) <= 8 * NS_PER_MS  # the arrivals' spread: 60 ms


def test_a_picture_slower_than_its_sound_is_shown_on_arrival_and_counted_late():
    # The picture's path is 150 ms longer than the sound's 83 ms in the studio: it cannot wait.
    call = SyntheticCall(audio_path_ns=40 * NS_PER_MS, video_path_ns=190 * NS_PER_MS)
    call.reports(0)
    for _ in range(60):
        _, arrival_ns, stamp_ns = call.next_picture()
        assert stamp_ns is None or stamp_ns >= arrival_ns
    figures = call.lip_sync.figures()
    assert call.lip_sync.pictures_aligned >= 50
    assert figures.late_share == 1.0 and call.lip_sync.pictures_late == call.lip_sync.pictures_aligned
    assert abs(figures.video_late_ms - (190 - 6.5 - 40 - 83 + 10 + 16.7)) < 1


def test_a_picture_waits_at_most_the_feeds_hold_and_stamps_never_go_back():
    call = SyntheticCall(audio_path_ns=900 * NS_PER_MS, video_path_ns=10 * NS_PER_MS)
    call.reports(0)
    stamps = []
    for _ in range(60):
        _, arrival_ns, stamp_ns = call.next_picture()
        if stamp_ns is not None:
            assert stamp_ns - arrival_ns <= MAX_HOLD_NS
            stamps.append(stamp_ns)
    assert len(stamps) >= 50 and call.lip_sync.pictures_capped == len(stamps)
    assert all(later > earlier for earlier, later in zip(stamps, stamps[1:]))


def test_lip_sync_refuses_a_hold_that_is_not_positive():
    with pytest.raises(ValueError, match="max_hold_ns: expected a positive hold, got 0"):
        LipSync(TrackClock("audio"), TrackClock("video"), 0)


# -- sender_reports.py: aiortc's own objects -----------------------------------------------------

OFFER_WITH_RTX = """v=0
o=- 1 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=mid:0
a=sendrecv
a=rtpmap:111 opus/48000/2
a=ssrc:1111 cname:guest
m=video 9 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 0.0.0.0
a=mid:1
a=sendrecv
a=rtpmap:96 VP8/90000
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=ssrc-group:FID 2222 3333
a=ssrc:2222 cname:guest
a=ssrc:3333 cname:guest
"""


def test_retransmission_ssrcs_are_read_from_the_offers_fid_groups():
    assert retransmission_ssrcs(OFFER_WITH_RTX, "1") == {3333}
    assert retransmission_ssrcs(OFFER_WITH_RTX, "0") == set()
    assert retransmission_ssrcs("not sdp at all", "1") == set()


def sender_report(ssrc: int, ntp: int, rtp: int) -> RtcpSrPacket:
    return RtcpSrPacket(ssrc=ssrc, sender_info=RtcpSenderInfo(ntp_timestamp=ntp, rtp_timestamp=rtp, packet_count=1, octet_count=100))


def test_an_aiortc_receivers_sender_reports_and_pts_origin_are_reached():
    async def scenario():
        dtls = RTCDtlsTransport(RTCIceTransport(RTCIceGatherer()), [RTCCertificate.generateCertificate()])
        receiver = RTCRtpReceiver("video", dtls)
        transceiver = RTCRtpTransceiver("video", receiver, RTCRtpSender("video", dtls))
        transceiver._set_mid("1")
        reports: list[SenderReport] = []
        assert listen_for_sender_reports(transceiver, OFFER_WITH_RTX, reports.append)
        assert not listen_for_sender_reports(transceiver, OFFER_WITH_RTX, reports.append)  # once per receiver
        # As the DTLS transport hands RTCP on: a media report, an RTX one, a receiver report.
        await receiver._handle_rtcp_packet(sender_report(2222, 7 << 32, 90_000))
        await receiver._handle_rtcp_packet(sender_report(3333, 8 << 32, 1))
        await receiver._handle_rtcp_packet(RtcpRrPacket(ssrc=2222))
        stats = await receiver.getStats()
        # aiortc still handled the packets itself (its remote-outbound-rtp stats come from them).
        assert any(entry.type == "remote-outbound-rtp" for entry in stats.values())
        # The pts origin: none before the first frame, then the first frame's RTP timestamp.
        before = pts_origin_rtp_timestamp(receiver)
        receiver._RTCRtpReceiver__timestamp_mapper.map(123_456)  # what aiortc does for the first frame
        return reports, before, pts_origin_rtp_timestamp(receiver)

    # On a thread of its own: Playwright's sync API (the end-to-end test's browser, kept for the
    # module) leaves an event loop marked running on this one.
    with ThreadPoolExecutor(1) as thread:
        reports, before, origin = thread.submit(asyncio.run, scenario()).result(timeout=30)
    assert reports == [SenderReport(7 << 32, 90_000)]
    assert before is None and origin == 123_456


# -- GuestFeed: holding a picture until it is due ------------------------------------------------


def test_a_picture_stamped_for_later_waits_in_the_feed_until_it_is_due():
    clock = VirtualClock(10 * NS_PER_SECOND)
    feed = GuestFeed("guest-1", "Guest", clock)
    generation = feed.session_started("browser")
    due_ns = clock.now_ns() + 200 * NS_PER_MS
    assert feed.push_video(generation, solid_frame(64, 36, (255, 255, 255)), due_ns)
    assert feed.wait_frame(0.02) is None  # 200 ms early: it stays in the feed
    clock.advance_to(due_ns - HANDOVER_LEAD_NS - 1)
    assert feed.wait_frame(0) is None
    clock.advance_to(due_ns - HANDOVER_LEAD_NS)
    frame = feed.wait_frame(0)
    assert frame is not None and frame.captured_ns == due_ns
    # Without a stamp: arrival plus the ring's fill, handed over at once (the clock stands still).
    assert feed.push_video(generation, solid_frame(64, 36, (0, 0, 0)))
    frame = feed.wait_frame(0)
    assert frame is not None and frame.captured_ns == clock.now_ns() + feed.video_delay_ns


def test_the_feed_says_when_a_sound_is_heard_and_keeps_the_lip_sync_figures():
    feed = GuestFeed("guest-1", "Guest", VirtualClock())
    generation = feed.session_started("browser")
    assert feed.program_frame_ns == 0
    feed.audio.on_program_block(0, 48_000 // FPS)  # the program mixes its first block
    assert feed.program_frame_ns == NS_PER_SECOND // FPS
    # Before the ring plays, its fill is its target.
    expected_ns = int(GUEST_DRIFT_SETTINGS.target_fill_ms * NS_PER_MS) + NS_PER_SECOND // FPS
    assert feed.sound_after_arrival_ns() == expected_ns
    feed.update_lip_sync(generation, 112.0, 0.0)
    feed.update_stats(generation, GuestStats(fps=30.0))  # the connection meter's figures
    assert feed.stats().video_held_ms == 112.0 and feed.stats().fps == 30.0
    # A new session starts unaligned; the replaced one's late figures are not taken.
    feed.session_started("browser")
    assert feed.stats().video_held_ms is None
    feed.update_lip_sync(generation, 999.0, 999.0)
    assert feed.stats().video_held_ms is None and feed.stats().video_late_ms == 0.0
