"""Edit Transform, as in OBS: a layer's exact position, size, crop, fit, rotation, mirror and
opacity, in canvas pixels. OK (or Apply) sets them through the EditHistory (one undo step); a
refused value (a layer moved off the canvas) keeps the dialog open with the message."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.engine.show import Fit, Layer
from studio.gui.schema_form import ERROR_STYLE
from studio.gui.undo import EditHistory

COORDINATE_LIMIT = 16_384
ROTATIONS = (0, 90, 180, 270)


class TransformDialog(QDialog):
    def __init__(self, history: EditHistory, scene: str, layer_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.session = history.session
        self.scene = scene
        self.layer_id = layer_id
        layer = self.session.layer(scene, layer_id)
        show = self.session.show
        self.canvas = show.canvas
        source = show.source_by_ref(layer.source)
        self.setWindowTitle(self.tr("Transform: {source}").format(source=source.name if source else layer.source))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.x_spin = self._spin(-COORDINATE_LIMIT, COORDINATE_LIMIT)
        self.y_spin = self._spin(-COORDINATE_LIMIT, COORDINATE_LIMIT)
        form.addRow(self.tr("Position (x, y):"), self._pair(self.x_spin, self.y_spin))
        # 0 means "as large as the canvas" (a layer without a size).
        self.width_spin = self._spin(0, COORDINATE_LIMIT, special=self.tr("canvas"))
        self.height_spin = self._spin(0, COORDINATE_LIMIT, special=self.tr("canvas"))
        form.addRow(self.tr("Size (width, height):"), self._pair(self.width_spin, self.height_spin))
        crop = QWidget(self)
        crop_grid = QGridLayout(crop)
        crop_grid.setContentsMargins(0, 0, 0, 0)
        self.crop_left, self.crop_top, self.crop_right, self.crop_bottom = (self._spin(0, COORDINATE_LIMIT) for _ in range(4))
        for column, (label, spin) in enumerate(
            ((self.tr("Left"), self.crop_left), (self.tr("Top"), self.crop_top), (self.tr("Right"), self.crop_right), (self.tr("Bottom"), self.crop_bottom))
        ):
            crop_grid.addWidget(QLabel(label, crop), 0, column)
            crop_grid.addWidget(spin, 1, column)
        form.addRow(self.tr("Crop:"), crop)
        self.fit = QComboBox(self)
        for fit, label in ((Fit.CONTAIN, self.tr("Contain (whole picture)")), (Fit.COVER, self.tr("Cover (fill, crop edges)")), (Fit.STRETCH, self.tr("Stretch"))):
            self.fit.addItem(label, fit.value)
        form.addRow(self.tr("Fit:"), self.fit)
        self.rotation = QComboBox(self)
        for degrees in ROTATIONS:
            self.rotation.addItem(self.tr("{degrees}\u00b0").format(degrees=degrees), degrees)
        form.addRow(self.tr("Rotation:"), self.rotation)
        self.mirror = QCheckBox(self.tr("Mirror (flip left to right)"), self)
        form.addRow("", self.mirror)
        self.opacity = self._spin(0, 100)
        self.opacity.setSuffix(" %")
        form.addRow(self.tr("Opacity:"), self.opacity)
        layout.addLayout(form)
        canvas_note = QLabel(self.tr("Canvas: {width} x {height} pixels").format(width=self.canvas.width, height=self.canvas.height), self)
        canvas_note.setStyleSheet("color: palette(mid);")
        layout.addWidget(canvas_note)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(buttons.Ok | buttons.Apply | buttons.Cancel | buttons.Reset, self)
        self.buttons.button(buttons.Reset).setText(self.tr("Fill canvas"))
        self.buttons.button(buttons.Reset).setToolTip(self.tr("Position 0, 0 at the canvas size, no crop"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(buttons.Apply).clicked.connect(self.apply)
        self.buttons.button(buttons.Reset).clicked.connect(self.fill_canvas)
        layout.addWidget(self.buttons)
        self.set_layer(layer)

    def _spin(self, low: int, high: int, *, special: str | None = None) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setAccelerated(True)
        if special:
            spin.setSpecialValueText(special)
        return spin

    def _pair(self, first: QSpinBox, second: QSpinBox) -> QWidget:
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(first)
        row.addWidget(second)
        return holder

    def set_layer(self, layer: Layer) -> None:
        self.x_spin.setValue(layer.x)
        self.y_spin.setValue(layer.y)
        self.width_spin.setValue(layer.width or 0)
        self.height_spin.setValue(layer.height or 0)
        self.crop_left.setValue(layer.crop.left)
        self.crop_top.setValue(layer.crop.top)
        self.crop_right.setValue(layer.crop.right)
        self.crop_bottom.setValue(layer.crop.bottom)
        self.fit.setCurrentIndex(max(0, self.fit.findData(layer.fit.value)))
        self.rotation.setCurrentIndex(max(0, self.rotation.findData(layer.rotation)))
        self.mirror.setChecked(layer.mirror)
        self.opacity.setValue(round(layer.opacity * 100))

    def fill_canvas(self) -> None:
        self.x_spin.setValue(0)
        self.y_spin.setValue(0)
        self.width_spin.setValue(self.canvas.width)
        self.height_spin.setValue(self.canvas.height)
        for spin in (self.crop_left, self.crop_top, self.crop_right, self.crop_bottom):
            spin.setValue(0)

    def changes(self) -> dict[str, Any]:
        """The layer's fields as the dialog has them (what update_layer is given)."""
        return {
            "x": self.x_spin.value(),
            "y": self.y_spin.value(),
            "width": self.width_spin.value() or None,
            "height": self.height_spin.value() or None,
            "crop": {"left": self.crop_left.value(), "top": self.crop_top.value(), "right": self.crop_right.value(), "bottom": self.crop_bottom.value()},
            "fit": self.fit.currentData(),
            "rotation": self.rotation.currentData(),
            "mirror": self.mirror.isChecked(),
            "opacity": self.opacity.value() / 100,
        }

    def apply(self) -> bool:
        changes = self.changes()
        applied = self.history.run(
            self.tr("Transform"), lambda: self.session.update_layer(self.scene, self.layer_id, **changes), tell=self._refused
        )
        if applied:
            self.error_label.hide()
        return applied

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def _refused(self, _title: str, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        field = message.split(":", 1)[0].strip()
        editor = {"x": self.x_spin, "y": self.y_spin, "width": self.width_spin, "height": self.height_spin, "opacity": self.opacity}.get(field.split(".")[-1])
        if editor is not None:
            editor.setFocus()
            editor.selectAll()
