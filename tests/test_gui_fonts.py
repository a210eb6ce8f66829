"""The shipped fonts registered with Qt: emoji and Chinese in widgets on a machine without such
fonts (this one has only DejaVu and WenQuanYi from the system; no emoji font at all)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QImage, QRawFont
from PySide6.QtWidgets import QApplication, QLabel

from studio.gui.fonts import EMOJI_FAMILY, register_shipped_fonts
from tests.conftest import REPO_ROOT

T_SHIRT = 0x1F455  # 👕
SHIPPED_FAMILIES = ["WenQuanYi Micro Hei", "WenQuanYi Micro Hei Mono", "DejaVu Sans", "Noto Color Emoji"]


def label_pixels(qtbot, text: str) -> np.ndarray:
    """The label drawn black on white at 32 px, as an (height, width, 3) RGB array."""
    label = QLabel(text)
    qtbot.addWidget(label)
    font = QFont(QApplication.font())
    font.setPixelSize(32)
    label.setFont(font)
    label.setStyleSheet("QLabel { background: white; color: black; }")
    label.adjustSize()
    image = label.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def test_shipped_fonts_are_registered_and_cover_emoji_and_chinese(qtbot):
    families = register_shipped_fonts()
    # applicationFontFamilies lists only fonts this process added: these come from our files.
    assert families == SHIPPED_FAMILIES
    app_font = QApplication.font()
    assert app_font.families()[1:] == ["WenQuanYi Micro Hei", "DejaVu Sans", EMOJI_FAMILY]
    metrics = QFontMetrics(app_font)
    assert metrics.inFontUcs4(T_SHIRT), "no font of the application covers U+1F455"
    assert metrics.inFontUcs4(ord("恤"))
    assert QRawFont.fromFont(QFont(EMOJI_FAMILY)).supportsCharacter(T_SHIRT)
    if hasattr(QFontDatabase, "applicationEmojiFontFamilies"):
        assert EMOJI_FAMILY in QFontDatabase.applicationEmojiFontFamilies()
    # Asked again (the app, then the screenshot path): nothing is added twice.
    assert register_shipped_fonts() == SHIPPED_FAMILIES
    assert QApplication.font().families() == app_font.families()


def test_a_label_draws_the_emoji_in_colour_and_the_chinese(qtbot):
    register_shipped_fonts()
    pixels = label_pixels(qtbot, "👕 T恤")
    height, width, _ = pixels.shape
    saturation = pixels.max(axis=2).astype(int) - pixels.min(axis=2)
    emoji_area = saturation[:, : width // 3]
    assert (emoji_area > 60).sum() > 20, "no coloured pixel where the emoji is: drawn as a box or left blank"
    # The Chinese character, at the right end, is drawn (dark pixels), not left out.
    chinese_area = pixels[:, width * 2 // 3 :].max(axis=2)
    assert (chinese_area < 100).sum() > 20, "恤 is not drawn"


DESKTOP_SCRIPT = r"""
import json
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from studio.gui.desktop import create_application

app, _translators = create_application("en")
print(json.dumps({
    "families": QApplication.font().families(),
    "covers_t_shirt": QFontMetrics(QApplication.font()).inFontUcs4(0x1F455),
}))
"""


def test_the_desktop_app_starts_with_the_shipped_fonts():
    # A process of its own: create_application themes the whole QApplication, which the other
    # GUI tests in this process share.
    result = subprocess.run(
        [sys.executable, "-c", DESKTOP_SCRIPT], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["families"][-1] == EMOJI_FAMILY and "WenQuanYi Micro Hei" in report["families"]
    assert report["covers_t_shirt"]
