"""The desktop app's costs.

1. Monitor taps: what the GUI's pictures cost the program thread. The demo show runs on the
   virtual clock (as fast as it goes, no encoding) without taps, then with the taps a 1920x1080
   main window opens (program and preview at 770x434 and 30 fps, four multiview cells at
   274x154 and 15 fps); process CPU ms per tick of each and the difference, and the program
   thread's own CPU inside the taps (thread clock), split into the taps' work (scaling, the
   preview's composition) and the test-pattern renders they ask for (sources not on air).
   A last run reads the pictures as the GUI does, on a thread of its own, and prints what
   finishing them (the last resize and the colour conversion) costs the reader.
2. GUI stalls: the real main window (offscreen) on the demo show in real time, recording to a
   temporary file and streaming to a private nginx-rtmp server, for --minutes, switching scenes,
   products and running 3-2-1 link runs every few seconds. A 5 ms precise timer on the GUI
   thread measures the longest time the event loop did not turn; the program thread's CPU in
   the monitor taps is measured the same way as in 1. With --explain-stalls, a sampling
   thread also records where the GUI thread is whenever its loop is over 30 ms late.

    cd /work/main && QT_QPA_PLATFORM=offscreen PYTHONPATH=. python benchmarks/gui.py --minutes 5
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.app import build_engine  # noqa: E402
from studio.engine.builtin_shows import builtin_show  # noqa: E402
from studio.engine.clock import VirtualClock  # noqa: E402
from studio.engine.program import ProgramLoop  # noqa: E402
from studio.engine.sources.capture import SourceRunner  # noqa: E402

# The taps a 1920x1080 main window opens (part 2 prints the ones it really opened).
MONITOR_TAP_SIZE = (770, 434)
MULTIVIEW_TAP_SIZE = (274, 154)
MULTIVIEW_FPS = 15


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class TapMeter:
    """The program thread's CPU inside ProgramLoop._feed_video_taps, on the thread's own clock,
    and the part of it spent in source renders the taps ask for (a test pattern renders on the
    program thread; a camera's frame is only read from its slot). Wraps the methods for the
    benchmark's duration only: the app itself is never changed."""

    def __init__(self) -> None:
        self.taps_s = 0.0
        self.renders_s = 0.0
        self.ticks = 0
        self._inside = threading.local()
        self._originals = (ProgramLoop._feed_video_taps, SourceRunner.frame_for)

    def __enter__(self) -> TapMeter:
        feed, frame_for = self._originals
        meter = self

        def timed_feed(loop, *args):
            meter._inside.active = True
            start_s = time.thread_time()
            try:
                return feed(loop, *args)
            finally:
                meter.taps_s += time.thread_time() - start_s
                meter.ticks += 1
                meter._inside.active = False

        def timed_frame_for(runner, *args):
            if not getattr(meter._inside, "active", False):
                return frame_for(runner, *args)
            start_s = time.thread_time()
            try:
                return frame_for(runner, *args)
            finally:
                meter.renders_s += time.thread_time() - start_s

        ProgramLoop._feed_video_taps = timed_feed
        SourceRunner.frame_for = timed_frame_for
        return self

    def __exit__(self, *exc) -> None:
        ProgramLoop._feed_video_taps, SourceRunner.frame_for = self._originals

    def line(self) -> str:
        ticks = max(1, self.ticks)
        total_ms, renders_ms = 1000 * self.taps_s / ticks, 1000 * self.renders_s / ticks
        return (
            f"program thread in the monitor taps: {total_ms:.2f} CPU-ms per tick over {self.ticks} ticks "
            f"({total_ms - renders_ms:.2f} scaling and composing, {renders_ms:.2f} rendering test patterns not on air)"
        )


class StallSampler:
    """Where the GUI thread is while its event loop stalls: a 5 ms heartbeat timer on the GUI
    thread, and a sampling thread that, whenever the heartbeat is more than `threshold_ms`
    late, records the GUI thread's innermost Python frames (a frame calling into Qt or C is
    where the time goes, or where it waits for the GIL)."""

    def __init__(self, threshold_ms: float = 30.0) -> None:
        from PySide6.QtCore import QTimer

        self.threshold_ns = int(threshold_ms * 1e6)
        self.samples: collections.Counter[str] = collections.Counter()
        self._gui_thread_id = threading.get_ident()
        self._heartbeat_ns = time.monotonic_ns()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._beat)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="stall-sampler", daemon=True)

    def _beat(self) -> None:
        self._heartbeat_ns = time.monotonic_ns()

    def start(self) -> None:
        self._heartbeat_ns = time.monotonic_ns()
        self._timer.start()
        self._thread.start()

    def stop(self) -> None:
        self._timer.stop()
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            if time.monotonic_ns() - self._heartbeat_ns < self.threshold_ns:
                continue
            frame = sys._current_frames().get(self._gui_thread_id)
            stack = []
            while frame is not None and len(stack) < 3:
                code = frame.f_code
                stack.append(f"{Path(code.co_filename).name}:{frame.f_lineno} {code.co_name}")
                frame = frame.f_back
            self.samples[" < ".join(stack)] += 1

    def lines(self, count: int = 8) -> list[str]:
        total = sum(self.samples.values())
        return [f"{n * 10:6d} ms ({100 * n / max(1, total):3.0f}%)  {stack}" for stack, n in self.samples.most_common(count)]


def open_gui_taps(engine, show) -> list:
    taps = [engine.open_video_tap(target, *MONITOR_TAP_SIZE, 30) for target in ("program", "preview")]
    return taps + [engine.open_video_tap(source.id, *MULTIVIEW_TAP_SIZE, MULTIVIEW_FPS) for source in show.sources]


class PictureReader:
    """Reads the taps as the GUI does (every 10 ms, each new picture's BGRX, which finishes its
    last resize and colour conversion) on its own thread, timing that work on its own clock."""

    def __init__(self, taps: list) -> None:
        self.taps = taps
        self.cost_s = {id(tap): 0.0 for tap in taps}
        self.pictures = {id(tap): 0 for tap in taps}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="picture-reader", daemon=True)

    def __enter__(self) -> PictureReader:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _read(self) -> None:
        shown: dict[int, int] = {}
        while not self._stop.wait(0.01):
            for tap in self.taps:
                picture = tap.latest()
                if picture is None or shown.get(id(tap)) == picture.sequence:
                    continue
                shown[id(tap)] = picture.sequence
                start_s = time.thread_time()
                picture.image.bgrx
                self.cost_s[id(tap)] += time.thread_time() - start_s
                self.pictures[id(tap)] += 1

    def line(self) -> str:
        """Per picture, and per second of show at the taps' rates."""
        per_picture_ms = {id(tap): 1000 * self.cost_s[id(tap)] / max(1, self.pictures[id(tap)]) for tap in self.taps}
        per_second_ms = sum(per_picture_ms[id(tap)] * tap.max_fps for tap in self.taps)
        kinds = {"program": [], "preview": [], "source": []}
        for tap in self.taps:
            kinds[tap.target if tap.target in ("program", "preview") else "source"].append(per_picture_ms[id(tap)])
        each = ", ".join(f"{kind} {sum(costs) / len(costs):.2f}" for kind, costs in kinds.items() if costs)
        return (
            f"the reader (the GUI thread) finishes each picture in CPU-ms: {each}; "
            f"{per_second_ms:.1f} ms per second at the taps' rates = {per_second_ms / 10:.1f}% of one core"
        )


def tap_cost(ticks: int) -> None:
    show = builtin_show("demo")
    results = {}
    meter = TapMeter()
    reader: PictureReader | None = None
    for label, with_taps in (("no monitors", False), ("GUI monitors", True), ("no monitors (again)", False)):
        engine = build_engine(show, clock=VirtualClock(), tick_limit=ticks)
        if with_taps:
            open_gui_taps(engine, show)
        start_cpu, start_wall = cpu_s(), time.monotonic()
        with meter if with_taps else contextlib.nullcontext():
            engine.start()
            engine.wait()
            engine.stop()
        results[label] = (1000 * (cpu_s() - start_cpu) / ticks, ticks / (time.monotonic() - start_wall))
        if with_taps:  # the same taps again, now read as the GUI reads them (not counted above)
            engine = build_engine(show, clock=VirtualClock(), tick_limit=ticks)
            with PictureReader(open_gui_taps(engine, show)) as reader:
                engine.start()
                engine.wait()
                engine.stop()
    print(f"monitor taps, demo show, {ticks} ticks on the virtual clock (no encoding):")
    for label, (cpu_ms, tick_rate) in results.items():
        print(f"  {label:22s} {cpu_ms:6.2f} CPU-ms per tick   {tick_rate:6.1f} ticks/s")
    baseline = (results["no monitors"][0] + results["no monitors (again)"][0]) / 2
    extra = results["GUI monitors"][0] - baseline
    print(f"  the monitors cost the process {extra:.2f} CPU-ms per tick = {extra * 30 / 10:.1f}% of one core at 30 fps (nobody reading)")
    print("  " + meter.line())
    assert reader is not None
    print("  " + reader.line())


def gui_stalls(minutes: float, explain: bool) -> None:
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
        tap_meter = TapMeter().__enter__()
        sampler = StallSampler() if explain else None
        if sampler is not None:
            sampler.start()
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
        tap_meter.__exit__(None, None, None)
        if sampler is not None:
            sampler.stop()
        gui_cpu_s = time.thread_time() - gui_thread_cpu_start
        monitors = [window.preview_monitor, window.program_monitor, *window.multiview.views.values()]
        tap_sizes = sorted({(m.tap.target if m.tap.target in ("program", "preview") else "source", m.tap.max_width, m.tap.max_height, m.tap.max_fps) for m in monitors if m.tap})
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
        print("  monitor taps opened: " + ", ".join(f"{target} {width}x{height}@{fps}" for target, width, height, fps in tap_sizes))
        print("  " + tap_meter.line())
        if sampler is not None:
            print("  where the GUI thread was while its loop was over 30 ms late (10 ms samples):")
            for line in sampler.lines():
                print("    " + line)
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
    parser.add_argument("--explain-stalls", action="store_true", help="sample the GUI thread's stack during stalls")
    arguments = parser.parse_args()
    if not arguments.skip_taps:
        tap_cost(arguments.ticks)
    if not arguments.skip_stalls:
        gui_stalls(arguments.minutes, arguments.explain_stalls)


if __name__ == "__main__":
    main()
