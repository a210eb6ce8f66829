"""Small line icons for the editing docks (add, remove, up, down, eye, lock...), drawn with
QPainter in the palette's text colour, so they need no icon theme or image files and follow the
dark theme. Each is a 16x16 drawing, rendered for 1x and 2x screens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

Drawing = Callable[[QPainter], None]


def _plus(painter: QPainter) -> None:
    painter.drawLine(QPointF(8, 3), QPointF(8, 13))
    painter.drawLine(QPointF(3, 8), QPointF(13, 8))


def _minus(painter: QPainter) -> None:
    painter.drawLine(QPointF(3, 8), QPointF(13, 8))


def _up(painter: QPainter) -> None:
    painter.drawPolyline([QPointF(3.5, 10.5), QPointF(8, 5.5), QPointF(12.5, 10.5)])


def _down(painter: QPainter) -> None:
    painter.drawPolyline([QPointF(3.5, 5.5), QPointF(8, 10.5), QPointF(12.5, 5.5)])


def _eye(painter: QPainter) -> None:
    path = QPainterPath(QPointF(1.5, 8))
    path.quadTo(QPointF(8, 1), QPointF(14.5, 8))
    path.quadTo(QPointF(8, 15), QPointF(1.5, 8))
    painter.drawPath(path)
    painter.drawEllipse(QPointF(8, 8), 2.2, 2.2)


def _use_faint_pen(painter: QPainter) -> QPen:
    """Draw with the current pen at 45% opacity (an "off" state); returns the pen to put back."""
    pen = painter.pen()
    faint = QPen(pen)
    colour = QColor(pen.color())
    colour.setAlphaF(0.45)
    faint.setColor(colour)
    painter.setPen(faint)
    return pen


def _eye_off(painter: QPainter) -> None:
    pen = _use_faint_pen(painter)
    _eye(painter)
    painter.setPen(pen)
    painter.drawLine(QPointF(2.5, 13.5), QPointF(13.5, 2.5))


def _lock(painter: QPainter) -> None:
    painter.drawRoundedRect(QRectF(3.5, 7.5, 9, 6.5), 1.2, 1.2)
    painter.drawArc(QRectF(5, 2.5, 6, 8), 0, 180 * 16)
    painter.drawLine(QPointF(5, 6.5), QPointF(5, 7.5))
    painter.drawLine(QPointF(11, 6.5), QPointF(11, 7.5))


def _unlock(painter: QPainter) -> None:
    pen = _use_faint_pen(painter)
    painter.drawRoundedRect(QRectF(3.5, 7.5, 9, 6.5), 1.2, 1.2)
    painter.drawArc(QRectF(8, 1.5, 6, 8), 0, 180 * 16)
    painter.drawLine(QPointF(8, 5.5), QPointF(8, 7.5))
    painter.setPen(pen)


def _duplicate(painter: QPainter) -> None:
    painter.drawRect(QRectF(2.5, 2.5, 8, 8))
    painter.drawRect(QRectF(5.5, 5.5, 8, 8))


def _rename(painter: QPainter) -> None:
    painter.drawLine(QPointF(3, 13), QPointF(13, 3))
    painter.drawLine(QPointF(2.5, 13.5), QPointF(5.5, 13.5))


def _properties(painter: QPainter) -> None:
    for y, knob in ((4, 10), (8, 5), (12, 9)):
        painter.drawLine(QPointF(2, y), QPointF(14, y))
        painter.drawEllipse(QPointF(knob, y), 1.6, 1.6)


def _transform(painter: QPainter) -> None:
    painter.drawRect(QRectF(3.5, 3.5, 9, 9))
    for x, y in ((3.5, 3.5), (12.5, 3.5), (3.5, 12.5), (12.5, 12.5)):
        painter.fillRect(QRectF(x - 1.5, y - 1.5, 3, 3), painter.pen().color())


def _layout(painter: QPainter) -> None:
    painter.drawRect(QRectF(1.5, 3.5, 13, 9))
    painter.drawRect(QRectF(9, 8, 4, 3))


def _scene_add(painter: QPainter) -> None:
    painter.drawRect(QRectF(1.5, 4.5, 9, 7))
    painter.drawLine(QPointF(12.5, 6), QPointF(12.5, 12))
    painter.drawLine(QPointF(9.5, 9), QPointF(15.5, 9))


DRAWINGS: dict[str, Drawing] = {
    "add": _plus,
    "remove": _minus,
    "up": _up,
    "down": _down,
    "visible": _eye,
    "hidden": _eye_off,
    "locked": _lock,
    "unlocked": _unlock,
    "duplicate": _duplicate,
    "rename": _rename,
    "properties": _properties,
    "transform": _transform,
    "layout": _layout,
    "add_to_scene": _scene_add,
}


def edit_icon(name: str, colour: QColor | None = None) -> QIcon:
    """The icon `name` (a key of DRAWINGS) in `colour`, or the palette's text colour."""
    if colour is None:
        app = QApplication.instance()
        colour = app.palette().color(QPalette.ColorRole.WindowText) if app is not None else QColor(225, 225, 230)
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(16 * scale, 16 * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(colour, 1.4)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        DRAWINGS[name](painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
