"""NetworkFeedAudio: the sound of a network feed (SRT/RTMP), as a live AudioSource.

Two threads touch it, each with one job:
- The feed's puller thread (a network video source's capture thread, or the puller of an
  audio-only network input) decodes the feed and writes 48 kHz stereo float32 into the ring of
  the current connection, and says when a connection starts and ends.
- The program thread, once per block (on_program_block), pulls exactly one block through a
  DriftCompensator into a short history addressed by program sample index; read_block() reads
  that history, so a positive sync offset is a read into the past.

The object exists for the whole show (the engine wires the mixer before any feed connects) and
outlives reconnects. Each connection gets a fresh ring and compensator, handed to the program
thread by publishing one _FeedConnectionAudio object: a single attribute store, so no lock is
shared between the threads (the ring is single-producer single-consumer and cannot be reset
from the producer's side). Between connections the program gets silence, counted as gap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from studio.engine.audio.drift import DriftCompensator, DriftSettings
from studio.engine.audio.history import ProgramAudioHistory
from studio.engine.audio.ring import AudioRingBuffer
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ, AudioSource, AudioStatus

log = logging.getLogger(__name__)

# A feed's audio arrives in bursts, not a device's steady callbacks: an MPEG-TS sender packs
# several audio frames per PES packet (FFmpeg's default of 2930 bytes is ~150-180 ms of AAC or
# MP2 at common bitrates), and SRT retransmissions add jitter on top. The fill target must ride
# over one such burst gap, so it is far above a microphone's 20 ms.
NETWORK_DRIFT_SETTINGS = DriftSettings(target_fill_ms=200.0, resync_excess_ms=400.0)


@dataclass(frozen=True, slots=True)
class NetworkAudioTuning:
    ring_ms: int = 2000  # the feed may run this far ahead of the program before audio is dropped
    history_ms: int = 2500  # covers the largest sync offset (2 s) plus a block
    drift: DriftSettings = NETWORK_DRIFT_SETTINGS


class _FeedConnectionAudio:
    """The ring and compensator of one connection; replaced whole on reconnect."""

    def __init__(self, tuning: NetworkAudioTuning, reconnecting: bool) -> None:
        self.ring = AudioRingBuffer(AUDIO_SAMPLE_RATE_HZ * tuning.ring_ms // 1000, AUDIO_CHANNELS)
        # A reconnect primes inside the outage, so its priming silence is part of the gap.
        self.compensator = DriftCompensator(
            self.ring, AUDIO_SAMPLE_RATE_HZ, AUDIO_SAMPLE_RATE_HZ, tuning.drift, priming_counts_as_gap=reconnecting
        )
        self.delivered = False  # puller thread only


class NetworkFeedAudio(AudioSource):
    max_advance_samples = 0  # live: nothing exists beyond the current program block

    def __init__(self, label: str, tuning: NetworkAudioTuning = NetworkAudioTuning()) -> None:
        """`label` names the feed in logs and must not contain secrets (pass a masked URL)."""
        self.label = label
        self.tuning = tuning
        self._status: tuple[AudioStatus, str] = (AudioStatus.STARTING, "waiting for the feed")
        self._ever_connected = False
        self._ever_live = False
        self._closed = False
        self._history = ProgramAudioHistory(tuning.history_ms * AUDIO_SAMPLE_RATE_HZ // 1000)
        self._block = np.zeros((0, AUDIO_CHANNELS), np.float32)
        self._pulled_block_start: int | None = None
        self._published: _FeedConnectionAudio | None = None  # written by the puller thread only
        self._active: _FeedConnectionAudio | None = None  # the program thread's copy of it
        # Program-thread counters of connections that ended.
        self._lost_gap_samples = 0
        self._retired_gap_samples = 0
        self._retired_underruns = 0
        # Puller-thread counters of connections that ended.
        self._retired_dropped_samples = 0
        self.connection_count = 0

    # -- the puller's side ------------------------------------------------------------------

    def connected(self, carries_audio: bool = True) -> None:
        """A connection to the feed is up: audio written from now on goes to a fresh ring."""
        self._retire_published()
        self.connection_count += 1
        if not carries_audio:
            self._set_status(AudioStatus.UNAVAILABLE, "the feed carries no sound")
            return
        self._published = _FeedConnectionAudio(self.tuning, reconnecting=self._ever_connected)
        self._ever_connected = True
        if self._ever_live:
            self._set_status(AudioStatus.LOST, "reconnected, waiting for audio")
        else:
            self._set_status(AudioStatus.STARTING, "connected, waiting for audio")

    def write(self, samples: np.ndarray) -> None:
        """Append (n, 2) float32 samples of the current connection; ignored between connections."""
        connection = self._published
        if connection is None:
            return
        connection.ring.write(samples)
        if not connection.delivered:
            connection.delivered = True
            self._ever_live = True
            self._set_status(AudioStatus.LIVE, "")

    def disconnected(self, reason: str) -> None:
        """The connection ended (or never came up): silence until the next connected()."""
        self._retire_published()
        self._set_status(AudioStatus.LOST if self._ever_live else AudioStatus.UNAVAILABLE, reason)

    def _retire_published(self) -> None:
        connection, self._published = self._published, None
        if connection is not None:
            self._retired_dropped_samples += connection.ring.dropped_samples

    def _set_status(self, state: AudioStatus, reason: str) -> None:
        if self._closed or self._status == (state, reason):
            return
        if state in (AudioStatus.LOST, AudioStatus.UNAVAILABLE):
            log.warning("network audio %s %s: %s", self.label, state, reason)
        self._status = (state, reason)

    # -- AudioSource (program thread) ---------------------------------------------------------

    def status(self) -> tuple[AudioStatus, str]:
        return self._status

    def on_program_block(self, start_sample: int, sample_count: int) -> None:
        if start_sample == self._pulled_block_start:
            # Two mixer inputs can share one feed's sound (a source_audio input of the video
            # source and another): pulling twice would play the feed at double speed.
            return
        self._pulled_block_start = start_sample
        connection = self._published
        if connection is not self._active:
            self._retire_active()
            self._active = connection
        if len(self._block) != sample_count:
            self._block = np.zeros((sample_count, AUDIO_CHANNELS), np.float32)
        block = self._block
        if connection is None:
            block[:] = 0.0
            if self._ever_live:
                self._lost_gap_samples += sample_count
        else:
            connection.compensator.process_into(block)
        self._history.store(start_sample, block)

    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        return self._history.read(start_sample, sample_count)

    def close(self) -> None:
        self._published = None
        self._status = (AudioStatus.CLOSED, "")
        self._closed = True

    def _retire_active(self) -> None:
        if self._active is not None:
            self._retired_gap_samples += self._active.compensator.gap_samples
            self._retired_underruns += self._active.compensator.underrun_count

    # -- what the GUI and tests read ----------------------------------------------------------

    @property
    def gap_samples(self) -> int:
        """Program samples of silence because the feed was missing or late (after it first
        delivered sound; the wait for the very first connection is not a gap)."""
        active = self._active
        gap = self._lost_gap_samples + self._retired_gap_samples
        return gap + (active.compensator.gap_samples if active is not None else 0)

    @property
    def underrun_count(self) -> int:
        active = self._active
        return self._retired_underruns + (active.compensator.underrun_count if active is not None else 0)

    @property
    def dropped_samples(self) -> int:
        """Feed samples thrown away because the program did not take them in time."""
        published = self._published
        return self._retired_dropped_samples + (published.ring.dropped_samples if published is not None else 0)

    @property
    def latency_ms(self) -> float:
        active = self._active
        return active.compensator.smoothed_fill_ms if active is not None else 0.0
