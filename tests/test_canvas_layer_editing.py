"""Editing a scene's layout on another canvas (the vertical one): the edits as pure functions,
the vertical preview the layer editor draws over, and what the sources are asked to decode.

Until its first edit a scene's vertical layout is derived from main's; the first edit makes the
derived layers its own, and main's edits no longer move them until it is reset."""

from __future__ import annotations

import numpy as np
import pytest

from studio.app import build_engine
from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import SteppedClock
from studio.engine.errors import InputError
from studio.engine.outputs.video_tap import CANVAS_PREVIEW_TAP_PREFIX, VideoTap
from studio.engine.show import Canvas, Layer
from studio.engine.video.canvas_layouts import canvas_scene_layers
from studio.engine.video.compositor import SceneCompositor
from studio.engine.video.source_demand import OtherCanvas, SourceDemandTracker
from studio import show_editing as edits
from tests.test_video_taps import close_to, run_to

VERTICAL = "vertical"
RED, GREEN, YELLOW = (200, 40, 40), (40, 160, 60), (220, 170, 30)

def boxes(layers: list[Layer]) -> list[tuple]:
    return [(layer.source, layer.x, layer.y, layer.width, layer.height) for layer in layers]

@pytest.fixture
def demo():
    return builtin_show("demo")

def scene(show, ref):
    return show.scenes[edits.scene_index(show, ref)]

def test_the_vertical_items_are_what_the_engine_draws_until_edited(demo):
    tall = demo.canvas_named(VERTICAL)
    for each in demo.scenes:
        items = edits.canvas_scene_items(demo, each, VERTICAL)
        assert edits.is_derived(each, VERTICAL)
        assert boxes(items) == boxes(canvas_scene_layers(each, VERTICAL, demo.canvas, tall)), each.name
        assert sorted(item.id for item in items) == list(range(1, len(items) + 1))
    pip = edits.canvas_scene_items(demo, scene(demo, "PIP"), VERTICAL)
    assert pip[1].source == "detail" and pip[1].y < 200  # the inset at the top of the tall picture

def test_the_first_vertical_edit_makes_the_derived_layout_its_own_and_main_stays(demo):
    pip = scene(demo, "PIP")
    main_before = edits.canvas_scene_items(demo, pip, "main")
    inset = edits.canvas_scene_items(demo, pip, VERTICAL)[1]
    edited = edits.update_layer(demo, "PIP", inset.id, canvas=VERTICAL, y=1400)
    own = scene(edited, "PIP")
    assert not edits.is_derived(own, VERTICAL) and own.layout == pip.layout  # main untouched
    assert edits.canvas_scene_items(edited, own, "main") == main_before
    after = edits.canvas_scene_items(edited, own, VERTICAL)
    assert [(item.id, item.source) for item in after] == [(1, "front"), (2, "detail")]
    assert after[1].y == 1400 and after[1].x == inset.x and after[1].width == inset.width
    assert boxes(canvas_scene_layers(own, VERTICAL, edited.canvas, edited.canvas_named(VERTICAL)))[1][2] == 1400

    # A main edit no longer moves the vertical layout; a reset derives it again.
    moved_main = edits.update_layer(edited, "PIP", 2, x=100)
    assert edits.canvas_scene_items(moved_main, scene(moved_main, "PIP"), VERTICAL) == after
    reset = edits.reset_canvas_layout(moved_main, "PIP", VERTICAL)
    assert edits.is_derived(scene(reset, "PIP"), VERTICAL)
    assert edits.canvas_scene_items(reset, scene(reset, "PIP"), "main")[1].x == 100

def test_vertical_edits_are_checked_against_the_vertical_canvas(demo):
    front = edits.canvas_scene_items(demo, scene(demo, "PIP"), VERTICAL)[0]
    assert edits.update_layer(demo, "PIP", front.id, x=1500, width=300, height=300)  # inside 1920 wide
    with pytest.raises(InputError, match=r"outside the canvas.*0\.\.1080x0\.\.1920"):
        edits.update_layer(demo, "PIP", front.id, canvas=VERTICAL, x=1500, width=300, height=300)
    with pytest.raises(InputError, match="no layer 9 on the vertical canvas"):
        edits.update_layer(demo, "PIP", 9, canvas=VERTICAL, x=0)
    with pytest.raises(InputError, match="unknown canvas 'square'; expected one of main, vertical"):
        edits.add_layer(demo, "PIP", "BACK", canvas="square")
    with pytest.raises(InputError, match="only another canvas's can be reset"):
        edits.reset_canvas_layout(demo, "PIP", "main")

def test_add_move_remove_duplicate_and_layouts_on_the_vertical_canvas(demo):
    show, new_id = edits.add_layer(demo, "FRONT", "DETAIL", canvas=VERTICAL, x=40, y=40, width=400, height=400)
    items = edits.canvas_scene_items(show, scene(show, "FRONT"), VERTICAL)
    assert [item.source for item in items] == ["front", "detail"] and new_id == 2
    assert scene(show, "FRONT").layers == [] and scene(show, "FRONT").layout == scene(demo, "FRONT").layout
    show = edits.move_layer(show, "FRONT", new_id, 0, canvas=VERTICAL)
    assert [item.source for item in edits.canvas_scene_items(show, scene(show, "FRONT"), VERTICAL)] == ["detail", "front"]
    show, copy_id = edits.duplicate_layer(show, "FRONT", new_id, canvas=VERTICAL)
    copied = edits.canvas_scene_items(show, scene(show, "FRONT"), VERTICAL)[-1]
    assert copied.id == copy_id and (copied.source, copied.width, copied.height) == ("detail", 400, 400)
    show = edits.remove_layer(show, "FRONT", new_id, canvas=VERTICAL)
    assert [item.id for item in edits.canvas_scene_items(show, scene(show, "FRONT"), VERTICAL)] == [1, copy_id]

    # A preset on a tall canvas is arranged as a derived vertical layout: side by side stacks.
    stacked = edits.apply_layout(demo, "FRONT", "side_by_side", ["FRONT", "SIDE"], canvas=VERTICAL)
    bands = boxes(edits.canvas_scene_items(stacked, scene(stacked, "FRONT"), VERTICAL))
    assert bands == [("front", 0, 0, 1080, 960), ("side", 0, 960, 1080, 960)]
    assert scene(stacked, "FRONT").layout == scene(demo, "FRONT").layout

def test_a_removed_or_renamed_source_leaves_the_vertical_layouts_too(demo):
    show = edits.update_layer(demo, "PIP", 2, canvas=VERTICAL, y=600)
    show, _ = edits.add_layer(show, "PIP", "BACK", canvas=VERTICAL, width=200, height=200)
    show = edits.remove_source(show, "DETAIL")
    assert [item.source for item in edits.canvas_scene_items(show, scene(show, "PIP"), VERTICAL)] == ["front", "back"]
    data = show.model_dump(mode="python")
    data["scenes"][edits.scene_index(show, "PIP")]["canvases"][VERTICAL]["layers"][1]["source"] = "BACK"  # by name
    renamed = edits.update_source(edits.validated(data), "BACK", name="REAR")
    assert edits.canvas_scene_items(renamed, scene(renamed, "PIP"), VERTICAL)[1].source == "back"  # now by id

def test_the_vertical_preview_shows_the_preview_scene_and_its_edits_on_the_next_tick(demo):
    clock = SteppedClock()
    engine = build_engine(demo, clock=clock)
    try:
        tap = engine.open_video_tap(CANVAS_PREVIEW_TAP_PREFIX + VERTICAL, 180, 320)
        program = engine.open_video_tap("canvas:" + VERTICAL, 180, 320)
        engine.start()
        run_to(clock, 0)
        picture = tap.latest()
        assert picture.rgb.shape == (320, 180, 3)
        assert close_to(picture.rgb[160, 90], GREEN)  # SIDE, the preview scene, fills the tall canvas
        assert close_to(program.latest().rgb[160, 90], RED)  # FRONT is on the vertical program

        # The layer editor's edit: DETAIL on the lower half of SIDE's vertical layout.
        show, _ = edits.add_layer(engine.show, "SIDE", "DETAIL", canvas=VERTICAL, x=0, y=960, width=1080, height=960, fit="cover")
        engine.apply_show(show)
        run_to(clock, 1)
        picture = tap.latest()
        assert picture.tick == 1
        assert close_to(picture.rgb[40, 90], GREEN) and close_to(picture.rgb[300, 90], YELLOW)
        assert close_to(program.latest().rgb[300, 90], RED)  # program is another scene: untouched

        engine.cut()  # SIDE goes to program: the vertical program is now what the preview showed
        run_to(clock, 2)
        assert close_to(program.latest().rgb[300, 90], YELLOW)
    finally:
        engine.stop()

class DemandRecorder:
    def __init__(self) -> None:
        self.demand = None

    def set_demand(self, shown_size) -> None:
        self.demand = shown_size

def test_sources_are_decoded_as_large_as_the_largest_canvas_shows_them():
    main, tall = Canvas(width=1920, height=1080), Canvas(width=1080, height=1920)
    main_compositors = {"pip": SceneCompositor([Layer(source="a"), Layer(source="b", x=1300, y=700, width=576, height=324)], main, str)}
    tall_compositors = {"pip": SceneCompositor([Layer(source="a"), Layer(source="b", x=0, y=0, width=1080, height=608)], tall, str)}
    runners = {"a": DemandRecorder(), "b": DemandRecorder()}
    tracker = SourceDemandTracker(main)

    def publish(composing: bool, taps=()):
        tracker.publish(
            shown_scene_ids=("pip", None),
            preview_scene_id="pip",
            taps=list(taps),
            compositors=main_compositors,
            runners=runners,
            other_canvases=(OtherCanvas(VERTICAL, tall, tall_compositors, composing),),
        )

    publish(composing=False)
    assert runners["b"].demand == (576, 324)  # the vertical canvas is not composed: main's inset
    publish(composing=True)
    assert runners["b"].demand == (1080, 608) and runners["a"].demand == (1920, 1920)
    publish(composing=False, taps=[VideoTap(CANVAS_PREVIEW_TAP_PREFIX + VERTICAL, 270, 480, 30)])
    assert runners["b"].demand == (576, 324)  # the vertical preview at a quarter: 270x152 is smaller
    assert tracker.recomputed == 3


def test_a_main_preset_turned_into_layers_or_replaced_keeps_the_vertical_arrangement(demo):
    tall = edits.canvas_scene_items(demo, scene(demo, "PIP"), VERTICAL)
    # Hiding the inset on main (its first layer edit) makes PIP plain layers there; the vertical
    # picture keeps its tall PiP (inset at the top) instead of a scaled copy of the landscape one.
    hidden = edits.update_layer(demo, "PIP", 2, visible=False)
    assert scene(hidden, "PIP").layout is None
    assert boxes(edits.canvas_scene_items(hidden, scene(hidden, "PIP"), VERTICAL)) == boxes(tall)
    # A preset picked for main is the vertical canvas's too, arranged for it: side by side stacks.
    stacked = edits.apply_layout(demo, "GRID", "side_by_side", ["FRONT", "SIDE"])
    assert boxes(edits.canvas_scene_items(stacked, scene(stacked, "GRID"), VERTICAL)) == [
        ("front", 0, 0, 1080, 960),
        ("side", 0, 960, 1080, 960),
    ]
    # A canvas with its own layout keeps it.
    own = edits.update_layer(demo, "GRID", 1, canvas=VERTICAL, y=40)
    replaced = edits.apply_layout(own, "GRID", "full", ["BACK"])
    assert edits.canvas_scene_items(replaced, scene(replaced, "GRID"), VERTICAL) == edits.canvas_scene_items(own, scene(own, "GRID"), VERTICAL)


def test_a_vertical_canvas_only_watched_is_composed_at_its_monitors_size(tmp_path):
    """Nothing records or streams it: the program thread composes the vertical program at the
    monitor's size (overlays and transitions too), and at full size from the tick it records."""
    show = builtin_show("demo").model_copy(update={"program_scene": "back"})
    clock = SteppedClock()
    engine = build_engine(show, clock=clock)
    try:
        tap = engine.open_video_tap("canvas:" + VERTICAL, 180, 320)
        engine.start()
        run_to(clock, 0)
        vertical = engine._program.extra_canvases[VERTICAL]
        assert vertical.last_output.shape == (320 * 3 // 2, 180)
        red = np.zeros((300, 300, 4), np.uint8)
        red[..., 2] = red[..., 3] = 255
        engine.show_overlay("card-1", red, 1500, 700)  # on the tall canvas: x 756..1056, y 1360..1660
        run_to(clock, 1)
        picture = tap.latest().rgb
        assert close_to(picture[1510 // 6, 906 // 6], (255, 0, 0), 40)  # the card, scaled with the picture
        assert close_to(picture[40, 40], (40, 70, 200))  # BACK around it
        engine.transition("FRONT", kind="mix", duration_ms=100)
        run_to(clock, 3)
        assert vertical.tick_failures == 0 and vertical.last_output.shape == (480, 180)
        engine.start_recording(tmp_path / "vertical.mkv", canvas=VERTICAL)
        run_to(clock, 6)
        assert vertical.last_output.shape == (1920 * 3 // 2, 1080)  # recorded: every pixel
        assert tap.latest().rgb.shape == (320, 180, 3)
        engine.stop_recording(canvas=VERTICAL)
        run_to(clock, 7)
    finally:
        engine.stop()
