"""Two-canvas benchmark (pipeline.py's job A with a vertical canvas beside it).

The same show as pipeline.py (four 1280x720 test patterns in a 2x2 grid with a PiP and a banner
on a 1920x1080/30 canvas, x264 veryfast 6 Mb/s) recorded alone, then with a 720x1280 vertical
canvas recorded beside it (its layout derived: a 2x2 of tall cells; bitrate scaled by pixels).
Prints CPU-ms per tick for each, by thread, and x264 alone on the vertical canvas's pictures:
the second canvas should cost little more than its own encode. Then a real-time run of both
(1080p30 + 720x1280p30) on the machine's clock: dropped and lagged ticks, repeats, tick p99.
Last, main recorded while only a monitor watches the vertical canvas (as in the app): watched at
full size, and at a monitor's 270x480, which the program composes straight at that size.

    cd /work/main && PYTHONPATH=. python benchmarks/two_canvases.py --frames 300
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline import (  # noqa: E402 (the benchmarks folder is not a package)
    BANNER_X,
    BANNER_Y,
    FPS,
    ThreadCpuSampler,
    benchmark_show_data,
    cpu_s,
    decode_frames,
    load_registry_or_explain,
    make_banner_bgra,
)

VERTICAL_W, VERTICAL_H = 720, 1280


def run_engine(
    frames: int, out_dir: Path, *, vertical: bool, virtual_clock: bool, watch_size: tuple[int, int] | None = None
) -> dict:
    """Record main (and the vertical canvas, unless watch_size: then a monitor of that size
    watches it instead)."""
    from studio.app import build_engine
    from studio.engine.show import parse_show

    data = benchmark_show_data()
    if vertical:
        data["canvases"] = {"vertical": {"width": VERTICAL_W, "height": VERTICAL_H}}
    engine = build_engine(parse_show(data, file="<benchmark show>"), virtual_clock=virtual_clock, tick_limit=frames)
    engine.show_overlay("banner", make_banner_bgra(), BANNER_X, BANNER_Y)
    tag = ("two" if vertical else "one") + ("-virtual" if virtual_clock else "-real")
    if watch_size is not None:
        tag = f"watch-{watch_size[0]}x{watch_size[1]}"
    engine.start_recording(out_dir / f"{tag}-main.mkv")
    if watch_size is not None:
        engine.open_video_tap("canvas:vertical", *watch_size)
    elif vertical:
        engine.start_recording(out_dir / f"{tag}-vertical.mkv", canvas="vertical")
    sampler = ThreadCpuSampler()
    sampler.start()
    before, wall_before = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    engine.start()
    finished = engine.wait(timeout_s=max(120.0, frames * 2.0))
    engine.stop()
    wall_s, after = time.perf_counter() - wall_before, resource.getrusage(resource.RUSAGE_SELF)
    sampler.stop()
    groups = sampler.by_group()
    sampler_cpu = groups.pop("bench-sampler", 0.0)
    stats = engine.stats()
    result = {
        "tag": tag,
        "finished": finished,
        "wall_s": wall_s,
        "cpu_ms_per_tick": 1000 * (cpu_s(after) - cpu_s(before) - sampler_cpu) / frames,
        "groups_ms_per_tick": {name: 1000 * seconds / frames for name, seconds in groups.items()},
        "frames_dropped": stats.frames_dropped,
        "lagged_ticks": stats.lagged_ticks,
        "tick_ms_p99": stats.tick_ms_p99,
        "repeated_main": engine.recording_stats.frames_repeated,
        "encoded_main": engine.recording_stats.frames_encoded,
    }
    if vertical and watch_size is None:
        other = engine.canvas_recording_stats("vertical")
        result["repeated_vertical"], result["encoded_vertical"] = other.frames_repeated, other.frames_encoded
    return result


def x264_alone_ms(pictures, frames: int, bitrate_kbps: int) -> float:
    from studio.engine.outputs.encoder import ProgramEncoder
    from studio.engine.show import Canvas, EncoderSettings

    settings = EncoderSettings(encoder="x264", preset="veryfast", bitrate_kbps=bitrate_kbps)
    before = resource.getrusage(resource.RUSAGE_SELF)
    encoder = ProgramEncoder(Canvas(width=VERTICAL_W, height=VERTICAL_H, fps=FPS), settings)
    for index in range(frames):
        encoder.encode_video(pictures[index % len(pictures)], index)
    encoder.flush()
    encoder.close()
    return 1000 * (cpu_s(resource.getrusage(resource.RUSAGE_SELF)) - cpu_s(before)) / frames


def print_run(result: dict) -> None:
    print(
        f"{result['tag']:<14} {result['cpu_ms_per_tick']:7.2f} CPU-ms/tick  {result['wall_s']:6.1f} s wall  "
        f"dropped {result['frames_dropped']}  lagged {result['lagged_ticks']}  tick p99 {result['tick_ms_p99']:.1f} ms  "
        f"repeated main/vertical {result['repeated_main']}/{result.get('repeated_vertical', '-')}  "
        f"encoded {result['encoded_main']}/{result.get('encoded_vertical', '-')}"
        + ("" if result["finished"] else "  (did not finish!)")
    )
    for name, ms in sorted(result["groups_ms_per_tick"].items(), key=lambda item: -item[1]):
        if ms >= 0.05:
            print(f"    {name:<44} {ms:7.2f} ms/tick")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=300, help="ticks per run (default 300)")
    parser.add_argument("--skip-real-time", action="store_true", help="skip the real-time run")
    args = parser.parse_args(argv)
    load_registry_or_explain()
    out_dir = Path(tempfile.mkdtemp(prefix="studio-canvases-"))
    print(f"{args.frames} ticks; 1920x1080 + {VERTICAL_W}x{VERTICAL_H} at {FPS} fps; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    try:
        one = run_engine(args.frames, out_dir, vertical=False, virtual_clock=True)
        two = run_engine(args.frames, out_dir, vertical=True, virtual_clock=True)
        from studio.engine.extra_canvas import encoder_settings_of
        from studio.engine.show import parse_show

        data = benchmark_show_data() | {"canvases": {"vertical": {"width": VERTICAL_W, "height": VERTICAL_H}}}
        show = parse_show(data, file="<benchmark show>")
        bitrate = encoder_settings_of(show, show.canvases["vertical"]).bitrate_kbps
        pictures = decode_frames(out_dir / "two-virtual-vertical.mkv", min(args.frames, 60))
        encode_ms = x264_alone_ms(pictures, args.frames, bitrate)
        print()
        print_run(one)
        print_run(two)
        added = two["cpu_ms_per_tick"] - one["cpu_ms_per_tick"]
        print(
            f"\nthe vertical canvas adds {added:.2f} CPU-ms/tick; x264 alone on its pictures ({bitrate} kb/s) costs "
            f"{encode_ms:.2f}; composing and handing over: {added - encode_ms:.2f} ms/tick"
        )
        watched = [run_engine(args.frames, out_dir, vertical=True, virtual_clock=True, watch_size=size) for size in ((VERTICAL_W, VERTICAL_H), (270, 480))]
        print("\nmain recorded, the vertical canvas only watched by a monitor:")
        for result in watched:
            print_run(result)
        print(
            f"watching at 270x480 instead of full size saves {watched[0]['cpu_ms_per_tick'] - watched[1]['cpu_ms_per_tick']:.2f} CPU-ms/tick; "
            f"it costs {watched[1]['cpu_ms_per_tick'] - one['cpu_ms_per_tick']:.2f} over main alone"
        )
        if not args.skip_real_time:
            print("\nreal time, both canvases:")
            print_run(run_engine(args.frames, out_dir, vertical=True, virtual_clock=False))
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
