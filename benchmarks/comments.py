"""The comments API under load while the show runs.

The studio side (this process): the demo show in real time at 1920x1080/30, recording to a
temporary .mkv; a real CommentStore (SQLite, WAL) in the same folder, each batch classified by
the show's Moderator and stored with `add_many`; the CommentsApiServer on a free loopback port.

The viewers' side (a child process, as platform bridges would be): --clients WebSocket
connections sending --rate messages/s in all (one message per frame, each frame with a seq),
open loop on a fixed schedule, for --seconds; about --duplicates of the messages re-send an id
the same client sent before (platforms do re-send). Each message's ack latency is the time
from sending its frame to reading the reply frame that acknowledges it (after it is stored).

Checks: every message sent was acknowledged; every acknowledged (platform, id) is in the
store, and the store holds exactly as many rows as there are distinct acknowledged ids; the
re-sent ones came back as duplicates. Prints ack latency p50/p99/max, the API's batches, CPU
of the studio process and of the API and ingest threads, and the program's frames produced,
dropped and lagged over the load (engine.stats()).

    cd /work/main && PYTHONPATH=. python benchmarks/comments.py --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
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


async def _load(url: str, token: str, clients: int, rate: float, seconds: float, duplicates: float) -> dict:
    out = {"sent": 0, "duplicates_sent": 0, "acked": [], "latencies_ms": [], "errors": {}, "unanswered": 0, "max_behind_ms": 0.0}
    start = time.monotonic()
    await asyncio.gather(*(_client(index, url, token, rate / clients, seconds, duplicates, out) for index in range(clients)))
    out["wall_s"] = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = usage.ru_utime + usage.ru_stime
    return out


def load_generator(arguments: argparse.Namespace) -> None:
    token = os.environ[TOKEN_ENV]
    out = asyncio.run(_load(arguments.load_url, token, arguments.clients, arguments.rate, arguments.seconds, arguments.duplicates))
    Path(arguments.load_out).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


# -- the studio side ---------------------------------------------------------------------------------------


def _thread_cpu_s(native_id: int | None) -> float:
    """User + system CPU seconds of one of our threads, from /proc (Linux)."""
    if native_id is None:
        return float("nan")
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def studio(arguments: argparse.Namespace) -> int:
    from studio.app import build_engine
    from studio.comments.ingest_api import CommentsApiServer
    from studio.comments.moderation import Moderator
    from studio.comments.store import CommentStore
    from studio.engine.builtin_shows import builtin_show

    show = builtin_show("demo")
    with tempfile.TemporaryDirectory(prefix="studio-comments-bench-") as folder:
        folder_path = Path(folder)
        engine = build_engine(show)
        engine.start_recording(folder_path / "program.mkv")
        engine.start()
        store = CommentStore(folder_path / "comments.sqlite")
        moderator = Moderator(show.comments, len(show.products))
        ingest_thread: dict[str, int] = {}

        def ingest(comments):
            ingest_thread.setdefault("id", threading.get_native_id())
            return store.add_many(comments, [moderator.classify(comment) for comment in comments])

        token = secrets.token_urlsafe(24)
        server = CommentsApiServer(port=0, token=token, ingest=ingest)
        server.start()
        print(
            f"demo show {show.canvas.width}x{show.canvas.height}/{show.canvas.fps} in real time, recording; "
            f"comments API on {server.url}; {arguments.clients} WebSocket clients x {arguments.rate / arguments.clients:g} "
            f"messages/s for {arguments.seconds:g} s, ~{100 * arguments.duplicates:g}% re-sent on purpose",
            flush=True,
        )
        warm_up_deadline = time.monotonic() + arguments.warm_up
        while time.monotonic() < warm_up_deadline:  # let the program settle before the load comes
            time.sleep(0.1)
        before = engine.stats()
        cpu_before, wall_before = _cpu_s(), time.monotonic()
        api_cpu_before = _thread_cpu_s(server._thread.native_id if server._thread else None)
        out_path = folder_path / "load.json"
        child = subprocess.run(
            [
                sys.executable, __file__, "--load-url", server.ws_url, "--load-out", str(out_path),
                "--clients", str(arguments.clients), "--rate", str(arguments.rate), "--seconds", str(arguments.seconds),
                "--duplicates", str(arguments.duplicates),
            ],
            env={**os.environ, TOKEN_ENV: token},
            timeout=arguments.seconds + 180,
            check=False,
        )  # fmt: skip
        wall = time.monotonic() - wall_before
        cpu = _cpu_s() - cpu_before
        api_cpu = _thread_cpu_s(server._thread.native_id if server._thread else None) - api_cpu_before
        ingest_cpu = _thread_cpu_s(ingest_thread.get("id"))
        after = engine.stats()
        api = server.stats()
        server.stop()
        engine.stop()
        if child.returncode != 0:
            print(f"the load generator failed (exit {child.returncode})")
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
              "behind its schedule")  # fmt: skip
        if latencies:
            print(
                f"ack latency over {len(latencies)} messages: p50 {statistics.median(latencies):.1f} ms, "
                f"p90 {_percentile(latencies, 0.90):.1f} ms, p99 {_percentile(latencies, 0.99):.1f} ms, "
                f"p99.9 {_percentile(latencies, 0.999):.1f} ms, max {max(latencies):.1f} ms"
            )
        print(
            f"API: received {api.received}, acknowledged {api.acknowledged}, duplicates {api.duplicates}, refused {api.refused}; "
            f"{api.batches} ingest calls, {api.acknowledged / max(1, api.batches):.1f} messages per call"
        )
        print(
            f"CPU over the load ({wall:.1f} s): studio process {100 * cpu / wall:.0f}% of one core (engine, encoder, API, store), "
            f"API event-loop thread {100 * api_cpu / wall:.1f}%, ingest thread {100 * ingest_cpu / wall:.1f}% (whole run); "
            f"load generator {100 * load['cpu_s'] / load['wall_s']:.0f}%"
        )
        produced = after.frames_produced - before.frames_produced
        print(
            f"program over the load: {produced} frames produced (expected ~{round(wall * show.canvas.fps)}), "
            f"dropped {after.frames_dropped - before.frames_dropped}, lagged {after.lagged_ticks - before.lagged_ticks}, "
            f"encoder dropped {after.encoder_dropped - before.encoder_dropped}; whole run: {after.frames_produced} produced, "
            f"{after.frames_dropped} dropped, {after.lagged_ticks} lagged"
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
    parser.add_argument("--load-url", help=argparse.SUPPRESS)  # the child process: the viewers' side
    parser.add_argument("--load-out", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.load_url:
        load_generator(arguments)
        return
    sys.exit(studio(arguments))


if __name__ == "__main__":
    main()
