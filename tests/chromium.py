"""Headless Chromium for tests of the guest page: Debian's /usr/bin/chromium with a fake camera
and microphone that play files the test writes, driven by Playwright.

The test starts the browser process itself (not through Playwright's launcher) and connects to
it over the DevTools protocol, so the process and its id are the test's own: `kill()` ends it
at once, the way a guest's browser crashes or a phone's tab is killed. Playwright's own browser
downloads are never used (`playwright install` needs the internet).

- `write_y4m` / `write_colour_y4m`: the fake camera's video (a Y4M file of I420 frames; Chromium
  loops it). `write_tone_wav`: the fake microphone (a tone at 48 kHz).
- `ChromiumBrowser`: one browser process; `new_page(locale=...)`, `pid`, `kill()`, `close()`.
- Fixtures: `playwright_driver` (module-scoped: Playwright's sync API keeps an asyncio loop
  marked running on the test thread, which asyncio.run elsewhere would trip on), `fake_media`
  (a distinct colour and a 1 kHz tone), `chromium` / `chromium_pages` (one browser per module;
  a test's pages are closed after it), `launch_chromium` (a factory for a browser of the test's
  own; every one it started is closed, or killed, when the test ends). tests/conftest.py loads
  this module as a plugin, so every test module has the fixtures.

Skips (with the reason) only when /usr/bin/chromium is missing; anything else that goes wrong is
a failure with Chromium's own log tail in the message.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from studio.engine.frames import fill_i420, new_i420

CHROMIUM_EXE = Path("/usr/bin/chromium")
MISSING_REASON = f"{CHROMIUM_EXE} is missing: `apt-get install chromium` (Debian's package) to run the guest-page tests"
START_LIMIT_S = 30.0  # a loaded machine can take a while to start a browser; a hang fails here
POLL_S = 0.05
FAKE_SIZE = (640, 360)
FAKE_COLOUR = (30, 160, 220)  # a blue no test pattern or black frame is mistaken for
TONE_HZ = 1000.0
SAMPLE_RATE_HZ = 48000


# -- fake devices -----------------------------------------------------------------------------------


def write_y4m(path: Path, frames_i420: Iterable[np.ndarray], width: int, height: int, fps: int = 30) -> Path:
    """A Y4M file (4:2:0, progressive) of the given I420 frames, shape (height * 3 // 2, width)."""
    if width % 2 or height % 2:
        raise ValueError(f"y4m {path}: width and height must be even for 4:2:0, got {width}x{height}")
    count = 0
    with open(path, "wb") as file:
        file.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames_i420:
            if frame.shape != (height * 3 // 2, width) or frame.dtype != np.uint8:
                raise ValueError(
                    f"y4m {path}: frame {count} is {frame.dtype} {frame.shape}, expected uint8 {(height * 3 // 2, width)}"
                )
            file.write(b"FRAME\n")
            file.write(np.ascontiguousarray(frame).tobytes())
            count += 1
    if count == 0:
        raise ValueError(f"y4m {path}: no frames given")
    return path


def write_colour_y4m(
    path: Path, rgb: tuple[int, int, int] = FAKE_COLOUR, size: tuple[int, int] = FAKE_SIZE, fps: int = 30, frame_count: int = 30
) -> Path:
    """A camera that shows one colour (Chromium loops the file)."""
    width, height = size
    frame = new_i420(width, height)
    fill_i420(frame, width, height, rgb)
    return write_y4m(path, (frame for _ in range(frame_count)), width, height, fps)


def write_tone_wav(
    path: Path, frequency_hz: float = TONE_HZ, duration_s: float = 2.0, amplitude: float = 0.5, sample_rate_hz: int = SAMPLE_RATE_HZ
) -> Path:
    """A mono 16-bit WAV of a sine (a whole number of cycles per second, so the loop is seamless
    for whole-Hz tones)."""
    if not 0 < amplitude <= 1:
        raise ValueError(f"wav {path}: amplitude must be in (0, 1], got {amplitude}")
    times_s = np.arange(int(duration_s * sample_rate_hz)) / sample_rate_hz
    samples = np.round(np.sin(2 * np.pi * frequency_hz * times_s) * amplitude * 32767).astype("<i2")
    with wave.open(str(path), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(sample_rate_hz)
        file.writeframes(samples.tobytes())
    return path


@dataclass(frozen=True)
class FakeMedia:
    video_y4m: Path
    audio_wav: Path
    colour_rgb: tuple[int, int, int] = FAKE_COLOUR
    tone_hz: float = TONE_HZ


# -- the browser ------------------------------------------------------------------------------------


class ChromiumBrowser:
    """One headless Chromium process with fake media devices, reached over DevTools by Playwright."""

    def __init__(self, playwright, media: FakeMedia, *, lang: str = "en-US", extra_args: Iterable[str] = ()) -> None:
        self._playwright = playwright
        self.media = media
        self.profile_dir = Path(tempfile.mkdtemp(prefix="studio-chromium-"))
        self.log_path = self.profile_dir / "chromium.log"
        self._log = self.log_path.open("wb")
        arguments = [
            str(CHROMIUM_EXE),
            "--headless",
            "--remote-debugging-port=0",  # Chromium picks a free port and writes it down
            f"--user-data-dir={self.profile_dir}",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-sandbox",  # the test machine runs as root, where the sandbox cannot start
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--password-store=basic",
            "--disable-breakpad",  # no crash handler processes outliving the browser
            # Headless Chromium takes navigator.language from --accept-lang, not from --lang.
            f"--lang={lang}",
            f"--accept-lang={lang}",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",  # grants camera and microphone without a prompt
            f"--use-file-for-fake-video-capture={media.video_y4m}",
            f"--use-file-for-fake-audio-capture={media.audio_wav}",
            "--allow-loopback-in-peer-connection",
            "--autoplay-policy=no-user-gesture-required",
            # Host candidates as plain IPs, not mDNS names the test's aiortc would have to resolve.
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            *extra_args,
            "about:blank",
        ]
        # Its own process group: kill() takes the renderer and GPU children with it.
        self.process = subprocess.Popen(arguments, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.killed = False
        self._group_killed = False
        self._contexts: list = []
        # A test run that dies (or a script that raises) must not leave the browser running.
        atexit.register(self._kill_if_running)
        try:
            port = self._wait_for_devtools_port()
            self.browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}", timeout=START_LIMIT_S * 1000)
        except BaseException:
            self.kill()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, characters: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-characters:]

    def _wait_for_devtools_port(self) -> int:
        port_file = self.profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + START_LIMIT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"chromium exited at start (code {self.process.returncode}):\n{self.log_tail()}")
            if port_file.exists():
                first_line = port_file.read_text().split("\n", 1)[0].strip()
                if first_line.isdigit():
                    return int(first_line)
            time.sleep(POLL_S)  # polling for the file Chromium writes once it listens, bounded above
        raise AssertionError(f"chromium did not open its DevTools port within {START_LIMIT_S:.0f} s:\n{self.log_tail()}")

    def new_page(self, *, locale: str | None = None, viewport: tuple[int, int] = (1280, 800)):
        """A page in a fresh context (its own storage); `locale` sets navigator.language."""
        width, height = viewport
        context = self.browser.new_context(locale=locale, viewport={"width": width, "height": height})
        self._contexts.append(context)
        return context.new_page()

    def close_pages(self) -> None:
        """Close every page opened so far (their peer connections end with them)."""
        contexts, self._contexts = self._contexts, []
        for context in contexts:
            try:
                context.close()
            except Exception:  # noqa: BLE001 - a killed browser has no contexts to close
                pass

    def kill(self) -> None:
        """End the browser at once (SIGKILL to its process group), as a crash would."""
        self._kill_if_running()
        self.killed = True

    def _kill_if_running(self) -> None:
        # The whole group, even when the browser itself has exited: a renderer or GPU process
        # can outlive it. The group is this browser's own (start_new_session).
        if not self._group_killed:
            self._group_killed = True
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)

    def close(self) -> None:
        """Close politely (the pages' pagehide runs); kill if that does not finish."""
        if not self.killed and self.process.poll() is None:
            try:
                self.browser.close()
            except Exception:  # noqa: BLE001 - the connection may already be gone
                pass
            try:
                self.process.terminate()
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        atexit.unregister(self._kill_if_running)
        self._log.close()
        shutil.rmtree(self.profile_dir, ignore_errors=True)


# -- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[object]:
    if not CHROMIUM_EXE.exists():
        pytest.skip(MISSING_REASON)
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


def make_fake_media(directory: Path) -> FakeMedia:
    return FakeMedia(
        video_y4m=write_colour_y4m(directory / "camera.y4m"),
        audio_wav=write_tone_wav(directory / "microphone.wav"),
    )


@pytest.fixture
def fake_media(tmp_path) -> FakeMedia:
    return make_fake_media(tmp_path)


@pytest.fixture(scope="module")
def chromium(playwright_driver, tmp_path_factory) -> Iterator[ChromiumBrowser]:
    """One browser for the module's tests (starting one costs seconds); each test's pages are
    closed when it ends (use `launch_chromium` for a browser of the test's own, e.g. to kill)."""
    browser = ChromiumBrowser(playwright_driver, make_fake_media(tmp_path_factory.mktemp("fake-media")))
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def chromium_pages(chromium) -> Iterator[ChromiumBrowser]:
    """The module's browser; the pages a test opens on it are closed after the test."""
    try:
        yield chromium
    finally:
        chromium.close_pages()


@pytest.fixture
def launch_chromium(playwright_driver, fake_media):
    """launch_chromium(media=None, lang="en-US", extra_args=()) -> ChromiumBrowser; each one is
    closed when the test ends."""
    started: list[ChromiumBrowser] = []

    def launch(media: FakeMedia | None = None, *, lang: str = "en-US", extra_args: Iterable[str] = ()) -> ChromiumBrowser:
        browser = ChromiumBrowser(playwright_driver, media or fake_media, lang=lang, extra_args=extra_args)
        started.append(browser)
        return browser

    yield launch
    for browser in started:
        browser.close()
