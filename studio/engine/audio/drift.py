"""Drift compensation: turns a device's audio, arriving at the device's own pace, into exactly
N program samples per program block, with a constant small latency.

A capture device's crystal is never exactly the program clock's: a "48 kHz" USB microphone may
deliver 48 009.6 samples per program second (+200 ppm). Read one-for-one, its ring would fill
up (latency grows ~0.7 s per hour) or run dry (a dropout every few minutes). So we resample by a
ratio slightly off nominal, steered by how full the ring is:

- The measured quantity is the fill left after each pull (ring + resampler look-ahead), in ms:
  the safety margin against the device's bursty delivery. It is smoothed over ~0.5 s because a
  device delivers in chunks (the raw value is a sawtooth of one callback period).
- A PI controller turns the smoothed fill error into a ratio correction in ppm, bounded to
  +-max_correction_ppm. The integral term settles at the device's true drift, which is what
  `drift_ppm` reports; the proportional term pulls the fill back to target.
- A device at another nominal rate (44.1 kHz) just changes the nominal ratio; the correction
  is relative to that.
- The resampler interpolates at fractional input positions with a 4-point cubic Hermite
  (Catmull-Rom) spline, vectorized over the block. Its position and one sample of history carry
  over from block to block, so consecutive blocks join without a discontinuity (no clicks).
- Underrun (the device stopped or stalled): what can still be interpolated is output, faded
  out; the rest is silence and counted as gap samples. It then re-primes: silence until the
  ring holds a block plus the target fill again, and fades back in.
- Large excess (the program thread stalled while the device kept delivering): correcting 100 ms
  at 1000 ppm would take 100 s, so beyond `resync_excess_ms` it fades out and re-primes at the
  target, discarding the excess.

All of this runs on the program thread; the device callback only writes the ring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from studio.engine.audio.ring import AudioRingBuffer
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ

# The 4-point spline reads input[i - 1] .. input[i + 2] around a position in [i, i + 1).
HISTORY_SAMPLES = 1
LOOKAHEAD_SAMPLES = 2


@dataclass(frozen=True, slots=True)
class DriftSettings:
    target_fill_ms: float = 20.0
    max_correction_ppm: float = 1000.0
    # Fill is averaged with this time constant before the controller sees it.
    fill_smoothing_ms: float = 500.0
    # PI gains: 100 ppm per ms of error and 2.5 ppm per ms per second give a critically damped
    # loop with a ~20 s time constant, slow enough that the correction (a pitch change of at
    # most 0.0017 semitones per 1000 ppm) is inaudible and the chunky fill measurement averages
    # out, fast enough that a 200 ppm device never strays more than ~1.5 ms from target.
    proportional_ppm_per_ms: float = 100.0
    integral_ppm_per_ms_s: float = 2.5
    resync_excess_ms: float = 80.0
    fade_ms: float = 5.0


class DriftCompensator:
    """Pulls from one AudioRingBuffer (device rate, any channel count) and fills program blocks
    (48 kHz stereo). Not thread-safe: the program thread owns it."""

    def __init__(
        self,
        ring: AudioRingBuffer,
        input_rate_hz: float,
        output_rate_hz: int = AUDIO_SAMPLE_RATE_HZ,
        settings: DriftSettings = DriftSettings(),
        *,
        priming_counts_as_gap: bool = False,
    ) -> None:
        self.ring = ring
        self.input_rate_hz = float(input_rate_hz)
        self.output_rate_hz = output_rate_hz
        self.settings = settings
        self.nominal_ratio = self.input_rate_hz / output_rate_hz  # input samples per output sample
        self.target_fill_samples = settings.target_fill_ms * self.input_rate_hz / 1000.0
        # A re-opened device primes inside an outage: that silence is part of the gap.
        self._priming_counts_as_gap = priming_counts_as_gap
        self._fade_samples = max(1, round(settings.fade_ms * output_rate_hz / 1000.0))
        self._used_channels = min(ring.channels, AUDIO_CHANNELS)  # mono is copied to both sides

        # Resampler state: window[0:window_len] holds input samples; `position` is where the next
        # output sample is interpolated, always >= HISTORY_SAMPLES while running.
        self._window = np.zeros((0, ring.channels), np.float32)
        self._window_len = 0
        self._position = 0.0
        self._output_offsets = np.zeros(0, np.float64)
        self._fade_in = np.zeros(0, np.float32)
        self._fade_out = np.zeros(0, np.float32)
        self._running = False
        self._has_run = False
        self._faded_in_samples = 0

        # Controller state.
        self._smoothed_fill_ms: float | None = None
        self._integral_ppm = 0.0
        self.correction_ppm = 0.0
        self.last_fill_ms = 0.0

        # Counters.
        self.underrun_count = 0
        self.gap_samples = 0  # silence output because input was missing, after the first start
        self.priming_samples = 0  # silence output before the first start
        self.resync_count = 0

    # -- what the outside reads ------------------------------------------------------------

    @property
    def ratio(self) -> float:
        """Input samples consumed per output sample right now."""
        return self.nominal_ratio * (1.0 + self.correction_ppm * 1e-6)

    @property
    def drift_ppm(self) -> float:
        """Estimated device rate error against the program clock (+ = device runs fast)."""
        return self._integral_ppm

    @property
    def smoothed_fill_ms(self) -> float:
        return self._smoothed_fill_ms if self._smoothed_fill_ms is not None else 0.0

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def input_position_samples(self) -> float:
        """Index in the device's sample stream (since the ring was created) of the input the next
        output sample is interpolated at: lets a caller measure the true latency."""
        return self.ring.read_total_samples - self._window_len + self._position

    # -- the per-block work ----------------------------------------------------------------

    def process_into(self, out: np.ndarray) -> None:
        """Fill all of `out` ((n, 2) float32) with the next n program samples."""
        count = len(out)
        if count == 0:
            return
        self._ensure_capacity(count)
        if not self._running and not self._start(count):
            out[:] = 0.0
            if self._has_run or self._priming_counts_as_gap:
                self.gap_samples += count
            else:
                self.priming_samples += count
            return
        produced = self._resample_into(out, count)
        self._apply_fade_in(out[:produced])
        if produced < count:
            self._fade_out_tail(out[:produced])
            out[produced:] = 0.0
            self.underrun_count += 1
            self.gap_samples += count - produced
            self._stop()
            return
        self._update_controller(out, count)

    def _ensure_capacity(self, count: int) -> None:
        if len(self._output_offsets) < count:
            self._output_offsets = np.arange(count, dtype=np.float64)
        fade = self._fade_samples
        if len(self._fade_in) != fade:
            ramp = np.arange(1, fade + 1, dtype=np.float64) / fade
            self._fade_in = (0.5 - 0.5 * np.cos(np.pi * ramp)).astype(np.float32)  # raised cosine
            self._fade_out = self._fade_in[::-1].copy()
        max_ratio = self.nominal_ratio * (1.0 + self.settings.max_correction_ppm * 1e-6)
        needed = int(max_ratio * count) + HISTORY_SAMPLES + LOOKAHEAD_SAMPLES + 4
        if len(self._window) < needed:
            grown = np.zeros((needed, self.ring.channels), np.float32)
            grown[: self._window_len] = self._window[: self._window_len]
            self._window = grown

    def _start(self, count: int) -> bool:
        """Begin (again) once the ring holds this block's input plus the target fill. Any excess
        is discarded so that we start exactly at target: the controller would need about a
        minute at 1000 ppm to absorb a block's worth of extra latency."""
        needed = int(self.ratio * (count - 1)) + 1 + LOOKAHEAD_SAMPLES + math.ceil(self.target_fill_samples)
        available = self.ring.fill_samples
        if available < needed:
            return False
        self.ring.discard(available - needed)
        # The first sample doubles as its own history, so the spline starts flat, not from zero.
        self.ring.read_into(self._window[HISTORY_SAMPLES:], 1)
        self._window[0] = self._window[1]
        self._window_len = 2
        self._position = float(HISTORY_SAMPLES)
        self._running = True
        self._has_run = True
        self._faded_in_samples = 0
        self._smoothed_fill_ms = None
        return True

    def _stop(self) -> None:
        self._running = False
        self._window_len = 0
        self._position = 0.0

    def _resample_into(self, out: np.ndarray, count: int) -> int:
        """Interpolate up to `count` output samples; returns how many the input allowed."""
        ratio = self.ratio
        last_index_needed = int(self._position + ratio * (count - 1)) + LOOKAHEAD_SAMPLES
        shortfall = last_index_needed + 1 - self._window_len
        if shortfall > 0:
            self._window_len += self.ring.read_into(self._window[self._window_len :], shortfall)
        if last_index_needed >= self._window_len:
            # Underrun: only positions p with floor(p) + LOOKAHEAD < window_len can be made.
            room = self._window_len - LOOKAHEAD_SAMPLES - self._position
            count = max(0, min(count, math.ceil(room / ratio)))
            if count == 0:
                return 0
        positions = self._output_offsets[:count] * ratio + self._position
        index = positions.astype(np.int64)  # floor: positions are positive
        t = (positions - index).astype(np.float32)[:, None]
        window = self._window[:, : self._used_channels]
        before, here, after, after2 = window[index - 1], window[index], window[index + 1], window[index + 2]
        # Catmull-Rom: passes through the samples with continuous slope, so no corners either.
        curve = 3.0 * (here - after) + after2 - before
        curve *= t
        curve += 2.0 * before - 5.0 * here + 4.0 * after - after2
        curve *= t
        curve += after - before
        curve *= 0.5 * t
        curve += here
        out[:count] = curve  # a mono device broadcasts to both channels
        self._position += ratio * count
        drop = int(self._position) - HISTORY_SAMPLES
        if drop > 0:
            keep = self._window_len - drop
            self._window[:keep] = self._window[drop : self._window_len]
            self._window_len = keep
            self._position -= drop
        return count

    def _apply_fade_in(self, out: np.ndarray) -> None:
        done = self._faded_in_samples
        if done >= self._fade_samples or len(out) == 0:
            return
        length = min(len(out), self._fade_samples - done)
        out[:length] *= self._fade_in[done : done + length, None]
        self._faded_in_samples = done + length

    def _fade_out_tail(self, out: np.ndarray) -> None:
        length = min(len(out), self._fade_samples)
        if length:
            out[len(out) - length :] *= self._fade_out[self._fade_samples - length :, None]

    def _update_controller(self, out: np.ndarray, count: int) -> None:
        fill_samples = self.ring.fill_samples + self._window_len - self._position
        fill_ms = fill_samples * 1000.0 / self.input_rate_hz
        self.last_fill_ms = fill_ms
        settings = self.settings
        if fill_ms - settings.target_fill_ms > settings.resync_excess_ms:
            # Fade out now; the next block re-primes and discards the excess.
            self._fade_out_tail(out)
            self.resync_count += 1
            self._stop()
            return
        block_ms = count * 1000.0 / self.output_rate_hz
        if self._smoothed_fill_ms is None:
            self._smoothed_fill_ms = fill_ms
        else:
            weight = 1.0 - math.exp(-block_ms / settings.fill_smoothing_ms)
            self._smoothed_fill_ms += weight * (fill_ms - self._smoothed_fill_ms)
        error_ms = self._smoothed_fill_ms - settings.target_fill_ms
        limit = settings.max_correction_ppm
        # Clamping the integral itself is the anti-windup: it can never ask for more than the bound.
        integral_step_ppm = settings.integral_ppm_per_ms_s * error_ms * block_ms / 1000.0
        self._integral_ppm = min(limit, max(-limit, self._integral_ppm + integral_step_ppm))
        self.correction_ppm = min(limit, max(-limit, settings.proportional_ppm_per_ms * error_ms + self._integral_ppm))
