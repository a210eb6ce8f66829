"""Guest-to-program latency, for benchmarks/guest.py: a headless Chromium joins as a guest with
the guest page's test hooks (?test=1&timecode=1: the page draws the wall-clock ms into each
picture it sends, studio/engine/graphics/timecode.py's layout), and program pictures are read
back from a video tap: each tick's wall time minus the time code drawn in the guest's picture.

The browser is tests/chromium.py's (Debian's /usr/bin/chromium, fake camera and microphone,
driven by Playwright), as in tests/test_guest_acceptance.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CAMERA_SIZE = (640, 360)
CAMERA_RGB = (30, 160, 220)
RAMP_UP_S = 1.0  # the browser's encoder starts low (the start bitrate) and climbs


@dataclass
class Latency:
    link_to_live_s: float  # from opening the link to the guest LIVE on program
    page_load_s: float
    lip_sync: str = ""  # how long the studio held the pictures for their sound, as GuestStats says
    latencies_ms: list[float] = field(default_factory=list)
    pictures: int = 0  # program pictures looked at


def program_latencies_ms(engine, box: tuple[int, int, int, int], seconds: float) -> tuple[list[float], int]:
    """For each program picture in `seconds` whose time code can be read in `box` (x, y, w, h):
    its tick's wall time minus the wall-clock ms the guest's page drew into the picture.
    Returns those and how many pictures were looked at."""
    import cv2
    import numpy as np

    from studio.engine.clock import NS_PER_MS
    from studio.engine.graphics.timecode import read_timecode_y

    x, y, width, height = box
    canvas = engine.show.canvas
    tap = engine.open_video_tap("program", canvas.width, canvas.height, canvas.fps)
    wall_minus_media_ns = time.time_ns() - engine.clock.now_ns()
    latencies: list[float] = []
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            picture = tap.latest()
            if picture is None or picture.tick in seen:
                time.sleep(0.005)  # polling the tap for its next picture
                continue
            seen.add(picture.tick)
            luma = cv2.cvtColor(np.ascontiguousarray(picture.rgb[y : y + height, x : x + width]), cv2.COLOR_RGB2GRAY)
            drawn_ms = read_timecode_y(luma)
            if drawn_ms is not None:
                latencies.append((engine.tick_time_ns(picture.tick) + wall_minus_media_ns) / NS_PER_MS - drawn_ms)
    finally:
        engine.close_video_tap(tap)
    return latencies, len(seen)


def measure_latency(
    session, guest_id: str, box: tuple[int, int, int, int], seconds: float, folder: Path, wait_live: Callable[[], float]
) -> Latency:
    """A Chromium guest joins as `guest_id`; `box` is where its CAMERA_SIZE picture lands on
    program; `wait_live()` returns once the guest is LIVE (or raises)."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import ChromiumBrowser, FakeMedia, write_colour_y4m, write_tone_wav

    media = FakeMedia(
        write_colour_y4m(folder / "camera.y4m", CAMERA_RGB, CAMERA_SIZE),
        write_tone_wav(folder / "mic.wav", 1000.0, amplitude=0.1),
    )
    base, _, token = session.guest_link(guest_id).partition("#")
    driver = sync_playwright().start()
    browser = None
    try:
        browser = ChromiumBrowser(driver, media)
        page = browser.new_page()
        opened = time.monotonic()
        page.goto(f"{base}?test=1&timecode=1#{token}")
        page_load_s = time.monotonic() - opened
        wait_live()
        result = Latency(link_to_live_s=time.monotonic() - opened, page_load_s=page_load_s)
        time.sleep(RAMP_UP_S)
        result.latencies_ms, result.pictures = program_latencies_ms(session.engine, box, seconds)
        result.lip_sync = lip_sync_hold(session, guest_id)
        return result
    finally:
        if browser is not None:
            browser.close()
        driver.stop()


def lip_sync_hold(session, guest_id: str) -> str:
    """What of the latency the studio adds on purpose: pictures wait for the sound captured with
    them (GuestStats.video_held_ms), or a fixed delay while not aligned from RTP timestamps."""
    from studio.engine.clock import NS_PER_MS

    stats = session.guest_stats()[guest_id]
    held_ms = getattr(stats, "video_held_ms", None)
    if held_ms is None:
        return f"pictures shown {session.engine.guest_feed(guest_id).video_delay_ns / NS_PER_MS:.0f} ms after arrival (not aligned)"
    late_ms = getattr(stats, "video_late_ms", 0.0)
    return f"pictures held {held_ms:.0f} ms for lip sync" + (f", {late_ms:.0f} ms behind their sound" if late_ms else "")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))]


def print_latency(latency: Latency, guest_id: str) -> None:
    values = latency.latencies_ms
    width, height = CAMERA_SIZE
    print(f"\nphase 3, a Chromium guest ({guest_id}, {width}x{height} fake camera, the page's own codec choice):")
    print(f"  link opened -> LIVE on program: {latency.link_to_live_s:.1f} s (the page loaded in {latency.page_load_s:.1f} s)")
    if not values:
        print(f"  no time code read in {latency.pictures} program pictures")
        return
    print(
        f"  guest-to-program latency over {len(values)} of {latency.pictures} pictures: "
        f"p50 {percentile(values, 0.5):.0f} ms, p95 {percentile(values, 0.95):.0f} ms, max {max(values):.0f} ms "
        f"({latency.lip_sync})"
    )
