"""The fonts shipped in studio/assets/fonts, made known to Qt.

Product titles and comments hold Chinese and emoji ("👕 T恤"); a bare machine (or a minimal
container) may have neither a CJK nor an emoji font, so the panels would show empty boxes where
the overlays, which draw with the same files through Pillow, show the text. Registering the
files with QFontDatabase and naming them after the UI font in the application font's families
makes Qt fall back to them per character: the UI font for what it covers, then WenQuanYi Micro
Hei (CJK), DejaVu Sans (right-to-left scripts), Noto Color Emoji.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from studio.engine.graphics.fonts import FONT_DIR

log = logging.getLogger(__name__)

# (file, the family it provides) in fallback order after the UI font.
SHIPPED_FONTS: tuple[tuple[str, str], ...] = (
    ("wqy-microhei.ttc", "WenQuanYi Micro Hei"),
    ("DejaVuSans.ttf", "DejaVu Sans"),
    ("NotoColorEmoji.ttf", "Noto Color Emoji"),
)
EMOJI_FAMILY = "Noto Color Emoji"
# Set on the QApplication once its fonts are registered: the app and the screenshot path may
# both ask, and adding a file twice would list its families twice.
_REGISTERED_PROPERTY = "studio_shipped_font_families"


def register_shipped_fonts() -> list[str]:
    """Add the shipped font files to Qt's font database (once per application) and put their
    families behind the UI font in the application font. Returns the families registered."""
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("register_shipped_fonts() needs a QApplication")
    already = app.property(_REGISTERED_PROPERTY)
    if already is not None:
        return list(already)
    families: list[str] = []
    for file_name, _family in SHIPPED_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(FONT_DIR / file_name))
        if font_id < 0:
            log.warning("the shipped font %s could not be loaded; text in its scripts may show as boxes", file_name)
            continue
        families += [name for name in QFontDatabase.applicationFontFamilies(font_id) if name not in families]
    if EMOJI_FAMILY in families and hasattr(QFontDatabase, "addApplicationEmojiFontFamily"):
        # Qt 6.9+: emoji sequences (ZWJ, skin tones, VS16) go to this family as whole clusters,
        # in colour, even where the UI font has a black-and-white glyph for the base character.
        QFontDatabase.addApplicationEmojiFontFamily(EMOJI_FAMILY)
    font = QApplication.font()
    fallbacks = [family for _file, family in SHIPPED_FONTS if family in families]
    font.setFamilies(list(dict.fromkeys([font.family(), *fallbacks])))
    QApplication.setFont(font)
    app.setProperty(_REGISTERED_PROPERTY, families)
    return families


__all__ = ["EMOJI_FAMILY", "SHIPPED_FONTS", "register_shipped_fonts"]
