"""WHIP output latency on loopback: program tick to decoded frame at a WHIP endpoint (issue 15's
goal: p95 <= 150 ms). The engine runs the sync show in real time to tests/whip_endpoint.py (aiortc
decodes); prints tick->decoded and tick->last RTP packet (before aiortc's jitter buffer, which
holds each frame until the next frame's first packet: one frame interval a browser does not
add), the sender child's CPU, and the load average (the figures mean little on a busy machine).

    .venv/bin/python -m benchmarks.whip_latency [--seconds 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from studio.app import build_engine
from studio.engine.builtin_shows import sync_show_data
from studio.engine.outputs.stream_target import StreamTarget
from studio.engine.show import parse_show
from tests.whip_endpoint import WhipEndpoint

FPS = 30
TOKEN = "benchmark-whip-token-0123456789"
GOAL_P95_MS = 150


def children_cpu_s() -> dict[int, float]:
    """CPU seconds (user + system) of each child process of this one, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    seconds = parser.parse_args().seconds
    with WhipEndpoint(TOKEN) as endpoint:
        engine = build_engine(parse_show(sync_show_data()), tick_limit=round(seconds * FPS))
        engine.start_streaming([StreamTarget("whip", endpoint.url("bench"), TOKEN)])
        started = time.monotonic()
        engine.start()
        cpu: dict[int, float] = {}
        while not engine.wait(0.5):
            cpu.update(children_cpu_s())
        stats = engine.destination_stats()[0]
        line, dropped = stats.line(), sum(stats.dropped_frames.values())
        engine.stop()
        pictures = endpoint.pictures()
    print(f"{line}; ran {time.monotonic() - started:.1f} s; load average {os.getloadavg()[0]:.1f}")
    print(f"sender child CPU: {sum(cpu.values()):.1f} s over {seconds:.0f} s ({100 * sum(cpu.values()) / seconds:.0f}% of a core)")
    if dropped or not pictures:
        print(f"frames dropped ({dropped}) or none decoded: picture i is no longer tick i, no latency figures")
        return
    steady = pictures[FPS * 5 :]  # after the handshake's backlog has gone out
    decoded = [(p.arrival_ns - engine.tick_time_ns(i + FPS * 5)) / 1e6 for i, p in enumerate(steady)]
    packets = [
        (p.packets_arrival_ns - engine.tick_time_ns(i + FPS * 5)) / 1e6 for i, p in enumerate(steady) if p.packets_arrival_ns
    ]
    for name, values in (("tick->decoded", decoded), ("tick->last RTP packet", packets)):
        print(
            f"{name}: p50 {statistics.median(values):.0f} ms, p95 {percentile(values, 0.95):.0f} ms, "
            f"max {max(values):.0f} ms over {len(values)} frames"
        )
    print(f"goal p95 <= {GOAL_P95_MS} ms: {'met' if percentile(decoded, 0.95) <= GOAL_P95_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
