"""The show's other canvas (the vertical one) beside the landscape monitors: its program, or,
switched to "Edit layout", the preview scene as laid out on that canvas with the layer editor over
it, so the vertical layout of a scene is edited where it is seen (Aitum Vertical and OBS 32 do
the same with a dock of their own).

A scene's layout on that canvas follows main's (derived) until its first edit here; the
"Follow main" button derives it again. "Overlays..." places the card, countdown, lower third and
ticker on that canvas (gui/canvas_overlays_dialog.py). Only the tap of the mode shown is open: the program
picture when watching, the preview scene when editing (composed at the monitor's size).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QDialog, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from studio.engine.errors import InputError
from studio.engine.outputs.video_tap import CANVAS_PREVIEW_TAP_PREFIX, CANVAS_TAP_PREFIX
from studio.engine.show import MAIN_CANVAS, Show
from studio.gui.canvas_overlays_dialog import CanvasOverlaysDialog
from studio.gui.layer_editor import ApplyEdit, LayerEditor
from studio.gui.monitors import TALLY_PREVIEW, TALLY_PROGRAM, MonitorView
from studio.show_editing import is_derived

if TYPE_CHECKING:
    from studio.engine.engine import Engine
    from studio.session import StudioSession

MONITOR_FPS = 30


class CanvasColumn(QWidget):
    """Header, Program / Edit layout switch, the monitor and (editing) its layer editor."""

    error = Signal(str)
    """a message for the user (an edit the session refused)."""

    overlays_changed = Signal()
    """the overlay placements on this canvas changed (the show has unsaved changes)."""

    _show_changed_relay = Signal()  # session events may fire on any thread

    def __init__(
        self,
        session: StudioSession,
        apply_edit: ApplyEdit,
        seal_edits: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.apply_edit = apply_edit
        self.canvas_name: str | None = None
        self._engine: Engine | None = None
        self._program_scene = self._preview_scene = ""

        self.header = QLabel(self)
        self.header.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.header.setStyleSheet("font-weight: bold; letter-spacing: 2px;")
        self.program_button = self._mode_button(self.tr("Program"), "canvasProgramMode", self.tr("Watch this canvas's program"))
        self.edit_button = self._mode_button(
            self.tr("Edit layout"),
            "canvasEditMode",
            self.tr("Show the preview scene on this canvas and edit its layers here (drag, resize, crop)"),
        )
        self.program_button.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.program_button)
        modes.addButton(self.edit_button)
        modes.setExclusive(True)
        self.edit_button.toggled.connect(self._on_mode)
        self.follow_main_button = QToolButton(self)
        self.follow_main_button.setObjectName("canvasFollowMain")
        self.follow_main_button.setText(self.tr("Follow main"))
        self.follow_main_button.setToolTip(
            self.tr("Drop this scene's own layout on this canvas and derive it from the main canvas's layout again")
        )
        self.follow_main_button.clicked.connect(self.follow_main)
        self.overlays_button = QToolButton(self)
        self.overlays_button.setObjectName("canvasOverlays")
        self.overlays_button.setText(self.tr("Overlays..."))
        self.overlays_button.setToolTip(self.tr("Where the product card, countdown, lower third and comment ticker go on this canvas"))
        self.overlays_button.setAutoRaise(True)
        self.overlays_button.clicked.connect(self.edit_overlays)

        self.monitor = MonitorView(self.tr("Program"), self, aspect=9 / 16)
        self.monitor.set_tally(TALLY_PROGRAM)
        self.layer_editor = LayerEditor(self.monitor, session, apply_edit, seal_edits=seal_edits, canvas_name=MAIN_CANVAS)
        self.layer_editor.error.connect(self.error)
        self._show_layer_editor(False)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.program_button)
        bar.addWidget(self.edit_button)
        bar.addStretch(1)
        bar.addWidget(self.follow_main_button)
        bar.addWidget(self.overlays_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.header)
        column.addLayout(bar)
        column.addWidget(self.monitor, 1)
        self._show_changed_relay.connect(self._update_follow_button, Qt.ConnectionType.QueuedConnection)
        session.events.show_changed.connect(self._on_show_changed_any_thread)
        # A session outliving this widget must not call into it (psygnal holds the bound method).
        events, listener = session.events, self._on_show_changed_any_thread
        self.destroyed.connect(lambda *_: _disconnect(events.show_changed, listener))
        self._update_follow_button()

    def _mode_button(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setAutoRaise(True)
        return button

    # -- public ----------------------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        return self.edit_button.isChecked()

    def attach(self, engine: Engine | None, show: Show | None) -> None:
        """Follow a running engine's other canvas (the first one the show names beside main);
        a show with none hides the column, and no tap is open, so the canvas is not composed."""
        self._engine = engine
        name = next(iter(show.canvases), None) if (engine is not None and show is not None) else None
        self.canvas_name = name
        self.setVisible(name is not None)
        if name is None or show is None:
            self.layer_editor.set_scene(None)
            self.monitor.attach(None, None)
            return
        canvas = show.canvas_named(name)
        self.monitor.aspect = canvas.width / canvas.height
        self.layer_editor.set_canvas(name)
        self._attach_tap()

    def detach(self) -> None:
        """The engine goes away (a restart, a new show): nothing is watched until the next one."""
        self._engine = None
        self.layer_editor.set_scene(None)
        self.monitor.attach(None, None)

    def stop(self) -> None:
        """The window closes: stop listening to the session."""
        self.layer_editor.detach()
        _disconnect(self.session.events.show_changed, self._on_show_changed_any_thread)

    def set_scenes(self, program: str, preview: str) -> None:
        self._program_scene, self._preview_scene = program, preview
        if self.editing:
            self.layer_editor.set_scene(preview)
        self._update_title()
        self._update_follow_button()

    def set_editing(self, editing: bool) -> None:
        (self.edit_button if editing else self.program_button).setChecked(True)

    def refresh(self) -> None:
        if self.isVisible():
            self.monitor.refresh()

    def follow_main(self) -> bool:
        """The preview scene's layout on this canvas is derived from main's again (undoable)."""
        name, scene = self.canvas_name, self._preview_scene
        if name is None or not scene:
            return False
        try:
            result = self.apply_edit(
                self.tr("Follow the main layout"), lambda: self.session.reset_canvas_layout(scene, name), None
            )
        except InputError as problem:
            self.error.emit(str(problem))
            return False
        self._update_follow_button()
        return result is not False

    def overlays_dialog(self) -> CanvasOverlaysDialog | None:
        """The placements dialog for this canvas (a test accepts it without exec)."""
        if self.canvas_name is None:
            return None
        placements = self.session.document.canvases[self.canvas_name].overlays
        return CanvasOverlaysDialog(self.canvas_name, dict(placements), self)

    def edit_overlays(self) -> None:
        dialog = self.overlays_dialog()
        if dialog is not None and dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_overlays(dialog.result_placements())

    def apply_overlays(self, placements: dict) -> bool:
        """Apply the placements live; a refusal is told, nothing changes."""
        if self.canvas_name is None:
            return False
        try:
            self.session.set_canvas_overlays(self.canvas_name, placements)
        except InputError as problem:
            self.error.emit(str(problem))
            return False
        self.overlays_changed.emit()
        return True

    # -- internals -------------------------------------------------------------------------------

    def _on_mode(self, editing: bool) -> None:
        self._show_layer_editor(editing)
        self.monitor.set_tally(TALLY_PREVIEW if editing else TALLY_PROGRAM)
        self.layer_editor.set_scene(self._preview_scene if editing else None)
        self._attach_tap()
        self._update_title()
        self._update_follow_button()

    def _show_layer_editor(self, shown: bool) -> None:
        self.layer_editor.setVisible(shown)
        self.monitor.overlay = self.layer_editor.paint_overlay if shown else None
        self.monitor.update()

    def _attach_tap(self) -> None:
        engine, name = self._engine, self.canvas_name
        if engine is None or name is None:
            return
        target = (CANVAS_PREVIEW_TAP_PREFIX if self.editing else CANVAS_TAP_PREFIX) + name
        self.monitor.attach(lambda width, height: engine.open_video_tap(target, width, height, MONITOR_FPS), engine.close_video_tap)

    def _update_title(self) -> None:
        name = (self.canvas_name or "").upper()
        if self.editing:
            self.header.setText(self.tr("PREVIEW ({canvas})").format(canvas=name))
            self.monitor.title = self.tr("Preview: {scene}").format(scene=self._preview_scene)
        else:
            self.header.setText(self.tr("PROGRAM ({canvas})").format(canvas=name))
            self.monitor.title = self.tr("Program: {scene}").format(scene=self._program_scene)

    def _on_show_changed_any_thread(self, _show: Show) -> None:
        try:
            self._show_changed_relay.emit()
        except RuntimeError:  # the widget is gone
            pass

    def _update_follow_button(self) -> None:
        """Enabled while editing a scene whose layout here is its own (not derived from main)."""
        show, name = self.session.show, self.canvas_name
        scene = show.scene_by_ref(self._preview_scene) if self._preview_scene else None
        own = name is not None and scene is not None and not is_derived(scene, name)
        self.follow_main_button.setVisible(self.editing)
        self.follow_main_button.setEnabled(own)


def _disconnect(signal, slot) -> None:
    try:
        signal.disconnect(slot)
    except (RuntimeError, TypeError, ValueError):
        pass
