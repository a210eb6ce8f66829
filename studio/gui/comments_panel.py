"""The Comments dock: the live feed of viewer messages, filters, pin and block, intent counters.

    [ Search comments (text or user)        ]
    [All kinds ▾] [Any intent ▾] [Any product ▾]
    ┌─────────────────────────────────────────┐
    │ 小美  [Order] #3 Buy           12:03:41 │  newest at the bottom; follows new comments
    │ 3号还有M码吗                             │  unless scrolled up ("⬇ 12 new comments")
    │ ...                                     │
    └─────────────────────────────────────────┘
    Live · 2,000 shown                 [Pin] [Unpin] [Block user]
    Intent by product
    ┌──────────────┬────┬─────┬────┬─────┬────┬───┐
    │ #1 纯棉白T恤   │ 12 │  3  │  1 │     │  4 │ 9 │
    └──────────────┴────┴─────┴────┴─────┴────┴───┘

Comments are untrusted text: every row is drawn by a delegate with QPainter.drawText (plain
text: `<b>` stays `<b>`), labels that may show user text are PlainText, and tooltips start with
a line of our own, so Qt never takes them for rich text.

Bursts: the desk fires `events.comments_added` on its ingesting thread, possibly thousands of
times a second. The handler only appends to a bounded deque (`CommentInbox`) and, the first
time after a drain, wakes the GUI thread with a queued Qt signal; the GUI drains the inbox on a
~100 ms timer, so the GUI handles at most ten batches a second whatever the rate. The feed model
keeps the newest MAX_ROWS rows; older comments stay in the store, and the search box and filters
query the store (`store.recent`) on a worker thread. Intent counters are read from the store
on the same worker, at most every COUNTS_MS.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.engine.errors import InputError
from studio.engine.graphics.comment_card import base_direction

log = logging.getLogger(__name__)

MAX_ROWS = 2000  # rows in the feed; older comments stay in the store (search reaches them)
DRAIN_MS = 100  # how often at most the GUI takes in new comments
COUNTS_MS = 300  # how often at most the intent counters are read again
SEARCH_DELAY_MS = 250  # typing pauses this long before the store is asked
TEXT_LINES = 4  # lines of a comment's text in its row; the rest is in the tooltip
TOOLTIP_CHARS = 1500

ROWID_ROLE = Qt.ItemDataRole.UserRole
USER_ROLE = Qt.ItemDataRole.UserRole + 1
PLATFORM_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_ROLE = Qt.ItemDataRole.UserRole + 3
INTENTS_ROLE = Qt.ItemDataRole.UserRole + 4
PRODUCT_ROLE = Qt.ItemDataRole.UserRole + 5
HIDDEN_ROLE = Qt.ItemDataRole.UserRole + 6
REASON_ROLE = Qt.ItemDataRole.UserRole + 7
TIME_ROLE = Qt.ItemDataRole.UserRole + 8
PINNED_ROLE = Qt.ItemDataRole.UserRole + 9
STORED_ROLE = Qt.ItemDataRole.UserRole + 10

KINDS = ("comment", "like", "gift", "order", "follow")
DEFAULT_INTENTS = ("buy", "price", "size", "stock", "link")
PRODUCT_INTENT = "product"  # studio.comments.moderation.PRODUCT_INTENT: names a product number

ACCENT = QColor(255, 59, 92)  # the overlays' brand red-pink: the pinned comment
HIDDEN_TEXT = QColor(112, 112, 120)
KIND_COLOURS = {
    "like": QColor(236, 72, 128),
    "gift": QColor(230, 170, 40),
    "order": QColor(60, 180, 100),
    "follow": QColor(70, 150, 230),
}
INTENT_COLOUR = QColor(150, 130, 230)
PRODUCT_COLOUR = QColor(255, 138, 31)  # the selling accent of the Products dock
USER_COLOURS = tuple(
    QColor(c)
    for c in ("#ff7a7a", "#f48fb1", "#ce93d8", "#9fa8da", "#81d4fa", "#80cbc4", "#a5d6a7", "#ffcc80", "#bcaaa4")
)
NEW_BELOW_STYLE = (
    "QPushButton { background: #3478c8; color: white; font-weight: bold; padding: 4px 12px;"
    " border: none; border-radius: 11px; }"
    "QPushButton:hover { background: #4088d8; }"
)


def user_colour(platform: str, user: str) -> QColor:
    """A stable colour per viewer, readable on the dark theme."""
    return USER_COLOURS[zlib.crc32(f"{platform}:{user}".encode("utf-8", "replace")) % len(USER_COLOURS)]


def _kind_value(kind: object) -> str:
    return str(getattr(kind, "value", kind))


# -- the worker side ------------------------------------------------------------------------------


class CommentInbox:
    """Where batches from the desk's threads wait for the GUI: a bounded deque (the newest
    `capacity` comments; older ones are in the store anyway) and a "counts changed" flag. The
    first arrival after a drain calls `wake` (which must be cheap and thread-safe: a queued Qt
    signal); later ones only append until the GUI drains."""

    def __init__(self, capacity: int, wake: Callable[[], None]) -> None:
        self._lock = threading.Lock()
        self._items: deque = deque(maxlen=capacity)
        self._capacity = capacity
        self._counts_dirty = False
        self._woken = False
        self._closed = False
        self._wake = wake
        self.received = 0
        self.dropped = 0  # fell out of the deque before a drain (still in the store)

    def add(self, batch: Iterable) -> None:
        items = list(batch) if not isinstance(batch, list) else batch
        if not items:
            return
        with self._lock:
            if self._closed:
                return
            self.received += len(items)
            overflow = len(self._items) + len(items) - self._capacity
            if overflow > 0:
                self.dropped += overflow
            self._items.extend(items[-self._capacity :])
            wake = not self._woken
            self._woken = True
        if wake:
            self._call_wake()

    def mark_counts_changed(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._counts_dirty = True
            wake = not self._woken
            self._woken = True
        if wake:
            self._call_wake()

    def _call_wake(self) -> None:
        try:
            self._wake()
        except RuntimeError:  # the panel is gone while the desk still runs
            pass

    def drain(self) -> tuple[list, bool]:
        """(new comments in arrival order, whether the counts changed); re-arms the wake-up."""
        with self._lock:
            items = list(self._items)
            self._items.clear()
            counts_dirty, self._counts_dirty = self._counts_dirty, False
            self._woken = False
        return items, counts_dirty

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._items.clear()


# -- filters ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedFilter:
    search: str = ""
    kind: str | None = None
    intent: str | None = None
    product_number: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.search) or self.kind is not None or self.intent is not None or self.product_number is not None

    def store_arguments(self) -> dict:
        return {
            "search": self.search or None,
            "kind": self.kind,
            "intent": self.intent,
            "product_number": self.product_number,
        }

    def matches(self, stored) -> bool:
        """The store's filter, for comments arriving while it is active."""
        comment, verdict = stored.comment, stored.verdict
        if self.kind is not None and _kind_value(comment.kind) != self.kind:
            return False
        if self.intent is not None and self.intent not in verdict.intents:
            return False
        if self.product_number is not None and verdict.product_number != self.product_number:
            return False
        if self.search:
            needle = _fold(self.search)
            return needle in _fold(comment.text) or needle in _fold(comment.user)
        return True


def _fold(text: str) -> str:
    try:
        from studio.comments.moderation import fold
    except ImportError:  # pragma: no cover - the comments package is part of the studio
        return text.casefold()
    return fold(text)


# -- the model -------------------------------------------------------------------------------------


class CommentFeedModel(QAbstractListModel):
    """The newest comments, oldest first (newest at the bottom, as in chat apps), at most
    `max_rows`. Rows are StoredComment objects; DisplayRole is the raw text."""

    def __init__(self, parent: QObject | None = None, max_rows: int = MAX_ROWS) -> None:
        super().__init__(parent)
        self.max_rows = max_rows
        self._rows: list = []
        self._rowids: set[int] = set()
        self.pinned_rowid: int | None = None
        self.labels: dict[str, str] = {}

    # Qt API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        stored = self._rows[index.row()]
        comment, verdict = stored.comment, stored.verdict
        if role == Qt.ItemDataRole.DisplayRole:
            return comment.text
        if role == ROWID_ROLE:
            return stored.rowid
        if role == USER_ROLE:
            return comment.user
        if role == PLATFORM_ROLE:
            return comment.platform
        if role == KIND_ROLE:
            return _kind_value(comment.kind)
        if role == INTENTS_ROLE:
            return sorted(verdict.intents)
        if role == PRODUCT_ROLE:
            return verdict.product_number
        if role == HIDDEN_ROLE:
            return bool(verdict.hidden)
        if role == REASON_ROLE:
            return verdict.reason or ""
        if role == TIME_ROLE:
            return _time_text(stored)
        if role == PINNED_ROLE:
            return stored.rowid == self.pinned_rowid
        if role == STORED_ROLE:
            return stored
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(stored)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{comment.user}: {comment.text}"
        return None

    def _tooltip(self, stored) -> str:
        comment, verdict = stored.comment, stored.verdict
        # The first line is ours (time, platform, kind): Qt only looks there for rich text, so
        # whatever the user wrote below is shown as typed.
        first = f"{_time_text(stored)} · {comment.platform} · {self.labels.get(_kind_value(comment.kind), _kind_value(comment.kind))}"
        lines = [first.replace("<", "‹").replace("&", "＆"), comment.user, comment.text[:TOOLTIP_CHARS]]
        if verdict.hidden:
            lines.append(self.labels.get("hidden", "Hidden: {reason}").format(reason=verdict.reason))
        return "\n".join(lines)

    # feeding
    def rows(self) -> list:
        return list(self._rows)

    def last(self):
        return self._rows[-1] if self._rows else None

    def append(self, items: Iterable) -> int:
        """Add new comments at the bottom (ones already shown are skipped); the oldest rows go
        when there are more than max_rows. Returns how many were added."""
        new = []
        seen = self._rowids
        for stored in items:
            if stored.rowid in seen:
                continue
            seen.add(stored.rowid)
            new.append(stored)
        if not new:
            return 0
        if len(new) >= self.max_rows:  # a burst bigger than the view: show its newest part
            dropped, new = new[: -self.max_rows], new[-self.max_rows :]
            for stored in dropped:
                seen.discard(stored.rowid)
            self.set_rows(new)
            return len(new)
        excess = len(self._rows) + len(new) - self.max_rows
        if excess > 0:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            for stored in self._rows[:excess]:
                seen.discard(stored.rowid)
            del self._rows[:excess]
            self.endRemoveRows()
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._rows.extend(new)
        self.endInsertRows()
        return len(new)

    def set_rows(self, items: list) -> None:
        """Replace everything (a filter's result, oldest first)."""
        self.beginResetModel()
        self._rows = list(items[-self.max_rows :])
        self._rowids = {stored.rowid for stored in self._rows}
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row_of(self, rowid: int) -> int | None:
        if rowid not in self._rowids:
            return None
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].rowid == rowid:
                return row
        return None

    def replace_rows(self, changed: dict[int, object]) -> None:
        """Put updated StoredComments (by rowid) in place of the shown ones."""
        rows = [row for row, stored in enumerate(self._rows) if stored.rowid in changed]
        for row in rows:
            self._rows[row] = changed[self._rows[row].rowid]
        self._changed(rows)

    def mark_hidden(self, platform: str, user: str, reason: str, fresh: Callable[[int], object | None]) -> list[int]:
        """Grey every shown message of a user (from the store when it has them); their rows."""
        rows = [
            row
            for row, stored in enumerate(self._rows)
            if stored.comment.platform == platform and stored.comment.user == user
        ]
        for row in rows:
            stored = self._rows[row]
            updated = fresh(stored.rowid)
            if updated is None or not updated.verdict.hidden:
                updated = replace(stored, verdict=replace(stored.verdict, hidden=True, reason=stored.verdict.reason or reason))
            self._rows[row] = updated
        self._changed(rows)
        return rows

    def set_pinned(self, rowid: int | None) -> None:
        before = self.row_of(self.pinned_rowid) if self.pinned_rowid is not None else None
        self.pinned_rowid = rowid
        after = self.row_of(rowid) if rowid is not None else None
        self._changed([row for row in (before, after) if row is not None])

    def _changed(self, rows: list[int]) -> None:
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))


def _time_text(stored) -> str:
    seconds = getattr(stored, "received_at", 0.0) or getattr(stored.comment, "ts", 0.0)
    try:
        return datetime.fromtimestamp(float(seconds)).strftime("%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return "--:--:--"


# -- the row delegate ------------------------------------------------------------------------------


class CommentRowDelegate(QStyledItemDelegate):
    """Paints a comment: the user (bold, their colour), kind chip, product and intent badges and
    the time on the first line; the text wrapped onto up to TEXT_LINES lines, the last cut with
    "…"; for a hidden message, the reason. Everything with QPainter.drawText: plain text."""

    PAD_X = 8
    PAD_Y = 5

    def __init__(self, view: QListView, labels: dict[str, str]) -> None:
        super().__init__(view)
        self._view = view
        self._labels = labels
        self._layouts: dict[tuple, tuple[list[str], int]] = {}

    def clear_cache(self) -> None:
        self._layouts.clear()

    def _text_width(self) -> int:
        return max(60, self._view.viewport().width() - 2 * self.PAD_X - 4)

    def _text_lines(self, index: QModelIndex, font: QFont) -> list[str]:
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        width = self._text_width()
        key = (index.data(ROWID_ROLE), width, font.key())
        cached = self._layouts.get(key)
        if cached is not None:
            return cached[0]
        if len(self._layouts) > 6 * MAX_ROWS:
            self._layouts.clear()
        lines = wrap_plain_text(text, font, width, TEXT_LINES)
        self._layouts[key] = (lines, width)
        return lines

    def _empty_text(self, index: QModelIndex) -> str:
        return self._labels.get(f"empty.{index.data(KIND_ROLE)}", "")

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        line = metrics.lineSpacing()
        lines = self._text_lines(index, option.font)
        count = max(1, len(lines)) if lines or self._empty_text(index) else 0
        if index.data(HIDDEN_ROLE):
            count += 1
        return QSize(self._text_width(), 2 * self.PAD_Y + line + 2 + count * line)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect
        palette: QPalette = option.palette
        hidden = bool(index.data(HIDDEN_ROLE))
        pinned = bool(index.data(PINNED_ROLE))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight).darker(170))
        elif pinned:
            tint = QColor(ACCENT)
            tint.setAlpha(40)
            painter.fillRect(rect, tint)
        elif hovered:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        if pinned:
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), ACCENT)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.AlternateBase), 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

        font = QFont(option.font)
        metrics = QFontMetrics(font)
        line_h = metrics.lineSpacing()
        left = rect.left() + self.PAD_X
        right = rect.right() - self.PAD_X
        top = rect.top() + self.PAD_Y
        text_colour = HIDDEN_TEXT if hidden else palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)

        # First line: time on the right, then user, kind chip and badges from the left.
        small = QFont(font)
        small.setPointSizeF(max(6.5, font.pointSizeF() * 0.85))
        small_metrics = QFontMetrics(small)
        time_text = index.data(TIME_ROLE) or ""
        painter.setFont(small)
        painter.setPen(muted)
        time_width = small_metrics.horizontalAdvance(time_text)
        header = QRect(left, top, right - left, line_h)
        painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, time_text)
        header_right = right - time_width - 8

        chips = self._chips(index)
        chips_width = sum(small_metrics.horizontalAdvance(text) + 10 + 4 for text, _ in chips)
        bold = QFont(font)
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        user = index.data(USER_ROLE) or ""
        user_room = max(30, header_right - left - chips_width - 6)
        user_text = bold_metrics.elidedText(user, Qt.TextElideMode.ElideRight, user_room)
        painter.setFont(bold)
        painter.setPen(HIDDEN_TEXT if hidden else user_colour(index.data(PLATFORM_ROLE) or "", user))
        user_rect = QRect(left, top, min(user_room, bold_metrics.horizontalAdvance(user_text) + 2), line_h)
        painter.drawText(
            user_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine, user_text
        )
        x = user_rect.right() + 8
        painter.setFont(small)
        for text, colour in chips:
            width = small_metrics.horizontalAdvance(text) + 10
            if x + width > header_right:
                break
            chip = QRectF(x, top + (line_h - small_metrics.height() - 2) / 2, width, small_metrics.height() + 2)
            fill = QColor(colour)
            fill.setAlpha(40 if not hidden else 20)
            edge = QColor(colour) if not hidden else HIDDEN_TEXT
            painter.setBrush(fill)
            painter.setPen(QPen(edge, 1))
            painter.drawRoundedRect(chip, 3, 3)
            painter.setPen(edge)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextSingleLine, text)
            x += width + 4

        # The text.
        painter.setFont(font)
        y = top + line_h + 2
        lines = self._text_lines(index, font)
        text_rect_width = right - left
        if lines:
            painter.setPen(text_colour)
            rtl = base_direction(index.data(Qt.ItemDataRole.DisplayRole) or "") == "rtl"
            side = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft  # Arabic, Hebrew
            for text in lines:
                painter.drawText(
                    QRect(left, y, text_rect_width, line_h),
                    side | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                    text,
                )
                y += line_h
        elif (empty := self._empty_text(index)):
            italic = QFont(font)
            italic.setItalic(True)
            painter.setFont(italic)
            painter.setPen(muted if not hidden else HIDDEN_TEXT)
            painter.drawText(QRect(left, y, text_rect_width, line_h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, empty)
            painter.setFont(font)
            y += line_h
        if hidden:
            italic = QFont(small)
            italic.setItalic(True)
            painter.setFont(italic)
            painter.setPen(QColor(200, 110, 110))
            reason = self._labels.get("hidden", "Hidden: {reason}").format(reason=index.data(REASON_ROLE) or "")
            reason = QFontMetrics(italic).elidedText(reason, Qt.TextElideMode.ElideRight, text_rect_width)
            painter.drawText(QRect(left, y, text_rect_width, line_h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, reason)
        painter.restore()

    def _chips(self, index: QModelIndex) -> list[tuple[str, QColor]]:
        chips: list[tuple[str, QColor]] = []
        kind = index.data(KIND_ROLE)
        if kind in KIND_COLOURS:
            chips.append((self._labels.get(f"kind.{kind}", kind), KIND_COLOURS[kind]))
        if index.data(PINNED_ROLE):
            chips.append((self._labels.get("pinned", "Pinned"), ACCENT))
        product = index.data(PRODUCT_ROLE)
        if product is not None:
            chips.append((f"#{product}", PRODUCT_COLOUR))
        for intent in index.data(INTENTS_ROLE) or []:
            if intent != PRODUCT_INTENT:
                chips.append((self._labels.get(f"intent.{intent}", intent), INTENT_COLOUR))
        return chips


def wrap_plain_text(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """Plain text wrapped at word boundaries (anywhere in Chinese) to `width` pixels, at most
    max_lines lines, the last one cut with "…" when there is more."""
    text = " ".join(text[: max_lines * 400].split())  # one paragraph; rows are short
    if not text:
        return []
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
    layout.setTextOption(option)
    lines: list[str] = []
    layout.beginLayout()
    try:
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, length = line.textStart(), line.textLength()
            if len(lines) == max_lines - 1:
                rest = text[start:]
                lines.append(QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width))
                break
            lines.append(text[start : start + length].rstrip())
    finally:
        layout.endLayout()
    return lines


# -- the panel -------------------------------------------------------------------------------------


class CommentsPanel(QWidget):
    """The live comments of a comment desk. `changed` fires when something saved with the show
    changed (a user was blocked); `error(str)` carries a refused action for the status bar."""

    changed = Signal()
    error = Signal(str)

    _wake = Signal()  # emitted on the desk's threads: queued to the GUI thread
    _desk_error = Signal(str)
    _desk_pinned = Signal(object)
    _query_done = Signal(int, object)  # generation, list[StoredComment] (oldest first) or an error text
    _counts_done = Signal(int, object)  # generation, (counts, total) or an error text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = None
        self._connections: list[tuple[object, Callable]] = []
        self._inbox: CommentInbox | None = None
        self._filter = FeedFilter()
        self._generation = 0  # bumps with each desk and each filter: late answers are ignored
        self._desk_generation = 0  # bumps with each desk: late counters of another desk are ignored
        self._query_in_flight = False
        self._counts_in_flight = False
        self._counts_again = False
        self._follow = True  # the view sticks to the newest comment
        self._paused_by_selection = False  # a click on a comment holds the feed still
        self._programmatic_scroll = False
        self._pending: deque = deque(maxlen=MAX_ROWS)  # arrived while scrolled up
        self._titles: list[str] = []
        self._counts: dict[tuple[int | None, str], int] = {}
        self._total: int | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comments-panel")
        self.drains = 0  # how many times the GUI took in comments (tests, diagnostics)

        self._labels = self._make_labels()
        self._build()

        self._wake.connect(self._on_wake)
        self._desk_error.connect(self.error)
        self._desk_pinned.connect(self._on_desk_pinned)
        self._query_done.connect(self._on_query_done)
        self._counts_done.connect(self._on_counts_done)
        self.drain_timer = QTimer(self)
        self.drain_timer.setSingleShot(True)
        self.drain_timer.setInterval(DRAIN_MS)
        self.drain_timer.timeout.connect(self.drain)
        self.counts_timer = QTimer(self)
        self.counts_timer.setSingleShot(True)
        self.counts_timer.setInterval(COUNTS_MS)
        self.counts_timer.timeout.connect(self.refresh_counts)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_filters)
        worker = self._worker  # not self: the panel is gone when `destroyed` arrives
        self.destroyed.connect(lambda *_args: worker.shutdown(wait=False, cancel_futures=True))
        self.set_desk(None)

    # -- text -------------------------------------------------------------------------------------

    def _make_labels(self) -> dict[str, str]:
        return {
            "kind.comment": self.tr("Comment"),
            "kind.like": self.tr("Like"),
            "kind.gift": self.tr("Gift"),
            "kind.order": self.tr("Order"),
            "kind.follow": self.tr("Follow"),
            "empty.like": self.tr("sent likes"),
            "empty.gift": self.tr("sent a gift"),
            "empty.order": self.tr("placed an order"),
            "empty.follow": self.tr("followed"),
            "intent.buy": self.tr("Buy"),
            "intent.price": self.tr("Price"),
            "intent.size": self.tr("Size"),
            "intent.stock": self.tr("Stock"),
            "intent.link": self.tr("Link"),
            "intent.product": self.tr("All"),
            "pinned": self.tr("Pinned"),
            "hidden": self.tr("Hidden: {reason}"),
        }

    def _intent_label(self, intent: str) -> str:
        return self._labels.get(f"intent.{intent}", intent)

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("Search comments (text or user)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(lambda _text: self.search_timer.start())
        self.search_edit.returnPressed.connect(self.apply_filters)

        self.kind_combo = QComboBox(self)
        self.kind_combo.addItem(self.tr("All kinds"), None)
        for kind, label in zip(
            KINDS, (self.tr("Comments"), self.tr("Likes"), self.tr("Gifts"), self.tr("Orders"), self.tr("Follows")), strict=True
        ):
            self.kind_combo.addItem(label, kind)
        self.intent_combo = QComboBox(self)
        self.product_combo = QComboBox(self)
        for combo in (self.kind_combo, self.intent_combo, self.product_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.kind_combo.setToolTip(self.tr("Show one kind of message"))
        self.intent_combo.setToolTip(self.tr("Show messages with this intent"))
        self.product_combo.setToolTip(self.tr("Show messages naming this product (3号, #3)"))
        self._fill_intent_combo()
        self._fill_product_combo()
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.intent_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.product_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())

        self.model = CommentFeedModel(self)
        self.model.labels = self._labels
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.delegate = CommentRowDelegate(self.list, self._labels)
        self.list.setItemDelegate(self.delegate)
        self.list.setUniformItemSizes(False)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setMouseTracking(True)
        self.list.setMinimumHeight(140)
        self.list.selectionModel().selectionChanged.connect(lambda *_args: self._update_buttons())
        self.list.doubleClicked.connect(lambda index: self.pin_selected())
        self.list.pressed.connect(self._on_row_pressed)
        self.list.setToolTip("")
        scroll_bar = self.list.verticalScrollBar()
        scroll_bar.valueChanged.connect(self._on_scrolled)
        scroll_bar.rangeChanged.connect(self._on_scroll_range)
        self.list.viewport().installEventFilter(self)

        self.empty_label = QLabel(self.tr("No comments yet"), self.list.viewport())
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)
        self.new_below_button = QPushButton(self.list.viewport())
        self.new_below_button.setStyleSheet(NEW_BELOW_STYLE)
        self.new_below_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.new_below_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_below_button.clicked.connect(self.jump_to_newest)
        self.new_below_button.hide()

        self.status_label = QLabel(self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label.setStyleSheet("color: #a0a0a8;")

        self.pin_button = QPushButton(self.tr("Pin"), self)
        self.pin_button.setToolTip(self.tr("Show the selected comment on program as a card (double-click a comment does too)"))
        self.unpin_button = QPushButton(self.tr("Unpin"), self)
        self.unpin_button.setToolTip(self.tr("Take the comment card off program"))
        self.block_button = QPushButton(self.tr("Block user"), self)
        self.block_button.setToolTip(self.tr("Hide the selected comment's author: their messages never reach the screen"))
        self.pin_button.clicked.connect(self.pin_selected)
        self.unpin_button.clicked.connect(self.unpin)
        self.block_button.clicked.connect(self.block_selected_user)
        for button in (self.pin_button, self.unpin_button, self.block_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space, Enter and the F-keys stay hotkeys
            button.setStyleSheet("QPushButton { padding: 5px 8px; }")

        self.counts_title = QLabel(self.tr("Intent by product"), self)
        self.counts_title.setTextFormat(Qt.TextFormat.PlainText)
        title_font = QFont(self.counts_title.font())
        title_font.setBold(True)
        self.counts_title.setFont(title_font)
        self.counts_table = QTableWidget(0, 0, self)
        self.counts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.counts_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.counts_table.verticalHeader().hide()
        self.counts_table.setShowGrid(False)
        self.counts_table.setAlternatingRowColors(True)
        self.counts_table.setWordWrap(False)
        self.counts_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.counts_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.counts_table.setToolTip(self.tr("Click a number to show those comments"))
        self.counts_table.cellClicked.connect(self._on_count_clicked)
        self.counts_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.counts_table.horizontalHeader()
        header.setMinimumSectionSize(24)
        header.setHighlightSections(False)
        self.counts_empty = QLabel(self.tr("No buying questions yet"), self)
        self.counts_empty.setTextFormat(Qt.TextFormat.PlainText)
        self.counts_empty.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(5)
        layout.addWidget(self.search_edit)
        filter_row = QHBoxLayout()
        filter_row.setSpacing(4)
        filter_row.addWidget(self.kind_combo, 1)
        filter_row.addWidget(self.intent_combo, 1)
        filter_row.addWidget(self.product_combo, 1)
        layout.addLayout(filter_row)
        layout.addWidget(self.list, 1)
        action_row = QHBoxLayout()
        action_row.setSpacing(4)
        action_row.addWidget(self.status_label, 1)
        action_row.addWidget(self.pin_button)
        action_row.addWidget(self.unpin_button)
        action_row.addWidget(self.block_button)
        layout.addLayout(action_row)
        layout.addWidget(self.counts_title)
        layout.addWidget(self.counts_table)
        layout.addWidget(self.counts_empty)
        self._update_counts_table()
        self._update_buttons()

    def _fill_intent_combo(self, extra: Iterable[str] = ()) -> None:
        current = self.intent_combo.currentData()
        intents = list(DEFAULT_INTENTS) + [PRODUCT_INTENT]
        intents += sorted(set(extra) - set(intents))
        if [self.intent_combo.itemData(i) for i in range(1, self.intent_combo.count())] == intents:
            return  # unchanged: leave an open list alone
        self.intent_combo.blockSignals(True)
        self.intent_combo.clear()
        self.intent_combo.addItem(self.tr("Any intent"), None)
        for intent in intents:
            label = self.tr("Names a product") if intent == PRODUCT_INTENT else self._intent_label(intent)
            self.intent_combo.addItem(label, intent)
        found = self.intent_combo.findData(current)
        self.intent_combo.setCurrentIndex(max(0, found))
        self.intent_combo.blockSignals(False)

    def _fill_product_combo(self) -> None:
        current = self.product_combo.currentData()
        self.product_combo.blockSignals(True)
        self.product_combo.clear()
        self.product_combo.addItem(self.tr("Any product"), None)
        for number, title in enumerate(self._titles, start=1):
            self.product_combo.addItem(f"#{number} {title}", number)
        if isinstance(current, int) and self.product_combo.findData(current) < 0:
            self.product_combo.addItem(f"#{current}", current)
        self.product_combo.setCurrentIndex(max(0, self.product_combo.findData(current)))
        self.product_combo.blockSignals(False)

    # -- the desk ---------------------------------------------------------------------------------

    @property
    def desk(self):
        return self._desk

    def set_desk(self, desk) -> None:
        """Show this desk's comments and listen to it (and stop listening to the previous one).
        None: an empty, disabled panel."""
        self._disconnect()
        self._desk = desk
        self._generation += 1
        self._desk_generation += 1
        self._pending.clear()
        self._follow = True
        self._paused_by_selection = False
        self._counts = {}
        self._total = None
        self.model.set_pinned(None)
        self.model.clear()
        self.delegate.clear_cache()
        self.drain_timer.stop()
        self.counts_timer.stop()
        self._query_in_flight = self._counts_in_flight = self._counts_again = False
        self._titles = []
        if desk is not None:
            self._inbox = CommentInbox(MAX_ROWS, self._wake.emit)
            inbox = self._inbox
            events = desk.events
            # Plain functions held here: psygnal keeps only weak references to bound methods.
            # They run on the desk's threads and only touch the inbox.
            pairs: list[tuple[object, Callable]] = [
                (events.comments_added, lambda batch, _inbox=inbox: _inbox.add(batch)),
                (events.counts_changed, lambda *_args, _inbox=inbox: _inbox.mark_counts_changed()),
            ]
            if hasattr(events, "error"):
                pairs.append((events.error, self._relay(self._desk_error.emit)))
            if hasattr(events, "pinned"):
                pairs.append((events.pinned, self._relay(self._desk_pinned.emit)))
            for signal, slot in pairs:
                signal.connect(slot)
                self._connections.append((signal, slot))
            self._titles = self._product_titles()
        self._fill_product_combo()
        enabled = desk is not None
        for widget in (self.search_edit, self.kind_combo, self.intent_combo, self.product_combo, self.list):
            widget.setEnabled(enabled)
        self.empty_label.setText(self.tr("No comments yet") if enabled else self.tr("Comments are off"))
        if enabled:
            self._load()
            self.refresh_counts()
        self._update_counts_table()
        self._update_new_below()
        self._update_status()
        self._update_buttons()

    @staticmethod
    def _relay(target: Callable) -> Callable:
        def slot(*args):
            try:
                target(*args)
            except RuntimeError:  # the panel was deleted while the desk still ran
                pass

        return slot

    def _disconnect(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (ValueError, RuntimeError):
                pass
        self._connections.clear()
        if self._inbox is not None:
            self._inbox.close()
            self._inbox = None

    def _product_titles(self) -> list[str]:
        try:
            return list(self._desk.product_titles()) if self._desk is not None else []
        except Exception:  # a desk being torn down
            log.debug("product titles unavailable", exc_info=True)
            return []

    # -- feeding (GUI thread) ---------------------------------------------------------------------

    def _on_wake(self) -> None:
        if not self.drain_timer.isActive():
            self.drain_timer.start()

    def drain(self) -> None:
        """Take in what arrived since the last drain (the timer calls this; tests may too)."""
        inbox = self._inbox
        if inbox is None:
            return
        items, counts_dirty = inbox.drain()
        self.drains += 1
        if items:
            self._take(items)
        if counts_dirty and not self.counts_timer.isActive():
            self.counts_timer.start()

    def _take(self, items: list) -> None:
        if self._query_in_flight:
            # A filter is being read from the store: comments stored before the query are in its
            # answer, the others are added after it (the model skips ones it already has).
            self._pending.extend(items)
            return
        if self._filter.active:
            items = [stored for stored in items if self._filter.matches(stored)]
        if not items:
            return
        if not self._follow:
            self._pending.extend(items)
            self._update_new_below()
            return
        self._append(items)

    def _append(self, items: list) -> None:
        self._programmatic_scroll = True
        try:
            self.model.append(items)
            self.list.scrollToBottom()
        finally:
            self._programmatic_scroll = False
        self._update_status()
        self.empty_label.setVisible(self.model.rowCount() == 0)

    def jump_to_newest(self) -> None:
        """Show the comments that arrived while scrolled up and follow new ones again."""
        pending = list(self._pending)
        self._pending.clear()
        self._follow = True
        self._paused_by_selection = False
        if pending:
            self._append(pending)
        else:
            self._programmatic_scroll = True
            try:
                self.list.scrollToBottom()
            finally:
                self._programmatic_scroll = False
        self._update_new_below()
        self._update_status()

    def _on_scrolled(self, value: int) -> None:
        if self._programmatic_scroll:
            return
        at_bottom = value >= self.list.verticalScrollBar().maximum() - 4
        if at_bottom and not self._follow:
            self.jump_to_newest()
        elif self._follow != at_bottom:
            self._follow = at_bottom
            self._paused_by_selection = False
            self._update_new_below()
            self._update_status()

    def _on_row_pressed(self, _index: QModelIndex) -> None:
        """A click on a comment holds the feed still (new ones wait below), so the row the host
        is about to pin or block does not scroll away in a busy chat."""
        if self._follow:
            self._follow = False
            self._paused_by_selection = True
            self._update_new_below()
            self._update_status()

    def _on_scroll_range(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self._programmatic_scroll = True
            try:
                self.list.verticalScrollBar().setValue(maximum)
            finally:
                self._programmatic_scroll = False

    def is_following(self) -> bool:
        return self._follow

    # -- filters and search -----------------------------------------------------------------------

    def current_filter(self) -> FeedFilter:
        return FeedFilter(
            search=self.search_edit.text().strip(),
            kind=self.kind_combo.currentData(),
            intent=self.intent_combo.currentData(),
            product_number=self.product_combo.currentData(),
        )

    def apply_filters(self) -> None:
        """Read the feed again from the store with the search box and the filters."""
        self.search_timer.stop()
        new = self.current_filter()
        if new == self._filter and self.model.rowCount():
            return
        self._filter = new
        self._load()

    def _load(self) -> None:
        """Fill the feed from the store (newest MAX_ROWS matching the filter), off the GUI thread."""
        desk = self._desk
        if desk is None:
            return
        self._generation += 1
        generation = self._generation
        self._query_in_flight = True
        self._pending.clear()
        self._update_status()
        store = desk.store
        arguments = self._filter.store_arguments()
        done = self._query_done

        def query() -> None:
            try:
                rows = store.recent(MAX_ROWS, include_hidden=True, **arguments)
                payload: object = list(reversed(rows))
            except Exception as error:  # a closed store, a bad filter: say so, keep the panel
                log.exception("comment search failed")
                payload = str(error)
            try:
                done.emit(generation, payload)
            except RuntimeError:
                pass

        self._worker.submit(query)

    def _on_query_done(self, generation: int, payload: object) -> None:
        if generation != self._generation:
            return
        self._query_in_flight = False
        arrived = list(self._pending)
        self._pending.clear()
        if isinstance(payload, str):
            self.error.emit(self.tr("Comments: {problem}").format(problem=payload))
            payload = []
        self._follow = True
        self._paused_by_selection = False
        self._programmatic_scroll = True
        try:
            self.model.set_rows(payload)
            self.list.scrollToBottom()
        finally:
            self._programmatic_scroll = False
        self._update_new_below()
        if arrived:
            self._take(arrived)
        self._update_status()
        self.empty_label.setVisible(self.model.rowCount() == 0)
        self._update_buttons()

    def is_loading(self) -> bool:
        return self._query_in_flight

    # -- intent counters --------------------------------------------------------------------------

    def refresh_counts(self) -> None:
        """Read the intent counters from the store (on the worker; one query at a time)."""
        desk = self._desk
        if desk is None:
            return
        if self._counts_in_flight:
            self._counts_again = True
            return
        self._counts_in_flight = True
        generation = self._desk_generation
        store = desk.store
        done = self._counts_done

        def query() -> None:
            try:
                counts = store.intent_counts()
                total = store.count() if hasattr(store, "count") else None
                payload: object = (counts, total)
            except Exception as error:
                log.exception("reading the intent counters failed")
                payload = str(error)
            try:
                done.emit(generation, payload)
            except RuntimeError:
                pass

        self._worker.submit(query)

    def _on_counts_done(self, generation: int, payload: object) -> None:
        if generation != self._desk_generation:
            return  # the previous desk's (set_desk reset the flags)
        self._counts_in_flight = False
        if self._desk is not None and isinstance(payload, tuple):
            self._counts, self._total = payload
            titles = self._product_titles()
            if titles != self._titles:
                self._titles = titles
                self._fill_product_combo()
            self._fill_intent_combo(intent for _, intent in self._counts)
            self._update_counts_table()
            self._update_status()
        elif isinstance(payload, str):
            self.error.emit(self.tr("Comments: {problem}").format(problem=payload))
        if self._counts_again:
            self._counts_again = False
            if not self.counts_timer.isActive():
                self.counts_timer.start()

    def counts(self) -> dict[tuple[int | None, str], int]:
        return dict(self._counts)

    def _count_columns(self) -> list[str]:
        seen = {intent for (_, intent), count in self._counts.items() if count}
        columns = [intent for intent in DEFAULT_INTENTS]
        columns += sorted(seen - set(DEFAULT_INTENTS) - {PRODUCT_INTENT})
        columns.append(PRODUCT_INTENT)
        return columns

    def _update_counts_table(self) -> None:
        table = self.counts_table
        counts = {key: value for key, value in self._counts.items() if value}
        products = sorted({number for number, _ in counts if number is not None})
        rows: list[int | None] = products + ([None] if any(number is None for number, _ in counts) else [])
        columns = self._count_columns()
        table.setUpdatesEnabled(False)
        try:
            table.setColumnCount(1 + len(columns))
            table.setRowCount(len(rows))
            table.setHorizontalHeaderLabels([self.tr("Product")] + [self._intent_label(c) for c in columns])
            header_tip = table.horizontalHeaderItem(1 + len(columns) - 1)
            if header_tip is not None:
                header_tip.setToolTip(self.tr("Messages naming the product (3号, #3)"))
            for row, number in enumerate(rows):
                if number is None:
                    title = self.tr("No product named")
                    tooltip = title
                else:
                    title_text = self._titles[number - 1] if 0 < number <= len(self._titles) else ""
                    title = f"#{number} {title_text}".strip()
                    tooltip = f"#{number}\n{title_text}"  # first line ours: never taken for rich text
                item = QTableWidgetItem(title)
                item.setToolTip(tooltip)
                item.setData(Qt.ItemDataRole.UserRole, number)
                table.setItem(row, 0, item)
                for column, intent in enumerate(columns, start=1):
                    value = counts.get((number, intent), 0)
                    cell = QTableWidgetItem(str(value) if value else "")
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    cell.setData(Qt.ItemDataRole.UserRole, (number, intent))
                    if value:
                        bold = QFont(cell.font())
                        bold.setBold(True)
                        cell.setFont(bold)
                    table.setItem(row, column, cell)
            header = table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            for column in range(1, 1 + len(columns)):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            visible_rows = min(len(rows), 5)
            row_height = table.verticalHeader().defaultSectionSize()
            height = header.sizeHint().height() + visible_rows * row_height + 2 * table.frameWidth() + 2
            table.setFixedHeight(height)
        finally:
            table.setUpdatesEnabled(True)
        table.setVisible(bool(rows))
        self.counts_empty.setVisible(not rows and self._desk is not None)

    def counts_text(self) -> str:
        """The counters as one line per product ("#1 Title: Buy 12 · Price 3"), for tests and logs."""
        lines = []
        for row in range(self.counts_table.rowCount()):
            parts = []
            for column in range(1, self.counts_table.columnCount()):
                cell = self.counts_table.item(row, column)
                if cell is not None and cell.text():
                    parts.append(f"{self.counts_table.horizontalHeaderItem(column).text()} {cell.text()}")
            lines.append(f"{self.counts_table.item(row, 0).text()}: {' · '.join(parts)}")
        return "\n".join(lines)

    def _on_count_clicked(self, row: int, column: int) -> None:
        item = self.counts_table.item(row, column)
        if item is None:
            return
        data = item.data(Qt.ItemDataRole.UserRole)
        number, intent = data if isinstance(data, tuple) else (data, None)
        if column > 0 and not item.text():
            return
        self.kind_combo.blockSignals(True)
        self.intent_combo.blockSignals(True)
        self.product_combo.blockSignals(True)
        try:
            self.kind_combo.setCurrentIndex(0)
            self.intent_combo.setCurrentIndex(max(0, self.intent_combo.findData(intent)))
            self.product_combo.setCurrentIndex(max(0, self.product_combo.findData(number)) if number is not None else 0)
        finally:
            self.kind_combo.blockSignals(False)
            self.intent_combo.blockSignals(False)
            self.product_combo.blockSignals(False)
        self.apply_filters()

    # -- actions ----------------------------------------------------------------------------------

    def selected(self):
        """The selected StoredComment, or None."""
        indexes = self.list.selectionModel().selectedIndexes() if self.list.selectionModel() else []
        return indexes[0].data(STORED_ROLE) if indexes else None

    def select_rowid(self, rowid: int) -> bool:
        row = self.model.row_of(rowid)
        if row is None:
            return False
        index = self.model.index(row)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        return True

    def _desk_call(self, call: Callable) -> tuple[bool, object]:
        """(True, what the desk returned), or (False, None) when there is no desk or it refused
        (the reason goes to `error`; nothing is ever raised into Qt)."""
        if self._desk is None:
            return False, None
        try:
            return True, call(self._desk)
        except (InputError, RuntimeError, ValueError, KeyError) as error:
            self.error.emit(str(error))
        except Exception as error:  # a desk bug must not take the GUI down
            log.exception("comment desk call failed")
            self.error.emit(self.tr("Comments: {problem}").format(problem=error))
        return False, None

    def pin_selected(self) -> bool:
        stored = self.selected()
        if stored is None or self._desk is None:
            return False
        if stored.verdict.hidden:
            self.error.emit(self.tr("A hidden comment cannot be pinned ({reason})").format(reason=stored.verdict.reason))
            return False
        ok, _ = self._desk_call(lambda desk: desk.pin_comment(stored.rowid))
        if not ok:
            return False
        self.model.set_pinned(stored.rowid)
        self._update_buttons()
        if self._paused_by_selection:
            self.jump_to_newest()
        return True

    def unpin(self) -> bool:
        ok, _ = self._desk_call(lambda desk: desk.unpin())
        if not ok:
            return False
        self.model.set_pinned(None)
        self._update_buttons()
        return True

    def ask(self, title: str, text: str) -> bool:
        """A yes/no question (tests replace this)."""
        buttons = QMessageBox.StandardButton
        return QMessageBox.question(self, title, text, buttons.Yes | buttons.No, buttons.No) == buttons.Yes

    def block_selected_user(self) -> bool:
        stored = self.selected()
        if stored is None or self._desk is None:
            return False
        platform, user = stored.comment.platform, stored.comment.user
        question = self.tr("Block {user} ({platform})? Their messages are kept but never shown on screen.").format(
            user=user, platform=platform
        )
        if not self.ask(self.tr("Block user"), question):
            return False
        ok, _count = self._desk_call(lambda desk: desk.block_user(platform, user))
        if not ok:
            return False
        store = self._desk.store
        lookup = getattr(store, "get_by_rowid", None) or getattr(store, "by_rowid", None)

        def fresh(rowid: int):
            try:
                return lookup(rowid) if lookup is not None else None
            except Exception:  # noqa: BLE001 - then the row is greyed from what we know
                return None

        self.model.mark_hidden(platform, user, self.tr("blocked user '{user}'").format(user=user), fresh)
        if self.model.pinned_rowid is not None:
            pinned = self.model.row_of(self.model.pinned_rowid)
            if pinned is not None and self.model.index(pinned).data(HIDDEN_ROLE):
                self.model.set_pinned(None)
        self.list.doItemsLayout()  # the greyed rows got a line with the reason
        if self._follow:
            self._programmatic_scroll = True
            try:
                self.list.scrollToBottom()
            finally:
                self._programmatic_scroll = False
        self._update_buttons()
        if self._paused_by_selection:
            self.jump_to_newest()
        self.changed.emit()
        return True

    def _on_desk_pinned(self, stored: object) -> None:
        self.model.set_pinned(getattr(stored, "rowid", None))
        self._update_buttons()

    # -- state shown --------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        stored = self.selected() if self._desk is not None else None
        self.pin_button.setEnabled(stored is not None and not stored.verdict.hidden)
        self.block_button.setEnabled(stored is not None)
        self.unpin_button.setEnabled(self._desk is not None and self.model.pinned_rowid is not None)

    def _update_new_below(self) -> None:
        count = len(self._pending) if not self._follow and not self._query_in_flight else 0
        if count:
            self.new_below_button.setText(self.tr("⬇ {count} new").format(count=f"{count:,}" if count < MAX_ROWS else f"{MAX_ROWS:,}+"))
            self.new_below_button.adjustSize()
            self._place_overlays()
        self.new_below_button.setVisible(bool(count))

    def _update_status(self) -> None:
        if self._desk is None:
            self.status_label.setText("")
            return
        shown = self.model.rowCount()
        if self._query_in_flight:
            text = self.tr("Searching…")
        elif self._filter.active:
            text = self.tr("{shown} found").format(shown=f"{shown:,}")
            if shown >= MAX_ROWS:
                text = self.tr("Latest {shown} found").format(shown=f"{shown:,}")
        elif not self._follow:
            text = self.tr("Paused: a comment is selected") if self._paused_by_selection else self.tr("Paused (scrolled up)")
        elif self._total is not None:
            text = self.tr("Live · {total} in all").format(total=f"{max(self._total, shown):,}")
        else:
            text = self.tr("Live")
        self.status_label.setText(text)
        self.status_label.setToolTip(text)
        self.empty_label.setVisible(shown == 0)

    def _place_overlays(self) -> None:
        viewport = self.list.viewport()
        self.empty_label.setGeometry(viewport.rect())
        button = self.new_below_button
        button.adjustSize()
        button.move(QPoint((viewport.width() - button.width()) // 2, viewport.height() - button.height() - 8))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and hasattr(self, "new_below_button") and watched is self.list.viewport():
            self._place_overlays()
        return super().eventFilter(watched, event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._place_overlays()
