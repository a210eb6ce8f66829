"""The WHIP output (issue 15) against the tests' own WHIP endpoint on loopback (tests/whip_endpoint.py:
aiortc answers FFmpeg's offer and decodes what arrives), in real time: WHIP is WebRTC, it has no
virtual clock. The sync show (a white frame and a beep at each whole second) tells pictures and
sounds apart; the endpoint's records are checked frame by frame. Latency is printed, never
asserted (benchmarks/latency.py measures it, by the program time code)."""

from __future__ import annotations

import logging
import statistics
import subprocess
import sys
import time

import av
import numpy as np
import pytest

from studio.app import build_engine
from studio.engine.builtin_shows import sync_show_data
from studio.engine.outputs.senders import sender_command
from studio.engine.outputs.stream_target import StreamTarget
from studio.engine.show import parse_show
from tests.servers import ffmpeg_exe, poll_until
from tests.whip_endpoint import WhipEndpoint, sender_time_ns

FPS = 30
VIDEO_CLOCK_HZ = 90_000
PTS_PER_FRAME = VIDEO_CLOCK_HZ // FPS
TOKEN = "whipTok3n-" + "q7" * 12
FLASH_MEAN_Y = 150  # the sync show's white frame is Y=235 all over; its other frames about 60


class WhipRun:
    """A real-time engine on the sync show, going live to one WHIP target."""

    def __init__(self, endpoint: WhipEndpoint, seconds: float, token: str = TOKEN, recording=None) -> None:
        self.engine = build_engine(parse_show(sync_show_data()), tick_limit=round(seconds * FPS))
        if recording is not None:
            self.engine.start_recording(recording)
        self.events: list[tuple[float, str, str]] = []
        self.engine.events.output_state_changed.connect(
            lambda name, state, reason: self.events.append((time.monotonic(), state, reason))
        )
        assert self.engine.start_streaming([StreamTarget("whip", endpoint.url("show"), token)]) == []
        self.engine.start()
        self.stats = poll_until(lambda: (self.engine.destination_stats() or [None])[0], 10, "the WHIP destination")

    def first_event(self, state: str, after: float = 0.0) -> float | None:
        return next((at for at, what, _reason in self.events if what == state and at >= after), None)

    def close(self) -> None:
        self.engine.stop()


@pytest.fixture
def endpoint():
    with WhipEndpoint(TOKEN) as running:
        yield running


def flash_indexes(pictures) -> list[int]:
    # The first few frames repeat the show's first picture (a flash) until the pattern's
    # second frame is in: those are left out.
    return [i for i, picture in enumerate(pictures) if picture.mean_y > FLASH_MEAN_Y and i > 10]


def beep_onsets(sounds, threshold: float = 0.05, quiet_samples: int = 24_000) -> list[int]:
    """The pts (48 kHz, from the track's first sample) where each beep starts after a quiet spell."""
    onsets, last_loud = [], -quiet_samples
    for sound in sounds:
        loud = np.flatnonzero(np.abs(sound.samples) > threshold)
        for index in loud:
            at = sound.pts + int(index)
            if at - last_loud >= quiet_samples:
                onsets.append(at)
            last_loud = at
    return onsets


def recorded_offsets_ms(path) -> list[float]:
    """Beep onset minus flash (ms) in the engine's own recording of the sync show."""
    with av.open(str(path)) as container:
        flashes = [float(f.time) for f in container.decode(video=0) if f.to_ndarray()[:720].mean() > FLASH_MEAN_Y]
    with av.open(str(path)) as container:
        onsets, last = [], -1.0
        for frame in container.decode(audio=0):
            for index in np.flatnonzero(np.abs(frame.to_ndarray()[0]) > 0.05):
                at = float(frame.time) + index / frame.sample_rate
                if at - last >= 0.5:
                    onsets.append(at)
                last = at
    return [min((onset - flash for onset in onsets), key=abs) * 1000 for flash in flashes if flash > 0.5]


def test_twenty_seconds_of_whip_arrive_in_order_and_in_sync(endpoint, tmp_path):
    seconds = 20
    run = WhipRun(endpoint, seconds, recording=tmp_path / "program.mkv")
    try:
        assert run.engine.wait(seconds + 60)
        stats = run.stats
        sent_while_running = stats.video_frames_sent
    finally:
        run.close()
    session = endpoint.sessions[-1]
    # aiortc hands a frame on once the next one's first packet is in: the last one stays behind.
    # With one core busy the endpoint (aiortc, in this process beside the engine) can lose a few
    # frames for good, as any WebRTC receiver that falls behind does: those are bounded below.
    try:
        poll_until(lambda: len(endpoint.pictures()) >= stats.video_frames_sent - 1, 20, "the last frames decoded")
    except AssertionError:
        pass
    pictures, sounds = endpoint.pictures(), endpoint.sounds()
    dropped = sum(stats.dropped_frames.values())
    lost_at_receiver = max(0, stats.video_frames_sent - 1 - len(pictures))
    assert lost_at_receiver <= 0.02 * stats.video_frames_sent, (len(pictures), stats.video_frames_sent)
    assert endpoint.session_count() == 1 and stats.reconnects == 0, stats.line()
    assert session.deleted  # FFmpeg ended the session with a DELETE at stop
    assert stats.video_frames_sent >= sent_while_running and stats.video_frames_sent + dropped == seconds * FPS
    assert len(pictures) <= stats.video_frames_sent
    assert {(p.width, p.height) for p in pictures} == {(1280, 720)}

    # In order, and every gap in the pts is a frame the destination counted as dropped.
    steps = np.diff([picture.pts for picture in pictures])
    assert (steps > 0).all() and (steps % PTS_PER_FRAME == 0).all(), sorted(set(steps.tolist()))
    assert int((steps // PTS_PER_FRAME - 1).sum()) <= dropped + lost_at_receiver
    # The frames are the show's: a flash every 30 frames (by frame number), nothing else white.
    flashes = flash_indexes(pictures)
    flash_frames = [pictures[i].pts // PTS_PER_FRAME for i in flashes]
    assert len(flashes) >= seconds - 3 and all(step % FPS == 0 for step in np.diff(flash_frames).tolist()), flash_frames

    # A/V: each beep starts with its flash, on the sender's one wall clock (RTCP sender reports).
    onsets = beep_onsets(sounds)
    flash_ns = [sender_time_ns(session.video_timing, pictures[i].pts, VIDEO_CLOCK_HZ) for i in flashes]
    onset_ns = [sender_time_ns(session.audio_timing, onset, 48_000) for onset in onsets]
    assert None not in flash_ns and None not in onset_ns and len(onsets) >= seconds - 2
    offsets_ms = [min((onset - flash for onset in onset_ns), key=abs) / 1e6 for flash in flash_ns]
    # The program's own sync, from its recording: in real time the sync show's flash can land a
    # tick after its beep (the pattern's frame is stamped just after the tick it was due at).
    program_ms = statistics.median(recorded_offsets_ms(tmp_path / "program.mkv"))
    print(
        f"\nWHIP A/V (beep onset - flash, sender clock): {min(offsets_ms):+.1f} .. {max(offsets_ms):+.1f} ms; "
        f"in the program's recording {program_ms:+.1f} ms"
    )
    assert abs(program_ms) <= 1000 / FPS + 1  # the program is in sync within a frame (and a ms of rounding)
    assert all(abs(offset - program_ms) <= 5 for offset in offsets_ms), offsets_ms  # and WHIP adds nothing

    # Latency, tick to decoded frame: printed only. The connection started at tick 0 (nothing
    # dropped), so picture i is tick i.
    if dropped == 0:
        latencies_ms = sorted((p.arrival_ns - run.engine.tick_time_ns(i)) / 1e6 for i, p in enumerate(pictures))
        steady = latencies_ms[FPS * 5 :] if len(latencies_ms) > FPS * 10 else latencies_ms
        print(
            f"WHIP latency tick->decoded over {len(pictures)} frames: p50 {statistics.median(latencies_ms):.0f} ms, "
            f"p95 {latencies_ms[int(len(latencies_ms) * 0.95)]:.0f} ms, max {latencies_ms[-1]:.0f} ms "
            f"(largest after the first {len(latencies_ms) - len(steady)}: {steady[-1]:.0f} ms)"
        )


def test_a_wrong_token_is_a_clear_error_and_no_secret_is_logged(endpoint, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wr0ngWhipToken-" + "z9" * 10
    run = WhipRun(endpoint, seconds=30, token=wrong)
    try:
        poll_until(lambda: run.first_event("RECONNECTING") and "401" in run.stats.last_error, 20, "the 401 as the error")
        error, line = run.stats.last_error, run.stats.line()
    finally:
        run.close()
    assert "401 Unauthorized" in error, error
    assert endpoint.refused_posts >= 1 and endpoint.session_count() == 0
    shown = [error, line, *(reason for _at, _state, reason in run.events), *(r.getMessage() for r in caplog.records)]
    assert not [text for text in shown if wrong in text or TOKEN in text]
    assert any("RECONNECTING" in r.getMessage() and "401" in r.getMessage() for r in caplog.records)


def test_the_endpoint_going_away_reconnects_and_goes_live_again(endpoint):
    run = WhipRun(endpoint, seconds=40)
    try:
        poll_until(lambda: len(endpoint.pictures()) >= FPS * 2, 20, "two seconds of frames")
        endpoint.stop()
        poll_until(lambda: run.first_event("RECONNECTING"), 20, "RECONNECTING once the endpoint is gone")
        endpoint.start()  # the same port
        back_at = time.monotonic()
        poll_until(lambda: run.first_event("LIVE", after=back_at), 30, "LIVE again")
        print(f"\nWHIP: LIVE again {run.first_event('LIVE', after=back_at) - back_at:.1f} s after the endpoint came back")
        poll_until(lambda: len(endpoint.pictures()) >= FPS, 20, "frames on the new session")
        reconnects = run.stats.reconnects
    finally:
        run.close()
    assert endpoint.session_count() == 2 and reconnects >= 1
    pictures = endpoint.pictures()
    steps = np.diff([picture.pts for picture in pictures])
    assert (steps > 0).all()


def test_the_command_line_sends_to_a_whip_endpoint_with_the_token_from_the_environment(endpoint, monkeypatch):
    monkeypatch.setenv("STUDIO_WHIP_TOKEN", TOKEN)
    result = subprocess.run(
        [sys.executable, "-m", "studio", "run", "--show", "sync", "--duration", "4", "--output", endpoint.url("cli")],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stderr and "http://127.0.0.1" in result.stderr
    assert endpoint.session_count() == 1 and endpoint.sessions[0].stream_id == "cli"
    assert len(endpoint.pictures()) >= FPS  # a second at least; the first second is the handshake


def test_the_sender_re_encodes_to_baseline_and_opus_with_one_second_keyframes():
    target = StreamTarget("w", "https://whip.example/live/abc", "tok-" + "x" * 20)
    command = sender_command(target, "ffmpeg", bitrate_kbps=3000)
    joined = " ".join(command)
    assert command[command.index("-i") - 4 : command.index("-i")] == ["-threads", "1", "-flags", "low_delay"]
    assert "-profile:v baseline" in joined and "-tune zerolatency" in joined and "-bf 0" in joined
    assert "-force_key_frames expr:gte(t,n_forced*1)" in joined and "-b:v 3000k" in joined
    assert "-c:a libopus -application lowdelay" in joined and "-ar 48000" in joined
    assert command[-4:] == ["dtls_active", "-authorization", target.bearer_token, target.url]
    no_token = sender_command(StreamTarget("w", "https://whip.example/live/abc"), "ffmpeg")
    assert "-authorization" not in no_token and "-b:v 2500k" in " ".join(no_token)


def test_the_whip_muxer_is_in_the_binary_the_senders_use():
    help_text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-h", "muxer=whip"], capture_output=True, text=True, timeout=30)
    assert "-authorization" in help_text.stdout and "dtls_active" in help_text.stdout
