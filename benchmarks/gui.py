"""The desktop app's costs.

1. Monitor taps: what the GUI's pictures cost the program thread. The demo show runs on the
   virtual clock (as fast as it goes, no encoding) without taps, then with the taps the main
   window opens (program and preview at 960x540 and 30 fps, four multiview cells at 384x216 and
   15 fps); CPU ms per tick of each, and the difference.
2. GUI stalls: the real main window (offscreen) on the demo show in real time, recording to a
   temporary file and streaming to a private nginx-rtmp server, for --minutes, switching scenes,
   products and running 3-2-1 link runs every few seconds. A 5 ms precise timer on the GUI
   thread measures the longest time the event loop did not turn.

    cd /work/main && QT_QPA_PLATFORM=offscreen PYTHONPATH=. python benchmarks/gui.py --minutes 5
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.app import build_engine  # noqa: E402
from studio.engine.builtin_shows import builtin_show  # noqa: E402
from studio.engine.clock import VirtualClock  # noqa: E402


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tap_cost(ticks: int) -> None:
    show = builtin_show("demo")
    results = {}
    for label, with_taps in (("no monitors", False), ("GUI monitors", True), ("no monitors (again)", False)):
        engine = build_engine(show, clock=VirtualClock(), tick_limit=ticks)
        if with_taps:
            taps = [engine.open_video_tap("program", 960, 540, 30), engine.open_video_tap("preview", 960, 540, 30)]
            taps += [engine.open_video_tap(source.id, 384, 216, 15) for source in show.sources]
        start_cpu, start_wall = cpu_s(), time.monotonic()
        engine.start()
        engine.wait()
        engine.stop()
        results[label] = (1000 * (cpu_s() - start_cpu) / ticks, ticks / (time.monotonic() - start_wall))
    print(f"monitor taps, demo show, {ticks} ticks on the virtual clock (no encoding):")
    for label, (cpu_ms, tick_rate) in results.items():
        print(f"  {label:22s} {cpu_ms:6.2f} CPU-ms per tick   {tick_rate:6.1f} ticks/s")
    baseline = (results["no monitors"][0] + results["no monitors (again)"][0]) / 2
    extra = results["GUI monitors"][0] - baseline
    print(f"  the monitors cost {extra:.2f} CPU-ms per tick = {extra * 30 / 10:.1f}% of one core at 30 fps")


def gui_stalls(minutes: float) -> None:
    from PySide6.QtWidgets import QApplication

    from studio.engine.show import DestinationSpec
    from studio.gui.main_window import MainWindow
    from studio.gui.preferences import Preferences, PreferencesStore
    from studio.gui.stall_meter import EventLoopStallMeter
    from studio.gui.theme import apply_dark_theme
    from tests.servers import RtmpServer

    app = QApplication.instance() or QApplication([])
    apply_dark_theme(app)
    with tempfile.TemporaryDirectory(prefix="studio-gui-bench-") as folder:
        server = RtmpServer(Path(folder) / "rtmp")
        server.start()
        store = PreferencesStore(Path(folder) / "config")
        store.save(Preferences(recording_folder=str(Path(folder) / "recordings")))
        show = builtin_show("demo").model_copy(
            update={"destinations": [DestinationSpec(id="local", name="Local nginx", url=server.url("").rstrip("/"), stream_key="bench")]}
        )
        window = MainWindow(show=show, show_path=None, build_engine=build_engine, preferences_store=store)
        window.ask = lambda title, text: True
        window.resize(1920, 1080)
        window.show()
        while window.host.engine is None:
            app.processEvents()
            time.sleep(0.005)
        window.toggle_streaming()
        window.toggle_recording()
        meter = EventLoopStallMeter(5)
        meter.start()
        gui_thread_cpu_start = time.thread_time()
        deadline = time.monotonic() + minutes * 60
        next_cut = time.monotonic() + 3
        actions = [
            "preview_scene.2", "auto", "product.2", "link_321", "preview_scene.5", "cut",
            "preview_scene.6", "auto", "product.next", "link_321", "preview_scene.1", "cut", "dismiss_card",
        ]
        index = 0
        while time.monotonic() < deadline:
            app.processEvents()
            if time.monotonic() >= next_cut:  # a seller switching angles and products every 3 s
                window.run_action(actions[index % len(actions)])
                index += 1
                next_cut += 3
            time.sleep(0.001)
        meter.stop()
        gui_cpu_s = time.thread_time() - gui_thread_cpu_start
        stats = window.host.engine.stats()
        destinations = [d.snapshot() for d in window.host.engine.destination_stats()]  # before stop turns them OFF
        window._close_confirmed = True
        window.host.stop()
        window.host.wait_idle()
        window.close()
        server.stop()
        print(f"GUI stalls, {minutes:g} min real time, 1920x1080 window, recording + streaming to nginx-rtmp:")
        print(f"  longest event-loop stall {meter.longest_stall_ms:.1f} ms over {meter.samples} samples")
        print(f"  stalls > 16 ms: {meter.stalls_over_16_ms}, > 50 ms: {meter.stalls_over_50_ms}")
        print("  histogram (ms bucket: count): " + ", ".join(f"{k}: {v}" for k, v in sorted(meter.stall_histogram_ms.items())))
        print(f"  GUI thread CPU {100 * gui_cpu_s / (minutes * 60):.1f}% of one core")
        print(
            f"  program: {stats.frames_produced} frames, dropped {stats.frames_dropped}, lagged {stats.lagged_ticks}, "
            f"encoder dropped {stats.encoder_dropped}; " + "; ".join(d.line() for d in destinations)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ticks", type=int, default=600)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--skip-taps", action="store_true")
    parser.add_argument("--skip-stalls", action="store_true")
    arguments = parser.parse_args()
    if not arguments.skip_taps:
        tap_cost(arguments.ticks)
    if not arguments.skip_stalls:
        gui_stalls(arguments.minutes)


if __name__ == "__main__":
    main()
