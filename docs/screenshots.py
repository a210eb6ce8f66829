"""Renders the README's pictures of building a studio in the app (offscreen, on the demo show):

- editing-WxH[-zh_CN].png: a picture-in-picture inset being resized by its corner handle on the
  preview, with the Scenes, Layers and Sources docks;
- add-camera[-zh_CN].png: the dialog that adds a camera (its settings form from the plugin);
- vertical-edit-1920x1080[-zh_CN].png: the vertical column in Edit layout, the PIP inset moved
  down on the tall canvas and selected, the card anchored at the bottom there.

    PYTHONPATH=. .venv/bin/python docs/screenshots.py          # all sizes and languages
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SIZES = ((1920, 1080), (1366, 768))
LANGUAGES = ("en", "zh_CN")


def settle(app, seconds: float, until=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (until and until()):
        app.processEvents()
        time.sleep(0.01)


def render(width: int, height: int, language: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from studio.gui.add_source_dialog import AddSourceDialog
    from studio.gui.desktop import build_window
    from studio.gui.layer_geometry import layer_box
    from studio.gui.preferences import Preferences, PreferencesStore

    suffix = f"-{width}x{height}" + ("" if language == "en" else f"-{language}")
    with tempfile.TemporaryDirectory(prefix="studio-docs-") as folder:
        os.environ["STUDIO_DATA_DIR"] = folder
        store = PreferencesStore(Path(folder))
        store.save(Preferences(language=language, recording_folder=folder, remote_enabled=False))
        app, window = build_window("demo", store, any_guest_port=True)
        window.resize(width, height)
        window.show()
        settle(app, 20, until=lambda: window.host.engine is not None)
        session = window.session
        session.engine.set_preview("PIP")
        settle(app, 1.5)
        inset = session.layers("PIP")[-1]
        pip_id = next(scene.id for scene in session.show.scenes if scene.name == "PIP")
        editor = window.layer_editor
        editor.select_layer(pip_id, inset.id)
        window.scene_editor.select_layer(pip_id, inset.id)
        settle(app, 0.3)
        corner = editor._handle_points(layer_box(inset, session.show.canvas))["tl"]
        start = QPoint(round(corner.x()), round(corner.y()))
        QTest.mousePress(editor, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        for step in range(1, 11):  # a hand drag: the inset grows by its top-left corner
            QTest.mouseMove(editor, start - QPoint(6 * step, 3 * step))
            settle(app, 0.05)
        settle(app, 1.0)
        window.grab().save(str(DOCS / f"editing{suffix}.png"))
        QTest.mouseRelease(editor, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start - QPoint(60, 30))
        if width == 1920:
            dialog = AddSourceDialog(window.history, "camera", scene="PIP", parent=window)
            dialog.show()
            settle(app, 0.5)
            dialog.grab().save(str(DOCS / ("add-camera" + ("" if language == "en" else f"-{language}") + ".png")))
            dialog.reject()
            column = window.canvas_column
            column.set_editing(True)
            tall_inset = session.layers("PIP", canvas="vertical")[-1]
            session.update_layer("PIP", tall_inset.id, canvas="vertical", y=1180)
            session.set_canvas_overlays("vertical", {"card": {"anchor": "bottom", "margin_px": 320}})
            settle(app, 0.3)
            column.layer_editor.select_layer(pip_id, tall_inset.id)
            settle(app, 1.5)
            window.grab().save(str(DOCS / f"vertical-edit{suffix}.png"))
        window._close_confirmed = True
        window.host.stop()
        window.host.wait_idle()
        window.close()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        width, height = (int(v) for v in sys.argv[2].split("x"))
        render(width, height, sys.argv[3])
        return
    for width, height in SIZES:
        for language in LANGUAGES:  # one process each: the UI language is chosen at start
            subprocess.run([sys.executable, __file__, "--one", f"{width}x{height}", language], check=True)
            print(f"rendered {width}x{height} {language}")


if __name__ == "__main__":
    main()
