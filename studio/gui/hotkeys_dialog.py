"""Edit the hotkeys of a show: one row per action, a key field each. A key that is already
bound elsewhere is refused with a message naming both actions."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
    QHeaderView,
    QTableWidgetItem,
)

from studio.engine.show import Show
from studio.gui.hotkeys import action_catalogue, changed_bindings, effective_bindings, normalized_key


class HotkeysDialog(QDialog):
    def __init__(self, show: Show, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Hotkeys"))
        self.resize(620, 560)
        self._show = show
        self._actions = action_catalogue(show)
        bindings = effective_bindings(show)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(self._actions), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Key")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.editors: dict[str, QKeySequenceEdit] = {}
        for row, action in enumerate(self._actions):
            item = QTableWidgetItem(action.label)
            item.setToolTip(action.id)
            self.table.setItem(row, 0, item)
            editor = QKeySequenceEdit(QKeySequence(bindings[action.id]), self.table)
            editor.setMaximumSequenceLength(1)
            editor.setClearButtonEnabled(True)
            editor.setMinimumWidth(160)
            self.table.setCellWidget(row, 1, editor)
            self.editors[action.id] = editor
        layout.addWidget(self.table)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #ff6b6b;")
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        row = QHBoxLayout()
        defaults = QPushButton(self.tr("Restore defaults"), self)
        defaults.clicked.connect(self.restore_defaults)
        row.addWidget(defaults)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        layout.addLayout(row)
        self._result: dict[str, str] = dict(show.hotkeys)

    def set_key(self, action_id: str, key: str) -> None:
        self.editors[action_id].setKeySequence(QKeySequence(key))

    def restore_defaults(self) -> None:
        for action in self._actions:
            self.set_key(action.id, action.default_key)

    def bindings(self) -> dict[str, str]:
        return {
            action_id: normalized_key(editor.keySequence().toString(QKeySequence.SequenceFormat.PortableText))
            for action_id, editor in self.editors.items()
        }

    def try_accept(self) -> bool:
        bindings = self.bindings()
        try:
            effective_bindings(self._show.model_copy(update={"hotkeys": {}}), bindings)
        except ValueError as error:
            self.error_label.setText(str(error))
            return False
        self._result = changed_bindings(self._show, bindings)
        self.accept()
        return True

    def result_hotkeys(self) -> dict[str, str]:
        """What Show.hotkeys becomes: only the changes from the defaults."""
        return self._result
