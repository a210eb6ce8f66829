"""Monitors: the preview and program pictures and the multiview of every source.

Each monitor shows the newest picture of a VideoTap (a small copy the program thread makes).
One timer in the main window asks every monitor to refresh at display rate; a monitor repaints
only when its tap has a new picture, so an idle show costs almost nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from studio.engine.outputs.video_tap import VideoTap

TALLY_PROGRAM = QColor(220, 40, 40)
TALLY_PREVIEW = QColor(40, 190, 70)
IDLE_BORDER = QColor(70, 70, 78)
LABEL_BACKGROUND = QColor(0, 0, 0, 170)
# Never ask the engine for more than this: a 4K screen's monitor does not need full 1080p.
MAX_TAP_WIDTH_PX = 1280
TapOpener = Callable[[int, int], VideoTap]
TapCloser = Callable[[VideoTap], None]


class MonitorView(QWidget):
    """One picture with a name bar and a tally border, its aspect ratio kept (letterboxed)."""

    def __init__(self, title: str, parent: QWidget | None = None, *, aspect: float = 16 / 9) -> None:
        super().__init__(parent)
        self.title = title
        self.aspect = aspect
        self.tally: QColor | None = None
        self.no_signal = False
        # Drawn over the picture in the same paint (the preview's layer editor): a child widget
        # painting on top would have Qt repaint the monitor under it twice per picture.
        self.overlay: Callable[[QPainter], None] | None = None
        self._tap: VideoTap | None = None
        self._image: QImage | None = None
        self._shown_sequence = -1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._open_tap: TapOpener | None = None
        self._close_tap: TapCloser | None = None
        self._tap_size: tuple[int, int] | None = None
        # The engine scales pictures to the size they are shown at (in device pixels), so
        # painting is a plain copy; after a resize settles, the tap is reopened at the new size.
        self._resize_settle = QTimer(self)
        self._resize_settle.setSingleShot(True)
        self._resize_settle.setInterval(150)
        self._resize_settle.timeout.connect(self._reopen_tap)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, round(480 / self.aspect))

    def attach(self, open_tap: TapOpener | None, close_tap: TapCloser | None) -> None:
        """Watch an engine's picture through taps opened with open_tap(width_px, height_px);
        None detaches (the engine is going away: its taps die with it)."""
        self._open_tap, self._close_tap = open_tap, close_tap
        self._tap = None
        self._tap_size = None
        self._image = None
        self._shown_sequence = -1
        if open_tap is not None:
            self._reopen_tap()
        self.update()

    def wanted_tap_size(self) -> tuple[int, int]:
        rect = self.picture_rect()
        ratio = self.devicePixelRatioF()
        width = min(MAX_TAP_WIDTH_PX, max(64, round(rect.width() * ratio)))
        return width & ~1, max(36, round(width / self.aspect)) & ~1

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._open_tap is not None:
            self._resize_settle.start()

    def _reopen_tap(self) -> None:
        if self._open_tap is None:
            return
        size = self.wanted_tap_size()
        if size == self._tap_size:
            return
        old = self._tap
        self._tap = self._open_tap(*size)
        self._tap_size = size
        self._shown_sequence = -1  # keep the old picture on screen until the new tap has one
        if old is not None and self._close_tap is not None:
            self._close_tap(old)

    @property
    def tap(self) -> VideoTap | None:
        return self._tap

    def set_tally(self, colour: QColor | None) -> None:
        if colour != self.tally:
            self.tally = colour
            self.update()

    def set_no_signal(self, no_signal: bool) -> None:
        if no_signal != self.no_signal:
            self.no_signal = no_signal
            self.update()

    def refresh(self) -> bool:
        """Take the tap's newest picture if it is new; True if it was."""
        picture = self._tap.latest() if self._tap is not None else None
        if picture is None or picture.sequence == self._shown_sequence:
            return False
        height, width, _ = picture.rgb.shape
        # The QImage borrows the array (never written again by the engine); keep both alive together.
        self._image = QImage(picture.rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        self._image_owner = picture.rgb
        self._shown_sequence = picture.sequence
        self.update()
        return True

    def picture_rect(self) -> QRectF:
        border = 3
        area = QRectF(self.rect()).adjusted(border, border, -border, -border)
        width = min(area.width(), area.height() * self.aspect)
        height = width / self.aspect
        return QRectF(area.center().x() - width / 2, area.center().y() - height / 2, width, height)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 22))
        target = self.picture_rect()
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self._image)
        else:
            painter.fillRect(target, QColor(30, 30, 36))
        if self.no_signal:
            painter.fillRect(target, QColor(0, 0, 0, 150))
            painter.setPen(QColor(255, 200, 60))
            font = QFont(self.font())
            font.setBold(True)
            font.setPixelSize(max(12, int(target.height() / 8)))
            painter.setFont(font)
            painter.drawText(target, Qt.AlignmentFlag.AlignCenter, self.tr("NO SIGNAL"))
        label_height = max(18, self.fontMetrics().height() + 6)
        label = QRectF(target.left(), target.bottom() - label_height, target.width(), label_height)
        painter.fillRect(label, LABEL_BACKGROUND)
        painter.setPen(QColor(235, 235, 240))
        painter.setFont(self.font())
        painter.drawText(label.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.title)
        pen = QPen(self.tally or IDLE_BORDER, 4 if self.tally else 1)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target.adjusted(-1, -1, 1, 1))
        if self.overlay is not None:
            self.overlay(painter)
        painter.end()


class MultiviewWidget(QWidget):
    """Every source in a grid, with its name, tally and NO SIGNAL."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.setSpacing(4)
        self.views: dict[str, MonitorView] = {}

    def set_sources(self, sources: list[tuple[str, str]], aspect: float) -> None:
        """(source id, name) pairs, in show order. Attach each view to an engine afterwards."""
        for view in self.views.values():
            view.setParent(None)
            view.deleteLater()
        self.views = {}
        columns = 4 if len(sources) > 6 else 3 if len(sources) > 4 else max(1, min(len(sources), 4))
        for index, (source_id, name) in enumerate(sources):
            view = MonitorView(name, self, aspect=aspect)
            view.setMinimumSize(120, 68)
            self.views[source_id] = view
            self._layout.addWidget(view, index // columns, index % columns)

    def set_tally(self, program_ids: set[str], preview_ids: set[str]) -> None:
        for source_id, view in self.views.items():
            view.set_tally(TALLY_PROGRAM if source_id in program_ids else TALLY_PREVIEW if source_id in preview_ids else None)

    def refresh(self) -> None:
        for view in self.views.values():
            view.refresh()
