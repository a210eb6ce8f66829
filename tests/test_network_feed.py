"""Network feeds against a real SRT sender on loopback: FFmpeg (the imageio-ffmpeg binary) sends
a green picture and a 1 kHz tone as MPEG-TS over SRT in listener mode, in real time; the source
pulls it through SourceRunner on the real clock. Then the sender dies and comes back.

Every wait is bounded polling while the test plays the program thread's part (frame_for and one
audio block per 1600 samples, paced by the wall clock), never a sleep used as synchronization.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from studio.engine.audio.inputs import create_audio_source
from studio.engine.clock import MonotonicClock
from studio.engine.errors import InputError, SourceUnavailable
from studio.engine.frames import Frame
from studio.engine.show import AudioInputKind, AudioInputSpec
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ, SourceStatus
from studio.engine.sources.capture import SourceRunner
from studio.engine.sources.network import (
    FeedTimestamps,
    FeedTuning,
    NetworkAudioInput,
    NetworkFeedSettings,
    NetworkFeedSource,
    mask_url,
    scrub_secrets,
)
from studio.engine.sources.registry import default_registry
from studio.engine.sources.slate import no_signal_slate
from tests.bounded import call_bounded
from tests.servers import BIND_ATTEMPTS, free_port, held_port, wait_for_bind

import imageio_ffmpeg  # noqa: E402 - a runtime dependency: missing must fail, not skip

FRAME_SIZE = (320, 240)
SENDER_RGB = (0, 128, 0)  # lavfi's "green" is #008000
TONE_HZ = 1000
BLOCK_SAMPLES = 1600  # one program block at 30 fps
BLOCK_S = BLOCK_SAMPLES / AUDIO_SAMPLE_RATE_HZ
SILENCE = 1e-4
# Every wait for the feed to change state ends as soon as it does; the limit only catches a hang.
SETTLE_LIMIT_S = 30.0
BIND_WAIT_S = 30.0


# -- the sender ------------------------------------------------------------------------------------


class SrtSender:
    """FFmpeg sending a green picture and a 1 kHz tone, in real time, as an SRT listener. FFmpeg
    needs its port in the URL: a free one, and a new one while the first start finds it taken
    (after that the port is the feed's address and a restart comes back on it)."""

    def __init__(self) -> None:
        self.port = free_port(socket.SOCK_DGRAM)
        self._port_fixed = False
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"srt://127.0.0.1:{self.port}"

    def start(self) -> None:
        for attempt in range(1, BIND_ATTEMPTS + 1):
            self._process = self._spawn()
            if wait_for_bind(self._process, [(self.port, socket.SOCK_DGRAM)], BIND_WAIT_S, "the SRT sender"):
                self._port_fixed = True
                return
            self._process = None  # it exited before binding: the port was taken meanwhile
            if self._port_fixed or attempt == BIND_ATTEMPTS:
                pytest.fail(f"the SRT sender could not listen on UDP {self.port}")
            self.port = free_port(socket.SOCK_DGRAM)

    def _spawn(self) -> subprocess.Popen[bytes]:
        width, height = FRAME_SIZE
        return subprocess.Popen(
            [
                imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "quiet", "-re",
                "-f", "lavfi", "-i", f"color=c=green:s={width}x{height}:r=25",
                "-f", "lavfi", "-i", f"sine=frequency={TONE_HZ}:sample_rate={AUDIO_SAMPLE_RATE_HZ}",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "10",
                "-c:a", "aac", "-ac", "2",
                "-f", "mpegts", f"{self.url}?mode=listener",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # dies without a goodbye, like a crashed guest
            process.wait(5)


@pytest.fixture
def sender() -> Iterator[SrtSender]:
    srt_sender = SrtSender()
    srt_sender.start()
    yield srt_sender
    srt_sender.kill()


# -- playing the program thread's part ------------------------------------------------------------


class StatusRecorder:
    def __init__(self) -> None:
        self.reports: list[tuple[SourceStatus, str]] = []
        self._lock = threading.Lock()

    def __call__(self, source_id: str, status: SourceStatus, reason: str) -> None:
        with self._lock:
            self.reports.append((status, reason))

    def count(self, status: SourceStatus) -> int:
        with self._lock:
            return sum(1 for reported, _ in self.reports if reported is status)


class ProgramDriver:
    """Asks for a picture and pulls one audio block every 1600 samples of wall-clock time, like
    the program thread, and keeps the audio it got."""

    def __init__(self, clock: MonotonicClock, runner: SourceRunner | None, audio) -> None:
        self.clock = clock
        self.runner = runner
        self.audio = audio
        self.next_sample = 0
        self.last_block = np.zeros((BLOCK_SAMPLES, 2), np.float32)
        self.last_frame: Frame | None = None
        self._pace = threading.Event()  # never set: its wait() is a bounded, wall-clock pause
        self._next_block_s = time.monotonic()

    def step(self) -> np.ndarray:
        remaining_s = self._next_block_s - time.monotonic()
        if remaining_s > 0:
            self._pace.wait(remaining_s)
        self._next_block_s = max(self._next_block_s + BLOCK_S, time.monotonic() - BLOCK_S)
        if self.runner is not None:
            self.last_frame = self.runner.frame_for(self.clock.now_ns())
        self.audio.on_program_block(self.next_sample, BLOCK_SAMPLES)
        self.last_block = self.audio.read_block(self.next_sample, BLOCK_SAMPLES).copy()
        self.next_sample += BLOCK_SAMPLES
        return self.last_block

    def run_until(self, condition: Callable[[], bool], what: str, timeout_s: float = SETTLE_LIMIT_S) -> None:
        """Drive until the condition holds; a bounded wait (generous: no claim about speed)."""
        started = time.monotonic()
        while not condition():
            elapsed = time.monotonic() - started
            assert elapsed < timeout_s, f"{what}: not within {timeout_s} s (audio {self.audio.status()})"
            self.step()

    def record(self, block_count: int) -> np.ndarray:
        return np.concatenate([self.step() for _ in range(block_count)])


def dominant_frequency_hz(samples: np.ndarray) -> tuple[float, float]:
    """(frequency of the strongest bin, share of the energy within 20 Hz of it)."""
    mono = samples.mean(axis=1) * np.hanning(len(samples))
    power = np.abs(np.fft.rfft(mono)) ** 2
    frequencies = np.fft.rfftfreq(len(mono), 1 / AUDIO_SAMPLE_RATE_HZ)
    peak = int(np.argmax(power))
    near = np.abs(frequencies - frequencies[peak]) <= 20
    return float(frequencies[peak]), float(power[near].sum() / power.sum())


def assert_green(frame: Frame | None) -> None:
    assert frame is not None and (frame.width, frame.height) == FRAME_SIZE, "not the sender's picture"
    rgb = np.median(frame.to_bgr().reshape(-1, 3), axis=0)[::-1]
    assert np.abs(rgb - np.array(SENDER_RGB)).max() <= 12, f"colour {tuple(rgb)} is not the sender's {SENDER_RGB}"


def assert_tone(samples: np.ndarray) -> None:
    frequency_hz, share = dominant_frequency_hz(samples)
    assert abs(frequency_hz - TONE_HZ) <= 2, f"strongest frequency {frequency_hz} Hz, expected {TONE_HZ}"
    assert share > 0.9, f"only {share:.0%} of the sound is the tone (dropouts or clicks?)"
    assert np.sqrt(np.mean(samples**2)) > 0.03, "the tone is far too quiet"


# -- the tests ---------------------------------------------------------------------------------------


def test_an_srt_feed_plays_goes_no_signal_when_the_sender_dies_and_recovers_by_itself(sender: SrtSender):
    clock = MonotonicClock()
    source = NetworkFeedSource("guest", NetworkFeedSettings(url=sender.url), clock)
    statuses = StatusRecorder()
    runner = SourceRunner("guest", source, clock, statuses, slate_size=FRAME_SIZE)
    audio = source.audio
    assert audio is not None and audio.max_advance_samples == 0
    program = ProgramDriver(clock, runner, audio)
    runner.start(clock.now_ns())
    try:
        program.run_until(lambda: runner.status is SourceStatus.LIVE, "the feed going LIVE")
        program.run_until(lambda: program.last_frame is not None and program.last_frame.sequence > 0, "a picture")
        assert_green(program.last_frame)

        program.run_until(lambda: np.abs(program.last_block).max() > 0.03, "the feed's sound")
        program.record(5)  # past the fade-in
        assert_tone(program.record(30))
        assert audio.status() == ("live", "")
        assert audio.gap_samples == 0

        sender.kill()
        # By itself, with nothing but the feed going quiet: NO SIGNAL, then the slate on program.
        program.run_until(lambda: runner.status is SourceStatus.NO_SIGNAL, "NO SIGNAL")
        slate = no_signal_slate("guest", *FRAME_SIZE)
        program.run_until(lambda: program.last_frame is slate, "the NO SIGNAL slate on program")
        program.run_until(lambda: np.abs(program.last_block).max() < SILENCE, "silence after the sender died")
        program.run_until(lambda: audio.status()[0] == "lost", "the feed's sound reported lost")
        assert audio.gap_samples > 0
        assert "127.0.0.1" in audio.status()[1]
        gap_before_recovery = audio.gap_samples

        sender.start()
        program.run_until(lambda: statuses.count(SourceStatus.LIVE) >= 2, "recovery after the sender came back")
        assert runner.reopen_count >= 1
        program.run_until(lambda: program.last_frame is not None and program.last_frame.sequence > 0, "a picture")
        assert_green(program.last_frame)
        program.run_until(lambda: audio.status() == ("live", ""), "the feed's sound back")
        assert audio.gap_samples > gap_before_recovery  # the whole outage counts, priming included
    finally:
        runner.stop()
        audio.close()


def test_an_audio_only_network_input_delivers_the_feeds_tone(sender: SrtSender):
    spec = AudioInputSpec(id="guest", name="Guest", kind=AudioInputKind.NETWORK, url=sender.url)
    audio = create_audio_source(spec, MonotonicClock(), lambda ref: None)
    assert isinstance(audio, NetworkAudioInput)
    try:
        program = ProgramDriver(MonotonicClock(), None, audio)
        program.run_until(lambda: np.abs(program.last_block).max() > 0.03, "the feed's sound")
        program.record(5)
        assert_tone(program.record(30))
    finally:
        call_bounded(audio.close, "closing the network input")  # returns: it never hangs on the feed
    assert audio.status() == ("closed", "")


def test_a_url_with_another_scheme_is_refused_naming_the_field():
    registry = default_registry()
    assert "network" in registry.kinds
    with pytest.raises(InputError) as raised:
        registry.validate_settings("network", {"url": "http://example.com/live/key"}, where="sources[0].settings")
    assert raised.value.field == "sources[0].settings.url"
    assert "expected an srt://, rtmp:// or rtmps:// URL" in str(raised.value)
    registry.validate_settings("network", {"url": "rtmps://live.example.com/app/key", "audio": False})


def test_a_refused_srt_connection_is_unavailable_without_showing_the_passphrase():
    with held_port(socket.SOCK_DGRAM) as port:  # bound by the test, never answered
        url = f"srt://127.0.0.1:{port}?passphrase=TopSecretPass99&streamid=guest-7"
        settings = NetworkFeedSettings(url=url)
        source = NetworkFeedSource("guest", settings, MonotonicClock(), tuning=FeedTuning(connect_timeout_ms=500))
        with pytest.raises(SourceUnavailable) as raised:
            call_bounded(source.open, "open() of an SRT address nobody answers")  # gives up by itself
    message = str(raised.value)
    assert f"srt://127.0.0.1:{port}?****" in message
    for secret in ("TopSecretPass99", "passphrase", "guest-7"):
        assert secret not in message
        assert secret not in source.audio.status()[1]
    source.close()


def test_a_refused_rtmp_connection_masks_the_stream_key():
    with held_port() as port:  # bound by the test, never listening: connections are refused
        source = NetworkFeedSource(
            "guest", NetworkFeedSettings(url=f"rtmp://127.0.0.1:{port}/live/streamkey-1234"), MonotonicClock()
        )
        with pytest.raises(SourceUnavailable) as raised:
            source.open()
    message = str(raised.value)
    assert f"rtmp://127.0.0.1:{port}/live/****" in message and "refused" in message.lower()
    assert "streamkey-1234" not in message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("srt://host:9000?passphrase=abcdefghij&latency=200000", "srt://host:9000?****"),
        ("srt://host:9000", "srt://host:9000"),
        ("rtmp://live.example.com/app/my-stream-key", "rtmp://live.example.com/app/****"),
        ("rtmps://user:pw@live.example.com:443/app", "rtmps://****@live.example.com:443/app"),
        ("rtmp://host/app/key?token=xyz", "rtmp://host/app/****?****"),
    ],
)
def test_urls_are_shown_with_their_secrets_masked(url: str, shown: str):
    assert mask_url(url) == shown
    ffmpeg_says = f"Error opening input file {url}. Connection to {url}&timeout=1 failed"
    scrubbed = scrub_secrets(ffmpeg_says, url)
    for secret in ("abcdefghij", "my-stream-key", "pw@", "xyz"):
        assert secret not in scrubbed


def test_feed_timestamps_follow_the_pts_drop_stale_frames_and_start_over_when_the_link_changes():
    ms = 1_000_000
    timestamps = FeedTimestamps()
    link_ns = 300 * ms  # the sender's pts 0 arrives 300 ms after our clock's 1 s
    frame_ns = 40 * ms
    assert timestamps.stamp(0, 1000 * ms + link_ns) == 1000 * ms + link_ns
    # Jitter: a frame that arrives 30 ms late is stamped where its pts says.
    stamped_ns = timestamps.stamp(frame_ns, 1000 * ms + link_ns + frame_ns + 30 * ms)
    assert stamped_ns is not None and abs(stamped_ns - (1000 * ms + link_ns + frame_ns)) < 1 * ms
    # A frame let out 800 ms late (the sender just died) is stale.
    assert timestamps.stamp(2 * frame_ns, 1000 * ms + link_ns + 2 * frame_ns + 800 * ms) is None
    # The link got slower for good: after a second of late frames, it starts over.
    arrival_ns = 2000 * ms
    results = [timestamps.stamp(3 * frame_ns + i * frame_ns, arrival_ns + 900 * ms + i * frame_ns) for i in range(40)]
    assert results[0] is None and results[-1] is not None and timestamps.restarts == 1
    # A pts jump (sender restarted its timestamps) starts over at once.
    assert timestamps.stamp(0, 60_000 * ms) == 60_000 * ms and timestamps.restarts == 2
