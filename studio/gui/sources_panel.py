"""The Sources dock, like OBS's: every video source and audio input of the show, with its kind
and a NO SIGNAL marker (the reason as its tooltip), and what can be done with them: Add (a menu
of the registry's kinds, and a microphone), Rename (inline: F2 when F2 is not a hotkey, or the
context menu), Properties (double-click: the kind's settings form), Remove (asks) and Add to
the current scene (a layer on the scene the layers list shows). Every edit is one undo step.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QMessageBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.engine.errors import InputError
from studio.engine.show import Show
from studio.engine.sources.base import SourceStatus
from studio.gui.add_source_dialog import ADDABLE_AUDIO_KINDS, AddSourceDialog, SourcePropertiesDialog, kind_label, video_kinds
from studio.gui.edit_icons import edit_icon
from studio.gui.rename_delegate import NAME_ROLE, RenameDelegate
from studio.gui.undo import EditHistory

VIDEO, AUDIO = "video", "audio"
NO_SIGNAL = SourceStatus.NO_SIGNAL  # statuses arrive through the Qt bridge as plain str: compare with ==
NO_SIGNAL_COLOUR = QColor(255, 107, 107)
NAME_COLUMN, KIND_COLUMN, STATUS_COLUMN = 0, 1, 2

Entry = tuple[str, str]  # (VIDEO or AUDIO, id)


class SourcesPanel(QWidget):
    source_added = Signal(str, str)  # VIDEO or AUDIO, the new id

    def __init__(self, history: EditHistory, parent: QWidget | None = None, *, current_scene: Callable[[], str | None] | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.session = history.session
        # The scene a new video source and "Add to current scene" put a layer on (the window
        # sets it to the layers list's scene); None: no layer.
        self.current_scene: Callable[[], str | None] = current_scene or (lambda: None)
        self.ask: Callable[[str, str], bool] = self._ask_box  # tests replace it
        self.dialog: AddSourceDialog | SourcePropertiesDialog | None = None  # the one open now
        self._status: dict[str, tuple[str, str]] = {}
        self._shown: tuple = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([self.tr("Name"), self.tr("Kind"), ""])
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(KIND_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(STATUS_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.delegate = RenameDelegate(self.tree)
        self.tree.setItemDelegateForColumn(NAME_COLUMN, self.delegate)
        self.delegate.rename_requested.connect(self._on_rename_requested, Qt.ConnectionType.QueuedConnection)
        self.tree.itemDoubleClicked.connect(lambda item, _column: self.open_properties(item.data(NAME_COLUMN, Qt.ItemDataRole.UserRole)))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.setToolTip(self.tr("Double-click: properties. Right-click: rename, remove, add to the scene."))
        remove = QAction(self.tr("Remove"), self.tree)
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(lambda: self.remove_source())
        self.tree.addAction(remove)
        layout.addWidget(self.tree, 1)

        tools = QHBoxLayout()
        tools.setSpacing(2)
        self.add_menu = QMenu(self)
        self._fill_add_menu(self.add_menu)
        self.add_button = self._tool("add", self.tr("Add a source"), None)
        self.add_button.setMenu(self.add_menu)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.remove_button = self._tool("remove", self.tr("Remove the selected source"), lambda: self.remove_source())
        self.properties_button = self._tool("properties", self.tr("Properties of the selected source"), lambda: self.open_properties())
        self.add_to_scene_button = self._tool("add_to_scene", self.tr("Add the selected source to the current scene"), lambda: self.add_to_scene())
        for button in (self.add_button, self.remove_button, self.properties_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.add_to_scene_button)
        layout.addLayout(tools)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())

        history.show_changed.connect(self.refresh)
        self.refresh(self.session.show)

    def _tool(self, icon: str, tip: str, slot: Callable[[], object] | None) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(edit_icon(icon))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and Enter stay hotkeys
        if slot is not None:
            button.clicked.connect(lambda _checked=False: slot())
        return button

    def _fill_add_menu(self, menu: QMenu) -> None:
        for kind in video_kinds():
            menu.addAction(kind_label(kind), lambda k=kind: self.add_source(k))
        menu.addSeparator()
        for kind in ADDABLE_AUDIO_KINDS:
            menu.addAction(kind_label(kind), lambda k=kind: self.add_source(k))

    # -- the list -----------------------------------------------------------------------------

    def refresh(self, show: Show | None = None) -> None:
        show = show or self.session.show
        shown = (
            tuple((s.id, s.name, s.kind) for s in show.sources),
            tuple((a.id, a.name, a.kind) for a in show.audio_inputs),
        )
        if shown == self._shown:
            return  # a layer or scene edit: nothing to redraw here (an open rename stays open)
        self._shown = shown
        current = self.selected()
        self.tree.clear()
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable
        rows = [((VIDEO, s.id), s.name, s.kind) for s in show.sources]
        rows += [((AUDIO, a.id), a.name, a.kind.value) for a in show.audio_inputs]
        for entry, name, kind in rows:
            item = QTreeWidgetItem([name, kind_label(kind), ""])
            item.setData(NAME_COLUMN, Qt.ItemDataRole.UserRole, entry)
            item.setData(NAME_COLUMN, NAME_ROLE, name)
            item.setFlags(flags)
            item.setForeground(KIND_COLUMN, QBrush(QColor(150, 150, 158)))
            self.tree.addTopLevelItem(item)
            if entry == current:
                self.tree.setCurrentItem(item)
        for source_id, (status, reason) in self._status.items():
            self._paint_status(source_id, status, reason)
        self._update_buttons()

    def item_for(self, ref: str) -> QTreeWidgetItem | None:
        """The row of a source or audio input (id or name)."""
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            entry = item.data(NAME_COLUMN, Qt.ItemDataRole.UserRole)
            if ref in (entry[1], item.data(NAME_COLUMN, NAME_ROLE)):
                return item
        return None

    def select(self, ref: str) -> None:
        item = self.item_for(ref)
        if item is not None:
            self.tree.setCurrentItem(item)

    def selected(self) -> Entry | None:
        item = self.tree.currentItem()
        return item.data(NAME_COLUMN, Qt.ItemDataRole.UserRole) if item is not None else None

    def set_source_status(self, source_id: str, status: str, reason: str) -> None:
        """What the engine says of a source ("live", "no signal"...): NO SIGNAL is marked."""
        self._status[source_id] = (status, reason)
        self._paint_status(source_id, status, reason)

    def _paint_status(self, source_id: str, status: str, reason: str) -> None:
        item = next(
            (
                self.tree.topLevelItem(row)
                for row in range(self.tree.topLevelItemCount())
                if self.tree.topLevelItem(row).data(NAME_COLUMN, Qt.ItemDataRole.UserRole) == (VIDEO, source_id)
            ),
            None,
        )
        if item is None:
            return
        no_signal = status == NO_SIGNAL
        item.setText(STATUS_COLUMN, self.tr("NO SIGNAL") if no_signal else "")
        bold = QFont(item.font(STATUS_COLUMN))
        bold.setBold(True)
        item.setFont(STATUS_COLUMN, bold)
        item.setForeground(STATUS_COLUMN, QBrush(NO_SIGNAL_COLOUR))
        tip = reason if no_signal else ""
        for column in (NAME_COLUMN, STATUS_COLUMN):
            item.setToolTip(column, tip)

    def status_text(self, ref: str) -> tuple[str, str]:
        """The marker shown for a source and its tooltip (for tests and screen readers)."""
        item = self.item_for(ref)
        return (item.text(STATUS_COLUMN), item.toolTip(STATUS_COLUMN)) if item is not None else ("", "")

    def _update_buttons(self) -> None:
        entry = self.selected()
        for button in (self.remove_button, self.properties_button):
            button.setEnabled(entry is not None)
        self.add_to_scene_button.setEnabled(entry is not None and entry[0] == VIDEO)

    # -- editing ------------------------------------------------------------------------------

    def add_source(self, kind: str) -> AddSourceDialog:
        """Open the Add dialog for `kind` (not modal to the app's loop: it is returned open)."""
        dialog = AddSourceDialog(self.history, kind, scene=self.current_scene(), parent=self)
        dialog.accepted.connect(lambda: self._on_added(dialog))
        self._open(dialog)
        return dialog

    def _on_added(self, dialog: AddSourceDialog) -> None:
        if dialog.added_id:
            self.select(dialog.added_id)
            self.source_added.emit(AUDIO if dialog.audio else VIDEO, dialog.added_id)

    def open_properties(self, entry: Entry | None = None) -> SourcePropertiesDialog | None:
        entry = entry or self.selected()
        if entry is None:
            return None
        try:
            dialog = SourcePropertiesDialog(self.history, entry[1], audio=entry[0] == AUDIO, parent=self)
        except InputError as error:  # removed meanwhile (by the remote control)
            self.history.tell(self.tr("Properties"), str(error))
            return None
        self._open(dialog)
        return dialog

    def _open(self, dialog: AddSourceDialog | SourcePropertiesDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None) if self.dialog is dialog else None)
        dialog.open()

    def start_rename(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.tree.editItem(item, NAME_COLUMN)

    def rename(self, entry: Entry, new_name: str) -> bool:
        kind, ref = entry
        session = self.session
        if kind == AUDIO:
            edit = lambda: session.update_audio_input(ref, name=new_name)  # noqa: E731
        else:
            edit = lambda: session.update_source(ref, name=new_name)  # noqa: E731
        renamed = self.history.run(self.tr("Rename source"), edit)
        self.select(ref)
        return renamed

    def _on_rename_requested(self, entry: object, new_name: str) -> None:
        if isinstance(entry, tuple):
            self.rename(entry, new_name)  # type: ignore[arg-type]

    def remove_source(self, entry: Entry | None = None) -> bool:
        entry = entry or self.selected()
        if entry is None:
            return False
        kind, ref = entry
        item = self.item_for(ref)
        name = item.data(NAME_COLUMN, NAME_ROLE) if item is not None else ref
        question = (
            self.tr("Remove the audio input \u201c{name}\u201d?")
            if kind == AUDIO
            else self.tr("Remove \u201c{name}\u201d? Its layers in every scene go too.")
        ).format(name=name)
        if not self.ask(self.tr("Remove source"), question):
            return False
        session = self.session
        if kind == AUDIO:
            return self.history.run(self.tr("Remove audio input"), lambda: session.remove_audio_input(ref))
        return self.history.run(self.tr("Remove source"), lambda: session.remove_source(ref))

    def add_to_scene(self, entry: Entry | None = None) -> bool:
        """A layer of the selected video source on top of the current scene (full canvas)."""
        entry = entry or self.selected()
        scene = self.current_scene()
        if entry is None or entry[0] != VIDEO:
            return False
        if scene is None:
            self.history.tell(self.tr("Add to current scene"), self.tr("Choose a scene first."))
            return False
        session = self.session
        return self.history.run(self.tr("Add to scene"), lambda: session.add_layer(scene, entry[1]))

    def _context_menu(self, position: QPoint) -> None:
        item = self.tree.itemAt(position)
        if item is not None:
            self.tree.setCurrentItem(item)
        menu = QMenu(self)
        add = menu.addMenu(edit_icon("add"), self.tr("Add"))
        self._fill_add_menu(add)
        if item is not None:
            entry = item.data(NAME_COLUMN, Qt.ItemDataRole.UserRole)
            menu.addAction(edit_icon("rename"), self.tr("Rename"), self.start_rename)
            menu.addAction(edit_icon("properties"), self.tr("Properties..."), lambda: self.open_properties(entry))
            if entry[0] == VIDEO:
                menu.addAction(edit_icon("add_to_scene"), self.tr("Add to current scene"), lambda: self.add_to_scene(entry))
            menu.addSeparator()
            menu.addAction(edit_icon("remove"), self.tr("Remove"), lambda: self.remove_source(entry))
        menu.popup(self.tree.viewport().mapToGlobal(position))

    def _ask_box(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton
        return QMessageBox.question(self, title, text, buttons.Yes | buttons.No, buttons.No) == buttons.Yes
