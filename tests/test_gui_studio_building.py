"""The issue's acceptance in the real main window: a seller builds a scene with the Sources dock,
drags and resizes the layer on the preview monitor, undoes and redoes; after each step the
program picture (read from the engine's own program tap) shows the colour exactly where the
layer says, within 1 px. Waits are on the engine's tick counts, never on sleeps.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from studio.app import build_engine
from studio.engine.builtin_shows import builtin_show
from studio.gui.add_source_dialog import kind_label
from studio.gui.layer_geometry import layer_box
from studio.gui.main_window import MainWindow
from studio.gui.preferences import Preferences, PreferencesStore

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
MAGENTA = (255, 0, 255)


@pytest.fixture
def window(qtbot, tmp_path):
    store = PreferencesStore(tmp_path / "config")
    store.save(Preferences(recording_folder=str(tmp_path / "recordings"), remote_enabled=False))
    window = MainWindow(show=builtin_show("demo"), show_path=None, build_engine=build_engine, preferences_store=store)
    window.tell = lambda title, text: pytest.fail(f"unexpected message {title}: {text}")
    window.resize(1600, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.host.engine is not None, timeout=20_000)
    yield window
    window._close_confirmed = True
    window.host.stop()
    window.host.wait_idle()
    window.close()


class ProgramPicture:
    """The full-size program picture, read after the tick an edit was applied on."""

    def __init__(self, qtbot, window) -> None:
        self.qtbot = qtbot
        self.engine = window.host.engine
        canvas = window.document.canvas
        self.tap = self.engine.open_video_tap("program", canvas.width, canvas.height, 30)
        # Each edit is one engine command: the n-th tick reported belongs to the n-th edit.
        self.edits = 0
        self.applied: list[int] = []
        window.session.events.show_changed.connect(self._count_edit)
        self.engine.events.show_edit_applied.connect(self.applied.append)

    def _count_edit(self, _show) -> None:
        self.edits += 1

    def after_last_edit(self) -> np.ndarray:
        self.qtbot.waitUntil(lambda: self.edits > 0 and len(self.applied) >= self.edits, timeout=10_000)
        tick = self.applied[-1]
        self.qtbot.waitUntil(lambda: (p := self.tap.latest()) is not None and p.tick > tick, timeout=10_000)
        return self.tap.latest().rgb

    def close(self) -> None:
        self.engine.close_video_tap(self.tap)


def magenta_box(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the magenta pixels, half-open."""
    mask = (rgb[..., 0] > 200) & (rgb[..., 1] < 60) & (rgb[..., 2] > 200)
    ys, xs = np.nonzero(mask)
    assert xs.size, "no magenta on program"
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def assert_box_is_layer(rgb: np.ndarray, layer) -> None:
    expected = (layer.x, layer.y, layer.x + layer.width, layer.y + layer.height)
    found = magenta_box(rgb)
    assert all(abs(a - b) <= 1 for a, b in zip(found, expected, strict=True)), f"program shows {found}, the layer says {expected}"


def test_build_a_scene_drag_resize_undo_redo_and_program_follows(qtbot, window):
    session = window.session
    program = ProgramPicture(qtbot, window)
    try:
        # A new scene from the Scenes dock, on preview (the Layers dock and the editor follow it).
        assert window.scenes.add_scene("Shop", rename=False)
        window.host.engine.set_preview("Shop")
        qtbot.waitUntil(lambda: window.scene_editor.current_scene_id() == "shop", timeout=10_000)
        # A colour source through the Sources dock's Add dialog: it lands on that scene.
        next(a for a in window.sources.add_menu.actions() if a.text() == kind_label("colour")).trigger()
        dialog = window.sources.dialog
        dialog.name_edit.clear()
        qtbot.keyClicks(dialog.name_edit, "Magenta card")
        dialog.form.editor("colour").clear()
        qtbot.keyClicks(dialog.form.editor("colour"), "#ff00ff")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
        qtbot.waitUntil(lambda: len(session.layers("Shop")) == 1, timeout=5000)
        (layer,) = session.layers("Shop")
        # Make it a card-sized layer with exact numbers, then put the scene on program.
        window.history.run("Transform", lambda: session.update_layer("Shop", layer.id, x=200, y=120, width=640, height=360))
        window.host.engine.cut("Shop")
        window.host.engine.set_preview("Shop")  # the cut swapped FRONT onto preview; edit Shop there too
        qtbot.waitUntil(lambda: window.host.engine.program_scene == window.host.engine.preview_scene == "Shop", timeout=10_000)
        assert_box_is_layer(program.after_last_edit(), session.layer("Shop", layer.id))
        steps = [session.layer("Shop", layer.id)]

        editor = window.layer_editor
        canvas = session.show.canvas
        qtbot.waitUntil(lambda: editor.scene_id == "shop", timeout=5000)

        def widget_point(canvas_x: float, canvas_y: float) -> QPoint:
            rect = editor.to_widget(layer_box(session.layer("Shop", layer.id), canvas))
            scale = rect.width() / session.layer("Shop", layer.id).width
            box = session.layer("Shop", layer.id)
            return QPoint(round(rect.left() + (canvas_x - box.x) * scale), round(rect.top() + (canvas_y - box.y) * scale))

        # Drag it by a known offset on the preview.
        qtbot.waitUntil(lambda: editor._layer(layer.id) == session.layer("Shop", layer.id), timeout=5000)
        start = widget_point(520, 300)
        QTest.mousePress(editor, LEFT, NONE, start)
        for step in range(1, 6):
            QTest.mouseMove(editor, start + QPoint(20 * step, 10 * step))
        QTest.mouseRelease(editor, LEFT, NONE, start + QPoint(100, 50))
        qtbot.waitUntil(lambda: session.layer("Shop", layer.id).x != 200, timeout=5000)
        moved = session.layer("Shop", layer.id)
        scale = editor.to_widget(layer_box(moved, canvas)).width() / moved.width
        assert abs(moved.x - (200 + 100 / scale)) <= 2 and abs(moved.y - (120 + 50 / scale)) <= 2
        assert_box_is_layer(program.after_last_edit(), moved)
        steps.append(moved)

        # Resize it by the bottom-right handle: the aspect ratio is kept. (The editor hears of
        # edits through a queued signal: let it catch up with the session before aiming.)
        qtbot.waitUntil(lambda: editor._layer(layer.id) == moved, timeout=5000)
        editor.select_layer("shop", layer.id)
        corner = editor._handle_points(layer_box(moved, canvas))["br"]
        start = QPoint(round(corner.x()), round(corner.y()))
        assert editor.handle_at(QPointF(start)) == "br"
        QTest.mousePress(editor, LEFT, NONE, start)
        QTest.mouseMove(editor, start + QPoint(40, 40))
        QTest.mouseRelease(editor, LEFT, NONE, start + QPoint(80, 80))
        qtbot.waitUntil(lambda: session.layer("Shop", layer.id).width != moved.width, timeout=5000)
        resized = session.layer("Shop", layer.id)
        assert (resized.x, resized.y) == (moved.x, moved.y) and resized.width > moved.width
        assert abs(resized.width / resized.height - 16 / 9) < 0.01
        assert_box_is_layer(program.after_last_edit(), resized)
        steps.append(resized)

        # Undo the resize and the drag, then redo both: program follows each step.
        for expected in (steps[1], steps[0]):
            window.history.undo_action.trigger()
            assert session.layer("Shop", layer.id) == expected
            assert_box_is_layer(program.after_last_edit(), expected)
        for expected in (steps[1], steps[2]):
            window.history.redo_action.trigger()
            assert session.layer("Shop", layer.id) == expected
            assert_box_is_layer(program.after_last_edit(), expected)
        assert window.dirty and "Magenta card" in [s.name for s in window.document.sources]
    finally:
        program.close()
