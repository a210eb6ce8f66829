"""Monitors: the preview and program pictures and the multiview of every source.

Each monitor shows the newest picture of a VideoTap (a small copy the program thread makes at
the size the monitor shows it, in device pixels; the monitor finishes it: the last resize and
the colour conversion). One timer in the main window asks every monitor to refresh at display
rate; a monitor repaints only when its tap has a new picture, so an idle show costs almost
nothing, and a hidden monitor closes its tap. A paint is a handful of painter calls, the
picture copied pixel for pixel (see MonitorView.paintEvent).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from studio.engine.outputs.video_tap import VideoTap

TALLY_PROGRAM = QColor(220, 40, 40)
TALLY_PREVIEW = QColor(40, 190, 70)
IDLE_BORDER = QColor(70, 70, 78)
LABEL_BACKGROUND = QColor(0, 0, 0, 170)
BACKGROUND = QColor(18, 18, 22)
NO_PICTURE = QColor(30, 30, 36)
TALLY_BORDER_PX = 3  # on program or preview; other monitors get a 1 px idle border
# Never ask the engine for more than this: a 4K screen's monitor does not need full 1080p.
MAX_TAP_WIDTH_PX = 1280
# A picture within this many device pixels (width + height) of the shown size is drawn unscaled:
# the tap's even sizes and the aspect ratio's rounding never match the widget exactly.
UNSCALED_SLACK_PX = 6
LITTLE_ENDIAN = sys.byteorder == "little"  # QImage's RGB32 is B, G, R, X in memory there
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
        self._picture_rect = QRectF()
        self._picture_rect_key: tuple[int, int, float] | None = None
        self._label: QImage | None = None
        self._label_key: tuple[str, int, float] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)
        # Qt fills the background itself (in C++, before paintEvent): see paintEvent for why.
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, BACKGROUND)
        self.setPalette(palette)
        self._open_tap: TapOpener | None = None
        self._close_tap: TapCloser | None = None
        self._tap_size: tuple[int, int] | None = None
        # Pictures come at the size they are shown at (in device pixels), so painting is a plain
        # copy; after a resize settles, the tap is reopened at the new size.
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
        """The picture's size in device pixels; the height rounded up to even, so the engine's
        fit (the canvas's aspect ratio in this box) is set by the width."""
        rect = self.picture_rect()
        ratio = self.devicePixelRatioF()
        width = min(MAX_TAP_WIDTH_PX, max(64, round(rect.width() * ratio)))
        return width & ~1, max(36, round(width / self.aspect) + 1) & ~1

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._open_tap is not None:
            self._resize_settle.start()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._reopen_tap()

    def hideEvent(self, event) -> None:  # noqa: N802
        """A monitor nobody sees (its dock closed or tabbed away) costs the program nothing: its
        tap closes; the last picture stays for when it comes back."""
        super().hideEvent(event)
        if self._tap is not None and self._close_tap is not None:
            self._close_tap(self._tap)
        self._tap, self._tap_size = None, None

    def _reopen_tap(self) -> None:
        if self._open_tap is None or not self.isVisible():
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
        """Take the tap's newest picture if it is new; True if it was. Pictures come (nearly) at
        the size the monitor shows them; their last resize and colour conversion happen here."""
        picture = self._tap.latest() if self._tap is not None else None
        if picture is None or picture.sequence == self._shown_sequence:
            return False
        image = picture.image
        if LITTLE_ENDIAN:
            # 32-bit pixels in the backing store's own layout: painting is a plain copy (a 24-bit
            # picture would be converted on every paint).
            pixels = image.bgrx
            self._image = QImage(pixels.data, image.width, image.height, 4 * image.width, QImage.Format.Format_RGB32)
        else:
            pixels = image.rgb
            self._image = QImage(pixels.data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
        self._image.setDevicePixelRatio(self.devicePixelRatioF())
        # The QImage borrows the array (never written again); keep both alive together.
        self._image_owner = pixels
        self._shown_sequence = picture.sequence
        self.update()
        return True

    def picture_rect(self) -> QRectF:
        """Where the picture goes (widget pixels): kept until the size or aspect changes, as
        every paint and the layer editor's every outline ask for it."""
        key = (self.width(), self.height(), self.aspect)
        if key != self._picture_rect_key:
            border = 3
            area = QRectF(self.rect()).adjusted(border, border, -border, -border)
            width = min(area.width(), area.height() * self.aspect)
            height = width / self.aspect
            self._picture_rect = QRectF(area.center().x() - width / 2, area.center().y() - height / 2, width, height)
            self._picture_rect_key = key
        return QRectF(self._picture_rect)  # a copy: callers may change theirs

    def paintEvent(self, event) -> None:  # noqa: N802
        """Few painter calls, on purpose: PySide releases the GIL in each, and getting it back
        can take a few ms while other threads run Python (the engine's), so a paint of a dozen
        calls could stall the GUI for tens of ms. Hence the background filled by Qt itself, the
        tally border as one fill under the picture, and the name bar drawn once into an image."""
        painter = QPainter(self)
        target = self.picture_rect()
        ring_px = TALLY_BORDER_PX if self.tally else 1
        painter.fillRect(target.adjusted(-ring_px, -ring_px, ring_px, ring_px), self.tally or IDLE_BORDER)
        if self._image is not None:
            self._draw_picture(painter, target, self._image)
        else:
            painter.fillRect(target, NO_PICTURE)
        if self.no_signal:
            painter.fillRect(target, QColor(0, 0, 0, 150))
            painter.setPen(QColor(255, 200, 60))
            font = QFont(self.font())
            font.setBold(True)
            font.setPixelSize(max(12, int(target.height() / 8)))
            painter.setFont(font)
            painter.drawText(target, Qt.AlignmentFlag.AlignCenter, self.tr("NO SIGNAL"))
        label = self._name_bar(target.width())
        painter.drawImage(QPointF(target.left(), target.bottom() - label.height() / label.devicePixelRatio()), label)
        if self.overlay is not None:
            self.overlay(painter)
        painter.end()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.FontChange:
            self._label_key = None  # the name bar is drawn again in the new font
        super().changeEvent(event)

    def _name_bar(self, width: float) -> QImage:
        """The title on its translucent bar, as wide as the picture: drawn when it changes."""
        ratio = self.devicePixelRatioF()
        key = (self.title, round(width), ratio)
        if key != self._label_key or self._label is None:
            height = max(18, self.fontMetrics().height() + 6)
            label = QImage(max(1, round(width * ratio)), round(height * ratio), QImage.Format.Format_ARGB32_Premultiplied)
            label.setDevicePixelRatio(ratio)
            label.fill(LABEL_BACKGROUND)
            painter = QPainter(label)
            painter.setPen(QColor(235, 235, 240))
            painter.setFont(self.font())
            painter.drawText(QRectF(6, 0, width - 12, height), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.title)
            painter.end()
            self._label, self._label_key = label, key
        return self._label

    def _draw_picture(self, painter: QPainter, target: QRectF, image: QImage) -> None:
        """A picture of (nearly) the shown size is copied pixel for pixel, centred on the target;
        only while a resize settles (the tap not yet reopened at the new size) is it scaled."""
        ratio = image.devicePixelRatio()
        slack_px = abs(image.width() - target.width() * ratio) + abs(image.height() - target.height() * ratio)
        if slack_px > UNSCALED_SLACK_PX:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, image)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            return
        width, height = image.width() / ratio, image.height() / ratio
        left = round((target.center().x() - width / 2) * ratio) / ratio  # on the device pixel grid
        top = round((target.center().y() - height / 2) * ratio) / ratio
        painter.drawImage(QPointF(left, top), image)


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
