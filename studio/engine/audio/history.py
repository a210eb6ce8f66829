"""ProgramAudioHistory: the last few seconds of a live input, addressed by program sample index.

A live input pulls exactly one block per program block (drift-compensated) and stores it here
under that block's program position; the mixer then reads any range of it, so a positive sync
offset is simply a read into the past. Preallocated: storing and reading allocate nothing.
"""

from __future__ import annotations

import numpy as np

from studio.engine.sources.base import AUDIO_CHANNELS


class ProgramAudioHistory:
    def __init__(self, capacity_samples: int) -> None:
        self._samples = np.zeros((capacity_samples, AUDIO_CHANNELS), np.float32)
        self._start = 0  # program samples [start, end) are held
        self._end = 0
        self._read_out = np.zeros((0, AUDIO_CHANNELS), np.float32)

    def store(self, start_sample: int, block: np.ndarray) -> None:
        count = len(block)
        capacity = len(self._samples)
        if start_sample != self._end:
            self._start = start_sample  # not contiguous with what we had: start over
        if count > capacity:
            block, start_sample, count = block[-capacity:], start_sample + count - capacity, capacity
        position = start_sample % capacity
        head = min(count, capacity - position)
        self._samples[position : position + head] = block[:head]
        if head < count:
            self._samples[: count - head] = block[head:]
        self._end = start_sample + count
        self._start = max(self._start, self._end - capacity)

    def read(self, start_sample: int, sample_count: int) -> np.ndarray:
        """Samples [start, start + count); what is not held is silence. The array is reused."""
        if len(self._read_out) != sample_count:
            self._read_out = np.zeros((sample_count, AUDIO_CHANNELS), np.float32)
        out = self._read_out
        first = max(start_sample, self._start)
        last = min(start_sample + sample_count, self._end)
        if last <= first:
            out[:] = 0.0
            return out
        out[: first - start_sample] = 0.0
        out[last - start_sample :] = 0.0
        capacity = len(self._samples)
        position = first % capacity
        length = last - first
        head = min(length, capacity - position)
        offset = first - start_sample
        out[offset : offset + head] = self._samples[position : position + head]
        if head < length:
            out[offset + head : offset + length] = self._samples[: length - head]
        return out
