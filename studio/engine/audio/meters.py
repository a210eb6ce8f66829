"""Audio meters: sample peak and RMS per block, and loudness (ITU-R BS.1770-4 / EBU R 128).

Both take (n, 2) float32 blocks of any length, keep bounded state, and allocate no arrays per
block. Readings are floats in dBFS or LUFS, floored at SILENCE_DB (-120) for silence rather than
-inf, so they are always finite (JSON, GUI scales, comparisons).
"""

from __future__ import annotations

import math

import numpy as np

from studio.engine.audio.dsp import Biquad, BlockIirFilter, PassProcessor, check_block
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ

#: What a meter reads for silence (and anything quieter), dBFS or LUFS.
SILENCE_DB = -120.0
_SILENCE_POWER = 10.0 ** (SILENCE_DB / 10.0)


def amplitude_to_db(amplitude: float) -> float:
    return 20.0 * math.log10(amplitude) if amplitude > 1e-6 else SILENCE_DB


def power_to_db(power: float) -> float:
    return 10.0 * math.log10(power) if power > _SILENCE_POWER else SILENCE_DB


class PeakRmsMeter:
    """Sample peak and RMS of the last block, per channel and for the louder channel, plus the
    peak held for peak_hold_ms (then it falls to the current peak).

    process() only stores linear values; the dB properties convert when read (a GUI reads far
    less often than blocks arrive)."""

    def __init__(self, peak_hold_ms: float = 1500.0) -> None:
        self.peak_hold_samples = int(peak_hold_ms * AUDIO_SAMPLE_RATE_HZ / 1000.0)
        self._magnitudes = np.zeros(0, np.float32)
        self.reset()

    def reset(self) -> None:
        self._peaks = (0.0, 0.0)  # linear, per channel
        self._mean_squares = (0.0, 0.0)
        self._held_peak = 0.0
        self._held_for_samples = 0

    def process(self, block: np.ndarray) -> None:
        check_block(block)
        n = block.shape[0]
        if n == 0:
            return
        flat = block.reshape(-1)
        if self._magnitudes.shape[0] < flat.shape[0]:
            self._magnitudes = np.zeros(flat.shape[0], np.float32)
        magnitudes = self._magnitudes[: flat.shape[0]]
        np.abs(flat, out=magnitudes)
        left, right = flat[0::2], flat[1::2]
        peak_left, peak_right = float(magnitudes[0::2].max()), float(magnitudes[1::2].max())
        self._peaks = (peak_left, peak_right)
        # float32 dot products (BLAS) are exact enough for a meter and cost ~1 us.
        self._mean_squares = (float(np.dot(left, left)) / n, float(np.dot(right, right)) / n)
        peak = max(peak_left, peak_right)
        if peak >= self._held_peak or self._held_for_samples + n > self.peak_hold_samples:
            self._held_peak = peak
            self._held_for_samples = 0
        else:
            self._held_for_samples += n

    @property
    def peak_db(self) -> float:
        """Sample peak of the last block, the louder channel, dBFS."""
        return amplitude_to_db(max(self._peaks))

    @property
    def peak_db_per_channel(self) -> tuple[float, float]:
        return (amplitude_to_db(self._peaks[0]), amplitude_to_db(self._peaks[1]))

    @property
    def rms_db(self) -> float:
        """RMS of the last block, the louder channel, dBFS (a full-scale sine reads -3.01)."""
        return power_to_db(max(self._mean_squares))

    @property
    def rms_db_per_channel(self) -> tuple[float, float]:
        return (power_to_db(self._mean_squares[0]), power_to_db(self._mean_squares[1]))

    @property
    def peak_hold_db(self) -> float:
        return amplitude_to_db(self._held_peak)


def _k_weighting_shelf(sample_rate_hz: float) -> Biquad:
    """Stage 1 of the K-weighting: the high shelf modelling the head (+4 dB above ~1.5 kHz).

    BS.1770 tabulates the coefficients for 48 kHz only; these are the analogue prototype's
    parameters (as derived by libebur128 from the table) through the bilinear transform, which
    gives the table back at 48 kHz (see the tests) and works at any rate."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sample_rate_hz)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    return Biquad(
        b0=(vh + vb * k / q + k * k) / a0,
        b1=2.0 * (k * k - vh) / a0,
        b2=(vh - vb * k / q + k * k) / a0,
        a1=2.0 * (k * k - 1.0) / a0,
        a2=(1.0 - k / q + k * k) / a0,
    )


def _k_weighting_high_pass(sample_rate_hz: float) -> Biquad:
    """Stage 2 of the K-weighting: the RLB high-pass (~38 Hz). BS.1770 gives its numerator as
    exactly (1, -2, 1), unnormalised; the -0.691 in the loudness formula accounts for the
    filter's gain at 1 kHz."""
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sample_rate_hz)
    a0 = 1.0 + k / q + k * k
    return Biquad(b0=1.0, b1=-2.0, b2=1.0, a1=2.0 * (k * k - 1.0) / a0, a2=(1.0 - k / q + k * k) / a0)


def k_weighting(sample_rate_hz: float = AUDIO_SAMPLE_RATE_HZ) -> tuple[Biquad, Biquad]:
    return (_k_weighting_shelf(sample_rate_hz), _k_weighting_high_pass(sample_rate_hz))


class LoudnessMeter(PassProcessor):
    """Loudness per ITU-R BS.1770-4 as EBU R 128 uses it: momentary (400 ms window), short-term
    (3 s window) and integrated (gated) loudness, in LUFS.

    loudness = -0.691 + 10 log10(sum over channels of the mean square of the K-weighted signal)
    (left and right both weigh 1.0). The K-weighted energy is summed into 10 ms slots; a ring of
    the last 300 slots gives both windows, so readings lag by at most one slot and memory is
    fixed. Before a window has filled, the time before the meter started counts as silence.

    Integrated loudness gates 400 ms blocks taken every 100 ms (75 % overlap): blocks below
    -70 LUFS are dropped, then blocks more than 10 LU below the loudness of the rest. Blocks go
    into a 0.01 LU histogram (count and energy per bin), so memory stays fixed over hours and
    the only approximation is where the relative gate falls inside one bin."""

    SLOT_SAMPLES = 480  # 10 ms at 48 kHz
    MOMENTARY_SLOTS = 40  # 400 ms
    SHORT_TERM_SLOTS = 300  # 3 s
    GATING_STEP_SLOTS = 10  # a gating block every 100 ms
    ABSOLUTE_GATE_LUFS = -70.0
    RELATIVE_GATE_LU = -10.0
    HISTOGRAM_STEP_LU = 0.01
    HISTOGRAM_TOP_LUFS = 10.0

    def __init__(self) -> None:
        self._filter = BlockIirFilter(k_weighting())
        bins = int(round((self.HISTOGRAM_TOP_LUFS - self.ABSOLUTE_GATE_LUFS) / self.HISTOGRAM_STEP_LU)) + 1
        self._block_counts = np.zeros(bins, np.int64)
        self._block_energies = np.zeros(bins)
        self._slots = np.zeros(self.SHORT_TERM_SLOTS)
        self._weighted = np.zeros((0, 2), np.float32)
        self.reset()

    def reset(self) -> None:
        self._filter.reset()
        self._slots.fill(0.0)
        self._next_slot = 0  # ring index the next complete slot goes to
        self._slots_done = 0
        self._slot_energy = 0.0  # energy so far in the slot being filled
        self._slot_filled = 0  # samples so far in it
        self._block_counts.fill(0)
        self._block_energies.fill(0.0)

    def _process_pass(self, block: np.ndarray) -> None:
        n = block.shape[0]
        if n == 0:
            return
        if self._weighted.shape[0] < n:
            self._weighted = np.zeros((n, 2), np.float32)
        weighted = self._weighted[:n]
        self._filter.filter_pass(block, weighted)
        weighted = weighted.reshape(-1)
        position = 0
        while position < n:
            take = min(n - position, self.SLOT_SAMPLES - self._slot_filled)
            # Interleaved and both channels weigh 1: one dot product sums both mean squares' numerators.
            segment = weighted[2 * position : 2 * (position + take)]
            self._slot_energy += float(np.dot(segment, segment))
            self._slot_filled += take
            position += take
            if self._slot_filled == self.SLOT_SAMPLES:
                self._complete_slot()

    def _complete_slot(self) -> None:
        self._slots[self._next_slot] = self._slot_energy
        self._next_slot = (self._next_slot + 1) % self.SHORT_TERM_SLOTS
        self._slots_done += 1
        self._slot_energy = 0.0
        self._slot_filled = 0
        if self._slots_done >= self.MOMENTARY_SLOTS and self._slots_done % self.GATING_STEP_SLOTS == 0:
            self._add_gating_block(self._window_power(self.MOMENTARY_SLOTS))

    def _window_power(self, slot_count: int) -> float:
        """Sum over channels of the mean square over the last slot_count complete slots."""
        end = self._next_slot
        if end >= slot_count:
            energy = float(self._slots[end - slot_count : end].sum())
        else:
            energy = float(self._slots[:end].sum() + self._slots[end - slot_count :].sum())
        return energy / (slot_count * self.SLOT_SAMPLES)

    def _add_gating_block(self, power: float) -> None:
        loudness = _loudness(power)
        if loudness <= self.ABSOLUTE_GATE_LUFS:
            return
        index = min(
            self._block_counts.shape[0] - 1,
            int((loudness - self.ABSOLUTE_GATE_LUFS) / self.HISTOGRAM_STEP_LU),
        )
        self._block_counts[index] += 1
        self._block_energies[index] += power

    @property
    def momentary_lufs(self) -> float:
        return max(SILENCE_DB, _loudness(self._window_power(self.MOMENTARY_SLOTS)))

    @property
    def short_term_lufs(self) -> float:
        return max(SILENCE_DB, _loudness(self._window_power(self.SHORT_TERM_SLOTS)))

    @property
    def integrated_lufs(self) -> float:
        """Gated loudness since the start (or reset); SILENCE_DB until a block passes the gates."""
        counts, energies = self._block_counts, self._block_energies
        total = int(counts.sum())
        if total == 0:
            return SILENCE_DB
        relative_gate = _loudness(float(energies.sum()) / total) + self.RELATIVE_GATE_LU
        first = max(0, int(math.ceil((relative_gate - self.ABSOLUTE_GATE_LUFS) / self.HISTOGRAM_STEP_LU)))
        kept = int(counts[first:].sum())
        if kept == 0:
            return SILENCE_DB
        return max(SILENCE_DB, _loudness(float(energies[first:].sum()) / kept))


def _loudness(power: float) -> float:
    """BS.1770: -0.691 + 10 log10(sum of the channels' K-weighted mean squares)."""
    return -0.691 + 10.0 * math.log10(power) if power > 0.0 else -math.inf
