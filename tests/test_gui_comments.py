"""The Comments dock against a small fake comment desk with the real store and moderation:
comments arrive from other threads (as the real desk's do); nothing sleeps, queued events are
waited for with qtbot.waitUntil."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from psygnal import Signal
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtWidgets import QApplication, QLabel

from studio.comments.message import Comment, CommentKind
from studio.comments.moderation import Moderator
from studio.comments.store import CommentStore, StoredComment
from studio.engine.comment_settings import CommentSettings
from studio.engine.errors import InputError
from studio.gui.comments_panel import (
    DRAIN_MS,
    HIDDEN_ROLE,
    INTENTS_ROLE,
    KIND_ROLE,
    MAX_ROWS,
    PINNED_ROLE,
    PRODUCT_ROLE,
    REASON_ROLE,
    ROWID_ROLE,
    USER_ROLE,
    CommentInbox,
    CommentsPanel,
)

TITLES = ["纯棉白T恤 👕 Organic cotton tee", "手工陶瓷马克杯 ☕", "真丝围巾 Silk scarf"]
WAIT_MS = 10_000


class FakeDeskEvents:
    comments_added = Signal(object)
    counts_changed = Signal()


class FakeDesk:
    """The comment desk's API (studio/comments/comment_desk.py), backed by a real CommentStore
    and the real moderation rules; records what the panel asked of it."""

    def __init__(self, path) -> None:
        self.store = CommentStore(path)
        self.events = FakeDeskEvents()
        self.moderator = Moderator(CommentSettings(), len(TITLES))
        self.pins: list[int] = []
        self.unpins = 0
        self.blocks: list[tuple[str, str]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def comment(self, user: str, text: str, *, platform: str = "douyin", kind: str = "comment") -> Comment:
        return Comment(
            id=f"m{next(self._ids)}", platform=platform, user=user, text=text, kind=CommentKind(kind), ts=time.time()
        )

    def ingest(self, comments: list[Comment]) -> list[StoredComment]:
        verdicts = [self.moderator.classify(comment) for comment in comments]
        with self._lock:
            stored = self.store.add_many(comments, verdicts)
        new = [item for item in stored if not item.duplicate]
        if new:
            self.events.comments_added.emit(new)
            self.events.counts_changed.emit()
        return new

    def say(self, *messages: tuple[str, str], **fields) -> list[StoredComment]:
        return self.ingest([self.comment(user, text, **fields) for user, text in messages])

    def pin_comment(self, rowid: int) -> None:
        if self.store.get_by_rowid(rowid) is None:
            raise InputError(f"no stored comment {rowid}", field="comment")
        self.pins.append(rowid)

    def unpin(self) -> None:
        self.unpins += 1

    def block_user(self, platform: str, user: str) -> int:
        self.blocks.append((platform, user))
        count = self.store.hide_user(platform, user, f"blocked user '{user}'")
        self.events.counts_changed.emit()
        return count

    def product_titles(self) -> list[str]:
        return list(TITLES)

    def close(self) -> None:
        self.store.close()


def on_another_thread(work) -> None:
    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()


@pytest.fixture
def desk(tmp_path):
    fake = FakeDesk(tmp_path / "comments.sqlite")
    yield fake
    fake.close()


@pytest.fixture
def panel(qtbot, desk):
    panel = CommentsPanel()
    qtbot.addWidget(panel)
    panel.resize(340, 720)
    panel.show()
    panel.set_desk(desk)
    qtbot.waitUntil(lambda: not panel.is_loading(), timeout=WAIT_MS)
    yield panel
    panel.set_desk(None)


def texts(panel: CommentsPanel) -> list[str]:
    model = panel.model
    return [model.index(row).data(Qt.ItemDataRole.DisplayRole) for row in range(model.rowCount())]


def rows_of(panel: CommentsPanel, user: str) -> list[QModelIndex]:
    model = panel.model
    return [model.index(row) for row in range(model.rowCount()) if model.index(row).data(USER_ROLE) == user]


def click_row(qtbot, panel: CommentsPanel, index: QModelIndex) -> None:
    panel.list.scrollTo(index)
    rect = panel.list.visualRect(index)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# -- the feed ----------------------------------------------------------------------------------------


def test_comments_from_another_thread_appear_newest_at_the_bottom(panel, desk, qtbot):
    assert panel.model.rowCount() == 0 and panel.empty_label.isVisible()
    on_another_thread(lambda: desk.say(("小美", "3号多少钱？"), ("Tom", "what sizes?")))
    on_another_thread(lambda: desk.say(("王阿姨", "想要2号"), platform="kuaishou"))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=WAIT_MS)
    assert texts(panel) == ["3号多少钱？", "what sizes?", "想要2号"]
    newest = panel.model.index(2)
    assert newest.data(USER_ROLE) == "王阿姨" and newest.data(KIND_ROLE) == "comment"
    assert newest.data(PRODUCT_ROLE) == 2 and "buy" in newest.data(INTENTS_ROLE)
    assert panel.model.index(0).data(PRODUCT_ROLE) == 3 and "price" in panel.model.index(0).data(INTENTS_ROLE)
    assert not panel.empty_label.isVisible()


def test_markup_in_comments_is_shown_literally(panel, desk, qtbot):
    raw = "<b>FREE</b> <img src=x onerror=alert(1)> &amp; <a href='http://evil'>link</a>"
    user = "<i>eve</i>"
    on_another_thread(lambda: desk.say((user, raw)))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    index = panel.model.index(0)
    assert index.data(Qt.ItemDataRole.DisplayRole) == raw
    assert index.data(USER_ROLE) == user
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert raw in tooltip and user in tooltip
    assert not QtGui_Qt.mightBeRichText(tooltip)  # shown as typed, not interpreted
    for label in panel.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName() or label.text()
    assert not panel.grab().isNull()  # the delegate paints it


def test_a_burst_of_5000_keeps_the_model_bounded_and_the_gui_responsive(panel, desk, qtbot):
    batches = [
        [desk.comment(f"viewer{n % 97}", f"comment {n} 想要{n % 3 + 1}号") for n in range(start, start + 50)]
        for start in range(0, 5000, 50)
    ]
    done = threading.Event()

    def burst() -> None:
        for batch in batches:
            desk.ingest(batch)
        done.set()

    # The GUI's work per turn is bounded by what it takes in at once: never more than the model
    # holds, however big the burst (a count, not a wall-clock figure).
    taken_at_once: list[int] = []
    append = panel.model.append
    panel.model.append = lambda items: (taken_at_once.append(len(items)), append(items))[1]
    drains_before = panel.drains
    began = time.perf_counter()
    worker = threading.Thread(target=burst)
    worker.start()
    while not done.is_set():  # the GUI thread keeps turning while the burst runs
        QApplication.processEvents()
        qtbot.waitUntil(lambda: True, timeout=50)
    worker.join(timeout=60)
    qtbot.waitUntil(lambda: panel.model.rowCount() and texts(panel)[-1].startswith("comment 4999 "), timeout=WAIT_MS)
    elapsed = time.perf_counter() - began
    assert panel.model.rowCount() == MAX_ROWS
    assert texts(panel)[0].startswith(f"comment {5000 - MAX_ROWS} ")  # the newest MAX_ROWS, in order
    assert taken_at_once and max(taken_at_once) <= MAX_ROWS
    # Batches were coalesced: the GUI took comments in at most every DRAIN_MS, not per batch.
    assert panel.drains - drains_before <= elapsed / (DRAIN_MS / 1000) + 2
    assert panel.is_following()

    # One huge batch, too.
    big = [desk.comment("big", f"big {n}") for n in range(5000)]
    on_another_thread(lambda: desk.ingest(big))
    qtbot.waitUntil(lambda: texts(panel)[-1] == "big 4999", timeout=WAIT_MS)
    assert panel.model.rowCount() == MAX_ROWS
    assert max(taken_at_once) <= MAX_ROWS  # 5,000 in one batch: still at most a model's worth at once
    # The counters follow (read from the store on the worker).
    qtbot.waitUntil(lambda: panel.counts().get((1, "buy"), 0) == 1667, timeout=WAIT_MS)


def test_the_inbox_is_bounded_and_wakes_the_gui_once_per_drain():
    wakes = []
    inbox = CommentInbox(100, lambda: wakes.append(1))
    for start in range(0, 1000, 10):
        inbox.add(list(range(start, start + 10)))
    inbox.mark_counts_changed()
    assert len(wakes) == 1
    items, counts_dirty = inbox.drain()
    assert items == list(range(900, 1000)) and counts_dirty
    assert inbox.dropped == 900 and inbox.received == 1000
    inbox.add([1])
    assert len(wakes) == 2
    inbox.close()
    inbox.add([2])
    assert inbox.drain() == ([], False) and len(wakes) == 2


def test_scrolling_up_pauses_the_feed_until_the_newest_are_asked_for(panel, desk, qtbot):
    desk.say(*[(f"u{n}", f"first {n} " + "很长的评论 " * (n % 4)) for n in range(60)])
    qtbot.waitUntil(lambda: panel.model.rowCount() == 60, timeout=WAIT_MS)
    bar = panel.list.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=WAIT_MS)
    bar.setValue(0)  # the host scrolls up to read
    assert not panel.is_following()
    desk.say(("late", "arrived while reading"))
    qtbot.waitUntil(lambda: panel.new_below_button.isVisible(), timeout=WAIT_MS)
    assert panel.model.rowCount() == 60 and bar.value() == 0  # nothing moved under the reader
    assert "1" in panel.new_below_button.text()
    qtbot.mouseClick(panel.new_below_button, Qt.MouseButton.LeftButton)
    assert texts(panel)[-1] == "arrived while reading"
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=WAIT_MS)
    assert panel.is_following() and not panel.new_below_button.isVisible()

    # A click on a comment holds the feed too, so the row does not run away before Pin.
    chosen = panel.model.index(panel.model.rowCount() - 2)
    click_row(qtbot, panel, chosen)
    assert not panel.is_following() and panel.status_label.text().startswith("Paused")
    desk.say(("later", "while choosing"))
    qtbot.waitUntil(lambda: panel.new_below_button.isVisible(), timeout=WAIT_MS)
    assert texts(panel)[-1] == "arrived while reading"
    qtbot.mouseClick(panel.pin_button, Qt.MouseButton.LeftButton)  # acting on it lets the feed go on
    assert desk.pins == [chosen.data(ROWID_ROLE)]
    assert panel.is_following() and texts(panel)[-1] == "while choosing"


# -- search and filters ------------------------------------------------------------------------------


def test_search_and_filters_query_the_store(panel, desk, qtbot):
    desk.say(("Unicorn fan", "an old comment about the UNICORN mug"))
    desk.say(*[(f"v{n}", f"filler {n}") for n in range(MAX_ROWS + 100)])
    desk.say(("小美", "2号多少钱"), ("Tom", "how much is #2?"))
    desk.ingest([desk.comment("buyer", "", kind="order"), desk.comment("fan", "", kind="like")])
    qtbot.waitUntil(lambda: panel.model.rowCount() == MAX_ROWS and texts(panel)[-1] == "", timeout=WAIT_MS)
    assert "an old comment about the UNICORN mug" not in texts(panel)  # only in the store now

    panel.search_edit.setText("unicorn")
    qtbot.waitUntil(lambda: not panel.is_loading() and texts(panel) == ["an old comment about the UNICORN mug"], timeout=WAIT_MS)
    panel.search_edit.setText("小美")  # a user name, beyond ASCII
    qtbot.waitUntil(lambda: not panel.is_loading() and texts(panel) == ["2号多少钱"], timeout=WAIT_MS)
    panel.search_edit.clear()
    panel.apply_filters()

    panel.product_combo.setCurrentIndex(panel.product_combo.findData(2))
    panel.intent_combo.setCurrentIndex(panel.intent_combo.findData("price"))
    qtbot.waitUntil(lambda: not panel.is_loading() and texts(panel) == ["2号多少钱", "how much is #2?"], timeout=WAIT_MS)
    # A new comment that matches the filter joins the result; one that does not stays out.
    desk.say(("Ann", "price of 2号?"), ("Bob", "hello"))
    qtbot.waitUntil(lambda: texts(panel)[-1] == "price of 2号?", timeout=WAIT_MS)
    assert "hello" not in texts(panel)

    panel.product_combo.setCurrentIndex(0)
    panel.intent_combo.setCurrentIndex(0)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("order"))
    qtbot.waitUntil(lambda: not panel.is_loading() and [i.data(USER_ROLE) for i in rows_of(panel, "buyer")] == ["buyer"], timeout=WAIT_MS)
    assert panel.model.rowCount() == 1 and panel.model.index(0).data(KIND_ROLE) == "order"
    panel.kind_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not panel.is_loading() and panel.model.rowCount() == MAX_ROWS, timeout=WAIT_MS)
    assert texts(panel)[-1] == "hello"


def test_intent_counters_per_product_refresh_from_the_store(panel, desk, qtbot):
    desk.say(("a", "想要1号"), ("b", "1号多少钱"), ("c", "#1 how much"), ("d", "link pls"), ("e", "3号还有吗"))
    qtbot.waitUntil(lambda: panel.counts().get((1, "price"), 0) == 2, timeout=WAIT_MS)
    text = panel.counts_text()
    first, third, none = text.splitlines()
    assert first.startswith("#1 纯棉白T恤") and "Buy 1" in first and "Price 2" in first and "All 3" in first
    assert third.startswith("#3 真丝围巾") and "Stock 1" in third
    assert none.startswith("No product named") and "Link 1" in none
    # A click on a count shows those comments.
    row = next(r for r in range(panel.counts_table.rowCount()) if panel.counts_table.item(r, 0).text().startswith("#1"))
    column = next(c for c in range(panel.counts_table.columnCount()) if panel.counts_table.horizontalHeaderItem(c).text() == "Price")
    panel.counts_table.cellClicked.emit(row, column)
    qtbot.waitUntil(lambda: not panel.is_loading() and texts(panel) == ["1号多少钱", "#1 how much"], timeout=WAIT_MS)


# -- pin and block -----------------------------------------------------------------------------------


def test_pin_calls_the_desk_with_the_selected_comment(panel, desk, qtbot):
    stored = desk.say(("小美", "主播试穿一下"), ("Tom", "pin me"))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=WAIT_MS)
    assert not panel.pin_button.isEnabled()  # nothing selected
    click_row(qtbot, panel, panel.model.index(1))
    assert panel.pin_button.isEnabled()
    qtbot.mouseClick(panel.pin_button, Qt.MouseButton.LeftButton)
    assert desk.pins == [stored[1].rowid]
    assert panel.model.index(1).data(PINNED_ROLE) and not panel.model.index(0).data(PINNED_ROLE)
    assert panel.unpin_button.isEnabled()
    qtbot.mouseClick(panel.unpin_button, Qt.MouseButton.LeftButton)
    assert desk.unpins == 1 and not panel.model.index(1).data(PINNED_ROLE)

    # The desk refusing (an unknown comment) is reported, not raised.
    desk.store.close()
    desk.store = CommentStore(desk.store.path.with_name("other.sqlite"))
    with qtbot.waitSignal(panel.error, timeout=1000) as blocker:
        panel.pin_selected()
    assert "no stored comment" in blocker.args[0]
    assert desk.pins == [stored[1].rowid]


def test_block_user_calls_the_desk_and_greys_their_rows(panel, desk, qtbot, monkeypatch):
    desk.say(("troll", "spam spam"), ("小美", "好看"), ("troll", "more spam"))
    desk.say(("troll", "other platform"), platform="kuaishou")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=WAIT_MS)
    asked = []
    monkeypatch.setattr(panel, "ask", lambda title, text: asked.append(text) or True)
    click_row(qtbot, panel, panel.model.index(0))
    with qtbot.waitSignal(panel.changed, timeout=1000):
        qtbot.mouseClick(panel.block_button, Qt.MouseButton.LeftButton)
    assert desk.blocks == [("douyin", "troll")]
    assert "troll" in asked[0]
    hidden = [panel.model.index(row).data(HIDDEN_ROLE) for row in range(4)]
    assert hidden == [True, False, True, False]  # the same name on another platform is someone else
    assert panel.model.index(0).data(REASON_ROLE) == "blocked user 'troll'"
    assert not panel.pin_button.isEnabled()  # a hidden comment cannot be pinned
    assert panel.block_button.isEnabled()
    # Their rows got taller (a line with the reason) and are painted without trouble.
    assert panel.list.visualRect(panel.model.index(0)).height() > panel.list.visualRect(panel.model.index(1)).height()
    assert not panel.list.viewport().grab().isNull()


# -- life cycle --------------------------------------------------------------------------------------


def test_set_desk_none_disconnects_cleanly_and_a_desk_can_come_back(panel, desk, qtbot):
    desk.say(("a", "before"))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    assert len(desk.events.comments_added) == 1 and len(desk.events.counts_changed) == 1
    panel.set_desk(None)
    assert len(desk.events.comments_added) == 0 and len(desk.events.counts_changed) == 0
    assert panel.model.rowCount() == 0 and not panel.search_edit.isEnabled()
    assert not panel.pin_button.isEnabled() and not panel.block_button.isEnabled()
    on_another_thread(lambda: desk.say(("b", "while away")))
    panel.drain()
    QApplication.processEvents()
    assert panel.model.rowCount() == 0
    panel.set_desk(desk)  # back: the feed is read from the store
    qtbot.waitUntil(lambda: texts(panel) == ["before", "while away"], timeout=WAIT_MS)


def test_the_panel_fits_a_340_px_dock(panel, desk, qtbot):
    desk.say(
        ("小红薯🍠Lily", "想要3号!!🔥🔥 这个颜色太好看了 what sizes do you have? 还有M码吗😍" * 3),
        ("tom_b", "how much is the mug?"),
    )
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=WAIT_MS)
    assert panel.minimumSizeHint().width() <= 340
    panel.resize(340, 600)
    QApplication.processEvents()
    for button in (panel.pin_button, panel.unpin_button, panel.block_button):
        assert button.width() >= button.minimumSizeHint().width()
        assert button.geometry().right() <= panel.width()
    long_row = panel.list.visualRect(panel.model.index(0))
    assert long_row.height() > panel.list.visualRect(panel.model.index(1)).height()  # wrapped, 4 lines at most
    assert long_row.height() < 8 * panel.fontMetrics().lineSpacing()
