"""Audio output devices on a real (virtual) sound card: the guest's mix-minus played on an
output device, recorded back from the PulseAudio null sink it goes to."""

from __future__ import annotations

import json
import subprocess
import sys
import wave

import numpy as np

from studio.engine.audio.output_device import AudioOutputDevice
from studio.engine.audio.tap import AudioTap
from studio.engine.builtin_shows import demo_show_data
from tests.conftest import NULL_SINK, REPO_ROOT


def tone_power(samples: np.ndarray, frequency_hz: float, rate_hz: int = 48_000) -> float:
    """Share of the signal's energy within 20 Hz of frequency_hz."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    frequencies = np.fft.rfftfreq(len(samples), 1 / rate_hz)
    near = np.abs(frequencies - frequency_hz) < 20
    return float(spectrum[near].sum() / spectrum.sum())


def test_mix_minus_output_device_plays_everyone_but_the_guest(private_pulseaudio, tmp_path):
    show = demo_show_data()
    show["audio_inputs"] = [
        {"id": "host", "name": "Host", "kind": "tone", "frequency_hz": 440, "level_dbfs": -12},
        {"id": "guest", "name": "Guest", "kind": "tone", "frequency_hz": 1300, "level_dbfs": -12, "is_guest": True},
    ]
    show["audio"] = {"mix_minus_device": "pulse"}
    show_path = tmp_path / "show.json"
    show_path.write_text(json.dumps(show))
    capture_path = tmp_path / "returned.wav"
    recorder = subprocess.Popen(
        ["parecord", f"--device={NULL_SINK}.monitor", "--rate=48000", "--channels=2", "--format=s16le",
         "--file-format=wav", str(capture_path)],
        env=private_pulseaudio,
    )
    try:
        result = subprocess.run(
            [sys.executable, "-m", "studio", "run", "--show", str(show_path), "--duration", "4"],
            env=private_pulseaudio, capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
        )
    finally:
        recorder.terminate()
        recorder.wait(10)
    assert result.returncode == 0, result.stderr
    assert "output unavailable" not in result.stderr, result.stderr
    with wave.open(str(capture_path)) as wav:
        audio = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, 2)[:, 0] / 32768.0
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    assert len(loud) > 48_000, "less than a second of the mix-minus reached the output"
    played = audio[loud[0] + 4800 : loud[-1] - 4800]
    assert tone_power(played, 440) > 0.9  # the host is there
    assert tone_power(played, 1300) < 0.001  # the guest does not hear themselves


def test_an_output_device_that_does_not_exist_is_unavailable_and_harmless():
    output = AudioOutputDevice("monitor", "No Such Headphones 3000", AudioTap())
    output.start()
    state, reason = output.status()
    assert state == "unavailable" and "No Such Headphones 3000" in reason
    output.close()


def test_missing_portaudio_leaves_the_output_unavailable():
    def no_portaudio():
        raise OSError("PortAudio library not found")

    output = AudioOutputDevice("monitor", None, AudioTap(), load_sounddevice=no_portaudio)
    output.start()
    assert output.status() == ("unavailable", "PortAudio library not found (install libportaudio2)")
