"""Beep: a short tone at each whole second of the clock, the sound half of the sync pair.

Computed from the sample index like the tone, so it is exact on any clock and a sync offset
moves it by exactly that many samples.
"""

from __future__ import annotations

import numpy as np

from studio.engine.audio.tone import ToneSource, db_to_gain
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ


class BeepSource(ToneSource):
    def __init__(self, frequency_hz: float = 1000.0, level_dbfs: float = -12.0, duration_ms: int = 50) -> None:
        super().__init__(frequency_hz, level_dbfs)
        self.duration_samples = AUDIO_SAMPLE_RATE_HZ * duration_ms // 1000

    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        block = super().read_block(start_sample, sample_count)
        indices = np.arange(start_sample, start_sample + sample_count, dtype=np.int64)
        block[indices % AUDIO_SAMPLE_RATE_HZ >= self.duration_samples] = 0.0
        return block


def beep_samples(frequency_hz: float, duration_ms: int, level_dbfs: float) -> np.ndarray:
    """One beep as (n, 2) float32 at 48 kHz, with 5 ms fades so it starts and ends without a click:
    the countdown's cue."""
    count = AUDIO_SAMPLE_RATE_HZ * duration_ms // 1000
    times_s = np.arange(count, dtype=np.float64) / AUDIO_SAMPLE_RATE_HZ
    wave = np.sin(2 * np.pi * frequency_hz * times_s) * db_to_gain(level_dbfs)
    fade = min(count // 2, AUDIO_SAMPLE_RATE_HZ * 5 // 1000)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        wave[:fade] *= ramp
        wave[-fade:] *= ramp[::-1]
    return np.repeat(wave.astype(np.float32)[:, None], 2, axis=1)
