"""The session's editing calls: sources, audio inputs, scenes, layers (on any canvas) and where
the overlays go on another canvas. Each runs one pure edit (studio/show_editing.py) against the
show as it is now and applies the result live through the session (`_edit`), so the GUI, the
remote control and scripts all edit the same way and every edit lands on a tick boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from studio import show_editing as edits
from studio.engine.errors import InputError, input_error_from_validation
from studio.engine.overlay_placement import OverlayKind, OverlayPlacement
from studio.engine.show import MAIN_CANVAS, Layer, LayoutKind, Show, SourceSpec

if TYPE_CHECKING:
    from studio.engine.engine import Engine


class ShowEditing:
    """Mixed into StudioSession, which provides the show, the engine, the events and `_edit`."""

    engine: Engine | None
    events: Any
    show: Show
    _edit: Callable[[Callable[[Show], Any]], Any]

    # -- editing: sources ---------------------------------------------------------------------------

    def add_source(self, kind: str, name: str, settings: dict[str, Any] | None = None, *, source_id: str | None = None) -> SourceSpec:
        """A new video source (camera, image, media file, colour, test pattern, network feed,
        screen). A missing file is refused; a missing camera stays in the show with NO SIGNAL."""
        warning = edits.check_source_resources(kind, dict(settings or {}))
        new_id = self._edit(lambda show: edits.add_source(show, kind, name, settings, source_id=source_id))
        if warning:
            self.events.warning.emit(f"{name}: {warning}; it shows NO SIGNAL until it is available")
        return self.source(new_id)

    def update_source(self, ref: str, *, name: str | None = None, settings: dict[str, Any] | None = None) -> SourceSpec:
        source_id = self.source(ref).id
        self._edit(lambda show: edits.update_source(show, ref, name=name, settings=settings))
        return self.source(source_id)

    def remove_source(self, ref: str) -> None:
        self._edit(lambda show: edits.remove_source(show, ref))

    def source(self, ref: str) -> SourceSpec:
        show = self.show
        return show.sources[edits._source_index(show, ref)]

    # -- editing: audio inputs ---------------------------------------------------------------------

    def add_audio_input(self, kind: str, name: str, **fields: Any):
        new_id = self._edit(lambda show: edits.add_audio_input(show, kind, name, **fields))
        return next(a for a in self.show.audio_inputs if a.id == new_id)

    def update_audio_input(self, ref: str, **changes: Any):
        """Mixer settings (gain, mute, filters...) go straight to the mixer; a new device, kind
        or name is a show edit (the input is re-opened)."""
        engine = self.engine
        source_fields = {"kind", "device", "url", "source", "frequency_hz", "level_dbfs", "beep_duration_ms", "name", "follows_video"}
        if engine is not None and not (set(changes) & source_fields):
            return engine.update_audio_input(ref, **changes)
        self._edit(lambda show: edits.update_audio_input(show, ref, **changes))
        show = self.show
        return show.audio_inputs[edits._input_index(show, changes.get("name", ref))]

    def remove_audio_input(self, ref: str) -> None:
        self._edit(lambda show: edits.remove_audio_input(show, ref))

    # -- editing: scenes -----------------------------------------------------------------------------

    def add_scene(self, name: str, *, copy_of: str | None = None, scene_id: str | None = None) -> str:
        """A new empty scene (or a copy of `copy_of`), last in the list; returns its id."""
        return self._edit(lambda show: edits.add_scene(show, name, copy_of=copy_of, scene_id=scene_id))

    def duplicate_scene(self, ref: str, name: str | None = None) -> str:
        show = self.show
        original = show.scenes[edits.scene_index(show, ref)]
        taken = [s.name for s in show.scenes]
        name = name or next(f"{original.name} {n}" for n in range(2, 1000) if f"{original.name} {n}" not in taken)
        return self.add_scene(name, copy_of=original.id)

    def rename_scene(self, ref: str, name: str) -> None:
        self._edit(lambda show: edits.rename_scene(show, ref, name))

    def move_scene(self, ref: str, index: int) -> None:
        self._edit(lambda show: edits.move_scene(show, ref, index))

    def remove_scene(self, ref: str) -> None:
        self._edit(lambda show: edits.remove_scene(show, ref))

    # -- editing: layers -------------------------------------------------------------------------------

    def layers(self, scene: str, *, canvas: str = MAIN_CANVAS) -> list[Layer]:
        """A scene's layers on a canvas in drawing order (bottom first), hidden ones too, each
        with its id; on another canvas than main, in its pixels (derived from main's until edited)."""
        show = self.show
        return edits.canvas_scene_items(show, show.scenes[edits.scene_index(show, scene)], canvas)

    def layer(self, scene: str, layer_id: int, *, canvas: str = MAIN_CANVAS) -> Layer:
        for layer in self.layers(scene, canvas=canvas):
            if layer.id == layer_id:
                return layer
        raise InputError(f"scene {scene!r} has no layer {layer_id}", field="layer")

    def add_layer(self, scene: str, source: str, *, canvas: str = MAIN_CANVAS, **fields: Any) -> Layer:
        layer_id = self._edit(lambda show: edits.add_layer(show, scene, source, canvas=canvas, **fields))
        return self.layer(scene, layer_id, canvas=canvas)

    def update_layer(self, scene: str, layer_id: int, *, canvas: str = MAIN_CANVAS, **changes: Any) -> Layer:
        self._edit(lambda show: edits.update_layer(show, scene, layer_id, canvas=canvas, **changes))
        return self.layer(scene, layer_id, canvas=canvas)

    def move_layer(self, scene: str, layer_id: int, index: int, *, canvas: str = MAIN_CANVAS) -> None:
        self._edit(lambda show: edits.move_layer(show, scene, layer_id, index, canvas=canvas))

    def remove_layer(self, scene: str, layer_id: int, *, canvas: str = MAIN_CANVAS) -> None:
        self._edit(lambda show: edits.remove_layer(show, scene, layer_id, canvas=canvas))

    def duplicate_layer(self, scene: str, layer_id: int, *, to_scene: str | None = None, canvas: str = MAIN_CANVAS) -> Layer:
        new_id = self._edit(lambda show: edits.duplicate_layer(show, scene, layer_id, to_scene=to_scene, canvas=canvas))
        return self.layer(to_scene or scene, new_id, canvas=canvas)

    def apply_layout(
        self, scene: str, kind: LayoutKind | str, sources: list[str], *, canvas: str = MAIN_CANVAS, **options: Any
    ) -> list[Layer]:
        self._edit(lambda show: edits.apply_layout(show, scene, kind, sources, canvas=canvas, **options))
        return self.layers(scene, canvas=canvas)

    def reset_canvas_layout(self, scene: str, canvas: str) -> None:
        """The scene's layout on that canvas is derived from main's again."""
        self._edit(lambda show: edits.reset_canvas_layout(show, scene, canvas))

    # -- editing: another canvas's overlays ------------------------------------------------------

    def set_canvas_overlays(self, canvas: str, placements: Mapping[str, OverlayPlacement | Mapping[str, Any]]) -> Show:
        """Where the card, countdown, lower third and comment ticker go on another canvas (by
        kind; a kind left out follows main). Live: the overlays on screen move on the next tick."""
        show = self.show
        if canvas not in show.canvases:
            expected = ", ".join(show.canvases) or "(the show has no other canvas)"
            raise InputError(f"unknown canvas {canvas!r} for overlay placements; expected one of {expected}", field="canvas")
        try:
            checked = {
                OverlayKind(kind): OverlayPlacement.model_validate(value if isinstance(value, Mapping) else value.model_dump())
                for kind, value in placements.items()
            }
        except ValueError as error:
            if isinstance(error, ValidationError):
                raise input_error_from_validation(error) from None
            expected = ", ".join(kind.value for kind in OverlayKind)
            raise InputError(f"unknown overlay kind; expected one of {expected}: {error}", field="overlays") from None
        canvases = dict(show.canvases)
        canvases[canvas] = canvases[canvas].model_copy(update={"overlays": checked})
        self.set_document(self.document.model_copy(update={"canvases": canvases}))
        if self.engine is not None:
            self.engine.set_canvas_overlays(canvas, checked)
        return self.show
