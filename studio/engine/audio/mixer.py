"""The program mixer (minimal for now): sums each input's block with its gain into one buffer.

One block per program tick, addressed by sample index, so audio and video of a tick cover
exactly the same interval. Per-input filters, buses, meters and mix-minus build on this.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.engine.audio.tone import db_to_gain
from studio.engine.sources.base import AUDIO_CHANNELS, AudioSource


@dataclass(slots=True)
class MixerInput:
    input_id: str
    name: str
    source: AudioSource
    gain_db: float = 0.0
    muted: bool = False


class AudioMixer:
    def __init__(self, inputs: list[MixerInput], block_samples: int) -> None:
        self.inputs = inputs
        self.block_samples = block_samples
        self._program = np.zeros((block_samples, AUDIO_CHANNELS), np.float32)
        self.input_failures = 0

    def mix(self, start_sample: int) -> np.ndarray:
        """Program audio for [start_sample, start_sample + block_samples). The returned buffer is
        reused on the next call: copy it if you keep it."""
        program = self._program
        program[:] = 0.0
        for mixer_input in self.inputs:
            if mixer_input.muted:
                continue
            try:
                block = mixer_input.source.read_block(start_sample, self.block_samples)
            except Exception:  # one broken input must not silence the program
                self.input_failures += 1
                continue
            program += block * np.float32(db_to_gain(mixer_input.gain_db))
        np.clip(program, -1.0, 1.0, out=program)
        return program
