"""Monitor taps (engine tier, no Qt): small live pictures of program, preview and each source,
made by the program thread at the tap's rate and size, aspect ratio kept, one picture shared by
the taps that want the same; the preview composed at the monitor's size; and the stepped clock."""

from __future__ import annotations

import numpy as np
import pytest

from studio.app import build_engine
from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import NS_PER_SECOND, SteppedClock
from studio.engine.errors import InputError
from studio.engine.frames import Frame, fill_i420, frame_from_bgr, new_i420
from studio.engine.outputs.video_tap import TapImage, TickScaler, VideoTap, downscale_i420, fitted_size
from studio.engine.show import Canvas, Fit, Layer
from studio.engine.video.compositor import SceneCompositor
from studio.engine.video.monitor_scene import MonitorSizedScene
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
    assert fitted_size(1280, 720, 284, 160) == (284, 160)  # the nearest even height, not 158
    assert fitted_size(1920, 1080, 770, 434) == (770, 434)
    i420 = new_i420(1920, 1080)
    fill_i420(i420, 1920, 1080, (200, 40, 40))
    rgb = TapImage(384, 216, i420=downscale_i420(i420, 1920, 1080, 384, 216)).rgb
    assert rgb.shape == (216, 384, 3)
    assert close_to(rgb[100, 100], (200, 40, 40), 6)


def test_taps_of_the_same_target_and_size_share_one_picture(stepped_demo):
    engine, clock = stepped_demo
    first = engine.open_video_tap("program", 640, 360)
    second = engine.open_video_tap("program", 640, 360)
    smaller = engine.open_video_tap("program", 320, 180)
    side_a = engine.open_video_tap("SIDE", 284, 160, max_fps=15)
    side_b = engine.open_video_tap("SIDE", 284, 160, max_fps=15)
    engine.start()
    run_to(clock, 0)
    assert first.latest().image is second.latest().image  # scaled once for both
    assert side_a.latest().image is side_b.latest().image
    assert smaller.latest().image is not first.latest().image
    assert (smaller.latest().image.width, smaller.latest().image.height) == (320, 180)
    assert first.latest().sequence == second.latest().sequence == 1  # each tap counts its own pictures


def test_a_tick_scaler_scales_each_frame_once_per_size():
    canvas = new_i420(1920, 1080)
    fill_i420(canvas, 1920, 1080, (40, 160, 60))
    other = canvas.copy()
    scaler = TickScaler()
    monitor, same_size, small = VideoTap("program", 770, 434, 30), VideoTap("preview", 770, 434, 30), VideoTap("program", 284, 160, 15)
    picture = scaler.image_for(monitor, canvas, 1920, 1080)
    assert scaler.image_for(same_size, canvas, 1920, 1080) is picture
    assert scaler.scalings == 1
    assert scaler.image_for(small, canvas, 1920, 1080) is not picture
    assert scaler.image_for(same_size, other, 1920, 1080) is not picture  # another frame, same size
    assert scaler.scalings == 3
    # The picture has the tap's size (the canvas's aspect ratio inside the tap's box)...
    assert (picture.width, picture.height) == (770, 434) and picture.rgb.shape == (434, 770, 3)
    # ...is a copy (the canvas buffer is reused next tick) and converts its colours once.
    canvas[:] = 0
    assert close_to(picture.rgb[100, 100], (40, 160, 60), 6)
    assert picture.rgb is picture.rgb and picture.bgrx.shape == (434, 770, 4)
    assert close_to(picture.bgrx[100, 100, 2::-1], (40, 160, 60), 6)  # B, G, R, X in memory


def test_the_program_thread_only_halves_and_the_reader_finishes_the_picture():
    """1280x720 for a 284x160 cell: halved twice on the program thread (320x180), resized and
    converted by whoever reads it first, as if it had been scaled in one go."""
    frame = quadrants(1280, 720)
    picture = TickScaler().image_for(VideoTap("FRONT", 284, 160, 15), frame.i420, frame.width, frame.height)
    rgb = picture.rgb.astype(int)
    assert rgb.shape == (160, 284, 3)
    assert close_to(rgb[40, 70], (255, 0, 0)) and close_to(rgb[120, 210], (255, 255, 255))
    direct = TapImage(284, 160, downscale_i420(frame.i420, 1280, 720, 284, 160)).rgb.astype(int)
    assert np.abs(rgb - direct).max() <= 40 and (np.abs(rgb - direct).max(axis=2) > 8).mean() < 0.05


def quadrants(width: int, height: int) -> Frame:
    bgr = np.zeros((height, width, 3), np.uint8)
    bgr[: height // 2, : width // 2] = (0, 0, 255)
    bgr[: height // 2, width // 2 :] = (0, 255, 0)
    bgr[height // 2 :, : width // 2] = (255, 0, 0)
    bgr[height // 2 :, width // 2 :] = (255, 255, 255)
    return frame_from_bgr(bgr, 0)


def test_a_scene_composed_at_the_monitor_size_matches_the_full_composition_shrunk():
    """Picture in picture with a cropped, mirrored inset: composed straight at 384x216 it looks
    like the canvas composed at 1920x1080 and shrunk, to within the edges' rounding."""
    canvas = Canvas(width=1920, height=1080, fps=30)
    layers = [
        Layer(source="main", x=0, y=0, width=1920, height=1080, fit=Fit.CONTAIN),
        Layer(source="inset", x=1300, y=700, width=560, height=320, fit=Fit.COVER, mirror=True, crop={"left": 100}),
    ]
    compositor = SceneCompositor(layers, canvas, lambda name: name)
    frames = {"main": quadrants(1280, 720), "inset": quadrants(640, 480)}
    full = new_i420(1920, 1080)
    compositor.compose(frames, full)
    expected = TapImage(384, 216, i420=downscale_i420(full, 1920, 1080, 384, 216)).rgb.astype(int)
    monitor_scene = MonitorSizedScene()
    small = monitor_scene.compose(compositor, frames, 384, 216)
    assert small.shape == (216 * 3 // 2, 384)
    actual = TapImage(384, 216, i420=small).rgb.astype(int)
    differs = np.abs(actual - expected).max(axis=2) > 40
    assert differs.mean() < 0.02, f"{differs.mean():.1%} of the pixels differ"
    assert close_to(actual[150, 270], expected[150, 270]) and close_to(actual[190, 360], expected[190, 360])  # inside the inset
    # The small compositor is kept between ticks; a new compositor (a show edit) or size rebuilds it.
    monitor_scene.compose(compositor, frames, 384, 216)
    assert monitor_scene.rebuilds == 1
    monitor_scene.compose(SceneCompositor(layers, canvas, lambda name: name), frames, 384, 216)
    monitor_scene.compose(compositor, frames, 320, 180)
    assert monitor_scene.rebuilds == 3


def test_a_layer_covering_the_canvas_covers_a_monitor_of_a_slightly_other_aspect():
    """770x432 is not quite 16:9 (even sizes): the full-canvas layer still fills it, no bars."""
    canvas = Canvas(width=1920, height=1080, fps=30)
    compositor = SceneCompositor([Layer(source="main", x=0, y=0, width=1920, height=1080, fit=Fit.CONTAIN)], canvas, lambda name: name)
    small = MonitorSizedScene().compose(compositor, {"main": quadrants(1280, 720)}, 770, 432)
    rgb = TapImage(770, 432, small).rgb.astype(int)
    assert close_to(rgb[10, 0], (255, 0, 0)) and close_to(rgb[10, 769], (0, 255, 0))  # red and green to the very edges
    assert close_to(rgb[431, 0], (0, 0, 255)) and close_to(rgb[431, 769], (255, 255, 255))


def test_the_preview_tap_gets_the_preview_scene_at_its_own_size(stepped_demo):
    engine, clock = stepped_demo
    preview = engine.open_video_tap("preview", 320, 180)
    program = engine.open_video_tap("program", 640, 360)
    engine.start()
    run_to(clock, 0)
    picture = preview.latest()
    assert (picture.image.width, picture.image.height) == (320, 180)
    assert close_to(colour_at_third(picture), GREEN)  # SIDE, composed at 320x180
    assert close_to(colour_at_third(program.latest()), RED)


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
