"""The switcher's controls: the scene list and the transition panel (Cut, Auto, kind,
duration, T-bar). They only call engine methods; what is on air is learned from events."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.engine.show import TransitionKind
from studio.gui.monitors import TALLY_PREVIEW, TALLY_PROGRAM

TBAR_STEPS = 1000


class ScenePanel(QWidget):
    """Click a scene: it goes to preview. Double-click: it cuts straight to program."""

    preview_requested = Signal(str)
    program_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget(self)
        self.list.setToolTip(self.tr("Click: to preview. Double-click: cut to program."))
        layout.addWidget(self.list)
        self.list.itemClicked.connect(lambda item: self.preview_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.itemDoubleClicked.connect(lambda item: self.program_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self._program = ""
        self._preview = ""

    def set_scenes(self, names: list[str]) -> None:
        self.list.clear()
        for number, name in enumerate(names, start=1):
            item = QListWidgetItem(f"{number}  {name}" if number <= 9 else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
        self._paint_tally()

    def item_for(self, name: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                return item
        return None

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
