"""Monitor taps (engine tier, no Qt): small live pictures of program, preview and each source,
made by the program thread at the tap's rate, aspect ratio kept; and the stepped clock."""

from __future__ import annotations

import numpy as np
import pytest

from studio.app import build_engine
from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import NS_PER_SECOND, SteppedClock
from studio.engine.errors import InputError
from studio.engine.outputs.video_tap import downscale_i420_to_rgb, fitted_size
from studio.engine.frames import fill_i420, new_i420
from tests.servers import poll_until

FPS = 30
RED, GREEN, BLUE, YELLOW = (200, 40, 40), (40, 160, 60), (40, 70, 200), (220, 170, 30)


def tick_ns(tick: int) -> int:
    return tick * NS_PER_SECOND // FPS


@pytest.fixture
def stepped_demo():
    clock = SteppedClock()
    engine = build_engine(builtin_show("demo"), clock=clock)
    yield engine, clock
    engine.stop()


def run_to(clock: SteppedClock, tick: int) -> None:
    clock.allow_until(tick_ns(tick))
    poll_until(lambda: clock.waiting_for_ns == tick_ns(tick + 1), 10, f"tick {tick}")


def colour_at_third(picture) -> np.ndarray:
    rgb = picture.rgb
    return rgb[rgb.shape[0] // 3, rgb.shape[1] // 4].astype(int)


def close_to(colour, expected, tolerance=30) -> bool:
    return bool(np.all(np.abs(np.asarray(colour) - np.asarray(expected)) <= tolerance))


def test_taps_show_program_preview_and_each_source(stepped_demo):
    engine, clock = stepped_demo
    program = engine.open_video_tap("program", 640, 360)
    preview = engine.open_video_tap("preview", 640, 360)
    back = engine.open_video_tap("BACK", 320, 180, max_fps=15)
    engine.start()
    run_to(clock, 0)
    assert close_to(colour_at_third(program.latest()), RED)  # FRONT on program
    assert close_to(colour_at_third(preview.latest()), GREEN)  # SIDE on preview
    assert close_to(colour_at_third(back.latest()), BLUE)  # BACK is nowhere on air, still monitored
    assert program.latest().rgb.shape == (360, 640, 3) and back.latest().rgb.shape == (180, 320, 3)

    engine.cut()  # SIDE to program: the old program (FRONT) goes to preview
    run_to(clock, 1)
    assert program.latest().tick == 1
    assert close_to(colour_at_third(program.latest()), GREEN)
    assert close_to(colour_at_third(preview.latest()), RED)
    # 15 fps on a 30 fps program: a new source picture every other tick.
    assert back.latest().tick == 0
    run_to(clock, 2)
    assert back.latest().tick == 2


def test_a_closed_tap_gets_no_more_pictures_and_unknown_targets_are_refused(stepped_demo):
    engine, clock = stepped_demo
    tap = engine.open_video_tap("program", 320, 180)
    engine.start()
    run_to(clock, 0)
    sequence = tap.latest().sequence
    engine.close_video_tap(tap)
    run_to(clock, 3)
    assert tap.latest().sequence == sequence
    with pytest.raises(InputError, match="unknown monitor target 'NOPE'.*FRONT"):
        engine.open_video_tap("NOPE", 320, 180)


def test_tap_pictures_keep_the_aspect_ratio_and_never_upscale():
    assert fitted_size(1920, 1080, 640, 640) == (640, 360)
    assert fitted_size(1080, 1920, 640, 640) == (360, 640)
    assert fitted_size(320, 180, 1280, 720) == (320, 180)
    i420 = new_i420(1920, 1080)
    fill_i420(i420, 1920, 1080, (200, 40, 40))
    rgb = downscale_i420_to_rgb(i420, 1920, 1080, 384, 216)
    assert rgb.shape == (216, 384, 3)
    assert close_to(rgb[100, 100], (200, 40, 40), 6)


def test_two_audio_changes_within_one_tick_both_hold(stepped_demo):
    engine, clock = stepped_demo
    engine.start()
    run_to(clock, 0)
    engine.set_input_gain("tone", -12.0)
    engine.set_input_muted("tone", True)  # asked before the gain change was applied
    run_to(clock, 1)
    spec = engine.audio_input("tone")
    assert (spec.gain_db, spec.muted) == (-12.0, True)
    saved = engine.current_show().audio_inputs[0]
    assert (saved.gain_db, saved.muted) == (-12.0, True)
