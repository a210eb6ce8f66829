"""Tone: a sine test input, computed from the sample index so it is exact on any clock."""

from __future__ import annotations

import numpy as np

from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ, AudioSource


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


class ToneSource(AudioSource):
    def __init__(self, frequency_hz: float = 440.0, level_dbfs: float = -20.0) -> None:
        self.frequency_hz = frequency_hz
        self.amplitude = db_to_gain(level_dbfs)

    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        # Phase from the integer sample index (reduced modulo the period) keeps it exact for hours.
        indices = np.arange(start_sample, start_sample + sample_count, dtype=np.int64)
        phase = (indices * self.frequency_hz % AUDIO_SAMPLE_RATE_HZ) / AUDIO_SAMPLE_RATE_HZ
        mono = (self.amplitude * np.sin(2.0 * np.pi * phase)).astype(np.float32)
        return np.repeat(mono[:, None], AUDIO_CHANNELS, axis=1)
