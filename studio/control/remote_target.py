"""The studio as the remote control sees it.

`RemoteSession` is the session as a Protocol: the control never imports studio.session, which
sits above it (DESIGN: layers). `RemoteTarget` reads through it at every use, so a show loaded
with a new engine is what the next request sees and the on-air state has one copy, the
session's. `RemoteTarget.for_session(session)` builds one. A hotkey (the catalogue's,
studio/control/hotkey_catalogue.py) goes to the session's hotkey_handler when the desktop app
set one (a remote press is the same as the key), else it runs on the session as the app's
action does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from studio.control.hotkey_catalogue import hotkey_action_ids
from studio.engine.engine import Engine
from studio.engine.errors import InputError
from studio.engine.show import AudioInputSpec, Layer, Show, SourceSpec


class RemoteSession(Protocol):
    """The session as the remote control sees it (studio.session.StudioSession is one). A
    Protocol, so the control never imports the session, which sits above it (DESIGN: layers)."""

    engine: Engine | None  # None while a show loads (stop, then build)
    selling: Any | None  # studio.commerce.selling_desk.SellingDesk
    comments: Any | None  # studio.comments.comment_desk.CommentDesk
    options: Any  # .recording_folder: where recordings go
    events: Any  # .show_changed(Show): after every edit, undo or load
    hotkey_handler: Callable[[str], bool] | None  # who presses a remote hotkey; None: the control

    @property
    def show(self) -> Show: ...
    @property
    def streaming(self) -> bool: ...
    @property
    def recording_path(self) -> Path | None: ...

    def start_streaming(self, destinations: list[tuple[str, str]] | None = None) -> list[str]: ...
    def stop_streaming(self) -> None: ...
    def start_recording(self, path: str | Path | None = None, *, canvas: str = "main") -> Path: ...
    def stop_recording(self, *, canvas: str | None = None) -> None: ...

    def add_source(self, kind: str, name: str, settings: dict[str, Any] | None = None) -> SourceSpec: ...
    def update_source(self, ref: str, *, name: str | None = None, settings: dict[str, Any] | None = None) -> SourceSpec: ...
    def remove_source(self, ref: str) -> None: ...
    def add_audio_input(self, kind: str, name: str, **fields: Any) -> AudioInputSpec: ...
    def update_audio_input(self, ref: str, **changes: Any) -> AudioInputSpec: ...
    def remove_audio_input(self, ref: str) -> None: ...
    def add_scene(self, name: str) -> str: ...
    def rename_scene(self, ref: str, name: str) -> None: ...
    def remove_scene(self, ref: str) -> None: ...
    def layers(self, scene: str, *, canvas: str = "main") -> list[Layer]: ...
    def add_layer(self, scene: str, source: str, **fields: Any) -> Layer: ...
    def update_layer(self, scene: str, layer_id: int, *, canvas: str = "main", **changes: Any) -> Layer: ...
    def reset_canvas_layout(self, scene: str, canvas: str) -> None: ...
    def set_canvas_overlays(self, canvas: str, placements: dict[str, Any]) -> Show: ...
    def move_layer(self, scene: str, layer_id: int, index: int) -> None: ...
    def remove_layer(self, scene: str, layer_id: int) -> None: ...
    def duplicate_layer(self, scene: str, layer_id: int, *, to_scene: str | None = None) -> Layer: ...


class RemoteTarget:
    """The studio the remote API controls: a session, read through at every use. Going live and
    recording are the session's (one on-air state); a hotkey goes to session.hotkey_handler when
    the desktop app set one (a remote press is the same as the key), else it runs here."""

    def __init__(self, session: RemoteSession) -> None:
        self.session = session

    @classmethod
    def for_session(cls, session: RemoteSession) -> RemoteTarget:
        return cls(session)

    @property
    def engine(self) -> Engine | None:
        return self.session.engine

    @property
    def show(self) -> Show:
        return self.session.show

    @property
    def selling(self) -> Any | None:
        return self.session.selling

    @property
    def comments(self) -> Any | None:
        return self.session.comments

    @property
    def record_folder(self) -> Path:
        """Where recordings go (GetStats' availableDiskSpace)."""
        return Path(self.session.options.recording_folder)

    def start_stream(self) -> None:
        self.session.start_streaming()  # the show's enabled destinations

    def stop_stream(self) -> None:
        self.session.stop_streaming()

    def start_record(self) -> Path:
        return self.session.start_recording()  # `<show>-<date>-<time>.mkv` in the recording folder

    def stop_record(self) -> None:
        self.session.stop_recording()

    def start_canvas_record(self, canvas: str) -> Path:
        """Record another canvas (the vertical one) to `<show>-<date>-<time>-<canvas>.mkv`."""
        return self.session.start_recording(canvas=canvas)

    def stop_canvas_record(self, canvas: str) -> None:
        self.session.stop_recording(canvas=canvas)

    def is_streaming(self) -> bool:
        return self.session.streaming

    def is_recording(self) -> bool:
        return self.session.recording_path is not None

    def hotkey_names(self) -> list[str]:
        desk = self.session.selling
        count = len(desk.products) if desk is not None else 0
        return hotkey_action_ids(self.session.show, count, selling=desk is not None)

    def trigger_hotkey(self, name: str) -> bool:
        """Run a hotkey's action; False for a name that is not a hotkey."""
        handler = self.session.hotkey_handler
        if handler is not None:
            return handler(name)
        if name not in self.hotkey_names():
            return False
        _run_hotkey(self, name)
        return True


def _run_hotkey(target: RemoteTarget, name: str) -> None:
    """A listed hotkey's action on the session, the engine and the desks, as the desktop app runs it."""
    kind, _, argument = name.partition(".")
    engine, desk = target.engine, target.selling
    if engine is None:
        raise InputError("the show is still starting", field="engine")
    if kind == "cut":
        engine.cut()
    elif kind == "auto":
        engine.transition()
    elif kind in ("preview_scene", "program_scene"):
        scene = engine.scene_names[int(argument) - 1]
        engine.set_preview(scene) if kind == "preview_scene" else engine.cut(scene)
    elif kind == "mute_input":
        engine.set_input_muted(argument, not engine.audio_input(argument).muted)
    elif kind == "product":
        if argument in ("next", "previous"):
            desk.step_product(1 if argument == "next" else -1)
        else:
            desk.select_product(desk.products[int(argument) - 1].id)
    elif name == "link_321":
        desk.link_321()
    elif name == "dismiss_card":
        desk.dismiss_card()
    elif name == "apply_preset":
        desk.apply_preset()
    elif name == "sold_out":
        current = desk.current_product
        if current is not None:
            desk.set_sold_out(current.id, not current.sold_out)
    elif name == "stream.toggle":
        target.stop_stream() if target.is_streaming() else target.start_stream()
    elif name == "record.toggle":
        target.stop_record() if target.is_recording() else target.start_record()
