"""The switcher's controls: the scene list (and its editing: add, duplicate, rename, remove,
reorder, through the EditHistory) and the transition panel (Cut, Auto, kind, duration, T-bar).
They only call engine and session methods; what is on air is learned from events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.engine.show import Show, TransitionKind
from studio.gui.edit_icons import edit_icon
from studio.gui.monitors import TALLY_PREVIEW, TALLY_PROGRAM
from studio.gui.rename_delegate import NAME_ROLE, RenameDelegate

if TYPE_CHECKING:
    from studio.gui.undo import EditHistory

TBAR_STEPS = 1000


class _SceneList(QListWidget):
    """The scene list; remembers the modifiers of the last double-click (Ctrl: rename)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.double_click_modifiers = Qt.KeyboardModifier.NoModifier

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.double_click_modifiers = event.modifiers()
        super().mouseDoubleClickEvent(event)


class ScenePanel(QWidget):
    """Click a scene: it goes to preview. Double-click: it cuts straight to program.

    With an EditHistory attached (attach_history), the scenes can be edited as in OBS: add (+),
    duplicate, rename (context menu, F2 when F2 is not a hotkey, Ctrl+double-click), remove
    (asks; the last scene is refused), drag or the arrows to reorder. Each edit is one undo step.
    """

    preview_requested = Signal(str)
    program_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.list = _SceneList(self)
        self.list.setToolTip(self.tr("Click: to preview. Double-click: cut to program."))
        layout.addWidget(self.list)
        self.list.itemClicked.connect(lambda item: self.preview_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.itemDoubleClicked.connect(self._on_double_click)
        self._program = ""
        self._preview = ""
        self.history: EditHistory | None = None
        self.ask: Callable[[str, str], bool] = self._ask_box  # tests replace it
        self._scene_ids: dict[str, str] = {}  # name -> id, of the show last drawn
        self.tools = QWidget(self)
        tools = QHBoxLayout(self.tools)
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(2)
        self.add_button = self._tool("add", self.tr("Add a scene"), self.add_scene)
        self.remove_button = self._tool("remove", self.tr("Remove the selected scene"), self.remove_scene)
        self.duplicate_button = self._tool("duplicate", self.tr("Duplicate the selected scene"), self.duplicate_scene)
        self.rename_button = self._tool("rename", self.tr("Rename the selected scene (Ctrl+double-click)"), self.start_rename)
        self.up_button = self._tool("up", self.tr("Move the selected scene up"), lambda: self.move_selected(-1))
        self.down_button = self._tool("down", self.tr("Move the selected scene down"), lambda: self.move_selected(1))
        for button in (self.add_button, self.remove_button, self.duplicate_button, self.rename_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.up_button)
        tools.addWidget(self.down_button)
        layout.addWidget(self.tools)
        self.tools.hide()

    def _tool(self, icon: str, tip: str, slot: Callable[[], object]) -> QToolButton:
        button = QToolButton(self.tools)
        button.setIcon(edit_icon(icon))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and Enter stay hotkeys
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # -- the list (what the window draws) -------------------------------------------------------

    def set_scenes(self, names: list[str]) -> None:
        current = self.list.currentItem()
        current_id = self._scene_ids.get(current.data(Qt.ItemDataRole.UserRole)) if current is not None else None
        current_name = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self.list.clear()
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if self.history is not None:
            flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled
        names_by_id = {scene_id: name for name, scene_id in self._scene_ids.items()}
        for number, name in enumerate(names, start=1):
            item = QListWidgetItem(f"{number}  {name}" if number <= 9 else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setData(NAME_ROLE, name)
            item.setFlags(flags)
            self.list.addItem(item)
            if name == current_name or (current_id is not None and names_by_id.get(current_id) == name):
                self.list.setCurrentItem(item)
        self._paint_tally()

    def item_for(self, name: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                return item
        return None

    def names(self) -> list[str]:
        return [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())]

    def set_on_air(self, program: str, preview: str) -> None:
        self._program, self._preview = program, preview
        self._paint_tally()

    def _paint_tally(self) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            name = item.data(Qt.ItemDataRole.UserRole)
            colour = TALLY_PROGRAM if name == self._program else TALLY_PREVIEW if name == self._preview else None
            item.setBackground(QBrush(colour.darker(160)) if colour else QBrush())
            item.setForeground(QBrush(QColor(255, 255, 255)) if colour else QBrush())

    def _on_double_click(self, item: QListWidgetItem) -> None:
        if self.history is not None and self.list.double_click_modifiers & Qt.KeyboardModifier.ControlModifier:
            self.list.editItem(item)
            return
        self.program_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    # -- editing ---------------------------------------------------------------------------------

    def attach_history(self, history: EditHistory) -> None:
        """Make the scenes editable through `history` (its session's show is drawn from now on)."""
        self.history = history
        history.show_changed.connect(self._on_show_changed)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.delegate = RenameDelegate(self.list)
        self.list.setItemDelegate(self.delegate)
        self.delegate.rename_requested.connect(self._on_rename_requested, Qt.ConnectionType.QueuedConnection)
        self.list.model().rowsMoved.connect(self._on_rows_moved)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.setToolTip(self.tr("Click: to preview. Double-click: cut to program. Drag to reorder; right-click to edit."))
        remove = QAction(self.tr("Remove scene"), self.list)
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(lambda: self.remove_scene())
        self.list.addAction(remove)
        self.tools.show()
        self._on_show_changed(history.session.show)

    def _on_show_changed(self, show: Show) -> None:
        # Tally names follow a renamed scene (the engine tells only when program/preview change).
        program_id, preview_id = self._scene_ids.get(self._program), self._scene_ids.get(self._preview)
        self._scene_ids = {scene.name: scene.id for scene in show.scenes}
        names_by_id = {scene.id: scene.name for scene in show.scenes}
        self._program = names_by_id.get(program_id, self._program) if program_id else self._program
        self._preview = names_by_id.get(preview_id, self._preview) if preview_id else self._preview
        if self.names() != [scene.name for scene in show.scenes]:
            self.set_scenes([scene.name for scene in show.scenes])
        else:
            self._paint_tally()

    def selected_scene(self) -> str | None:
        """The name of the scene the edits apply to: the selected one, else the preview scene."""
        item = self.list.currentItem()
        if item is not None:
            return item.data(Qt.ItemDataRole.UserRole)
        return self._preview or None

    def select_scene(self, name: str) -> None:
        item = self.item_for(name)
        if item is not None:
            self.list.setCurrentItem(item)

    def add_scene(self, name: str | None = None, *, rename: bool = True) -> bool:
        """A new empty scene, last; with no name given it is "Scene N" and its name opens for typing."""
        if self.history is None:
            return False
        session = self.history.session
        taken = {scene.name for scene in session.show.scenes}
        base = self.tr("Scene")
        chosen = name or next(f"{base} {n}" for n in range(len(taken) + 1, 10_000) if f"{base} {n}" not in taken)
        if not self.history.run(self.tr("Add scene"), lambda: session.add_scene(chosen)):
            return False
        self.select_scene(chosen)
        if rename and name is None:
            self.start_rename()
        return True

    def duplicate_scene(self) -> bool:
        scene = self.selected_scene()
        if self.history is None or scene is None:
            return False
        session = self.history.session
        if not self.history.run(self.tr("Duplicate scene"), lambda: session.duplicate_scene(scene)):
            return False
        copy_id = self.history.last_result
        copy = next((s.name for s in session.show.scenes if s.id == copy_id), None)
        if copy:
            self.select_scene(copy)
        return True

    def start_rename(self) -> None:
        item = self.list.currentItem() or (self.item_for(self._preview) if self._preview else None)
        if self.history is not None and item is not None:
            self.list.setCurrentItem(item)
            self.list.editItem(item)

    def rename_scene(self, name: str, new_name: str) -> bool:
        if self.history is None:
            return False
        session = self.history.session
        if not self.history.run(self.tr("Rename scene"), lambda: session.rename_scene(name, new_name)):
            return False
        self.select_scene(new_name.strip())
        return True

    def _on_rename_requested(self, name: object, new_name: str) -> None:
        if isinstance(name, str):
            self.rename_scene(name, new_name)

    def remove_scene(self, name: str | None = None) -> bool:
        scene = name or self.selected_scene()
        if self.history is None or scene is None:
            return False
        if not self.ask(self.tr("Remove scene"), self.tr("Remove the scene \u201c{name}\u201d?").format(name=scene)):
            return False
        session = self.history.session
        return self.history.run(self.tr("Remove scene"), lambda: session.remove_scene(scene))

    def move_scene(self, name: str, index: int) -> bool:
        if self.history is None:
            return False
        session = self.history.session
        moved = self.history.run(self.tr("Move scene"), lambda: session.move_scene(name, index))
        if not moved:
            self._on_show_changed(session.show)  # a refused drag puts the list back
        self.select_scene(name)
        return moved

    def move_selected(self, step: int) -> bool:
        scene = self.selected_scene()
        if scene is None or scene not in self.names():
            return False
        index = self.names().index(scene) + step
        if not 0 <= index < self.list.count():
            return False
        return self.move_scene(scene, index)

    def _on_rows_moved(self, _parent: QModelIndex, start: int, _end: int, _destination: QModelIndex, row: int) -> None:
        new_index = row if row < start else row - 1
        item = self.list.item(new_index)
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        # After the drop has finished: the move redraws the list.
        QTimer.singleShot(0, lambda: self.move_scene(name, new_index))

    def _context_menu(self, position: QPoint) -> None:
        item = self.list.itemAt(position)
        if item is not None:
            self.list.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(edit_icon("add"), self.tr("Add scene"), lambda: self.add_scene())
        if item is not None:
            menu.addAction(edit_icon("duplicate"), self.tr("Duplicate"), self.duplicate_scene)
            menu.addAction(edit_icon("rename"), self.tr("Rename"), self.start_rename)
            menu.addSeparator()
            menu.addAction(edit_icon("up"), self.tr("Move up"), lambda: self.move_selected(-1))
            menu.addAction(edit_icon("down"), self.tr("Move down"), lambda: self.move_selected(1))
            menu.addSeparator()
            menu.addAction(edit_icon("remove"), self.tr("Remove"), lambda: self.remove_scene())
        menu.popup(self.list.viewport().mapToGlobal(position))

    def _ask_box(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton
        return QMessageBox.question(self, title, text, buttons.Yes | buttons.No, buttons.No) == buttons.Yes


class TransitionPanel(QWidget):
    cut_requested = Signal()
    auto_requested = Signal()
    tbar_moved = Signal(float)  # 0..1
    settings_changed = Signal(str, int)  # kind value, duration_ms

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        buttons = QVBoxLayout()
        self.cut_button = QPushButton(self.tr("Cut"), self)
        self.auto_button = QPushButton(self.tr("Auto"), self)
        for button in (self.cut_button, self.auto_button):
            button.setMinimumHeight(36)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and Enter stay hotkeys
            buttons.addWidget(button)
        self.kind = QComboBox(self)
        self._kind_labels = {
            TransitionKind.CUT: self.tr("Cut"),
            TransitionKind.MIX: self.tr("Mix"),
            TransitionKind.WIPE: self.tr("Wipe"),
            TransitionKind.DIP: self.tr("Dip to colour"),
        }
        for kind, label in self._kind_labels.items():
            self.kind.addItem(label, kind.value)
        self.duration = QSpinBox(self)
        self.duration.setRange(0, 10_000)
        self.duration.setSingleStep(100)
        self.duration.setSuffix(self.tr(" ms"))
        buttons.addWidget(QLabel(self.tr("Transition"), self))
        buttons.addWidget(self.kind)
        buttons.addWidget(QLabel(self.tr("Duration"), self))
        buttons.addWidget(self.duration)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.tbar = QSlider(Qt.Orientation.Vertical, self)
        self.tbar.setRange(0, TBAR_STEPS)
        self.tbar.setToolTip(self.tr("T-bar: drag to mix by hand; the end completes the transition"))
        self.tbar.setMinimumWidth(28)
        self.tbar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.tbar)
        self.cut_button.clicked.connect(self.cut_requested)
        self.auto_button.clicked.connect(self.auto_requested)
        self.tbar.valueChanged.connect(self._on_tbar)
        self.kind.currentIndexChanged.connect(self._emit_settings)
        self.duration.valueChanged.connect(self._emit_settings)

    def set_settings(self, kind: TransitionKind, duration_ms: int) -> None:
        for widget in (self.kind, self.duration):
            widget.blockSignals(True)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind.value)))
        self.duration.setValue(duration_ms)
        for widget in (self.kind, self.duration):
            widget.blockSignals(False)

    def selected_kind(self) -> str:
        return self.kind.currentData()

    def _emit_settings(self) -> None:
        self.settings_changed.emit(self.kind.currentData(), self.duration.value())

    def _on_tbar(self, value: int) -> None:
        self.tbar_moved.emit(value / TBAR_STEPS)
        if value >= TBAR_STEPS:
            # The transition completed on the engine's side; the bar springs back, ready for the next.
            self.tbar.blockSignals(True)
            self.tbar.setValue(0)
            self.tbar.blockSignals(False)
