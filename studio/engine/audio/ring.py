"""A fixed-size ring of audio samples between a device callback (the producer) and the program
thread (the consumer).

Single producer, single consumer, no locks: the producer only ever advances `written_total_samples`
and the consumer only ever advances `read_total_samples`, each after its copy is complete, so
each side sees the other's data only once it is whole. (Under CPython a plain int attribute
store is atomic, and the GIL hand-over orders the numpy copy before the counter update.)

The producer runs in PortAudio's real-time callback, so write() does nothing but numpy slice
copies into the preallocated buffer and a few integer updates. When the consumer falls behind
and the ring is full, the NEWEST samples are dropped and counted: dropping the oldest would
mean moving the consumer's read position from the producer's thread, which a lock-free SPSC
ring cannot do safely. The consumer sees the resulting excess fill and can discard() it.
"""

from __future__ import annotations

import numpy as np


class AudioRingBuffer:
    def __init__(self, capacity_samples: int, channels: int) -> None:
        if capacity_samples <= 0 or channels <= 0:
            raise ValueError(f"ring needs a positive size, got {capacity_samples} samples x {channels} channels")
        self.capacity_samples = capacity_samples
        self.channels = channels
        self._buffer = np.zeros((capacity_samples, channels), np.float32)
        # Monotonic totals since creation; fill = written - read. Each has exactly one writer.
        self.written_total_samples = 0  # producer only
        self.read_total_samples = 0  # consumer only (reads and discards)
        self.overflow_count = 0  # producer only: writes that did not fit whole
        self.dropped_samples = 0  # producer only: samples thrown away by those writes
        self.discarded_samples = 0  # consumer only: samples skipped on purpose with discard()

    @property
    def fill_samples(self) -> int:
        """Samples written and not yet read. May grow concurrently while you look at it."""
        return self.written_total_samples - self.read_total_samples

    @property
    def free_samples(self) -> int:
        return self.capacity_samples - self.fill_samples

    def write(self, block: np.ndarray) -> int:
        """Producer: append a (frames, channels) block (a (frames, 1) block fills every channel).
        Returns how many samples were stored; the rest were dropped and counted."""
        frames = len(block)
        free = self.capacity_samples - (self.written_total_samples - self.read_total_samples)
        if frames > free:
            self.overflow_count += 1
            self.dropped_samples += frames - free
            frames = free
            if frames <= 0:
                return 0
        start = self.written_total_samples % self.capacity_samples
        first = min(frames, self.capacity_samples - start)
        self._buffer[start : start + first] = block[:first]
        if first < frames:
            self._buffer[: frames - first] = block[first:frames]
        self.written_total_samples += frames  # publish only after the copy is complete
        return frames

    def read_into(self, out: np.ndarray, count: int) -> int:
        """Consumer: copy up to `count` of the oldest samples into out[:count] and remove them.
        Returns how many were copied (fewer when the ring holds fewer)."""
        count = min(count, self.fill_samples, len(out))
        if count <= 0:
            return 0
        start = self.read_total_samples % self.capacity_samples
        first = min(count, self.capacity_samples - start)
        out[:first] = self._buffer[start : start + first]
        if first < count:
            out[first:count] = self._buffer[: count - first]
        self.read_total_samples += count  # frees the space only after the copy is complete
        return count

    def discard(self, count: int) -> int:
        """Consumer: skip up to `count` of the oldest samples (to cut back excess latency)."""
        count = max(0, min(count, self.fill_samples))
        self.read_total_samples += count
        self.discarded_samples += count
        return count
