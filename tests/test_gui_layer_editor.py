"""Direct editing of layers on the preview monitor (studio.gui.layer_editor), on a real session.

The monitor is 966x546: inside its 3 px border the picture is exactly 960x540, half the demo's
1920x1080 canvas, so one widget pixel is two canvas pixels. Edits are checked in the session's
show and, for the acceptance, in the engine's own program picture after the tick that applied them.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from studio.engine.builtin_shows import builtin_show
from studio.engine.errors import InputError
from studio.engine.show import Canvas, Fit, Layer
from studio.gui import layer_editor as editor_module
from studio.gui.layer_editor import LayerEditor
from studio.gui.layer_geometry import Snapper, cropped, source_side
from studio.gui.monitors import MonitorView
from studio.session import SessionOptions, StudioSession

LEFT = Qt.MouseButton.LeftButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SCALE = 0.5  # widget pixels per canvas pixel
ORIGIN = 3  # the picture's top-left corner in the widget (the monitor's border)


class Studio:
    """A running session on the demo show, a preview monitor and the editor on it, with a scene
    EDIT on preview holding one red layer at a known box."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.session = StudioSession(builtin_show("demo"), SessionOptions())
        self.engine = self.session.start()
        # Every show edit is drawn from some tick on: the engine says which (show_edit_applied).
        self.edits_made = 0
        self.applied_ticks: list[int] = []
        self.session.events.show_changed.connect(self._count_edit)
        self.engine.events.show_edit_applied.connect(self._record_applied)
        self.monitor = MonitorView("Preview")
        self.monitor.resize(966, 546)
        self.monitor.attach(lambda w, h: self.engine.open_video_tap("preview", w, h, 30), self.engine.close_video_tap)
        self.edits: list[tuple[str, str | None]] = []
        self.editor = LayerEditor(self.monitor, self.session, apply_edit=self._apply_edit)
        self.monitor.show()
        qtbot.waitExposed(self.monitor)
        assert self.monitor.picture_rect().width() == 960 and self.monitor.picture_rect().left() == ORIGIN

        self.red = self.session.add_source("colour", "Red", {"colour": [255, 0, 0]})  # 1920x1080
        self.scene = self.session.add_scene("EDIT")
        self.layer_id = self.session.add_layer(self.scene, self.red.id, x=200, y=100, width=480, height=270).id
        self.engine.set_preview("EDIT")
        qtbot.waitUntil(lambda: self.engine.preview_scene == "EDIT", timeout=10_000)
        self.editor.set_scene(self.engine.preview_scene)

    def _count_edit(self, show) -> None:
        self.edits_made += 1

    def _record_applied(self, tick: int) -> None:
        self.applied_ticks.append(tick)

    def _apply_edit(self, description, edit, merge_key):
        self.edits.append((description, merge_key))
        return edit()

    def layer(self, layer_id: int | None = None) -> Layer:
        return self.session.layer(self.scene, layer_id or self.layer_id)

    def close(self) -> None:
        self.editor.detach()
        self.monitor.attach(None, None)
        self.monitor.close()
        self.session.stop()


@pytest.fixture
def studio(qtbot):
    studio = Studio(qtbot)
    yield studio
    studio.close()


def widget_point(x: float, y: float) -> QPoint:
    """Canvas pixels to the editor's (widget) pixels."""
    return QPoint(round(ORIGIN + x * SCALE), round(ORIGIN + y * SCALE))


def centre_of(layer: Layer) -> QPoint:
    return widget_point(layer.x + layer.width / 2, layer.y + layer.height / 2)


def drag(widget, start: QPoint, end: QPoint, modifiers=NO_MODIFIER) -> None:
    """Press, move (one step, with the modifiers held) and release, as a user drags."""
    QTest.mousePress(widget, LEFT, modifiers, start)
    move(widget, end, modifiers)
    QTest.mouseRelease(widget, LEFT, modifiers, end)


def move(widget, point: QPoint, modifiers=NO_MODIFIER) -> None:
    # QTest.mouseMove cannot hold modifiers: the same event, built by hand.
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(point), QPointF(widget.mapToGlobal(point)), Qt.MouseButton.NoButton, LEFT, modifiers)
    QApplication.sendEvent(widget, event)


def red_mask(rgb: np.ndarray) -> np.ndarray:
    picture = rgb.astype(int)
    return (picture[..., 0] > 150) & (picture[..., 1] < 90) & (picture[..., 2] < 90)


def test_select_drag_and_resize_a_layer_and_see_it_on_program(studio, qtbot):
    editor, session = studio.editor, studio.session
    selections = []
    editor.layer_selected.connect(lambda scene, layer: selections.append((scene, layer)))
    start = studio.layer()
    assert (start.x, start.y, start.width, start.height) == (200, 100, 480, 270)

    # Click its centre: selected.
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, centre_of(start))
    assert editor.selected_layer_id == studio.layer_id
    assert selections == [(studio.scene, studio.layer_id)]

    # Drag it by (+192, +96) widget pixels: (+384, +192) canvas pixels.
    centre = centre_of(start)
    QTest.mousePress(editor, LEFT, NO_MODIFIER, centre)
    QTest.mouseMove(editor, centre + QPoint(100, 40))
    QTest.mouseMove(editor, centre + QPoint(192, 96))
    QTest.mouseRelease(editor, LEFT, NO_MODIFIER, centre + QPoint(192, 96))
    moved = studio.layer()
    assert (moved.x, moved.y, moved.width, moved.height) == (584, 292, 480, 270)
    assert studio.edits and all(key == f"move:{studio.scene}:{studio.layer_id}" for _, key in studio.edits)

    # The bottom-right handle by (+96, +54) widget pixels: 1.4 times as big, the aspect kept.
    corner = widget_point(moved.x + moved.width, moved.y + moved.height)
    QTest.mousePress(editor, LEFT, NO_MODIFIER, corner)
    QTest.mouseMove(editor, corner + QPoint(60, 10))
    QTest.mouseMove(editor, corner + QPoint(96, 54))
    QTest.mouseRelease(editor, LEFT, NO_MODIFIER, corner + QPoint(96, 54))
    resized = studio.layer()
    assert (resized.x, resized.y, resized.width, resized.height) == (584, 292, 672, 378)
    assert studio.edits[-1][1] == f"resize:{studio.scene}:{studio.layer_id}"

    # Program: the red box is where the layer says, within a pixel, once the engine drew the edit.
    qtbot.waitUntil(lambda: len(studio.applied_ticks) >= studio.edits_made, timeout=10_000)
    last_edit_tick = studio.applied_ticks[-1]
    program = studio.engine.open_video_tap("program", 1920, 1080, 30)
    session.engine.cut("EDIT")
    qtbot.waitUntil(lambda: studio.engine.program_scene == "EDIT" and program.latest() is not None, timeout=10_000)
    after = max(last_edit_tick, program.latest().tick)

    def drawn():
        picture = program.latest()
        return picture is not None and picture.tick > after and bool(red_mask(picture.rgb)[292 + 189, 584 + 336])

    qtbot.waitUntil(drawn, timeout=10_000)
    picture = program.latest()
    assert picture.rgb.shape == (1080, 1920, 3)
    mask = red_mask(picture.rgb)
    columns = np.flatnonzero(mask[292 + 189])
    rows = np.flatnonzero(mask[:, 584 + 336])
    assert abs(columns[0] - 584) <= 1 and abs(columns[-1] - (584 + 672 - 1)) <= 1, (columns[0], columns[-1])
    assert abs(rows[0] - 292) <= 1 and abs(rows[-1] - (292 + 378 - 1)) <= 1, (rows[0], rows[-1])
    assert mask.sum() == pytest.approx(672 * 378, rel=0.01)  # one box, nothing else red
    studio.engine.close_video_tap(program)


def test_shift_resize_frees_the_aspect_ratio(studio):
    editor = studio.editor
    layer = studio.layer()
    editor.select_layer(studio.scene, studio.layer_id)
    corner = widget_point(layer.x + layer.width, layer.y + layer.height)
    drag(editor, corner, corner + QPoint(50, 0), SHIFT)  # +100 canvas px wide, no taller
    assert (studio.layer().x, studio.layer().y, studio.layer().width, studio.layer().height) == (200, 100, 580, 270)
    # Free, an edge handle changes one side only; kept, it scales the other side about its centre.
    bottom = widget_point(layer.x + 290, layer.y + layer.height)
    drag(editor, bottom, bottom + QPoint(0, 20), SHIFT)
    assert (studio.layer().width, studio.layer().height) == (580, 310)
    right = widget_point(200 + 580, 100 + 155)
    drag(editor, right, right + QPoint(-145, 0))  # 580 -> 290 wide: half, so 155 high about the centre
    after = studio.layer()
    assert (after.x, after.width, after.height, after.y) == (200, 290, 155, 100 + 78)


def test_alt_drag_crops_in_source_pixels(studio):
    editor = studio.editor
    editor.select_layer(studio.scene, studio.layer_id)
    layer = studio.layer()  # a 1920x1080 source in a 480x270 box: 4 source px per canvas px
    right = widget_point(layer.x + layer.width, layer.y + layer.height / 2)
    drag(editor, right, right + QPoint(-25, 0), ALT)  # 50 canvas px in from the right
    after = studio.layer()
    assert after.crop.right == 200 and after.crop.left == after.crop.top == after.crop.bottom == 0
    assert (after.x, after.y, after.width, after.height) == (200, 100, 430, 270)  # same scale, narrower
    assert studio.edits[-1][1] == f"crop:{studio.scene}:{studio.layer_id}"
    # Alt on an edge away from the handles crops too: the top edge, 20 canvas px down.
    top = widget_point(after.x + 100, after.y)
    drag(editor, top, top + QPoint(0, 10), ALT)
    after = studio.layer()
    assert after.crop.top == 80 and (after.y, after.height) == (120, 250)
    # Dragging back out uncrops, never below zero.
    drag(editor, widget_point(after.x + after.width, after.y + 100), widget_point(after.x + after.width + 200, after.y + 100), ALT)
    assert studio.layer().crop.right == 0 and studio.layer().width == 480


def test_crop_through_rotation_and_an_unknown_source_size():
    canvas = Canvas()
    snapper = Snapper([], [], 0, enabled=False)
    turned = Layer(source="x", x=0, y=0, width=540, height=960, rotation=90)  # 1920x1080 turned upright
    # The box's top shows the source's left: 50 canvas px down is 100 source px off its left.
    changes = cropped(turned, canvas, (1920, 1080), "t", 0, 50, snapper)
    assert changes["crop"]["left"] == 100 and changes["y"] == 50 and changes["height"] == 910
    assert source_side("l", 0, True) == "right" and source_side("r", 270, False) == "bottom"
    # Unknown source size: one source pixel per canvas pixel.
    plain = Layer(source="x", x=10, y=10, width=300, height=200, fit=Fit.STRETCH)
    assert cropped(plain, canvas, None, "l", 40, 0, snapper)["crop"]["left"] == 40


def test_dragging_snaps_to_the_canvas_left_edge_unless_ctrl_is_held(studio):
    editor = studio.editor
    layer = studio.layer()
    centre = centre_of(layer)
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, centre)
    drag(editor, centre, centre + QPoint(-97, 0))  # would land at x = 6 canvas px (3 screen px)
    assert studio.layer().x == 0 and studio.layer().y == 100
    centre = centre_of(studio.layer())
    drag(editor, centre, centre + QPoint(3, 0), CTRL)  # 6 canvas px, snapping off
    assert studio.layer().x == 6
    assert "Ctrl" in editor.toolTip()


def test_arrow_keys_nudge_by_one_and_shift_by_ten(studio):
    editor = studio.editor
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, centre_of(studio.layer()))
    QTest.keyClick(editor, Qt.Key.Key_Right)
    assert (studio.layer().x, studio.layer().y) == (201, 100)
    QTest.keyClick(editor, Qt.Key.Key_Down, SHIFT)
    assert (studio.layer().x, studio.layer().y) == (201, 110)
    QTest.keyClick(editor, Qt.Key.Key_Left, SHIFT)
    QTest.keyClick(editor, Qt.Key.Key_Up)
    assert (studio.layer().x, studio.layer().y) == (191, 109)


def test_a_locked_layer_is_selected_but_does_not_move(studio):
    editor = studio.editor
    studio.session.update_layer(studio.scene, studio.layer_id, locked=True)
    studio.qtbot.waitUntil(lambda: editor._layer(studio.layer_id).locked)
    centre = centre_of(studio.layer())
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, centre)
    assert editor.selected_layer_id == studio.layer_id
    edits = len(studio.edits)
    drag(editor, centre, centre + QPoint(100, 50))
    corner = widget_point(678, 368)  # on the bottom-right handle, were it unlocked
    drag(editor, corner, corner + QPoint(40, 40))
    QTest.keyClick(editor, Qt.Key.Key_Right)
    layer = studio.layer()
    assert (layer.x, layer.y, layer.width, layer.height) == (200, 100, 480, 270)
    assert len(studio.edits) == edits
    assert editor.selected_layer_id == studio.layer_id


def test_click_picks_the_topmost_visible_layer_and_empty_canvas_deselects(studio):
    editor, session = studio.editor, studio.session
    selections = []
    editor.layer_selected.connect(lambda scene, layer: selections.append(layer))
    front = session.source("FRONT")
    top = session.add_layer(studio.scene, front.id, x=400, y=200, width=400, height=300).id
    hidden = session.add_layer(studio.scene, front.id, x=400, y=200, width=100, height=100, visible=False).id
    studio.qtbot.waitUntil(lambda: editor._layer(hidden) is not None)
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, widget_point(450, 250))  # under the hidden one: the top visible
    assert editor.selected_layer_id == top
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, widget_point(250, 150))  # only the red one there
    assert editor.selected_layer_id == studio.layer_id
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, widget_point(1500, 900))  # nothing there
    assert editor.selected_layer_id is None
    assert selections == [top, studio.layer_id, 0]
    # A layers list elsewhere selects without an echo; another scene's id is ignored.
    editor.select_layer(studio.scene, top)
    assert editor.selected_layer_id == top and selections == [top, studio.layer_id, 0]
    editor.select_layer("front", studio.layer_id)
    assert editor.selected_layer_id == top


def test_a_drag_sends_at_most_one_edit_per_interval_and_always_the_last(studio, qtbot, monkeypatch):
    editor = studio.editor
    now = [1000.0]
    monkeypatch.setattr(editor_module.time, "monotonic", lambda: now[0])
    centre = centre_of(studio.layer())
    QTest.mousePress(editor, LEFT, NO_MODIFIER, centre)
    before = len(studio.edits)
    for step in range(1, 11):
        move(editor, centre + QPoint(step * 4, 0))  # ten moves in the same instant
    assert len(studio.edits) == before + 1  # the first went at once, the rest wait
    assert studio.layer().x == 208
    qtbot.waitUntil(lambda: len(studio.edits) == before + 2, timeout=2_000)  # the timer sends the newest
    assert studio.layer().x == 280
    move(editor, centre + QPoint(50, 0))
    QTest.mouseRelease(editor, LEFT, NO_MODIFIER, centre + QPoint(50, 0))
    assert studio.layer().x == 300  # the release always sends the final position
    key = f"move:{studio.scene}:{studio.layer_id}"
    assert [k for _, k in studio.edits[before:]] == [key] * (len(studio.edits) - before)
    assert not editor._send_timer.isActive()


def test_a_box_dragged_off_the_canvas_stops_with_a_little_of_it_on_the_canvas(studio):
    editor = studio.editor
    centre = centre_of(studio.layer())
    drag(editor, centre, centre + QPoint(1200, 0))  # x = 2600: the session would refuse it
    assert studio.layer().x == 1920 - 2
    studio.session.update_layer(studio.scene, studio.layer_id, x=200)
    studio.qtbot.waitUntil(lambda: editor._layer(studio.layer_id).x == 200)
    drag(editor, centre, centre - QPoint(1000, 500))
    assert (studio.layer().x, studio.layer().y) == (2 - 480, 2 - 270)


@pytest.mark.parametrize("refusal", ["returns False", "raises"])
def test_a_refused_edit_keeps_the_last_good_position(studio, refusal):
    editor, session = studio.editor, studio.session

    def apply_edit(description, edit, merge_key):
        # As EditHistory.run does when the session refuses: False (it told the user), or the error itself.
        if session.layer(studio.scene, studio.layer_id).x >= 400:
            if refusal == "raises":
                raise InputError("refused for the test", field="x")
            return False
        return edit()

    editor.apply_edit = apply_edit
    centre = centre_of(studio.layer())
    QTest.mousePress(editor, LEFT, NO_MODIFIER, centre)
    move(editor, centre + QPoint(100, 0))  # x = 400: taken
    assert studio.layer().x == 400
    move(editor, centre + QPoint(200, 0))
    QTest.mouseRelease(editor, LEFT, NO_MODIFIER, centre + QPoint(200, 0))  # refused: nothing raised
    assert studio.layer().x == 400
    assert editor._layer(studio.layer_id).x == 400  # and drawn there


def test_a_drag_and_a_held_arrow_key_are_each_one_undo_step(studio):
    editor = studio.editor
    seals = []
    editor.seal_edits = lambda: seals.append(len(studio.edits))
    centre = centre_of(studio.layer())
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, centre)  # a click edits nothing: nothing to seal
    assert seals == []
    drag(editor, centre, centre + QPoint(10, 0))
    assert seals == [len(studio.edits)]
    QTest.keyPress(editor, Qt.Key.Key_Right)
    QTest.keyPress(editor, Qt.Key.Key_Right)
    assert len(seals) == 1  # still held
    QTest.keyRelease(editor, Qt.Key.Key_Right)
    assert len(seals) == 2 and studio.layer().x == 222


def test_context_menu_actions(studio, qtbot):
    editor, session = studio.editor, studio.session
    front = session.source("FRONT")
    other = session.add_layer(studio.scene, front.id, x=1000, y=500, width=400, height=300).id
    qtbot.waitUntil(lambda: editor._layer(other) is not None)
    transforms = []
    editor.transform_requested.connect(lambda scene, layer: transforms.append((scene, layer)))

    def trigger(layer_id: int, name: str) -> None:
        menu = editor.context_menu(layer_id)
        next(action for action in menu.actions() if action.objectName() == name).trigger()

    # A right click selects the layer under it and opens its menu (exec replaced: it would block).
    opened = []
    editor.exec_menu = lambda menu, position: opened.append([a.objectName() for a in menu.actions()])
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, widget_point(1500, 900))  # nothing selected
    studio.qtbot.waitUntil(lambda: editor.selected_layer_id is None)
    QApplication.sendEvent(editor, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, widget_point(1100, 600), editor.mapToGlobal(widget_point(1100, 600))))
    assert editor.selected_layer_id == other
    assert opened == [["transform", "", "hide", "lock", "", "front", "back", "", "remove"]]
    trigger(studio.layer_id, "transform")
    assert transforms == [(studio.scene, studio.layer_id)]
    trigger(studio.layer_id, "front")
    assert [layer.id for layer in session.layers(studio.scene)] == [other, studio.layer_id]
    trigger(studio.layer_id, "back")
    assert [layer.id for layer in session.layers(studio.scene)] == [studio.layer_id, other]
    trigger(studio.layer_id, "lock")
    assert studio.layer().locked
    assert next(a for a in editor.context_menu(studio.layer_id).actions() if a.objectName() == "lock").text() == "Unlock"
    trigger(studio.layer_id, "lock")
    assert not studio.layer().locked
    trigger(other, "hide")
    assert not studio.layer(other).visible
    trigger(other, "remove")
    assert [layer.id for layer in session.layers(studio.scene)] == [studio.layer_id]
    assert all(key is None for _, key in studio.edits)


def test_the_editor_follows_the_show_and_the_monitor(studio, qtbot):
    editor = studio.editor
    studio.session.update_layer(studio.scene, studio.layer_id, x=10)  # from elsewhere (a remote)
    qtbot.waitUntil(lambda: editor._layer(studio.layer_id).x == 10)
    editor.set_scene("FRONT")  # a layout scene: its layers are numbered too
    assert editor.scene_id == "front" and [layer.id for layer in editor._layers] == [1]
    studio.monitor.resize(500, 300)
    assert editor.geometry() == studio.monitor.rect()
    editor.set_scene(None)
    QTest.mouseClick(editor, LEFT, NO_MODIFIER, QPoint(100, 100))  # nothing to edit: ignored
    assert editor.selected_layer_id is None
    editor.grab()  # paints without a scene


def test_cursor_shapes_over_the_handles_and_the_selected_layer(studio):
    editor = studio.editor

    def hover(x: float, y: float, modifiers=NO_MODIFIER):
        point = widget_point(x, y)
        event = QMouseEvent(QEvent.Type.MouseMove, QPointF(point), QPointF(editor.mapToGlobal(point)), Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, modifiers)
        QApplication.sendEvent(editor, event)
        return editor.cursor().shape()

    assert hover(440, 235) == Qt.CursorShape.ArrowCursor  # not selected yet
    editor.select_layer(studio.scene, studio.layer_id)
    assert hover(440, 235) == Qt.CursorShape.SizeAllCursor
    assert hover(680, 370) == Qt.CursorShape.SizeFDiagCursor
    assert hover(680, 100) == Qt.CursorShape.SizeBDiagCursor
    assert hover(440, 370) == Qt.CursorShape.SizeVerCursor
    assert hover(200, 235) == Qt.CursorShape.SizeHorCursor
    assert hover(300, 367) == Qt.CursorShape.SizeAllCursor  # at the edge, inside: a move
    assert hover(300, 367, ALT) == Qt.CursorShape.SizeVerCursor  # with Alt the edge crops
    assert hover(1500, 900) == Qt.CursorShape.ArrowCursor


def test_an_undo_stack_with_a_keyword_only_merge_key_is_called_by_keyword(studio):
    editor = studio.editor
    calls = []

    def run(description, edit, *, merge_key=None, tell=None):  # EditHistory.run's shape
        calls.append(merge_key)
        edit()
        return True

    editor.apply_edit = run
    centre = centre_of(studio.layer())
    drag(editor, centre, centre + QPoint(10, 0))
    assert studio.layer().x == 220 and calls == [f"move:{studio.scene}:{studio.layer_id}"]
