"""Builds the AudioSource behind each audio input of a show: one place maps kinds to classes."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from studio.engine.audio.beep import BeepSource
from studio.engine.audio.tone import ToneSource
from studio.engine.clock import MediaClock
from studio.engine.show import AudioInputKind, AudioInputSpec
from studio.engine.sources.base import AUDIO_CHANNELS, AudioSource, AudioStatus

log = logging.getLogger(__name__)


class SilentSource(AudioSource):
    """Stands in for an input that has nothing to give (a file with no sound, an unknown feed),
    saying why in its status."""

    def __init__(self, reason: str) -> None:
        self._reason = reason
        self._block = np.zeros((0, AUDIO_CHANNELS), np.float32)

    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        if len(self._block) != sample_count:
            self._block = np.zeros((sample_count, AUDIO_CHANNELS), np.float32)
        return self._block

    def status(self) -> tuple[AudioStatus, str]:
        return (AudioStatus.UNAVAILABLE, self._reason)


def create_audio_source(
    spec: AudioInputSpec, clock: MediaClock, video_source_audio: Callable[[str], AudioSource | None]
) -> AudioSource:
    match spec.kind:
        case AudioInputKind.TONE:
            return ToneSource(spec.frequency_hz, spec.level_dbfs)
        case AudioInputKind.BEEP:
            return BeepSource(spec.frequency_hz, spec.level_dbfs, spec.beep_duration_ms)
        case AudioInputKind.SOURCE_AUDIO:
            audio = video_source_audio(spec.source or "")
            return audio if audio is not None else SilentSource(f"source {spec.source} has no sound")
        case AudioInputKind.MICROPHONE:
            from studio.engine.audio.microphone import MicrophoneInput

            return MicrophoneInput(spec, clock)
        case AudioInputKind.NETWORK:
            # The sound of a URL, pulled on its own (audio only: nothing decodes pictures). The
            # sound of a network *video* source is kind source_audio, like a file's: pulling
            # the same URL twice would need two connections, which an SRT listener refuses.
            from studio.engine.sources.network import NetworkAudioInput

            return NetworkAudioInput(spec.url or "", spec.name)
    raise AssertionError(spec.kind)
