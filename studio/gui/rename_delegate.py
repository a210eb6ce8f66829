"""Inline renaming in a list: the editor starts with the item's name (its NAME_ROLE data, not
the text shown, which may carry a number or a kind) and, when committed, asks for the rename
instead of writing the model: the list is redrawn from the show once the session has it (or
stays as it was when the rename is refused). Connect rename_requested queued: the list is
rebuilt by the rename, which must not happen while the editor is committing."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

NAME_ROLE = Qt.ItemDataRole.UserRole + 10


class RenameDelegate(QStyledItemDelegate):
    rename_requested = Signal(object, str)  # the item's Qt.UserRole data (what it is), the new name

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:  # noqa: N802
        editor = QLineEdit(parent)
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        name = index.data(NAME_ROLE)
        assert isinstance(editor, QLineEdit)
        editor.setText(str(name if name is not None else index.data(Qt.ItemDataRole.DisplayRole) or ""))
        editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QLineEdit)
        new_name = editor.text().strip()
        if new_name and new_name != index.data(NAME_ROLE):
            self.rename_requested.emit(index.data(Qt.ItemDataRole.UserRole), new_name)
