"""Where a studio with guests spends its CPU, for benchmarks/guest.py: one measured window of a
running engine, split by the role of each thread, with the children's and the rest of the
machine's CPU beside it, and the program's own counts over the window.

Threads are told apart by their Python names (aiortc names its decoder threads, the guest
service its loop and conversion pool, the engine its program, encode and capture threads).
Native threads have no name: the H.264 decoders' are recognised as the threads that appear
while each decoder decodes its first picture (StageTimers), the rest are x264's and the like.
"""

from __future__ import annotations

import functools
import os
import resource
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.comments import TickTimer
from benchmarks.pipeline import CLK_TCK, ThreadCpuSampler, cpu_s

STATS_EVERY_S = 10.0  # engine.stats().tick_ms_p99 covers the last 300 ticks: 10 s at 30 fps
SAMPLER_PERIOD_S = 0.5  # no thread of interest ends inside a window; fewer reads, less overhead

ROLE_VIDEO_DECODE = "aiortc video decoder threads (H.264)"
ROLE_AUDIO_DECODE = "aiortc audio decoder threads (Opus)"
ROLE_DECODER_NATIVE = "libavcodec threads of the H.264 decoders"
ROLE_CONVERSION = "guest-video conversion pool"
ROLE_LOOP = "guest service event loop"
ROLE_EXECUTOR = "the loop's executor (the return's encoders)"
ROLE_CAPTURE_GUESTS = "capture threads: guest sources"
ROLE_CAPTURE_LOCAL = "capture threads: local sources"
ROLE_PROGRAM = "program thread"
ROLE_ENCODE = "encode thread (x264 calls, AAC, mux)"
ROLE_NATIVE = "native workers (x264 frame threads...)"
ROLE_MAIN = "main thread (the benchmark)"
STAGE_RESAMPLE = "audio resample (on the loop)"
STAGE_RETURN_READ = "return: mix-minus read + s16 (on the loop)"
STAGE_OPUS = "return: Opus encode (executor)"
STAGE_CONVERT = "video conversion to I420 (pool)"
PROGRAM_COUNTS = ("frames_produced", "frames_dropped", "lagged_ticks", "frames_encoded", "frames_repeated", "encoder_dropped")


def role_of(name: str | None, tid: int, decoder_thread_ids: set[int], guest_names: set[str]) -> str:
    """The role of a thread, by its Python name; threads Python did not start have none."""
    if name is None:
        return ROLE_DECODER_NATIVE if tid in decoder_thread_ids else ROLE_NATIVE
    if name == "video-decoder":
        return ROLE_VIDEO_DECODE
    if name == "audio-decoder":
        return ROLE_AUDIO_DECODE
    if name.startswith("guest-video"):
        return ROLE_CONVERSION
    if name == "guest-service":
        return ROLE_LOOP
    if name.startswith("asyncio_"):  # the default executor: only the guest service's loop runs here
        return ROLE_EXECUTOR
    if name.startswith("capture:"):
        return ROLE_CAPTURE_GUESTS if name.removeprefix("capture:") in guest_names else ROLE_CAPTURE_LOCAL
    if name == "program":
        return ROLE_PROGRAM
    if name == "encode":
        return ROLE_ENCODE
    if name == "MainThread":
        return ROLE_MAIN
    return "other: " + name.split(" (")[0].rstrip("_0123456789")


def native_thread_ids() -> set[int]:
    python_ids = {thread.native_id for thread in threading.enumerate()}
    return {int(tid) for tid in os.listdir("/proc/self/task")} - python_ids


class StageTimers:
    """Thread CPU time inside a few guest calls, whichever threads make them, and the native
    threads of aiortc's H.264 decoders."""

    def __init__(self) -> None:
        self.cpu_ns: Counter = Counter()
        self.decoder_thread_ids: set[int] = set()
        self._lock = threading.Lock()
        self._restore: list[tuple[object, str, object]] = []

    def _wrap(self, owner: type, attribute: str, stage: str) -> None:
        original = getattr(owner, attribute)
        self._restore.append((owner, attribute, original))
        timers = self

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.thread_time_ns()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.thread_time_ns() - started
                with timers._lock:
                    timers.cpu_ns[stage] += elapsed

        setattr(owner, attribute, timed)

    def _watch_decoder_threads(self) -> None:
        """x264's frame threads are as nameless as libavcodec's decoder threads, and a preset
        step-down starts new ones, so the start order cannot tell them apart: a decoder's
        threads are those that appear while it decodes its first picture (PyAV opens the codec,
        and FFmpeg starts its slice threads, then)."""
        from aiortc.codecs.h264 import H264Decoder

        original = H264Decoder.decode
        self._restore.append((H264Decoder, "decode", original))
        timers = self

        @functools.wraps(original)
        def decode(decoder, encoded_frame):
            if getattr(decoder, "_benchmark_seen", False):
                return original(decoder, encoded_frame)
            decoder._benchmark_seen = True
            before = native_thread_ids()
            try:
                return original(decoder, encoded_frame)
            finally:
                started = native_thread_ids() - before
                with timers._lock:
                    timers.decoder_thread_ids |= started

        H264Decoder.decode = decode

    def install(self) -> None:
        from aiortc.codecs.opus import OpusEncoder

        from studio.guests.receive import GuestAudioConverter, GuestVideoConverter
        from studio.guests.return_media import ReturnAudioTrack

        self._wrap(GuestAudioConverter, "samples", STAGE_RESAMPLE)
        self._wrap(GuestVideoConverter, "engine_frame", STAGE_CONVERT)
        self._wrap(ReturnAudioTrack, "_next_samples", STAGE_RETURN_READ)
        self._wrap(OpusEncoder, "encode", STAGE_OPUS)
        self._watch_decoder_threads()

    def uninstall(self) -> None:
        for owner, attribute, original in reversed(self._restore):
            setattr(owner, attribute, original)
        self._restore.clear()

    def snapshot_s(self) -> dict[str, float]:
        with self._lock:
            return {stage: ns / 1e9 for stage, ns in self.cpu_ns.items()}


def process_ticks(pid: int) -> int:
    """utime + stime of another process (a child), in clock ticks; 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return 0
    fields = stat[stat.rindex(b")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def machine_busy_ticks() -> int:
    """Ticks all cores of the machine spent not idle, since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = values[3], values[4]
    return sum(values[:8]) - idle - iowait


@dataclass
class Window:
    """One measured stretch of the run."""

    seconds: float
    process_cpu_s: float
    roles_s: dict[str, float]
    children_s: dict[str, float]
    machine_busy_s: float
    program: dict[str, int]  # PROGRAM_COUNTS over the window
    tick_p99s_ms: list[float]
    tick_max_ms: float
    encoder_preset: str
    stages_s: dict[str, float]
    guest_frames: dict[str, int]  # frames into each guest's feed
    load_average: tuple[float, float]  # 1-minute load average at the start and at the end
    tick_split: str  # TickTimer's summary: each tick's own CPU, wait for a core, wait otherwise (the GIL)

    def percent(self, seconds: float) -> float:
        """CPU seconds over the window as a percentage of one core."""
        return 100 * seconds / self.seconds

    @property
    def others_s(self) -> float:
        """What the rest of the machine used meanwhile: other helpers' work on a shared machine."""
        # Clamped: the machine's and the process's counters are read a moment apart.
        return max(0.0, self.machine_busy_s - self.process_cpu_s - sum(self.children_s.values()))


def measure(
    engine, seconds: float, *, guests: dict[str, str], children: dict[str, int], timers: StageTimers, tick_timer: TickTimer
) -> Window:
    """Run `seconds` and measure; `guests` maps guest source ids to their names, `children`
    labels to the pids of child processes; `tick_timer` wraps the engine's program loop."""
    sampler = ThreadCpuSampler(SAMPLER_PERIOD_S)
    for ticks in (tick_timer.durations_ms, tick_timer.late_ms, tick_timer.cpu_ms, tick_timer.core_wait_ms):
        ticks.clear()
    tick_timer.recording = True
    load_before = os.getloadavg()[0]
    children_before = {label: process_ticks(pid) for label, pid in children.items()}
    stages_before = timers.snapshot_s()
    feeds = {gid: engine.guest_feed(gid) for gid in guests}
    frames_before = {gid: feed.frames_received for gid, feed in feeds.items()}
    stats_before = engine.stats()
    machine_before = machine_busy_ticks()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    sampler.start()
    started = time.monotonic()
    p99s, tick_max = [], 0.0
    next_stats = started + STATS_EVERY_S
    deadline = started + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        time.sleep(min(remaining, max(0.0, next_stats - time.monotonic())))
        if time.monotonic() >= next_stats - 0.01:
            stats = engine.stats()
            p99s.append(stats.tick_ms_p99)
            tick_max = max(tick_max, stats.tick_ms_max)
            print(
                f"  ... {time.monotonic() - started:4.0f} s: dropped {stats.frames_dropped - stats_before.frames_dropped}, "
                f"lagged {stats.lagged_ticks - stats_before.lagged_ticks}, tick p99 {stats.tick_ms_p99:.1f} ms, "
                f"load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            next_stats += STATS_EVERY_S
    elapsed = time.monotonic() - started
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    machine_after = machine_busy_ticks()
    stats_after = engine.stats()
    tick_timer.recording = False
    sampler.stop()
    if not p99s or elapsed - STATS_EVERY_S * len(p99s) > 1.0:  # the window's tail (overlaps the last 10 s)
        p99s.append(stats_after.tick_ms_p99)
        tick_max = max(tick_max, stats_after.tick_ms_max)
    roles: Counter = Counter()
    guest_names = set(guests.values())
    for tid, ticks in sampler.cpu_ticks.items():
        role = role_of(sampler.names.get(tid), tid, timers.decoder_thread_ids, guest_names)
        roles[role] += (ticks - sampler.baseline.get(tid, 0)) / CLK_TCK
    sampler_s = roles.pop("other: bench-sampler", 0.0)
    stages_after = timers.snapshot_s()
    return Window(
        seconds=elapsed,
        process_cpu_s=cpu_s(usage_after) - cpu_s(usage_before) - sampler_s,
        roles_s=dict(roles),
        children_s={label: (process_ticks(pid) - children_before[label]) / CLK_TCK for label, pid in children.items()},
        machine_busy_s=(machine_after - machine_before) / CLK_TCK - sampler_s,
        program={name: getattr(stats_after, name) - getattr(stats_before, name) for name in PROGRAM_COUNTS},
        tick_p99s_ms=p99s,
        tick_max_ms=tick_max,
        encoder_preset=stats_after.encoder_preset or "veryfast",
        stages_s={stage: stages_after[stage] - stages_before.get(stage, 0.0) for stage in stages_after},
        guest_frames={gid: feed.frames_received - frames_before[gid] for gid, feed in feeds.items()},
        load_average=(load_before, os.getloadavg()[0]),
        tick_split=tick_timer.summary(engine.show.canvas.fps),
    )
