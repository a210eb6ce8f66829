"""The Products dock (the run sheet) against a real engine and selling desk on a stepped clock:
the test decides when each tick runs, so nothing sleeps; queued desk events are waited for."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from studio.app import build_engine, build_selling_desk
from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import NS_PER_SECOND, SteppedClock
from studio.engine.products import Product
from studio.gui.product_dialog import ProductDialog
from studio.gui.products_panel import (
    CURRENT_ROLE,
    HOTKEY_ROLE,
    PRICE_ROLE,
    PRODUCT_ID_ROLE,
    SOLD_OUT_ROLE,
    STOCK_ROLE,
    ProductsPanel,
)

FPS = 30
DEMO_IDS = ["tee-white", "mug-red", "scarf-silk"]


def tick_ns(tick: int) -> int:
    return tick * NS_PER_SECOND // FPS


class SteppedDesk:
    """A real engine (demo show) whose program runs only as far as the test allows, and its desk."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.show = builtin_show("demo")
        self.clock = SteppedClock()
        self.engine = build_engine(self.show, clock=self.clock)
        self.engine.start()
        self.desk = build_selling_desk(self.engine, self.show, show_reference=None)
        self.tick = 0
        self.qtbot.waitUntil(lambda: self.clock.waiting_for_ns == tick_ns(1), timeout=10_000)

    def run_to(self, tick: int) -> None:
        """Let the program render every tick up to `tick`, and wait until it has."""
        self.clock.allow_until(tick_ns(tick))
        self.qtbot.waitUntil(lambda: self.clock.waiting_for_ns == tick_ns(tick + 1), timeout=10_000)
        self.tick = tick

    def close(self) -> None:
        self.desk.close()
        self.engine.stop()


@pytest.fixture
def studio(qtbot):
    driver = SteppedDesk(qtbot)
    yield driver
    driver.close()


@pytest.fixture
def panel(qtbot, studio):
    panel = ProductsPanel()
    qtbot.addWidget(panel)
    panel.resize(380, 700)
    panel.set_desk(studio.desk)
    yield panel
    panel.set_desk(None)


def row(panel: ProductsPanel, product_id: str):
    item = panel.row_for(product_id)
    assert item is not None, f"no row for {product_id}"
    return item


def click_row(qtbot, panel: ProductsPanel, product_id: str, *, double: bool = False) -> None:
    rect = panel.list.visualItemRect(row(panel, product_id))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    if double:  # as a real double-click: press, release, then the double-click on the same row
        qtbot.mouseDClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_list_shows_each_product_with_price_stock_and_hotkey(panel):
    assert panel.list.count() == 3
    assert [panel.list.item(n).data(PRODUCT_ID_ROLE) for n in range(3)] == DEMO_IDS
    assert [panel.list.item(n).data(STOCK_ROLE) for n in range(3)] == ["50 left", "12 left", "8 left"]
    assert [panel.list.item(n).data(HOTKEY_ROLE) for n in range(3)] == ["F1", "F2", "F3"]
    assert row(panel, "tee-white").data(PRICE_ROLE) == "¥79.00"
    assert row(panel, "tee-white").data(Qt.ItemDataRole.DisplayRole) == "纯棉白T恤 👕 Organic cotton tee"
    assert [panel.list.item(n).data(CURRENT_ROLE) for n in range(3)] == [True, False, False]
    assert not row(panel, "mug-red").data(Qt.ItemDataRole.DecorationRole).isNull()  # its picture
    assert "100% organic cotton, 220 g" in panel.talking_points.toPlainText()
    assert panel.link_button.text() == "3-2-1 Link (L)"

    panel.set_hotkey_texts({"link_321": "F12", "product.2": "Ctrl+2", "product.3": ""})
    assert panel.link_button.text() == "3-2-1 Link (F12)"
    assert [panel.list.item(n).data(HOTKEY_ROLE) for n in range(3)] == ["F1", "Ctrl+2", ""]


def test_a_missing_picture_gets_a_placeholder(panel, studio):
    studio.desk.update_product(Product(id="no-pic", title="No picture", price=Decimal("1.00"), image="products/missing.png"))
    thumbnail = row(panel, "no-pic").data(Qt.ItemDataRole.DecorationRole)
    assert not thumbnail.isNull()


def test_clicking_a_row_selects_the_product_and_its_preset_comes_up_on_preview(panel, studio, qtbot):
    assert studio.engine.preview_scene == "SIDE"
    click_row(qtbot, panel, "mug-red")
    assert studio.desk.current_product.id == "mug-red"
    assert row(panel, "mug-red").data(CURRENT_ROLE) and not row(panel, "tee-white").data(CURRENT_ROLE)
    assert panel.current_title_label.full_text() == "手工陶瓷马克杯 ☕"
    assert "Dishwasher safe" in panel.talking_points.toPlainText()
    assert panel.stock_spin.value() == 12
    studio.run_to(studio.tick + 1)
    assert studio.engine.preview_scene == "DETAIL"


def test_next_and_previous_step_through_the_run_sheet(panel, studio, qtbot):
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert studio.desk.current_product.id == "mug-red"
    qtbot.mouseClick(panel.previous_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.previous_button, Qt.MouseButton.LeftButton)
    assert studio.desk.current_product.id == "scarf-silk"
    assert row(panel, "scarf-silk").data(CURRENT_ROLE)


def test_search_filters_by_title_or_id(panel):
    panel.search_edit.setText("围巾")
    assert panel.visible_product_ids() == ["scarf-silk"]
    panel.search_edit.setText("MUG")
    assert panel.visible_product_ids() == ["mug-red"]
    panel.search_edit.setText("organic COTTON")
    assert panel.visible_product_ids() == ["tee-white"]
    panel.search_edit.setText("nothing like this")
    assert panel.visible_product_ids() == []
    panel.search_edit.clear()
    assert panel.visible_product_ids() == DEMO_IDS


def test_the_321_button_pops_the_card_and_pushes_the_link_once(panel, studio, qtbot):
    pushes = []

    def on_push(push):  # program thread
        pushes.append(push)

    studio.desk.events.link_pushed.connect(on_push)
    studio.run_to(5)
    start_tick = studio.tick + 1
    qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    # The card is scheduled (by the desk's worker) for three seconds after the next tick.
    qtbot.waitUntil(lambda: "3-2-1" in panel.card_status_label.full_text(), timeout=10_000)
    assert studio.desk.card_on_air is not None and studio.desk.card_on_air.shown_at_ns == tick_ns(start_tick + 90)
    studio.run_to(start_tick + 89)
    assert pushes == []
    studio.run_to(start_tick + 92)
    assert len(pushes) == 1
    assert pushes[0].product_id == "tee-white" and pushes[0].tick == start_tick + 90
    assert studio.desk.card_on_air.product_id == "tee-white"
    qtbot.waitUntil(lambda: panel.notice_label.full_text().startswith("Link pushed"), timeout=5000)
    panel.refresh_card_state()
    assert panel.card_status_label.full_text().startswith("Card on air: 纯棉白T恤")

    qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    assert studio.desk.card_on_air is None
    qtbot.waitUntil(lambda: panel.card_status_label.full_text() == "No card on air", timeout=5000)
    studio.run_to(studio.tick + 5)
    assert len(pushes) == 1
    studio.desk.events.link_pushed.disconnect(on_push)


def test_sold_out_toggle_marks_the_product_and_the_row(panel, studio, qtbot):
    with qtbot.waitSignal(panel.changed, timeout=1000):
        qtbot.mouseClick(panel.sold_out_button, Qt.MouseButton.LeftButton)
    assert studio.desk.product("tee-white").sold_out is True
    assert row(panel, "tee-white").data(STOCK_ROLE) == "SOLD OUT"
    assert row(panel, "tee-white").data(SOLD_OUT_ROLE) is True
    assert panel.sold_out_button.isChecked()
    qtbot.mouseClick(panel.sold_out_button, Qt.MouseButton.LeftButton)
    assert studio.desk.product("tee-white").sold_out is False
    assert row(panel, "tee-white").data(STOCK_ROLE) == "50 left"


def test_the_stock_box_changes_the_stock(panel, studio, qtbot):
    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.stock_spin.setValue(7)
    assert studio.desk.product("tee-white").stock == 7
    assert row(panel, "tee-white").data(STOCK_ROLE) == "7 left"
    panel.stock_spin.setValue(0)
    assert row(panel, "tee-white").data(STOCK_ROLE) == "SOLD OUT"
    panel.stock_spin.setValue(-1)  # "not shown"
    assert studio.desk.product("tee-white").stock is None
    assert row(panel, "tee-white").data(STOCK_ROLE) == ""


def test_a_change_made_on_another_thread_reaches_the_list(panel, studio, qtbot):
    worker = threading.Thread(target=lambda: studio.desk.set_stock("mug-red", 3))
    worker.start()
    worker.join(timeout=10)
    qtbot.waitUntil(lambda: row(panel, "mug-red").data(STOCK_ROLE) == "3 left", timeout=5000)


def test_the_edit_dialog_refuses_a_bad_price_and_saves_a_good_edit(panel, studio, qtbot, monkeypatch):
    seen = {}

    def fill_in(dialog: ProductDialog) -> bool:
        seen["id"] = dialog.id_edit.text()
        dialog.price_edit.setText("12.345")
        assert dialog.try_accept() is False
        seen["error"] = dialog.error_text()
        dialog.price_edit.setText("free")
        assert dialog.try_accept() is False
        seen["error2"] = dialog.error_text()
        dialog.title_edit.setText("限量马克杯 🎁 Gift mug")
        dialog.price_edit.setText("88.50")
        assert dialog.try_accept() is True
        return True

    monkeypatch.setattr(panel, "exec_dialog", fill_in)
    with qtbot.waitSignal(panel.changed, timeout=1000):
        click_row(qtbot, panel, "mug-red", double=True)
    assert seen["id"] == "mug-red"
    assert seen["error"].startswith("Price:") and "decimal places" in seen["error"]
    assert seen["error2"].startswith("Price:") and "free" in seen["error2"]
    edited = studio.desk.product("mug-red")
    assert edited.title == "限量马克杯 🎁 Gift mug" and edited.price == Decimal("88.50")
    assert edited.preset.scene == "DETAIL" and edited.stock == 12  # untouched fields are kept
    assert row(panel, "mug-red").data(Qt.ItemDataRole.DisplayRole) == "限量马克杯 🎁 Gift mug"
    assert [p.id for p in studio.desk.products] == DEMO_IDS


def test_the_product_dialog_checks_ids_and_links_and_fits_a_small_screen(panel, studio, qtbot):
    dialog = ProductDialog(None, panel, existing_ids=DEMO_IDS, scene_names=studio.engine.scene_names)
    qtbot.addWidget(dialog)
    dialog.id_edit.setText("mug-red")
    dialog.title_edit.setText("Another mug")
    dialog.price_edit.setText("10")
    assert dialog.try_accept() is False
    assert dialog.error_text().startswith("ID:") and "mug-red" in dialog.error_text()
    dialog.id_edit.setText("mug-blue")
    dialog.link_edit.setText("shop.example.com/mug-blue")
    assert dialog.try_accept() is False
    assert dialog.error_text().startswith("Link URL:")
    dialog.link_edit.setText("https://shop.example.com/mug-blue")
    dialog.scene_combo.setCurrentIndex(dialog.scene_combo.findData("DETAIL"))
    dialog.corner_combo.setCurrentIndex(dialog.corner_combo.findData("top_left"))
    dialog.points_edit.setPlainText("Blue glaze\n\n  Gift box  \n")
    assert dialog.try_accept() is True
    product = dialog.result_product()
    assert product.id == "mug-blue" and product.price == Decimal("10") and product.stock is None
    assert product.talking_points == ["Blue glaze", "Gift box"]
    assert product.preset.scene == "DETAIL" and product.preset.card_corner.value == "top_left"
    assert dialog.width() <= 1366 and dialog.height() <= 768 - 40


def test_add_and_remove_ask_and_change_the_run_sheet(panel, studio, qtbot, monkeypatch):
    def fill_in(dialog: ProductDialog) -> bool:
        dialog.id_edit.setText("socks")
        dialog.title_edit.setText("Wool socks 羊毛袜")
        dialog.price_edit.setText("29.90")
        dialog.stock_spin.setValue(0)
        return dialog.try_accept()

    monkeypatch.setattr(panel, "exec_dialog", fill_in)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert [p.id for p in studio.desk.products] == [*DEMO_IDS, "socks"]
    assert row(panel, "socks").data(STOCK_ROLE) == "SOLD OUT"
    assert row(panel, "socks").data(HOTKEY_ROLE) == "F4"

    asked = []
    answers = iter([False, True])

    def ask(title: str, text: str) -> bool:
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(panel, "ask", ask)
    click_row(qtbot, panel, "socks")
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert "Wool socks 羊毛袜" in asked[0]
    assert [p.id for p in studio.desk.products] == [*DEMO_IDS, "socks"]  # answered no
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert [p.id for p in studio.desk.products] == DEMO_IDS
    assert panel.list.count() == 3


def test_csv_import_adds_the_good_rows_and_reports_the_bad_line(panel, studio, qtbot, tmp_path, monkeypatch):
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "id,title,price,stock\n"
        "hat-wool,羊毛帽 Wool hat,49.00,20\n"
        "bad-row,Broken,abc,3\n"
        "tee-white,纯棉白T恤 v2,69.00,40\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(csv_file), ""))
    reports = []
    monkeypatch.setattr(panel, "show_import_report", reports.append)
    with qtbot.waitSignal(panel.changed, timeout=1000):
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    assert [p.id for p in studio.desk.products] == [*DEMO_IDS, "hat-wool"]
    assert studio.desk.product("tee-white").price == Decimal("69.00")  # same id: replaced in place
    assert row(panel, "hat-wool").data(STOCK_ROLE) == "20 left"
    assert len(reports) == 1
    report = reports[0]
    assert "line 3:" in report and "price" in report.lower()
    assert "1 added" in report and "1 replaced" in report and "tee-white" in report


def test_the_panel_draws_with_its_card_preview(panel, qtbot):
    panel.show()
    qtbot.waitUntil(panel.card_preview_ready, timeout=10_000)
    picture = panel.grab()
    assert not picture.isNull() and picture.width() == 380 and picture.height() == 700
    card = panel.card_preview.pixmap().toImage()
    assert card.width() > 20 and card.height() > 20
    colours = {card.pixel(x, y) for x in range(0, card.width(), 3) for y in range(0, card.height(), 3)}
    assert len(colours) > 20  # a picture, not an empty box


def test_set_desk_none_disconnects(panel, studio, qtbot):
    errors = []
    panel.error.connect(errors.append)
    events = studio.desk.events
    connected = len(events.products_changed)
    panel.set_desk(None)
    assert len(events.products_changed) == connected - 1
    assert panel.list.count() == 0 and not panel.link_button.isEnabled()

    def fire() -> None:
        events.products_changed.emit()
        events.current_product_changed.emit("mug-red")
        events.card_changed.emit(None)
        events.error.emit("after detaching")

    fire()
    worker = threading.Thread(target=fire)
    worker.start()
    worker.join(timeout=10)
    studio.desk.set_stock("mug-red", 1)
    QApplication.processEvents()  # deliver anything (wrongly) queued by the worker thread
    assert errors == [] and panel.list.count() == 0

    panel.set_desk(studio.desk)  # and back
    assert panel.list.count() == 3 and row(panel, "mug-red").data(STOCK_ROLE) == "1 left"
