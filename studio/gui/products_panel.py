"""The Products dock: the seller's run sheet and the selling actions on it.

A row per product (thumbnail, title, price, stock, its F-key), the current one highlighted; a
search box; the current product's card as it will pop (rendered off the GUI thread, once per
change of the product), its talking points, its stock and Sold out; the 3-2-1 link run, Dismiss,
Previous/Next, the preset buttons; Edit/Add/Remove and CSV import.

The panel only calls the SellingDesk's public methods and hears from it through `desk.events`
(psygnal signals fired on the caller's, the desk worker's or the program thread). Each event is
re-emitted through a Qt signal of the panel, which Qt queues onto the GUI thread, as
studio/gui/bridge.py does for the engine.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QModelIndex, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from studio.commerce.product_import import import_products_csv
from studio.commerce.selling_desk import SellingDesk
from studio.control.hotkey_catalogue import PRODUCT_KEYS_LIMIT, default_key
from studio.engine.errors import InputError
from studio.engine.graphics.product_card import ProductCardCache
from studio.engine.assets import asset_folder, find_asset
from studio.engine.products import CardCorner, Product
from studio.gui.mixer_panel import ToggleButton
from studio.gui.product_dialog import ProductDialog

log = logging.getLogger(__name__)

# The run sheet's key badges until the show's bindings arrive: the catalogue's defaults.
DEFAULT_HOTKEY_TEXTS = {action_id: default_key(action_id) for action_id in ["link_321", *(f"product.{n}" for n in range(1, PRODUCT_KEYS_LIMIT + 1))]}

ACCENT = QColor(255, 138, 31)  # the selling accent: the current product, the 3-2-1 button
SOLD_OUT_RED = QColor(255, 90, 80)
CARD_ON_AIR_STYLE = "QLabel { background: #8c3d08; color: white; font-weight: bold; padding: 3px 6px; border-radius: 3px; }"
COUNTDOWN_STYLE = "QLabel { background: #6b5a12; color: white; font-weight: bold; padding: 3px 6px; border-radius: 3px; }"
NO_CARD_STYLE = "QLabel { color: #8c8c94; padding: 3px 6px; }"
LINK_BUTTON_STYLE = (
    "QPushButton { background: #e8741a; color: white; font-weight: bold; padding: 8px 12px;"
    " border: 1px solid #a9520f; border-radius: 4px; }"
    "QPushButton:hover { background: #f5832a; }"
    "QPushButton:pressed { background: #b85a12; }"
    "QPushButton:disabled { background: #4a4038; color: #8c8c94; border-color: #3a332d; }"
)
PREVIEW_STYLE = "QLabel { background: #141417; border: 1px solid #3a3a42; color: #8c8c94; }"

THUMB_PX = 44
ROW_PADDING_PX = 5
PREVIEW_SIZE = QSize(150, 140)
CARD_POLL_MS = 250  # while a card is up: its countdown, its time left, and when it goes by itself

PRODUCT_ID_ROLE = Qt.ItemDataRole.UserRole
PRICE_ROLE = Qt.ItemDataRole.UserRole + 1
STOCK_ROLE = Qt.ItemDataRole.UserRole + 2  # "50 left", "SOLD OUT" or "" (stock not shown)
SOLD_OUT_ROLE = Qt.ItemDataRole.UserRole + 3
HOTKEY_ROLE = Qt.ItemDataRole.UserRole + 4
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 5


def is_sold_out(product: Product) -> bool:
    return product.sold_out or product.stock == 0


def bgra_to_qimage(bgra: np.ndarray) -> QImage:
    """A (h, w, 4) uint8 BGRA picture (straight alpha) as a QImage that owns its pixels."""
    pixels = np.ascontiguousarray(bgra if sys.byteorder == "little" else bgra[..., ::-1])
    height, width = pixels.shape[:2]
    return QImage(pixels.data, width, height, pixels.strides[0], QImage.Format.Format_ARGB32).copy()


def placeholder_thumbnail(size_px: int, ratio: float) -> QPixmap:
    """A neutral tile (a little picture sign) for a product without a readable image."""
    pixmap = QPixmap(round(size_px * ratio), round(size_px * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(58, 58, 64))
    painter.drawRoundedRect(QRectF(0, 0, size_px, size_px), 4, 4)
    painter.setBrush(QColor(96, 96, 104))
    s = size_px
    painter.drawPolygon(QPolygonF([QPointF(s * 0.18, s * 0.78), QPointF(s * 0.42, s * 0.45), QPointF(s * 0.62, s * 0.78)]))
    painter.drawPolygon(QPolygonF([QPointF(s * 0.45, s * 0.78), QPointF(s * 0.64, s * 0.55), QPointF(s * 0.84, s * 0.78)]))
    painter.drawEllipse(QPointF(s * 0.68, s * 0.3), s * 0.09, s * 0.09)
    painter.end()
    return pixmap


class ElidedLabel(QLabel):
    """One line that ends in "…" when it does not fit; the whole text is in the tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self._full_text = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full_text

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        margins = self.contentsMargins()
        width_px = max(1, self.contentsRect().width() - margins.left() - margins.right())
        super().setText(self.fontMetrics().elidedText(self._full_text, Qt.TextElideMode.ElideRight, width_px))


class ProductRowDelegate(QStyledItemDelegate):
    """Paints one run-sheet row: thumbnail, title, price and stock, the hotkey badge. The current
    product gets an accent bar, a tinted background and a bold accent title."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        metrics = option.fontMetrics
        return QSize(200, max(THUMB_PX, metrics.height() * 2 + 4) + 2 * ROW_PADDING_PX)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect
        palette: QPalette = option.palette
        current = bool(index.data(CURRENT_ROLE))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)

        if current:
            tint = QColor(ACCENT)
            tint.setAlpha(48)
            painter.fillRect(rect, tint)
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), ACCENT)
        elif selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight).darker(170))
        elif hovered:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.AlternateBase), 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

        left = rect.left() + 10
        thumb = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(thumb, QPixmap) and not thumb.isNull():
            top = rect.top() + (rect.height() - THUMB_PX) // 2
            painter.drawPixmap(QRect(left, top, THUMB_PX, THUMB_PX), thumb)
        left += THUMB_PX + 8

        base_font = QFont(option.font)
        metrics = QFontMetrics(base_font)
        right = rect.right() - 6
        hotkey = index.data(HOTKEY_ROLE) or ""
        if hotkey:
            badge_font = QFont(base_font)
            badge_font.setPointSizeF(max(7.0, base_font.pointSizeF() * 0.85))
            badge_metrics = QFontMetrics(badge_font)
            badge_w = badge_metrics.horizontalAdvance(hotkey) + 10
            badge_h = badge_metrics.height() + 2
            badge = QRectF(right - badge_w, rect.top() + (rect.height() - badge_h) / 2, badge_w, badge_h)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.PlaceholderText), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(badge, 3, 3)
            painter.setFont(badge_font)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, hotkey)
            right = int(badge.left()) - 8

        text_width = max(10, right - left)
        line_h = metrics.height()
        first_top = rect.top() + (rect.height() - 2 * line_h - 2) // 2
        title_font = QFont(base_font)
        title_font.setBold(current)
        painter.setFont(title_font)
        title_colour = ACCENT.lighter(115) if current else palette.color(QPalette.ColorRole.Text)
        painter.setPen(title_colour)
        title = QFontMetrics(title_font).elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "", Qt.TextElideMode.ElideRight, text_width)
        painter.drawText(QRect(left, first_top, text_width, line_h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)

        second = QRect(left, first_top + line_h + 2, text_width, line_h)
        painter.setFont(base_font)
        price = index.data(PRICE_ROLE) or ""
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        price = metrics.elidedText(price, Qt.TextElideMode.ElideRight, text_width)
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, price)
        stock = index.data(STOCK_ROLE) or ""
        if stock:
            stock_left = second.left() + metrics.horizontalAdvance(price) + 12
            stock_rect = QRect(stock_left, second.top(), max(0, second.right() - stock_left), line_h)
            stock_font = QFont(base_font)
            if index.data(SOLD_OUT_ROLE):
                stock_font.setBold(True)
                painter.setPen(SOLD_OUT_RED)
            else:
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.setFont(stock_font)
            stock = QFontMetrics(stock_font).elidedText(stock, Qt.TextElideMode.ElideRight, stock_rect.width())
            painter.drawText(stock_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, stock)
        painter.restore()


class ProductsPanel(QWidget):
    """The run sheet of a SellingDesk. `changed` fires when the run sheet was edited (the show is
    unsaved); `error(str)` carries a refused action or a desk error for the status bar."""

    changed = Signal()
    error = Signal(str)

    # desk.events, re-emitted here: Qt queues a signal emitted on another thread to the GUI thread.
    _desk_products_changed = Signal()
    _desk_current_changed = Signal(str)
    _desk_card_changed = Signal(object)
    _desk_link_pushed = Signal(object)
    _desk_error = Signal(str)
    _card_rendered = Signal(int, object)  # generation, QImage or an error text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk: SellingDesk | None = None
        self._connections: list[tuple[object, Callable]] = []
        self._hotkey_texts: dict[str, str] = dict(DEFAULT_HOTKEY_TEXTS)
        self._thumbnails: dict[tuple, QPixmap] = {}
        self._placeholder: QPixmap | None = None
        self._card_cache: ProductCardCache | None = None
        self._card_key: tuple | None = None
        self._card_generation = 0
        self._card_preview_image: QImage | None = None
        self._renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="card-preview")
        self._shown_product_id: str | None = None

        self._build()
        self._desk_products_changed.connect(self._on_products_changed)
        self._desk_current_changed.connect(self._on_current_changed)
        self._desk_card_changed.connect(self._on_card_changed)
        self._desk_link_pushed.connect(self._on_link_pushed)
        self._desk_error.connect(self.error)
        self._card_rendered.connect(self._on_card_rendered)
        self.card_timer = QTimer(self)
        self.card_timer.setInterval(CARD_POLL_MS)
        self.card_timer.timeout.connect(self.refresh_card_state)
        renderer = self._renderer  # not self: the panel is gone when `destroyed` arrives
        self.destroyed.connect(lambda *_args: renderer.shutdown(wait=False, cancel_futures=True))
        self.set_desk(None)

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("Search products (title or id)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._apply_filter)

        self.list = QListWidget(self)
        self.list.setItemDelegate(ProductRowDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setMouseTracking(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setToolTip(self.tr("Click: make it the current product (its look comes up). Double-click: edit."))
        self.list.setMinimumHeight(120)
        self.list.itemClicked.connect(self._on_row_clicked)
        self.list.itemDoubleClicked.connect(lambda item: self.edit_product(item.data(PRODUCT_ID_ROLE)))
        self.empty_label = QLabel(self.tr("No products yet: Add… or Import CSV…"), self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)

        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.add_button = QPushButton(self.tr("Add…"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.import_button = QPushButton(self.tr("Import CSV…"), self)
        self.edit_button.clicked.connect(lambda: self.edit_product(self._selected_id()))
        self.add_button.clicked.connect(self.add_product)
        self.remove_button.clicked.connect(lambda: self.remove_product(self._selected_id()))
        self.import_button.clicked.connect(self.import_csv)

        # The current product: its card, its notes, its stock.
        self.current_box = QFrame(self)
        self.current_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.current_title_label = ElidedLabel("", self.current_box)
        self.current_title_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        title_font = QFont(self.current_title_label.font())
        title_font.setBold(True)
        self.current_title_label.setFont(title_font)
        self.current_title_label.setStyleSheet(f"color: {ACCENT.lighter(115).name()};")
        self.card_preview = QLabel(self.current_box)
        self.card_preview.setFixedSize(PREVIEW_SIZE)
        self.card_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.card_preview.setWordWrap(True)
        self.card_preview.setStyleSheet(PREVIEW_STYLE)
        self.talking_points = QPlainTextEdit(self.current_box)
        self.talking_points.setReadOnly(True)
        self.talking_points.setPlaceholderText(self.tr("No talking points"))
        self.talking_points.setToolTip(self.tr("Talking points: notes for the host, never on screen"))
        self.talking_points.setFixedHeight(PREVIEW_SIZE.height())
        self.talking_points.setMinimumWidth(100)
        self.sold_out_button = ToggleButton(self.tr("Sold out"), SOLD_OUT_RED, self.current_box)
        self.sold_out_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.sold_out_button.setStyleSheet(self.sold_out_button.styleSheet() + "QPushButton { padding: 5px 10px; }")
        self.sold_out_button.setToolTip(self.tr("Mark the current product sold out (its card on screen is redrawn)"))
        self.sold_out_button.toggled.connect(self._on_sold_out_toggled)
        self.stock_spin = QSpinBox(self.current_box)
        self.stock_spin.setRange(-1, 10_000_000)
        self.stock_spin.setSpecialValueText(self.tr("not shown"))
        self.stock_spin.setKeyboardTracking(False)  # "50" typed is one change, not "5" then "50"
        self.stock_spin.setToolTip(self.tr("Units left (the card on screen is redrawn)"))
        self.stock_spin.valueChanged.connect(self._on_stock_changed)
        self.apply_preset_button = QPushButton(self.tr("Apply preset"), self.current_box)
        self.apply_preset_button.setToolTip(self.tr("Bring up the current product's scene and lower third again"))
        self.save_preset_button = QPushButton(self.tr("Save look as preset"), self.current_box)
        self.save_preset_button.setToolTip(self.tr("The scene on preview and the lower third shown become this product's look"))
        self.apply_preset_button.clicked.connect(lambda: self._desk_call(lambda desk: desk.apply_preset()))
        self.save_preset_button.clicked.connect(self.save_look_as_preset)

        box_layout = QVBoxLayout(self.current_box)
        box_layout.setContentsMargins(6, 6, 6, 6)
        box_layout.setSpacing(5)
        box_layout.addWidget(self.current_title_label)
        card_row = QHBoxLayout()
        card_row.setSpacing(6)
        card_row.addWidget(self.card_preview)
        card_row.addWidget(self.talking_points, 1)
        box_layout.addLayout(card_row)
        stock_row = QHBoxLayout()
        stock_row.setSpacing(6)
        stock_row.addWidget(self.sold_out_button)
        stock_row.addStretch(1)
        stock_row.addWidget(QLabel(self.tr("Stock:"), self.current_box))
        stock_row.addWidget(self.stock_spin)
        box_layout.addLayout(stock_row)
        preset_row = QHBoxLayout()
        preset_row.setSpacing(6)
        preset_row.addWidget(self.apply_preset_button, 1)
        preset_row.addWidget(self.save_preset_button, 1)
        box_layout.addLayout(preset_row)

        self.previous_button = QPushButton(self.tr("Previous"), self)
        self.next_button = QPushButton(self.tr("Next"), self)
        self.dismiss_button = QPushButton(self.tr("Dismiss card"), self)
        self.previous_button.clicked.connect(lambda: self._desk_call(lambda desk: desk.step_product(-1)))
        self.next_button.clicked.connect(lambda: self._desk_call(lambda desk: desk.step_product(+1)))
        self.dismiss_button.clicked.connect(lambda: self._desk_call(lambda desk: desk.dismiss_card()))

        self.card_status_label = ElidedLabel("", self)
        self.card_status_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.notice_label = ElidedLabel("", self)
        self.notice_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.notice_label.setStyleSheet("color: #b4b4bc;")
        self.notice_label.hide()  # shown with a notice (link pushed, look saved)

        self.link_button = QPushButton(self)
        self.link_button.setStyleSheet(LINK_BUTTON_STYLE)
        link_font = QFont(self.link_button.font())
        link_font.setPointSizeF(link_font.pointSizeF() * 1.3)
        link_font.setBold(True)
        self.link_button.setFont(link_font)
        self.link_button.setMinimumHeight(46)
        self.link_button.setToolTip(self.tr("Count 3, 2, 1 on screen, then pop the current product's card and push its link"))
        self.link_button.clicked.connect(lambda: self._desk_call(lambda desk: desk.link_321()))

        for button in (
            self.edit_button, self.add_button, self.remove_button, self.import_button, self.sold_out_button,
            self.apply_preset_button, self.save_preset_button, self.previous_button, self.next_button,
            self.dismiss_button, self.link_button,
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space, Enter and the F-keys stay hotkeys

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(5)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        sheet_row = QHBoxLayout()
        sheet_row.setSpacing(4)
        for button in (self.edit_button, self.add_button, self.remove_button, self.import_button):
            button.setStyleSheet("QPushButton { padding: 5px 6px; }")
            sheet_row.addWidget(button, 1)
        layout.addLayout(sheet_row)
        layout.addWidget(self.current_box)
        step_row = QHBoxLayout()
        step_row.setSpacing(4)
        step_row.addWidget(self.previous_button, 1)
        step_row.addWidget(self.next_button, 1)
        step_row.addWidget(self.dismiss_button, 1)
        layout.addLayout(step_row)
        layout.addWidget(self.card_status_label)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.link_button)
        self._update_link_button_text()

    # -- the desk -----------------------------------------------------------------------------------

    @property
    def desk(self) -> SellingDesk | None:
        return self._desk

    def set_desk(self, desk: SellingDesk | None) -> None:
        """Show this desk's run sheet and listen to it (and stop listening to the previous one)."""
        self._disconnect()
        self._desk = desk
        self._card_cache = ProductCardCache() if desk is not None else None
        self._card_key = None
        self._card_generation += 1
        self._card_preview_image = None
        self._shown_product_id = None
        self.show_notice("")
        if desk is not None:
            events = desk.events
            pairs = [
                (events.products_changed, self._desk_products_changed.emit),
                (events.current_product_changed, self._desk_current_changed.emit),
                (events.card_changed, self._desk_card_changed.emit),
                (events.link_pushed, self._desk_link_pushed.emit),
                (events.error, self._desk_error.emit),
            ]
            for signal, target in pairs:
                # A plain function held here: psygnal keeps only weak references to bound methods.
                def slot(*args, _target=target):
                    try:
                        _target(*args)
                    except RuntimeError:  # the panel was deleted while the desk still ran
                        pass

                signal.connect(slot)
                self._connections.append((signal, slot))
        self._rebuild_rows()
        self._show_current()
        self.refresh_card_state()

    def _disconnect(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (ValueError, RuntimeError):
                pass
        self._connections.clear()

    def set_hotkey_texts(self, texts: dict[str, str]) -> None:
        """Key text per action id ("link_321", "product.1".."product.12"); "" means unbound. Ids
        not given keep their text."""
        for action_id in DEFAULT_HOTKEY_TEXTS:
            if action_id in texts:
                self._hotkey_texts[action_id] = texts[action_id] or ""
        self._update_link_button_text()
        for row in range(self.list.count()):
            self.list.item(row).setData(HOTKEY_ROLE, self._row_hotkey(row))

    def _update_link_button_text(self) -> None:
        key = self._hotkey_texts.get("link_321", "")
        label = self.tr("3-2-1 Link")
        self.link_button.setText(self.tr("{action} ({key})").format(action=label, key=key) if key else label)

    def _row_hotkey(self, row: int) -> str:
        return self._hotkey_texts.get(f"product.{row + 1}", "") if row < PRODUCT_KEYS_LIMIT else ""

    # -- rows ----------------------------------------------------------------------------------------

    def row_for(self, product_id: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(PRODUCT_ID_ROLE) == product_id:
                return item
        return None

    def visible_product_ids(self) -> list[str]:
        return [self.list.item(row).data(PRODUCT_ID_ROLE) for row in range(self.list.count()) if not self.list.item(row).isHidden()]

    def _rebuild_rows(self) -> None:
        products = self._desk.products if self._desk is not None else []
        current = self._desk.current_product if self._desk is not None else None
        current_id = current.id if current else None
        ids = [product.id for product in products]
        shown_ids = [self.list.item(row).data(PRODUCT_ID_ROLE) for row in range(self.list.count())]
        if ids != shown_ids:
            self.list.clear()
            for _ in products:
                self.list.addItem(QListWidgetItem())
        for row, product in enumerate(products):
            self._fill_row(self.list.item(row), row, product, product.id == current_id)
        self._apply_filter()
        self._select_row_of(current_id)
        self.empty_label.setVisible(self._desk is not None and not products)

    def _fill_row(self, item: QListWidgetItem, row: int, product: Product, current: bool) -> None:
        stock = self._stock_text(product)
        item.setData(PRODUCT_ID_ROLE, product.id)
        item.setData(Qt.ItemDataRole.DisplayRole, product.title)
        item.setData(PRICE_ROLE, product.price_text())
        item.setData(STOCK_ROLE, stock)
        item.setData(SOLD_OUT_ROLE, is_sold_out(product))
        item.setData(HOTKEY_ROLE, self._row_hotkey(row))
        item.setData(CURRENT_ROLE, current)
        item.setData(Qt.ItemDataRole.DecorationRole, self._thumbnail(product))
        details = [product.title, product.id, product.price_text()]
        if product.compare_at_price is not None:
            details.append(self.tr("was {price}").format(price=product.price_text(product.compare_at_price)))
        if stock:
            details.append(stock)
        if product.coupon:
            details.append(self.tr("coupon {code}").format(code=product.coupon))
        item.setToolTip("\n".join(details))

    def _stock_text(self, product: Product) -> str:
        if is_sold_out(product):
            return self.tr("SOLD OUT")
        if product.stock is None:
            return ""
        return self.tr("{count} left").format(count=product.stock)

    def _select_row_of(self, product_id: str | None) -> None:
        item = self.row_for(product_id) if product_id else None
        self.list.blockSignals(True)
        if item is None:
            self.list.clearSelection()
        else:
            self.list.setCurrentItem(item)
            if not item.isHidden():
                self.list.scrollToItem(item)
        self.list.blockSignals(False)

    def _apply_filter(self) -> None:
        needle = self.search_edit.text().strip().casefold()
        for row in range(self.list.count()):
            item = self.list.item(row)
            haystack = f"{item.data(Qt.ItemDataRole.DisplayRole)}\n{item.data(PRODUCT_ID_ROLE)}".casefold()
            item.setHidden(bool(needle) and needle not in haystack)

    def _image_path(self, product: Product) -> Path | None:
        if not product.image:
            return None
        return find_asset(product.image, self._desk.image_folder if self._desk is not None else None)

    def _thumbnail(self, product: Product) -> QPixmap:
        ratio = self.devicePixelRatioF()
        path = self._image_path(product)
        try:
            stamp = path.stat().st_mtime_ns if path is not None else None
        except OSError:
            stamp = None
        if path is None or stamp is None:
            return self._placeholder_pixmap(ratio)
        key = (str(path), stamp, ratio)
        pixmap = self._thumbnails.get(key)
        if pixmap is None:
            image = QImage(str(path))
            if image.isNull():
                return self._placeholder_pixmap(ratio)
            size_px = round(THUMB_PX * ratio)
            scaled = image.scaled(size_px, size_px, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            pixmap = QPixmap(size_px, size_px)
            pixmap.fill(QColor(58, 58, 64))
            painter = QPainter(pixmap)
            painter.drawImage((size_px - scaled.width()) // 2, (size_px - scaled.height()) // 2, scaled)
            painter.end()
            pixmap.setDevicePixelRatio(ratio)  # once, for this new pixmap (then cached)
            if len(self._thumbnails) > 500:
                self._thumbnails.clear()
            self._thumbnails[key] = pixmap
        return pixmap

    def _placeholder_pixmap(self, ratio: float) -> QPixmap:
        if self._placeholder is None or self._placeholder.devicePixelRatio() != ratio:
            self._placeholder = placeholder_thumbnail(THUMB_PX, ratio)
        return self._placeholder

    def _selected_id(self) -> str | None:
        item = self.list.currentItem()
        if item is not None and item.isSelected():
            return item.data(PRODUCT_ID_ROLE)
        current = self._desk.current_product if self._desk is not None else None
        return current.id if current else None

    # -- the current product ---------------------------------------------------------------------

    def _show_current(self) -> None:
        desk = self._desk
        product = desk.current_product if desk is not None else None
        has_desk = desk is not None
        for widget in (self.add_button, self.import_button, self.search_edit, self.list):
            widget.setEnabled(has_desk)
        has_product = product is not None
        for widget in (
            self.edit_button, self.remove_button, self.sold_out_button, self.stock_spin, self.apply_preset_button,
            self.save_preset_button, self.link_button, self.previous_button, self.next_button, self.current_box,
        ):
            widget.setEnabled(has_product)
        self.dismiss_button.setEnabled(has_desk)
        if product is None:
            self.current_title_label.set_text(self.tr("No product selected") if has_desk else self.tr("No show running"))
            self.talking_points.setPlainText("")
            self.sold_out_button.set_checked_quietly(False)
            self._set_stock_quietly(-1)
            self.card_preview.clear()
            self.card_preview.setText("")
            self._shown_product_id = None
            return
        self.current_title_label.set_text(product.title)
        self.talking_points.setPlainText("\n".join(f"\u2022 {point}" for point in product.talking_points))
        self.sold_out_button.set_checked_quietly(product.sold_out)
        self._set_stock_quietly(-1 if product.stock is None else product.stock)
        self._shown_product_id = product.id
        self._request_card_preview(product)

    def _set_stock_quietly(self, value: int) -> None:
        self.stock_spin.blockSignals(True)
        self.stock_spin.setValue(value)
        self.stock_spin.blockSignals(False)

    def _request_card_preview(self, product: Product) -> None:
        """Render the product's card as it will pop, on the panel's worker; only when it changed."""
        desk, cache = self._desk, self._card_cache
        if desk is None or cache is None:
            return
        canvas = desk.engine.show.canvas
        corner = CardCorner(product.preset.card_corner or desk.settings.card_corner)
        folder = asset_folder(product.image, desk.image_folder) if product.image else desk.image_folder
        key = (product.model_dump_json(), canvas.width, canvas.height, corner.value, str(folder))
        if key == self._card_key:
            return
        self._card_key = key
        self._card_generation += 1
        generation = self._card_generation
        if self._card_preview_image is None:
            self.card_preview.setText(self.tr("Rendering the card…"))
        rendered = self._card_rendered

        def render() -> None:
            try:
                picture = cache.get(product, canvas.width, canvas.height, corner, folder)
                payload: object = bgra_to_qimage(picture.bgra)
            except Exception as error:  # a broken picture must not take the panel down
                log.exception("card preview failed")
                payload = str(error)
            try:
                rendered.emit(generation, payload)
            except RuntimeError:  # the panel is gone
                pass

        self._renderer.submit(render)

    def _on_card_rendered(self, generation: int, payload: object) -> None:
        if generation != self._card_generation:
            return  # an older product's card
        if not isinstance(payload, QImage):
            self._card_preview_image = None
            self.card_preview.clear()
            self.card_preview.setText(self.tr("Card: {problem}").format(problem=payload))
            return
        self._card_preview_image = payload
        ratio = self.devicePixelRatioF()
        box = PREVIEW_SIZE - QSize(6, 6)
        pixmap = QPixmap.fromImage(payload).scaled(
            round(box.width() * ratio), round(box.height() * ratio), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        pixmap.setDevicePixelRatio(ratio)  # once per new pixmap
        self.card_preview.setPixmap(pixmap)

    def card_preview_ready(self) -> bool:
        """The current product's card is shown (tests wait for it)."""
        return self._card_preview_image is not None and not self.card_preview.pixmap().isNull()

    # -- desk events (GUI thread) ------------------------------------------------------------------

    def _on_products_changed(self) -> None:
        self._rebuild_rows()
        self._show_current()

    def _on_current_changed(self, product_id: str) -> None:
        if self._desk is None:
            return
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setData(CURRENT_ROLE, item.data(PRODUCT_ID_ROLE) == product_id)
        self._select_row_of(product_id)
        self._show_current()

    def _on_card_changed(self, _card: object) -> None:
        self.refresh_card_state()

    def _on_link_pushed(self, push: object) -> None:
        title = getattr(push, "title", "")
        self.show_notice(self.tr("Link pushed: {title}").format(title=title))

    def show_notice(self, text: str) -> None:
        """A one-line notice under the card state (empty: hidden)."""
        self.notice_label.set_text(text)
        self.notice_label.setVisible(bool(text))

    def refresh_card_state(self) -> None:
        """Card on air, counting down, or none; polled while a card is up (it may go by itself)."""
        desk = self._desk
        card = None
        now_ns = 0
        if desk is not None:
            try:
                card = desk.card_on_air
                now_ns = desk.engine.next_tick_offset_ns()
            except Exception:  # an engine being stopped: show no card
                log.debug("card state unavailable", exc_info=True)
                card = None
        if card is None:
            self.card_status_label.set_text(self.tr("No card on air"))
            self.card_status_label.setStyleSheet(NO_CARD_STYLE)
            self.card_timer.stop()
            return
        try:
            title = desk.product(card.product_id).title
        except InputError:
            title = card.product_id
        if now_ns < card.shown_at_ns:
            seconds = max(1, -(-(card.shown_at_ns - now_ns) // 1_000_000_000))
            self.card_status_label.set_text(self.tr("3-2-1… card in {seconds} s: {title}").format(seconds=seconds, title=title))
            self.card_status_label.setStyleSheet(COUNTDOWN_STYLE)
        else:
            text = self.tr("Card on air: {title}").format(title=title)
            if card.hidden_at_ns is not None:
                left_s = max(0, -(-(card.hidden_at_ns - now_ns) // 1_000_000_000))
                text = self.tr("{text} ({seconds} s left)").format(text=text, seconds=left_s)
            self.card_status_label.set_text(text)
            self.card_status_label.setStyleSheet(CARD_ON_AIR_STYLE)
        if not self.card_timer.isActive():
            self.card_timer.start()

    # -- actions ------------------------------------------------------------------------------------

    def _desk_call(self, call: Callable[[SellingDesk], object]) -> bool:
        """Call the desk if there is one; a refused call goes to `error`, never raised into Qt."""
        if self._desk is None:
            return False
        try:
            call(self._desk)
        except (InputError, RuntimeError, ValueError) as error:
            self.error.emit(str(error))
            return False
        return True

    def run_action(self, action_id: str) -> bool:
        """The selling hotkeys: "product.N" (Nth product of the run sheet), "product.next",
        "product.previous", "link_321", "dismiss_card", "apply_preset", "sold_out". Returns
        whether the action was one of these."""
        kind, _, argument = action_id.partition(".")
        if kind == "product" and argument.isdigit():
            products = self._desk.products if self._desk is not None else []
            number = int(argument)
            if 1 <= number <= len(products):
                self.select_product(products[number - 1].id)
        elif action_id in ("product.next", "product.previous"):
            self._desk_call(lambda desk: desk.step_product(+1 if action_id == "product.next" else -1))
        elif action_id == "link_321":
            self._desk_call(lambda desk: desk.link_321())
        elif action_id == "dismiss_card":
            self._desk_call(lambda desk: desk.dismiss_card())
        elif action_id == "apply_preset":
            self._desk_call(lambda desk: desk.apply_preset())
        elif action_id == "sold_out":
            current = self._desk.current_product if self._desk is not None else None
            if current is not None and self._desk_call(lambda desk: desk.set_sold_out(current.id, not current.sold_out)):
                self.changed.emit()
        else:
            return False
        return True

    def select_product(self, product_id: str) -> None:
        self._desk_call(lambda desk: desk.select_product(product_id))

    def _on_row_clicked(self, item: QListWidgetItem) -> None:
        product_id = item.data(PRODUCT_ID_ROLE)
        current = self._desk.current_product if self._desk is not None else None
        if current is None or current.id != product_id:
            self.select_product(product_id)

    def _on_sold_out_toggled(self, checked: bool) -> None:
        product_id = self._shown_product_id
        if product_id is None:
            return
        if self._desk_call(lambda desk: desk.set_sold_out(product_id, checked)):
            self.changed.emit()
        else:
            self._show_current()

    def _on_stock_changed(self, value: int) -> None:
        product_id = self._shown_product_id
        if product_id is None:
            return
        if self._desk_call(lambda desk: desk.set_stock(product_id, None if value < 0 else value)):
            self.changed.emit()
        else:
            self._show_current()

    def save_look_as_preset(self) -> None:
        desk = self._desk
        if desk is None:
            return
        try:
            preset = desk.save_current_look_as_preset()
        except (InputError, RuntimeError) as error:
            self.error.emit(str(error))
            return
        self.show_notice(self.tr("Look saved: scene {scene}").format(scene=preset.scene or self.tr("(keep current)")))
        self.changed.emit()

    # -- editing the run sheet ----------------------------------------------------------------------

    def make_product_dialog(self, product: Product | None) -> ProductDialog:
        desk = self._desk
        existing = [p.id for p in desk.products] if desk is not None else []
        scenes = desk.engine.scene_names if desk is not None else []
        folder = desk.image_folder if desk is not None else None
        return ProductDialog(product, self, existing_ids=existing, scene_names=scenes, image_folder=folder)

    def exec_dialog(self, dialog: ProductDialog) -> bool:
        """Run the dialog; True when accepted (tests replace this to fill the dialog in)."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def edit_product(self, product_id: str | None) -> bool:
        desk = self._desk
        if desk is None or not product_id:
            return False
        try:
            product = desk.product(product_id)
        except InputError as error:
            self.error.emit(str(error))
            return False
        dialog = self.make_product_dialog(product)
        try:
            if not self.exec_dialog(dialog):
                return False
            edited = dialog.result_product()
        finally:
            dialog.deleteLater()
        return self._store_edit(product_id, edited)

    def add_product(self) -> bool:
        if self._desk is None:
            return False
        dialog = self.make_product_dialog(None)
        try:
            if not self.exec_dialog(dialog):
                return False
            product = dialog.result_product()
        finally:
            dialog.deleteLater()
        return self._store_edit(None, product)

    def _store_edit(self, old_id: str | None, product: Product) -> bool:
        desk = self._desk
        if desk is None:
            return False
        try:
            if old_id is None or old_id == product.id:
                desk.update_product(product)
            else:  # a new id: same place on the run sheet; still current if it was
                current = desk.current_product
                desk.replace_products([product if p.id == old_id else p for p in desk.products])
                if current is not None and current.id == old_id:
                    desk.select_product(product.id)
        except (InputError, RuntimeError) as error:
            self.error.emit(str(error))
            return False
        self.changed.emit()
        return True

    def ask(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton
        return QMessageBox.question(self, title, text, buttons.Yes | buttons.No, buttons.No) == buttons.Yes

    def remove_product(self, product_id: str | None) -> bool:
        desk = self._desk
        if desk is None or not product_id:
            return False
        try:
            product = desk.product(product_id)
        except InputError as error:
            self.error.emit(str(error))
            return False
        if not self.ask(self.tr("Remove product"), self.tr("Remove “{title}” from the run sheet?").format(title=product.title)):
            return False
        if not self._desk_call(lambda desk: desk.replace_products([p for p in desk.products if p.id != product_id])):
            return False
        self.changed.emit()
        return True

    def show_import_report(self, text: str) -> None:
        """The import summary (tests replace this)."""
        QMessageBox.information(self, self.tr("Import products"), text)

    def import_csv(self) -> bool:
        desk = self._desk
        if desk is None:
            return False
        folder = str(desk.image_folder) if desk.image_folder else ""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import products"), folder, self.tr("CSV files (*.csv);;All files (*)"))
        if not path:
            return False
        return self.import_csv_file(Path(path))

    def import_csv_file(self, path: Path) -> bool:
        """Add the file's products at the end of the run sheet; a product whose id is already
        there replaces it in place. Reports what was added, replaced and skipped (by line)."""
        desk = self._desk
        if desk is None:
            return False
        existing = desk.products
        currencies = Counter(p.currency for p in existing)
        currency = currencies.most_common(1)[0][0] if currencies else "CNY"
        try:
            result = import_products_csv(path, currency=currency)
        except (InputError, OSError, ValueError, UnicodeError) as error:
            self.show_import_report(self.tr("Could not import {file}: {problem}").format(file=path.name, problem=error))
            return False
        merged = list(existing)
        position = {p.id: index for index, p in enumerate(merged)}
        added: list[str] = []
        replaced: list[str] = []
        for product in result.products:
            if product.id in position:
                merged[position[product.id]] = product
                if product.id not in added and product.id not in replaced:
                    replaced.append(product.id)
            else:
                position[product.id] = len(merged)
                merged.append(product)
                added.append(product.id)
        if result.products and not self._desk_call(lambda desk: desk.replace_products(merged)):
            return False
        lines = [
            self.tr("{file}: {count} products read, {added} added, {replaced} replaced.").format(
                file=path.name, count=len(result.products), added=len(added), replaced=len(replaced)
            )
        ]
        if replaced:
            lines.append(self.tr("Replaced (same id): {ids}").format(ids=", ".join(replaced)))
        if result.problems:
            lines.append("")
            lines.append(self.tr("{count} rows were skipped:").format(count=len(result.problems)))
            lines.extend(str(problem) for problem in result.problems)
        self.show_import_report("\n".join(lines))
        if result.products:
            self.changed.emit()
        return bool(result.products)
