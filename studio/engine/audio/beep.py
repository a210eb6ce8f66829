"""Beep: a short tone at each whole second of the clock, the sound half of the sync pair.

Computed from the sample index like the tone, so it is exact on any clock and a sync offset
moves it by exactly that many samples.
"""

from __future__ import annotations

import numpy as np

from studio.engine.audio.tone import ToneSource
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
