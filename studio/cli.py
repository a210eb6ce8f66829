"""The `studio` command: the desktop app, `studio run` headless, `studio devices`."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

from studio import __version__
from studio.engine.errors import InputError, StudioError
from studio.engine.events import ProgramStats
from studio.engine.outputs.stream_target import StreamKind, StreamTarget
from studio.engine.show import MAIN_CANVAS
from studio.engine.sources.base import AudioStatus

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studio", description="Live-selling production studio.")
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the engine does")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run a show headless (no window)")
    run.add_argument("--show", metavar="FILE", help="show file (JSON) or a built-in show name; default: demo")
    run.add_argument(
        "--record",
        metavar="[CANVAS=]FILE",
        action="append",
        default=[],
        help="record the main program to FILE (.mkv; .mp4 is remuxed on stop); CANVAS=FILE records another canvas (vertical=v.mkv)",
    )
    run.add_argument("--duration", metavar="SECONDS", type=float, help="stop after this long (media time)")
    run.add_argument("--script", metavar="FILE", help="timeline of timed commands (JSON)")
    run.add_argument(
        "--virtual-clock", action="store_true", help="render as fast as possible on a virtual clock (exact pts)"
    )
    run.add_argument(
        "--output",
        metavar="[CANVAS=]URL",
        action="append",
        default=[],
        help="stream to rtmp://host/app/KEY, rtmps://..., srt://host:port?streamid=... or a WHIP endpoint https://...; "
        "repeat for several; CANVAS=URL streams another canvas (vertical=rtmp://...)",
    )
    run.add_argument(
        "--whip-token",
        metavar="TOKEN",
        help="the bearer token of every WHIP --output (or set STUDIO_WHIP_TOKEN, which keeps it out of the process list)",
    )
    run.add_argument("--live", action="store_true", help="also go live to the show's enabled destinations")
    run.add_argument("--comments-port", metavar="PORT", type=int, help="open the local comments API (WebSocket and HTTP) on 127.0.0.1:PORT; 0 picks a free port (printed)")
    run.add_argument(
        "--comments-token",
        metavar="TOKEN",
        help="the token comment bridges must send (or set STUDIO_COMMENTS_TOKEN, which keeps it out of the process list)",
    )
    run.add_argument("--comments-db", metavar="FILE", help="store comments in this SQLite file (default: a new one per session)")
    run.add_argument("--remote-port", metavar="PORT", type=int, help="serve the obs-websocket 5 compatible remote control on 127.0.0.1:PORT; 0 picks a free port (printed)")
    run.add_argument(
        "--remote-password",
        metavar="PASSWORD",
        help="the remote control password (or set STUDIO_REMOTE_PASSWORD, which keeps it out of the process list)",
    )
    run.add_argument("--remote-lan", action="store_true", help="let other devices on the network connect to the remote control")
    run.add_argument(
        "--guest-port",
        metavar="PORT",
        type=int,
        help="run the guest service (the guest page, WHIP and WHEP) on 127.0.0.1:PORT; 0 picks a free port (printed)",
    )
    run.add_argument(
        "--guest-token",
        metavar="GUEST=TOKEN",
        action="append",
        default=[],
        help="the token of a guest source's link (repeat per guest; or STUDIO_GUEST_TOKENS=guest-1=T1,guest-2=T2); default: the show's",
    )
    run.add_argument("--guest-lan", action="store_true", help="serve the guest page over HTTPS to the LAN (a certificate the studio makes)")
    run.add_argument(
        "--allow-missing-devices",
        action="store_true",
        help="start even if a camera is not attached (it shows NO SIGNAL until it is)",
    )
    commands.add_parser("devices", help="list cameras and microphones")
    screenshot = commands.add_parser("screenshot", help="render the desktop app on a running show to a PNG")
    screenshot.add_argument("--out", metavar="FILE.png", required=True, help="where to write the PNG")
    screenshot.add_argument("--size", metavar="WxH", default="1920x1080", help="window size, e.g. 1366x768")
    screenshot.add_argument("--show", metavar="FILE", help="show file or built-in show name; default: demo")
    screenshot.add_argument("--language", choices=("en", "zh_CN"), default="en", help="UI language")
    screenshot.add_argument("--settle", metavar="SECONDS", type=float, default=2.0, help="run this long first")
    export = commands.add_parser("export-comments", help="write a session's stored comments to CSV or JSONL")
    export.add_argument("database", help="the session's .sqlite file")
    export.add_argument("out", help="FILE.csv or FILE.jsonl")
    parser.add_argument("--show", dest="desktop_show", metavar="FILE", help="open this show in the desktop app")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if arguments.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if arguments.command == "run":
            return run_headless(arguments)
        if arguments.command == "devices":
            from studio.engine.devices import describe_devices

            print(describe_devices())
            return 0
        if arguments.command == "screenshot":
            return screenshot(arguments)
        if arguments.command == "export-comments":
            return export_comments(arguments)
        return open_desktop(arguments.desktop_show)
    except InputError as error:
        print(f"studio: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StudioError as error:
        print(f"studio: error: {error}", file=sys.stderr)
        return 1


def open_desktop(show: str | None) -> int:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith("linux"):
        print("studio: no display found. To run a show without a window: studio run [--show FILE] [--record FILE]")
        return 0
    from studio.gui.desktop import run_desktop

    return run_desktop(show)


def screenshot(arguments: argparse.Namespace) -> int:
    match = re.fullmatch(r"(\d+)x(\d+)", arguments.size)
    if not match or not (640 <= int(match[1]) <= 7680 and 480 <= int(match[2]) <= 4320):
        raise InputError(f"expected WIDTHxHEIGHT between 640x480 and 7680x4320, got {arguments.size!r}", field="--size")
    if not arguments.out.lower().endswith(".png"):
        raise InputError(f"expected a .png file name, got {arguments.out!r}", field="--out")
    from studio.gui.desktop import take_screenshot

    out = take_screenshot(
        Path(arguments.out), int(match[1]), int(match[2]), reference=arguments.show, language=arguments.language, settle_s=arguments.settle
    )
    print(f"studio: wrote {out}")
    return 0


def _status_line(stats: ProgramStats, started_wall_s: float, scene: str) -> str:
    media_s = stats.media_time_ns / 1e9
    elapsed_s = max(1e-6, time.monotonic() - started_wall_s)
    return (
        f"frame={stats.frames_produced:6d} fps={stats.frames_produced / elapsed_s:5.1f} "
        f"time={media_s:8.2f}s dropped={stats.frames_dropped} lagged={stats.lagged_ticks} "
        f"enc_dropped={stats.encoder_dropped} queue={stats.encoder_queue_depth} encoded={stats.frames_encoded} "
        f"rec={'on' if stats.recording else 'off'} scene={scene}"
    )


def run_headless(arguments: argparse.Namespace) -> int:
    from studio.app import check_show_resources, resolve_show
    from studio.comments.replay import ReplayPlayer
    from studio.control.timeline import load_timeline, schedule_timeline
    from studio.session import SessionOptions, StudioSession

    show = resolve_show(arguments.show)
    show = with_guest_tokens(show, arguments.guest_token + _split_tokens(os.environ.get("STUDIO_GUEST_TOKENS", "")))
    for warning in check_show_resources(
        show, file=arguments.show or "<built-in show demo>", allow_missing_devices=arguments.allow_missing_devices
    ):
        print(f"studio: warning: {warning}; showing NO SIGNAL until it appears", file=sys.stderr)
    if arguments.duration is not None and arguments.duration <= 0:
        raise InputError(f"must be a positive number of seconds, got {arguments.duration}", field="--duration")
    steps = load_timeline(arguments.script) if arguments.script else []
    recordings = _recordings_by_canvas(show, arguments.record)
    for path in recordings.values():
        _check_writable(path)
    record_path = recordings.get(MAIN_CANVAS)
    tick_limit = round(arguments.duration * show.canvas.fps) if arguments.duration is not None else None
    session = StudioSession(
        show,
        SessionOptions(
            show_reference=arguments.show,
            virtual_clock=arguments.virtual_clock,
            tick_limit=tick_limit,
            comments_database=Path(arguments.comments_db) if arguments.comments_db else None,
            recording_folder=record_path.parent if record_path is not None else Path.cwd(),
        ),
    )
    session.events.warning.connect(lambda message: print(f"\nstudio: warning: {message}", file=sys.stderr))
    engine = session.build()
    desk, comments = session.selling, session.comments
    if desk is not None:
        desk.events.link_pushed.connect(
            lambda push: print(f"\nstudio: link pushed: {push.title} ({push.product_id}) at {push.media_time_ns / 1e9:.3f} s", file=sys.stderr)
        )
        desk.events.webhook_result.connect(
            lambda result: print(
                f"\nstudio: link push webhook: {'delivered' if result.ok else 'failed'} after {result.attempts} attempt(s)"
                + (f" ({result.error})" if result.error else ""),
                file=sys.stderr,
            )
        )
        desk.events.error.connect(lambda message: print(f"\nstudio: {message}", file=sys.stderr))
    if steps:
        injected = schedule_timeline(engine, steps, file=arguments.script, desk=desk, comments=comments)
        if injected and comments is not None:
            session.add_player(ReplayPlayer(engine, comments.ingest, injected))
    if comments is not None:
        print(f"studio: comments are stored in {comments.store.path}", file=sys.stderr)

    started_wall_s = time.monotonic()
    interactive = sys.stderr.isatty()
    engine.events.program_stats.connect(
        lambda stats: print(
            _status_line(stats, started_wall_s, engine.program_scene)
            + "".join(f" | {destination.line()}" for destination in stats.outputs)
            + _guests_line(session),
            file=sys.stderr,
            end="\r" if interactive else "\n",
            flush=True,
        )
    )
    engine.events.error.connect(lambda message: print(f"\nstudio: {message}", file=sys.stderr))
    engine.events.output_state_changed.connect(
        lambda name, state, reason: print(
            f"\nstudio: output {name}: {state}{' (' + reason + ')' if reason else ''}", file=sys.stderr
        )
    )
    stop_requested = threading.Event()
    previous_sigterm = signal.signal(signal.SIGTERM, lambda *_: stop_requested.set())
    mode = "virtual clock" if arguments.virtual_clock else "real time"
    print(
        f"studio: running {show.name!r} headless ({mode}, {show.canvas.width}x{show.canvas.height} at "
        f"{show.canvas.fps} fps){'; recording to ' + str(record_path) if record_path else ''}. Ctrl+C stops.",
        file=sys.stderr,
    )
    final_destinations = []
    try:
        if arguments.comments_port is not None:
            start_comments_api(arguments, session)
        if arguments.remote_port is not None:
            start_remote_control(arguments, session)
        if arguments.guest_port is not None:
            start_guest_service(arguments, session)
        for canvas, path in recordings.items():
            session.start_recording(path, canvas=canvas)
        whip_token = arguments.whip_token or os.environ.get("STUDIO_WHIP_TOKEN", "")
        destinations = []
        for index, given in enumerate(arguments.output):
            canvas, url = canvas_prefixed(given)
            token = whip_token if StreamTarget("", url).kind is StreamKind.WHIP else ""
            destinations.append(StreamTarget(f"out{index + 1}", url, token, canvas=canvas))
        if arguments.live:
            destinations += [d.target() for d in show.destinations if d.enabled]
        if destinations:
            problems = engine.start_streaming(destinations)
            for problem in problems:
                print(f"studio: error: {problem}; the other outputs go on", file=sys.stderr)
        session.start()
        for name, (state, reason) in engine.audio_status().items():
            if state is AudioStatus.UNAVAILABLE:
                print(f"studio: warning: audio {name} unavailable: {reason}; the show goes on without it", file=sys.stderr)
        while not stop_requested.is_set() and not engine.wait(0.2):
            pass
    except KeyboardInterrupt:
        print("\nstudio: stopping...", file=sys.stderr)
    finally:
        final_destinations = engine.destination_stats()  # the encode thread lets go of them at stop
        session.stop()
        signal.signal(signal.SIGTERM, previous_sigterm)
    stats = engine.stats()
    recording = engine.recording_stats
    print(file=sys.stderr)
    print(
        f"summary: frames produced {stats.frames_produced}, frames dropped {stats.frames_dropped}, "
        f"lagged ticks {stats.lagged_ticks}, encoder dropped {stats.encoder_dropped}, "
        f"repeated {recording.frames_repeated}, tick p99 {stats.tick_ms_p99:.1f} ms"
        + (f", encoder preset {recording.preset}" if recording.preset else "")
        + (f", recorded {recording.frames_encoded} frames to {record_path}" if record_path else ""),
        file=sys.stderr,
    )
    failed = bool(recording.errors)
    for canvas, path in recordings.items():
        if canvas != MAIN_CANVAS:
            other = engine.canvas_recording_stats(canvas)
            failed = failed or bool(other.errors)
            print(f"summary: canvas {canvas}: recorded {other.frames_encoded} frames to {path}, repeated {other.frames_repeated}", file=sys.stderr)
    for destination in final_destinations:
        dropped = ", ".join(f"{reason} {count}" for reason, count in destination.dropped_frames.items()) or "none"
        print(
            f"summary: output {destination.name} {destination.url}: sent {destination.video_frames_sent} frames, "
            f"reconnects {destination.reconnects}, dropped frames: {dropped}",
            file=sys.stderr,
        )
    return 1 if failed else 0


def canvas_prefixed(value: str) -> tuple[str, str]:
    """("vertical", "v.mkv") from "vertical=v.mkv"; (main, value) without a canvas name in front
    (a URL's scheme has a colon before any '=', so it never reads as one)."""
    match = re.match(r"([a-z][a-z0-9_-]{0,31})=(.+)$", value)
    return (match.group(1), match.group(2)) if match else (MAIN_CANVAS, value)


def _recordings_by_canvas(show, values: list[str]) -> dict[str, Path]:
    recordings: dict[str, Path] = {}
    for value in values:
        canvas, path = canvas_prefixed(value)
        try:
            show.canvas_named(canvas)
        except InputError as error:
            raise InputError(f"{value!r}: {error.detail}", field="--record") from None
        if canvas in recordings:
            raise InputError(f"{value!r}: the {canvas} canvas is recorded once; expected one --record per canvas", field="--record")
        recordings[canvas] = Path(path)
    return recordings


def export_comments(arguments: argparse.Namespace) -> int:
    from studio.comments.store import CommentStore

    database, out = Path(arguments.database), Path(arguments.out)
    if not database.is_file():
        raise InputError("file not found; expected a comments database (.sqlite)", file=str(database))
    if out.suffix.lower() not in (".csv", ".jsonl"):
        raise InputError(f"expected a .csv or .jsonl file name, got {out.name!r}", field="out")
    store = CommentStore(database)
    try:
        count = store.export_csv(out) if out.suffix.lower() == ".csv" else store.export_jsonl(out)
    finally:
        store.close()
    print(f"studio: wrote {count} comments to {out}")
    return 0


def start_remote_control(arguments: argparse.Namespace, session):
    """The obs-websocket compatible remote control; a password is required."""
    password = arguments.remote_password or os.environ.get("STUDIO_REMOTE_PASSWORD", "")
    from studio.control.remote_protocol import MIN_PASSWORD_CHARACTERS

    if len(password) < MIN_PASSWORD_CHARACTERS:
        raise InputError(
            f"the remote control needs a password of at least {MIN_PASSWORD_CHARACTERS} characters"
            " (--remote-password or STUDIO_REMOTE_PASSWORD)",
            field="--remote-password",
        )
    if not 0 <= arguments.remote_port <= 65535:
        raise InputError(f"expected a port from 0 to 65535 (0: any free port), got {arguments.remote_port}", field="--remote-port")
    host = "0.0.0.0" if arguments.remote_lan else "127.0.0.1"
    server = session.start_remote_control(host=host, port=arguments.remote_port, password=password)
    print(f"studio: remote control (obs-websocket 5) on ws://{host}:{server.port} (password required)", file=sys.stderr)
    return server


def start_comments_api(arguments: argparse.Namespace, session):
    """The local comments API for bridges; the token from --comments-token or the environment."""
    token = arguments.comments_token or os.environ.get("STUDIO_COMMENTS_TOKEN", "")
    if len(token) < 8:
        raise InputError(
            "the comments API needs a token of at least 8 characters (--comments-token or STUDIO_COMMENTS_TOKEN)",
            field="--comments-token",
        )
    if not 0 <= arguments.comments_port <= 65535:
        raise InputError(f"expected a port from 0 to 65535 (0: any free port), got {arguments.comments_port}", field="--comments-port")
    server = session.start_comments_api(arguments.comments_port, token)
    print(f"studio: comments API on {server.url} (WebSocket /ws, HTTP POST /comments; token required)", file=sys.stderr)
    return server


def _split_tokens(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def with_guest_tokens(show, assignments: list[str]):
    """The show with each `GUEST=TOKEN` of --guest-token as that guest source's token."""
    from studio.engine.sources.guest import GUEST_KIND

    if not assignments:
        return show
    guests = {source.id: source for source in show.sources if source.kind == GUEST_KIND}
    sources = list(show.sources)
    for assignment in assignments:
        guest_id, equals, token = assignment.partition("=")
        guest_id = guest_id.strip()
        if not equals or not guest_id:
            raise InputError("expected GUEST=TOKEN, e.g. guest-1=Xy7...; the token itself is not shown", field="--guest-token")
        if guest_id not in guests:
            raise InputError(
                f"unknown guest {guest_id!r}; expected the id of a guest source: {', '.join(guests) or '(the show has none)'}",
                field="--guest-token",
            )
        if len(token) < 16:
            raise InputError(f"the token of {guest_id} is too short; expected at least 16 characters", field="--guest-token")
        index = next(i for i, source in enumerate(sources) if source.id == guest_id)
        sources[index] = sources[index].model_copy(update={"settings": {**sources[index].settings, "token": token}})
    return show.model_copy(update={"sources": sources})


def start_guest_service(arguments: argparse.Namespace, session):
    """The guest service for a headless run; each guest's link is printed with its token masked
    (the token is the one given with --guest-token, or the show's)."""
    if not 0 <= arguments.guest_port <= 65535:
        raise InputError(f"expected a port from 0 to 65535 (0: any free port), got {arguments.guest_port}", field="--guest-port")
    service = session.start_guest_service(port=arguments.guest_port, lan=arguments.guest_lan or None)
    for guest_id in session.guest_ids():
        print(f"studio: guest {guest_id} joins at {service.base_url}/guest/{guest_id}#**** (the token of its link)", file=sys.stderr)
    return service


def _guests_line(session) -> str:
    stats = session.guest_stats() if session.guest_service is not None else {}
    return "".join(f" | guest {guest_id}: {guest.describe()}" for guest_id, guest in stats.items())


def _check_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the folder {folder}: {error.strerror}", field="--record") from None
    if not os.access(folder, os.W_OK):
        raise InputError(f"the folder {folder} is not writable", field="--record")
