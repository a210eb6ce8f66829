"""Audio processing benchmark: the CPU cost of the mixer's per-input filters, meters and the
program bus, as a share of one core.

Eight inputs at 48 kHz stereo in 10 ms (480-sample) blocks. Each input goes through all four
filters (high-pass, noise gate, compressor, limiter), its gain and constant-power pan, and a
peak/RMS meter, then into the program bus. The program goes through the master limiter at
-1 dBFS, a peak/RMS meter and the loudness meter (BS.1770). The inputs are varied material
(voices with pauses over hiss, music, a tone, beeps, hiss alone, an over-driven feed) so the
gates open and close, the compressors work and the limiters catch peaks.

It runs `--seconds` of audio (default 60 s: 6000 blocks) as fast as it can and reports process
CPU time (time.process_time: all threads) per second of audio as a percentage of one core.
Target: under 5 %.

    cd /work/main && PYTHONPATH=. python benchmarks/audio.py
    PYTHONPATH=. python benchmarks/audio.py --block-samples 1600 --breakdown
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

from studio.engine.audio.dsp import FilterChain, Limiter, pan_gains
from studio.engine.audio.mixer import AudioMixer, MixerChannel
from studio.engine.audio.meters import LoudnessMeter, PeakRmsMeter
from studio.engine.audio.tone import db_to_gain
from studio.engine.show import (
    AudioFilters,
    AudioInputSpec,
    CompressorSettings,
    DuckingSettings,
    HighPassSettings,
    LimiterSettings,
    NoiseGateSettings,
)
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ, AudioSource

TARGET_PERCENT = 5.0
INPUT_COUNT = 8
LOOP_SECONDS = 7.3  # each input's material repeats after this long (not a multiple of the block)
RATE = AUDIO_SAMPLE_RATE_HZ


def _stereo(mono: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(mono[:, None], 2, axis=1).astype(np.float32))


def make_material(rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """(name, (samples, 2) float32) for each input."""
    n = int(LOOP_SECONDS * RATE)
    t = np.arange(n) / RATE

    def hiss(level_db: float) -> np.ndarray:
        return rng.standard_normal(n) * db_to_gain(level_db)

    def voice(pitch_hz: float) -> np.ndarray:
        vibrato = 1 + 0.02 * np.sin(2 * np.pi * 0.7 * t)
        harmonics = sum(np.sin(2 * np.pi * pitch_hz * h * t * vibrato) / h for h in range(1, 8))
        syllables = np.clip(np.sin(2 * np.pi * 3.7 * t), 0, None) ** 2  # ~4 syllables a second
        phrases = (np.sin(2 * np.pi * 0.23 * t) > -0.3).astype(float)  # pauses between phrases
        return 0.12 * harmonics * syllables * phrases + hiss(-65)

    def music() -> np.ndarray:
        chord = sum(np.sin(2 * np.pi * f * t) for f in (110.0, 220.0, 277.2, 329.6, 440.0, 880.0))
        beat = 0.6 + 0.4 * (np.sin(2 * np.pi * 2.0 * t) > 0.7)
        return 0.05 * chord * beat + hiss(-40)

    beeps = np.where((t % 1.0) < 0.05, 0.1 * np.sin(2 * np.pi * 1000.0 * t), 0.0)
    material = [
        ("voice 1", _stereo(voice(140.0))),
        ("voice 2", _stereo(voice(210.0))),
        ("music", _stereo(music())),
        ("music 2", _stereo(music()[::-1].copy())),
        ("tone", _stereo(0.1 * np.sin(2 * np.pi * 440.0 * t))),
        ("beeps", _stereo(beeps + hiss(-70))),
        ("hiss", _stereo(hiss(-62))),
        ("over-driven feed", _stereo(np.tanh(3 * music()) * 1.2)),
    ]
    return material


def input_filters() -> AudioFilters:
    return AudioFilters(
        high_pass=HighPassSettings(enabled=True, cutoff_hz=80.0),
        noise_gate=NoiseGateSettings(enabled=True, open_threshold_db=-40.0, close_threshold_db=-50.0),
        compressor=CompressorSettings(enabled=True, threshold_db=-18.0, ratio=3.0, makeup_gain_db=3.0),
        limiter=LimiterSettings(enabled=True, ceiling_db=-1.0),
    )


class Channel:
    """One input strip: source material, filters, gain and pan, meter."""

    def __init__(self, name: str, material: np.ndarray, gain_db: float, pan: float, block_samples: int) -> None:
        self.name = name
        self.material = material
        self.position = 0
        self.chain = FilterChain(input_filters())
        self.meter = PeakRmsMeter()
        left, right = pan_gains(pan)
        gain = db_to_gain(gain_db)
        # Gain and pan as one interleaved multiplier: a contiguous multiply is ~5x cheaper than
        # broadcasting a (2,) vector over (n, 2).
        self.gain_pan = np.tile(np.array([left * gain, right * gain], np.float32), block_samples)
        self.block = np.zeros((block_samples, 2), np.float32)

    def read(self) -> None:
        n = self.block.shape[0]
        end = self.position + n
        if end <= self.material.shape[0]:
            self.block[:] = self.material[self.position : end]
            self.position = end
        else:
            first = self.material.shape[0] - self.position
            self.block[:first] = self.material[self.position :]
            self.block[first:] = self.material[: n - first]
            self.position = n - first


class LoopingMaterial(AudioSource):
    """Pre-made material played in a loop: the benchmark measures the mixer, not synthesis."""

    def __init__(self, material: np.ndarray, block_samples: int) -> None:
        self.material = material
        self.block = np.zeros((block_samples, 2), np.float32)

    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        length = self.material.shape[0]
        position = start_sample % length
        first = min(sample_count, length - position)
        self.block[:first] = self.material[position : position + first]
        self.block[first:] = self.material[: sample_count - first]
        return self.block


def run_engine_mixer(seconds: float, block_samples: int) -> dict[str, float]:
    """The studio's own AudioMixer: every input with all four filters, gain, pan and a meter;
    the music ducks under the first voice; program, monitor and mix-minus buses; master
    limiters, program meter and loudness meter."""
    rng = np.random.default_rng(1234)
    material = make_material(rng)
    pans = [-0.3, 0.3, -0.8, 0.8, 0.0, 0.5, -0.5, 0.0]
    gains = [6.0, 6.0, 4.0, 4.0, 0.0, 0.0, 0.0, 0.0]  # loud enough that the master limiter works
    channels = []
    for index, (name, samples) in enumerate(material):
        spec = AudioInputSpec(
            id=f"in{index}", name=name, kind="tone", gain_db=gains[index], pan=pans[index], filters=input_filters(),
            is_guest=index == 1,
            ducking=DuckingSettings(enabled=name.startswith("music"), trigger_inputs=["in0"]),
        )
        channels.append(MixerChannel(spec, LoopingMaterial(samples, block_samples)))
    mixer = AudioMixer(channels, block_samples, master_ceiling_db=-1.0)
    mixer.mix(0)  # warm up: tables for this block length are built on first use
    blocks = int(round(seconds * RATE / block_samples))
    started_cpu = time.process_time()
    started_wall = time.perf_counter()
    for index in range(1, blocks + 1):
        mixer.mix(index * block_samples)
    cpu_seconds = time.process_time() - started_cpu
    audio_seconds = blocks * block_samples / RATE
    return {
        "blocks": float(blocks),
        "audio_seconds": audio_seconds,
        "cpu_seconds": cpu_seconds,
        "wall_seconds": time.perf_counter() - started_wall,
        "cpu_percent": 100.0 * cpu_seconds / audio_seconds,
        "program_peak_db": mixer.program_meter.peak_hold_db,
        "program_integrated_lufs": mixer.loudness.integrated_lufs,
    }


def run(seconds: float, block_samples: int, breakdown: bool) -> dict[str, float]:
    """The same work as a hand-written loop over the DSP pieces, stage by stage (--breakdown)."""
    rng = np.random.default_rng(1234)
    material = make_material(rng)
    pans = [-0.3, 0.3, -0.8, 0.8, 0.0, 0.5, -0.5, 0.0]
    gains = [6.0, 6.0, 4.0, 4.0, 0.0, 0.0, 0.0, 0.0]  # loud enough that the master limiter works
    channels = [
        Channel(name, samples, gains[i], pans[i], block_samples) for i, (name, samples) in enumerate(material)
    ]
    master = Limiter(-1.0, 60.0)
    program_meter = PeakRmsMeter()
    loudness = LoudnessMeter()
    program = np.zeros((block_samples, 2), np.float32)
    program_flat = program.reshape(-1)
    blocks = int(round(seconds * RATE / block_samples))
    stage_seconds: dict[str, float] = {}

    def timed(name: str, action: Callable[[], None]) -> None:
        started = time.perf_counter()
        action()
        stage_seconds[name] = stage_seconds.get(name, 0.0) + time.perf_counter() - started

    # Warm up: tables for this block length are built on first use, not per block.
    for channel in channels:
        channel.read()
        channel.chain.process(channel.block)
    master.process(program)
    loudness.process(program)

    started_cpu = time.process_time()
    started_wall = time.perf_counter()
    for _ in range(blocks):
        program.fill(0.0)
        for channel in channels:
            block = channel.block
            if breakdown:
                timed("read source", channel.read)
                timed("high-pass", lambda: channel.chain.high_pass.process(block))
                timed("noise gate", lambda: channel.chain.noise_gate.process(block))
                timed("compressor", lambda: channel.chain.compressor.process(block))
                timed("limiter", lambda: channel.chain.limiter.process(block))
                timed("gain, pan, sum", lambda: (
                    np.multiply(block.reshape(-1), channel.gain_pan, out=block.reshape(-1)),
                    np.add(program_flat, block.reshape(-1), out=program_flat),
                ))
                timed("input meters", lambda: channel.meter.process(block))
            else:
                channel.read()
                channel.chain.process(block)
                flat = block.reshape(-1)
                np.multiply(flat, channel.gain_pan, out=flat)
                channel.meter.process(block)
                np.add(program_flat, flat, out=program_flat)
        if breakdown:
            timed("master limiter", lambda: master.process(program))
            timed("program meter", lambda: program_meter.process(program))
            timed("loudness meter", lambda: loudness.process(program))
        else:
            master.process(program)
            program_meter.process(program)
            loudness.process(program)
    cpu_seconds = time.process_time() - started_cpu
    wall_seconds = time.perf_counter() - started_wall
    audio_seconds = blocks * block_samples / RATE
    result = {
        "blocks": float(blocks),
        "audio_seconds": audio_seconds,
        "cpu_seconds": cpu_seconds,
        "wall_seconds": wall_seconds,
        "cpu_percent": 100.0 * cpu_seconds / audio_seconds,
        "program_peak_db": program_meter.peak_hold_db,
        "program_integrated_lufs": loudness.integrated_lufs,
    }
    if breakdown:
        for name, spent in stage_seconds.items():
            result[f"stage: {name}"] = spent
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of audio to process (default 60)")
    parser.add_argument("--block-samples", type=int, default=480, help="samples per block (default 480 = 10 ms)")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is reported (default 3)")
    parser.add_argument("--breakdown", action="store_true", help="also time each stage (adds timer overhead)")
    options = parser.parse_args(argv)

    runs = [run_engine_mixer(options.seconds, options.block_samples) for _ in range(options.repeat)]
    runs.sort(key=lambda r: r["cpu_percent"])
    median = runs[len(runs) // 2]
    per_block_us = 1e6 * median["cpu_seconds"] / median["blocks"]
    print(f"audio benchmark: {INPUT_COUNT} inputs, {options.block_samples}-sample blocks at {RATE} Hz, "
          f"{median['audio_seconds']:.0f} s of audio ({median['blocks']:.0f} blocks), median of {len(runs)} runs")
    print("  the studio's AudioMixer; per input: high-pass, noise gate, compressor, limiter, ducking,")
    print("  gain + pan, peak/RMS meter; buses: program, monitor, mix-minus; master limiters, loudness meter")
    print(f"  CPU time:             {median['cpu_seconds']:.3f} s (wall {median['wall_seconds']:.3f} s)")
    print(f"  CPU per block:        {per_block_us:.0f} us")
    print(f"  CPU per audio second: {10 * median['cpu_percent']:.1f} ms = {median['cpu_percent']:.2f} % of one core "
          f"(target < {TARGET_PERCENT:.0f} %)")
    all_runs = ", ".join(f"{r['cpu_percent']:.2f} %" for r in runs)
    print(f"  all runs:             {all_runs}")
    print(f"  program: peak hold {median['program_peak_db']:.2f} dBFS, "
          f"integrated {median['program_integrated_lufs']:.1f} LUFS")
    if options.breakdown:
        detail = run(options.seconds, options.block_samples, breakdown=True)
        stages = {k[len("stage: "):]: v for k, v in detail.items() if k.startswith("stage: ")}
        total = sum(stages.values())
        print("  breakdown (wall time per stage, timer overhead included):")
        for name, spent in stages.items():
            print(f"    {name:<16} {1e6 * spent / detail['blocks']:7.1f} us/block  {100 * spent / total:5.1f} %")
    ok = median["cpu_percent"] < TARGET_PERCENT
    print("  result:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
