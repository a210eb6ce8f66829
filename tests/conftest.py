"""Shared helpers for the test tiers: running the real `studio` command, probing and decoding media."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run_studio(*arguments: str, timeout_s: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line as a user would (python -m studio ...)."""
    return subprocess.run(
        [sys.executable, "-m", "studio", *arguments],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        cwd=cwd,
    )


def ffprobe(path: Path) -> dict:
    """Streams with exact frame counts, as ffprobe reads them (installed by `make test`)."""
    executable = shutil.which("ffprobe")
    assert executable, "ffprobe is missing: `make test` installs it (apt-get install ffmpeg)"
    output = subprocess.run(
        [executable, "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(output)


def decode_rgb_frames(path: Path, every: int = 1):
    """Yield (index, rgb array) for each decoded video frame."""
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % every == 0:
                yield index, frame.to_ndarray(format="rgb24")


def median_rgb(pixels: np.ndarray) -> np.ndarray:
    return np.median(pixels.reshape(-1, 3), axis=0)


def assert_colour_near(actual, expected, tolerance: int = 12, what: str = "") -> None:
    difference = np.abs(np.asarray(actual, float) - np.asarray(expected, float)).max()
    assert difference <= tolerance, f"{what}: colour {tuple(np.round(actual))} is not near {tuple(expected)}"


@pytest.fixture
def demo_show_data():
    from studio.engine.builtin_shows import demo_show_data as make

    return make()
