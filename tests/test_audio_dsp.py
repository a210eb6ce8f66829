"""The audio processors (studio.engine.audio.dsp) and meters (studio.engine.audio.meters).

Signals are 48 kHz stereo float32 blocks; processors work in place. Levels of sines are given
as their peak in dBFS (as ToneSource does), so a -20 dBFS sine has amplitude 0.1.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.engine.audio.dsp import (
    MAX_PASS_SAMPLES,
    BlockIirFilter,
    Compressor,
    Ducker,
    FilterChain,
    HighPassFilter,
    Limiter,
    NoiseGate,
    butterworth_high_pass,
    pan_gains,
)
from studio.engine.audio.meters import SILENCE_DB, LoudnessMeter, PeakRmsMeter, k_weighting
from studio.engine.show import (
    AudioFilters,
    CompressorSettings,
    DuckingSettings,
    HighPassSettings,
    LimiterSettings,
    NoiseGateSettings,
)

RATE = 48_000


def sine(frequency_hz: float, level_dbfs: float, seconds: float, channels: str = "both") -> np.ndarray:
    t = np.arange(int(round(seconds * RATE))) / RATE
    mono = 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * frequency_hz * t)
    block = np.zeros((mono.shape[0], 2), np.float32)
    if channels in ("both", "left"):
        block[:, 0] = mono
    if channels in ("both", "right"):
        block[:, 1] = mono
    return block


def hiss(level_dbfs_rms: float, seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((int(seconds * RATE), 2)) * 10 ** (level_dbfs_rms / 20)).astype(np.float32)


def run_blocks(process, signal: np.ndarray, block_samples: int = 480) -> np.ndarray:
    """Process a copy of `signal` block by block (in place), as the mixer does."""
    out = signal.copy()
    for start in range(0, out.shape[0], block_samples):
        process(out[start : start + block_samples])
    return out


def peak_db(signal: np.ndarray) -> float:
    return 20 * math.log10(max(float(np.abs(signal).max()), 1e-12))


def rms_db(signal: np.ndarray) -> float:
    return 10 * math.log10(max(float(np.mean(signal.astype(np.float64) ** 2)), 1e-24))


def reference_biquad(x: np.ndarray, b0: float, b1: float, b2: float, a1: float, a2: float) -> np.ndarray:
    """Direct form I, one sample at a time: the textbook definition to compare against."""
    y = np.zeros_like(x, dtype=np.float64)
    for channel in range(x.shape[1]):
        x1 = x2 = y1 = y2 = 0.0
        for i, sample in enumerate(x[:, channel].astype(np.float64).tolist()):
            out = b0 * sample + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2, x1, y2, y1 = x1, sample, y1, out
            y[i, channel] = out
    return y


# -- pan law -----------------------------------------------------------------------------------


def test_pan_law_is_constant_power_with_minus_3_db_at_centre() -> None:
    assert pan_gains(-1.0) == (1.0, 0.0)
    assert pan_gains(1.0) == (0.0, 1.0)
    left, right = pan_gains(0.0)
    assert left == pytest.approx(1 / math.sqrt(2)) and right == pytest.approx(1 / math.sqrt(2))
    assert 20 * math.log10(left) == pytest.approx(-3.0103, abs=1e-3)
    for pan in np.linspace(-1, 1, 21):
        left, right = pan_gains(float(pan))
        assert left**2 + right**2 == pytest.approx(1.0)
    assert pan_gains(0.5)[1] > pan_gains(0.5)[0]  # positive pans go right


# -- IIR engine and high-pass --------------------------------------------------------------------


def test_block_iir_matches_the_textbook_recursion_for_any_block_sizes() -> None:
    section = butterworth_high_pass(80.0)
    x = hiss(-10, 0.125, seed=3)
    expected = reference_biquad(x, section.b0, section.b1, section.b2, section.a1, section.a2)
    rng = np.random.default_rng(4)
    sizes = [1, 2, 3, 47, 480, 481, 1600, MAX_PASS_SAMPLES + 5]
    iir = BlockIirFilter([section])
    out = x.copy()
    start = 0
    while start < out.shape[0]:
        size = int(rng.choice(sizes))
        iir.process(out[start : start + size])
        start += size
    assert np.max(np.abs(out - expected)) < 2e-6


def test_high_pass_cuts_20_hz_and_passes_1_khz() -> None:
    def steady_gain_db(frequency_hz: float) -> float:
        x = sine(frequency_hz, -6, 1.0)
        y = run_blocks(HighPassFilter(HighPassSettings(enabled=True, cutoff_hz=80.0)).process, x)
        return rms_db(y[RATE // 2 :]) - rms_db(x[RATE // 2 :])

    assert steady_gain_db(20.0) < -20.0  # 2nd order: -24 dB two octaves down
    assert abs(steady_gain_db(1000.0)) < 0.1
    assert steady_gain_db(80.0) == pytest.approx(-3.01, abs=0.05)  # Butterworth: -3 dB at the cutoff


def click_size(signal: np.ndarray) -> float:
    """Largest second difference: a step or a corner in the waveform shows up here at full size,
    while a smooth signal's is tiny (a sine's is its amplitude times (2 pi f / rate) ** 2)."""
    return float(np.max(np.abs(np.diff(signal[:, 0].astype(np.float64), 2))))


def test_high_pass_cutoff_change_and_toggles_do_not_click() -> None:
    x = sine(200.0, -6, 0.5) + np.float32(0.2)  # a DC offset makes any state mistake a step
    high_pass = HighPassFilter(HighPassSettings(enabled=True, cutoff_hz=80.0))
    out = x.copy()
    for index, start in enumerate(range(0, x.shape[0], 480)):
        if index == 10:
            high_pass.update(HighPassSettings(enabled=True, cutoff_hz=150.0))
        if index == 20:
            high_pass.update(HighPassSettings(enabled=False, cutoff_hz=150.0))
        if index == 30:
            high_pass.update(HighPassSettings(enabled=True, cutoff_hz=150.0))
        high_pass.process(out[start : start + 480])
    # A step of even 0.01 would read 0.01 here; the sine's own is 0.00034.
    assert click_size(out) < 2 * click_size(x)


# -- noise gate ------------------------------------------------------------------------------------


def gate_settings(**changes) -> NoiseGateSettings:
    values = dict(
        enabled=True, open_threshold_db=-40.0, close_threshold_db=-50.0, attack_ms=5.0, hold_ms=100.0, release_ms=150.0
    )
    values.update(changes)
    return NoiseGateSettings(**values)


def test_gate_silences_hiss_and_passes_a_tone() -> None:
    quiet = run_blocks(NoiseGate(gate_settings()).process, hiss(-60, 1.0))
    assert np.all(quiet[RATE // 2 :] == 0.0)  # after hold + release: silence

    tone = sine(1000.0, -20, 1.0)
    passed = run_blocks(NoiseGate(gate_settings()).process, tone)
    np.testing.assert_array_equal(passed, tone)  # starts open and stays open: untouched


def test_gate_opens_and_closes_without_clicks() -> None:
    burst = np.concatenate([hiss(-70, 0.3), sine(1000.0, -20, 0.5) + hiss(-70, 0.5, seed=1), hiss(-70, 0.6, seed=2)])
    gate = NoiseGate(gate_settings())
    out = run_blocks(gate.process, burst)
    tone = slice(int(0.3 * RATE), int(0.8 * RATE))
    # Closed before, open during (after the attack), closed after hold + release.
    assert np.abs(out[int(0.26 * RATE) : int(0.3 * RATE)]).max() < 1e-9  # hold + release from the start
    opened = slice(int(0.35 * RATE), int(0.8 * RATE))
    np.testing.assert_array_equal(out[opened], burst[opened])
    assert np.abs(out[int(1.1 * RATE) :]).max() < 1e-9
    # No click: the output never moves faster than the tone itself does.
    assert np.max(np.abs(np.diff(out[:, 0]))) <= 1.01 * np.max(np.abs(np.diff(burst[tone, 0])))


def test_gate_gain_moves_in_ramps_never_steps() -> None:
    # A constant input makes output / input the gain itself, sample by sample.
    loud, quiet = np.full(int(0.3 * RATE), 0.1), np.full(int(0.6 * RATE), 0.001)
    level = np.concatenate([loud, quiet, loud])
    x = np.repeat(level[:, None], 2, axis=1).astype(np.float32)
    settings = gate_settings(attack_ms=5.0, release_ms=150.0, hold_ms=100.0)
    gain = run_blocks(NoiseGate(settings).process, x, block_samples=1600)[:, 0] / x[:, 0]
    steps = np.abs(np.diff(gain))
    assert gain.min() == 0.0 and gain[-1] == 1.0
    assert steps.max() <= 1.0 / (5.0 * 48) * 1.001  # never faster than the attack ramp
    closing = np.argmax(gain[int(0.3 * RATE) :] < 1.0) + int(0.3 * RATE)
    assert closing >= int(0.3 * RATE) + 100 * 48  # the hold
    assert np.argmax(gain[closing:] == 0.0) == pytest.approx(150 * 48, abs=96)  # the release


def test_gate_threshold_change_keeps_its_state() -> None:
    gate = NoiseGate(gate_settings())
    run_blocks(gate.process, sine(1000.0, -20, 0.2))
    gate.update(gate_settings(open_threshold_db=-30.0, close_threshold_db=-35.0))
    assert gate.gain == 1.0
    out = run_blocks(gate.process, sine(1000.0, -20, 0.1))
    assert peak_db(out) == pytest.approx(-20.0, abs=0.01)


# -- compressor ------------------------------------------------------------------------------------


def test_compressor_reduces_a_steady_tone_by_the_ratio() -> None:
    settings = CompressorSettings(enabled=True, threshold_db=-20.0, ratio=4.0, attack_ms=6.0, release_ms=60.0)
    out = run_blocks(Compressor(settings).process, sine(1000.0, -8, 1.0))
    assert peak_db(out[-RATE // 10 :]) == pytest.approx(-20 + 12 / 4, abs=0.5)


def test_compressor_leaves_quiet_signals_alone_and_adds_makeup() -> None:
    settings = CompressorSettings(enabled=True, threshold_db=-20.0, ratio=4.0)
    quiet = sine(1000.0, -40, 0.2)
    np.testing.assert_array_equal(run_blocks(Compressor(settings).process, quiet), quiet)
    made_up = run_blocks(Compressor(settings.model_copy(update={"makeup_gain_db": 6.0})).process, quiet)
    assert peak_db(made_up[-RATE // 10 :]) == pytest.approx(-34.0, abs=0.05)
    assert np.max(np.abs(np.diff(made_up[:, 0]))) < 2.1 * np.max(np.abs(np.diff(quiet[:, 0])))  # slewed, no jump


def test_compressor_attack_and_release_follow_their_times() -> None:
    settings = CompressorSettings(enabled=True, threshold_db=-30.0, ratio=10.0, attack_ms=5.0, release_ms=100.0)
    compressor = Compressor(settings)
    run_blocks(compressor.process, sine(1000.0, -40, 0.1))
    assert compressor.gain_reduction_db == 0.0
    run_blocks(compressor.process, sine(1000.0, -10, 0.03))  # 6 attack time constants
    settled = (20 - 0) * (1 - 1 / 10)  # 20 dB over: 18 dB of reduction
    assert compressor.gain_reduction_db == pytest.approx(settled, abs=0.5)
    run_blocks(compressor.process, sine(1000.0, -40, 0.1))  # one release time constant
    assert compressor.gain_reduction_db == pytest.approx(settled / math.e, rel=0.1)


def test_compressor_threshold_change_keeps_state() -> None:
    settings = CompressorSettings(enabled=True, threshold_db=-20.0, ratio=4.0)
    compressor = Compressor(settings)
    run_blocks(compressor.process, sine(1000.0, -8, 0.5))
    before = compressor.gain_reduction_db
    compressor.update(settings.model_copy(update={"threshold_db": -18.0}))
    assert compressor.gain_reduction_db == before
    x = sine(1000.0, -8, 0.2)
    out = run_blocks(compressor.process, x)
    assert np.max(np.abs(np.diff(out[:, 0]))) <= np.max(np.abs(np.diff(x[:, 0])))


# -- limiter ---------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ceiling_db=st.floats(-20.0, 0.0),
    drive_db=st.floats(-6.0, 40.0),
    release_ms=st.floats(1.0, 500.0),
    block_sizes=st.lists(st.integers(1, 2 * MAX_PASS_SAMPLES + 100), min_size=1, max_size=12),
    seed=st.integers(0, 2**16),
)
def test_limiter_never_exceeds_its_ceiling(ceiling_db, drive_db, release_ms, block_sizes, seed) -> None:
    rng = np.random.default_rng(seed)
    total = sum(block_sizes)
    material = rng.standard_normal((total, 2)) * 10 ** (drive_db / 20)
    material[rng.integers(0, total, size=max(1, total // 500))] *= 30.0  # sharp spikes
    material = material.astype(np.float32)
    limiter = Limiter(ceiling_db, release_ms)
    ceiling = 10 ** (ceiling_db / 20)
    start = 0
    for size in block_sizes:
        block = material[start : start + size]
        limiter.process(block)
        assert float(np.abs(block).max()) <= ceiling
        start += size


@settings(max_examples=25, deadline=None)
@given(
    ceilings_db=st.lists(st.floats(-20.0, 0.0), min_size=2, max_size=6),
    block_samples=st.integers(1, 3000),
    seed=st.integers(0, 2**16),
)
def test_limiter_holds_a_lowered_ceiling_and_a_switch_on_from_the_next_sample(ceilings_db, block_samples, seed) -> None:
    rng = np.random.default_rng(seed)
    limiter = Limiter(ceilings_db[0], 200.0)
    limiter.update(ceilings_db[0], 200.0, enabled=False)  # off: loud audio fills the delay line
    for ceiling_db in ceilings_db:
        limiter.process((rng.standard_normal((block_samples, 2)) * 3).astype(np.float32))
        limiter.update(ceiling_db, 200.0, enabled=True)
        block = (rng.standard_normal((block_samples, 2)) * 3).astype(np.float32)
        limiter.process(block)
        assert float(np.abs(block).max()) <= 10 ** (ceiling_db / 20)


def test_limiter_latency_is_reported_and_quiet_audio_passes_untouched() -> None:
    limiter = Limiter(-1.0, 60.0, lookahead_ms=1.5)
    assert limiter.latency_samples == 72
    x = hiss(-20, 0.1)
    out = run_blocks(limiter.process, x, block_samples=100)
    np.testing.assert_array_equal(out[72:], x[:-72])
    np.testing.assert_array_equal(out[:72], 0.0)


def test_limiter_holds_a_loud_tone_at_the_ceiling_and_releases() -> None:
    limiter = Limiter(-6.0, 50.0)
    loud = run_blocks(limiter.process, sine(1000.0, 0, 0.3))
    assert peak_db(loud[-RATE // 10 :]) == pytest.approx(-6.0, abs=0.1)
    run_blocks(limiter.process, sine(1000.0, -30, 0.5))  # 10 release time constants
    assert limiter.gain_reduction_db < 0.01


def test_limiter_glides_into_a_sudden_peak() -> None:
    x = np.concatenate([sine(1000.0, -12, 0.1), sine(1000.0, 0, 0.1)])
    out = run_blocks(Limiter(-6.0, 100.0).process, x)
    assert np.max(np.abs(out)) <= 10 ** (-6 / 20)
    # The gain comes down over the lookahead: the output never jumps by more than the input can.
    assert np.max(np.abs(np.diff(out[:, 0]))) <= np.max(np.abs(np.diff(x[:, 0])))


# -- filter chain -----------------------------------------------------------------------------------


def all_filters(**compressor_changes) -> AudioFilters:
    compressor = dict(enabled=True, threshold_db=-20.0, ratio=4.0)
    compressor.update(compressor_changes)
    return AudioFilters(
        high_pass=HighPassSettings(enabled=True, cutoff_hz=80.0),
        noise_gate=gate_settings(),
        compressor=CompressorSettings(**compressor),
        limiter=LimiterSettings(enabled=True, ceiling_db=-3.0),
    )


def test_chain_applies_the_enabled_filters_in_order() -> None:
    chain = FilterChain(all_filters(makeup_gain_db=15.0))  # 0 dBFS -> -15 dBFS compressed -> 0 dBFS
    assert chain.latency_samples == 72
    x = sine(1000.0, 0, 1.0) + sine(20.0, -6, 1.0)
    out = run_blocks(chain.process, x)
    tail = out[-RATE // 4 :]
    assert float(np.abs(tail).max()) <= 10 ** (-3 / 20)  # the limiter
    assert peak_db(tail) == pytest.approx(-3.0, abs=0.3)
    # Without a limiter the compressor alone sets the level; 20 Hz is gone either way.
    plain = FilterChain(all_filters().model_copy(update={"limiter": LimiterSettings(enabled=False)}))
    only_compressed = run_blocks(plain.process, sine(1000.0, -8, 1.0))
    assert peak_db(only_compressed[-RATE // 10 :]) == pytest.approx(-17.0, abs=0.5)
    spectrum = np.abs(np.fft.rfft(tail[:, 0]))
    # 20 Hz vs 1 kHz bins (0.25 s: 4 Hz per bin): 0.5 of it at the input, over 20 dB less now.
    assert spectrum[5] < 0.1 * 0.5 * spectrum[250]


@settings(max_examples=25, deadline=None)
@given(
    block_sizes=st.lists(st.integers(1, 2 * MAX_PASS_SAMPLES + 1), min_size=1, max_size=10),
    seed=st.integers(0, 2**16),
)
def test_chain_works_for_any_block_sizes(block_sizes, seed) -> None:
    rng = np.random.default_rng(seed)
    chain = FilterChain(all_filters(makeup_gain_db=10.0))
    for size in block_sizes:
        block = (rng.standard_normal((size, 2)) * rng.choice([0.0001, 0.01, 1.0, 10.0])).astype(np.float32)
        chain.process(block)
        assert np.all(np.isfinite(block)) and float(np.abs(block).max()) <= 10 ** (-3 / 20)


def test_processors_refuse_blocks_they_cannot_work_on_in_place() -> None:
    chain = FilterChain(all_filters())
    with pytest.raises(ValueError):
        chain.process(np.zeros((480, 2)))  # float64
    with pytest.raises(ValueError):
        chain.process(np.zeros((2, 480), np.float32).T)  # not C-contiguous


def test_chain_with_nothing_enabled_is_a_pure_delay() -> None:
    chain = FilterChain(AudioFilters())
    x = hiss(-10, 0.2)
    out = run_blocks(chain.process, x, block_samples=333)
    np.testing.assert_array_equal(out[chain.latency_samples :], x[: -chain.latency_samples])


def test_chain_updates_keep_state_and_toggles_glide() -> None:
    chain = FilterChain(all_filters())
    x = sine(1000.0, -8, 2.0)
    own_step = float(np.max(np.abs(np.diff(x[:, 0]))))
    out = x.copy()
    for index, start in enumerate(range(0, x.shape[0], 480)):
        if index == 50:
            chain.update(all_filters(threshold_db=-22.0))  # a new threshold: no reset
        if index == 60:
            chain.update(all_filters(enabled=False))  # compressor off: glides back
        if index == 120:
            chain.update(all_filters(enabled=True, makeup_gain_db=6.0))
        chain.process(out[start : start + 480])
    assert float(np.max(np.abs(np.diff(out[:, 0])))) <= 1.05 * own_step


# -- ducker ------------------------------------------------------------------------------------------


def test_ducker_lowers_music_by_the_depth_within_the_attack_and_returns_within_the_release() -> None:
    settings = DuckingSettings(enabled=True, depth_db=-15.0, threshold_db=-35.0, attack_ms=50.0, release_ms=400.0)
    ducker = Ducker(settings)
    block_samples = 480
    music = sine(440.0, -10, 1.5)
    out = music.copy()
    loud_from, loud_until = 20, 60  # blocks: the host talks from 200 ms to 600 ms
    gains_db = []
    for index, start in enumerate(range(0, out.shape[0], block_samples)):
        trigger_db = -20.0 if loud_from <= index < loud_until else -60.0
        ducker.process(out[start : start + block_samples], trigger_db)
        gains_db.append(ducker.gain_db)
    blocks_per_ms = 1 / 10
    attacked = loud_from + int(50 * blocks_per_ms) - 1  # the block that ends attack_ms after the onset
    assert gains_db[attacked] == pytest.approx(-15.0, abs=0.5)
    assert gains_db[attacked - 2] > -15.0 + 0.5  # and not instantly
    released = loud_until + int(400 * blocks_per_ms) - 1
    assert gains_db[released] == pytest.approx(0.0, abs=0.5)
    assert gains_db[loud_until + 10] < -5.0  # and not instantly
    ducked = out[(attacked + 1) * block_samples : loud_until * block_samples]
    assert peak_db(ducked) == pytest.approx(-25.0, abs=0.5)
    assert np.max(np.abs(np.diff(out[:, 0]))) <= np.max(np.abs(np.diff(music[:, 0])))  # ramps, not steps


def test_ducker_gain_ramp_is_a_constant_when_at_rest() -> None:
    ducker = Ducker(DuckingSettings(enabled=True))
    assert ducker.gain_ramp(-80.0, 480) == 1.0
    ramp = ducker.gain_ramp(0.0, 480)
    assert isinstance(ramp, np.ndarray) and ramp.shape == (480,)
    assert ramp[0] < 1.0 and np.all(np.diff(ramp) <= 0)


# -- meters ------------------------------------------------------------------------------------------


def test_peak_rms_meter() -> None:
    meter = PeakRmsMeter(peak_hold_ms=100.0)
    meter.process(sine(1000.0, 0, 0.01, channels="left"))
    assert meter.peak_db == pytest.approx(0.0, abs=0.01)
    assert meter.rms_db == pytest.approx(-3.01, abs=0.01)
    assert meter.rms_db_per_channel[1] == SILENCE_DB
    meter.process(sine(1000.0, -20, 0.05))
    assert meter.peak_db == pytest.approx(-20.0, abs=0.01)
    assert meter.peak_hold_db == pytest.approx(0.0, abs=0.01)  # held...
    meter.process(sine(1000.0, -20, 0.06))
    assert meter.peak_hold_db == pytest.approx(-20.0, abs=0.01)  # ...for 100 ms
    meter.process(np.zeros((480, 2), np.float32))
    assert meter.peak_db == SILENCE_DB and meter.rms_db == SILENCE_DB


def test_k_weighting_reproduces_the_bs1770_coefficients_at_48_khz() -> None:
    shelf, high_pass = k_weighting(48_000)
    published_shelf = (1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585)
    published_high_pass = (1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621)
    assert (shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2) == pytest.approx(published_shelf, abs=1e-10)
    assert (high_pass.b0, high_pass.b1, high_pass.b2, high_pass.a1, high_pass.a2) == pytest.approx(
        published_high_pass, abs=1e-10
    )


def feed(meter: LoudnessMeter, signal: np.ndarray, block_samples: int = 480) -> None:
    for start in range(0, signal.shape[0], block_samples):
        meter.process(signal[start : start + block_samples])


@pytest.mark.parametrize("block_samples", [480, 1600, 1, 333, 5000])
def test_loudness_of_a_stereo_minus_23_dbfs_sine_is_minus_23_lufs(block_samples: int) -> None:
    # EBU Tech 3341 case 1: 1 kHz at -23 dBFS in both channels reads -23.0 LUFS (M, S and I).
    meter = LoudnessMeter()
    feed(meter, sine(1000.0, -23, 4.0 if block_samples > 1 else 3.1), block_samples)
    assert meter.momentary_lufs == pytest.approx(-23.0, abs=0.1)
    assert meter.short_term_lufs == pytest.approx(-23.0, abs=0.1)
    assert meter.integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_loudness_of_a_full_scale_sine_on_one_channel_is_minus_3_lufs() -> None:
    # One channel's mean square is 1/2: -0.691 + 10 log10(0.5) + K-weighting at 1 kHz (+0.691).
    meter = LoudnessMeter()
    feed(meter, sine(1000.0, 0, 3.5, channels="left"), 1600)
    assert meter.momentary_lufs == pytest.approx(-3.01, abs=0.1)
    assert meter.short_term_lufs == pytest.approx(-3.01, abs=0.1)


def test_loudness_windows_fill_after_400_ms_and_3_s() -> None:
    meter = LoudnessMeter()
    assert meter.momentary_lufs == SILENCE_DB and meter.integrated_lufs == SILENCE_DB
    feed(meter, sine(1000.0, -23, 0.3))
    assert meter.momentary_lufs < -23.5  # 300 ms of the 400 ms window
    feed(meter, sine(1000.0, -23, 0.1))
    assert meter.momentary_lufs == pytest.approx(-23.0, abs=0.1)
    assert meter.short_term_lufs < -30.0  # 400 ms of 3 s
    feed(meter, sine(1000.0, -23, 2.6))
    assert meter.short_term_lufs == pytest.approx(-23.0, abs=0.1)
    assert meter.integrated_lufs == pytest.approx(-23.0, abs=0.1)
    feed(meter, np.zeros((RATE // 2, 2), np.float32))
    assert meter.momentary_lufs == SILENCE_DB  # silence floors at SILENCE_DB, not -inf
    # The 400 ms blocks that straddle the end of the tone still count (as the spec says)...
    after_the_tone = meter.integrated_lufs
    assert -23.5 < after_the_tone < -23.0
    # ...but silence itself is gated out: it changes nothing.
    feed(meter, np.zeros((2 * RATE, 2), np.float32))
    assert meter.integrated_lufs == after_the_tone


def test_integrated_loudness_gates_quiet_passages() -> None:
    # EBU Tech 3341 case 4: -72, -36, -23, -36, -72 dBFS for 10, 10, 60, 10, 10 s reads -23.0.
    meter = LoudnessMeter()
    for level_db, seconds in ((-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10)):
        feed(meter, sine(1000.0, level_db, seconds), 2000)
    assert meter.integrated_lufs == pytest.approx(-23.0, abs=0.1)


# -- no allocation per block ----------------------------------------------------------------------------


def steady_state_allocation(process, block_samples: int, blocks: int = 1000) -> tuple[int, int]:
    """(bytes still allocated, peak bytes) over `blocks` blocks after a warm-up."""
    rng = np.random.default_rng(7)
    material = (rng.standard_normal((block_samples * 64, 2)) * 0.3).astype(np.float32)
    material[: block_samples * 32] *= 0.001  # quiet and loud stretches: every path runs
    block = np.zeros((block_samples, 2), np.float32)

    def one(index: int) -> None:
        start = (index % 64) * block_samples
        block[:] = material[start : start + block_samples]
        process(block)

    for index in range(128):
        one(index)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for index in range(blocks):
            one(index)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return current - before, peak - before


@pytest.mark.parametrize("make_meter", [PeakRmsMeter, LoudnessMeter], ids=["peak_rms", "loudness"])
def test_meters_allocate_nothing_per_block(make_meter) -> None:
    meter = make_meter()
    kept, peak = steady_state_allocation(meter.process, 1600)
    assert kept < 1024  # nothing accumulates
    assert peak < 4096  # and no block-sized temporaries (one would be 12800 bytes)


@pytest.mark.parametrize(
    "make_processor",
    [
        lambda: HighPassFilter(HighPassSettings(enabled=True)),
        lambda: NoiseGate(gate_settings(open_threshold_db=-20.0, close_threshold_db=-25.0)),
        lambda: Compressor(CompressorSettings(enabled=True, makeup_gain_db=3.0)),
        lambda: Limiter(-12.0, 50.0),
        lambda: FilterChain(all_filters()),
    ],
    ids=["high_pass", "gate", "compressor", "limiter", "chain"],
)
def test_processors_allocate_nothing_per_block(make_processor) -> None:
    processor = make_processor()
    kept, peak = steady_state_allocation(processor.process, 1600)
    assert kept < 1024
    assert peak < 4096
