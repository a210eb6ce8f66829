"""Starting the desktop app, and `studio screenshot`.

The composition for the GUI: a QApplication with the dark theme, the shipped fonts and the
user's language, the show to open (the one named, else the last one, else the demo; a show that
fails to load opens the demo with a message naming the file and the field), and the main window.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from studio.engine.errors import InputError
from studio.engine.show import Show
from studio.gui.fonts import register_shipped_fonts
from studio.gui.i18n import install_translators, resolve_language
from studio.gui.preferences import Preferences, PreferencesStore
from studio.gui.theme import apply_dark_theme


def create_application(language_preference: str) -> tuple[QApplication, list]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Live Selling Studio")
    app.setOrganizationName("live-selling-studio")
    apply_dark_theme(app)
    # Before any widget exists: Chinese and emoji in product titles and comments need the
    # shipped fonts on a machine without CJK or emoji fonts (`studio screenshot` comes here too).
    register_shipped_fonts()
    translators = install_translators(app, resolve_language(language_preference))
    return app, translators


def initial_show(reference: str | None, preferences: Preferences) -> tuple[Show, Path | None, str | None]:
    """(show, its file or None for a built-in show, an error message to show or None)."""
    from studio.app import resolve_show
    from studio.engine.builtin_shows import BUILTIN_SHOWS, builtin_show

    if reference is None and preferences.last_show and Path(preferences.last_show).exists():
        reference = preferences.last_show
    if reference is None:
        return builtin_show("demo"), None, None
    try:
        show = resolve_show(reference)
    except InputError as error:
        return builtin_show("demo"), None, str(error)
    is_file = not (reference in BUILTIN_SHOWS and not Path(reference).exists())
    return show, Path(reference) if is_file else None, None


def build_window(reference: str | None, store: PreferencesStore, *, any_guest_port: bool = False):
    """`any_guest_port`: the guest service on a free port instead of the show's (a screenshot
    must not meet, or hold, the port of a studio running on the same machine)."""
    from studio.app import build_engine
    from studio.gui.main_window import MainWindow

    preferences = store.load()
    app, translators = create_application(preferences.language)
    show, path, error = initial_show(reference, preferences)
    if any_guest_port:
        show = show.model_copy(update={"guests": show.guests.model_copy(update={"port": 0})})
    window = MainWindow(show=show, show_path=path, build_engine=build_engine, preferences_store=store)
    window._translators = translators  # they must live as long as the window
    if reference is None and not preferences.last_show:
        # The very first start: a show of the seller's own cameras, if there are any.
        QTimer.singleShot(0, window.offer_starter_show_at_first_run)
    if error:
        title = QCoreApplication.translate("MainWindow", "Could not open the show")
        text = QCoreApplication.translate("MainWindow", "{error}\n\nThe demo show is open instead.").format(error=error)
        QTimer.singleShot(0, lambda: window.tell(title, text))
    return app, window


def run_desktop(reference: str | None = None) -> int:
    app, window = build_window(reference, PreferencesStore())
    window.show()
    return app.exec()


ENGINE_START_LIMIT_S = 60.0


def take_screenshot(out: Path, width: int, height: int, *, reference: str | None, language: str, settle_s: float) -> Path:
    """Render the main window on the running show to a PNG, after letting pictures and meters
    settle. Uses its own preferences folder so the user's layout is neither used nor changed."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="studio-screenshot-") as folder:
        os.environ["STUDIO_DATA_DIR"] = folder  # the session's comment store is thrown away too
        store = PreferencesStore(Path(folder))
        store.save(Preferences(language=language, recording_folder=folder, remote_enabled=False))
        app, window = build_window(reference or "demo", store, any_guest_port=True)
        window.resize(width, height)
        window.show()
        # The settle time counts from the show running: on a busy machine starting it alone can
        # take longer than the settle time, and a picture of "Program: starting" shows nothing.
        started_by_s = time.monotonic() + ENGINE_START_LIMIT_S
        while window.host.engine is None and time.monotonic() < started_by_s:
            app.processEvents()
            time.sleep(0.01)
        deadline_s = time.monotonic() + settle_s
        while time.monotonic() < deadline_s:
            app.processEvents()
            time.sleep(0.01)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            raise InputError(f"could not write a PNG to {out}", field="--out")
        window._close_confirmed = True
        window.host.stop()
        window.host.wait_idle()
        window.close()
    return out
