"""The SRT settings a user can set, live on loopback: listener mode (the studio waits to be
pulled), AES encryption (and a receiver with the wrong passphrase), FEC (libsrt's packet
filter), and FFmpeg's own libsrt when srt-live-transmit is not installed. Real processes on
both ends: the studio's sender children and srt-live-transmit or FFmpeg as the other side; what
arrives is decoded back with PyAV."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import time
from pathlib import Path

import av
import pytest
from pydantic import ValidationError

from studio.app import build_engine
from studio.engine.builtin_shows import demo_show_data
from studio.engine.clock import NS_PER_SECOND
from studio.engine.destination_settings import DestinationSpec, SrtMode, SrtSettings
from studio.engine.outputs import stream as stream_module
from studio.engine.outputs.srt_sender import live_transmit_binary
from studio.engine.show import parse_show
from tests.conftest import run_studio
from tests.servers import LOOPBACK, free_port, poll_until
from tests.test_bad_input import error_block

FPS = 30
PASSPHRASE = "Tr0ub4dor-and-3-horses"  # what must never be shown
WRONG_PASSPHRASE = "not-the-right-one-42"

# The other end of most links here is srt-live-transmit (it takes every libsrt option).
@pytest.fixture
def _srt_tools():
    # Fails rather than skips: make test installs srt-tools, and a skipped test proves nothing.
    assert live_transmit_binary() is not None, "srt-live-transmit is missing: apt-get install srt-tools (make test installs it)"


needs_srt_tools = pytest.mark.usefixtures("_srt_tools")


class SmallShow:
    """A real-time engine on a 640x360 canvas (spares the two cores) with its output events
    (monotonic time, name, state, reason) and error events collected."""

    def __init__(self, seconds: float) -> None:
        data = demo_show_data()
        data["canvas"] = {"width": 640, "height": 360, "fps": FPS}
        data["encoder"] = {"encoder": "x264", "bitrate_kbps": 1000}
        self.engine = build_engine(parse_show(data), tick_limit=round(seconds * FPS))
        self.events: list[tuple[float, str, str, str]] = []
        self.errors: list[str] = []
        self.engine.events.output_state_changed.connect(
            lambda name, state, reason: self.events.append((time.monotonic(), name, str(state), reason))
        )
        self.engine.events.error.connect(self.errors.append)

    def go_live(self, spec: DestinationSpec) -> None:
        assert self.engine.start_streaming([spec.target()]) == []
        self.engine.start()

    def stats(self):
        return poll_until(lambda: next(iter(self.engine.destination_stats()), None), 15, "the destination")

    def states(self, name: str) -> list[str]:
        return [state for _, who, state, _ in self.events if who == name]

    def media_time_s(self) -> float:
        return self.engine.stats().media_time_ns / NS_PER_SECOND

    def wait_media_time(self, seconds: float) -> None:
        poll_until(lambda: self.media_time_s() >= seconds, seconds + 30, f"{seconds} s of show")

    def stop(self) -> None:
        self.engine.stop()


@pytest.fixture
def small_show():
    shows: list[SmallShow] = []

    def make(seconds: float) -> SmallShow:
        shows.append(SmallShow(seconds))
        return shows[-1]

    try:
        yield make
    finally:
        for show in shows:
            show.stop()


class SrtPeer:
    """srt-live-transmit as the other end of the link (`mode` in `url`: a listener that receives
    one caller, or a caller that pulls from the studio's listener), writing the raw MPEG-TS it
    receives to `path`."""

    def __init__(self, url: str, path: Path) -> None:
        self.path = path
        self.log_path = path.with_suffix(".log")
        with self.log_path.open("wb") as log, path.open("wb") as output:
            self._process = subprocess.Popen(
                [live_transmit_binary(), "-a:no", "-v", url, "file://con"],
                stdin=subprocess.DEVNULL, stdout=output, stderr=log, start_new_session=True,
            )  # fmt: skip

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)  # says goodbye to the other side
            try:
                self._process.wait(3)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)


@pytest.fixture
def srt_peers():
    peers: list[SrtPeer] = []

    def make(url: str, path: Path) -> SrtPeer:
        peers.append(SrtPeer(url, path))
        return peers[-1]

    try:
        yield make
    finally:
        for peer in peers:
            peer.stop()


def udp_port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return True
        return False


def decoded_video_frames(path: Path) -> int:
    """Video frames PyAV decodes from a received MPEG-TS file (0 if it holds no video)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    av.logging.set_level(av.logging.PANIC)
    frames = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return 0
            for packet in container.demux(container.streams.video[0]):
                try:
                    frames += len(packet.decode())
                except av.error.FFmpegError:
                    continue
    except av.error.FFmpegError:
        return frames
    return frames


def video_frames_and_damage(path: Path, tail_packets: int = 0) -> tuple[int, int]:
    """(decoded video frames, damaged or missing pictures): a packet with an MPEG-TS continuity
    error, one that fails to decode, a picture the decoder marks corrupt, or a gap in the decode
    times (a lost packet that held a picture's start drops the whole picture without a mark; the
    program's cadence is constant, so a gap is a picture lost). Intact = 0.
    The last `tail_packets` video packets are decoded but not judged: stopping a live link cuts
    the stream wherever it is, so the picture in flight at that moment arrives cut short."""
    av.logging.set_level(av.logging.PANIC)
    verdicts: list[tuple[int, int]] = []  # (frames decoded, damage) per video packet
    previous_dts = None
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frame_ticks = 1 / (FPS * stream.time_base)
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            missing = 0
            if previous_dts is not None and packet.dts is not None:
                missing = max(0, round((packet.dts - previous_dts) / frame_ticks) - 1)
            previous_dts = packet.dts
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                verdicts.append((0, 1 + packet.is_corrupt + missing))
                continue
            verdicts.append((len(frames), missing + packet.is_corrupt + sum(frame.is_corrupt for frame in frames)))
    judged = verdicts[: len(verdicts) - tail_packets]
    return sum(frames for frames, _ in verdicts), sum(damage for _, damage in judged)


def srt_spec(port: int, **settings) -> DestinationSpec:
    return DestinationSpec(id="srt", name="srt", url=f"srt://{LOOPBACK}:{port}", srt=SrtSettings(**settings))


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret appears in: {text[:300]}"


def shown_texts(show: SmallShow, stats, caplog) -> str:
    """Everything the studio showed: log lines, event reasons, errors, every stats field."""
    return "\n".join(
        [caplog.text, *(reason for *_, reason in show.events), *show.errors, repr(stats), stats.line(), stats.url, stats.last_error]
    )


# -- listener mode ---------------------------------------------------------------------------------


@needs_srt_tools
def test_a_listener_waits_to_be_pulled_serves_a_puller_and_then_the_next(small_show, srt_peers, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    port = free_port(socket.SOCK_DGRAM)
    show = small_show(seconds=40)
    show.go_live(srt_spec(port, mode=SrtMode.LISTENER))
    stats = show.stats()
    poll_until(lambda: udp_port_taken(port), 10, "the studio listening on its SRT port")
    waited_from_s = show.media_time_s()
    # Nobody pulls for 6 s of show, longer than the stall watchdog's 5 s and libsrt's peer idle
    # timeout: the studio just waits.
    show.wait_media_time(waited_from_s + 6)
    assert stats.state.value == "CONNECTING", (stats.state, stats.last_error)
    assert show.states("srt") == ["CONNECTING"], show.events
    assert stats.reconnects == 0 and stats.last_error == "", stats.last_error
    assert not show.errors, show.errors

    first = srt_peers(f"srt://{LOOPBACK}:{port}?mode=caller", tmp_path / "first.ts")
    poll_until(lambda: "LIVE" in show.states("srt"), 10, "LIVE once a puller came")
    poll_until(lambda: decoded_video_frames(first.path) >= 2 * FPS, 15, "two seconds of pictures at the first puller")
    first.stop()
    left_at = time.monotonic()
    # The puller left: the studio listens again (not FAILED) and the next puller gets the stream.
    poll_until(lambda: stats.state.value in ("CONNECTING", "RECONNECTING") and stats.reconnects >= 1, 15, "waiting again")
    poll_until(lambda: udp_port_taken(port), 10, "the studio listening again")
    second = srt_peers(f"srt://{LOOPBACK}:{port}?mode=caller", tmp_path / "second.ts")
    poll_until(lambda: any(at > left_at and who == "srt" and state == "LIVE" for at, who, state, _ in show.events), 15, "LIVE again")
    poll_until(lambda: decoded_video_frames(second.path) >= 2 * FPS, 15, "two seconds of pictures at the second puller")
    second.stop()
    show.stop()
    assert "FAILED" not in show.states("srt"), show.events
    assert stats.reconnects <= 3, (stats.reconnects, show.events)  # one per puller leaving, no churn
    print(f"\nlistener: events {show.states('srt')}, reconnects {stats.reconnects}, srt {stats.srt}")


# -- AES encryption ----------------------------------------------------------------------------------


@needs_srt_tools
def test_the_same_passphrase_on_both_ends_gets_pictures_through_and_is_never_shown(small_show, srt_peers, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    port = free_port(socket.SOCK_DGRAM)
    receiver = srt_peers(f"srt://{LOOPBACK}:{port}?mode=listener&passphrase={PASSPHRASE}&pbkeylen=32", tmp_path / "got.ts")
    poll_until(lambda: udp_port_taken(port), 10, "the receiver listening")
    show = small_show(seconds=30)
    show.go_live(srt_spec(port, passphrase=PASSPHRASE, key_length=32))
    stats = show.stats()
    poll_until(lambda: "LIVE" in show.states("srt"), 15, "LIVE")
    poll_until(lambda: decoded_video_frames(receiver.path) >= 3 * FPS, 20, "three seconds of pictures decoded")
    poll_until(lambda: stats.srt is not None, 10, "SRT's statistics")
    shown = shown_texts(show, stats, caplog)
    show.stop()
    receiver.stop()
    assert stats.reconnects == 0 and stats.last_error == "", stats.last_error
    assert_no_secret(shown + shown_texts(show, stats, caplog), PASSPHRASE)


@needs_srt_tools
def test_a_receiver_with_another_passphrase_gets_nothing_and_the_reason_names_no_secret(small_show, srt_peers, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    port = free_port(socket.SOCK_DGRAM)
    receiver = srt_peers(f"srt://{LOOPBACK}:{port}?mode=listener&passphrase={WRONG_PASSPHRASE}&pbkeylen=32", tmp_path / "got.ts")
    poll_until(lambda: udp_port_taken(port), 10, "the receiver listening")
    show = small_show(seconds=30)
    show.go_live(srt_spec(port, passphrase=PASSPHRASE, key_length=32))
    stats = show.stats()
    poll_until(lambda: "RECONNECTING" in show.states("srt"), 20, "the connection refused")
    poll_until(lambda: stats.last_error, 5, "a reason")
    show.wait_media_time(show.media_time_s() + 2)  # a retry or two against the same receiver
    reason, states = stats.last_error, show.states("srt")
    shown = shown_texts(show, stats, caplog)
    show.stop()
    receiver.stop()
    print(f"\nwrong passphrase: states {states}, reason {reason!r}\nreceiver: {receiver.log()[-400:]}")
    assert "LIVE" not in states
    assert decoded_video_frames(receiver.path) == 0
    assert "passphrase" in reason.lower(), reason  # libsrt's own words: the receiver refused this passphrase
    assert_no_secret(shown + shown_texts(show, stats, caplog), PASSPHRASE, WRONG_PASSPHRASE)


# -- FEC -------------------------------------------------------------------------------------------

FEC = "fec,cols:10,rows:5"
# The show stops while the receiver still listens: the last pictures in flight arrive cut short
# (seen with one core busy: the second-last video packet of ~116, never earlier).
STOP_CUT_PACKETS = 3


@needs_srt_tools
@pytest.mark.parametrize("receiver_filter", [FEC, None], ids=["both-sides", "sender-only"])
def test_fec_negotiated_with_the_receiver_gets_pictures_through(receiver_filter, small_show, srt_peers, tmp_path):
    # libsrt's rule: the filter must be configured on at least one side; the other side takes
    # it in the handshake (and a configuration that conflicts is rejected).
    port = free_port(socket.SOCK_DGRAM)
    query = "mode=listener" + (f"&packetfilter={receiver_filter}" if receiver_filter else "")
    receiver = srt_peers(f"srt://{LOOPBACK}:{port}?{query}", tmp_path / "got.ts")
    poll_until(lambda: udp_port_taken(port), 10, "the receiver listening")
    show = small_show(seconds=30)
    show.go_live(srt_spec(port, fec=FEC))
    stats = show.stats()
    poll_until(lambda: "LIVE" in show.states("srt"), 15, "LIVE")
    poll_until(lambda: decoded_video_frames(receiver.path) >= 3 * FPS, 20, "three seconds of pictures decoded")
    show.stop()
    receiver.stop()
    assert stats.reconnects == 0 and stats.last_error == "", stats.last_error
    decoded, damaged = video_frames_and_damage(receiver.path, tail_packets=STOP_CUT_PACKETS)
    assert damaged == 0 and decoded >= 3 * FPS, (decoded, damaged)
    print(f"\nFEC ({receiver_filter or 'sender only'}): {decoded_video_frames(receiver.path)} frames, receiver log:\n{receiver.log()[-600:]}")


@needs_srt_tools
def test_a_conflicting_fec_on_the_receiver_is_refused_with_a_reason(small_show, srt_peers, tmp_path):
    port = free_port(socket.SOCK_DGRAM)
    receiver = srt_peers(f"srt://{LOOPBACK}:{port}?mode=listener&packetfilter=fec,cols:4,rows:4", tmp_path / "got.ts")
    poll_until(lambda: udp_port_taken(port), 10, "the receiver listening")
    show = small_show(seconds=30)
    show.go_live(srt_spec(port, fec=FEC))
    stats = show.stats()
    poll_until(lambda: "RECONNECTING" in show.states("srt"), 20, "the connection refused")
    reason = poll_until(lambda: stats.last_error, 5, "a reason")
    show.stop()
    receiver.stop()
    print(f"\nconflicting FEC: {reason!r}; receiver: {receiver.log()[-300:]}")
    assert "LIVE" not in show.states("srt")
    assert "filter" in reason.lower() or "refused" in reason, reason


def test_fec_without_srt_live_transmit_is_refused_naming_srt_tools(small_show, monkeypatch):
    # The real fallback path: what the destination does on a machine without srt-tools.
    monkeypatch.setattr(stream_module, "live_transmit_binary", lambda: None)
    show = small_show(seconds=3)
    show.go_live(srt_spec(free_port(socket.SOCK_DGRAM), fec=FEC))
    poll_until(lambda: show.errors, 10, "the destination refused")
    show.engine.wait(30)
    assert show.engine.destination_stats() == []
    (error,) = show.errors
    assert error.startswith("destination srt: ") and "srt-tools" in error and "FEC" in error, error


# -- without srt-live-transmit: FFmpeg's own libsrt ---------------------------------------------------


def test_without_srt_live_transmit_ffmpeg_reaches_a_listener(small_show, srt_listener, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(stream_module, "live_transmit_binary", lambda: None)
    show = small_show(seconds=5)
    show.go_live(DestinationSpec(id="srt", name="srt", url=srt_listener.url(), stream_key="sid-Secret-99"))
    stats = show.stats()
    poll_until(lambda: "LIVE" in show.states("srt"), 15, "LIVE")
    assert show.engine.wait(60)
    show.stop()
    received = srt_listener.wait_for_output(min_bytes=10_000)
    frames = decoded_video_frames(received)
    assert frames >= 3 * FPS, frames
    assert stats.srt is None  # FFmpeg's libsrt gives no statistics
    assert "srt-live-transmit (srt-tools) is not installed" in caplog.text
    assert_no_secret(caplog.text + repr(stats), "sid-Secret-99")


# -- the passphrase's length, checked when the show is loaded -------------------------------------


def test_a_passphrase_must_have_10_to_79_characters_or_none():
    for length in (0, 10, 79):
        assert len(SrtSettings(passphrase="p" * length).passphrase.get_secret_value()) == length
    for length in (5, 9, 80):
        with pytest.raises(ValidationError) as raised:
            SrtSettings(passphrase="q" * length)
        assert "10 to 79 characters" in str(raised.value) and "q" * length not in str(raised.value)


def test_a_show_with_a_five_character_passphrase_is_refused_without_quoting_it(tmp_path):
    import json

    data = demo_show_data()
    data["destinations"] = [
        {"id": "ok", "name": "Relay", "url": "srt://relay.example:9000", "srt": {"passphrase": PASSPHRASE}},
        {"id": "short", "name": "Short", "url": "srt://relay.example:9001", "srt": {"passphrase": "Zq7#x"}},
    ]
    path = tmp_path / "show.json"
    path.write_text(json.dumps(data))
    block = error_block(run_studio("run", "--show", str(path), "--virtual-clock", "--duration", "0.1", timeout_s=60))
    text = "\n".join(block)
    assert str(path) in block[0]
    (line,) = [line for line in block if "destinations[" in line] or [block[0]]
    assert "destinations[1].srt.passphrase" in line and "10 to 79 characters" in line and "has 5" in line, text
    assert "Zq7#x" not in text and PASSPHRASE not in text
