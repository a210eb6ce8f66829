"""Editing the show from the docks (pytest-qt, offscreen), on a real StudioSession running the
demo show: the Sources dock and its Add and Properties dialogs, the scene list's editing, the
layers list (eye, lock, reorder, remove, layouts, Transform...), and undo/redo of every edit.

The program picture is read from a video tap; the tests wait on the engine's own tick numbers
(the tick an edit was applied on, from events.show_edit_applied), never on sleeps.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from studio.engine.builtin_shows import builtin_show
from studio.engine.show import Show
from studio.gui.add_source_dialog import kind_label
from studio.gui.panels import ScenePanel
from studio.gui.scene_editor import SceneEditor
from studio.gui.sources_panel import SourcesPanel
from studio.gui.undo import EditHistory, layer_merge_key
from studio.session import SessionOptions, StudioSession

MAGENTA = (255, 0, 255)
TAP_WIDTH, TAP_HEIGHT = 480, 270


@dataclass
class Studio:
    session: StudioSession
    history: EditHistory
    scenes: ScenePanel
    sources: SourcesPanel
    layers: SceneEditor
    told: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    applied_ticks: list[int] = field(default_factory=list)
    show_changes: int = 0
    answer: bool = True

    def ask(self, title: str, text: str) -> bool:
        self.asked.append(text)
        return self.answer


def make_studio(qtbot, request, show: Show, *, start: bool = True) -> Studio:
    session = StudioSession(show, SessionOptions(virtual_clock=False))
    if start:
        session.start()
    request.addfinalizer(session.stop)
    history = EditHistory(session)
    layers = SceneEditor(history)
    sources = SourcesPanel(history, current_scene=layers.current_scene_id)
    scenes = ScenePanel()
    scenes.attach_history(history)
    studio = Studio(session, history, scenes, sources, layers)
    history.tell = lambda title, text: studio.told.append(text)
    for widget in (scenes, sources, layers):
        widget.ask = studio.ask
        qtbot.addWidget(widget)
        widget.show()

    def count_change(_show) -> None:
        studio.show_changes += 1

    studio._count_change = count_change  # psygnal holds bound methods weakly; keep the function
    session.events.show_changed.connect(count_change)
    if start:

        def on_applied(tick: int) -> None:
            studio.applied_ticks.append(tick)

        studio._on_applied = on_applied
        session.engine.events.show_edit_applied.connect(on_applied)
    return studio


@pytest.fixture
def studio(qtbot, request) -> Studio:
    return make_studio(qtbot, request, builtin_show("demo"))


def edited_parts(show: Show) -> tuple:
    return (show.sources, show.scenes, show.audio_inputs)


def program_picture(qtbot, studio: Studio, tap) -> np.ndarray:
    """The program picture of a tick after every edit made so far was applied."""
    edits = studio.show_changes  # each replace_show is one engine edit, applied on a tick
    qtbot.waitUntil(lambda: len(studio.applied_ticks) >= edits, timeout=10_000)
    applied_tick = studio.applied_ticks[-1]
    qtbot.waitUntil(lambda: tap.latest() is not None and tap.latest().tick > applied_tick, timeout=10_000)
    return tap.latest().rgb


def is_colour(pixel: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(int(value) - expected) <= tolerance for value, expected in zip(pixel, rgb))


def add_colour_through_dialog(qtbot, studio: Studio, name: str, colour: str):
    action = next(a for a in studio.sources.add_menu.actions() if a.text() == kind_label("colour"))
    action.trigger()
    dialog = studio.sources.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.name_edit.text() == "Colour 1"  # "Camera 2" style: the kind and the next number
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, name)
    colour_field = dialog.form.editor("colour")
    colour_field.clear()
    qtbot.keyClicks(colour_field, colour)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    return dialog


def layer_rows(layers: SceneEditor) -> list[str]:
    return [layers.list.item(row).text() for row in range(layers.list.count())]


# -- sources ---------------------------------------------------------------------------------------


def test_a_colour_added_in_the_add_dialog_is_a_layer_of_the_selected_scene_on_program(qtbot, studio):
    session, engine = studio.session, studio.session.engine
    studio.layers.set_scene("SIDE", follow=False)
    tap = engine.open_video_tap("program", TAP_WIDTH, TAP_HEIGHT, 30)
    engine.cut("SIDE")

    dialog = add_colour_through_dialog(qtbot, studio, "Backdrop", "#ff00ff")

    assert not dialog.isVisible()
    source = session.source("Backdrop")
    assert source.kind == "colour" and source.settings["colour"] == "#ff00ff"
    layers = session.layers("side")
    assert layers[-1].source == source.id  # on top, like OBS
    assert layer_rows(studio.layers)[0] == "Backdrop"  # the list shows the top layer first
    assert studio.sources.item_for("Backdrop") is not None
    assert studio.history.stack.count() == 1  # the source and its layer: one undo step
    # Full canvas on top of SIDE: the whole program picture is magenta, corners included.
    qtbot.waitUntil(lambda: is_colour(program_picture(qtbot, studio, tap)[TAP_HEIGHT // 2, TAP_WIDTH // 2], MAGENTA), timeout=10_000)
    picture = program_picture(qtbot, studio, tap)
    for y, x in ((1, 1), (1, TAP_WIDTH - 2), (TAP_HEIGHT - 2, 1), (TAP_HEIGHT - 2, TAP_WIDTH - 2)):
        assert is_colour(picture[y, x], MAGENTA), (y, x, picture[y, x])
    engine.close_video_tap(tap)


def test_the_transform_dialog_puts_the_layer_at_exact_pixels_on_program(qtbot, studio):
    session, engine = studio.session, studio.session.engine
    studio.layers.set_scene("SIDE", follow=False)
    tap = engine.open_video_tap("program", TAP_WIDTH, TAP_HEIGHT, 30)
    engine.cut("SIDE")
    add_colour_through_dialog(qtbot, studio, "Backdrop", "#ff00ff")
    layer_id = session.layers("side")[-1].id
    qtbot.waitUntil(lambda: is_colour(program_picture(qtbot, studio, tap)[TAP_HEIGHT // 2, TAP_WIDTH // 2], MAGENTA), timeout=10_000)

    studio.layers.list.setCurrentRow(0)
    assert studio.layers.selected_layer_id() == layer_id
    qtbot.mouseClick(studio.layers.transform_button, Qt.MouseButton.LeftButton)
    dialog = studio.layers.dialog
    assert dialog is not None and dialog.isVisible()
    for spin, value in ((dialog.x_spin, 400), (dialog.y_spin, 240), (dialog.width_spin, 800), (dialog.height_spin, 400)):
        spin.setValue(value)
    dialog.fit.setCurrentIndex(dialog.fit.findData("stretch"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    layer = session.layer("side", layer_id)
    assert (layer.x, layer.y, layer.width, layer.height, layer.fit.value) == (400, 240, 800, 400, "stretch")
    picture = program_picture(qtbot, studio, tap)
    scale = TAP_WIDTH / session.show.canvas.width
    left, top = round(400 * scale), round(240 * scale)
    right, bottom = round((400 + 800) * scale), round((240 + 400) * scale)
    middle_y, middle_x = (top + bottom) // 2, (left + right) // 2
    # Each edge is where the layer says, within 1 px at the tap's scale.
    assert is_colour(picture[middle_y, left + 1], MAGENTA) and not is_colour(picture[middle_y, left - 2], MAGENTA)
    assert is_colour(picture[middle_y, right - 2], MAGENTA) and not is_colour(picture[middle_y, right + 1], MAGENTA)
    assert is_colour(picture[top + 1, middle_x], MAGENTA) and not is_colour(picture[top - 2, middle_x], MAGENTA)
    assert is_colour(picture[bottom - 2, middle_x], MAGENTA) and not is_colour(picture[bottom + 1, middle_x], MAGENTA)

    # Undo puts the full-canvas layer back on program.
    studio.history.undo_action.trigger()
    assert session.layer("side", layer_id).x == 0
    picture = program_picture(qtbot, studio, tap)
    assert is_colour(picture[2, 2], MAGENTA)
    engine.close_video_tap(tap)


def test_a_taken_name_keeps_the_add_dialog_open_naming_the_field_and_changes_nothing(qtbot, studio):
    session = studio.session
    before = edited_parts(session.show)
    action = next(a for a in studio.sources.add_menu.actions() if a.text() == kind_label("colour"))
    action.trigger()
    dialog = studio.sources.dialog
    dialog.name_edit.setText("FRONT")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.error_label.isVisibleTo(dialog)
    assert dialog.error_label.text().startswith("name:") and "already taken" in dialog.error_label.text()
    assert edited_parts(session.show) == before
    assert studio.history.stack.count() == 0

    dialog.name_edit.setText("Backdrop")  # fixed: OK goes through
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert session.source("Backdrop").kind == "colour"


def test_a_bad_setting_in_the_add_dialog_names_the_field(qtbot, studio):
    action = next(a for a in studio.sources.add_menu.actions() if a.text() == kind_label("colour"))
    action.trigger()
    dialog = studio.sources.dialog
    dialog.form.editor("colour").setText("not a colour")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "Colour" in dialog.form.error_label.text()
    assert all(source.kind != "colour" for source in studio.session.show.sources)


def test_rename_properties_and_remove_a_source(qtbot, studio):
    session, sources = studio.session, studio.sources
    # Rename inline (the context menu's Rename, or F2): the editor starts with the name.
    sources.select("DETAIL")
    sources.start_rename()
    editor = sources.tree.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "DETAIL"
    editor.setText("Close-up")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: session.source("detail").name == "Close-up")
    assert sources.item_for("Close-up") is not None

    # A name taken: the message names the field; nothing changes.
    before = edited_parts(session.show)
    assert not sources.rename(("video", "detail"), "FRONT")
    assert studio.told and studio.told[-1].startswith("name:")
    assert edited_parts(session.show) == before

    # Properties: the kind's settings form; OK applies.
    sources.select("BACK")
    qtbot.mouseClick(sources.properties_button, Qt.MouseButton.LeftButton)
    dialog = sources.dialog
    assert dialog.form.editor("colour").text() == "#2846c8"
    dialog.form.editor("colour").setText("#102030")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert session.source("back").settings["colour"] == "#102030"
    assert session.source("back").settings["width"] == 1280  # the rest as it was

    # An audio input's properties: its kind's fields.
    sources.select("Tone")
    dialog = sources.open_properties()
    assert dialog.form.field_names == ["frequency_hz", "level_dbfs"]
    dialog.form.editor("frequency_hz").setValue(1000)
    dialog.accept()
    assert next(a for a in session.show.audio_inputs if a.id == "tone").frequency_hz == 1000

    # Remove asks, and takes the source's layers with it.
    sources.select("SIDE")
    studio.answer = False
    qtbot.mouseClick(sources.remove_button, Qt.MouseButton.LeftButton)
    assert studio.asked and "SIDE" in studio.asked[-1]
    assert session.source("side")
    studio.answer = True
    qtbot.mouseClick(sources.remove_button, Qt.MouseButton.LeftButton)
    assert all(source.id != "side" for source in session.show.sources)
    assert session.layers("side") == []
    assert sources.item_for("SIDE") is None


def test_add_to_current_scene_and_no_signal_marker(qtbot, studio):
    session, sources = studio.session, studio.sources
    studio.layers.set_scene("FRONT", follow=False)
    sources.select("DETAIL")
    qtbot.mouseClick(sources.add_to_scene_button, Qt.MouseButton.LeftButton)
    assert [layer.source for layer in session.layers("front")] == ["front", "detail"]
    assert layer_rows(studio.layers) == ["DETAIL", "FRONT"]

    sources.set_source_status("back", "no signal", "camera /dev/video2 is not attached")
    assert sources.status_text("BACK") == ("NO SIGNAL", "camera /dev/video2 is not attached")
    session.update_source("back", name="Rear")  # redrawn from the show: the marker stays
    qtbot.waitUntil(lambda: sources.item_for("Rear") is not None)
    assert sources.status_text("Rear")[0] == "NO SIGNAL"
    sources.set_source_status("back", "live", "")
    assert sources.status_text("Rear") == ("", "")


def test_an_edit_from_another_thread_reaches_the_docks_on_the_gui_thread(qtbot, studio):
    worker = threading.Thread(target=lambda: studio.session.add_scene("Remote scene"))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "Remote scene" in studio.scenes.names())
    assert studio.layers.scene_combo.findText("Remote scene") >= 0


# -- scenes ----------------------------------------------------------------------------------------


def test_scenes_add_duplicate_rename_reorder_remove(qtbot, studio):
    session, scenes = studio.session, studio.scenes
    programs: list[str] = []
    scenes.program_requested.connect(programs.append)

    # +: a new scene, named "Scene N", its name open for typing.
    qtbot.mouseClick(scenes.add_button, Qt.MouseButton.LeftButton)
    assert [scene.name for scene in session.show.scenes][-1] == "Scene 8"
    editor = scenes.list.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "Scene 8"
    editor.setText("Unboxing")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Unboxing" in scenes.names())
    assert session.show.scenes[-1].name == "Unboxing"

    # Duplicate: a copy with the layers of the original.
    scenes.select_scene("PIP")
    qtbot.mouseClick(scenes.duplicate_button, Qt.MouseButton.LeftButton)
    copy = session.show.scenes[-1]
    assert copy.name == "PIP 2"
    assert [layer.source for layer in session.layers(copy.id)] == [layer.source for layer in session.layers("pip")]

    # Ctrl+double-click renames; a plain double-click still cuts to program.
    item = scenes.item_for("PIP 2")
    rect = scenes.list.visualItemRect(item)
    qtbot.mouseClick(scenes.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # (QTest needs a click first)
    qtbot.mouseDClick(scenes.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, rect.center())
    assert programs == []
    editor = scenes.list.viewport().findChild(QLineEdit)
    assert editor is not None and editor.isVisible() and editor.text() == "PIP 2"
    editor.setText("Two cameras")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Two cameras" in scenes.names())
    rect = scenes.list.visualItemRect(scenes.item_for("GRID"))
    qtbot.mouseClick(scenes.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(scenes.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert programs == ["GRID"]

    # A taken name is refused with the session's message.
    assert not scenes.rename_scene("Two cameras", "FRONT")
    assert studio.told[-1].startswith("name:")

    # Drag to reorder (an internal move of the list): the session's order follows.
    names = scenes.names()
    scenes.list.model().moveRow(QModelIndex(), names.index("Two cameras"), QModelIndex(), 0)
    qtbot.waitUntil(lambda: session.show.scenes[0].name == "Two cameras")
    assert scenes.names()[0] == "Two cameras"
    scenes.select_scene("Two cameras")
    qtbot.mouseClick(scenes.down_button, Qt.MouseButton.LeftButton)
    assert [scene.name for scene in session.show.scenes][:2] == ["FRONT", "Two cameras"]

    # Remove asks; a product's look cannot go (the session says why).
    scenes.select_scene("Unboxing")
    qtbot.mouseClick(scenes.remove_button, Qt.MouseButton.LeftButton)
    assert "Unboxing" in studio.asked[-1]
    assert "Unboxing" not in [scene.name for scene in session.show.scenes]
    assert not scenes.remove_scene("DETAIL")
    assert "product" in studio.told[-1]
    assert "DETAIL" in scenes.names()


def test_the_last_scene_cannot_be_removed(qtbot, request):
    show = Show.model_validate(
        {
            "sources": [{"id": "camera-1", "name": "Camera 1", "kind": "test_pattern"}],
            "scenes": [{"id": "scene-1", "name": "Scene 1", "layout": {"kind": "full", "sources": ["camera-1"]}}],
        }
    )
    studio = make_studio(qtbot, request, show, start=False)
    assert not studio.scenes.remove_scene("Scene 1")
    assert studio.told[-1] == "scene: a show needs at least one scene; add another before removing this one"
    assert studio.scenes.names() == ["Scene 1"]
    assert studio.history.stack.count() == 0


def test_tally_follows_a_renamed_scene(qtbot, studio):
    studio.scenes.set_on_air("FRONT", "SIDE")
    assert studio.scenes.rename_scene("SIDE", "Host")
    assert studio.scenes._preview == "Host"
    assert studio.scenes.item_for("Host").background().color() != studio.scenes.item_for("BACK").background().color()


# -- layers ----------------------------------------------------------------------------------------


def click_toggle(qtbot, layers: SceneEditor, row: int, toggle: str) -> None:
    rect = layers.list.visualItemRect(layers.list.item(row))
    qtbot.mouseClick(layers.list.viewport(), Qt.MouseButton.LeftButton, pos=layers.delegate.toggle_rects(rect)[toggle].center())


def test_layers_hide_lock_reorder_remove(qtbot, studio):
    session, layers = studio.session, studio.layers
    layers.set_scene("PIP", follow=False)
    assert layer_rows(layers) == ["DETAIL", "FRONT"]  # top first
    detail_id = session.layers("pip")[1].id

    click_toggle(qtbot, layers, 0, "visible")  # the eye
    qtbot.waitUntil(lambda: not session.layer("pip", detail_id).visible)
    click_toggle(qtbot, layers, 0, "locked")  # the lock
    qtbot.waitUntil(lambda: session.layer("pip", detail_id).locked)
    assert session.layer("pip", detail_id).visible is False  # the other toggle stays

    # Drag DETAIL below FRONT: the session's index 0 is the bottom.
    layers.list.model().moveRow(QModelIndex(), 0, QModelIndex(), 2)
    qtbot.waitUntil(lambda: [layer.source for layer in session.layers("pip")] == ["detail", "front"])
    assert layer_rows(layers) == ["FRONT", "DETAIL"]
    layers.select_layer("pip", detail_id)
    qtbot.mouseClick(layers.up_button, Qt.MouseButton.LeftButton)
    assert [layer.source for layer in session.layers("pip")] == ["front", "detail"]

    layers.select_layer("pip", detail_id)
    qtbot.mouseClick(layers.remove_button, Qt.MouseButton.LeftButton)
    assert "DETAIL" in studio.asked[-1]
    assert [layer.source for layer in session.layers("pip")] == ["front"]
    assert layer_rows(layers) == ["FRONT"]

    qtbot.mouseClick(layers.duplicate_button, Qt.MouseButton.LeftButton)  # nothing selected: nothing
    layers.list.setCurrentRow(0)
    qtbot.mouseClick(layers.duplicate_button, Qt.MouseButton.LeftButton)
    assert [layer.source for layer in session.layers("pip")] == ["front", "front"]


def test_a_pip_layout_in_one_click(qtbot, studio):
    session, layers = studio.session, studio.layers
    layers.set_scene("FRONT", follow=False)
    layers.layout_actions["pip_top_left"].trigger()
    main, inset = session.layers("front")
    canvas = session.show.canvas
    assert (main.source, main.x, main.y, main.width, main.height) == ("front", 0, 0, canvas.width, canvas.height)
    # FRONT had one source: the show's next one is the inset, 30 % wide, 40 px from the corner.
    assert (inset.source, inset.x, inset.y, inset.width, inset.height) == ("side", 40, 40, 576, 324)
    assert layer_rows(layers) == ["SIDE", "FRONT"]

    layers.layout_actions["grid"].trigger()
    assert [(layer.source, layer.x, layer.y) for layer in session.layers("front")] == [
        ("front", 0, 0), ("side", 960, 0), ("back", 0, 540), ("detail", 960, 540)
    ]
    layers.layout_actions["one_large_two_small"].trigger()
    assert [(layer.source, layer.width) for layer in session.layers("front")] == [("front", 1280), ("side", 640), ("back", 640)]


def test_layer_selection_is_shared_and_the_list_follows_preview(qtbot, studio):
    layers = studio.layers
    selected: list[tuple[str, int]] = []
    layers.layer_selected.connect(lambda scene, layer: selected.append((scene, layer)))
    assert layers.current_scene_id() == "side"  # the demo's preview scene

    layers.follow_preview_scene("PIP")
    assert layers.current_scene_id() == "pip"
    detail_id = studio.session.layers("pip")[1].id
    selected.clear()
    layers.select_layer("pip", detail_id)  # from the monitor: no echo
    assert layers.selected_layer_id() == detail_id and selected == []
    rect = layers.list.visualItemRect(layers.list.item(1))
    qtbot.mouseClick(layers.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected == [("pip", studio.session.layers("pip")[0].id)]

    layers.scene_combo.setCurrentIndex(layers.scene_combo.findData("grid"))
    layers.scene_combo.activated.emit(layers.scene_combo.currentIndex())
    assert layers.current_scene_id() == "grid" and not layers.follow_preview.isChecked()
    layers.follow_preview_scene("BACK")  # picked by hand: it stays
    assert layers.current_scene_id() == "grid"


# -- undo and redo ---------------------------------------------------------------------------------


def test_undo_and_redo_restore_the_show_exactly(qtbot, studio):
    session, history = studio.session, studio.history
    edited: list[int] = []
    history.edited.connect(lambda: edited.append(1))
    assert QKeySequence("Ctrl+Z") in history.undo_action.shortcuts()
    assert QKeySequence("Ctrl+Shift+Z") in history.redo_action.shortcuts()

    states = [edited_parts(session.show)]
    studio.layers.set_scene("SIDE", follow=False)
    add_colour_through_dialog(qtbot, studio, "Backdrop", "#ff00ff")
    states.append(edited_parts(session.show))
    assert studio.scenes.add_scene("Unboxing")
    states.append(edited_parts(session.show))
    assert studio.sources.rename(("video", "front"), "Host")
    states.append(edited_parts(session.show))
    studio.layers.set_scene("PIP", follow=False)
    studio.layers.layout_actions["side_by_side"].trigger()
    states.append(edited_parts(session.show))
    studio.layers.list.setCurrentRow(0)
    studio.layers.move_selected(-1)
    states.append(edited_parts(session.show))
    assert history.stack.count() == 5 and len(edited) == 5

    for state in reversed(states[:-1]):
        history.undo_action.trigger()
        assert edited_parts(session.show) == state
    assert not history.undo_action.isEnabled()
    for state in states[1:]:
        history.redo_action.trigger()
        assert edited_parts(session.show) == state
    assert len(edited) == 15
    # The docks show the show as it is.
    assert studio.scenes.names()[-1] == "Unboxing"
    assert studio.sources.item_for("Host") is not None


def test_a_drag_is_one_undo_step_and_a_refused_edit_pushes_nothing(qtbot, studio):
    session, history = studio.session, studio.history
    layer = session.layers("pip")[1]
    key = layer_merge_key("pip", layer.id)
    for x in (100, 120, 140):
        assert history.run("Move layer", lambda x=x: session.update_layer("pip", layer.id, x=x), key)
    assert history.stack.count() == 1
    history.seal()  # the mouse was released: the next drag is its own step
    assert history.run("Move layer", lambda: session.update_layer("pip", layer.id, x=300), key)
    assert history.stack.count() == 2
    history.undo()
    assert session.layer("pip", layer.id).x == 140
    history.undo()
    assert session.layer("pip", layer.id).x == layer.x

    before = edited_parts(session.show)
    assert not history.run("Move layer", lambda: session.update_layer("pip", layer.id, x=5000), key)
    assert studio.told[-1].startswith("x:") and "outside the canvas" in studio.told[-1]
    assert edited_parts(session.show) == before
    assert history.stack.count() == 2 and history.stack.index() == 0

    # An edit of two calls refused at the second: the first is taken back too.
    def add_and_misplace() -> None:
        session.add_source("colour", "Half-made")
        session.add_layer("pip", "Half-made", x=99_999)

    assert not history.run("Add", add_and_misplace)
    assert edited_parts(session.show) == before
