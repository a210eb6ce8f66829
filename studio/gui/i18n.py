"""UI languages: English (the source text) and Simplified Chinese.

Translations are Qt .ts files in studio/gui/translations/, compiled to .qm (both committed; run
`python -m studio.gui.i18n` after changing UI text to refresh them with pyside6-lupdate and
pyside6-lrelease). "system" follows the computer's locale.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
SUPPORTED = ("en", "zh_CN")


def resolve_language(preference: str, system_locale: QLocale | None = None) -> str:
    if preference in SUPPORTED:
        return preference
    locale = system_locale or QLocale.system()
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


def install_translators(app: QApplication, language: str) -> list[QTranslator]:
    """Load our translation and Qt's own (standard buttons, dialogs). Returns the translators,
    which must stay alive as long as they are installed."""
    if language == "en":
        return []
    installed = []
    ours = QTranslator(app)
    if ours.load(str(TRANSLATIONS_DIR / f"studio_{language}.qm")):
        app.installTranslator(ours)
        installed.append(ours)
    qt_own = QTranslator(app)
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(f"qtbase_{language}", qt_folder) or qt_own.load(f"qt_{language}", qt_folder):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    return installed


def refresh_translation_files() -> None:
    """Developer step: collect UI strings into the .ts files and compile the .qm files."""
    sources = sorted(str(path) for path in Path(__file__).parent.glob("*.py"))
    for language in SUPPORTED[1:]:
        ts_file = TRANSLATIONS_DIR / f"studio_{language}.ts"
        subprocess.run(["pyside6-lupdate", *sources, "-ts", str(ts_file)], check=True)
        subprocess.run(["pyside6-lrelease", str(ts_file), "-qm", str(ts_file.with_suffix(".qm"))], check=True)


if __name__ == "__main__":
    refresh_translation_files()
    sys.exit(0)
