"""The layers of one scene, top first as OBS lists its scene items: an eye (visible) and a lock
on each row, drag (or the arrows) to reorder, remove, duplicate, Transform... (exact numbers)
and one-click layouts (full, picture in picture in each corner, side by side, 2x2 grid, one
large + two small). It follows the preview scene unless another scene is picked.

The session counts layers bottom first (index 0 is drawn first); this list shows the top one
first, so a row's position here is count - 1 - its index there. Every edit is one undo step.

Selection is shared with the preview monitor's direct editing: `layer_selected(scene_id,
layer_id)` when the seller picks a row (layer_id 0: none), `select_layer(scene_id, layer_id)`
to follow the monitor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.engine.errors import InputError
from studio.engine.show import Corner, Layer, LayoutKind, Show
from studio.gui.edit_icons import edit_icon
from studio.gui.transform_dialog import TransformDialog
from studio.gui.undo import EditHistory
from studio.show_editing import scene_items

LAYER_ID_ROLE = Qt.ItemDataRole.UserRole
VISIBLE_ROLE = Qt.ItemDataRole.UserRole + 1
LOCKED_ROLE = Qt.ItemDataRole.UserRole + 2
TOGGLES = ("visible", "locked")
NO_LAYER = 0  # layer ids start at 1


@dataclass(frozen=True)
class LayoutPreset:
    key: str
    kind: LayoutKind
    sources_needed: int
    options: dict[str, Any] = field(default_factory=dict)


LAYOUT_PRESETS = (
    LayoutPreset("full", LayoutKind.FULL, 1),
    LayoutPreset("pip_top_left", LayoutKind.PIP, 2, {"corner": Corner.TOP_LEFT.value}),
    LayoutPreset("pip_top_right", LayoutKind.PIP, 2, {"corner": Corner.TOP_RIGHT.value}),
    LayoutPreset("pip_bottom_left", LayoutKind.PIP, 2, {"corner": Corner.BOTTOM_LEFT.value}),
    LayoutPreset("pip_bottom_right", LayoutKind.PIP, 2, {"corner": Corner.BOTTOM_RIGHT.value}),
    LayoutPreset("side_by_side", LayoutKind.SIDE_BY_SIDE, 2),
    LayoutPreset("grid", LayoutKind.GRID, 4),
    LayoutPreset("one_large_two_small", LayoutKind.ONE_LARGE_TWO_SMALL, 3),
)


def layout_sources(show: Show, layers: list[Layer], needed: int) -> list[str]:
    """The scene's layer sources, bottom first (the main picture first), then the show's other
    sources, up to `needed`."""
    chosen: list[str] = []
    for ref in [layer.source for layer in layers] + [source.id for source in show.sources]:
        spec = show.source_by_ref(ref)
        if spec is not None and spec.id not in chosen:
            chosen.append(spec.id)
    return chosen[:needed]


class LayerDelegate(QStyledItemDelegate):
    """Draws a row's eye and lock at its right end and turns clicks on them into toggles."""

    toggle_requested = Signal(int, str)  # layer id, "visible" or "locked"
    ICON_PX = 16
    PAD_PX = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._icons = {name: edit_icon(name) for name in ("visible", "hidden", "locked", "unlocked")}

    def toggle_rects(self, rect: QRect) -> dict[str, QRect]:
        size, pad = self.ICON_PX, self.PAD_PX
        lock = QRect(rect.right() - pad - size + 1, rect.center().y() - size // 2 + 1, size, size)
        return {"visible": lock.translated(-(size + pad), 0), "locked": lock}

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 2 * (self.ICON_PX + self.PAD_PX), max(hint.height(), self.ICON_PX + 6))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        visible, locked = bool(index.data(VISIBLE_ROLE)), bool(index.data(LOCKED_ROLE))
        widget = option.widget
        style = widget.style() if widget is not None else None
        full = QStyleOptionViewItem(option)
        self.initStyleOption(full, index)
        text = QStyleOptionViewItem(full)
        text.rect = option.rect.adjusted(0, 0, -2 * (self.ICON_PX + self.PAD_PX) - self.PAD_PX, 0)
        if not visible:
            dim = QColor(full.palette.color(QPalette.ColorRole.Text))
            dim.setAlphaF(0.45)
            text.palette.setColor(QPalette.ColorRole.Text, dim)
            text.font.setItalic(True)
        if style is not None:
            background = QStyleOptionViewItem(full)
            background.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, background, painter, widget)
            text.backgroundBrush = full.backgroundBrush
            text.state &= ~QStyle.StateFlag.State_HasFocus
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text, painter, widget)
        rects = self.toggle_rects(option.rect)
        self._icons["visible" if visible else "hidden"].paint(painter, rects["visible"])
        self._icons["locked" if locked else "unlocked"].paint(painter, rects["locked"])

    def editorEvent(self, event: QEvent, model, option: QStyleOptionViewItem, index: QModelIndex) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick):
            assert isinstance(event, QMouseEvent)
            point = event.position().toPoint()
            for toggle, rect in self.toggle_rects(option.rect).items():
                if rect.contains(point):
                    if event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
                        self.toggle_requested.emit(int(index.data(LAYER_ID_ROLE)), toggle)
                    return True  # a click on an icon neither selects nor drags
        return super().editorEvent(event, model, option, index)


class SceneEditor(QWidget):
    layer_selected = Signal(str, int)  # scene id, layer id (NO_LAYER: none)
    scene_changed = Signal(str)  # the scene id this list now shows

    def __init__(self, history: EditHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.session = history.session
        self.ask: Callable[[str, str], bool] = self._ask_box  # tests replace it
        self.dialog: TransformDialog | None = None
        self._scene_id: str | None = None
        self._syncing = False
        self._shown: tuple = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.scene_combo = QComboBox(self)
        self.scene_combo.setToolTip(self.tr("The scene whose layers are listed"))
        self.scene_combo.activated.connect(self._on_scene_picked)
        self.follow_preview = QCheckBox(self.tr("Follow preview"), self)
        self.follow_preview.setToolTip(self.tr("Show the layers of the scene on preview"))
        self.follow_preview.setChecked(True)
        self.follow_preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        top.addWidget(self.scene_combo, 1)
        top.addWidget(self.follow_preview)
        layout.addLayout(top)

        self.list = QListWidget(self)
        self.delegate = LayerDelegate(self.list)
        self.list.setItemDelegate(self.delegate)
        self.delegate.toggle_requested.connect(self._on_toggle, Qt.ConnectionType.QueuedConnection)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.model().rowsMoved.connect(self._on_rows_moved)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemDoubleClicked.connect(lambda item: self.open_transform(int(item.data(LAYER_ID_ROLE))))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.setToolTip(self.tr("Top layer first. Drag to reorder; double-click: transform."))
        remove = QAction(self.tr("Remove layer"), self.list)
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(lambda: self.remove_layer())
        self.list.addAction(remove)
        layout.addWidget(self.list, 1)

        tools = QHBoxLayout()
        tools.setSpacing(2)
        self.add_menu = QMenu(self)
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        self.add_button = self._tool("add", self.tr("Add a source to this scene"), None)
        self.add_button.setMenu(self.add_menu)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.remove_button = self._tool("remove", self.tr("Remove the selected layer"), lambda: self.remove_layer())
        self.duplicate_button = self._tool("duplicate", self.tr("Duplicate the selected layer"), lambda: self.duplicate_layer())
        self.transform_button = self._tool("transform", self.tr("Transform: exact position, size, crop..."), lambda: self.open_transform())
        self.layout_menu = QMenu(self.tr("Layout"), self)
        self.layout_labels = {
            "full": self.tr("Full"),
            "pip_top_left": self.tr("PiP top left"),
            "pip_top_right": self.tr("PiP top right"),
            "pip_bottom_left": self.tr("PiP bottom left"),
            "pip_bottom_right": self.tr("PiP bottom right"),
            "side_by_side": self.tr("Side by side"),
            "grid": self.tr("2x2 grid"),
            "one_large_two_small": self.tr("One large + two small"),
        }
        self.layout_actions: dict[str, QAction] = {}
        for preset in LAYOUT_PRESETS:
            if preset.key == "side_by_side":
                self.layout_menu.addSeparator()
            action = self.layout_menu.addAction(self.layout_labels[preset.key], lambda p=preset: self.apply_preset(p))
            self.layout_actions[preset.key] = action
        self.layout_button = self._tool("layout", self.tr("Layout: arrange this scene in one click"), None)
        self.layout_button.setMenu(self.layout_menu)
        self.layout_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.up_button = self._tool("up", self.tr("Move the selected layer up"), lambda: self.move_selected(1))
        self.down_button = self._tool("down", self.tr("Move the selected layer down"), lambda: self.move_selected(-1))
        for button in (self.add_button, self.remove_button, self.duplicate_button, self.transform_button, self.layout_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.up_button)
        tools.addWidget(self.down_button)
        layout.addLayout(tools)

        history.show_changed.connect(self.refresh)
        show = self.session.show
        self._scene_id = self._resolve(show, show.preview_scene) or show.scenes[0].id
        self.refresh(show)

    def _tool(self, icon: str, tip: str, slot: Callable[[], object] | None) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(edit_icon(icon))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and Enter stay hotkeys
        if slot is not None:
            button.clicked.connect(lambda _checked=False: slot())
        return button

    # -- which scene ----------------------------------------------------------------------------

    @staticmethod
    def _resolve(show: Show, ref: str | None) -> str | None:
        for scene in show.scenes:
            if ref in (scene.id, scene.name):
                return scene.id
        return None

    def current_scene_id(self) -> str | None:
        return self._scene_id

    def set_scene(self, ref: str, *, follow: bool | None = None) -> None:
        """Show the layers of scene `ref` (id or name); follow=False stops following preview."""
        if follow is not None:
            self.follow_preview.setChecked(follow)
        scene_id = self._resolve(self.session.show, ref)
        if scene_id is None or scene_id == self._scene_id:
            return
        self._scene_id = scene_id
        self.refresh()
        self.scene_changed.emit(scene_id)
        self.layer_selected.emit(scene_id, self.selected_layer_id() or NO_LAYER)

    def follow_preview_scene(self, ref: str) -> None:
        """The preview scene changed (connect the engine's preview_scene_changed here)."""
        if self.follow_preview.isChecked():
            self.set_scene(ref)

    def _on_scene_picked(self, index: int) -> None:
        scene_id = self.scene_combo.itemData(index)
        if scene_id and scene_id != self._scene_id:
            self.set_scene(scene_id, follow=False)

    # -- the list -------------------------------------------------------------------------------

    def layers(self) -> list[Layer]:
        """The shown scene's layers, bottom first (the session's order)."""
        return self.session.layers(self._scene_id) if self._scene_id else []

    def refresh(self, show: Show | None = None) -> None:
        show = show or self.session.show
        if self._resolve(show, self._scene_id) is None:  # removed: back to preview, or the first
            self._scene_id = self._resolve(show, show.preview_scene) or show.scenes[0].id
            QTimer.singleShot(0, lambda: self.scene_changed.emit(self._scene_id or ""))
        scene = show.scenes[[s.id for s in show.scenes].index(self._scene_id)]
        items = scene_items(scene, show.canvas)
        shown = (
            tuple((s.id, s.name) for s in show.scenes),
            self._scene_id,
            tuple(items),
            tuple((source.id, source.name) for source in show.sources),
        )
        if shown == self._shown:
            return  # an edit elsewhere: nothing to redraw (the selection and scroll stay)
        self._shown = shown
        self.scene_combo.blockSignals(True)
        self.scene_combo.clear()
        for scene in show.scenes:
            self.scene_combo.addItem(scene.name, scene.id)
        self.scene_combo.setCurrentIndex(max(0, self.scene_combo.findData(self._scene_id)))
        self.scene_combo.blockSignals(False)
        selected = self.selected_layer_id()
        self._syncing = True
        try:
            self.list.clear()
            for layer in reversed(items):
                spec = show.source_by_ref(layer.source)
                item = QListWidgetItem(spec.name if spec else layer.source)
                item.setData(LAYER_ID_ROLE, layer.id)
                item.setData(VISIBLE_ROLE, layer.visible)
                item.setData(LOCKED_ROLE, layer.locked)
                size = f"{layer.width or show.canvas.width}x{layer.height or show.canvas.height}"
                item.setToolTip(self.tr("{source}: at {x}, {y}, {size}").format(source=item.text(), x=layer.x, y=layer.y, size=size))
                item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDragEnabled)
                self.list.addItem(item)
                if layer.id == selected:
                    self.list.setCurrentItem(item)
        finally:
            self._syncing = False
        if selected and self.selected_layer_id() is None:
            self.layer_selected.emit(self._scene_id or "", NO_LAYER)
        self._update_buttons()

    def item_for(self, layer_id: int) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(LAYER_ID_ROLE) == layer_id:
                return self.list.item(row)
        return None

    def selected_layer_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(LAYER_ID_ROLE)) if item is not None else None

    def select_layer(self, scene_id: str, layer_id: int) -> None:
        """Select a layer (from the preview monitor); NO_LAYER clears the selection."""
        if scene_id and scene_id != self._scene_id:
            self.set_scene(scene_id)
        self._syncing = True
        try:
            item = self.item_for(layer_id)
            if item is None:
                self.list.setCurrentRow(-1)
                self.list.clearSelection()
            else:
                self.list.setCurrentItem(item)
        finally:
            self._syncing = False
        self._update_buttons()

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self._update_buttons()
        if not self._syncing and self._scene_id:
            self.layer_selected.emit(self._scene_id, int(current.data(LAYER_ID_ROLE)) if current is not None else NO_LAYER)

    def _update_buttons(self) -> None:
        has_layer = self.list.currentItem() is not None
        for button in (self.remove_button, self.duplicate_button, self.transform_button, self.up_button, self.down_button):
            button.setEnabled(has_layer)

    # -- editing --------------------------------------------------------------------------------

    def _run(self, description: str, edit: Callable[[], Any]) -> bool:
        return self.history.run(description, edit) if self._scene_id else False

    def add_layer(self, source: str) -> bool:
        scene, session = self._scene_id, self.session
        added = self._run(self.tr("Add layer"), lambda: session.add_layer(scene, source))
        if added and self.history.last_result is not None:
            self.select_layer(scene or "", self.history.last_result.id)
        return added

    def _fill_add_menu(self) -> None:
        self.add_menu.clear()
        for source in self.session.show.sources:
            self.add_menu.addAction(source.name, lambda s=source.id: self.add_layer(s))
        if not self.session.show.sources:
            self.add_menu.addAction(self.tr("(no sources: add one in the Sources dock)")).setEnabled(False)

    def set_layer_field(self, layer_id: int, description: str, **changes: Any) -> bool:
        scene, session = self._scene_id, self.session
        return self._run(description, lambda: session.update_layer(scene, layer_id, **changes))

    def toggle_visible(self, layer_id: int) -> bool:
        visible = self.session.layer(self._scene_id, layer_id).visible
        return self.set_layer_field(layer_id, self.tr("Show layer") if not visible else self.tr("Hide layer"), visible=not visible)

    def toggle_locked(self, layer_id: int) -> bool:
        locked = self.session.layer(self._scene_id, layer_id).locked
        return self.set_layer_field(layer_id, self.tr("Unlock layer") if locked else self.tr("Lock layer"), locked=not locked)

    def _on_toggle(self, layer_id: int, toggle: str) -> None:
        try:
            self.toggle_visible(layer_id) if toggle == "visible" else self.toggle_locked(layer_id)
        except InputError as error:  # the layer went meanwhile
            self.history.tell(self.tr("Layers"), str(error))

    def move_layer(self, layer_id: int, index: int) -> bool:
        """Put a layer at `index` in drawing order (0: bottom, as the session counts)."""
        scene, session = self._scene_id, self.session
        moved = self._run(self.tr("Reorder layer"), lambda: session.move_layer(scene, layer_id, index))
        if not moved:
            self._shown = ()
            self.refresh()  # a refused drag puts the list back
        self.select_layer(scene or "", layer_id)
        return moved

    def move_selected(self, step: int) -> bool:
        """step +1: one up (drawn over the next one), -1: one down."""
        layer_id = self.selected_layer_id()
        if layer_id is None:
            return False
        ids = [layer.id for layer in self.layers()]
        index = ids.index(layer_id) + step
        if not 0 <= index < len(ids):
            return False
        return self.move_layer(layer_id, index)

    def _on_rows_moved(self, _parent: QModelIndex, start: int, _end: int, _destination: QModelIndex, row: int) -> None:
        if self._syncing:
            return
        new_row = row if row < start else row - 1
        item = self.list.item(new_row)
        if item is None:
            return
        layer_id, index = int(item.data(LAYER_ID_ROLE)), self.list.count() - 1 - new_row
        # After the drop has finished: the move redraws the list.
        QTimer.singleShot(0, lambda: self.move_layer(layer_id, index))

    def remove_layer(self, layer_id: int | None = None) -> bool:
        layer_id = layer_id or self.selected_layer_id()
        item = self.item_for(layer_id) if layer_id else None
        if item is None:
            return False
        if not self.ask(self.tr("Remove layer"), self.tr("Remove \u201c{name}\u201d from this scene?").format(name=item.text())):
            return False
        scene, session = self._scene_id, self.session
        return self._run(self.tr("Remove layer"), lambda: session.remove_layer(scene, layer_id))

    def duplicate_layer(self, layer_id: int | None = None) -> bool:
        layer_id = layer_id or self.selected_layer_id()
        if not layer_id:
            return False
        scene, session = self._scene_id, self.session
        duplicated = self._run(self.tr("Duplicate layer"), lambda: session.duplicate_layer(scene, layer_id))
        if duplicated and self.history.last_result is not None:
            self.select_layer(scene or "", self.history.last_result.id)
        return duplicated

    def open_transform(self, layer_id: int | None = None) -> TransformDialog | None:
        layer_id = layer_id or self.selected_layer_id()
        if not layer_id or not self._scene_id:
            return None
        try:
            dialog = TransformDialog(self.history, self._scene_id, layer_id, self)
        except InputError as error:
            self.history.tell(self.tr("Transform"), str(error))
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None) if self.dialog is dialog else None)
        dialog.open()
        return dialog

    def transform_layer(self, scene_id: str, layer_id: int) -> TransformDialog | None:
        """Transform... asked for elsewhere (the preview monitor's menu)."""
        self.set_scene(scene_id)
        self.select_layer(scene_id, layer_id)
        return self.open_transform(layer_id)

    def apply_preset(self, preset: LayoutPreset) -> bool:
        """A layout preset on the shown scene, with its sources (or the show's first ones)."""
        show, scene, session = self.session.show, self._scene_id, self.session
        sources = layout_sources(show, self.layers(), preset.sources_needed)
        if not sources:
            self.history.tell(self.tr("Layout"), self.tr("Add a source first."))
            return False
        description = self.tr("Layout: {name}").format(name=self.layout_labels[preset.key])
        return self._run(description, lambda: session.apply_layout(scene, preset.kind, sources, **preset.options))

    def apply_layout(self, key: str) -> bool:
        """The preset `key` of LAYOUT_PRESETS ("full", "pip_bottom_right", "grid"...)."""
        return self.apply_preset(next(preset for preset in LAYOUT_PRESETS if preset.key == key))

    def _context_menu(self, position: QPoint) -> None:
        item = self.list.itemAt(position)
        if item is not None:
            self.list.setCurrentItem(item)
        menu = QMenu(self)
        add = menu.addMenu(edit_icon("add"), self.tr("Add source"))
        for source in self.session.show.sources:
            add.addAction(source.name, lambda s=source.id: self.add_layer(s))
        if item is not None:
            layer_id = int(item.data(LAYER_ID_ROLE))
            visible, locked = bool(item.data(VISIBLE_ROLE)), bool(item.data(LOCKED_ROLE))
            menu.addAction(edit_icon("hidden" if visible else "visible"), self.tr("Hide") if visible else self.tr("Show"), lambda: self.toggle_visible(layer_id))
            menu.addAction(edit_icon("unlocked" if locked else "locked"), self.tr("Unlock") if locked else self.tr("Lock"), lambda: self.toggle_locked(layer_id))
            menu.addAction(edit_icon("transform"), self.tr("Transform..."), lambda: self.open_transform(layer_id))
            menu.addAction(edit_icon("duplicate"), self.tr("Duplicate"), lambda: self.duplicate_layer(layer_id))
            menu.addSeparator()
            menu.addAction(edit_icon("up"), self.tr("Move up"), lambda: self.move_selected(1))
            menu.addAction(edit_icon("down"), self.tr("Move down"), lambda: self.move_selected(-1))
            menu.addSeparator()
            menu.addAction(edit_icon("remove"), self.tr("Remove"), lambda: self.remove_layer(layer_id))
        menu.addSeparator()
        menu.addMenu(self.layout_menu)
        menu.popup(self.list.viewport().mapToGlobal(position))

    def _ask_box(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton
        return QMessageBox.question(self, title, text, buttons.Yes | buttons.No, buttons.No) == buttons.Yes
