"""Lip sync, checked on a recording of the built-in sync pair (white flash + 50 ms beep each second)."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest

from studio.engine.builtin_shows import sync_show_data
from tests.conftest import run_studio

FPS = 30


def flash_times_s(path) -> list[float]:
    times = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            luma = frame.to_ndarray(format="gray")
            if np.median(luma) > 200:
                times.append(float(frame.pts * stream.time_base))
    return times


def beep_onsets_s(path) -> list[float]:
    """Times where the sound rises out of silence, from the decoded samples and their pts."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks, first_time_s = [], None
        for frame in container.decode(stream):
            if first_time_s is None:
                first_time_s = float(frame.pts * stream.time_base)
            chunks.append(frame.to_ndarray()[0])
    samples = np.concatenate(chunks)
    loud = np.abs(samples) > 0.05
    onsets = np.flatnonzero(loud[1:] & ~loud[:-1]) + 1
    # keep the first rise of each beep (a sine crosses zero within a beep: ignore rises < 100 ms apart)
    kept: list[int] = []
    for onset in onsets:
        if not kept or onset - kept[-1] > 4800:
            kept.append(onset)
    if loud[0]:
        kept.insert(0, 0)
    return [first_time_s + index / 48000 for index in kept]


def record_sync(tmp_path, name: str, offset_ms: int = 0) -> tuple[list[float], list[float]]:
    data = sync_show_data()
    data["audio_inputs"][0]["sync_offset_ms"] = offset_ms
    show = tmp_path / f"{name}.json"
    show.write_text(json.dumps(data))
    output = tmp_path / f"{name}.mkv"
    result = run_studio("run", "--show", str(show), "--virtual-clock", "--duration", "5", "--record", str(output))
    assert result.returncode == 0, result.stderr
    return flash_times_s(output), beep_onsets_s(output)


@pytest.fixture(scope="module")
def in_sync(tmp_path_factory):
    return record_sync(tmp_path_factory.mktemp("sync"), "sync")


def test_each_flash_has_its_beep_within_one_frame(in_sync):
    flashes, beeps = in_sync
    assert flashes == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0], abs=1e-6)
    assert len(beeps) == len(flashes)
    for flash, beep in zip(flashes, beeps, strict=True):
        assert abs(beep - flash) <= 1 / FPS, (flash, beep)


def test_sync_offset_moves_the_beep_by_exactly_that_much(tmp_path, in_sync):
    _, beeps = in_sync
    _, delayed = record_sync(tmp_path, "delayed", offset_ms=200)
    # Compare from the second beep on: the first one sits on the AAC encoder's first frame,
    # whose onset is smeared by the encoder's start-up (about 10 ms, well within a frame).
    shifts = [later - earlier for earlier, later in zip(beeps[1:], delayed[1:], strict=False)]
    assert len(shifts) >= 4
    for shift in shifts:
        assert abs(shift - 0.200) <= 0.001, shifts


def test_sync_show_is_built_in():
    result = run_studio("run", "--show", "sync", "--virtual-clock", "--duration", "0.2")
    assert result.returncode == 0, result.stderr
    assert "Lip-sync check" in result.stderr
