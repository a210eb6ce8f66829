"""The remote control API (obs-websocket v5) under load while the show runs.

The studio side (this process): the demo show in real time at 1920x1080/30, recording to a
temporary .mkv, its selling desk, and the RemoteControlServer on a free loopback port with a
password.

The controllers' side (a child process, as Stream Decks and companion apps would be): --clients
WebSocket connections (every fourth one MessagePack, the rest JSON), each identified with the
password and subscribed to every normal event, --meters of them also to InputVolumeMeters. Each
makes --rate requests a second (GetStats, GetSceneList, GetInputMute, GetCurrentProgramScene,
GetRecordStatus, in turn) for --seconds; one of them also switches the show every second
(SetCurrentPreviewScene + TriggerStudioModeTransition), so scene events flow to everyone. The
round trip is from sending a request to reading its reply.

Prints round-trip p50/p90/p99/max, meters per second per subscriber, events received, CPU of the
studio process and of the API's event-loop and request threads, and the program's frames
produced, dropped and lagged over the load (engine.stats()).

    cd /work/main && PYTHONPATH=. python benchmarks/remote.py --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
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

PASSWORD_ENV = "STUDIO_BENCH_REMOTE_PASSWORD"  # to the child in its environment, never on a command line
REQUESTS = ("GetStats", "GetSceneList", "GetInputMute", "GetCurrentProgramScene", "GetRecordStatus")
SCENES = ("SIDE", "BACK", "GRID", "FRONT")


# -- the controllers' side (child process) -----------------------------------------------------------


async def _client(index: int, url: str, password: str, arguments, out: dict) -> None:
    import aiohttp
    import msgpack

    use_msgpack = index % 4 == 3
    meters = index < arguments.meters
    switcher = index == arguments.clients - 1
    loop = asyncio.get_running_loop()
    protocols = ("obswebsocket.msgpack",) if use_msgpack else ("obswebsocket.json",)

    def encode(message: dict):
        return msgpack.packb(message) if use_msgpack else json.dumps(message)

    async def send(ws, message: dict) -> None:
        data = encode(message)
        await (ws.send_bytes(data) if use_msgpack else ws.send_str(data))

    def decode(frame) -> dict:
        return msgpack.unpackb(frame.data) if use_msgpack else json.loads(frame.data)

    pending: dict[str, tuple[float, asyncio.Future]] = {}
    meter_times: list[float] = []
    async with aiohttp.ClientSession() as session, session.ws_connect(url, protocols=protocols, max_msg_size=16 * 1024 * 1024) as ws:
        hello = decode(await ws.receive())["d"]
        identify = {"rpcVersion": 1, "eventSubscriptions": 2047 | (1 << 16 if meters else 0)}
        if "authentication" in hello:
            salt, challenge = hello["authentication"]["salt"], hello["authentication"]["challenge"]
            secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest())
            identify["authentication"] = base64.b64encode(hashlib.sha256(secret + challenge.encode()).digest()).decode()
        await send(ws, {"op": 1, "d": identify})
        assert decode(await ws.receive())["op"] == 2, "not identified"

        async def read() -> None:
            async for frame in ws:
                message = decode(frame)
                if message["op"] == 7:
                    sent_at, future = pending.pop(message["d"]["requestId"])
                    out["round_trips_ms"].append(1000 * (loop.time() - sent_at))
                    if not message["d"]["requestStatus"]["result"]:
                        key = f"{message['d']['requestType']} {message['d']['requestStatus']['code']}"
                        out["errors"][key] = out["errors"].get(key, 0) + 1
                    future.set_result(message["d"])
                elif message["op"] == 5:
                    if message["d"]["eventType"] == "InputVolumeMeters":
                        meter_times.append(loop.time())
                    else:
                        out["events"] += 1

        async def call(request_type: str, data: dict | None = None) -> dict:
            request_id = f"{index}-{out['sent']}"
            out["sent"] += 1
            future = loop.create_future()
            pending[request_id] = (loop.time(), future)
            message = {"op": 6, "d": {"requestType": request_type, "requestId": request_id}}
            if data is not None:
                message["d"]["requestData"] = data
            await send(ws, message)
            return await asyncio.wait_for(future, 30)

        reader = asyncio.create_task(read())
        start = loop.time()
        count, switches = 0, 0
        while loop.time() - start < arguments.seconds:
            request_type = REQUESTS[(index + count) % len(REQUESTS)]
            await call(request_type, {"inputName": "Tone"} if request_type == "GetInputMute" else None)
            count += 1
            if switcher and loop.time() - start >= switches:
                await call("SetCurrentPreviewScene", {"sceneName": SCENES[switches % len(SCENES)]})
                await call("TriggerStudioModeTransition")
                switches += 1
            due = start + count / arguments.rate
            await asyncio.sleep(max(0.0, due - loop.time()))
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    if meters and len(meter_times) > 1:
        out["meter_rates"].append((len(meter_times) - 1) / (meter_times[-1] - meter_times[0]))


async def _load(url: str, password: str, arguments) -> dict:
    out = {"sent": 0, "round_trips_ms": [], "errors": {}, "events": 0, "meter_rates": []}
    start = time.monotonic()
    await asyncio.gather(*(_client(index, url, password, arguments, out) for index in range(arguments.clients)))
    out["wall_s"] = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = usage.ru_utime + usage.ru_stime
    return out


def load_generator(arguments: argparse.Namespace) -> None:
    out = asyncio.run(_load(arguments.load_url, os.environ[PASSWORD_ENV], arguments))
    Path(arguments.load_out).write_text(json.dumps(out), encoding="utf-8")


# -- the studio side -------------------------------------------------------------------------------------


def _thread_cpu_s(native_id: int | None) -> float:
    """User + system CPU seconds of one of our threads, from /proc (Linux)."""
    if native_id is None:
        return float("nan")
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _threads_cpu_s(prefix: str) -> float:
    return sum(_thread_cpu_s(t.native_id) for t in threading.enumerate() if t.name.startswith(prefix))


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def studio(arguments: argparse.Namespace) -> int:
    from studio.control.remote_api import RemoteControlServer
    from studio.control.remote_requests import RemoteTarget
    from studio.engine.builtin_shows import builtin_show
    from studio.session import SessionOptions, StudioSession

    show = builtin_show("demo")
    with tempfile.TemporaryDirectory(prefix="studio-remote-bench-") as folder:
        session = StudioSession(show, SessionOptions(recording_folder=Path(folder), comments_database=Path(folder) / "comments.db"))
        engine = session.build()
        session.start_recording(Path(folder) / "program.mkv")
        session.start()
        password = secrets.token_urlsafe(24)
        target = RemoteTarget.for_session(session)
        server = RemoteControlServer(studio=target, port=0, password=password)
        server.start()
        print(
            f"demo show {show.canvas.width}x{show.canvas.height}/{show.canvas.fps} in real time, recording; "
            f"remote API on {server.url}; {arguments.clients} clients x {arguments.rate:g} requests/s for {arguments.seconds:g} s, "
            f"{arguments.meters} subscribed to InputVolumeMeters",
            flush=True,
        )
        warm_up_deadline = time.monotonic() + arguments.warm_up
        while time.monotonic() < warm_up_deadline:  # let the program settle before the load comes
            time.sleep(0.1)
        before = engine.stats()
        cpu_before, wall_before = _cpu_s(), time.monotonic()
        loop_cpu_before = _threads_cpu_s("remote-api")
        worker_cpu_before = _threads_cpu_s("remote-requests")
        out_path = Path(folder) / "load.json"
        child = subprocess.run(
            [
                sys.executable, __file__, "--load-url", server.url, "--load-out", str(out_path),
                "--clients", str(arguments.clients), "--rate", str(arguments.rate), "--seconds", str(arguments.seconds),
                "--meters", str(arguments.meters),
            ],
            env={**os.environ, PASSWORD_ENV: password},
            timeout=arguments.seconds + 120,
            check=False,
        )  # fmt: skip
        wall = time.monotonic() - wall_before
        cpu = _cpu_s() - cpu_before
        loop_cpu = _threads_cpu_s("remote-api") - loop_cpu_before
        worker_cpu = _threads_cpu_s("remote-requests") - worker_cpu_before
        after = engine.stats()
        api = server.stats()
        server.stop()
        session.stop()
        if child.returncode != 0:
            print(f"the load generator failed (exit {child.returncode})")
            return 1
        load = json.loads(out_path.read_text(encoding="utf-8"))

    trips = load["round_trips_ms"]
    ok = True

    def check(condition: bool, text: str) -> None:
        nonlocal ok
        ok &= condition
        print(f"  [{'ok' if condition else 'FAIL'}] {text}")

    print(f"load: {load['sent']} requests in {load['wall_s']:.1f} s, {load['events']} events received (meters not counted)")
    if trips:
        print(
            f"round trip over {len(trips)} requests: p50 {statistics.median(trips):.2f} ms, p90 {_percentile(trips, 0.90):.2f} ms, "
            f"p99 {_percentile(trips, 0.99):.2f} ms, max {max(trips):.2f} ms"
        )
    rates = load["meter_rates"]
    if rates:
        print(f"InputVolumeMeters per subscriber: {', '.join(f'{r:.1f}/s' for r in rates)}")
    print(f"API: {api.requests} requests answered, {api.events} events queued, {api.meters_dropped} meters replaced unsent, {api.closed_slow} slow clients closed")
    print(
        f"CPU over the load ({wall:.1f} s): studio process {100 * cpu / wall:.0f}% of one core (engine, encoder, API), "
        f"API event loop {100 * loop_cpu / wall:.1f}%, request worker {100 * worker_cpu / wall:.1f}%; "
        f"load generator {100 * load['cpu_s'] / load['wall_s']:.0f}%"
    )
    produced = after.frames_produced - before.frames_produced
    print(
        f"program over the load: {produced} frames produced (expected ~{round(wall * show.canvas.fps)}), "
        f"dropped {after.frames_dropped - before.frames_dropped}, lagged {after.lagged_ticks - before.lagged_ticks}, "
        f"encoder dropped {after.encoder_dropped - before.encoder_dropped}"
    )
    print("checks:")
    check(not load["errors"], f"every request succeeded ({load['errors'] or 'no errors'})")
    check(len(trips) == load["sent"], f"every request answered ({len(trips)} of {load['sent']})")
    check(after.frames_dropped == before.frames_dropped, "no frame dropped by the program")
    if rates:
        check(all(15 <= r <= 22 for r in rates), "meters at about 20 a second to every subscriber")
    if trips:
        check(_percentile(trips, 0.99) < 50, "p99 round trip under 50 ms")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the load runs")
    parser.add_argument("--clients", type=int, default=20, help="WebSocket connections")
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second per client")
    parser.add_argument("--meters", type=int, default=2, help="clients also subscribed to InputVolumeMeters")
    parser.add_argument("--warm-up", type=float, default=3.0, help="seconds the show runs before the load starts")
    parser.add_argument("--load-url", help=argparse.SUPPRESS)  # the child process: the controllers' side
    parser.add_argument("--load-out", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.load_url:
        load_generator(arguments)
        return
    sys.exit(studio(arguments))


if __name__ == "__main__":
    main()
