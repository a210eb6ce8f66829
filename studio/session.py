"""The session: the one Qt-free object that builds and owns a running studio.

It builds the engine, the selling desk, the comment desk (store, replay, Twitch, local API), the
guest service and the remote control, holds the editable show and the on-air state (streaming, recording), and
offers the editing API. `studio run`, the desktop app and the remote control all call it and
listen to its events; none of them wires parts itself.

Every edit is validated first (studio.show_editing: an InputError names the field and what was
expected, and nothing changes), then applied to the running engine at its next tick, with no
restart: a new source opens on its own thread and joins the program when its first frame
arrives. Only the canvas (size, frame rate) and the encoder need a new engine; `load()` builds
one, off air only.

Methods may be called from any thread (the GUI's, the remote control's worker, a script's); one
lock orders them. Events fire on the calling thread or on engine threads: listeners must be quick.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from psygnal import Signal

from studio import show_editing as edits
from studio.session_editing import ShowEditing
from studio.engine.clock import MediaClock
from studio.engine.engine import Engine
from studio.engine.errors import InputError
from studio.engine.outputs.stream_target import StreamTarget
from studio.engine.show import MAIN_CANVAS, Show, SourceSpec
from studio.engine.sources.guest import GUEST_KIND, new_guest_token, settings_with_plain_token
from studio.engine.sources.guest_feed import GuestStats

log = logging.getLogger(__name__)

# What the editing API (and so undo) changes; the rest of a show is settings and the run sheet.
EDITED_FIELDS = ("sources", "scenes", "audio_inputs", "program_scene", "preview_scene")
# How long the start waits for the selling desk to draw its first card and countdown digits.
WARM_UP_LIMIT_S = 5.0


class SessionEvents:
    show_changed = Signal(object)
    """payload: the edited Show (after an edit, an undo or a load). Fires on the caller's thread."""

    engine_started = Signal(object)
    """payload: the new running Engine (start or load). Fires on the thread that started it."""

    on_air_changed = Signal(bool, object)
    """payload: streaming, the recording's file (Path) or None. Fires on the caller's thread."""

    warning = Signal(str)
    """payload: something the user should know that did not stop anything (a camera not attached)."""


@dataclass
class SessionOptions:
    """How the parts are built: the same for the app and `studio run`."""

    show_reference: str | None = None  # the show's file (relative paths resolve beside it)
    virtual_clock: bool = False
    tick_limit: int | None = None
    clock: MediaClock | None = None
    comments_database: Path | None = None
    recording_folder: Path = field(default_factory=Path.cwd)
    build_engine: Callable[[Show], Engine] | None = None  # tests and benchmarks swap the clock


def file_name_slug(name: str) -> str:
    """A file-name-safe version of a show name (Chinese letters kept)."""
    return re.sub(r"[^\w\-]+", "-", name, flags=re.UNICODE).strip("-") or "show"


def recording_name(show_name: str, canvas: str = MAIN_CANVAS) -> str:
    """`<show>-<date>-<time>.mkv` (`-<canvas>` before the suffix for another canvas): how a
    recording started without a file name is called."""
    suffix = "" if canvas == MAIN_CANVAS else f"-{canvas}"
    return f"{file_name_slug(show_name)}-{datetime.now():%Y%m%d-%H%M%S}{suffix}.mkv"


class StudioSession(ShowEditing):
    def __init__(self, show: Show, options: SessionOptions | None = None) -> None:
        self.options = options or SessionOptions()
        self.events = SessionEvents()
        self._show = with_guest_links(show)
        self._lock = threading.RLock()
        self.engine: Engine | None = None
        self.selling = None  # studio.commerce.selling_desk.SellingDesk, when the show has products
        self.comments = None  # studio.comments.comment_desk.CommentDesk
        self._comment_parts: list[Any] = []  # replay, Twitch, scripted players: stopped before the desk
        self.comments_api = None
        self.remote = None  # studio.control.remote_api.RemoteControlServer
        self.guest_service = None  # studio.guests.service.GuestService
        self._servers_stopped = False  # stop() ran: a server started late (on a worker) is stopped at once
        self._streaming = False
        self._recording: Path | None = None
        self._started = False
        # Who presses a hotkey asked for by the remote control: the desktop window sets this, so a
        # remote press is the same as the key; None: the remote control acts on the session itself.
        self.hotkey_handler: Callable[[str], bool] | None = None

    # -- the show ---------------------------------------------------------------------------------

    @property
    def show(self) -> Show:
        """The show as it is now: the edited document with the mixer's and the run sheet's
        live state (what Save writes)."""
        with self._lock:
            show = self._show
            engine, desk = self.engine, self.selling
        update: dict[str, Any] = {}
        if engine is not None:
            update["audio_inputs"] = engine.current_show().audio_inputs
        if desk is not None:
            update.update(desk.show_state())
        return show.model_copy(update=update) if update else show

    @property
    def document(self) -> Show:
        """The edited show without the mixer's and the run sheet's live state: cheap (no locks of
        other threads taken), for reading scenes, sources and settings on a hot path (a key)."""
        return self._show

    def set_document(self, show: Show) -> None:
        """Replace the document's non-live parts (settings, hotkeys, transitions) without an
        engine change; sources, scenes and inputs go through replace_show."""
        with self._lock:
            current = self.show
            show = show.model_copy(update={field: getattr(current, field) for field in EDITED_FIELDS})
            self._show = show
        self.events.show_changed.emit(show)

    def replace_show(self, show: Show, *, new_guest_tokens: bool = False) -> Show:
        """Make the sources, scenes and audio inputs of `show` (an edit, an undo or a redo) the
        running show's, live; everything else (products and their stock, settings) stays as it
        is now. Validated like a show file; the canvas must stay the same while the engine runs.
        A guest keeps the token it has now (an undo must not bring back a revoked link): only
        revoke_guest_link() passes `new_guest_tokens`."""
        with self._lock:
            current = self.show
            update = {field: getattr(show, field) for field in EDITED_FIELDS}
            if not new_guest_tokens:
                update["sources"] = _keeping_guest_tokens(update["sources"], current.sources)
            products = _products_following_scenes(current, show.scenes)
            if products is not None:
                update["products"] = products
            merged = current.model_copy(update=update)
            show = edits.validated(merged.model_dump(mode="python"))
            if self.engine is not None:
                self.engine.apply_show(show)
            if products is not None and self.selling is not None:
                self.selling.replace_products(products)
            self._show = show
        self.events.show_changed.emit(show)
        return show

    def _edit(self, change: Callable[[Show], Any]) -> Any:
        """Run one edit against the show as it is now and apply it; returns what `change` gave
        after the show (an id), or None."""
        with self._lock:
            result = change(self.show)
            show, extra = result if isinstance(result, tuple) else (result, None)
            self.replace_show(show)
            return extra

    # -- life cycle --------------------------------------------------------------------------------------

    def build(self) -> Engine:
        """Build the engine and the desks for the show, not started yet: what is asked of them
        now (a recording, a scripted timeline) starts on tick 0."""
        from studio import app

        with self._lock:
            if self.engine is not None:
                return self.engine
            show = self._show
            build = self.options.build_engine or (
                lambda s: app.build_engine(s, virtual_clock=self.options.virtual_clock, tick_limit=self.options.tick_limit, clock=self.options.clock)
            )
            engine = build(show)
            self.engine = engine
            self._started = False
            reference = self.options.show_reference
            self.selling = app.build_selling_desk(engine, show, show_reference=reference) if show.products else None
            try:
                self.comments, replay = app.build_comment_desk(engine, show, show_reference=reference, database=self.options.comments_database)
                self._comment_parts = [replay]
            except (InputError, OSError) as error:
                self.comments, self._comment_parts = None, []
                self.events.warning.emit(f"comments unavailable: {error}")
            return engine

    def start(self) -> Engine:
        """Build (if not yet) and start the engine, the comment replay and the chat connectors
        (slow: not on a GUI thread)."""
        from studio import app

        with self._lock:
            engine = self.build()
            if self._started:
                return engine
            self._started = True
            show = self._show
            if self.selling is not None:  # fonts and the first card drawn before tick 0, not during it
                self.selling.wait_until_prepared(WARM_UP_LIMIT_S)
            engine.start()
            for part in self._comment_parts:
                part.start()
            if self.comments is not None:
                try:
                    chat = app.start_twitch_chat(self.comments, show)
                    if chat is not None:
                        self._comment_parts.append(chat)
                except Exception as error:  # a chat connector never keeps the show from running
                    self.events.warning.emit(f"Twitch chat unavailable: {error}")
            if self.remote is not None:
                self.remote.set_studio(self.remote_target())
        self.events.engine_started.emit(engine)
        return engine

    def add_player(self, player) -> None:
        """Something with start()/stop() that runs with the engine (a scripted comment player)."""
        with self._lock:
            self._comment_parts.append(player)
            if self._started:
                player.start()

    def load(self, show: Show, show_reference: str | None = None) -> Engine:
        """Replace the whole show with a new engine (a new file, a new canvas): off air only."""
        if self.on_air:
            raise InputError("stop streaming and recording before loading another show or changing the canvas", field="show")
        self.stop_engine()
        show = with_guest_links(show)
        with self._lock:
            self._show = show
            self.options.show_reference = show_reference
        self.events.show_changed.emit(show)
        return self.start()

    def stop_engine(self) -> None:
        """Stop the engine and the desks; the servers stay (they follow the next engine)."""
        with self._lock:
            if self.engine is not None:
                self._show = self.show  # keep the mixer's and the run sheet's state
            engine, desk, comments, parts = self.engine, self.selling, self.comments, self._comment_parts
            self.engine, self.selling, self.comments, self._comment_parts = None, None, None, []
            self._streaming, self._recording, self._started = False, None, False
        for part in reversed(parts):
            _quietly(part.stop)
        if engine is not None:
            engine.stop()
        if desk is not None:
            _quietly(desk.close)
        if comments is not None:
            _quietly(comments.close)
            _quietly(comments.store.close)

    def stop(self) -> None:
        """Everything: the servers, the outputs (the recording is finalized), the engine."""
        with self._lock:
            self._servers_stopped = True
            servers = (self.remote, self.comments_api, self.guest_service)
            self.remote = self.comments_api = self.guest_service = None
        for server in servers:
            if server is not None:
                _quietly(server.stop)
        self.stop_engine()

    # -- on air ------------------------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return self._streaming

    @property
    def recording_path(self) -> Path | None:
        return self._recording

    @property
    def on_air(self) -> bool:
        return self._streaming or self._recording is not None

    def start_streaming(self, destinations: Sequence[StreamTarget | tuple[str, str]] | None = None) -> list[str]:
        """Go live to targets or (name, URL) pairs, or to the show's enabled destinations. Returns the
        problems of destinations left out (malformed); raises when none could start."""
        engine = self._running_engine()
        if destinations is None:
            destinations = [d.target() for d in self._show.destinations if d.enabled]
        if not destinations:
            raise InputError("no destination is set up (Settings, Destinations)", field="destinations")
        with self._lock:
            problems = engine.start_streaming(destinations)
            if len(problems) == len(destinations):
                raise InputError("; ".join(problems), field="destinations")
            self._streaming = True
        self.events.on_air_changed.emit(True, self._recording)
        return problems

    def stop_streaming(self) -> None:
        engine = self._running_engine()
        with self._lock:
            engine.stop_streaming()
            self._streaming = False
        self.events.on_air_changed.emit(False, self._recording)

    def start_recording(self, path: str | Path | None = None, *, canvas: str = MAIN_CANVAS) -> Path:
        """Record program to `path`, or to `<show>-<date>-<time>.mkv` in the recording folder;
        another canvas's program when named (the app's recording state follows main's)."""
        engine = self._running_engine()
        with self._lock:
            if path is None:
                folder = Path(self.options.recording_folder)
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / recording_name(self._show.name, canvas)
            written = engine.start_recording(path, canvas=canvas)
            if canvas != MAIN_CANVAS:
                return written
            self._recording = written
        self.events.on_air_changed.emit(self._streaming, written)
        return written

    def stop_recording(self, *, canvas: str | None = None) -> None:
        """Stop every canvas's recording, or only the named canvas's (main's state follows main)."""
        engine = self._running_engine()
        with self._lock:
            engine.stop_recording(canvas=canvas)
            if canvas is not None and canvas != MAIN_CANVAS:
                return
            self._recording = None
        self.events.on_air_changed.emit(self._streaming, None)

    def recording_ended_by_itself(self) -> None:
        """The recorder stopped on its own (disk full, an error): the state follows."""
        with self._lock:
            self._recording = None
        self.events.on_air_changed.emit(self._streaming, None)

    def _running_engine(self) -> Engine:
        engine = self.engine
        if engine is None:
            raise InputError("the show is still starting", field="engine")
        return engine

    # -- servers --------------------------------------------------------------------------------------

    def start_comments_api(self, port: int, token: str):
        """The local comments API for platform bridges (127.0.0.1 only, token required). It runs
        in a child process (studio/comments/api_process.py): at thousands of messages a second its
        network, JSON and validation work would otherwise hold the GIL the program thread needs."""
        from studio.comments.api_process import CommentsApiProcess

        if self.comments is None:
            raise InputError("comments are unavailable in this session", field="comments")
        if len(token) < 8:
            raise InputError("the comments API needs a token of at least 8 characters", field="token")
        server = CommentsApiProcess(port=port, token=token, ingest=self._ingest_comments)
        server.start()  # a port in use raises CommentsApiError, which says so
        self.comments_api = server
        return server

    def _ingest_comments(self, comments):
        # The API outlives an engine restart; the desk of the moment stores what arrives.
        desk = self.comments
        if desk is None:
            raise InputError("the show is restarting; send again", field="comments")
        return desk.ingest(comments)

    def remote_target(self):
        from studio.control.remote_requests import RemoteTarget

        return RemoteTarget.for_session(self)

    def start_remote_control(self, *, host: str, port: int, password: str):
        """The obs-websocket 5 compatible remote control; it follows every engine of the session."""
        from studio.control.remote_api import RemoteControlServer
        from studio.control.remote_protocol import MIN_PASSWORD_CHARACTERS

        if len(password) < MIN_PASSWORD_CHARACTERS:
            raise InputError(f"the remote control needs a password of at least {MIN_PASSWORD_CHARACTERS} characters", field="password")
        server = RemoteControlServer(studio=self.remote_target(), host=host, port=port, password=password)
        server.start()  # a port in use raises RemoteApiError, which says so
        self.remote = server
        return server


    # -- guests (连麦) -----------------------------------------------------------------------------------

    def start_guest_service(self, *, port: int | None = None, lan: bool | None = None):
        """The guest service (the guest page, WHIP and WHEP) on the show's port, or `port`; on
        127.0.0.1 unless the show (or `lan`) opens it to the LAN over HTTPS. It follows every
        engine of the session, like the remote control."""
        from studio.guests.engine_host import EngineGuestHost
        from studio.guests.service import GuestService

        settings = self._show.guests
        lan = settings.listen_on_lan if lan is None else lan
        service = GuestService(
            EngineGuestHost(lambda: self.engine, lambda: self._show),
            bind_host="0.0.0.0" if lan else "127.0.0.1",
            port=settings.port if port is None else port,
            lan=lan,
            certificate_dir=guest_certificate_dir() if lan else None,
            ice_servers=settings.ice_servers,
        )
        service.start()  # a port in use raises GuestServiceError, which says so
        with self._lock:
            stopped = self._servers_stopped
            if not stopped:
                self.guest_service = service
        if stopped:  # the session stopped while this started (the window closed meanwhile)
            service.stop()
            raise InputError("the session has stopped", field="guests")
        return service

    def stop_guest_service(self) -> None:
        """Stop the guest service (its port or network settings changed); guests in a call are
        disconnected, and their pages rejoin once it runs again."""
        with self._lock:
            service, self.guest_service = self.guest_service, None
        if service is not None:
            service.stop()

    def guest_ids(self) -> list[str]:
        return [source.id for source in self._show.sources if source.kind == GUEST_KIND]

    def guest_link(self, ref: str) -> str:
        """The link to hand this guest (a secret: it holds their token): the show's public URL, or
        the running service's address."""
        spec = self._guest_source(ref)
        token = spec.settings.get("token") or ""
        if not token:
            raise InputError(f"guest {spec.name!r} has no link yet; make one with revoke_guest_link()", field="token")
        base = self._show.guests.public_url
        if base is None:
            if self.guest_service is None:
                raise InputError("the guest service is not running; start it to get the guests' links", field="guests")
            base = self.guest_service.base_url
        return f"{base}/guest/{spec.id}#{token}"

    def revoke_guest_link(self, ref: str) -> str:
        """A new token for this guest: the old link stops working at once and whoever joined with
        it is disconnected. Returns the new link."""
        spec = self._guest_source(ref)
        with self._lock:
            current = self.show
            sources = [
                source.model_copy(update={"settings": {**source.settings, "token": new_guest_token()}}) if source.id == spec.id else source
                for source in current.sources
            ]
            self.replace_show(current.model_copy(update={"sources": sources}), new_guest_tokens=True)
        if self.guest_service is not None:
            self.guest_service.end_sessions(spec.id)
        return self.guest_link(spec.id)

    def guest_stats(self) -> dict[str, GuestStats]:
        """Each guest's state and connection figures, by source id (WAITING before an engine runs)."""
        engine = self.engine
        stats: dict[str, GuestStats] = {}
        for guest_id in self.guest_ids():
            feed = engine.guest_feed(guest_id) if engine is not None else None
            stats[guest_id] = feed.stats() if feed is not None else GuestStats()
        return stats

    def _guest_source(self, ref: str) -> SourceSpec:
        spec = self.source(ref)
        if spec.kind != GUEST_KIND:
            raise InputError(f"source {spec.name!r} is a {spec.kind} source, not a guest", field="source")
        return spec


def _keeping_guest_tokens(sources: list[SourceSpec], current: list[SourceSpec]) -> list[SourceSpec]:
    """`sources` with each guest's token as it is in `current` (where that guest exists)."""
    tokens = {source.id: source.settings.get("token", "") for source in current if source.kind == GUEST_KIND}
    kept = []
    for source in sources:
        if source.kind == GUEST_KIND and source.id in tokens and source.settings.get("token", "") != tokens[source.id]:
            source = source.model_copy(update={"settings": {**source.settings, "token": tokens[source.id]}})
        kept.append(source)
    return kept


def with_guest_links(show: Show) -> Show:
    """The show with a fresh token for each guest source whose file left it empty (a show
    written by hand): the guest can be given a link. Saving the show keeps it."""
    if not any(source.kind == GUEST_KIND and not source.settings.get("token") for source in show.sources):
        return show
    sources = [
        source.model_copy(update={"settings": settings_with_plain_token(source.settings, make_token=True)})
        if source.kind == GUEST_KIND and not source.settings.get("token")
        else source
        for source in show.sources
    ]
    return show.model_copy(update={"sources": sources})


def guest_certificate_dir() -> Path:
    """Where the LAN certificate the studio makes for its guest page is kept (made once, so a
    guest's browser that accepted it once keeps accepting it)."""
    import platformdirs

    data_dir = os.environ.get("STUDIO_DATA_DIR") or platformdirs.user_data_dir("live-selling-studio")
    return Path(data_dir) / "guest-certificate"


def _products_following_scenes(current: Show, scenes) -> list | None:
    """Products whose look names a scene by a name that an edit changed (a rename, or the undo
    of one), pointed at that scene's id; None when no product needs it."""
    ids = {scene.id for scene in scenes}
    names = {scene.name for scene in scenes}
    old_ids = {scene.name: scene.id for scene in current.scenes}
    products, changed = [], False
    for product in current.products:
        ref = product.preset.scene
        if ref is not None and ref not in names and ref not in ids and old_ids.get(ref) in ids:
            product = product.model_copy(update={"preset": product.preset.model_copy(update={"scene": old_ids[ref]})})
            changed = True
        products.append(product)
    return products if changed else None


def _quietly(stop: Callable[[], Any]) -> None:
    try:
        stop()
    except Exception:
        log.exception("stopping %s failed", getattr(stop, "__qualname__", stop))
