"""Switcher state: cuts, timed transitions and the T-bar, tick by tick."""

from studio.engine.show import TransitionKind
from studio.engine.video.switcher import RenderPlan, Switcher


def test_cut_swaps_program_and_preview_like_a_hardware_switcher():
    switcher = Switcher("a", "b")
    switcher.cut()
    assert (switcher.program_scene, switcher.preview_scene) == ("b", "a")
    switcher.cut("c")
    assert (switcher.program_scene, switcher.preview_scene) == ("c", "b")


def test_cut_to_the_scene_already_on_program_changes_nothing():
    switcher = Switcher("a", "b")
    switcher.cut("a")
    assert (switcher.program_scene, switcher.preview_scene) == ("a", "b")


def test_timed_transition_progresses_one_step_per_tick_and_completes_on_its_last_frame():
    switcher = Switcher("a", "b")
    switcher.start_transition(tick=10, kind=TransitionKind.MIX, duration_ticks=4)
    plans = []
    for tick in range(10, 15):
        plans.append(switcher.plan(tick))
        switcher.end_tick(tick)
    assert [p.progress for p in plans[:4]] == [0.25, 0.5, 0.75, 1.0]
    assert all(p.incoming == "b" for p in plans[:4])
    assert plans[4] == RenderPlan("b")
    assert switcher.preview_scene == "a"


def test_a_cut_during_a_transition_finishes_it_at_once():
    switcher = Switcher("a", "b")
    switcher.start_transition(0, TransitionKind.WIPE, 30)
    switcher.plan(0)
    switcher.cut()
    assert switcher.program_scene == "b" and not switcher.in_transition


def test_tbar_moves_the_mix_and_completes_at_one():
    switcher = Switcher("a", "b")
    switcher.set_tbar(0.3, TransitionKind.MIX)
    assert switcher.plan(0) == RenderPlan("a", "b", TransitionKind.MIX, 0.3)
    switcher.set_tbar(1.0, TransitionKind.MIX)
    assert switcher.plan(1) == RenderPlan("b") and switcher.tbar_position == 0.0


def test_zero_length_transition_is_a_cut():
    switcher = Switcher("a", "b")
    switcher.start_transition(5, TransitionKind.MIX, 0)
    assert switcher.plan(5) == RenderPlan("b")
