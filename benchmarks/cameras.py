"""Camera benchmark: four 1080p30 MJPEG cameras in real time, the way a seller's studio runs.

The four cameras are the camera plugin itself (studio.engine.sources.camera.CameraSource) with
its device replaced by JpegReplayCapture: 30 different 1920x1080 JPEG pictures per camera
(the test pattern with sensor noise, 4:2:2 like a UVC camera's MJPG), delivered at 30 fps on
the monotonic clock behind the same cv2.VideoCapture interface a V4L2 camera has. So every
picture goes through the camera's real decode path: JPEG decode, colour conversion to I420,
and the compositor's scaling.

On program: GRID (the four cameras 2x2) with a 480x270 picture-in-picture of the first and the
product card; 1920x1080 at 30 fps, x264 veryfast 6 Mb/s, recorded to Matroska and streamed to a
private nginx-rtmp (tests/servers.py). Headless, as `studio run` is: no preview monitor.

Printed: CPU-ms per output frame by stage (decode: the capture and decode threads; compose,
overlays, encode, mux: timers around each stage, thread CPU time), the real-time drop counts,
the p99 tick time, peak RSS; with --compare-ffmpeg also the ffmpeg command line doing the same
job (four MJPEG inputs decoded, xstack, PiP, card, x264) and the CPU ratio, side by side.

    cd /work/main && PYTHONPATH=. .venv/bin/python benchmarks/cameras.py --seconds 60 --compare-ffmpeg
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.pipeline import ThreadCpuSampler, count_video_frames, cpu_s, maxrss_mib, run_measured_child  # noqa: E402

CANVAS_W, CANVAS_H, FPS = 1920, 1080, 30
CAMERA_W, CAMERA_H = 1920, 1080
PIP_W, PIP_H = 480, 270
PIP_X, PIP_Y = CANVAS_W - 40 - PIP_W, 40  # top right: the product card takes the bottom right
BITRATE_KBPS = 6000
GOP = 60
PICTURES_PER_CAMERA = 30
STREAM_KEY = "cameras"
CAMERAS = {  # name -> colour, distinct per camera as in the demo show
    "FRONT": (200, 40, 40),
    "SIDE": (40, 160, 60),
    "BACK": (40, 70, 200),
    "DETAIL": (220, 170, 30),
}
# Tick durations are counted in buckets of this width (bounded, however long the run).
TICK_BUCKET_US = 100
TICK_BUCKETS = 5000  # up to 500 ms; longer ticks land in the last bucket
NATIVE_WORKERS = "native workers (x264/OpenCV pools)"  # ThreadCpuSampler's group of threads Python did not start


# -- the cameras ------------------------------------------------------------------------------------


def fake_device_tree(folder: Path, count: int):
    """/dev/videoN nodes and their sysfs names, as Linux shows USB cameras, for CameraSource's
    device lookup (the same trick the camera tests use)."""
    from studio.engine.sources.camera import VideoDeviceRoots

    roots = VideoDeviceRoots(sysfs=folder / "sys", by_id=folder / "by-id", dev=folder / "dev")
    roots.dev.mkdir(parents=True)
    roots.by_id.mkdir()
    for number in range(count):
        node = roots.sysfs / f"video{number}"
        node.mkdir(parents=True)
        (node / "name").write_text(f"Replay camera {number}\n")
        (node / "index").write_text("0\n")
        (roots.dev / f"video{number}").touch()
    return roots


def benchmark_show_data() -> dict:
    sources = [
        {
            "id": name.lower(),
            "name": name,
            "kind": "camera",
            "settings": {"device": str(number), "width": CAMERA_W, "height": CAMERA_H, "fps": FPS, "pixel_format": "MJPG"},
        }
        for number, name in enumerate(CAMERAS)
    ]
    ids = [source["id"] for source in sources]
    scenes = [
        {
            "id": "grid",
            "name": "GRID",
            "layout": {"kind": "grid", "sources": ids},
            "layers": [{"source": ids[0], "x": PIP_X, "y": PIP_Y, "width": PIP_W, "height": PIP_H, "z": 1}],
        }
    ] + [{"id": f"{i}_full", "name": name, "layout": {"kind": "full", "sources": [i]}} for i, name in zip(ids, CAMERAS)]
    return {
        "schema_version": 1,
        "name": "Camera benchmark",
        "canvas": {"width": CANVAS_W, "height": CANVAS_H, "fps": FPS},
        "sources": sources,
        "scenes": scenes,
        "audio_inputs": [{"id": "tone", "name": "Tone", "kind": "tone", "frequency_hz": 440, "level_dbfs": -18}],
        "program_scene": "GRID",
        "preview_scene": "SIDE",
        "encoder": {"encoder": "x264", "preset": "veryfast", "bitrate_kbps": BITRATE_KBPS},
    }


def product_card():
    from studio.engine.assets import ASSETS_DIR
    from studio.engine.builtin_shows import builtin_show
    from studio.engine.graphics.product_card import render_product_card

    demo = builtin_show("demo")
    product = next(p for p in demo.products if p.id == demo.current_product)
    return render_product_card(product, CANVAS_W, CANVAS_H, "bottom_right", ASSETS_DIR)


# -- stage timers (the benchmark's own wrappers; the engine's code is untouched) ----------------------


@dataclass
class StageCounter:
    calls: int = 0
    cpu_ns: int = 0


@dataclass
class StageTimers:
    """Thread CPU time around each stage, in counters (each stage runs on one thread)."""

    stages: dict[str, StageCounter] = field(default_factory=dict)
    tick_histogram: np.ndarray = field(default_factory=lambda: np.zeros(TICK_BUCKETS, np.int64))
    tick_cpu_ns: int = 0
    _restore: list[tuple[object, str, object]] = field(default_factory=list)
    _inside_compose: bool = False

    def counter(self, name: str) -> StageCounter:
        return self.stages.setdefault(name, StageCounter())

    def _wrap(self, owner: object, attribute: str, stage_of) -> None:
        original = getattr(owner, attribute)
        self._restore.append((owner, attribute, original))
        timers = self

        def timed(*args, **kwargs):
            stage = stage_of()
            if stage is None:
                return original(*args, **kwargs)
            started = time.thread_time_ns()
            try:
                return original(*args, **kwargs)
            finally:
                counter = timers.counter(stage)
                counter.calls += 1
                counter.cpu_ns += time.thread_time_ns() - started

        setattr(owner, attribute, timed)

    def install(self, engine) -> None:
        from studio.engine.outputs.encoder import ProgramEncoder
        from studio.engine.outputs.recording import MatroskaRecording
        from studio.engine.outputs.stream import StreamDestination
        from studio.engine.video.compositor import LayerPainter, SceneCompositor

        compose_original = SceneCompositor.compose
        self._restore.append((SceneCompositor, "compose", compose_original))
        timers = self

        def timed_compose(compositor, frames, target):
            timers._inside_compose = True
            started = time.thread_time_ns()
            try:
                return compose_original(compositor, frames, target)
            finally:
                timers._inside_compose = False
                counter = timers.counter("compose (scale + place the cameras)")
                counter.calls += 1
                counter.cpu_ns += time.thread_time_ns() - started

        SceneCompositor.compose = timed_compose
        # A painter outside a scene's composition is an overlay (the product card).
        self._wrap(LayerPainter, "paint", lambda: None if timers._inside_compose else "overlays (product card)")
        self._wrap(ProgramEncoder, "encode_video", lambda: "encode video (x264)")
        self._wrap(ProgramEncoder, "encode_audio", lambda: "encode audio (AAC)")
        self._wrap(MatroskaRecording, "write_video", lambda: "mux: recording")
        self._wrap(MatroskaRecording, "write_audio", lambda: "mux: recording")
        self._wrap(StreamDestination, "offer", lambda: "mux: stream hand-over")

        program = engine._program
        run_tick = program._run_tick

        def timed_tick(tick, tick_ns):
            wall_started, cpu_started = time.perf_counter_ns(), time.thread_time_ns()
            try:
                return run_tick(tick, tick_ns)
            finally:
                timers.tick_cpu_ns += time.thread_time_ns() - cpu_started
                bucket = (time.perf_counter_ns() - wall_started) // (TICK_BUCKET_US * 1000)
                timers.tick_histogram[min(bucket, TICK_BUCKETS - 1)] += 1

        program._run_tick = timed_tick

    def uninstall(self) -> None:
        for owner, attribute, original in reversed(self._restore):
            setattr(owner, attribute, original)
        self._restore.clear()

    def tick_percentile_ms(self, percent: float) -> float:
        total = int(self.tick_histogram.sum())
        if not total:
            return float("nan")
        rank = int(np.ceil(total * percent / 100))
        bucket = int(np.searchsorted(np.cumsum(self.tick_histogram), rank))
        return (bucket + 1) * TICK_BUCKET_US / 1000  # the bucket's upper edge


# -- our run --------------------------------------------------------------------------------------------


@dataclass
class OursResult:
    seconds: float
    frames_produced: int
    cpu_s: float  # this process, every thread
    child_cpu_s: float  # the stream's sender child (ffmpeg), reaped at stop
    peak_rss_mib: float
    stats: object
    destinations: list
    recording_frames: int | None
    by_thread: dict[str, float]
    timers: StageTimers
    decodes: dict[str, tuple[int, int]]  # source id -> (pictures decoded, decode CPU ns), if the runner counts
    pictures_delivered: int  # by the four replayed devices, decoded or not
    notes: list[str]

    @property
    def cpu_ms_per_frame(self) -> float:
        return 1000 * (self.cpu_s + self.child_cpu_s) / max(1, self.frames_produced)


def decode_counts(engine) -> dict[str, tuple[int, int]]:
    found = {}
    for source_id, runner in engine._runners.items():
        counts = runner.decode_counts() if hasattr(runner, "decode_counts") else None
        if counts is not None:  # None: the source hands over decoded frames (no decode worker)
            found[source_id] = counts
    return found


def run_ours(
    seconds: float, folder: Path, pictures: dict[int, list[np.ndarray]], rtmp_url: str | None, *, raw_mode: bool = True
) -> OursResult:
    from studio.engine.clock import MonotonicClock
    from studio.engine.engine import Engine
    from studio.engine.show import parse_show
    from studio.engine.sources.jpeg_replay import replay_camera_registry

    cv2.setNumThreads(1)  # as studio.app.build_engine does
    roots = fake_device_tree(folder / "devices", len(pictures))
    show = parse_show(benchmark_show_data(), file="<camera benchmark>")
    devices: list = []
    registry = replay_camera_registry(pictures, roots, lambda _number, capture: devices.append(capture), raw_mode=raw_mode)
    engine = Engine(show, MonotonicClock(), registry)
    card = product_card()
    engine.show_overlay("card", card.bgra, card.x, card.y)
    recording = engine.start_recording(folder / "ours.mkv")
    if rtmp_url:
        engine.start_streaming([("nginx", rtmp_url)])
    timers = StageTimers()
    timers.install(engine)
    sampler = ThreadCpuSampler()
    notes: list[str] = []
    try:
        sampler.start()
        usage_before = resource.getrusage(resource.RUSAGE_SELF)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall_before = time.perf_counter()
        engine.start()
        deadline = time.monotonic() + seconds
        next_report = time.monotonic() + 10
        while (remaining := deadline - time.monotonic()) > 0:
            time.sleep(min(remaining, 0.5))
            if time.monotonic() >= next_report:
                stats = engine.stats()
                print(
                    f"  ... {stats.frames_produced} frames, dropped {stats.frames_dropped}, lagged {stats.lagged_ticks}, "
                    f"encoder lag {stats.encoder_lag_ms} ms, load average {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
                next_report += 10
        stats = engine.stats()
        destinations = [d.snapshot() for d in engine.destination_stats()]
        decodes = decode_counts(engine)
        engine.stop()
        wall_s = time.perf_counter() - wall_before
        usage_after = resource.getrusage(resource.RUSAGE_SELF)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.stop()
    finally:
        timers.uninstall()
    by_thread = sampler.by_group()
    sampler_cpu = by_thread.pop("bench-sampler", 0.0)
    total_cpu = cpu_s(usage_after) - cpu_s(usage_before) - sampler_cpu
    by_thread["unattributed (threads ended between samples)"] = total_cpu - sum(by_thread.values())
    rec = engine.recording_stats
    if rec.errors:
        notes.append(f"recording errors: {list(rec.errors)}")
    try:
        recording_frames = count_video_frames(recording)
    except Exception as error:  # a broken file is a finding, not a crash of the benchmark
        notes.append(f"the recording could not be decoded: {error}")
        recording_frames = None
    return OursResult(
        seconds=wall_s,
        frames_produced=stats.frames_produced,
        cpu_s=total_cpu,
        child_cpu_s=cpu_s(children_after) - cpu_s(children_before),
        peak_rss_mib=maxrss_mib(usage_after),
        stats=stats,
        destinations=destinations,
        recording_frames=recording_frames,
        by_thread=by_thread,
        timers=timers,
        decodes=decodes,
        pictures_delivered=sum(device.pictures_delivered for device in devices),
        notes=notes,
    )


# -- the ffmpeg command line doing the same job ----------------------------------------------------------


@dataclass
class FfmpegResult:
    frames: int
    wall_s: float
    cpu_s: float
    peak_rss_mib: float | None
    frames_in_file: int | None
    notes: list[str]

    @property
    def cpu_ms_per_frame(self) -> float:
        return 1000 * self.cpu_s / self.frames


def ffmpeg_command(ffmpeg: str, inputs: list[Path], card_png: Path, card_xy: tuple[int, int], frames: int,
                   output: Path, rtmp_url: str | None) -> list[str]:
    command = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    for path in inputs:  # each camera's JPEG sequence, looped, decoded by ffmpeg's MJPEG decoder
        command += ["-stream_loop", "-1", "-f", "mjpeg", "-framerate", str(FPS), "-i", str(path)]
    command += ["-i", str(card_png)]
    command += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={frames / FPS:.6f}"]
    half_w, half_h = CANVAS_W // 2, CANVAS_H // 2
    card_index, audio_index = len(inputs), len(inputs) + 1
    graph = ";".join(
        [
            "[0:v]split=2[c0][p0]",
            f"[c0]scale={half_w}:{half_h}[s0]",
            *(f"[{i}:v]scale={half_w}:{half_h}[s{i}]" for i in range(1, len(inputs))),
            "".join(f"[s{i}]" for i in range(len(inputs))) + f"xstack=inputs={len(inputs)}:layout=0_0|w0_0|0_h0|w0_h0[grid]",
            f"[p0]scale={PIP_W}:{PIP_H}[pip]",
            f"[grid][pip]overlay={PIP_X}:{PIP_Y}[withpip]",
            f"[{card_index}:v]format=yuva420p,loop=loop=-1:size=1:start=0,setpts=N/({FPS}*TB)[card]",
            f"[withpip][card]overlay={card_xy[0]}:{card_xy[1]}:format=yuv420,format=yuv420p[out]",
        ]
    )
    kbps = f"{BITRATE_KBPS}k"
    command += ["-filter_complex", graph, "-map", "[out]", "-map", f"{audio_index}:a", "-frames:v", str(frames)]
    command += ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency"]
    command += ["-b:v", kbps, "-maxrate", kbps, "-bufsize", kbps, "-g", str(GOP), "-pix_fmt", "yuv420p"]
    command += ["-forced-idr", "1", "-x264-params", f"force-cfr=1:keyint={GOP}:min-keyint={GOP}:scenecut=0"]
    command += ["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2"]
    if rtmp_url:  # the same two outputs as ours: the file and one stream
        command += ["-flags", "+global_header", "-f", "tee", f"[f=matroska]{output}|[f=flv:onfail=ignore]{rtmp_url}"]
    else:
        command += [str(output)]
    return command


def run_ffmpeg(folder: Path, pictures: dict[int, list[np.ndarray]], frames: int, rtmp_url: str | None) -> FfmpegResult:
    import imageio_ffmpeg

    inputs = []
    for number, jpegs in pictures.items():
        path = folder / f"camera{number}.mjpeg"  # a raw MJPEG stream: the JPEGs one after another
        with open(path, "wb") as handle:
            for jpeg in jpegs:
                handle.write(jpeg.tobytes())
        inputs.append(path)
    card = product_card()
    card_png = folder / "card.png"
    cv2.imwrite(str(card_png), card.bgra)
    output = folder / "ffmpeg.mkv"
    command = ffmpeg_command(imageio_ffmpeg.get_ffmpeg_exe(), inputs, card_png, (card.x, card.y), frames, output, rtmp_url)
    child = run_measured_child(command)
    notes = ["command: " + " ".join(command[1:])]
    if child.exit_code != 0:
        notes.append(f"ffmpeg exited {child.exit_code}: {child.stderr_tail}")
    frames_in_file = count_video_frames(output) if output.exists() and child.exit_code == 0 else None
    return FfmpegResult(frames, child.wall_s, child.cpu_s, child.peak_rss_mib, frames_in_file, notes)


# -- report -------------------------------------------------------------------------------------------------


def decode_cpu_s(by_thread: dict[str, float]) -> float:
    return sum(seconds for group, seconds in by_thread.items() if group.startswith(("capture", "decode")))


def print_ours(result: OursResult) -> None:
    frames = max(1, result.frames_produced)
    timers = result.timers
    stats = result.stats
    print(f"\nours: {result.frames_produced} frames in {result.seconds:.1f} s of real time (start to stopped)")
    print(f"{'stage':<44} {'CPU ms/frame':>13}")
    print("-" * 58)
    print(f"{'decode (capture + decode threads, 4 cameras)':<44} {1000 * decode_cpu_s(result.by_thread) / frames:>13.2f}")
    for name, counter in sorted(timers.stages.items()):
        print(f"{name:<44} {counter.cpu_ns / 1e6 / frames:>13.2f}")
    # x264 encodes on its own frame threads: encode_video() only hands the picture over.
    x264_workers_s = result.by_thread.get(NATIVE_WORKERS, 0.0)
    print(f"{'encode video: x264 worker threads':<44} {1000 * x264_workers_s / frames:>13.2f}")
    print(f"{'program thread, whole tick':<44} {timers.tick_cpu_ns / 1e6 / frames:>13.2f}")
    print(f"{'stream sender (ffmpeg child)':<44} {1000 * result.child_cpu_s / frames:>13.2f}")
    print(f"{'total (every thread + the sender child)':<44} {result.cpu_ms_per_frame:>13.2f}")
    decode_s = decode_cpu_s(result.by_thread)
    print(
        f"pictures delivered by the cameras: {result.pictures_delivered} "
        f"({result.pictures_delivered / result.seconds:.0f}/s); capture + decode threads "
        f"{1000 * decode_s / max(1, result.pictures_delivered):.2f} CPU-ms per delivered picture, "
        f"{100 * decode_s / result.seconds:.0f}% of one core"
    )
    if result.decodes:
        pictures = sum(count for count, _ in result.decodes.values())
        cpu_ns = sum(ns for _, ns in result.decodes.values())
        per_camera = ", ".join(f"{source} {count}" for source, (count, _) in result.decodes.items())
        print(
            f"decoded pictures: {pictures} ({per_camera}); "
            f"{cpu_ns / 1e6 / max(1, pictures):.2f} CPU-ms per decoded picture"
        )
    print("\nCPU by thread:")
    for group, seconds in sorted(result.by_thread.items(), key=lambda item: -item[1]):
        print(f"  {group:<46} {seconds:7.2f} s  {1000 * seconds / frames:7.2f} ms/frame")
    stream_drops = sum(sum(d.dropped_frames.values()) for d in result.destinations)
    print(
        f"\nreal-time drops: program skipped {stats.frames_dropped} ticks, lagged {stats.lagged_ticks} ticks, "
        f"recording repeated {stats.frames_repeated} and lost {stats.encoder_dropped}, stream dropped {stream_drops}; "
        f"encoder preset at the end: {stats.encoder_preset or 'veryfast'}"
    )
    if stats.encoder_preset and stats.encoder_preset != "veryfast":
        print(f"  WARNING: the encoder stepped down to {stats.encoder_preset} (overloaded): x264's figures are for that preset")
    for destination in result.destinations:
        print(f"  stream: {destination.line()}")
    print(
        f"tick time (wall): p50 {timers.tick_percentile_ms(50):.1f} ms, p99 {timers.tick_percentile_ms(99):.1f} ms, "
        f"max {timers.tick_percentile_ms(100):.1f} ms (buckets of {TICK_BUCKET_US} us)"
    )
    print(f"peak RSS {result.peak_rss_mib:.0f} MiB")
    if result.recording_frames is not None:
        print(f"recording: {result.recording_frames} video frames decoded back")
    for note in result.notes:
        print(f"  note: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="real-time run length (default 60)")
    parser.add_argument("--compare-ffmpeg", action="store_true", help="also run the ffmpeg command line on the same job")
    parser.add_argument("--no-stream", action="store_true", help="record only (no nginx-rtmp stream)")
    parser.add_argument("--keep", action="store_true", help="keep the output folder")
    parser.add_argument(
        "--decode-everything-full",
        action="store_true",
        help="the camera path before decode-on-demand: the devices refuse raw mode, so OpenCV decodes "
        "every picture of every camera at full size inside read()",
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")

    folder = Path(tempfile.mkdtemp(prefix="studio-cameras-bench-"))
    print(
        f"4 MJPEG cameras {CAMERA_W}x{CAMERA_H}@{FPS} -> GRID + PiP + product card, {CANVAS_W}x{CANVAS_H}@{FPS}, "
        f"x264 veryfast {BITRATE_KBPS} kb/s, record{'' if args.no_stream else ' + stream'}; {args.seconds:g} s; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; output in {folder}"
    )
    path = "every picture decoded at full size (baseline)" if args.decode_everything_full else "decoded on demand, at the shown size"
    print(f"camera path: {path}")
    started = time.perf_counter()
    from studio.engine.sources.jpeg_replay import make_camera_pictures

    pictures = {
        number: make_camera_pictures(name, rgb, count=PICTURES_PER_CAMERA, width=CAMERA_W, height=CAMERA_H, fps=FPS)
        for number, (name, rgb) in enumerate(CAMERAS.items())
    }
    sizes_kb = [jpeg.size / 1024 for jpegs in pictures.values() for jpeg in jpegs]
    print(
        f"{sum(len(p) for p in pictures.values())} JPEG pictures made in {time.perf_counter() - started:.1f} s, "
        f"{np.mean(sizes_kb):.0f} KB each on average"
    )
    server = None
    try:
        rtmp_url = None
        if not args.no_stream:
            from tests.servers import RtmpServer

            server = RtmpServer(folder / "rtmp")
            server.start()
            rtmp_url = server.url(STREAM_KEY)
        ours = run_ours(args.seconds, folder, pictures, rtmp_url, raw_mode=not args.decode_everything_full)
        print_ours(ours)
        if args.compare_ffmpeg:
            ffmpeg = run_ffmpeg(folder, pictures, ours.frames_produced, server.url("ffmpeg") if server else None)
            print(f"\n{'job':<28} {'frames':>7} {'in file':>8} {'wall s':>7} {'CPU s':>7} {'CPU ms/frame':>13} {'peak RSS':>9}")
            print("-" * 84)
            print(
                f"{'ours (real time)':<28} {ours.frames_produced:>7} {ours.recording_frames or '-':>8} {ours.seconds:>7.1f} "
                f"{ours.cpu_s + ours.child_cpu_s:>7.1f} {ours.cpu_ms_per_frame:>13.2f} {ours.peak_rss_mib:>5.0f} MiB"
            )
            rss = f"{ffmpeg.peak_rss_mib:>5.0f} MiB" if ffmpeg.peak_rss_mib else "-"
            print(
                f"{'ffmpeg CLI (as fast as it can)':<28} {ffmpeg.frames:>7} {ffmpeg.frames_in_file or '-':>8} {ffmpeg.wall_s:>7.1f} "
                f"{ffmpeg.cpu_s:>7.1f} {ffmpeg.cpu_ms_per_frame:>13.2f} {rss:>9}"
            )
            for note in ffmpeg.notes:
                print(f"  [ffmpeg] {note}")
            if ffmpeg.cpu_s > 0:
                ratio = ours.cpu_ms_per_frame / ffmpeg.cpu_ms_per_frame
                print(
                    f"\nCPU-ms per frame, ours / ffmpeg = {ours.cpu_ms_per_frame:.2f} / {ffmpeg.cpu_ms_per_frame:.2f} = {ratio:.3f}"
                )
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"\nfiles kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
