"""The comments API under load while the show runs: what it costs the program thread.

The studio side (this process): the demo show in real time at 1920x1080/30, recording to a
temporary .mkv; a real CommentDesk (the Moderator, a CommentStore in SQLite/WAL, its events, its
cards and ticker) behind the comments API on a free loopback port. The API runs in its own
process (CommentsApiProcess, as the app runs it) or, with --api-in-process, on a thread of this
one (CommentsApiServer). --no-comments is the baseline: the same show and recording, no API, no
load.

The viewers' side (a child process, as platform bridges would be): --clients WebSocket
connections sending --rate messages/s in all (one message per frame, each frame with a seq),
open loop on a fixed schedule, for --seconds; about --duplicates of the messages re-send an id
the same client sent before (platforms do re-send). Each message's ack latency is the time
from sending its frame to reading the reply frame that acknowledges it (after it is stored).
--burst N adds one HTTP POST of N messages every second; --pin-every-s pins the newest comment
from a thread of this process (the card is drawn there); --ticker turns the comment ticker on.

Prints the program thread's tick time (p50/p99/max of the time each tick takes, and how late
each tick starts), frames produced, dropped and lagged, the encoder's drops, the CPU of each
thread (and of the API's process), the comment work's CPU per message, the ack latency
p50/p99/max and the API's batches. Checks: every message sent was acknowledged; every
acknowledged (platform, id) is in the store, and the store holds exactly as many rows as there
are distinct acknowledged ids; the re-sent ones came back as duplicates.

    cd /work/main && PYTHONPATH=. python benchmarks/comments.py --seconds 30
    PYTHONPATH=. python benchmarks/comments.py --seconds 30 --no-comments      # the baseline
    PYTHONPATH=. python benchmarks/comments.py --seconds 30 --api-in-process   # the API on a thread
    PYTHONPATH=. python benchmarks/comments.py --seconds 28 --burst 1000 --pin-every-s 1
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOKEN_ENV = "STUDIO_BENCH_COMMENTS_TOKEN"  # the token goes to the child in its environment, never on a command line
PLATFORMS = ("douyin", "kuaishou", "taobao", "tiktok")
USERS = ("小美", "阿强", "Lily", "星星✨", "buyer_42", "王姐", "Tom", "🐱猫猫")
TEXTS = (
    "3号多少钱？", "想要想要!", "上链接上链接", "有货吗", "这个尺码多大", "link please", "how much is the mug?",
    "主播好漂亮 😍", "拍了拍了", "sold out?", "M码还有吗", "红色的好看🔥", "价格多少", "2号呢", "已下单",
)  # fmt: skip


# -- the viewers' side (child process) -----------------------------------------------------------------


async def _client(index: int, url: str, token: str, rate: float, seconds: float, duplicates: float, out: dict) -> None:
    import aiohttp

    rng = random.Random(index)
    platform = PLATFORMS[index % len(PLATFORMS)]
    loop = asyncio.get_running_loop()
    pending: dict[int, float] = {}
    sent_ids: list[str] = []
    total = round(rate * seconds)
    done_sending = asyncio.Event()
    all_answered = asyncio.Event()
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session, session.ws_connect(url, headers=headers, max_msg_size=8 * 1024 * 1024) as ws:

        async def read() -> None:
            async for frame in ws:
                now = loop.time()
                reply = json.loads(frame.data)
                sent_at = pending.pop(reply["seq"])
                for result in reply["results"]:
                    if result["ok"]:
                        out["latencies_ms"].append(1000 * (now - sent_at))
                        out["acked"].append((result["platform"], result["id"], result["duplicate"]))
                    else:
                        out["errors"][result["error"][:60]] = out["errors"].get(result["error"][:60], 0) + 1
                if done_sending.is_set() and not pending:
                    all_answered.set()
                    return

        reader = asyncio.create_task(read())
        start = loop.time()
        sent = 0
        while sent < total:
            now = loop.time()
            due = min(total, int((now - start) * rate) + 1)
            out["max_behind_ms"] = max(out["max_behind_ms"], 1000 * (now - start - sent / rate))
            while sent < due:
                if sent_ids and rng.random() < duplicates:
                    message_id = rng.choice(sent_ids)
                    out["duplicates_sent"] += 1
                else:
                    message_id = f"c{index}-{sent}"
                    sent_ids.append(message_id)
                message = {
                    "id": message_id, "platform": platform, "user": rng.choice(USERS), "text": rng.choice(TEXTS),
                    "kind": "comment", "ts": time.time(),
                }  # fmt: skip
                pending[sent] = loop.time()
                await ws.send_str(json.dumps({"seq": sent, "messages": [message]}, ensure_ascii=False))
                sent += 1
                out["sent"] += 1
            await asyncio.sleep(0.002)
        done_sending.set()
        if not pending:
            all_answered.set()
        try:
            await asyncio.wait_for(all_answered.wait(), 60)
        except TimeoutError:
            out["unanswered"] += len(pending)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)


async def _burster(url: str, token: str, size: int, seconds: float, out: dict) -> None:
    """One HTTP POST of `size` messages every second (a bridge catching up after a reconnect)."""
    import aiohttp

    rng = random.Random(-1)
    loop = asyncio.get_running_loop()
    headers = {"Authorization": f"Bearer {token}"}
    start = loop.time()
    async with aiohttp.ClientSession(headers=headers) as session:
        for round_number in range(int(seconds)):
            await asyncio.sleep(max(0.0, start + round_number + 0.5 - loop.time()))
            messages = [
                {"id": f"burst{round_number}-{index}", "platform": "douyin", "user": rng.choice(USERS), "text": rng.choice(TEXTS), "ts": time.time()}
                for index in range(size)
            ]  # fmt: skip
            sent_at = loop.time()
            out["sent"] += size
            async with session.post(url.replace("ws://", "http://", 1).removesuffix("/ws") + "/comments", json=messages) as response:
                reply = await response.json()
            out["burst_ms"].append(1000 * (loop.time() - sent_at))
            for result in reply.get("results", []):
                if result.get("ok"):
                    out["acked"].append((result["platform"], result["id"], result["duplicate"]))
                else:
                    out["errors"][result["error"][:60]] = out["errors"].get(result["error"][:60], 0) + 1


async def _load(url: str, token: str, clients: int, rate: float, seconds: float, duplicates: float, burst: int) -> dict:
    out = {
        "sent": 0, "duplicates_sent": 0, "acked": [], "latencies_ms": [], "burst_ms": [], "errors": {}, "unanswered": 0,
        "max_behind_ms": 0.0,
    }  # fmt: skip
    start = time.monotonic()
    senders = [_client(index, url, token, rate / clients, seconds, duplicates, out) for index in range(clients)]
    if burst:
        senders.append(_burster(url, token, burst, seconds, out))
    await asyncio.gather(*senders)
    out["wall_s"] = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = usage.ru_utime + usage.ru_stime
    return out


def load_generator(arguments: argparse.Namespace) -> None:
    token = os.environ[TOKEN_ENV]
    out = asyncio.run(
        _load(arguments.load_url, token, arguments.clients, arguments.rate, arguments.seconds, arguments.duplicates, arguments.burst)
    )
    Path(arguments.load_out).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


# -- the studio side ---------------------------------------------------------------------------------------


class TickTimer:
    """How long each program tick takes, how late it starts, and where its time goes, measured
    around the program loop's tick step (benchmark-only: it reaches into the engine's
    ProgramLoop). Within a tick: the thread's own CPU time, its wait for a free core (the
    kernel's run-queue wait, /proc/thread-self/schedstat on Linux), and the rest, which is
    mostly waiting for the GIL. Bounded: the last MAX_TICKS ticks."""

    MAX_TICKS = 200_000

    def __init__(self, engine) -> None:
        program = engine._program
        self._program = program
        self._clock = engine.clock
        self._tick_step = program._run_tick
        self._schedstat_fd: int | None = None
        self.program_thread_id: int | None = None
        self.durations_ms: deque[float] = deque(maxlen=self.MAX_TICKS)
        self.late_ms: deque[float] = deque(maxlen=self.MAX_TICKS)
        self.cpu_ms: deque[float] = deque(maxlen=self.MAX_TICKS)
        self.core_wait_ms: deque[float] = deque(maxlen=self.MAX_TICKS)
        self.recording = False
        program._run_tick = self._timed_tick

    def _run_queue_wait_ns(self) -> int:
        if self._schedstat_fd is None:
            return 0
        return int(os.pread(self._schedstat_fd, 64, 0).split()[1])

    def _timed_tick(self, tick: int, tick_ns: int) -> None:
        if self.program_thread_id is None:
            self.program_thread_id = threading.get_native_id()
            try:  # opened on the program thread: thread-self is the opener
                self._schedstat_fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
            except OSError:
                self._schedstat_fd = None
        started_ns = self._clock.now_ns()
        waited_before_ns = self._run_queue_wait_ns()
        cpu_before_s = time.thread_time()
        begun = time.perf_counter_ns()
        self._tick_step(tick, tick_ns)
        if self.recording:
            self.durations_ms.append((time.perf_counter_ns() - begun) / 1e6)
            self.cpu_ms.append(1000 * (time.thread_time() - cpu_before_s))
            self.core_wait_ms.append((self._run_queue_wait_ns() - waited_before_ns) / 1e6)
            self.late_ms.append((started_ns - tick_ns) / 1e6)

    def summary(self, fps: int) -> str:
        if not self.durations_ms:
            return "no ticks measured"
        durations, late = list(self.durations_ms), list(self.late_ms)
        cpu, core_wait = list(self.cpu_ms), list(self.core_wait_ms)
        other_wait = [max(0.0, total - used - waited) for total, used, waited in zip(durations, cpu, core_wait)]
        budget_ms = 1000 / fps
        over = sum(1 for value in durations if value > budget_ms)

        def spread(values: list[float]) -> str:
            return f"p50 {statistics.median(values):.2f} / p99 {_percentile(values, 0.99):.2f} / max {max(values):.2f} ms"

        return (
            f"program tick time over {len(durations)} ticks: {spread(durations)}, {over} over the {budget_ms:.1f} ms budget; "
            f"tick start late by {spread(late)}\n"
            f"  within a tick: own CPU {spread(cpu)}; waiting for a core {spread(core_wait)}; "
            f"waiting otherwise (mostly the GIL) {spread(other_wait)}; totals over the run: CPU {sum(cpu):.0f} ms, "
            f"core {sum(core_wait):.0f} ms, GIL and other {sum(other_wait):.0f} ms"
        )


class GcWatch:
    """Python's garbage collections while recording: a full (generation 2) one holds the GIL
    for as long as it walks every tracked object, on whichever thread happened to allocate."""

    def __init__(self) -> None:
        self.recording = False
        self._started_ns = 0
        self.pauses_ms: dict[int, list[float]] = {0: [], 1: [], 2: []}
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started_ns = time.perf_counter_ns()
        elif self.recording:
            self.pauses_ms[info["generation"]].append((time.perf_counter_ns() - self._started_ns) / 1e6)

    def summary(self) -> str:
        parts = []
        for generation, pauses in self.pauses_ms.items():
            if pauses:
                parts.append(f"generation {generation}: {len(pauses)}, max {max(pauses):.1f} ms, total {sum(pauses):.0f} ms")
        return "garbage collections: " + ("; ".join(parts) or "none")


def _threads_cpu_s() -> dict[int, tuple[str, float]]:
    """Every thread of this process: native id -> (name, user + system CPU seconds), from /proc (Linux)."""
    python_names = {thread.native_id: thread.name for thread in threading.enumerate()}
    threads: dict[int, tuple[str, float]] = {}
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        # Threads that C libraries start (x264's, FFmpeg's, SQLite has none) have no Python name.
        name = python_names.get(int(task.name), "native (x264, FFmpeg, OpenCV...)")
        threads[int(task.name)] = (_thread_kind(name), (int(fields[11]) + int(fields[12])) / ticks_per_s)
    return threads


def _thread_kind(name: str) -> str:
    """Threads of one kind under one name: "comments-ingest_0" -> "comments-ingest"."""
    stem, _, number = name.rpartition("_")
    return stem if stem and number.isdigit() else name


def _threads_cpu_table(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], wall_s: float) -> str:
    """Per thread name, CPU % of one core between two snapshots (threads of one name summed)."""
    by_name: dict[str, float] = {}
    for native_id, (name, cpu_s) in after.items():
        by_name[name] = by_name.get(name, 0.0) + cpu_s - before.get(native_id, (name, 0.0))[1]
    shown = sorted(((cpu_s, name) for name, cpu_s in by_name.items() if cpu_s > 0.005 * wall_s), reverse=True)
    return ", ".join(f"{name} {100 * cpu_s / wall_s:.0f}%" for cpu_s, name in shown)


def _process_cpu_s(pid: int | None) -> float:
    """User + system CPU seconds of another process of ours (the API's child), from /proc; 0 if none."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _comment_threads_cpu_s(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> float:
    """CPU seconds the studio process's comment threads (API, ingest, bridge, desk) used between two snapshots."""
    return sum(
        cpu_s - before.get(native_id, (name, 0.0))[1]
        for native_id, (name, cpu_s) in after.items()
        if name.startswith(("comments-", "comment-desk"))
    )


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Pinner:
    """Pins the newest visible comment every `interval_s`, from its own thread, as the GUI or the
    remote control would (the card is drawn on the caller's thread)."""

    def __init__(self, desk, interval_s: float) -> None:
        self._desk = desk
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-pinner", daemon=True)
        self.pins = 0
        self.pin_ms: list[float] = []

    def start(self) -> None:
        if self._interval_s > 0:
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            newest = self._desk.store.recent(1, include_hidden=False)
            if not newest:
                continue
            begun = time.perf_counter()
            self._desk.pin_comment(newest[0].rowid)
            self.pin_ms.append(1000 * (time.perf_counter() - begun))
            self.pins += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10.0)


def studio(arguments: argparse.Namespace) -> int:
    from studio.app import build_engine
    from studio.comments.comment_desk import CommentDesk
    from studio.comments.ingest_api import CommentsApiServer
    from studio.comments.store import CommentStore
    from studio.engine.builtin_shows import builtin_show

    show = builtin_show("demo")
    if arguments.ticker:
        show = show.model_copy(update={"comments": show.comments.model_copy(update={"ticker": True})})
    with tempfile.TemporaryDirectory(prefix="studio-comments-bench-") as folder:
        folder_path = Path(folder)
        engine = build_engine(show)
        ticks = TickTimer(engine)
        collections = GcWatch()
        engine.start_recording(folder_path / "program.mkv")
        engine.start()
        store = CommentStore(folder_path / "comments.sqlite")
        desk = CommentDesk(engine, show, store)  # the session's path: moderation, store, events, cards
        token = secrets.token_urlsafe(24)
        server = None
        if not arguments.no_comments:
            if arguments.api_in_process:
                api_class = CommentsApiServer
            else:
                from studio.comments.api_process import CommentsApiProcess

                api_class = CommentsApiProcess
            server = api_class(port=0, token=token, ingest=desk.ingest)
            server.start()
        pinner = Pinner(desk, 0.0 if arguments.no_comments else arguments.pin_every_s)
        load_text = (
            "no comments (baseline)" if server is None else
            f"comments API {'on a thread' if arguments.api_in_process else 'in its own process'} on {server.url}; "
            f"{arguments.clients} WebSocket clients x {arguments.rate / arguments.clients:g} "
            f"messages/s for {arguments.seconds:g} s, ~{100 * arguments.duplicates:g}% re-sent on purpose"
            + (f", a POST of {arguments.burst} messages every second" if arguments.burst else "")
            + (f", a pin every {arguments.pin_every_s:g} s" if arguments.pin_every_s > 0 else "")
            + (", ticker on" if arguments.ticker else "")
        )  # fmt: skip
        print(f"demo show {show.canvas.width}x{show.canvas.height}/{show.canvas.fps} in real time, recording; {load_text}", flush=True)
        warm_up_deadline = time.monotonic() + arguments.warm_up
        while time.monotonic() < warm_up_deadline:  # let the program settle before the load comes
            time.sleep(0.1)
        before = engine.stats()
        api_pid = getattr(server, "pid", None)
        api_process_cpu_before = _process_cpu_s(api_pid)
        threads_before = _threads_cpu_s()
        cpu_before, wall_before = _cpu_s(), time.monotonic()
        ticks.recording = collections.recording = True
        pinner.start()
        out_path = folder_path / "load.json"
        child = None
        if server is None:
            time.sleep(arguments.seconds)  # the baseline: the same show for the same time, no load
        else:
            child = subprocess.run(
                [
                    sys.executable, __file__, "--load-url", server.ws_url, "--load-out", str(out_path),
                    "--clients", str(arguments.clients), "--rate", str(arguments.rate), "--seconds", str(arguments.seconds),
                    "--duplicates", str(arguments.duplicates), "--burst", str(arguments.burst),
                ],
                env={**os.environ, TOKEN_ENV: token},
                timeout=arguments.seconds + 180,
                check=False,
            )  # fmt: skip
        ticks.recording = collections.recording = False
        pinner.stop()
        wall = time.monotonic() - wall_before
        cpu = _cpu_s() - cpu_before
        threads_after = _threads_cpu_s()
        api_process_cpu = _process_cpu_s(api_pid) - api_process_cpu_before
        after = engine.stats()
        api = server.stats() if server is not None else None
        if server is not None:
            server.stop()
        desk.close()
        engine.stop()

        produced = after.frames_produced - before.frames_produced
        print(ticks.summary(show.canvas.fps))
        print(collections.summary())
        print(
            f"program over the load: {produced} frames produced (expected ~{round(wall * show.canvas.fps)}), "
            f"dropped {after.frames_dropped - before.frames_dropped}, lagged {after.lagged_ticks - before.lagged_ticks}, "
            f"encoder dropped {after.encoder_dropped - before.encoder_dropped}; whole run: {after.frames_produced} produced, "
            f"{after.frames_dropped} dropped, {after.lagged_ticks} lagged"
        )
        print(f"CPU over the load ({wall:.1f} s): studio process {100 * cpu / wall:.0f}% of one core; by thread: "
              f"{_threads_cpu_table(threads_before, threads_after, wall)}")  # fmt: skip
        comment_threads_cpu = _comment_threads_cpu_s(threads_before, threads_after)
        if server is not None:
            print(f"comment work in the studio process: {100 * comment_threads_cpu / wall:.0f}% of one core; "
                  + (f"the API's own process: {100 * api_process_cpu / wall:.0f}%" if api_pid else "the API runs on a thread here"))  # fmt: skip
        if pinner.pins:
            print(f"pins: {pinner.pins}, pin_comment() on the caller's thread p50 {statistics.median(pinner.pin_ms):.1f} ms, "
                  f"max {max(pinner.pin_ms):.1f} ms")  # fmt: skip
        if server is None:
            store.close()
            return 0
        if child is None or child.returncode != 0:
            print(f"the load generator failed (exit {child.returncode if child else '?'})")
            store.close()
            return 1
        load = json.loads(out_path.read_text(encoding="utf-8"))
        acked = load["acked"]
        distinct = {(platform, message_id) for platform, message_id, _duplicate in acked}
        acked_as_duplicate = sum(1 for *_key, duplicate in acked if duplicate)
        stored = store.count()
        missing = [key for key in distinct if store.get(*key) is None]
        store.close()
        latencies = load["latencies_ms"]
        ok = True

        def check(condition: bool, text: str) -> None:
            nonlocal ok
            ok &= condition
            print(f"  [{'ok' if condition else 'FAIL'}] {text}")

        print(f"load: {load['sent']} messages sent in {load['wall_s']:.1f} s ({load['sent'] / arguments.seconds:.0f}/s planned rate "
              f"{arguments.rate:g}/s), {load['duplicates_sent']} re-sent ids; the sender was at most {load['max_behind_ms']:.1f} ms "
              f"behind its schedule; load generator {100 * load['cpu_s'] / load['wall_s']:.0f}% of a core")  # fmt: skip
        if latencies:
            print(
                f"ack latency over {len(latencies)} messages: p50 {statistics.median(latencies):.1f} ms, "
                f"p90 {_percentile(latencies, 0.90):.1f} ms, p99 {_percentile(latencies, 0.99):.1f} ms, "
                f"p99.9 {_percentile(latencies, 0.999):.1f} ms, max {max(latencies):.1f} ms"
            )
        if load["burst_ms"]:
            print(f"POSTs of {arguments.burst} messages: {len(load['burst_ms'])}, answered in p50 {statistics.median(load['burst_ms']):.1f} ms, "
                  f"max {max(load['burst_ms']):.1f} ms")  # fmt: skip
        comment_messages = max(1, api.received)
        print(f"CPU per message: {1e6 * comment_threads_cpu / comment_messages:.0f} us in the studio process"
              + (f" + {1e6 * api_process_cpu / comment_messages:.0f} us in the API's process" if api_pid else ""))  # fmt: skip
        print(
            f"API: received {api.received}, acknowledged {api.acknowledged}, duplicates {api.duplicates}, refused {api.refused}; "
            f"{api.batches} ingest calls, {api.acknowledged / max(1, api.batches):.1f} messages per call"
        )
        print("checks:")
        check(load["unanswered"] == 0 and not load["errors"], f"every frame answered, no errors ({load['errors'] or 'none'})")
        check(len(acked) == load["sent"], f"every message acknowledged ({len(acked)} of {load['sent']})")
        check(not missing, f"every acknowledged (platform, id) is in the store ({len(missing)} missing)")
        check(stored == len(distinct), f"store.count() {stored} == distinct acknowledged ids {len(distinct)}")
        check(acked_as_duplicate == load["duplicates_sent"], f"re-sent ids acknowledged as duplicates: {acked_as_duplicate} of {load['duplicates_sent']}")
        if latencies:
            check(_percentile(latencies, 0.99) < 100, "p99 ack latency under 100 ms")
        return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the load runs")
    parser.add_argument("--rate", type=float, default=2000.0, help="messages per second, all clients together")
    parser.add_argument("--clients", type=int, default=8, help="WebSocket connections")
    parser.add_argument("--duplicates", type=float, default=0.05, help="fraction of messages that re-send an earlier id")
    parser.add_argument("--warm-up", type=float, default=3.0, help="seconds the show runs before the load starts")
    parser.add_argument("--no-comments", action="store_true", help="the baseline: the same show and recording, no comments API, no load")
    parser.add_argument("--pin-every-s", type=float, default=0.0, help="also pin the newest comment this often (0: never)")
    parser.add_argument("--ticker", action="store_true", help="turn the show's comment ticker on")
    parser.add_argument("--burst", type=int, default=0, help="also POST this many messages in one request every second")
    parser.add_argument("--api-in-process", action="store_true", help="run the comments API on a thread of the studio "
                        "process (CommentsApiServer) instead of in its own process (CommentsApiProcess)")
    parser.add_argument("--load-url", help=argparse.SUPPRESS)  # the child process: the viewers' side
    parser.add_argument("--load-out", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.load_url:
        load_generator(arguments)
        return
    sys.exit(studio(arguments))


if __name__ == "__main__":
    main()
