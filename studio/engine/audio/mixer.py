"""The audio mixer: one block per program tick, addressed by sample index, so the audio and
the video of a tick cover exactly the same interval.

Per input (a channel strip): sync offset, filters, gain, pan, mute, follows-video, ducking.
Buses:
- program: every audible input, through the master limiter. What goes out and is recorded.
- monitor: what the operator's headphones get. Inputs with to_monitor; when any input is
  soloed, only the soloed ones. Solo never touches program, as on a broadcast desk: checking a
  microphone must never change what the viewers hear.
- mix-minus: program without the guest's own voice, limited like program, for the guest to
  hear without an echo of themselves.
Gain changes (a fader, a mute, a camera going off program) ramp across one block, so nothing
clicks. Buffers are allocated once; a block allocates nothing in steady state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from studio.engine.audio.tap import AudioTap
from studio.engine.audio.tone import db_to_gain
from studio.engine.show import AudioInputSpec
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ, AudioSource

log = logging.getLogger(__name__)


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power pan law: pan -1 (left) .. 0 (centre) .. +1 (right) maps to an angle 0..pi/2;
    left = cos, right = sin. At centre each side is -3 dB (1/sqrt 2), so a source keeps the same
    loudness wherever it is panned."""
    angle = (pan + 1.0) * np.pi / 4.0
    return float(np.cos(angle)), float(np.sin(angle))


@dataclass(slots=True)
class MixerChannel:
    """One input strip: its settings, its source and its per-block working state."""

    spec: AudioInputSpec
    source: AudioSource
    follows_source_id: str | None = None
    block: np.ndarray = field(default=None)  # this block's audio after filters, before gain
    applied_gains: np.ndarray = field(default_factory=lambda: np.zeros(2, np.float32))  # (left, right) now
    peak: float = 0.0
    read_failures: int = 0

    def target_gains(self, audible: bool) -> tuple[float, float]:
        if not audible:
            return 0.0, 0.0
        left, right = pan_gains(self.spec.pan)
        gain = db_to_gain(self.spec.gain_db)
        return gain * left, gain * right


class AudioMixer:
    def __init__(self, channels: list[MixerChannel], block_samples: int, master_ceiling_db: float = -1.0) -> None:
        self.channels = channels
        self.block_samples = block_samples
        self.master_ceiling = db_to_gain(master_ceiling_db)
        shape = (block_samples, AUDIO_CHANNELS)
        self.program = np.zeros(shape, np.float32)
        self.monitor = np.zeros(shape, np.float32)
        self.mix_minus = np.zeros(shape, np.float32)
        self._ramp = np.linspace(0.0, 1.0, block_samples, endpoint=False, dtype=np.float32)[:, None] + np.float32(
            1.0 / block_samples
        )
        self._scratch = np.zeros(shape, np.float32)
        self._gains = np.zeros(shape, np.float32)
        for channel in channels:
            channel.block = np.zeros(shape, np.float32)
        self.input_failures = 0
        # Consumers outside the program thread (the guest return, an output device); the engine
        # adds and removes them between blocks.
        self.mix_minus_taps: list[AudioTap] = []
        self.monitor_taps: list[AudioTap] = []

    def channel(self, input_id: str) -> MixerChannel:
        for channel in self.channels:
            if channel.spec.id == input_id:
                return channel
        raise KeyError(input_id)

    def update_channel(self, spec: AudioInputSpec) -> None:
        """New settings for an input; called between blocks (the program thread)."""
        self.channel(spec.id).spec = spec

    def mix(self, start_sample: int, program_source_ids: frozenset[str] | set[str] = frozenset()) -> np.ndarray:
        """Mix the block [start_sample, start_sample + block_samples). `program_source_ids` are the
        video sources on program this tick (for follows-video). Returns the program bus; the
        monitor and mix-minus buses are in .monitor and .mix_minus. All are reused next block."""
        n = self.block_samples
        for channel in self.channels:
            channel.source.on_program_block(start_sample, n)
        any_solo = any(channel.spec.solo for channel in self.channels)
        self.program[:] = 0.0
        self.monitor[:] = 0.0
        self.mix_minus[:] = 0.0
        for channel in self.channels:
            self._read(channel, start_sample)
            audible = not channel.spec.muted and (
                channel.follows_source_id is None or channel.follows_source_id in program_source_ids
            )
            contribution = self._apply_gain(channel, channel.target_gains(audible))
            self.program += contribution
            if not channel.spec.is_guest:
                self.mix_minus += contribution
            if (channel.spec.solo if any_solo else channel.spec.to_monitor):
                self.monitor += contribution
        for bus in (self.program, self.mix_minus):
            np.clip(bus, -self.master_ceiling, self.master_ceiling, out=bus)
        np.clip(self.monitor, -1.0, 1.0, out=self.monitor)
        for tap in self.mix_minus_taps:
            tap.write(self.mix_minus)
        for tap in self.monitor_taps:
            tap.write(self.monitor)
        return self.program

    def _read(self, channel: MixerChannel, start_sample: int) -> None:
        offset_samples = channel.spec.sync_offset_ms * AUDIO_SAMPLE_RATE_HZ // 1000
        position = start_sample - offset_samples  # a positive offset delays: read further back
        try:
            np.copyto(channel.block, channel.source.read_block(position, self.block_samples))
        except Exception:  # one broken input must not silence the program
            if channel.read_failures == 0:
                log.exception("audio input %s failed", channel.spec.name)
            channel.read_failures += 1
            self.input_failures += 1
            channel.block[:] = 0.0

    def _apply_gain(self, channel: MixerChannel, target: tuple[float, float]) -> np.ndarray:
        """channel.block times its gain, ramped from the gain of the last block to the new one."""
        out = self._scratch
        previous = channel.applied_gains
        if previous[0] == target[0] and previous[1] == target[1]:
            np.multiply(channel.block, np.asarray(target, np.float32), out=out)
        else:
            step = np.asarray(target, np.float32) - previous
            np.multiply(self._ramp, step, out=self._gains)
            self._gains += previous
            np.multiply(channel.block, self._gains, out=out)
            channel.applied_gains[:] = target
        return out
