"""Glass-to-glass latency of each kind of destination, measured on loopback.

The engine draws each tick's media time in ms as a time code into every program picture
(Engine.stamp_program_timecode, studio/engine/graphics/timecode.py); a receiver on this machine
decodes what arrives, reads the code back and subtracts it from its own monotonic clock (the
engine's real-time clock is time.monotonic_ns, so both sides share one clock). Paths:

- rtmp: our sender child (FFmpeg, Matroska on its stdin, copied to FLV) -> the tests' private
  nginx-rtmp -> a PyAV player with low-delay flags.
- srt / srt tuned: the SRT sender -> an FFmpeg SRT listener (remux to MPEG-TS on its stdout)
  -> PyAV; at the sender's default latency and at a tuned one (--srt-tuned-latency-ms).
- whip: the WHIP sender -> tests/whip_endpoint.py (aiortc decodes; its arrival time and the
  picture's code).
- reference rtmp / reference srt: no engine. Python writes stamped raw pictures at 30 fps into
  a plain FFmpeg (x264 veryfast zerolatency, video only) that pushes FLV to the same nginx, or
  MPEG-TS over SRT (FFmpeg's libsrt, the tuned latency) to the same kind of receiver, read back
  the same way: the floor of FFmpeg + the protocol + the server + the player, to tell our own
  hold-back from theirs.

Besides, for every engine path: the encoder floor (tick to the encoded packet leaving the
encoder, hooked on the encode thread) and the destination queue (tick to the sender thread
taking the packet for the child). Each row prints p50/p95/max and what the path adds over the
encoder floor at the same percentile.

    PYTHONPATH=. .venv/bin/python benchmarks/latency.py [--seconds 15] [--paths rtmp,srt,whip]
    PYTHONPATH=. .venv/bin/python benchmarks/latency.py --paths rtmp --mux-options-before
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from studio.engine.clock import NS_PER_MS, NS_PER_SECOND  # noqa: E402
from studio.engine.graphics.timecode import draw_timecode_y, read_timecode_y  # noqa: E402

WARM_UP_S = 2.0  # samples from a receiver's first 2 s are left out (its start-up burst)
LIVE_TIMEOUT_S = 20.0
PATHS = ("rtmp", "srt", "srt-tuned", "whip", "reference")
# What the sender thread muxed with before this benchmark found the hold-back (--mux-options-before).
MUX_OPTIONS_BEFORE = {"live": "1", "flush_packets": "1"}


@dataclass
class PathResult:
    name: str
    latencies_ms: list[float] = field(default_factory=list)  # tick (or stamp) -> decoded
    encoder_ms: list[float] = field(default_factory=list)  # tick -> packet out of the encoder
    queue_ms: list[float] = field(default_factory=list)  # tick -> sender thread takes it
    note: str = ""
    started_ns: int = 0  # when the measuring window began (monotonic)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))]


def figures(values: list[float]) -> tuple[float, float, float]:
    return percentile(values, 0.5), percentile(values, 0.95), max(values)


# -- the receivers ---------------------------------------------------------------------------------


def luma_of(frame) -> np.ndarray:
    """The Y plane of a decoded PyAV frame as a (height, width) view (no copy)."""
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : frame.width]


class StampReader:
    """A thread that decodes a container's video with PyAV and records, per picture whose time
    code it reads, the monotonic ms now minus the code."""

    def __init__(self, open_container, name: str) -> None:
        self._open = open_container
        self.latencies_ms: list[float] = []
        self.pictures = 0
        self.error = ""
        self._stop = threading.Event()
        self._first_ns: int | None = None
        self._thread = threading.Thread(target=self._run, name=f"reader {name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import av

        try:
            container = self._open()
        except Exception as error:  # the row says why
            self.error = f"could not open: {error}"
            return
        try:
            configured = set()
            # FLV makes its streams as their first packets come (one may be missing after the
            # probe): demux everything, decode the video.
            for packet in container.demux():
                if self._stop.is_set():
                    break
                if packet.stream.type != "video":
                    continue
                if packet.stream.index not in configured:
                    configured.add(packet.stream.index)
                    context = packet.stream.codec_context
                    # Frame threads hold a picture each: slices only, and ask for low delay.
                    context.thread_type = "SLICE"
                    context.flags |= av.codec.context.Flags.low_delay
                for frame in packet.decode():
                    now_ns = time.monotonic_ns()
                    self.pictures += 1
                    code = read_timecode_y(luma_of(frame))
                    if code is None:
                        continue
                    if self._first_ns is None:
                        self._first_ns = now_ns
                    if now_ns - self._first_ns >= WARM_UP_S * NS_PER_SECOND:
                        self.latencies_ms.append(now_ns / NS_PER_MS - code)
        except Exception as error:
            if not self._stop.is_set():
                self.error = f"reading failed: {error}"
        finally:
            container.close()

    def wait_for_first_code(self, timeout_s: float = 20.0) -> None:
        """Until the first picture with a code is decoded (opening a player probes for seconds),
        or the reader failed; the measuring window starts after it."""
        from tests.servers import poll_until

        poll_until(lambda: self._first_ns is not None or self.error or not self._thread.is_alive(), timeout_s,
                   "the first picture with a time code")

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)


def low_delay_options() -> dict[str, str]:
    """What a low-delay player sets: no demuxer buffering, a short probe."""
    return {"fflags": "nobuffer", "flags": "low_delay", "probesize": "65536", "analyzeduration": "500000"}


def open_rtmp_player(url: str):
    import av

    # A player that joins mid-GOP sees only audio until nginx-rtmp sends the next keyframe: the
    # probe waits up to 3 s for the video (a start-up cost; the backlog it reads is drained at once).
    options = {**low_delay_options(), "rtmp_live": "live", "analyzeduration": "3000000", "probesize": "5000000"}
    return lambda: av.open(url, options=options, timeout=(15, 10))


class SrtReceiver:
    """An SRT listener on a free UDP port handing what arrives (MPEG-TS) to a StampReader on a
    pipe (the PyPI PyAV has no SRT): srt-live-transmit when installed (unbuffered by stdbuf,
    it passes the TS on as it comes), else FFmpeg (-c copy; its MPEG-TS demuxer holds each picture until the next)."""

    def __init__(self, ffmpeg: str, latency_ms: int | None) -> None:
        import shutil

        from tests.servers import free_port, wait_for_bind

        self.port = free_port(socket.SOCK_DGRAM)
        live_transmit = shutil.which("srt-live-transmit")
        if live_transmit:
            query = "mode=listener" + (f"&latency={latency_ms}" if latency_ms is not None else "")  # ms
            command = [live_transmit, "-a:no", "-q", "-ll:error", f"srt://:{self.port}?{query}", "file://con"]
            # Its console output is C stdio, fully buffered on a pipe: 4 KB (at a still picture's
            # bitrate, ~100 ms) waited in it. Unbuffered, each SRT packet is written as it comes.
            if shutil.which("stdbuf"):
                command = ["stdbuf", "-o0", *command]
        else:
            query = "mode=listener" + (f"&latency={latency_ms * 1000}" if latency_ms is not None else "")  # us
            command = [
                ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-fflags", "nobuffer",
                "-probesize", "65536", "-analyzeduration", "500000",
                "-i", f"srt://127.0.0.1:{self.port}?{query}", "-map", "0", "-c", "copy",
                # its own muxer holds nothing back: no waiting for audio, one PES per packet
                "-max_interleave_delta", "1", "-pes_payload_size", "0",
                "-flush_packets", "1", "-f", "mpegts", "pipe:1",
            ]  # fmt: skip
        self.receiver = "srt-live-transmit" if live_transmit else "FFmpeg"
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True
        )
        if not wait_for_bind(self.process, [(self.port, socket.SOCK_DGRAM)], 10, "the SRT listener"):
            raise RuntimeError(f"the SRT listener could not bind UDP {self.port}")

    def url(self, latency_ms: int | None) -> str:
        return f"srt://127.0.0.1:{self.port}" + (f"?latency={latency_ms * 1000}" if latency_ms is not None else "")

    def opener(self):
        import av

        # FFmpeg's own pipe protocol on the descriptor: a Python file object's read(n) would wait
        # for all n bytes (32 KB is half a second of a flat picture), a read() syscall does not.
        url = f"pipe:{self.process.stdout.fileno()}"
        return lambda: av.open(url, "r", format="mpegts", options=low_delay_options())

    def close(self) -> None:
        end_process_group(self.process)


def end_process_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(10)


# -- the engine side -------------------------------------------------------------------------------


class EngineProbe:
    """The sync show in real time with the program time code on, and two hooks: when each video
    packet leaves the encoder (the encode thread's delivery) and when a sender thread takes it
    for its child (EncodedPacket.to_packet, called right before the mux)."""

    def __init__(self, mux_options_before: bool) -> None:
        from studio.app import build_engine
        from studio.engine.builtin_shows import sync_show_data
        from studio.engine.outputs import stream
        from studio.engine.show import parse_show

        self.engine = build_engine(parse_show(sync_show_data()))
        self.engine.stamp_program_timecode()
        self.encoder_ms: list[float] = []
        self.queue_ms: list[float] = []
        self._encode = self.engine._encode_thread
        self._fps = self.engine.show.canvas.fps
        deliver = self._encode._deliver

        def timed_deliver(packet, *, is_video: bool) -> None:
            if is_video:
                self._record(self.encoder_ms, packet.pts * packet.time_base)
            deliver(packet, is_video=is_video)

        self._encode._deliver = timed_deliver
        to_packet = stream.EncodedPacket.to_packet

        def timed_to_packet(packet):
            if packet.is_video:
                self._record(self.queue_ms, Fraction(packet.dts) * packet.time_base)
            return to_packet(packet)

        stream.EncodedPacket.to_packet = timed_to_packet
        if mux_options_before:  # the sender thread's muxer and the RTMP child as they were
            from studio.engine.outputs import senders

            stream.av = _AvWithMuxOptions(MUX_OPTIONS_BEFORE)
            senders.LOW_DELAY_MUXING.clear()

    def _record(self, into: list[float], media_s: Fraction) -> None:
        now_ns = time.monotonic_ns()
        tick = self._encode._first_tick + round(media_s * self._fps)
        into.append((now_ns - self.engine.tick_time_ns(tick)) / NS_PER_MS)

    def start(self) -> None:
        self.engine.start()

    def stop(self) -> None:
        self.engine.stop()

    def go_live(self, target) -> None:
        from studio.engine.outputs.stream import OutputState
        from tests.servers import poll_until

        self.engine.start_streaming([target])

        def live():
            stats = self.engine.destination_stats()
            return stats and stats[0].state is OutputState.LIVE

        poll_until(live, LIVE_TIMEOUT_S, f"{target.masked_url} LIVE")

    def end_stream(self) -> None:
        from tests.servers import poll_until

        self.engine.stop_streaming()
        poll_until(lambda: not self.engine.destination_stats(), 15, "the destination to close")

    def window(self) -> tuple[int, int]:
        return len(self.encoder_ms), len(self.queue_ms)


class _AvWithMuxOptions:
    """PyAV, except that av.open for writing Matroska gets these options (the old ones)."""

    def __init__(self, options: dict[str, str]) -> None:
        import av

        self._av = av
        self._options = options

    def __getattr__(self, name):
        return getattr(self._av, name)

    def open(self, file, mode="r", **kwargs):
        if mode == "w" and kwargs.get("format") == "matroska":
            kwargs["options"] = dict(self._options)
        return self._av.open(file, mode, **kwargs)


def measure_engine_path(probe: EngineProbe, name: str, target, opener, seconds: float) -> PathResult:
    result = PathResult(name)
    probe.go_live(target)
    reader = StampReader(opener, name) if opener is not None else None
    try:
        if reader is not None:
            reader.wait_for_first_code()
        encoder_start, queue_start = probe.window()
        started_ns = time.monotonic_ns()
        time.sleep(WARM_UP_S + seconds)  # the measuring window: the stream runs in real time
    finally:
        encoder_end, queue_end = probe.window()
        link = next(iter(probe.engine.destination_stats()), None)
        if reader is not None:
            reader.stop()
        probe.end_stream()
    result.encoder_ms = probe.encoder_ms[encoder_start:encoder_end]
    result.queue_ms = probe.queue_ms[queue_start:queue_end]
    if reader is not None:
        result.latencies_ms = reader.latencies_ms
        result.note = reader.error or f"{reader.pictures} pictures decoded"
    if link is not None and link.srt is not None and link.srt.latency_ms:
        result.note += f"; SRT latency {link.srt.latency_ms} ms"
    result.started_ns = started_ns
    return result


def measure_rtmp(probe: EngineProbe, server, seconds: float) -> PathResult:
    from studio.engine.outputs.stream_target import StreamTarget

    url = server.url("bench")
    return measure_engine_path(probe, "rtmp (nginx-rtmp)", StreamTarget("bench", url), open_rtmp_player(url), seconds)


def measure_srt(probe: EngineProbe, ffmpeg: str, latency_ms: int | None, seconds: float) -> PathResult:
    from studio.engine.outputs.stream_target import StreamTarget

    receiver = SrtReceiver(ffmpeg, latency_ms)
    label = f"srt (latency {latency_ms} ms)" if latency_ms is not None else "srt (the sender's default latency)"
    try:
        return measure_engine_path(
            probe, label, StreamTarget("bench", receiver.url(latency_ms)), receiver.opener(), seconds
        )
    finally:
        receiver.close()


def whip_unavailable() -> str:
    if importlib.util.find_spec("studio.engine.outputs.whip_sender") is None:
        return "not available yet: studio/engine/outputs/whip_sender.py does not exist"
    if not (REPO / "tests" / "whip_endpoint.py").exists():
        return "not available yet: tests/whip_endpoint.py does not exist"
    return ""


def measure_whip(probe: EngineProbe, seconds: float) -> PathResult:
    import secrets

    from studio.engine.outputs.stream_target import StreamTarget
    from tests.whip_endpoint import WhipEndpoint

    token = secrets.token_urlsafe(16)
    with WhipEndpoint(token) as endpoint:
        result = measure_engine_path(
            probe, "whip (aiortc endpoint)", StreamTarget("bench", endpoint.url(), bearer_token=token), None, seconds
        )
        first_ns = None
        packets_ms = []  # tick -> the picture's last RTP packet in (before jitter buffer and decoder)
        for picture in endpoint.pictures():
            if picture.timecode is None or picture.arrival_ns < result.started_ns:
                continue
            first_ns = first_ns or picture.arrival_ns
            if picture.arrival_ns - first_ns >= WARM_UP_S * NS_PER_SECOND:
                result.latencies_ms.append(picture.arrival_ns / NS_PER_MS - picture.timecode)
                if picture.packets_arrival_ns is not None:
                    packets_ms.append(picture.packets_arrival_ns / NS_PER_MS - picture.timecode)
        if not result.latencies_ms:
            result.note = f"{len(endpoint.pictures())} pictures arrived, none with a readable code"
        elif packets_ms:
            p50, p95, top = figures(packets_ms)
            result.note = f"last RTP packet in: {p50:.0f}/{p95:.0f}/{top:.0f}"
    return result


# -- the reference push: plain FFmpeg, no engine ---------------------------------------------------


def measure_reference(ffmpeg: str, output: list[str], opener, name: str, seconds: float,
                      width: int = 1280, height: int = 720, fps: int = 30) -> PathResult:
    """Stamped raw pictures written at `fps` on the monotonic clock into a plain FFmpeg that
    encodes like ours (x264 veryfast zerolatency, video only) and sends to `output` (its
    format and URL); read back by `opener` like the engine's row of the same kind. What it
    measures is FFmpeg's encode + the protocol + the server or receiver + the player."""
    pusher = subprocess.Popen(
        [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
         "-video_size", f"{width}x{height}", "-framerate", str(fps), "-i", "pipe:0",
         "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", str(2 * fps), "-b:v", "3000k",
         *output],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    picture = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
    picture[:height] = 60
    stop = threading.Event()

    def push() -> None:
        start_ns = time.monotonic_ns()
        index = 0
        try:
            while not stop.is_set():
                due_ns = start_ns + index * NS_PER_SECOND // fps
                delay_s = (due_ns - time.monotonic_ns()) / NS_PER_SECOND
                if delay_s > 0:
                    stop.wait(delay_s)  # pacing at the frame rate, as a camera would
                draw_timecode_y(picture[:height], due_ns // NS_PER_MS)
                pusher.stdin.write(picture.tobytes())
                pusher.stdin.flush()
                index += 1
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=push, name="reference pusher", daemon=True)
    writer.start()
    result = PathResult(name)
    try:
        reader = StampReader(opener, name)
        reader.wait_for_first_code()
        time.sleep(WARM_UP_S + seconds)  # the measuring window
        reader.stop()
        result.latencies_ms = reader.latencies_ms
        result.note = reader.error or f"{reader.pictures} pictures decoded"
    finally:
        stop.set()
        writer.join(5)
        end_process_group(pusher)
    return result


def measure_reference_rtmp(ffmpeg: str, server, seconds: float) -> PathResult:
    url = server.url("reference")
    return measure_reference(ffmpeg, ["-f", "flv", url], open_rtmp_player(url), "reference rtmp (plain FFmpeg push)", seconds)


def measure_reference_srt(ffmpeg: str, latency_ms: int, seconds: float) -> PathResult:
    receiver = SrtReceiver(ffmpeg, latency_ms)
    try:
        output = ["-flush_packets", "1", "-f", "mpegts", receiver.url(latency_ms)]
        name = f"reference srt {latency_ms} ms (plain FFmpeg)"
        return measure_reference(ffmpeg, output, receiver.opener(), name, seconds)
    finally:
        receiver.close()


# -- report ----------------------------------------------------------------------------------------


def print_results(results: list[PathResult], skipped: dict[str, str]) -> None:
    floors = [value for result in results for value in result.encoder_ms]
    print()
    print(f"{'path':42} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}   added over the encoder (p50/p95/max)")
    if floors:
        p50, p95, top = figures(floors)
        print(f"{'encoder floor (tick -> packet out of x264)':42} {len(floors):5} {p50:7.0f} {p95:7.0f} {top:7.0f}")
    queue = [value for result in results for value in result.queue_ms]
    if queue:
        p50, p95, top = figures(queue)
        print(f"{'  + destination queue (-> sender thread)':42} {len(queue):5} {p50:7.0f} {p95:7.0f} {top:7.0f}")
    for result in results:
        if not result.latencies_ms:
            print(f"{result.name:42}   no samples: {result.note}")
            continue
        p50, p95, top = figures(result.latencies_ms)
        line = f"{result.name:42} {len(result.latencies_ms):5} {p50:7.0f} {p95:7.0f} {top:7.0f}"
        if result.encoder_ms:
            f50, f95, ftop = figures(result.encoder_ms)
            # Differences of percentiles, not per picture: a spike of the encoder's own (another
            # child competing for the CPU) can make one negative.
            line += f"   {p50 - f50:+.0f} / {p95 - f95:+.0f} / {top - ftop:+.0f}"
        print(line + (f"   ({result.note})" if result.note else ""))
    for name, why in skipped.items():
        print(f"{name:42}   {why}")
    print("all figures in ms; one frame of x264 zerolatency at 30 fps is 33 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per path (after a 2 s warm-up)")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"comma-separated, of {', '.join(PATHS)}")
    parser.add_argument("--srt-tuned-latency-ms", type=int, default=40, help="the SRT latency of the tuned row")
    parser.add_argument("--mux-options-before", action="store_true",
                        help="the sender's muxing as it was before (Matroska clusters, interleaving): the hold-back")
    args = parser.parse_args()
    paths = [path.strip() for path in args.paths.split(",") if path.strip()]
    unknown = sorted(set(paths) - set(PATHS))
    if unknown:
        parser.error(f"--paths: unknown {', '.join(unknown)}; expected some of {', '.join(PATHS)}")

    from tests.servers import RtmpServer, ffmpeg_exe

    ffmpeg = ffmpeg_exe()
    results: list[PathResult] = []
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="latency-") as folder:
        server = RtmpServer(Path(folder) / "nginx") if {"rtmp", "reference"} & set(paths) else None
        if server is not None:
            server.start()
        try:
            if "reference" in paths:
                results.append(measure_reference_rtmp(ffmpeg, server, args.seconds))
                results.append(measure_reference_srt(ffmpeg, args.srt_tuned_latency_ms, args.seconds))
            engine_paths = [path for path in paths if path != "reference"]
            if "whip" in engine_paths and whip_unavailable():
                skipped["whip (aiortc endpoint)"] = whip_unavailable()
                engine_paths.remove("whip")
            if engine_paths:
                probe = EngineProbe(args.mux_options_before)
                probe.start()
                try:
                    for path in engine_paths:
                        if path == "rtmp":
                            results.append(measure_rtmp(probe, server, args.seconds))
                        elif path == "srt":
                            results.append(measure_srt(probe, ffmpeg, None, args.seconds))
                        elif path == "srt-tuned":
                            results.append(measure_srt(probe, ffmpeg, args.srt_tuned_latency_ms, args.seconds))
                        elif path == "whip":
                            results.append(measure_whip(probe, args.seconds))
                        print(f"measured {results[-1].name}", flush=True)
                finally:
                    stats = probe.engine.stats()
                    probe.stop()
                print(
                    f"program: {stats.frames_produced} produced, {stats.frames_dropped} dropped, "
                    f"{stats.lagged_ticks} lagged; encoder preset {stats.encoder_preset}"
                    + (" (sender muxing with the options from before)" if args.mux_options_before else "")
                )
        finally:
            if server is not None:
                server.stop()
    print_results(results, skipped)


if __name__ == "__main__":
    main()
