"""The composition root: the one place that builds the engine's parts and wires them together."""

from __future__ import annotations

from pathlib import Path

import cv2

from studio.engine.builtin_shows import BUILTIN_SHOWS, builtin_show
from studio.engine.clock import MediaClock, MonotonicClock, VirtualClock
from studio.engine.engine import Engine
from studio.engine.show import Show, load_show
from studio.engine.show_problems import ShowProblem, ShowProblems
from studio.engine.sources.base import SourceTiming
from studio.engine.assets import ASSETS_DIR, find_asset
from studio.engine.sources.registry import default_registry



def resolve_show(reference: str | None) -> Show:
    """A show file path, or the name of a built-in show ("demo" when nothing is given)."""
    if reference is None:
        return builtin_show("demo")
    if reference in BUILTIN_SHOWS and not Path(reference).exists():
        return builtin_show(reference)
    return load_show(reference)


def check_show_resources(show: Show, *, file: str, allow_missing_devices: bool = False) -> list[str]:
    """Refuse to start a headless run on files or devices that do not exist at all: every missing
    one is named in one ShowProblems. With allow_missing_devices, a missing camera is only
    reported (returned): it will show NO SIGNAL and be picked up when it is plugged in."""
    registry = default_registry()
    warnings: list[str] = []
    problems: list[ShowProblem] = []
    for index, spec in enumerate(show.sources):
        plugin = registry.plugin(spec.kind)
        problem = plugin.check_resources(plugin.settings_model.model_validate(spec.settings))
        if problem is None:
            continue
        field, message = problem
        location = ("sources", index, "settings", field)
        if plugin.timing is SourceTiming.CAPTURED:
            if allow_missing_devices:
                warnings.append(str(ShowProblems([ShowProblem(location, message)], file=file)))
                continue
            message += " (plug it in, fix the show, or pass --allow-missing-devices to run with NO SIGNAL in its place)"
        problems.append(ShowProblem(location, message))
    if problems:
        raise ShowProblems(problems, file=file)
    return warnings


def build_engine(
    show: Show, *, virtual_clock: bool = False, tick_limit: int | None = None, clock: MediaClock | None = None
) -> Engine:
    # OpenCV's own thread pool only adds overhead to our small per-layer resizes, and the
    # encoder already keeps every core busy: one thread per call is cheaper overall.
    cv2.setNumThreads(1)
    if clock is None:
        clock = VirtualClock() if virtual_clock else MonotonicClock()
    return Engine(show, clock, default_registry(), tick_limit=tick_limit)


def build_selling_desk(engine: Engine, show: Show, *, show_reference: str | None):
    """The products desk of a show; product images are looked up beside the show file (or in the
    shipped assets for a built-in show)."""
    from studio.commerce.selling_desk import SellingDesk

    return SellingDesk(engine, show, image_folder=show_folder(show_reference))


def show_folder(show_reference: str | None) -> Path:
    """Where a show's relative paths (product pictures, comment replays) are looked up: beside the
    show file, or in the shipped assets for a built-in show."""
    is_file = show_reference is not None and Path(show_reference).exists()
    return Path(show_reference).resolve().parent if is_file else ASSETS_DIR


def build_comment_desk(engine: Engine, show: Show, *, show_reference: str | None, database: Path | None = None):
    """The comment desk of a show session, its store (a new database per session unless one is
    named) and the replay player of the show's replay file (not started)."""
    from studio.comments.comment_desk import CommentDesk, default_store
    from studio.comments.replay import ReplayPlayer, load_replay
    from studio.comments.store import CommentStore

    store = CommentStore(database) if database is not None else default_store(show)
    desk = CommentDesk(engine, show, store)
    items = []
    if show.comments.replay_file:
        items = load_replay(find_asset(show.comments.replay_file, show_folder(show_reference)))
    player = ReplayPlayer(engine, desk.ingest, items, loop=show.comments.replay_loop)
    return desk, player


def start_twitch_chat(desk, show: Show, on_state=None):
    """Read the show's Twitch channel into the comment desk (read-only, anonymous); None if the
    show has no channel."""
    if not show.comments.twitch_channel:
        return None
    from studio.comments.twitch import TwitchChat

    chat = TwitchChat(show.comments.twitch_channel, on_comments=desk.ingest, on_state=on_state)
    chat.start()
    return chat
