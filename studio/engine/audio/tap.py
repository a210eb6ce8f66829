"""AudioTap: a bus made available to a consumer outside the program thread (the mix-minus the
guest path sends back, a headphone output). Bounded: when the consumer falls behind, the oldest
audio is overwritten and counted; the program thread never waits."""

from __future__ import annotations

import threading

import numpy as np

from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ


class AudioTap:
    def __init__(self, capacity_ms: int = 2000) -> None:
        self.capacity_samples = AUDIO_SAMPLE_RATE_HZ * capacity_ms // 1000
        self._buffer = np.zeros((self.capacity_samples, AUDIO_CHANNELS), np.float32)
        self._write_index = 0  # total samples ever written
        self._read_index = 0  # total samples ever read
        self._lock = threading.Lock()
        self.overwritten_samples = 0
        self.closed = False

    @property
    def available_samples(self) -> int:
        with self._lock:
            return self._write_index - self._read_index

    def write(self, block: np.ndarray) -> None:
        """Program thread: append one block (copied)."""
        count = len(block)
        with self._lock:
            start = self._write_index % self.capacity_samples
            first = min(count, self.capacity_samples - start)
            self._buffer[start : start + first] = block[:first]
            self._buffer[: count - first] = block[first:]
            self._write_index += count
            behind = self._write_index - self._read_index - self.capacity_samples
            if behind > 0:
                self._read_index += behind
                self.overwritten_samples += behind

    def discard_down_to(self, keep_samples: int) -> int:
        """Drop the oldest unread audio so at most keep_samples remain; returns how many went."""
        with self._lock:
            excess = self._write_index - self._read_index - keep_samples
            if excess <= 0:
                return 0
            self._read_index += excess
            return excess

    def read_into(self, out: np.ndarray) -> int:
        """Consumer: copy up to len(out) of the oldest unread samples into out; returns how many."""
        with self._lock:
            count = min(len(out), self._write_index - self._read_index)
            start = self._read_index % self.capacity_samples
            first = min(count, self.capacity_samples - start)
            out[:first] = self._buffer[start : start + first]
            out[first:count] = self._buffer[: count - first]
            self._read_index += count
            return count
