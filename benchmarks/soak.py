"""Soak: run the demo show for a long stretch of media time on the virtual clock, recording and
mixing, and print the process's memory every simulated minute. Long shows must not grow.

    PYTHONPATH=. python benchmarks/soak.py --minutes 30 [--width 640 --height 360]

It prints RSS per minute and the growth from minute 2 (after warm-up) to the end.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from studio.app import build_engine
from studio.engine.builtin_shows import demo_show_data
from studio.engine.clock import NS_PER_SECOND
from studio.engine.show import parse_show


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=int, default=30, help="media minutes to run (default 30)")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    options = parser.parse_args(argv)

    data = demo_show_data()
    data["canvas"] = {"width": options.width, "height": options.height, "fps": 30}
    data["encoder"] = {"encoder": "x264", "preset": "ultrafast", "bitrate_kbps": 800}
    data["recording"] = {"split_every_s": 600}
    for source in data["sources"]:
        if source["kind"] == "test_pattern":
            source["settings"].update(width=options.width, height=options.height)
    fps = 30
    engine = build_engine(parse_show(data), virtual_clock=True, tick_limit=options.minutes * 60 * fps)
    with tempfile.TemporaryDirectory() as folder:
        engine.start_recording(Path(folder) / "soak.mkv")
        # Cut through every scene every few seconds and run transitions, all show long.
        scenes = engine.scene_names
        for second in range(2, options.minutes * 60, 3):
            at_ns = second * NS_PER_SECOND
            scene = scenes[second % len(scenes)]
            if second % 2:
                engine.cut(scene, at_ns=at_ns)
            else:
                engine.transition(scene, kind="mix", duration_ms=500, at_ns=at_ns)
        samples: list[tuple[int, float]] = []
        started = time.perf_counter()
        engine.start()
        minute = 0
        while not engine.wait(0.5):
            media_minute = engine.stats().media_time_ns // (60 * NS_PER_SECOND)
            if media_minute > minute:
                minute = media_minute
                samples.append((minute, rss_mb()))
                print(f"minute {minute:3d}: RSS {samples[-1][1]:7.1f} MB", flush=True)
        engine.stop()
        elapsed = time.perf_counter() - started
    stats = engine.stats()
    print(f"{stats.frames_produced} frames ({options.minutes} media minutes) in {elapsed:.0f} s wall")
    settled = [rss for m, rss in samples if m >= 2]
    if len(settled) >= 2:
        growth = settled[-1] - settled[0]
        print(f"RSS from minute 2 to the end: {settled[0]:.1f} -> {settled[-1]:.1f} MB ({growth:+.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
