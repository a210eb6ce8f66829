"""What guests (连麦) cost a running studio: two WebRTC guests plus four local 1080p30 sources.

    PYTHONPATH=. .venv/bin/python benchmarks/guest.py                        # 15 s + 60 s + 10 s
    PYTHONPATH=. .venv/bin/python benchmarks/guest.py --seconds 20 --no-latency

A StudioSession in real time (MonotonicClock) on a show built here: a 1920x1080/30 canvas, four
1920x1080/30 test patterns and two guest sources in a 3x2 grid on program, a host tone and each
guest's voice (source_audio) in the mix, the default encoder (x264 veryfast 6000 kbps)
recording program to a temporary .mkv, the guest service on a free port of 127.0.0.1.

1. Baseline: `--baseline-seconds` with no guest connected.
2. Two guests: FFmpeg children push 1280x720/30 H.264 (baseline) and Opus over WHIP, as
   `nice -n 10`; their encoding runs on this same machine, where a real guest encodes on their
   own device. FFmpeg only sends, so each guest's return (their mix-minus, encoded to Opus by
   the studio) is pulled by a WHEP player in a child process (guest_return_player.py), as the
   guest's device would; a browser takes it on its WHIP session, at the same cost to the studio.
   Once both are LIVE and the returns play, 3 s of warm-up, then `--seconds` measured.
   FFmpeg's WHIP muxer sends H.264 only; a browser usually sends VP8, whose decode this phase
   does not measure.
3. Latency (skipped with --no-latency or without /usr/bin/chromium): a headless Chromium joins
   as guest 1 with the guest page's test hooks (?test=1&timecode=1), which draw the wall clock
   into each outgoing picture; program pictures are read back from a video tap and the time code
   compared with each tick's wall time: guest-to-program latency p50/p95/max (it includes the
   video delay the studio adds on purpose for lip sync with the guest's sound), and the time
   from opening the link to LIVE.

Printed for phases 1 and 2: this process's CPU (getrusage, % of one core), the CPU of each role
of thread (/proc/self/task), the program's own counts over the window (engine.stats() deltas:
frames produced, ticks dropped and lagged, frames encoded and repeated, tick p99 per 10 s), the
children's CPU and the rest of the machine's (other helpers' work on a shared machine). Then CPU
per guest = (phase 2 - phase 1) / 2, split by role, and each guest's GuestStats. Thread CPU time
around the guest code that shares a thread with other work (the audio resample and the return's
mix-minus read run on the event loop) comes from timers the benchmark wraps around those calls.
The last line says whether phase 2 held real time (0 dropped and 0 lagged ticks).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.comments import TickTimer  # noqa: E402
from benchmarks.guest_cpu import (  # noqa: E402
    ROLE_AUDIO_DECODE,
    ROLE_CAPTURE_GUESTS,
    ROLE_CONVERSION,
    ROLE_DECODER_NATIVE,
    ROLE_ENCODE,
    ROLE_EXECUTOR,
    ROLE_LOOP,
    ROLE_NATIVE,
    ROLE_PROGRAM,
    ROLE_VIDEO_DECODE,
    STAGE_RESAMPLE,
    STAGE_RETURN_READ,
    StageTimers,
    Window,
    measure,
)
from benchmarks.guest_latency import CAMERA_SIZE, measure_latency, print_latency  # noqa: E402
from benchmarks.guest_return_player import ReturnPlayer  # noqa: E402

CANVAS_W, CANVAS_H, FPS = 1920, 1080, 30
COLUMNS, ROWS = 3, 2
CELL_W, CELL_H = CANVAS_W // COLUMNS, CANVAS_H // ROWS  # 640 x 540
LOCAL_SOURCES = {"cam-1": "#c82828", "cam-2": "#28a03c", "cam-3": "#2846c8", "cam-4": "#dcaa1e"}
GUESTS = {"guest-1": "Guest 1", "guest-2": "Guest 2"}  # id -> name (their capture threads are named after it)
GUEST_TONES_HZ = {"guest-1": 1000.0, "guest-2": 1500.0}
HOST_TONE_HZ = 440.0
PUSH_W, PUSH_H, PUSH_KBPS = 1280, 720, 2500
WARM_UP_S = 3.0
JOIN_LIMIT_S = 40.0  # an FFmpeg or browser start plus ICE/DTLS on a loaded 2-core machine


# -- the show -------------------------------------------------------------------------------------------


def benchmark_show_data() -> dict:
    cells = [*LOCAL_SOURCES, *GUESTS]
    layers = [
        {"source": source, "x": (i % COLUMNS) * CELL_W, "y": (i // COLUMNS) * CELL_H, "width": CELL_W, "height": CELL_H, "fit": "contain"}
        for i, source in enumerate(cells)
    ]
    sources = [
        {"id": sid, "name": sid.upper(), "kind": "test_pattern", "settings": {"colour": colour, "width": CANVAS_W, "height": CANVAS_H, "fps": FPS}}
        for sid, colour in LOCAL_SOURCES.items()
    ] + [
        {"id": gid, "name": name, "kind": "guest", "settings": {"audio_processing": False}}
        for gid, name in GUESTS.items()
    ]
    return {
        "schema_version": 1,
        "name": "Guest benchmark",
        "canvas": {"width": CANVAS_W, "height": CANVAS_H, "fps": FPS},
        "sources": sources,
        "scenes": [{"id": "all", "name": "ALL", "layers": layers}],
        "audio_inputs": [
            {"id": "host", "name": "Host", "kind": "tone", "frequency_hz": HOST_TONE_HZ, "level_dbfs": -20},
            *({"id": f"{g}-voice", "name": f"{g} voice", "kind": "source_audio", "source": g} for g in GUESTS),
        ],
        "program_scene": "ALL",
        "guests": {"port": 0},
    }


def guest_picture_box(guest_id: str, width: int, height: int) -> tuple[int, int, int, int]:
    """Where a width x height guest picture lands on program (contain fit in its cell): x, y, w, h."""
    index = [*LOCAL_SOURCES, *GUESTS].index(guest_id)
    scale = min(CELL_W / width, CELL_H / height)
    shown_w, shown_h = round(width * scale), round(height * scale)
    x, y = (index % COLUMNS) * CELL_W, (index // COLUMNS) * CELL_H
    return x + (CELL_W - shown_w) // 2, y + (CELL_H - shown_h) // 2, shown_w, shown_h


# -- the guests ----------------------------------------------------------------------------------------------


def guest_is_live(session, guest_id: str) -> bool:
    from studio.engine.sources.base import SourceStatus
    from studio.engine.sources.guest_feed import GuestState

    return session.guest_stats()[guest_id].state is GuestState.LIVE and session.engine.source_status().get(guest_id) is SourceStatus.LIVE


def wait_for(condition, what: str, limit_s: float = JOIN_LIMIT_S) -> float:
    """Poll a condition, bounded; returns how long it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > limit_s:
            raise SystemExit(f"{what}: not within {limit_s:.0f} s")
        time.sleep(0.05)
    return time.monotonic() - started


def whip_url_and_token(session, guest_id: str, kind: str = "whip") -> tuple[str, str]:
    base, _, token = session.guest_link(guest_id).partition("#")
    return base.replace("/guest/", f"/{kind}/"), token


class GuestPusher:
    """One FFmpeg child pushing a guest over WHIP, niced so the studio keeps the cores it needs."""

    def __init__(self, session, guest_id: str, folder: Path) -> None:
        import imageio_ffmpeg

        url, self._token = whip_url_and_token(session, guest_id)
        self.log_path = folder / f"ffmpeg-{guest_id}.log"
        command = [
            "nice", "-n", "10", imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", f"testsrc2=size={PUSH_W}x{PUSH_H}:rate={FPS}",
            "-f", "lavfi", "-i", f"sine=frequency={GUEST_TONES_HZ[guest_id]:.0f}:sample_rate=48000",
            "-c:v", "libx264", "-profile:v", "baseline", "-preset", "veryfast", "-tune", "zerolatency", "-bf", "0",
            "-g", str(FPS), "-pix_fmt", "yuv420p",
            "-b:v", f"{PUSH_KBPS}k", "-maxrate", f"{PUSH_KBPS}k", "-bufsize", f"{PUSH_KBPS}k",
            "-c:a", "libopus", "-ar", "48000", "-ac", "2", "-b:a", "64k",
            "-f", "whip", "-authorization", self._token, url,
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)

    def log_tail(self) -> str:
        text = self.log_path.read_text(errors="replace")[-1500:]
        return text.replace(self._token, "****")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def return_figures(session) -> dict[str, str]:
    """Each guest's return as the service sent it (frames, underruns), from its WHEP sessions."""
    service = session.guest_service
    figures: dict[str, str] = {}
    for peer in list(getattr(service, "_returns", {}).values()):
        track = getattr(peer, "_return_audio", None)
        if track is not None:
            figures[peer.guest_id] = f"{track.frames_sent} frames sent, {track.silent_frames} silent, {track.underruns} underruns"
    return figures


# -- report -------------------------------------------------------------------------------------------------------


def print_window(title: str, window: Window) -> None:
    p = window.program
    p99s = " / ".join(f"{v:.1f}" for v in window.tick_p99s_ms) or "-"
    print(f"\n{title}: {window.seconds:.1f} s, this process {window.percent(window.process_cpu_s):.0f}% of one core")
    print(
        f"  program: {p['frames_produced']} frames produced, {p['frames_dropped']} ticks dropped, {p['lagged_ticks']} lagged; "
        f"recording {p['frames_encoded']} encoded, {p['frames_repeated']} repeated, {p['encoder_dropped']} lost; "
        f"preset {window.encoder_preset}"
    )
    print(f"  engine's tick p99 per 10 s: {p99s} ms; longest tick {window.tick_max_ms:.1f} ms")
    print("  " + window.tick_split.replace("\n", "\n  "))
    children = ", ".join(f"{label} {window.percent(s):.0f}%" for label, s in window.children_s.items())
    print(
        f"  machine ({os.cpu_count()} cores): busy {window.percent(window.machine_busy_s):.0f}% of one core; "
        f"children {children or 'none'}; other processes {window.percent(window.others_s):.0f}%; "
        f"load average {window.load_average[0]:.2f} -> {window.load_average[1]:.2f}"
    )


def print_roles(baseline: Window, guests: Window) -> dict[str, float]:
    """The role table; returns each role's per-guest share in % of one core."""
    roles = sorted(set(baseline.roles_s) | set(guests.roles_s), key=lambda r: -guests.roles_s.get(r, 0.0))
    print(f"\n{'CPU by thread role, % of one core':<48} {'phase 1':>8} {'phase 2':>8} {'per guest':>10}")
    print("-" * 77)
    per_guest: dict[str, float] = {}
    for role in roles:
        before, after = baseline.percent(baseline.roles_s.get(role, 0.0)), guests.percent(guests.roles_s.get(role, 0.0))
        per_guest[role] = (after - before) / 2
        if before >= 0.05 or after >= 0.05:
            print(f"{role:<48} {before:>8.1f} {after:>8.1f} {per_guest[role]:>10.1f}")
    total_before, total_after = baseline.percent(baseline.process_cpu_s), guests.percent(guests.process_cpu_s)
    attributed = guests.percent(sum(guests.roles_s.values()))
    print(f"{'this process (getrusage)':<48} {total_before:>8.1f} {total_after:>8.1f} {(total_after - total_before) / 2:>10.1f}")
    print(f"  (threads add up to {attributed:.1f}% in phase 2; the rest ended between samples)")
    return per_guest


def print_per_guest(baseline: Window, guests: Window, per_guest: dict[str, float], *, return_video: bool) -> None:
    stage = {name: guests.percent(s) / 2 for name, s in guests.stages_s.items()}

    def share(*roles: str) -> float:
        return sum(per_guest.get(role, 0.0) for role in roles)

    rows = [
        ("decode (aiortc decoder threads + their native threads)", share(ROLE_VIDEO_DECODE, ROLE_AUDIO_DECODE, ROLE_DECODER_NATIVE)),
        ("video conversion to I420 (pool)", share(ROLE_CONVERSION)),
        ("audio resample to 48 kHz float (timed, on the loop)", stage.get(STAGE_RESAMPLE, 0.0)),
        ("return: its encoders on the executor (Opus" + (" + program video)" if return_video else ")"), share(ROLE_EXECUTOR)),
        ("return: mix-minus read + s16 (timed, on the loop)", stage.get(STAGE_RETURN_READ, 0.0)),
        ("event loop, the rest (RTP/SRTP in and out, jitter, stats)",
         share(ROLE_LOOP) - stage.get(STAGE_RESAMPLE, 0.0) - stage.get(STAGE_RETURN_READ, 0.0)),
        ("guest source capture thread", share(ROLE_CAPTURE_GUESTS)),
        ("program + encode + x264 (the guest's picture on program)", share(ROLE_PROGRAM, ROLE_ENCODE, ROLE_NATIVE)),
    ]  # fmt: skip
    total = (guests.percent(guests.process_cpu_s) - baseline.percent(baseline.process_cpu_s)) / 2
    print(f"\n{'CPU per guest = (phase 2 - phase 1) / 2':<62} {'% of a core':>12}")
    print("-" * 75)
    for label, value in rows:
        print(f"{label:<62} {value:>12.1f}")
    print(f"{'everything else (main thread, sampling noise)':<62} {total - sum(v for _, v in rows):>12.1f}")
    print(f"{'total per guest':<62} {total:>12.1f}")
    if guests.encoder_preset != baseline.encoder_preset:
        print(
            f"  NOTE: the encoder stepped down ({baseline.encoder_preset} -> {guests.encoder_preset}) as the guests joined, "
            "so x264 costs less in phase 2: the program + encode + x264 row is not what a guest's picture costs"
        )
    print("  timed inside those calls, per guest: " + ", ".join(f"{name} {value:.2f}%" for name, value in sorted(stage.items())))


def recording_packets(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)


# -- the run --------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="phase 2, two guests, measured (default 60)")
    parser.add_argument("--baseline-seconds", type=float, default=15.0, help="phase 1, no guest (default 15)")
    parser.add_argument("--latency-seconds", type=float, default=10.0, help="phase 3, read from program (default 10)")
    parser.add_argument("--no-latency", action="store_true", help="skip phase 3 (the Chromium guest)")
    parser.add_argument("--return-video", action="store_true", help="the returns also carry program video (640x360/15)")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the recording and the logs")
    args = parser.parse_args(argv)
    if min(args.seconds, args.baseline_seconds, args.latency_seconds) <= 0:
        parser.error("the durations must be positive")

    from studio.engine.outputs.encoder import choose_video_codec
    from studio.engine.show import parse_show
    from studio.engine.sources.base import SourceStatus
    from studio.session import SessionOptions, StudioSession
    from tests.chromium import CHROMIUM_EXE

    folder = Path(tempfile.mkdtemp(prefix="studio-guest-bench-"))
    show = parse_show(benchmark_show_data(), file="<guest benchmark>")
    encoder = show.encoder
    print(
        f"{len(LOCAL_SOURCES)} test patterns {CANVAS_W}x{CANVAS_H}@{FPS} + {len(GUESTS)} guests in a 3x2 grid -> "
        f"{CANVAS_W}x{CANVAS_H}@{FPS}, {choose_video_codec(encoder.encoder)} {encoder.preset} {encoder.bitrate_kbps} kbps "
        f"(encoder: {encoder.encoder.value}), recording; "
        f"{os.cpu_count()} CPUs, load average {'/'.join(f'{v:.2f}' for v in os.getloadavg())} at the start"
    )
    print(
        f"guests: FFmpeg WHIP, H.264 baseline {PUSH_W}x{PUSH_H}@{FPS} {PUSH_KBPS} kbps + Opus, started with nice -n 10: their "
        "encoding runs on this same machine (a real guest encodes on their own device); each return pulled by a "
        f"WHEP player child ({'mix-minus + program video' if args.return_video else 'mix-minus audio only'})"
    )
    session = StudioSession(show, SessionOptions(comments_database=folder / "comments.sqlite", recording_folder=folder))
    timers = StageTimers()
    pushers: list[GuestPusher] = []
    players: list[ReturnPlayer] = []
    verdict = "verdict: not reached (the run stopped early)"
    stack = contextlib.ExitStack()
    try:
        session.start()
        session.start_guest_service(port=0)
        recording = session.start_recording(folder / "program.mkv")
        engine = session.engine
        tick_timer = TickTimer(engine)
        wait_for(lambda: all(engine.source_status().get(s) is SourceStatus.LIVE for s in LOCAL_SOURCES), "the test patterns live", 20)
        time.sleep(WARM_UP_S)  # the encoder open, the first ticks' caches

        print(f"\nphase 1: no guest, {args.baseline_seconds:g} s")
        baseline = measure(engine, args.baseline_seconds, guests=GUESTS, children={}, timers=timers, tick_timer=tick_timer)
        print_window("phase 1, no guest", baseline)

        print("\nphase 2: two guests join")
        timers.install()
        started = time.monotonic()
        pushers = [GuestPusher(session, gid, folder) for gid in GUESTS]
        for gid, pusher in zip(GUESTS, pushers):
            try:
                wait_for(lambda gid=gid: guest_is_live(session, gid), f"{gid} live")
            except SystemExit:
                print(f"FFmpeg for {gid} said:\n{pusher.log_tail()}")
                raise
            print(f"  {gid} live on program {time.monotonic() - started:.1f} s after FFmpeg started")
        players = [ReturnPlayer(*whip_url_and_token(session, gid, "whep"), video=args.return_video) for gid in GUESTS]
        for player in players:
            player.wait_playing()
        time.sleep(WARM_UP_S)
        children = {f"FFmpeg {gid}": p.process.pid for gid, p in zip(GUESTS, pushers)}
        children.update({f"return player {gid}": p.process.pid for gid, p in zip(GUESTS, players)})
        print(f"  measuring {args.seconds:g} s")
        two_guests = measure(engine, args.seconds, guests=GUESTS, children=children, timers=timers, tick_timer=tick_timer)
        guest_stats = session.guest_stats()
        returns = return_figures(session)
        late = {gid: getattr(session.guest_service._guests.get(gid), "video_frames_dropped", 0) for gid in GUESTS}
        for gid, pusher in zip(GUESTS, pushers):
            if pusher.process.poll() is not None:
                print(f"  NOTE: FFmpeg for {gid} exited during the window (code {pusher.process.returncode}): {pusher.log_tail() or 'no message'}")
        player_lines = [player.stop() for player in players]
        players = []
        for pusher in pushers:
            pusher.stop()
        pushers = []
        timers.uninstall()
        stack.close()

        print_window("phase 2, two guests", two_guests)
        per_guest = print_roles(baseline, two_guests)
        print_per_guest(baseline, two_guests, per_guest, return_video=args.return_video)
        print("\nguests at the end of phase 2:")
        for gid, stats in guest_stats.items():
            arrived = two_guests.guest_frames[gid] / two_guests.seconds
            held_ms = getattr(stats, "video_held_ms", None)
            sync = f"held {held_ms:.0f} ms for lip sync, {getattr(stats, 'video_late_ms', 0.0):.0f} ms late" if held_ms is not None else "not lip-synced"
            print(
                f"  {gid}: {stats.describe()}; {arrived:.1f} fps into the feed, {late[gid]} late pictures dropped, {sync}; "
                f"return {returns.get(gid, 'none')}; player: {player_lines[list(GUESTS).index(gid)]}"
            )

        p = two_guests.program
        held = p["frames_dropped"] == 0 and p["lagged_ticks"] == 0
        verdict = (
            f"verdict: two guests + four 1080p30 sources {'HELD' if held else 'did NOT hold'} real time over "
            f"{two_guests.seconds:.0f} s (0 dropped and 0 lagged ticks wanted): {p['frames_dropped']} dropped, "
            f"{p['lagged_ticks']} lagged of {p['frames_produced']} ticks, {p['frames_repeated']} recording repeats "
            f"(phase 1 without guests: {baseline.program['frames_dropped']} dropped, "
            f"{baseline.program['lagged_ticks']} lagged); other processes used {two_guests.percent(two_guests.others_s):.0f}% "
            f"of a core meanwhile"
            + (f"; the encoder stepped down to {two_guests.encoder_preset}" if two_guests.encoder_preset != baseline.encoder_preset else "")
        )

        if args.no_latency:
            print("\nphase 3 skipped (--no-latency)")
        elif not CHROMIUM_EXE.exists():
            print(f"\nphase 3 skipped: {CHROMIUM_EXE} is missing")
        else:
            print(f"\nphase 3: a Chromium guest, {args.latency_seconds:g} s on program")
            box = guest_picture_box("guest-1", *CAMERA_SIZE)
            live = functools.partial(wait_for, lambda: guest_is_live(session, "guest-1"), "the browser guest live on program")
            print_latency(measure_latency(session, "guest-1", box, args.latency_seconds, folder, live), "guest-1")
        session.stop_recording()
        print(f"\nrecording: {recording_packets(recording)} video packets in {recording.name}, {recording.stat().st_size / 1e6:.0f} MB")
    finally:
        for player in players:
            player.stop()
        for pusher in pushers:
            pusher.stop()
        timers.uninstall()
        stack.close()
        session.stop()
        if args.keep:
            print(f"files kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"load average at the end {'/'.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
