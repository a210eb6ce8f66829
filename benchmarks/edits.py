"""What editing the show live costs: the demo show records in real time at 1080p30 while layers
are moved (a drag on the preview sends one edit per 30 ms), sources are added and removed, and
scenes are added. Prints the caller's time per edit (validation and planning, on the GUI's or the
remote control's thread), the ticks from an edit to the tick it landed on, and the program's own
counts: frames produced, dropped, lagged ticks, and frames recorded.

    PYTHONPATH=. .venv/bin/python benchmarks/edits.py --seconds 20
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import NS_PER_SECOND
from studio.session import SessionOptions, StudioSession


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    arguments = parser.parse_args()
    fps = 30
    ticks = round(arguments.seconds * fps)
    session = StudioSession(builtin_show("demo"), SessionOptions(tick_limit=ticks))
    engine = session.build()
    # Each edit is one command, applied in order: the n-th landing belongs to the n-th edit.
    landed: list[int] = []
    asked_at: list[int] = []
    engine.events.show_edit_applied.connect(landed.append)
    folder = Path(tempfile.mkdtemp(prefix="studio-edits-"))
    session.start_recording(folder / "edits.mkv")
    session.start()
    caller_ms: dict[str, list[float]] = {"move layer": [], "add source + layer": [], "remove source": [], "add scene": []}

    def timed(what: str, call) -> None:
        asked_at.append(engine.stats().ticks)
        started = time.perf_counter()
        call()
        caller_ms[what].append(1000 * (time.perf_counter() - started))

    scene = engine.program_scene

    def add_with_layer(name: str) -> None:
        source = session.add_source("test_pattern", name, {"colour": [200, 0, 200]})
        asked_at.append(engine.stats().ticks)  # two edits: the source, then its layer
        session.add_layer(scene, source.id, x=0, y=0, width=640, height=360)

    inset = session.layers("PIP")[-1]
    engine.cut("PIP")
    step, round_number = 0, 0
    deadline = time.monotonic() + arguments.seconds - 1
    while time.monotonic() < deadline and not engine.wait(0):
        step += 1
        x = 40 + (step * 8) % 1200
        timed("move layer", lambda: session.update_layer("PIP", inset.id, x=x))
        if step % 60 == 0:  # every ~2 s: a camera-like source comes and goes, a scene is added
            round_number += 1
            name = f"Extra {round_number}"
            timed("add source + layer", lambda: add_with_layer(name))
            timed("add scene", lambda: session.add_scene(f"Scene {round_number}"))
            timed("remove source", lambda: session.remove_source(name))
        time.sleep(0.03)  # one drag step per 30 ms, as the preview editor sends them
    engine.wait(arguments.seconds + 30)
    stats = engine.stats()
    session.stop()  # finalizes the recording
    recorded = engine.recording_stats.frames_encoded

    print(f"edits: {sum(len(v) for v in caller_ms.values())} in {stats.media_time_ns / NS_PER_SECOND:.1f} s of media time")
    for what, values in caller_ms.items():
        if values:
            print(f"  {what:20s} n={len(values):4d}  caller ms: median {statistics.median(values):6.2f}  p99 {percentile(values, 0.99):6.2f}  max {max(values):6.2f}")
    delays = [tick - asked for asked, tick in zip(asked_at, landed)]
    if delays:
        # 0: drawn on the very next tick after the call returned.
        print(f"  ticks after the next one before an edit is drawn: median {statistics.median(delays):.0f}, max {max(delays)}")
    print(
        f"program: frames produced {stats.frames_produced}, dropped {stats.frames_dropped}, lagged ticks {stats.lagged_ticks}, "
        f"encoder dropped {stats.encoder_dropped}; recorded {recorded} frames"
    )


if __name__ == "__main__":
    main()
