"""Going live, against real servers the tests start: nginx-rtmp and an SRT listener on loopback."""

from __future__ import annotations

import time

import av
import pytest

from studio.app import build_engine
from studio.engine.builtin_shows import demo_show_data
from studio.engine.clock import NS_PER_SECOND
from studio.engine.show import parse_show
from tests.conftest import ffprobe, run_studio, run_summary
from tests.servers import poll_until

FPS = 30


def video_and_audio(path):
    streams = ffprobe(path)["streams"]
    return (next(s for s in streams if s["codec_type"] == "video"), next(s for s in streams if s["codec_type"] == "audio"))


def assert_received_what_was_sent(received, stderr: str, name: str, ticks: int) -> None:
    """The receiver decoded every frame the studio says it sent to `name`; frames not sent are
    counted in the summary (a stream may drop; nothing goes missing silently)."""
    summary = run_summary(stderr)
    video, _ = video_and_audio(received)
    assert int(video["nb_read_frames"]) == summary.sent[name]
    assert summary.sent[name] + summary.not_sent[name] == ticks


def test_twenty_seconds_to_nginx_arrive_whole_and_in_sync(rtmp_server, tmp_path):
    result = run_studio(
        "run", "--duration", "20", "--output", rtmp_server.url("k4Y9zQsecret"), "--record", str(tmp_path / "local.mkv"),
        timeout_s=90,
    )
    assert result.returncode == 0, result.stderr
    assert "k4Y9zQsecret" not in result.stderr  # the stream key is never printed
    assert "rtmp://127.0.0.1" in result.stderr and "/live/****" in result.stderr
    summary = run_summary(result.stderr)
    assert summary.recorded == 20 * FPS  # every tick of the show, repeats of stalled ticks included
    local, _ = video_and_audio(tmp_path / "local.mkv")
    assert int(local["nb_read_frames"]) == summary.recorded
    (received,) = rtmp_server.wait_for_recordings("k4Y9zQsecret", count=1)
    video, audio = video_and_audio(received)
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1920, 1080)
    ((name, sent),) = summary.sent.items()
    assert int(video["nb_read_frames"]) == sent  # nginx got every frame the studio sent
    assert sent + summary.not_sent[name] == summary.recorded  # and every frame is accounted for
    assert audio["codec_name"] == "aac"
    with av.open(str(received)) as container:
        video_frames = list(container.decode(video=0))
    with av.open(str(received)) as container:
        audio_frames = list(container.decode(audio=0))
    # In sync: both start together and last as long, within one frame.
    assert abs(float(video_frames[0].time) - float(audio_frames[0].time)) <= 1 / FPS
    video_s = len(video_frames) / FPS
    audio_s = sum(frame.samples for frame in audio_frames) / 48_000
    assert abs(video_s - audio_s) <= 1 / FPS


class LiveEngine:
    """A real-time engine with a recording and destinations, and its output events stamped."""

    def __init__(self, tmp_path, seconds: float, bitrate_kbps: int | None = None) -> None:
        data = demo_show_data()
        if bitrate_kbps:
            # Noise keeps the encoder at its bitrate, as a real camera does: flat test patterns
            # compress to a fraction of it and would never meet a bandwidth cap.
            data["encoder"] = {"encoder": "x264", "bitrate_kbps": bitrate_kbps}
            for source in data["sources"]:
                if source["kind"] == "test_pattern":  # the demo's guest has no picture of its own
                    source["settings"]["noise"] = True
        self.engine = build_engine(parse_show(data), tick_limit=round(seconds * FPS))
        self.events: list[tuple[float, str, str]] = []
        self.engine.events.output_state_changed.connect(
            lambda name, state, reason: self.events.append((time.monotonic(), name, state))
        )
        self.recording = tmp_path / "local.mkv"
        self.engine.start_recording(self.recording)

    def media_time_s(self) -> float:
        return self.engine.stats().media_time_ns / NS_PER_SECOND

    def wait_media_time(self, seconds: float) -> None:
        poll_until(lambda: self.media_time_s() >= seconds, timeout_s=seconds + 30, what=f"media time {seconds} s")

    def first_event(self, name: str, state: str, after: float = 0.0) -> float | None:
        return next((at for at, who, what in self.events if who == name and what == state and at >= after), None)

    def finish(self) -> None:
        assert self.engine.wait(120)
        self.engine.stop()


def test_server_restart_reconnects_within_three_seconds_and_the_recording_keeps_every_frame(rtmp_server, tmp_path):
    live = LiveEngine(tmp_path, seconds=15)
    assert live.engine.start_streaming([("rtmp", rtmp_server.url("restart"))]) == []
    live.engine.start()
    live.wait_media_time(5)
    rtmp_server.stop()
    poll_until(lambda: live.first_event("rtmp", "RECONNECTING"), timeout_s=10, what="RECONNECTING")
    status_lines = [destination.line() for destination in live.engine.destination_stats()]
    live.wait_media_time(8)
    rtmp_server.start()
    back_at = time.monotonic()
    poll_until(lambda: live.first_event("rtmp", "LIVE", after=back_at), timeout_s=15, what="LIVE again")
    reconnected_after_s = live.first_event("rtmp", "LIVE", after=back_at) - back_at
    live.finish()
    assert any("RECONNECTING" in line for line in status_lines), status_lines
    assert reconnected_after_s <= 3.0
    video, _ = video_and_audio(live.recording)
    assert int(video["nb_read_frames"]) == 15 * FPS  # the recording never noticed
    recordings = rtmp_server.wait_for_recordings("restart", count=2)
    assert len(recordings) == 2


def test_rtmp_and_srt_at_once_and_killing_one_receiver_leaves_the_other_alone(rtmp_server, srt_listener, tmp_path):
    live = LiveEngine(tmp_path, seconds=12)
    live.engine.start_streaming([("rtmp", rtmp_server.url("both")), ("srt", srt_listener.url())])
    live.engine.start()
    poll_until(lambda: live.first_event("rtmp", "LIVE") and live.first_event("srt", "LIVE"), 15, "both LIVE")
    rtmp_stats = next(stats for stats in live.engine.destination_stats() if stats.name == "rtmp")  # kept up to date until closed
    live.wait_media_time(5)
    srt_listener.stop()
    poll_until(lambda: live.first_event("srt", "RECONNECTING"), timeout_s=15, what="SRT reconnecting")
    live.finish()
    assert live.first_event("rtmp", "RECONNECTING") is None
    (received,) = rtmp_server.wait_for_recordings("both", count=1)
    video, _ = video_and_audio(received)
    local, _ = video_and_audio(live.recording)
    assert int(local["nb_read_frames"]) == 12 * FPS
    assert int(video["nb_read_frames"]) == rtmp_stats.video_frames_sent
    assert rtmp_stats.video_frames_sent + sum(rtmp_stats.dropped_frames.values()) == 12 * FPS, live.engine.stats()
    srt_received = srt_listener.wait_for_output(min_bytes=10_000)
    srt_video, _ = video_and_audio(srt_received)
    assert int(srt_video["nb_read_frames"]) >= 4 * FPS  # it got the stream until it was killed


def test_a_malformed_destination_fails_alone(rtmp_server, tmp_path):
    result = run_studio(
        "run", "--duration", "3", "--output", "ftp://example/secretkey42", "--output", rtmp_server.url("good"),
        "--record", str(tmp_path / "local.mkv"), timeout_s=60,
    )
    assert result.returncode == 0, result.stderr
    assert "out1" in result.stderr and "expected an rtmp://, rtmps://, srt://, http:// or https:// URL" in result.stderr
    assert "secretkey42" not in result.stderr
    (received,) = rtmp_server.wait_for_recordings("good", count=1)
    assert_received_what_was_sent(received, result.stderr, "out2", ticks=90)


@pytest.mark.parametrize("scheme", ["rtmp", "srt"])
def test_a_host_that_refuses_is_retried_without_disturbing_the_recording(scheme, tmp_path):
    from tests.servers import free_port

    port = free_port()
    url = f"rtmp://127.0.0.1:{port}/live/k" if scheme == "rtmp" else f"srt://127.0.0.1:{port}?passphrase=hunter2hunter2"
    live = LiveEngine(tmp_path, seconds=8)
    live.engine.start_streaming([("nowhere", url)])
    live.engine.start()
    live.finish()
    assert live.first_event("nowhere", "LIVE") is None
    assert live.first_event("nowhere", "RECONNECTING") is not None
    video, _ = video_and_audio(live.recording)
    assert int(video["nb_read_frames"]) == 8 * FPS


def test_bandwidth_capped_at_half_the_bitrate_steps_down_and_back_up(rtmp_server, tmp_path):
    from tests.servers import ThrottlingProxy

    proxy = ThrottlingProxy(("127.0.0.1", rtmp_server.port))
    proxy.start()
    try:
        live = LiveEngine(tmp_path, seconds=30, bitrate_kbps=2000)
        live.engine.start_streaming([("rtmp", f"rtmp://127.0.0.1:{proxy.port}/live/capped")])
        live.engine.start()
        poll_until(lambda: live.first_event("rtmp", "LIVE"), timeout_s=15, what="LIVE")
        live.wait_media_time(4)
        proxy.rate_kbps = 1000  # half the configured bitrate, for 10 s

        def requested() -> int:
            stats = live.engine.destination_stats()
            return stats[0].requested_bitrate_kbps if stats else 2000

        poll_until(lambda: requested() < 2000, timeout_s=9, what="bitrate stepped down")
        live.wait_media_time(14)
        lowest = requested()
        proxy.rate_kbps = None
        poll_until(lambda: requested() > lowest, timeout_s=14, what="bitrate stepping back up")
        drops = dict(live.engine.destination_stats()[0].dropped_frames)
        live.finish()
    finally:
        proxy.close()
    stats = live.engine.stats()
    assert stats.frames_produced + stats.frames_dropped == 30 * FPS  # a slow network never held up the program
    assert lowest <= 1300
    video, _ = video_and_audio(live.recording)
    assert int(video["nb_read_frames"]) == 30 * FPS
    print("drops by reason while capped:", drops, "lowest requested bitrate:", lowest)


def test_destinations_in_the_show_keep_their_key_secret_and_go_live_with_live(rtmp_server, tmp_path):
    import json

    from studio.engine.show import load_show, save_show

    data = demo_show_data()
    server = rtmp_server.url("x").rsplit("/", 1)[0]
    data["destinations"] = [
        {"id": "shop", "name": "Shop", "url": server, "stream_key": "sk-93jf02-secret"},
        {"id": "yt", "name": "YouTube", "preset": "youtube", "stream_key": "yt-key-secret", "enabled": False},
    ]
    show_path = tmp_path / "show.json"
    show_path.write_text(json.dumps(data))
    show = load_show(show_path)
    assert "sk-93jf02-secret" not in repr(show) and "sk-93jf02-secret" not in str(show.destinations[0])
    assert show.destinations[1].full_url() == "rtmp://a.rtmp.youtube.com/live2/yt-key-secret"
    save_show(show, tmp_path / "saved.json")  # the user's own file keeps the key
    assert load_show(tmp_path / "saved.json").destinations[0].stream_key.get_secret_value() == "sk-93jf02-secret"
    result = run_studio("run", "--show", str(show_path), "--duration", "3", "--live", timeout_s=60)
    assert result.returncode == 0, result.stderr
    assert "sk-93jf02-secret" not in result.stderr and "Shop" in result.stderr
    (received,) = rtmp_server.wait_for_recordings("sk-93jf02-secret", count=1)
    assert_received_what_was_sent(received, result.stderr, "Shop", ticks=90)


def test_rtmps_goes_through_tls(rtmp_server, tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "studio", "run", "--duration", "3", "--output", rtmp_server.rtmps_url("tlskey77")],
        env={**os.environ, "SSL_CERT_FILE": str(rtmp_server.certificate)},  # trust the test server's certificate
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "tlskey77" not in result.stderr and "rtmps://127.0.0.1" in result.stderr
    (received,) = rtmp_server.wait_for_recordings("tlskey77", count=1)
    ((name, _),) = run_summary(result.stderr).sent.items()
    assert_received_what_was_sent(received, result.stderr, name, ticks=90)
