"""The guest service's parts that need no network: the SDP it writes (on real SDP text: an offer
captured from Debian's Chromium 156 with a fake camera and microphone, and aiortc 1.16's answer to
it), its connection figures and the uplink rule, the return tracks' pacing and backlog, the
picture conversion, and the LAN certificate.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import stat
import time
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc.sdp import SessionDescription
from aiortc.stats import (
    RTCInboundRtpStreamStats,
    RTCRemoteInboundRtpStreamStats,
    RTCRemoteOutboundRtpStreamStats,
    RTCTransportStats,
)
from av.video.reformatter import ColorRange, Colorspace
from cryptography import x509

from studio.engine.audio.tap import AudioTap
from studio.guests.certificate import CERTIFICATE_FILE, KEY_FILE, ensure_lan_certificate
from studio.guests.connection_stats import ConnectionMeter, FrameTally, allowed_video_kbps
from studio.guests.ice import is_loopback_host
from studio.guests.peer import _WaitingPictures
from studio.guests.receive import GuestAudioConverter, GuestVideoConverter
from studio.guests.return_media import FRAME_SAMPLES, MAX_BACKLOG_SAMPLES, PRIME_SAMPLES, ReturnAudioTrack
from studio.guests.sdp import OfferError, offered_media, with_video_bitrate, without_remb
from tests.guest_host import tone

DATA = Path(__file__).parent / "data" / "guest"


def read_sdp(name: str) -> str:
    return (DATA / name).read_bytes().decode("ascii")


def section(sdp: str, kind: str) -> list[str]:
    lines = sdp.split("\r\n")
    start = next(index for index, line in enumerate(lines) if line.startswith(f"m={kind}"))
    end = next((index for index in range(start + 1, len(lines)) if lines[index].startswith("m=")), len(lines))
    return lines[start:end]


# -- SDP ---------------------------------------------------------------------------------------------


def test_the_answer_asks_the_browser_to_start_high_and_caps_it():
    answer = read_sdp("aiortc_answer.sdp")
    munged = with_video_bitrate(answer, start_kbps=1200, max_kbps=2500)
    video = section(munged, "video")
    assert video[1].startswith("c=") and video[2:4] == ["b=AS:2500", "b=TIAS:2500000"]
    google = "x-google-start-bitrate=1200;x-google-max-bitrate=2500"
    assert f"a=fmtp:96 {google}" in video  # VP8 had no fmtp line: one is added
    assert "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f;" + google in video
    assert "a=fmtp:97 apt=96" in video and "a=fmtp:103 apt=102" in video  # rtx is left alone
    assert section(munged, "audio") == section(answer, "audio")
    assert munged.endswith("\r\n") and "\n" not in munged.replace("\r\n", "")
    # aiortc (and so a WHIP client built on it) still reads it, with the parameters in place.
    parsed = SessionDescription.parse(munged)
    vp8 = next(codec for codec in parsed.media[1].rtp.codecs if codec.name == "VP8")
    assert vp8.parameters == {"x-google-start-bitrate": "1200", "x-google-max-bitrate": "2500"}


def test_the_answer_leaves_out_remb_in_video_only():
    answer = read_sdp("aiortc_answer.sdp")
    assert "goog-remb" in answer and "abs-send-time" in answer
    stripped = without_remb(answer)
    video = section(stripped, "video")
    assert not [line for line in video if "goog-remb" in line or "abs-send-time" in line]
    assert "a=rtcp-fb:96 nack pli" in video and "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid" in video
    assert section(stripped, "audio") == section(answer, "audio")
    assert len(answer.split("\r\n")) - len(stripped.split("\r\n")) == 4  # 3 feedback lines, 1 extension


def test_munging_twice_changes_nothing_more_and_the_start_stays_under_the_cap():
    answer = read_sdp("aiortc_answer.sdp")
    once = with_video_bitrate(answer, start_kbps=5000, max_kbps=800)
    assert "x-google-start-bitrate=800;x-google-max-bitrate=800" in once
    assert with_video_bitrate(once, start_kbps=5000, max_kbps=800) == once
    with pytest.raises(ValueError, match="max_kbps"):
        with_video_bitrate(answer, start_kbps=100, max_kbps=0)


def test_offers_are_read_for_what_they_send_and_receive():
    chromium = offered_media(read_sdp("chromium_offer.sdp"))
    assert [(m.kind, m.mid, m.direction) for m in chromium] == [("audio", "0", "sendrecv"), ("video", "1", "sendrecv")]
    encoder = read_sdp("chromium_offer.sdp").replace("a=sendrecv", "a=sendonly")
    assert all(m.sends and not m.receives for m in offered_media(encoder))
    player = read_sdp("chromium_offer.sdp").replace("a=sendrecv", "a=recvonly")
    assert all(m.receives and not m.sends for m in offered_media(player))
    with pytest.raises(OfferError, match="v=0"):
        offered_media("hello")
    with pytest.raises(OfferError, match="no audio or video"):
        offered_media("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n")


def test_loopback_hosts():
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1") and is_loopback_host("localhost")
    assert not is_loopback_host("0.0.0.0") and not is_loopback_host("192.168.1.10")


# -- connection figures ------------------------------------------------------------------------------

T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def report(
    second: float, *, video_bytes: int, audio_bytes: int, received: int, lost: int, rtt_s: float | None = 0.04, transport_bytes: int = 0
):
    when = T0 + datetime.timedelta(seconds=second)
    entries = [
        RTCRemoteOutboundRtpStreamStats(when, "remote-outbound-rtp", "rv", 1, "video", "t", 0, video_bytes, remoteTimestamp=when),
        RTCRemoteOutboundRtpStreamStats(when, "remote-outbound-rtp", "ra", 2, "audio", "t", 0, audio_bytes, remoteTimestamp=when),
        RTCInboundRtpStreamStats(when, "inbound-rtp", "iv", 1, "video", "t", received, lost, 0),
        RTCTransportStats(when, "transport", "t", 0, 0, 0, transport_bytes, "controlled", "connected"),
    ]
    if rtt_s is not None:
        entries.append(RTCRemoteInboundRtpStreamStats(when, "remote-inbound-rtp", "ri", 3, "audio", "t", 0, 0, 0, rtt_s, 0.0))
    return {entry.id: entry for entry in entries}


def test_bitrate_loss_rtt_and_fps_come_from_the_reports_and_frames():
    meter = ConnectionMeter(cap_kbps=2500, bitrate_was_asked=True)
    meter.measure(report(0, video_bytes=0, audio_bytes=0, received=0, lost=0), FrameTally(0, 1280, 720), live_for_s=0, now_s=0)
    stats = meter.measure(
        report(1, video_bytes=250_000, audio_bytes=4_000, received=990, lost=10), FrameTally(30, 1280, 720), live_for_s=1, now_s=1
    )
    assert stats.video_bitrate_kbps == pytest.approx(2000) and stats.audio_bitrate_kbps == pytest.approx(32)
    assert stats.loss_percent == pytest.approx(1.0) and stats.rtt_ms == pytest.approx(40)
    assert stats.fps == pytest.approx(30) and (stats.width, stats.height) == (1280, 720)


def test_a_sender_without_reports_is_measured_on_the_transport():
    meter = ConnectionMeter(cap_kbps=2500, bitrate_was_asked=False)
    entries = lambda second, total: {  # noqa: E731 - only the transport, as FFmpeg's first seconds
        "t": RTCTransportStats(T0, "transport", "t", 0, 0, 0, total, "controlled", "connected")
    }
    meter.measure(entries(0, 0), FrameTally(0, 640, 360), live_for_s=0, now_s=0)
    stats = meter.measure(entries(2, 500_000), FrameTally(60, 640, 360), live_for_s=2, now_s=2)
    assert stats.video_bitrate_kbps == pytest.approx(2000) and stats.rtt_ms is None


def feed_meter(meter: ConnectionMeter, kbps: float, seconds: int, width: int = 1280, height: int = 720, *, loss_percent: float = 0.0, rtt_rise_ms: float = 0.0):
    """`seconds` one-second reports of a steady video bitrate; after the first five, the given
    loss and an RTT that much above the first seconds' 40 ms."""
    stats = None
    lost = 0
    for second in range(seconds):
        congested = second >= 5
        lost += round(loss_percent) if congested else 0
        stats = meter.measure(
            report(
                second, video_bytes=int(kbps * 1000 / 8 * second), audio_bytes=0, received=second * 100 - lost, lost=lost,
                rtt_s=0.04 + (rtt_rise_ms / 1000 if congested else 0.0),
            ),
            FrameTally(second * 30, width, height), live_for_s=second, now_s=second,
        )
    return stats


def meter() -> ConnectionMeter:
    return ConnectionMeter(cap_kbps=2500, bitrate_was_asked=True)


def test_uplink_limited_needs_ten_live_seconds_well_under_the_cap_and_a_congested_link():
    assert feed_meter(meter(), 600, 14, loss_percent=3).uplink_limited
    assert feed_meter(meter(), 600, 14, rtt_rise_ms=150).uplink_limited  # a queue filling up
    assert not feed_meter(meter(), 600, 9, loss_percent=3).uplink_limited  # too early to say
    assert not feed_meter(meter(), 2000, 14, loss_percent=3).uplink_limited  # near the cap
    # A simple picture sent at a low rate over a clean link is the picture's doing.
    assert not feed_meter(meter(), 600, 14).uplink_limited
    # A WHIP encoder chose its own bitrate: nobody asked it for more.
    assert not feed_meter(ConnectionMeter(cap_kbps=2500, bitrate_was_asked=False), 600, 14, loss_percent=3).uplink_limited
    # A small picture is not sent at a high rate by any browser: 600 kbps for 320x240 is its full rate.
    assert allowed_video_kbps(2500, 320, 240) == 600
    assert not feed_meter(meter(), 600, 14, 320, 240, loss_percent=3).uplink_limited


# -- the return ----------------------------------------------------------------------------------------


def test_the_return_audio_is_paced_20_ms_frames_from_a_short_backlog():
    tap = AudioTap(2000)
    tap.write(tone(440.0, 0, 48_000))  # a second waiting: far more than the return keeps
    track = ReturnAudioTrack(tap)

    async def pull(count: int):
        started_s = time.monotonic()
        frames = [await track.recv() for _ in range(count)]
        return frames, time.monotonic() - started_s

    frames, elapsed_s = asyncio.run(pull(11))
    assert [frame.pts for frame in frames] == [index * FRAME_SAMPLES for index in range(11)]
    assert {(frame.samples, frame.sample_rate, frame.format.name, frame.layout.name) for frame in frames} == {(960, 48_000, "s16", "stereo")}
    assert str(frames[0].time_base) == "1/48000"
    assert elapsed_s >= 0.19  # ten frames after the first, each 20 ms later: paced, not a burst
    assert track.discarded_samples >= 48_000 - MAX_BACKLOG_SAMPLES  # the old audio was dropped
    assert tap.available_samples <= MAX_BACKLOG_SAMPLES
    sound = np.concatenate([frame.to_ndarray().reshape(-1, 2) for frame in frames]).astype(np.float32)
    assert np.abs(sound).max() > 10_000  # the tone, not silence
    track.stop()


def test_the_return_sends_silence_until_a_cushion_is_there_then_plays():
    tap = AudioTap(2000)
    track = ReturnAudioTrack(tap)

    async def pull():
        silent = await track.recv()
        tap.write(tone(440.0, 0, PRIME_SAMPLES))
        playing = await track.recv()
        return silent, playing

    silent, playing = asyncio.run(pull())
    assert not silent.to_ndarray().any()
    assert np.abs(playing.to_ndarray()).max() > 10_000
    assert track.silent_frames == 1
    track.stop()


# -- what comes in ---------------------------------------------------------------------------------------


def decoded_picture(width: int, height: int, *, full_range: bool = False) -> av.VideoFrame:
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, : width // 2] = (250, 20, 20)
    rgb[:, width // 2 :] = (20, 20, 250)
    picture = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuvj420p" if full_range else "yuv420p")
    if not full_range:
        picture.colorspace = Colorspace.ITU709
        picture.color_range = ColorRange.MPEG
    return picture


def test_pictures_over_the_cap_are_scaled_down_keeping_their_aspect():
    converter = GuestVideoConverter(960, 540, "guest test")
    frame = converter.engine_frame(decoded_picture(1920, 1080))
    assert (frame.width, frame.height) == (960, 540) and frame.i420.shape == (810, 960)
    left, right = frame.to_bgr()[270, 100], frame.to_bgr()[270, 860]
    assert left[2] > 200 and left[0] < 60 and right[0] > 200 and right[2] < 60  # red left, blue right
    assert (converter.engine_frame(decoded_picture(640, 480)).width, converter.engine_frame(decoded_picture(640, 480)).height) == (640, 480)


def test_pictures_that_came_in_a_burst_are_all_converted_unless_a_newer_one_is_due():
    async def hand_over():
        now_ns = 1_000
        waiting = _WaitingPictures(max_waiting=4)
        # A burst, each due later than now: every one has a tick of its own on program.
        assert sum(waiting.put(name, due) for name, due in (("first", 2_000), ("second", 3_000), ("third", 4_000))) == 0
        burst = [await waiting.take(lambda: now_ns) for _ in range(3)]
        # The converter fell behind: "old" and "older" are hidden by "due", due by now.
        for name, due in (("older", 500), ("old", 800), ("due", 1_000), ("later", 1_500)):
            waiting.put(name, due)
        behind = [await waiting.take(lambda: now_ns) for _ in range(2)]
        # Unstamped (no lip sync yet): the feed stamps them on arrival, so only the newest counts.
        for name in ("a", "b", "c"):
            waiting.put(name, None)
        unstamped = await waiting.take(lambda: now_ns)
        # More waiting than the feed would hold: the oldest go.
        pushed_out = sum(waiting.put(index, 10_000 + index) for index in range(6))
        return burst, behind, unstamped, pushed_out, await waiting.take(lambda: now_ns)

    burst, behind, unstamped, pushed_out, oldest_kept = asyncio.run(hand_over())
    assert burst == [("first", 2_000, 0), ("second", 3_000, 0), ("third", 4_000, 0)]
    assert behind == [("due", 1_000, 2), ("later", 1_500, 0)]
    assert unstamped == ("c", None, 2)
    assert pushed_out == 2 and oldest_kept == (2, 10_002, 0)


def test_audio_becomes_48k_stereo_float():
    converter = GuestAudioConverter()
    mono = av.AudioFrame.from_ndarray((np.ones((1, 960)) * 16384).astype(np.int16), format="s16", layout="mono")
    mono.sample_rate, mono.pts = 48_000, 0
    samples = converter.samples(mono)
    assert samples.dtype == np.float32 and samples.shape == (960, 2)
    assert samples.mean() == pytest.approx(0.5, abs=0.01)


# -- the LAN certificate ---------------------------------------------------------------------------------


def test_the_lan_certificate_is_made_once_and_again_when_the_address_changes(tmp_path):
    first_pem = ensure_lan_certificate(tmp_path, ["192.168.1.20"]).certificate_path.read_bytes()
    certificate = x509.load_pem_x509_certificate((tmp_path / CERTIFICATE_FILE).read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(names.get_values_for_type(x509.IPAddress)) == {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("192.168.1.20")}
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    kept = ensure_lan_certificate(tmp_path, ["192.168.1.20"])
    assert kept.certificate_path.read_bytes() == first_pem  # a browser's trust carries over
    moved = ensure_lan_certificate(tmp_path, ["192.168.1.33"])
    assert moved.certificate_path.read_bytes() != first_pem
    assert "192.168.1.33" in moved.addresses
