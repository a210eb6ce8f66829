"""The dark theme: Fusion with a dark palette (readable under studio lights, no glare on the
seller's face), plus a few accents for the on-air buttons."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

ON_AIR_STYLE = "QPushButton { background: #b3261e; color: white; font-weight: bold; }"
RECORDING_STYLE = "QPushButton { background: #8c1d18; color: white; font-weight: bold; }"

EXTRA_STYLE = """
QDockWidget::title { padding: 4px 6px; background: #2b2b31; }
QPushButton { padding: 5px 12px; }
QToolBar { spacing: 6px; padding: 3px; }
"""


def apply_dark_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: QColor(37, 37, 42),
        QPalette.ColorRole.WindowText: QColor(225, 225, 230),
        QPalette.ColorRole.Base: QColor(26, 26, 30),
        QPalette.ColorRole.AlternateBase: QColor(44, 44, 50),
        QPalette.ColorRole.ToolTipBase: QColor(50, 50, 56),
        QPalette.ColorRole.ToolTipText: QColor(235, 235, 240),
        QPalette.ColorRole.Text: QColor(225, 225, 230),
        QPalette.ColorRole.Button: QColor(52, 52, 58),
        QPalette.ColorRole.ButtonText: QColor(230, 230, 235),
        QPalette.ColorRole.BrightText: QColor(255, 80, 80),
        QPalette.ColorRole.Highlight: QColor(52, 120, 200),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(90, 160, 240),
        QPalette.ColorRole.PlaceholderText: QColor(140, 140, 148),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 128))
    app.setPalette(palette)
    app.setStyleSheet(EXTRA_STYLE)
