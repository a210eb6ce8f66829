"""AudioOutputDevice: plays a bus (monitor or mix-minus) on a sound card output.

The PortAudio callback only copies from the bus's AudioTap (a short locked copy) and fills
what is missing with silence. The device's crystal and the program clock drift apart slowly;
rather than resample, the latency is kept bounded: when more than `max_latency_ms` is waiting
(the device runs slow), the oldest audio is skipped down to `target_latency_ms` (counted);
when the device runs fast it meets an empty tap and plays silence (counted). For headphones and
a guest's return feed that is a rare, short glitch (about one per several minutes at 200 ppm);
program audio itself never passes through here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from studio.engine.audio.microphone import import_sounddevice, load_portaudio, parse_device
from studio.engine.audio.tap import AudioTap
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ, AudioStatus

log = logging.getLogger(__name__)


class AudioOutputDevice:
    def __init__(
        self,
        name: str,
        device: str | None,
        tap: AudioTap,
        *,
        target_latency_ms: int = 40,
        max_latency_ms: int = 120,
        load_sounddevice: Callable[[], ModuleType] = import_sounddevice,
    ) -> None:
        self.name = name
        self.device = parse_device(device)
        self.tap = tap
        self.target_latency_samples = AUDIO_SAMPLE_RATE_HZ * target_latency_ms // 1000
        self.max_latency_samples = AUDIO_SAMPLE_RATE_HZ * max_latency_ms // 1000
        self._load_sounddevice = load_sounddevice
        self._stream: Any = None
        self._status: tuple[AudioStatus, str] = (AudioStatus.STARTING, "")
        self.underrun_samples = 0
        self.skipped_samples = 0
        self.callbacks = 0

    def status(self) -> tuple[AudioStatus, str]:
        return self._status

    def start(self) -> None:
        """Open the device; on any failure the status says why and nothing else happens."""
        sounddevice, reason = load_portaudio(self._load_sounddevice)
        if sounddevice is None:
            self._status = (AudioStatus.UNAVAILABLE, reason)
            return
        try:
            self._stream = sounddevice.OutputStream(
                samplerate=AUDIO_SAMPLE_RATE_HZ,
                channels=AUDIO_CHANNELS,
                dtype="float32",
                device=self.device,
                latency=self.target_latency_samples / AUDIO_SAMPLE_RATE_HZ / 2,
                callback=self._callback,
            )
            self._stream.start()
        except Exception as error:  # PortAudioError, ValueError for an unknown device
            self._status = (AudioStatus.UNAVAILABLE, f"output {self.device!r} could not be opened: {error}")
            log.warning("audio output %s: %s", self.name, self._status[1])
            self._stream = None
            return
        self._status = (AudioStatus.LIVE, "")

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # Runs on PortAudio's thread: copies only.
        self.callbacks += 1
        if self.tap.available_samples > self.max_latency_samples:
            self.skipped_samples += self.tap.discard_down_to(self.target_latency_samples)
        copied = self.tap.read_into(outdata)
        if copied < frames:
            outdata[copied:] = 0.0
            if self.callbacks > 10:  # the first callbacks come before the program has filled the tap
                self.underrun_samples += frames - copied

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:
                log.debug("closing audio output %s failed", self.name, exc_info=True)
        self._status = (AudioStatus.CLOSED, "")
