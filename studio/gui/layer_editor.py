"""Direct editing of the preview scene's layers on the preview monitor, as in OBS.

`LayerEditor` is a transparent child widget laid over a MonitorView. It draws a thin outline
around each visible layer of the scene on preview and a red one with eight handles around the
selected layer, and turns the mouse and the arrow keys into `StudioSession` layer edits:

- click: select the topmost visible layer under the cursor (a locked layer can be selected, not
  moved); a click on empty canvas deselects;
- drag: move; drag a handle: resize keeping the aspect ratio (Shift: free); Alt + drag a handle
  or an edge: crop that side (in source pixels);
- while dragging, edges snap to the canvas edges, the canvas centre lines and the other layers'
  edges within SNAP_DISTANCE_PX screen pixels (Ctrl: no snapping);
- arrow keys nudge the selected layer by 1 canvas pixel (Shift: 10);
- right click: Transform..., Hide, Lock/Unlock, Bring to front, Send to back, Remove.

Geometry is in canvas pixels: the monitor's picture_rect() is the whole canvas, scaled. The
editor edits one canvas's layout (`canvas_name`: main on the preview monitor, the vertical one
in gui/canvas_column.py); the session does the rest (show_editing.py: a derived layout becomes
the scene's own on its first edit). Every
change goes through `apply_edit(description, edit, merge_key)` (the undo stack, in the app), and
while dragging at most one edit per EDIT_INTERVAL_MS reaches the session (the engine's command
queue is bounded); the final position is always sent on release; a drag of one layer is one
undo step (merge_key, then seal_edits() on release). The session refuses a box entirely off the
canvas: a move stops with MINIMUM_SIZE_PX still on the canvas, a resize or crop that would leave
it keeps the last good box, and any refused edit (an InputError, or apply_edit returning False as
EditHistory.run does) keeps the last good position; nothing is raised into Qt.

Crop needs the source's size in pixels: it is read from the source's settings when they have a
width and height (test pattern, colour, ...). For other sources (camera at its native mode, image,
file, network) the size is unknown here, and the editor assumes the source is as big as the layer's
box, i.e. one source pixel per canvas pixel.

The widget costs nothing while nobody edits: no timer runs (one single-shot timer is armed only
while a drag has an edit waiting), and painting is a handful of rectangles.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QContextMenuEvent, QCursor, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QMenu, QWidget

from studio.engine.errors import InputError
from studio.engine.show import MAIN_CANVAS, Canvas, Layer, Show
from studio.show_editing import canvas_scene_items
from studio.gui.layer_geometry import (
    Box,
    Snapper,
    cropped,
    layer_box,
    moved,
    on_canvas,
    resized,
    source_size,
    with_changes,
)

if TYPE_CHECKING:
    from studio.gui.monitors import MonitorView
    from studio.session import StudioSession

log = logging.getLogger(__name__)

SNAP_DISTANCE_PX = 8  # screen pixels
HANDLE_SIZE_PX = 8  # drawn size of a handle, screen pixels
HANDLE_GRAB_PX = 6  # how far from a handle's centre (or, with Alt, an edge) a press takes it
EDIT_INTERVAL_MS = 30  # at most one live edit per this while dragging
NUDGE_PX, NUDGE_SHIFT_PX = 1, 10

OUTLINE = QColor(255, 255, 255, 110)
SELECTED = QColor(235, 40, 40)
HANDLE_FILL = QColor(255, 255, 255)
SNAP_LINE = QColor(60, 200, 255, 200)

# Handles by the sides they move: "tl" is the top-left corner, "r" the middle of the right edge.
HANDLES = ("tl", "t", "tr", "r", "br", "b", "bl", "l")
HANDLE_CURSORS = {
    "tl": Qt.CursorShape.SizeFDiagCursor,
    "br": Qt.CursorShape.SizeFDiagCursor,
    "tr": Qt.CursorShape.SizeBDiagCursor,
    "bl": Qt.CursorShape.SizeBDiagCursor,
    "l": Qt.CursorShape.SizeHorCursor,
    "r": Qt.CursorShape.SizeHorCursor,
    "t": Qt.CursorShape.SizeVerCursor,
    "b": Qt.CursorShape.SizeVerCursor,
}

ApplyEdit = Callable[[str, Callable[[], object], "str | None"], object]


def apply_directly(description: str, edit: Callable[[], object], merge_key: str | None = None) -> object:
    """The default apply_edit: no undo stack, just the edit."""
    return edit()


# -- the widget ----------------------------------------------------------------------------------


@dataclass
class Drag:
    mode: str  # "move", "resize" or "crop"
    handle: str  # "" for a move
    start: QPointF  # widget pixels
    layer: Layer  # as it was when the drag began
    good: dict[str, Any] = field(default_factory=dict)  # the last changes the session took
    pending: dict[str, Any] | None = None  # computed, not sent yet
    sent_at_s: float = 0.0
    snap_lines: list[tuple[str, float]] = field(default_factory=list)


class LayerEditor(QWidget):
    """Edit the layers of one scene (the preview's) on a MonitorView; see the module doc."""

    layer_selected = Signal(str, int)
    """scene id, layer id (0: nothing selected). Emitted when a click changes the selection."""

    transform_requested = Signal(str, int)
    """scene id, layer id: the user asked for the Transform dialog."""

    error = Signal(str)
    """a message for the user (a menu action the session refused)."""

    _show_changed_relay = Signal(object)  # session events may fire on any thread

    def __init__(
        self,
        monitor: MonitorView,
        session: StudioSession,
        apply_edit: ApplyEdit | None = None,
        *,
        seal_edits: Callable[[], None] | None = None,
        canvas_name: str = MAIN_CANVAS,
    ) -> None:
        """apply_edit(description, edit, merge_key) runs one edit (the undo stack's run; it may
        return False for "refused"); seal_edits() is called when a drag or a held arrow key ends,
        so the next edit with the same merge key starts a new undo step (EditHistory.seal).
        canvas_name: the canvas whose layout is edited (the monitor shows the scene there)."""
        super().__init__(monitor)
        self.monitor = monitor
        self.session = session
        self.canvas_name = canvas_name
        self.apply_edit: ApplyEdit = apply_edit or apply_directly
        self.seal_edits = seal_edits
        self._show: Show = session.show
        self._scene_id: str | None = None
        self._layers: list[Layer] = []
        self._selected: int | None = None
        self._drag: Drag | None = None
        self._nudged = False  # an arrow key moved the selection; sealed when it is released
        self._send_timer = QTimer(self)  # armed only while a drag has an edit waiting
        self._send_timer.setSingleShot(True)
        self._send_timer.timeout.connect(self._send_pending)

        monitor.overlay = self.paint_overlay
        # This widget only takes the mouse and the keys: it never paints, so Qt need not paint it
        # (nor compose it over the monitor) for each of the monitor's pictures.
        self.setUpdatesEnabled(False)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAutoFillBackground(False)
        self.setMouseTracking(True)  # cursor shapes over the handles
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # arrow keys after a click
        self.setToolTip(
            self.tr(
                "Click a layer to select it; drag to move it; drag a handle to resize it "
                "(Shift: free aspect ratio); Alt+drag an edge to crop; hold Ctrl to turn snapping off; "
                "arrow keys nudge by 1 px (Shift: 10 px); right-click for more."
            )
        )
        self.setGeometry(monitor.rect())
        monitor.installEventFilter(self)

        self._show_changed_relay.connect(self._on_show_changed, Qt.ConnectionType.QueuedConnection)
        relay = self._show_changed_relay

        def on_show_changed(show: Show, _relay=relay) -> None:
            try:
                _relay.emit(show)
            except RuntimeError:  # the widget is gone
                pass

        self._session_listener = on_show_changed  # kept for detach()
        session.events.show_changed.connect(on_show_changed)
        events = session.events
        self.destroyed.connect(lambda *_: _disconnect(events.show_changed, on_show_changed))
        self.raise_()

    # -- public --------------------------------------------------------------------------------

    @property
    def scene_id(self) -> str | None:
        return self._scene_id

    @property
    def selected_layer_id(self) -> int | None:
        return self._selected

    def set_scene(self, scene: str | None) -> None:
        """Edit this scene (id or name; None: nothing); connect the preview-scene event here."""
        found = self._show.scene_by_ref(scene) if scene else None
        if found is None and scene:
            self._show = self.session.show  # a scene just added
            found = self._show.scene_by_ref(scene)
        scene_id = found.id if found is not None else None
        if scene_id == self._scene_id:
            return
        self._end_drag(send=True)
        self._scene_id = scene_id
        self._selected = None
        self._reload_layers()

    def set_canvas(self, canvas_name: str) -> None:
        """Edit the scene's layout on this canvas from now on (a new show may name another)."""
        if canvas_name == self.canvas_name:
            return
        self._end_drag(send=True)
        self.canvas_name = canvas_name
        self._selected = None
        self._show = self.session.show
        self._reload_layers()

    def select_layer(self, scene_id: str, layer_id: int) -> None:
        """Select a layer from elsewhere (a layers list); 0 deselects. No signal is emitted."""
        found = self._show.scene_by_ref(scene_id)
        if found is None or found.id != self._scene_id:
            return
        self._selected = layer_id if any(layer.id == layer_id for layer in self._layers) else None
        self.monitor.update()

    def detach(self) -> None:
        """Stop listening to the session (before the session goes away)."""
        _disconnect(self.session.events.show_changed, self._session_listener)
        if self.monitor.overlay == self.paint_overlay:
            self.monitor.overlay = None

    # -- the model ------------------------------------------------------------------------------

    def _on_show_changed(self, show: Show) -> None:
        self._show = show
        if self._scene_id is not None and show.scene_by_ref(self._scene_id) is None:
            self._end_drag(send=False)
            self._scene_id = None
        self._reload_layers()

    def _reload_layers(self) -> None:
        scene = self._show.scene_by_ref(self._scene_id) if self._scene_id else None
        self._layers = canvas_scene_items(self._show, scene, self.canvas_name) if scene is not None else []
        if self._selected is not None and self._layer(self._selected) is None:
            self._selected = None
        self.monitor.update()

    def _layer(self, layer_id: int | None) -> Layer | None:
        return next((layer for layer in self._layers if layer.id == layer_id), None)

    def _current(self, layer: Layer) -> Layer:
        """The layer as the session has it now (the cached copy may lag an event behind)."""
        try:
            current = self.session.layer(self._scene_id or "", layer.id or 0, canvas=self.canvas_name)
        except InputError:
            return layer
        self._replace_cached(current)
        return current

    def _replace_cached(self, layer: Layer) -> None:
        self._layers = [layer if item.id == layer.id else item for item in self._layers]

    @property
    def _canvas(self) -> Canvas:
        return self._show.canvas_named(self.canvas_name)

    def _merge_key(self, mode: str, layer_id: int) -> str:
        """One undo step per drag of one layer on one canvas (main's keys name no canvas)."""
        canvas = "" if self.canvas_name == MAIN_CANVAS else f"{self.canvas_name}:"
        return f"{mode}:{canvas}{self._scene_id}:{layer_id}"

    # -- coordinates ------------------------------------------------------------------------------

    def _scale(self) -> tuple[float, float]:
        """Widget pixels per canvas pixel, along x and y."""
        rect = self.monitor.picture_rect()
        return max(1e-6, rect.width()) / self._canvas.width, max(1e-6, rect.height()) / self._canvas.height

    def to_canvas(self, point: QPointF) -> tuple[float, float]:
        rect = self.monitor.picture_rect()
        scale_x, scale_y = self._scale()
        return (point.x() - rect.left()) / scale_x, (point.y() - rect.top()) / scale_y

    def to_widget(self, box: Box) -> QRectF:
        rect = self.monitor.picture_rect()
        scale_x, scale_y = self._scale()
        return QRectF(rect.left() + box.x * scale_x, rect.top() + box.y * scale_y, box.width * scale_x, box.height * scale_y)

    def _shown_layer(self, layer: Layer) -> Layer:
        """The layer as drawn: during a drag, where the mouse has it."""
        drag = self._drag
        if drag is not None and layer.id == drag.layer.id:
            return with_changes(drag.layer, drag.pending if drag.pending is not None else drag.good)
        return layer

    def _handle_points(self, box: Box) -> dict[str, QPointF]:
        rect = self.to_widget(box)
        cx, cy = rect.center().x(), rect.center().y()
        return {
            "tl": rect.topLeft(),
            "t": QPointF(cx, rect.top()),
            "tr": rect.topRight(),
            "r": QPointF(rect.right(), cy),
            "br": rect.bottomRight(),
            "b": QPointF(cx, rect.bottom()),
            "bl": rect.bottomLeft(),
            "l": QPointF(rect.left(), cy),
        }

    def handle_at(self, point: QPointF, *, edges: bool = False) -> str | None:
        """The selected (unlocked) layer's handle under `point`; with edges, an edge anywhere
        along it counts too (for Alt-crop)."""
        layer = self._layer(self._selected)
        if layer is None or layer.locked or not layer.visible:
            return None
        box = layer_box(self._shown_layer(layer), self._canvas)
        for name, centre in self._handle_points(box).items():
            if abs(point.x() - centre.x()) <= HANDLE_GRAB_PX and abs(point.y() - centre.y()) <= HANDLE_GRAB_PX:
                return name
        if edges:
            rect = self.to_widget(box)
            inside_x = rect.left() - HANDLE_GRAB_PX <= point.x() <= rect.right() + HANDLE_GRAB_PX
            inside_y = rect.top() - HANDLE_GRAB_PX <= point.y() <= rect.bottom() + HANDLE_GRAB_PX
            if inside_y and abs(point.x() - rect.left()) <= HANDLE_GRAB_PX:
                return "l"
            if inside_y and abs(point.x() - rect.right()) <= HANDLE_GRAB_PX:
                return "r"
            if inside_x and abs(point.y() - rect.top()) <= HANDLE_GRAB_PX:
                return "t"
            if inside_x and abs(point.y() - rect.bottom()) <= HANDLE_GRAB_PX:
                return "b"
        return None

    def layer_at(self, point: QPointF) -> Layer | None:
        """The topmost visible layer under `point` (widget pixels)."""
        x, y = self.to_canvas(point)
        for layer in reversed(self._layers):
            if layer.visible and layer_box(layer, self._canvas).contains(x, y):
                return layer
        return None

    # -- mouse --------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._scene_id is None or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._end_drag(send=True)
        point = event.position()
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        handle = self.handle_at(point, edges=alt)
        if handle is not None:
            layer = self._layer(self._selected)
            assert layer is not None
            self._drag = Drag("crop" if alt else "resize", handle, point, self._current(layer))
            event.accept()
            return
        layer = self.layer_at(point)
        new_selection = layer.id if layer is not None else None
        if new_selection != self._selected:
            self._selected = new_selection
            self.layer_selected.emit(self._scene_id, new_selection or 0)
        if layer is not None and not layer.locked:
            self._drag = Drag("move", "", point, self._current(layer))
        self._update_cursor(point, event.modifiers())
        self.monitor.update()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        drag = self._drag
        if drag is None:
            self._update_cursor(event.position(), event.modifiers())
            event.ignore()
            return
        changes = self._drag_changes(drag, event.position(), event.modifiers())
        drag.pending = changes if changes != (drag.good or self._start_values(drag, changes)) else None
        if drag.pending is not None:
            wait_ms = EDIT_INTERVAL_MS - (time.monotonic() - drag.sent_at_s) * 1000
            if wait_ms <= 0:
                self._send_pending()
            elif not self._send_timer.isActive():
                self._send_timer.start(max(1, round(wait_ms)))
        self.monitor.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag is None or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        drag = self._drag
        changes = self._drag_changes(drag, event.position(), event.modifiers())
        drag.pending = changes if changes != (drag.good or self._start_values(drag, changes)) else None
        self._end_drag(send=True)  # the final position, always
        self._update_cursor(event.position(), event.modifiers())
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        event.ignore()  # the monitor's own behaviour, if any

    def _start_values(self, drag: Drag, changes: dict[str, Any]) -> dict[str, Any]:
        """The layer's values, before the drag, of the fields a drag changes."""
        layer = drag.layer
        box = layer_box(layer, self._canvas)
        start: dict[str, Any] = {"x": layer.x, "y": layer.y, "width": round(box.width), "height": round(box.height), "crop": layer.crop.model_dump()}
        return {key: start[key] for key in changes}

    def _drag_changes(self, drag: Drag, point: QPointF, modifiers: Qt.KeyboardModifier) -> dict[str, Any]:
        scale_x, scale_y = self._scale()
        dx, dy = (point.x() - drag.start.x()) / scale_x, (point.y() - drag.start.y()) / scale_y
        snapper = self._snapper(drag.layer.id, enabled=not (modifiers & Qt.KeyboardModifier.ControlModifier))
        box = layer_box(drag.layer, self._canvas)
        if drag.mode == "move":
            changes: dict[str, Any] = moved(box, dx, dy, snapper, self._canvas)
        elif drag.mode == "resize":
            keep_aspect = not (modifiers & Qt.KeyboardModifier.ShiftModifier)
            changes = resized(box, drag.handle, dx, dy, keep_aspect=keep_aspect, snapper=snapper)
        else:
            changes = cropped(drag.layer, self._canvas, source_size(self._show, drag.layer), drag.handle, dx, dy, snapper)
        shown = layer_box(with_changes(drag.layer, changes), self._canvas)
        if not on_canvas(shown.x, shown.y, shown.width, shown.height, self._canvas):
            return dict(drag.good) or self._start_values(drag, changes)  # the session would refuse it
        drag.snap_lines = snapper.used
        return changes

    def _snapper(self, moving_id: int | None, *, enabled: bool) -> Snapper:
        canvas = self._canvas
        x_lines = [0.0, canvas.width / 2, float(canvas.width)]
        y_lines = [0.0, canvas.height / 2, float(canvas.height)]
        for layer in self._layers:
            if layer.id != moving_id and layer.visible:
                box = layer_box(layer, canvas)
                x_lines += [box.x, box.right]
                y_lines += [box.y, box.bottom]
        scale_x, _ = self._scale()
        return Snapper(x_lines, y_lines, SNAP_DISTANCE_PX / max(1e-6, scale_x), enabled)

    def _send_pending(self, drag: Drag | None = None) -> None:
        drag = drag or self._drag
        if drag is None or drag.pending is None or self._scene_id is None:
            return
        changes, drag.pending = drag.pending, None
        drag.sent_at_s = time.monotonic()
        kind = {"move": self.tr("Move layer"), "resize": self.tr("Resize layer"), "crop": self.tr("Crop layer")}[drag.mode]
        if self._update_layer(kind, self._merge_key(drag.mode, drag.layer.id), drag.layer.id, changes, report=False):
            drag.good = changes

    def _end_drag(self, *, send: bool) -> None:
        self._send_timer.stop()
        drag, self._drag = self._drag, None
        if drag is not None:
            if send:
                self._send_pending(drag)
            if drag.good:
                self._seal()
        self.monitor.update()

    def _seal(self) -> None:
        if self.seal_edits is not None:
            try:
                self.seal_edits()
            except Exception:
                log.exception("sealing the undo step failed")

    def _update_layer(self, description: str, merge_key: str | None, layer_id: int, changes: dict[str, Any], *, report: bool = True) -> bool:
        """One layer edit through apply_edit; False (nothing changed) when it was refused."""
        scene_id = self._scene_id
        if scene_id is None:
            return False

        def edit(scene_id=scene_id, layer_id=layer_id, changes=dict(changes)):
            return self.session.update_layer(scene_id, layer_id, canvas=self.canvas_name, **changes)

        if not self._run(description, edit, merge_key, report=report):
            return False
        layer = self._layer(layer_id)
        if layer is not None:  # the show's own event follows (queued); draw the edit now
            self._replace_cached(with_changes(layer, changes))
        self.monitor.update()
        return True

    def _run(self, description: str, edit: Callable[[], object], merge_key: str | None, *, report: bool = True) -> bool:
        try:
            if _takes_keyword(self.apply_edit, "merge_key"):  # EditHistory.run: merge_key is keyword-only
                result = self.apply_edit(description, edit, merge_key=merge_key)
            else:
                result = self.apply_edit(description, edit, merge_key)
        except InputError as problem:  # a box off the canvas, a layer removed meanwhile
            log.debug("layer edit refused: %s", problem)
            if report:
                self.error.emit(str(problem))
            return False
        except Exception as problem:  # never into Qt's event loop (a full command queue, ...)
            log.exception("layer edit failed")
            self.error.emit(str(problem))
            return False
        return result is not False  # EditHistory.run says False when it refused (and told) the edit

    # -- keys ----------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        layer = self._layer(self._selected)
        step = steps.get(Qt.Key(event.key()))
        if step is None or layer is None or self._drag is not None:
            event.ignore()
            return
        event.accept()
        layer = self._current(layer)
        if layer.locked:
            return
        distance = NUDGE_SHIFT_PX if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else NUDGE_PX
        changes = {"x": layer.x + step[0] * distance, "y": layer.y + step[1] * distance}
        self._update_layer(self.tr("Move layer"), self._merge_key("move", layer.id), layer.id, changes, report=False)
        self._nudged = True

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # A held arrow key is one undo step (its repeats come as autorepeat press/release pairs).
        if self._nudged and not event.isAutoRepeat() and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._nudged = False
            self._seal()
            event.accept()
            return
        event.ignore()

    # -- cursor ---------------------------------------------------------------------------------------

    def _update_cursor(self, point: QPointF, modifiers: Qt.KeyboardModifier) -> None:
        if self._drag is not None:
            return
        handle = self.handle_at(point, edges=bool(modifiers & Qt.KeyboardModifier.AltModifier))
        if handle is not None:
            self.setCursor(QCursor(HANDLE_CURSORS[handle]))
            return
        selected = self._layer(self._selected)
        if selected is not None and not selected.locked and self.layer_at(point) is selected:
            self.setCursor(QCursor(Qt.CursorShape.SizeAllCursor))
        else:
            self.unsetCursor()

    # -- context menu -------------------------------------------------------------------------------

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        layer = self.layer_at(QPointF(event.pos())) if self._scene_id is not None else None
        if layer is None:
            event.ignore()
            return
        if layer.id != self._selected:
            self._selected = layer.id
            self.layer_selected.emit(self._scene_id, layer.id)
            self.monitor.update()
        menu = self.context_menu(layer.id)
        self.exec_menu(menu, event.globalPos())
        menu.deleteLater()

    def exec_menu(self, menu: QMenu, position) -> None:
        """Show the menu and wait for a choice (tests replace this: exec would block)."""
        menu.exec(position)

    def context_menu(self, layer_id: int) -> QMenu:
        """The layer's menu (a test triggers its actions directly)."""
        menu = QMenu(self)
        layer = self._layer(layer_id)
        if layer is None or self._scene_id is None:
            return menu
        scene_id = self._scene_id

        def add(text: str, slot: Callable[[], None], name: str) -> QAction:
            action = menu.addAction(text)
            action.setObjectName(name)
            action.triggered.connect(slot)
            return action

        if self.canvas_name == MAIN_CANVAS:  # the Transform dialog edits main's layers
            add(self.tr("Transform..."), lambda: self.transform_requested.emit(scene_id, layer_id), "transform")
            menu.addSeparator()
        add(self.tr("Hide"), lambda: self._set_flag(layer_id, "visible", False, self.tr("Hide layer")), "hide")
        if layer.locked:
            add(self.tr("Unlock"), lambda: self._set_flag(layer_id, "locked", False, self.tr("Unlock layer")), "lock")
        else:
            add(self.tr("Lock"), lambda: self._set_flag(layer_id, "locked", True, self.tr("Lock layer")), "lock")
        menu.addSeparator()
        add(self.tr("Bring to front"), lambda: self._move_to(layer_id, front=True), "front")
        add(self.tr("Send to back"), lambda: self._move_to(layer_id, front=False), "back")
        menu.addSeparator()
        add(self.tr("Remove"), lambda: self._remove(layer_id), "remove")
        return menu

    def _set_flag(self, layer_id: int, name: str, value: bool, description: str) -> None:
        if self._update_layer(description, None, layer_id, {name: value}) and name == "visible" and not value and self._selected == layer_id:
            self._selected = None
            self.layer_selected.emit(self._scene_id or "", 0)
            self.monitor.update()

    def _move_to(self, layer_id: int, *, front: bool) -> None:
        scene_id = self._scene_id
        if scene_id is None:
            return
        index = len(self._layers) - 1 if front else 0
        description = self.tr("Bring layer to front") if front else self.tr("Send layer to back")
        if self._run(description, lambda: self.session.move_layer(scene_id, layer_id, index, canvas=self.canvas_name), None):
            layer = self._layer(layer_id)
            if layer is not None:
                others = [item for item in self._layers if item.id != layer_id]
                self._layers = [*others, layer] if front else [layer, *others]
            self.monitor.update()

    def _remove(self, layer_id: int) -> None:
        scene_id = self._scene_id
        if scene_id is None:
            return
        if self._run(self.tr("Remove layer"), lambda: self.session.remove_layer(scene_id, layer_id, canvas=self.canvas_name), None):
            self._layers = [item for item in self._layers if item.id != layer_id]
            if self._selected == layer_id:
                self._selected = None
                self.layer_selected.emit(scene_id, 0)
            self.monitor.update()

    # -- following the monitor --------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.monitor and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.monitor.rect())
        return False

    # -- painting -------------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802
        """Nothing of its own: the outlines are drawn by the monitor's paint (paint_overlay)."""

    def paint_overlay(self, painter: QPainter) -> None:
        """The layers' outlines, the selection's handles and the snap guides, over the picture
        (the monitor's painter; this widget covers the monitor exactly)."""
        if self._scene_id is None or not self._layers:
            return
        painter.save()
        outline = QPen(OUTLINE, 1)
        outline.setCosmetic(True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        selected: Layer | None = None
        for layer in self._layers:
            if layer.id == self._selected:
                selected = layer
                continue
            if layer.visible:
                painter.setPen(outline)
                painter.drawRect(self.to_widget(layer_box(layer, self._canvas)))
        if selected is not None and selected.visible:
            shown = self._shown_layer(selected)
            box = layer_box(shown, self._canvas)
            pen = QPen(SELECTED, 2, Qt.PenStyle.DashLine if selected.locked else Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.drawRect(self.to_widget(box))
            if not selected.locked:
                painter.setPen(QPen(SELECTED, 1))
                painter.setBrush(HANDLE_FILL)
                half = HANDLE_SIZE_PX / 2
                for centre in self._handle_points(box).values():
                    painter.drawRect(QRectF(centre.x() - half, centre.y() - half, HANDLE_SIZE_PX, HANDLE_SIZE_PX))
        if self._drag is not None and self._drag.snap_lines:
            rect = self.monitor.picture_rect()
            scale_x, scale_y = self._scale()
            guide = QPen(SNAP_LINE, 1, Qt.PenStyle.DashLine)
            guide.setCosmetic(True)
            painter.setPen(guide)
            for axis, line in self._drag.snap_lines:
                if axis == "x":
                    x = rect.left() + line * scale_x
                    painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
                else:
                    y = rect.top() + line * scale_y
                    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        painter.restore()


def _takes_keyword(function: Callable[..., object], name: str) -> bool:
    try:
        parameter = inspect.signature(function).parameters.get(name)
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def _disconnect(signal, slot) -> None:
    try:
        signal.disconnect(slot)
    except Exception:  # already disconnected
        pass
