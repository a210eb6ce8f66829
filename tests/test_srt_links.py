"""SRT that holds: the studio streams through a private network namespace whose nftables rules
drop packets towards the receiver (tests/netns.py), with the SRT destination's default settings.
The receiver is srt-live-transmit in the namespace writing the raw MPEG-TS it gets, so a lost or
late packet shows as an MPEG-TS continuity error (a corrupt packet) when the file is read back.
Needs root (network namespaces), as CI has; run `pytest -s` to see the measured figures."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import av
import pytest

from studio.app import build_engine
from studio.engine.builtin_shows import demo_show_data
from studio.engine.destination_settings import DestinationSpec, SrtSettings
from studio.engine.outputs.srt_sender import MIN_DEFAULT_LATENCY_MS, live_transmit_binary
from studio.engine.clock import NS_PER_MS
from studio.engine.graphics.timecode import read_timecode_y
from studio.engine.show import parse_show
from tests.netns import netns_link  # noqa: F401 (fixture)
from tests.servers import poll_until

FPS = 30
PORT = 9000


class NamespaceReceiver:
    """srt-live-transmit listening in the namespace, saving the raw stream to `path`. It keeps
    listening after a caller leaves (auto-reconnect), so a reconnect lands in the same file."""

    def __init__(self, link, path: Path) -> None:
        self.path = path
        self.url = f"srt://{link.namespace_ip}:{PORT}"
        binary = live_transmit_binary()
        assert binary, "srt-live-transmit is missing: apt-get install srt-tools (make test installs it)"
        self._log = path.with_suffix(".log").open("wb")
        self._process = subprocess.Popen(
            link.wrap([binary, "-a:yes", f"srt://{link.namespace_ip}:{PORT}?mode=listener", "file://con"]),
            stdout=path.open("wb"), stderr=self._log, start_new_session=True,
        )  # fmt: skip
        poll_until(
            lambda: subprocess.run(link.wrap(["ss", "-Hlun", f"sport = :{PORT}"]), capture_output=True, text=True).stdout,
            timeout_s=10, what="the SRT receiver listening",
        )  # fmt: skip

    def size(self) -> int:
        return self.path.stat().st_size

    def stop(self) -> None:
        self._process.kill()
        self._process.wait(5)
        self._log.close()


# The engine stops while the receiver still listens: the pictures in flight at that moment arrive
# cut short (seen with one core busy: the last two video packets of 1799, never earlier).
STOP_CUT_PACKETS = 3


def intact_video_frames(path: Path, tail_packets: int = STOP_CUT_PACKETS) -> tuple[int, int]:
    """(judged frames, intact frames) of an MPEG-TS file. A frame is intact if its packet came
    whole (no continuity error), it decoded without error, the decoder did not mark it corrupt,
    and nothing before it in its GOP was damaged (a damaged reference spoils what follows). The
    last `tail_packets` video packets (cut by the stop) are not judged."""
    with av.open(str(path)) as container:
        judged_packets = sum(1 for packet in container.demux(container.streams.video[0]) if packet.size) - tail_packets
    decoded = intact = 0
    damaged = True  # until the first keyframe
    previous_pts = None
    av.logging.set_level(av.logging.PANIC)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frame_ticks = int(1 / (stream.time_base * FPS))
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            judged_packets -= 1
            if judged_packets < 0:
                break
            if packet.is_keyframe:
                damaged = False
            if packet.is_corrupt:
                damaged = True
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                damaged = True
                continue
            for frame in frames:
                decoded += 1
                if frame.is_corrupt or frame.pts is None or (
                    previous_pts is not None and frame.pts - previous_pts > frame_ticks * 3 // 2
                ):
                    # A corrupt picture, or pictures missing before this one (the program's pts
                    # follow its clock in ms: 33 or 34 ms apart, not exactly 1/30 s).
                    damaged = True
                previous_pts = frame.pts if frame.pts is not None else previous_pts
                intact += not damaged
    return decoded, intact


def live_engine(tmp_path: Path, seconds: int):
    # A 960x540 canvas with noise, so the encoder really sends its 3 Mbit/s (a clean test
    # pattern would compress to a fraction) and two cores keep up in real time.
    data = demo_show_data()
    data["canvas"] = {"width": 960, "height": 540, "fps": FPS}
    data["encoder"] = {"encoder": "x264", "bitrate_kbps": 3000}
    for source in data["sources"]:
        if source["kind"] == "test_pattern":
            source["settings"]["noise"] = True
    engine = build_engine(parse_show(data), tick_limit=seconds * FPS)
    events: list[tuple[float, str]] = []
    engine.events.output_state_changed.connect(lambda name, state, reason: events.append((time.monotonic(), str(state))))
    recording = tmp_path / "local.mkv"
    engine.start_recording(recording)
    return engine, events, recording


def recorded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def srt_target(receiver: NamespaceReceiver, latency_ms: int | None = None):
    # The destination as a user makes it: the SRT settings' defaults (or the latency the README
    # tells a user of a very lossy link to set), no options typed.
    return DestinationSpec(id="srt", name="srt", url=receiver.url, srt=SrtSettings(latency_ms=latency_ms)).target()


@pytest.mark.slow
@pytest.mark.parametrize(("loss_percent", "intact_fraction", "latency_ms"), [(10, 0.999, None), (30, 0.99, 1000)])
def test_a_minute_of_srt_through_random_loss_arrives_intact_without_a_reconnect(
    loss_percent, intact_fraction, latency_ms, netns_link, tmp_path
):
    seconds = 60
    receiver = NamespaceReceiver(netns_link, tmp_path / "received.ts")
    try:
        netns_link.loss(loss_percent)
        engine, _events, recording = live_engine(tmp_path, seconds)
        assert engine.start_streaming([srt_target(receiver, latency_ms)]) == []
        engine.start()
        stats = poll_until(lambda: next(iter(engine.destination_stats()), None), 15, "the SRT destination")
        poll_until(lambda: stats.srt is not None, 20, "SRT's statistics")
        assert engine.wait(seconds + 60)
        engine.stop()
        poll_until(lambda: receiver.size() > 0, 10, "the received stream")
    finally:
        receiver.stop()
    decoded, intact = intact_video_frames(receiver.path)
    srt = stats.srt
    print(
        f"\nSRT {loss_percent}% loss, {seconds} s: sent {stats.video_frames_sent} frames, decoded {decoded}, "
        f"intact {intact}, reconnects {stats.reconnects}; SRT rtt {srt.rtt_ms} ms, retransmitted "
        f"{srt.retransmitted_packets}, dropped {srt.dropped_packets}, latency {srt.latency_ms} ms, "
        f"send buffer {srt.send_buffer_ms} ms, bandwidth {srt.bandwidth_kbps:.0f} kbps"
    )
    assert stats.reconnects == 0, stats.last_error
    assert srt.retransmitted_packets > 0  # the link did lose packets, and SRT's figures reached us
    assert srt.latency_ms >= (latency_ms or MIN_DEFAULT_LATENCY_MS)
    assert stats.video_frames_sent >= (seconds - 5) * FPS
    # Against what was sent (a picture that never arrived counts as lost), less the stop's cut.
    assert intact >= intact_fraction * (stats.video_frames_sent - STOP_CUT_PACKETS), (intact, stats.video_frames_sent)
    assert recorded_frames(recording) == seconds * FPS  # the recording never noticed


def received_media_ms(path: Path) -> list[int]:
    """The program time code (its tick's media time in ms) of every picture that arrived."""
    codes = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            code = read_timecode_y(frame.to_ndarray(format="gray"))
            if code is not None:
                codes.append(code)
    return codes


@pytest.mark.slow
def test_after_a_five_second_blackout_srt_is_back_within_three_seconds(netns_link, tmp_path):
    seconds = 20
    receiver = NamespaceReceiver(netns_link, tmp_path / "received.ts")
    try:
        engine, events, recording = live_engine(tmp_path, seconds)
        engine.stamp_program_timecode()  # each picture says which tick it is: the program's own time
        engine.start_streaming([srt_target(receiver)])
        engine.start()
        poll_until(lambda: any(state == "LIVE" for _, state in events), 15, "LIVE")
        poll_until(lambda: engine.stats().media_time_ns >= 6 * 10**9, 30, "six seconds of show")
        with netns_link.blackout():
            threading.Event().wait(5.0)  # the blackout's length is what is being tested, not a synchronisation
            # What the receiver held (its latency's worth) came out during the blackout.
            cut_size = receiver.size()
        restored_at, restored_tick = time.monotonic(), engine.stats().ticks
        poll_until(lambda: receiver.size() > cut_size + 50_000, 10, "the stream arriving again")
        back_after_s = time.monotonic() - restored_at
        stats = engine.destination_stats()[0]
        reconnects = stats.reconnects
        assert engine.wait(seconds + 60)
        engine.stop()
    finally:
        receiver.stop()
    received = received_media_ms(receiver.path)
    print(
        f"\nSRT 5 s blackout: first data {back_after_s:.2f} s after the link returned, reconnects {reconnects}, "
        f"{stats.last_error}"
    )
    # Back within 3 s of the link's return, in the program's own time (a busy machine slows the
    # wall clock's view, not this): every tick from 3 s after the return to the last second before
    # the end arrived (what is still in flight at the stop is not counted).
    expected = {engine.tick_time_ns(tick) // NS_PER_MS for tick in range(restored_tick + 3 * FPS, (seconds - 1) * FPS)}
    missing = sorted(expected - set(received))
    assert len(expected) > 3 * FPS
    assert not missing, f"{len(missing)} ticks from 3 s after the link returned never arrived, the first {missing[0]} ms"
    assert recorded_frames(recording) == seconds * FPS
