"""Shared helpers for the test tiers: running the real `studio` command, probing and decoding media."""

from __future__ import annotations

import glob
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

# tests.chromium: headless Chromium with fake camera and microphone files (the guest tests).
pytest_plugins = ["tests.servers", "tests.chromium"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Comment stores and preferences of every run the tests start stay out of the user's folders.
os.environ.setdefault("STUDIO_DATA_DIR", tempfile.mkdtemp(prefix="studio-test-data-"))
os.environ.setdefault("STUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="studio-test-config-"))

REPO_ROOT = Path(__file__).resolve().parents[1]


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


def end_process(process: subprocess.Popen) -> None:
    """Stop a server the tests started: TERM, then KILL if it has not gone within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def demo_show_data():
    from studio.engine.builtin_shows import demo_show_data as make

    return make()


# -- a private PulseAudio: real-time audio devices on a machine with no sound card ------------

NULL_SINK = "studio_test_sink"
MAKE_TEST_INSTALLS = (
    "`make test` installs them (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)"
)


@pytest.fixture(scope="session")
def private_pulseaudio(tmp_path_factory):
    """A PulseAudio of our own with one null sink; PortAudio's ALSA "default"/"pulse" devices
    reach it through the ALSA pulse plugin, and PULSE_SOURCE makes the sink's monitor the
    microphone. Yields the environment a process needs to use it."""
    missing = [tool for tool in ("pulseaudio", "pactl", "paplay") if shutil.which(tool) is None]
    if not glob.glob("/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so") and not glob.glob(
        "/usr/lib/alsa-lib/libasound_module_pcm_pulse.so"
    ):
        missing.append("the ALSA pulse plugin")
    if missing:
        pytest.fail(f"the microphone test needs {', '.join(missing)}: {MAKE_TEST_INSTALLS}")
    root = tmp_path_factory.mktemp("pulse")
    runtime, home = root / "run", root / "home"
    runtime.mkdir(mode=0o700)
    home.mkdir()
    environment = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "PULSE_RUNTIME_PATH": str(runtime),
        "HOME": str(home),
        "PULSE_SERVER": f"unix:{runtime}/native",
        "PULSE_SINK": NULL_SINK,
        "PULSE_SOURCE": f"{NULL_SINK}.monitor",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    log_file = root / "pulse.log"
    server = subprocess.Popen(
        [
            "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", f"--log-target=file:{log_file}",
            "-L", "module-native-protocol-unix", "-L", f"module-null-sink sink_name={NULL_SINK}",
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while subprocess.run(["pactl", "info"], env=environment, capture_output=True, timeout=5).returncode != 0:
            if server.poll() is not None or time.monotonic() > deadline:
                log_text = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
                pytest.fail(f"pulseaudio did not start (exit {server.poll()}):\n{log_text}")
            time.sleep(0.05)  # polling the server's readiness, bounded by the deadline
        yield environment
    finally:
        end_process(server)


# -- a private X display: a screen to capture on a machine with no monitor ---------------------

X_DISPLAY_SIZE = (640, 480)
MAKE_TEST_INSTALLS_X = "`make test` installs them (apt-get install xvfb x11-xserver-utils)"


@dataclass(frozen=True)
class PrivateXDisplay:
    name: str  # ":N", what DISPLAY or mss's display= take
    width: int
    height: int

    def paint(self, rgb_hex: str) -> None:
        """Fill the whole screen (the root window: no window manager runs) with one colour."""
        subprocess.run(["xsetroot", "-display", self.name, "-solid", rgb_hex], check=True, timeout=10)


@pytest.fixture(scope="session")
def private_x_display(tmp_path_factory):
    """An Xvfb server of our own at 640x480. -displayfd makes Xvfb choose a free display number
    and write it once it accepts connections, so readiness is that write, awaited with a deadline.
    -noreset: without it the server resets when xsetroot disconnects and the colour is lost."""
    missing = [tool for tool in ("Xvfb", "xsetroot") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"the screen-capture tests need {', '.join(missing)}: {MAKE_TEST_INSTALLS_X}")
    ready_read, ready_write = os.pipe()
    width, height = X_DISPLAY_SIZE
    # A file, not a pipe: nobody reads Xvfb's warnings, and a full pipe would block the server.
    log_file = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    log = log_file.open("wb")
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(ready_write), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(ready_write,),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    os.close(ready_write)
    try:
        deadline = time.monotonic() + 15
        number = b""
        while not number.endswith(b"\n"):
            remaining_s = deadline - time.monotonic()
            readable, _, _ = select.select([ready_read], [], [], max(0.0, remaining_s))
            chunk = os.read(ready_read, 16) if readable else b""
            if not chunk:  # the deadline passed, or Xvfb exited (end of file)
                server.kill()
                server.wait(timeout=10)
                error_text = log_file.read_text(errors="replace")[-2000:]
                pytest.fail(f"Xvfb did not start (exit {server.returncode}):\n{error_text}")
            number += chunk
        yield PrivateXDisplay(f":{int(number)}", width, height)
    finally:
        os.close(ready_read)
        log.close()
        end_process(server)


@dataclass(frozen=True)
class RunSummary:
    """What `studio run` said it did, from its summary lines: the counts real-time tests compare
    what arrived against (a loaded machine may drop program ticks; the recording fills them)."""

    produced: int
    dropped: int
    encoder_dropped: int
    repeated: int
    recorded: int | None
    sent: dict[str, int]  # frames written to each destination, by name
    not_sent: dict[str, int]  # frames each destination dropped (congestion, reconnecting, ...)


def run_summary(stderr: str) -> RunSummary:
    import re

    lines = [line for line in stderr.splitlines() if line.startswith("summary:")]
    if not lines:
        raise AssertionError(f"no summary in the output:\n{stderr[-2000:]}")

    def count(name: str) -> int:
        return int(re.search(rf"{name} (\d+)", lines[0]).group(1))

    recorded = re.search(r"recorded (\d+) frames", lines[0])
    sent, not_sent = {}, {}
    for line in lines[1:]:
        if match := re.match(r"summary: output (\S+) .*: sent (\d+) frames, .*dropped frames: (.*)$", line):
            sent[match.group(1)] = int(match.group(2))
            not_sent[match.group(1)] = sum(int(n) for n in re.findall(r"(\d+)", match.group(3)))
    return RunSummary(
        produced=count("frames produced"),
        dropped=count("frames dropped"),
        encoder_dropped=count("encoder dropped"),
        repeated=count("repeated"),
        recorded=int(recorded.group(1)) if recorded else None,
        sent=sent,
        not_sent=not_sent,
    )
