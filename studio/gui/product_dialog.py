"""Add or edit one product of the run sheet: id, title, prices, stock, picture, link, coupon,
the host's talking points and the product's look (scene, lower third, card corner).

Everything is checked by the Product model itself (the same rules as the show file); a refused
value is named under the form, never in a modal box, and its field gets the focus.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.engine.products import CURRENCY_SYMBOLS, CardCorner, Product

ERROR_STYLE = "color: #ff6b6b;"
CURRENCIES = ("CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "KRW")
STOCK_NOT_SHOWN = -1  # the stock box's lowest value: "not shown" (Product.stock None)
STOCK_MAX = 10_000_000


class ProductDialog(QDialog):
    """`product` None adds a new product. `existing_ids` are the ids already on the run sheet
    (the product's own id may be among them: it may keep it). `scene_names` fill the preset's
    scene list; `image_folder` is where relative picture paths are looked up (and made relative
    to, when a picture inside it is picked with Browse…)."""

    def __init__(
        self,
        product: Product | None,
        parent: QWidget | None = None,
        *,
        existing_ids: Iterable[str] = (),
        scene_names: Iterable[str] = (),
        image_folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = product
        self._taken_ids = set(existing_ids) - ({product.id} if product else set())
        self._image_folder = image_folder
        self._result: Product | None = None
        self.setWindowTitle(self.tr("Edit product") if product else self.tr("Add product"))

        form_widget = QWidget(self)
        form = QFormLayout(form_widget)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        self.id_edit = QLineEdit(form_widget)
        self.id_edit.setPlaceholderText(self.tr("unique, e.g. tee-white"))
        self.title_edit = QLineEdit(form_widget)
        self.price_edit = QLineEdit(form_widget)
        self.price_edit.setPlaceholderText("79.00")
        self.compare_edit = QLineEdit(form_widget)
        self.compare_edit.setPlaceholderText(self.tr("optional: the old price, struck through"))
        self.currency_combo = QComboBox(form_widget)
        for code in CURRENCIES:
            self.currency_combo.addItem(f"{code}  {CURRENCY_SYMBOLS[code]}", code)
        self.stock_spin = QSpinBox(form_widget)
        self.stock_spin.setRange(STOCK_NOT_SHOWN, STOCK_MAX)
        self.stock_spin.setSpecialValueText(self.tr("not shown"))
        self.image_edit = QLineEdit(form_widget)
        self.image_edit.setPlaceholderText(self.tr("picture file (optional)"))
        self.browse_button = QPushButton(self.tr("Browse…"), form_widget)
        self.browse_button.clicked.connect(self._browse_image)
        image_row = QHBoxLayout()
        image_row.setContentsMargins(0, 0, 0, 0)
        image_row.addWidget(self.image_edit, 1)
        image_row.addWidget(self.browse_button)
        self.link_edit = QLineEdit(form_widget)
        self.link_edit.setPlaceholderText("https://")
        self.coupon_edit = QLineEdit(form_widget)
        self.points_edit = QPlainTextEdit(form_widget)
        self.points_edit.setPlaceholderText(self.tr("Notes for the host, one per line (never on screen)"))
        self.points_edit.setTabChangesFocus(True)
        line_px = self.points_edit.fontMetrics().lineSpacing()
        self.points_edit.setFixedHeight(line_px * 4 + 12)

        form.addRow(self.tr("ID:"), self.id_edit)
        form.addRow(self.tr("Title:"), self.title_edit)
        form.addRow(self.tr("Price:"), self.price_edit)
        form.addRow(self.tr("Compare-at price:"), self.compare_edit)
        form.addRow(self.tr("Currency:"), self.currency_combo)
        form.addRow(self.tr("Stock:"), self.stock_spin)
        form.addRow(self.tr("Image:"), image_row)
        form.addRow(self.tr("Link URL:"), self.link_edit)
        form.addRow(self.tr("Coupon:"), self.coupon_edit)
        form.addRow(self.tr("Talking points:"), self.points_edit)

        preset_group = QGroupBox(self.tr("Preset (the product's look)"), form_widget)
        preset_form = QFormLayout(preset_group)
        self.scene_combo = QComboBox(preset_group)
        self.scene_combo.addItem(self.tr("(keep current)"), None)
        for name in scene_names:
            self.scene_combo.addItem(name, name)
        self.lower_third_edit = QLineEdit(preset_group)
        self.lower_third_edit.setPlaceholderText(self.tr("empty: no lower third"))
        self.corner_combo = QComboBox(preset_group)
        self.corner_combo.addItem(self.tr("(show default)"), None)
        corner_labels = {
            CardCorner.TOP_LEFT: self.tr("Top left"),
            CardCorner.TOP_RIGHT: self.tr("Top right"),
            CardCorner.BOTTOM_LEFT: self.tr("Bottom left"),
            CardCorner.BOTTOM_RIGHT: self.tr("Bottom right"),
        }
        for corner, label in corner_labels.items():
            self.corner_combo.addItem(label, corner.value)
        preset_form.addRow(self.tr("Scene:"), self.scene_combo)
        preset_form.addRow(self.tr("Lower third:"), self.lower_third_edit)
        preset_form.addRow(self.tr("Card corner:"), self.corner_combo)
        preset_group.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        form.addRow(preset_group)

        # The form scrolls if the screen is short (1366x768 with a taskbar): OK stays visible.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form_widget)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        # Which widget and label go with each field of Product (for naming a refused value).
        self._fields: dict[str, tuple[str, QWidget]] = {
            "id": (self.tr("ID"), self.id_edit),
            "title": (self.tr("Title"), self.title_edit),
            "price": (self.tr("Price"), self.price_edit),
            "compare_at_price": (self.tr("Compare-at price"), self.compare_edit),
            "currency": (self.tr("Currency"), self.currency_combo),
            "stock": (self.tr("Stock"), self.stock_spin),
            "image": (self.tr("Image"), self.image_edit),
            "link_url": (self.tr("Link URL"), self.link_edit),
            "coupon": (self.tr("Coupon"), self.coupon_edit),
            "talking_points": (self.tr("Talking points"), self.points_edit),
            "preset": (self.tr("Preset"), self.scene_combo),
            "scene": (self.tr("Scene"), self.scene_combo),
            "lower_third": (self.tr("Lower third"), self.lower_third_edit),
            "card_corner": (self.tr("Card corner"), self.corner_combo),
        }
        self._scroll = scroll
        self._load(product)
        self._fit_to_screen(form_widget)

    # -- showing a product --------------------------------------------------------------------

    def _load(self, product: Product | None) -> None:
        if product is None:
            self.stock_spin.setValue(STOCK_NOT_SHOWN)
            self.currency_combo.setCurrentIndex(0)
            return
        self.id_edit.setText(product.id)
        self.title_edit.setText(product.title)
        self.price_edit.setText(f"{product.price:.2f}")
        self.compare_edit.setText("" if product.compare_at_price is None else f"{product.compare_at_price:.2f}")
        index = self.currency_combo.findData(product.currency)
        if index < 0:  # a currency from a file that is not in the usual list: keep it
            self.currency_combo.addItem(product.currency, product.currency)
            index = self.currency_combo.count() - 1
        self.currency_combo.setCurrentIndex(index)
        self.stock_spin.setValue(STOCK_NOT_SHOWN if product.stock is None else min(product.stock, STOCK_MAX))
        self.image_edit.setText(product.image or "")
        self.link_edit.setText(product.link_url or "")
        self.coupon_edit.setText(product.coupon or "")
        self.points_edit.setPlainText("\n".join(product.talking_points))
        scene = product.preset.scene
        if scene:
            index = self.scene_combo.findData(scene)
            if index < 0:  # a scene id, or one this show no longer has: keep it as it is
                self.scene_combo.addItem(scene, scene)
                index = self.scene_combo.count() - 1
            self.scene_combo.setCurrentIndex(index)
        self.lower_third_edit.setText(product.preset.lower_third or "")
        corner = product.preset.card_corner
        self.corner_combo.setCurrentIndex(max(0, self.corner_combo.findData(corner.value if corner else None)))

    def _fit_to_screen(self, form_widget: QWidget) -> None:
        hint = form_widget.sizeHint()
        width_px, height_px = max(520, hint.width() + 40), hint.height() + 110
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            available = screen.availableGeometry()
            width_px = min(width_px, available.width() - 40)
            height_px = min(height_px, available.height() - 60)
        self.resize(width_px, height_px)

    # -- the result ------------------------------------------------------------------------------

    def values(self) -> dict:
        """The form as Product data (not yet checked)."""

        def text_or_none(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        stock = self.stock_spin.value()
        data = {
            "id": self.id_edit.text().strip(),
            "title": self.title_edit.text().strip(),
            "price": self.price_edit.text().strip(),
            "compare_at_price": text_or_none(self.compare_edit),
            "currency": self.currency_combo.currentData(),
            "stock": None if stock == STOCK_NOT_SHOWN else stock,
            "image": text_or_none(self.image_edit),
            "link_url": text_or_none(self.link_edit),
            "coupon": text_or_none(self.coupon_edit),
            "talking_points": [line.strip() for line in self.points_edit.toPlainText().splitlines() if line.strip()],
            "sold_out": self._original.sold_out if self._original else False,
            "preset": {
                "scene": self.scene_combo.currentData(),
                "lower_third": text_or_none(self.lower_third_edit),
                "card_corner": self.corner_combo.currentData(),
            },
        }
        return data

    def try_accept(self) -> bool:
        """Check the form; accept if all is well, else name the field under the form and focus it."""
        self._clear_error()
        data = self.values()
        if data["id"] in self._taken_ids:
            return self._refuse("id", self.tr("“{id}” is already used by another product").format(id=data["id"]))
        try:
            product = Product.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            location = [part for part in first["loc"] if isinstance(part, str)]
            field = location[-1] if location and location[-1] in self._fields else (location[0] if location else "")
            message = first["msg"]
            value = first.get("input")
            if isinstance(value, str) and value:
                message = self.tr("{message} (got “{value}”)").format(message=message, value=value)
            return self._refuse(field, message)
        self._result = product
        self.accept()
        return True

    def result_product(self) -> Product:
        if self._result is None:
            raise RuntimeError("the product dialog was not accepted")
        return self._result

    def error_text(self) -> str:
        """The refusal shown under the form ("" when none)."""
        return self.error_label.text()

    def _refuse(self, field: str, message: str) -> bool:
        label, widget = self._fields.get(field, (field, None))
        self.error_label.setText(f"{label}: {message}" if label else message)
        self.error_label.show()
        if widget is not None:
            self._scroll.ensureWidgetVisible(widget)
            widget.setFocus()
        return False

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    def _browse_image(self) -> None:
        start = str(self._image_folder) if self._image_folder else ""
        current = self.image_edit.text().strip()
        if current:
            resolved = Path(current) if Path(current).is_absolute() or self._image_folder is None else self._image_folder / current
            start = str(resolved)
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the product picture"), start, self.tr("Images (*.png *.jpg *.jpeg *.webp *.bmp *.gif)"))
        if not path:
            return
        chosen = Path(path)
        if self._image_folder is not None:
            try:
                chosen = chosen.resolve().relative_to(self._image_folder.resolve())
            except ValueError:
                pass  # outside the show's folder: keep the full path
        self.image_edit.setText(chosen.as_posix())
