"""Microphones: the device ring, drift compensation, losing and finding a device, and a real
capture through PortAudio from a private PulseAudio null sink (the machine has no sound card).

- Drift: simulated devices 200 ppm fast, 200 ppm slow and at 44.1 kHz feed a ring from a
  deterministic producer for an hour of audio (no real time); the compensator must hold the
  latency at target with no dropout and no click.
- Faults: a fake stream opener on a virtual clock shows lost -> re-open with backoff -> live,
  with silence and gap counting in between, exactly on the clock.
- Real capture: a 1 kHz tone played into the null sink is recorded through MicrophoneInput,
  the same class a USB microphone uses, driven at program block rate.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import wave
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from studio.engine.audio.drift import DriftCompensator, DriftSettings
from studio.engine.audio.microphone import (
    PORTAUDIO_MISSING,
    InputStreamRequest,
    MicrophoneInput,
    MicrophoneNotFound,
    resolve_input_device,
)
from studio.engine.audio.ring import AudioRingBuffer
from studio.engine.clock import NS_PER_MS, VirtualClock
from tests.conftest import NULL_SINK, REPO_ROOT

PROGRAM_RATE_HZ = 48_000
TONE_HZ = 1000.0


def sine_second_difference_bound(amplitude: float, frequency_hz: float, rate_hz: float) -> float:
    """The largest |x[n+1] - 2 x[n] + x[n-1]| a pure sine can have: A (2 sin(pi f / fs))^2.
    A skipped, repeated or zeroed sample breaks it by an order of magnitude."""
    return amplitude * (2.0 * math.sin(math.pi * frequency_hz / rate_hz)) ** 2


class ContinuityMeter:
    """Follows one channel block by block with bounded memory: the largest second difference
    (across block joins too) and the smallest block peak (a dropout shows as a low peak)."""

    def __init__(self) -> None:
        self._tail = np.zeros(2, np.float32)
        self._has_tail = False
        self.max_second_difference = 0.0
        self.min_block_peak = math.inf

    def add(self, samples: np.ndarray, check: bool) -> None:
        if check:
            joined = np.concatenate([self._tail, samples]) if self._has_tail else samples
            self.max_second_difference = max(self.max_second_difference, float(np.abs(np.diff(joined, 2)).max()))
            self.min_block_peak = min(self.min_block_peak, float(np.abs(samples).max()))
            self._has_tail = True
        self._tail[:] = samples[-2:]


# -- the ring ------------------------------------------------------------------------------


def test_ring_keeps_order_across_the_wrap_and_drops_the_newest_when_full():
    ring = AudioRingBuffer(10, 2)
    out = np.zeros((10, 2), np.float32)
    ring.write(np.arange(14, dtype=np.float32).reshape(7, 2))
    assert ring.read_into(out, 5) == 5
    ring.write(np.arange(100, 116, dtype=np.float32).reshape(8, 2))  # wraps around the end
    assert ring.fill_samples == 10
    assert ring.read_into(out, 10) == 10
    assert out[:, 0].tolist() == [10, 12, 100, 102, 104, 106, 108, 110, 112, 114]

    ring.write(np.ones((8, 2), np.float32))
    assert ring.write(np.full((4, 2), 2.0, np.float32)) == 2  # only 2 of 4 fit
    assert (ring.overflow_count, ring.dropped_samples, ring.fill_samples) == (1, 2, 10)
    assert ring.discard(3) == 3 and ring.fill_samples == 7
    # A mono block fills every channel; a read of more than is there returns what is there.
    ring = AudioRingBuffer(4, 2)
    ring.write(np.array([[0.5]], np.float32))
    assert ring.read_into(out, 4) == 1 and out[0].tolist() == [0.5, 0.5]


# -- drift compensation: an hour of simulated devices --------------------------------------


def run_simulated_device(
    nominal_rate_hz: float, drift_ppm: float, seconds: float, block_samples: int = 1600, delivery_ms: int = 10
) -> dict:
    """A device whose crystal runs `drift_ppm` off nominal hands over a continuous 1 kHz sine
    every `delivery_ms` of media time, computed at its true rate; the program pulls one block
    (1600 samples = one 30 fps tick) at the end of each block's interval. No real time passes."""
    amplitude = 0.5
    true_rate_hz = nominal_rate_hz * (1.0 + drift_ppm * 1e-6)
    ring = AudioRingBuffer(int(nominal_rate_hz), 1)  # mono: the compensator makes it stereo
    settings = DriftSettings()
    compensator = DriftCompensator(ring, nominal_rate_hz, PROGRAM_RATE_HZ, settings)
    out = np.zeros((block_samples, 2), np.float32)
    chunk_capacity = int(true_rate_hz * delivery_ms / 1000) + 2
    sample_offsets = np.arange(chunk_capacity, dtype=np.float64)
    chunk = np.zeros((chunk_capacity, 1), np.float32)
    cycles_per_sample = TONE_HZ / true_rate_hz
    delivered_samples = 0
    deliveries = 0
    meter = ContinuityMeter()
    settled_after_blocks = PROGRAM_RATE_HZ // block_samples  # priming and fade-in are in the first second
    last_second_blocks = PROGRAM_RATE_HZ // block_samples
    block_count = int(seconds * PROGRAM_RATE_HZ / block_samples)
    last_second_latencies_ms: list[float] = []
    worst_latency_error_ms = 0.0
    mono_to_stereo_ok = True
    started = time.perf_counter()
    for block in range(block_count):
        block_end_s = (block + 1) * block_samples / PROGRAM_RATE_HZ
        while (deliveries + 1) * delivery_ms / 1000 <= block_end_s + 1e-12:
            deliveries += 1
            due = int(true_rate_hz * deliveries * delivery_ms / 1000)
            count = due - delivered_samples
            # Phase in cycles, reduced mod 1 in float64: exact to ~1e-9 cycles after an hour.
            cycles = (delivered_samples + sample_offsets[:count]) * cycles_per_sample
            cycles -= np.floor(cycles)
            chunk[:count, 0] = amplitude * np.sin(2.0 * np.pi * cycles)
            ring.write(chunk[:count])
            delivered_samples = due
        compensator.process_into(out)
        settled = block >= settled_after_blocks
        meter.add(out[:, 0], check=settled)
        if settled:
            mono_to_stereo_ok &= bool(np.array_equal(out[:, 0], out[:, 1]))
        # Latency against the clock: now minus the true time at which the device produced the
        # input that the next output sample is made of.
        latency_ms = (block_end_s - compensator.input_position_samples / true_rate_hz) * 1000.0
        if block >= 120 * last_second_blocks:  # after two minutes the loop has settled
            worst_latency_error_ms = max(worst_latency_error_ms, abs(latency_ms - settings.target_fill_ms))
        if block >= block_count - last_second_blocks:
            last_second_latencies_ms.append(latency_ms)
    return {
        "elapsed_s": time.perf_counter() - started,
        "amplitude": amplitude,
        "target_fill_ms": settings.target_fill_ms,
        "smoothed_fill_ms": compensator.smoothed_fill_ms,
        "clock_latency_ms": float(np.mean(last_second_latencies_ms)),
        "worst_latency_error_ms": worst_latency_error_ms,
        "delivery_ms": delivery_ms,
        "measured_drift_ppm": compensator.drift_ppm,
        "underruns": compensator.underrun_count,
        "gap_samples": compensator.gap_samples,
        "priming_samples": compensator.priming_samples,
        "resyncs": compensator.resync_count,
        "dropped_samples": ring.dropped_samples,
        "max_second_difference": meter.max_second_difference,
        "min_block_peak": meter.min_block_peak,
        "mono_to_stereo_ok": mono_to_stereo_ok,
        "block_samples": block_samples,
    }


@pytest.mark.parametrize(
    ("nominal_rate_hz", "drift_ppm"),
    [(48_000, +200.0), (48_000, -200.0), (44_100, +100.0)],
    ids=["48k-200ppm-fast", "48k-200ppm-slow", "44.1k-100ppm-fast"],
)
def test_an_hour_of_a_drifting_device_stays_at_the_target_latency_without_dropouts_or_clicks(
    nominal_rate_hz, drift_ppm
):
    result = run_simulated_device(nominal_rate_hz, drift_ppm, seconds=3600)
    print(f"\ndrift {nominal_rate_hz} Hz {drift_ppm:+} ppm: {json.dumps(result, default=float)}")
    target = result["target_fill_ms"]
    # The ring's fill, as the controller sees it, ends at target...
    assert abs(result["smoothed_fill_ms"] - target) < 5.0, result
    # ...and so does the latency against the clock. It includes the device's delivery lag: it
    # hands over audio every 10 ms, so on average its newest audio is a few ms old already.
    assert abs(result["clock_latency_ms"] - target) < 5.0, result
    assert result["worst_latency_error_ms"] < result["delivery_ms"] + 5.0, result
    assert abs(result["measured_drift_ppm"] - drift_ppm) < 20.0, result
    # Only the first block waited for the ring to prime; nothing was lost or cut after that.
    assert result["priming_samples"] <= 2 * result["block_samples"], result
    assert (result["underruns"], result["gap_samples"], result["resyncs"], result["dropped_samples"]) == (0, 0, 0, 0)
    # A continuous sine at the full level for the whole hour: no click, no dropout.
    bound = sine_second_difference_bound(result["amplitude"], TONE_HZ, PROGRAM_RATE_HZ)
    assert result["max_second_difference"] < 1.02 * bound, (result["max_second_difference"] / bound, result)
    assert result["min_block_peak"] > 0.98 * result["amplitude"], result
    assert result["mono_to_stereo_ok"]


def test_the_click_check_sees_one_skipped_sample():
    """The continuity check above must be able to fail: one sample missing from a sine trips it."""
    indices = np.arange(4800, dtype=np.float64)
    indices[2400:] += 1.0  # the device skipped one sample
    samples = (0.5 * np.sin(2 * np.pi * TONE_HZ * indices / PROGRAM_RATE_HZ)).astype(np.float32)
    meter = ContinuityMeter()
    for block in np.split(samples, 10):
        meter.add(block, check=True)
    assert meter.max_second_difference > 3 * sine_second_difference_bound(0.5, TONE_HZ, PROGRAM_RATE_HZ)


def test_an_underrun_gives_silence_counts_the_gap_and_primes_again():
    ring = AudioRingBuffer(48_000, 2)
    compensator = DriftCompensator(ring, 48_000)  # target fill 20 ms = 960 samples
    out = np.zeros((480, 2), np.float32)
    tone = np.full((480, 2), 0.25, np.float32)
    ring.write(tone)
    compensator.process_into(out)  # not yet a block plus the target fill: priming
    assert not out.any() and compensator.priming_samples == 480 and compensator.gap_samples == 0
    for _ in range(3):
        ring.write(tone)
    compensator.process_into(out)
    assert compensator.is_running and out[-1, 0] == pytest.approx(0.25)  # faded in within the block
    assert compensator.last_fill_ms == pytest.approx(20.0, abs=0.1)  # the excess was skipped
    for _ in range(4):  # the device goes quiet: the 20 ms margin plays out, then it runs dry
        compensator.process_into(out)
        if compensator.underrun_count:
            break
    assert compensator.underrun_count == 1 and not compensator.is_running and compensator.gap_samples > 0
    assert out[-1, 0] == 0.0
    gap_before = compensator.gap_samples
    ring.write(tone)
    compensator.process_into(out)  # back, but under target: still silent, still a gap
    assert compensator.gap_samples == gap_before + 480 and not out.any()
    for _ in range(3):
        ring.write(tone)
    compensator.process_into(out)
    assert compensator.is_running and out[-1, 0] == pytest.approx(0.25)
    assert compensator.gap_samples == gap_before + 480 and compensator.underrun_count == 1


# -- losing and finding a device: a fake stream on a virtual clock -------------------------


class CallbackStatus:
    def __init__(self, input_overflow: bool = False, input_underflow: bool = False) -> None:
        self.input_overflow = input_overflow
        self.input_underflow = input_underflow

    def __bool__(self) -> bool:
        return self.input_overflow or self.input_underflow


class FakeStream:
    """Stands in for sounddevice.InputStream; the test thread plays PortAudio's callback thread."""

    def __init__(self, request: InputStreamRequest, sample_rate_hz: float, channels: int) -> None:
        self.request = request
        self.samplerate = sample_rate_hz
        self.channels = channels
        self.active = False
        self.closed = False

    def start(self) -> None:
        self.active = True

    def close(self) -> None:
        self.active = False
        self.closed = True

    def deliver(self, block: np.ndarray, status: CallbackStatus | None = None) -> None:
        self.request.callback(block, len(block), None, status or CallbackStatus())

    def fail(self) -> None:
        """A stream error: PortAudio stops the stream and calls the finished callback."""
        self.active = False
        self.request.finished_callback()


class FakeMicrophone:
    """The stream opener the microphone is given: records when it was asked, fails while unplugged."""

    def __init__(self, clock: VirtualClock, plugged_in: bool = True) -> None:
        self.clock = clock
        self.plugged_in = plugged_in
        self.open_times_ms: list[int] = []
        self.streams: list[FakeStream] = []

    def open(self, request: InputStreamRequest) -> FakeStream:
        self.open_times_ms.append(self.clock.now_ns() // NS_PER_MS)
        if not self.plugged_in:
            raise MicrophoneNotFound("no microphone named 'Fake USB'")
        stream = FakeStream(request, 48_000, 1)
        self.streams.append(stream)
        return stream


class ProgramOnVirtualClock:
    """Drives a microphone as the program thread would, 10 ms per block, while the fake device
    delivers 10 ms of a continuous tone per block whenever its stream is running."""

    block_samples = 480
    amplitude = 0.25

    def __init__(self, microphone: MicrophoneInput, clock: VirtualClock, device: FakeMicrophone) -> None:
        self.microphone = microphone
        self.clock = clock
        self.device = device
        self.position = 0
        self.device_samples = 0
        self.sync()

    def sync(self) -> None:
        assert self.microphone.wait_until_supervised(self.clock.now_ns(), timeout_s=10), "supervisor is stuck"

    def step(self, deliver: bool = True, status: CallbackStatus | None = None) -> np.ndarray:
        stream = self.device.streams[-1] if self.device.streams else None
        if deliver and stream is not None and stream.active:
            indices = np.arange(self.device_samples, self.device_samples + self.block_samples)
            tone = self.amplitude * np.sin(2 * np.pi * TONE_HZ * indices / 48_000)
            stream.deliver(tone.astype(np.float32)[:, None], status)
            self.device_samples += self.block_samples
        self.clock.advance_to(self.clock.now_ns() + 10 * NS_PER_MS)
        self.sync()  # the supervisor has looked at everything due by now
        self.microphone.on_program_block(self.position, self.block_samples)
        block = self.microphone.read_block(self.position, self.block_samples).copy()
        self.position += self.block_samples
        return block

    def run_until(self, condition, max_steps: int, deliver: bool = True) -> list[np.ndarray]:
        blocks = []
        for _ in range(max_steps):
            blocks.append(self.step(deliver))
            if condition():
                return blocks
        raise AssertionError(f"not reached in {max_steps} blocks; status {self.microphone.status()}")

    @property
    def now_ms(self) -> int:
        return self.clock.now_ns() // NS_PER_MS


def test_a_lost_device_is_reopened_with_backoff_and_resumes_by_itself():
    clock = VirtualClock()
    device = FakeMicrophone(clock)
    microphone = MicrophoneInput(SimpleNamespace(name="Fake USB", device="Fake USB"), clock, open_stream=device.open)
    program = ProgramOnVirtualClock(microphone, clock, device)
    try:
        assert device.open_times_ms == [0]
        blocks = program.run_until(lambda: microphone.status()[0] == "live", max_steps=20)
        blocks += [program.step() for _ in range(50)]
        assert np.abs(blocks[-1]).max() == pytest.approx(program.amplitude, rel=0.01)
        program.step(status=CallbackStatus(input_overflow=True))
        assert microphone.counters().overflows == 1

        # Unplugged: the stream just stops delivering (nothing tells us), opening fails.
        device.plugged_in = False
        unplugged_ms = program.now_ms
        outage = program.run_until(lambda: microphone.status()[0] == "lost", max_steps=100, deliver=False)
        lost_ms = program.now_ms
        assert 500 < lost_ms - unplugged_ms <= 500 + 100 + 10  # stall timeout plus one watch interval
        assert "no audio" in microphone.status()[1]
        assert device.streams[0].closed
        # Re-open attempts back off: 250 ms, then 500, 1000, 2000 ms.
        outage += program.run_until(lambda: len(device.open_times_ms) == 5, max_steps=500, deliver=False)
        attempts_ms = device.open_times_ms[1:]
        assert attempts_ms[0] == lost_ms + 250
        assert np.diff(attempts_ms).tolist() == [500, 1000, 2000]
        assert microphone.status() == ("lost", "no microphone named 'Fake USB'")
        assert all(not block.any() for block in outage[5:])  # silence once the ring ran dry

        # Plugged back in: the next attempt (4 s later, the backoff doubled again) opens it.
        device.plugged_in = True
        resumed = program.run_until(lambda: microphone.status()[0] == "live", max_steps=500)
        assert device.open_times_ms[-1] - device.open_times_ms[-2] == 4000
        while not np.abs(resumed[-1]).max() > 0.2:  # primed and fading in
            assert len(resumed) < 100, "no sound after the device came back"
            resumed.append(program.step())
        resumed += [program.step() for _ in range(20)]
        assert np.abs(resumed[-1]).max() == pytest.approx(program.amplitude, rel=0.01)

        counters = microphone.counters()
        assert counters.reopen_count == 1 and counters.reopen_attempts == 5
        assert counters.underflows >= 1  # the program block that found the ring empty
        # Every silent block of the outage was counted, give or take the faded edges.
        silent_samples = sum(len(block) for block in outage + resumed if not block.any())
        assert silent_samples <= counters.gap_samples <= silent_samples + 3 * program.block_samples
        assert counters.gap_samples >= (program.now_ms - unplugged_ms - 400) * 48

        # A stream error (the device failed) is noticed at the next look, not after 500 ms.
        gap_before = counters.gap_samples
        device.streams[-1].fail()
        failed_ms = program.now_ms
        program.run_until(lambda: microphone.status()[0] == "lost", max_steps=20)
        lost_again_ms = program.now_ms
        assert lost_again_ms - failed_ms <= 100 and "stopped" in microphone.status()[1]
        program.run_until(lambda: microphone.status()[0] == "live", max_steps=100)
        assert device.open_times_ms[-1] == lost_again_ms + 250  # it had worked: backoff starts over
        assert microphone.counters().reopen_count == 2 and microphone.counters().gap_samples > gap_before
    finally:
        microphone.close()
    assert microphone.status() == ("closed", "")
    assert microphone.next_supervision_ns == -1  # the supervisor thread has ended
    assert all(stream.closed for stream in device.streams)


def test_a_device_absent_at_start_is_unavailable_until_it_is_plugged_in():
    clock = VirtualClock()
    device = FakeMicrophone(clock, plugged_in=False)
    microphone = MicrophoneInput(SimpleNamespace(name="Fake USB", device="Fake USB"), clock, open_stream=device.open)
    program = ProgramOnVirtualClock(microphone, clock, device)
    try:
        assert microphone.status() == ("unavailable", "no microphone named 'Fake USB'")
        blocks = [program.step() for _ in range(30)]
        assert not any(block.any() for block in blocks)
        assert microphone.counters().gap_samples == 0  # nothing was ever there to miss
        device.plugged_in = True
        program.run_until(lambda: microphone.status()[0] == "live", max_steps=200)
        assert microphone.counters().reopen_count == 0
    finally:
        microphone.close()


def test_read_block_answers_from_the_past_and_never_from_the_future():
    clock = VirtualClock()
    device = FakeMicrophone(clock)
    microphone = MicrophoneInput(SimpleNamespace(name="Fake USB", device=None), clock, open_stream=device.open)
    program = ProgramOnVirtualClock(microphone, clock, device)
    try:
        blocks = [program.step() for _ in range(40)]
        assert microphone.max_advance_samples == 0
        ten_blocks_ago = program.position - 11 * program.block_samples
        np.testing.assert_array_equal(microphone.read_block(ten_blocks_ago, program.block_samples), blocks[-11])
        half_past = microphone.read_block(program.position - 240, program.block_samples)
        np.testing.assert_array_equal(half_past[:240], blocks[-1][240:])
        assert not half_past[240:].any()  # not captured yet: silence, never a wait
        assert not microphone.read_block(-5 * 48_000, 480).any()  # long before the show
    finally:
        microphone.close()


def test_missing_portaudio_leaves_the_microphone_unavailable_and_silent():
    def load_sounddevice():
        raise OSError("PortAudio library not found")

    microphone = MicrophoneInput(
        SimpleNamespace(name="USB mic", device="USB"), VirtualClock(), load_sounddevice=load_sounddevice
    )
    assert microphone.status() == ("unavailable", PORTAUDIO_MISSING)
    microphone.on_program_block(0, 1600)
    block = microphone.read_block(0, 1600)
    assert block.shape == (1600, 2) and block.dtype == np.float32 and not block.any()
    microphone.close()
    microphone.close()
    assert microphone.status() == ("closed", "")


def test_device_names_match_exactly_first_then_by_a_unique_part():
    devices = [
        {"name": name, "max_input_channels": inputs, "hostapi": 0, "default_samplerate": 48000.0}
        for name, inputs in [
            ("HDA Intel PCH: ALC256 Analog (hw:0,0)", 2),
            ("HDMI 0", 0),
            ("Blue Yeti: USB Audio (hw:1,0)", 2),
            ("Blue Yeti", 1),
        ]
    ]

    def query_devices(device=None, kind=None):
        return devices if device is None and kind is None else devices[0]

    sounddevice = SimpleNamespace(query_devices=query_devices, query_hostapis=lambda: [{"name": "ALSA"}])
    assert resolve_input_device(sounddevice, "Blue Yeti") == 3
    assert resolve_input_device(sounddevice, "alc256") == 0
    assert resolve_input_device(sounddevice, 2) == 2
    assert resolve_input_device(sounddevice, None) is None
    with pytest.raises(MicrophoneNotFound, match="several"):
        resolve_input_device(sounddevice, "yeti")
    with pytest.raises(MicrophoneNotFound, match="no microphone named 'Rode'"):
        resolve_input_device(sounddevice, "Rode")
    with pytest.raises(MicrophoneNotFound, match="index 1"):
        resolve_input_device(sounddevice, 1)  # HDMI has no inputs


# -- a real capture device: PortAudio recording a PulseAudio null sink's monitor ------------

# Runs in its own process: PortAudio reads PULSE_* when it initializes, at sounddevice's import.
CAPTURE_SCRIPT = r"""
import dataclasses, json, sys, threading
import numpy as np
from types import SimpleNamespace
from studio.engine.audio.microphone import MicrophoneInput, MicrophoneTuning
from studio.engine.clock import MonotonicClock, NS_PER_SECOND

sample_rate_hz = int(sys.argv[1]) or None
keep_seconds = float(sys.argv[2])
output_path = sys.argv[3]
block = 1600  # one 30 fps program tick at 48 kHz
clock = MonotonicClock()
tuning = MicrophoneTuning(sample_rate_hz=sample_rate_hz)
microphone = MicrophoneInput(SimpleNamespace(name="null sink monitor", device=None), clock, tuning=tuning)
stop = threading.Event()
start_ns = clock.now_ns()
keep_blocks = int(keep_seconds * 48000 / block)
kept = []
statuses = []
live_since = None
gap_when_settled = None
for tick in range(int(12 * 48000 / block)):  # bounded: 12 s
    clock.wait_until(start_ns + (tick + 1) * block * NS_PER_SECOND // 48000, stop)
    microphone.on_program_block(tick * block, block)
    samples = microphone.read_block(tick * block, block)
    state = microphone.status()[0]
    if not statuses or statuses[-1] != state:
        statuses.append(state)
    if state == "live" and live_since is None:
        live_since = tick
    if live_since is not None and tick >= live_since + 15:  # priming and fade-in are done
        if gap_when_settled is None:
            gap_when_settled = microphone.counters().gap_samples
        kept.append(samples.copy())
        if len(kept) == keep_blocks:
            break
counters = microphone.counters()
status = microphone.status()
microphone.close()
np.save(output_path, np.concatenate(kept) if kept else np.zeros((0, 2), np.float32))
report = {"statuses": statuses, "status": status, "counters": dataclasses.asdict(counters)}
print(json.dumps({**report, "gap_when_settled": gap_when_settled}))
"""


def write_tone_wav(path: Path, seconds: float, level_dbfs: float) -> None:
    amplitude = 10 ** (level_dbfs / 20)
    indices = np.arange(int(seconds * 48_000))
    tone = np.round(amplitude * 32767 * np.sin(2 * np.pi * TONE_HZ * indices / 48_000)).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(48_000)
        wav.writeframes(np.repeat(tone[:, None], 2, axis=1).tobytes())


@pytest.mark.parametrize("sample_rate_hz", [0, 44_100], ids=["device-rate", "resampled-from-44.1k"])
def test_a_real_capture_device_records_a_1khz_tone_at_its_level(private_pulseaudio, tmp_path, sample_rate_hz):
    level_dbfs = -12.0
    tone_file = tmp_path / "tone.wav"
    write_tone_wav(tone_file, seconds=20, level_dbfs=level_dbfs)
    player = subprocess.Popen(
        ["paplay", f"--device={NULL_SINK}", str(tone_file)],
        env=private_pulseaudio,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    captured_file = tmp_path / "captured.npy"
    try:
        result = subprocess.run(
            [sys.executable, "-c", CAPTURE_SCRIPT, str(sample_rate_hz), "1.5", str(captured_file)],
            env=private_pulseaudio,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO_ROOT,
        )
    finally:
        player.terminate()
        player.wait(timeout=10)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\ncapture at {sample_rate_hz or 'the device rate'}: {report}")
    assert report["status"] == ["live", ""], report
    counters = report["counters"]
    assert counters["sample_rate_hz"] == (sample_rate_hz or 48_000)
    samples = np.load(captured_file)
    assert len(samples) == int(1.5 * 48_000 / 1600) * 1600, f"captured {len(samples)} samples; {report}"

    for channel in (0, 1):
        mono = samples[:, channel].astype(np.float64)
        spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono)))) ** 2
        frequencies = np.fft.rfftfreq(len(mono), 1 / 48_000)
        peak_hz = frequencies[np.argmax(spectrum)]
        assert abs(peak_hz - TONE_HZ) < 2.0, f"channel {channel}: peak at {peak_hz} Hz"
        near_tone = spectrum[np.abs(frequencies - TONE_HZ) < 20].sum()
        tone_share = near_tone / spectrum.sum()
        assert tone_share > 0.999, f"channel {channel}: only {tone_share:.4f} of the energy is the tone"
        rms_dbfs = 20 * np.log10(np.sqrt(np.mean(mono**2)))
        expected_rms_dbfs = level_dbfs - 20 * np.log10(math.sqrt(2))  # a sine's RMS is its peak / sqrt 2
        assert abs(rms_dbfs - expected_rms_dbfs) < 1.0, f"channel {channel}: {rms_dbfs:.2f} dBFS RMS"
        # No dropout anywhere: every 10 ms holds the tone at (nearly) full level.
        chunk_rms = np.sqrt(np.mean(mono[: len(mono) // 480 * 480].reshape(-1, 480) ** 2, axis=1))
        assert chunk_rms.min() > 0.7 * 10 ** (expected_rms_dbfs / 20), "a dropout in the captured tone"
    assert counters["gap_samples"] == report["gap_when_settled"], "audio went missing after the start"
