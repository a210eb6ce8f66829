"""The filter chain: per-filter bypass, a failing filter bypassed with a warning while the picture
goes on, and adjacent colour maps composed into one table."""

from __future__ import annotations

import logging

import cv2
import numpy as np

from studio.engine.filters import FilterChain, FilterFailure, VideoFilter, default_filter_registry
from studio.engine.filters.base import FilterSettings
from studio.engine.filters.colour_correction import ColourCorrection, ColourCorrectionSettings
from studio.engine.filters.white_balance import WhiteBalance, WhiteBalanceSettings
from studio.engine.frames import Frame, frame_from_bgr, solid_frame
from tests.test_filters import HEIGHT, WIDTH, noisy_frame, write_look_cube

class _BoomSettings(FilterSettings):
    pass


class Boom(VideoFilter):
    kind = "boom"
    title = "Boom"
    settings_model = _BoomSettings

    def __init__(self) -> None:
        super().__init__(_BoomSettings())
        self.calls = 0

    def apply(self, frame: Frame) -> Frame:
        self.calls += 1
        raise ZeroDivisionError("the filter divided by zero")


class WritesIntoInput(Boom):
    def apply(self, frame: Frame) -> Frame:
        frame.i420[0, 0] = 0
        return frame


class ChangesSize(Boom):
    def apply(self, frame: Frame) -> Frame:
        return solid_frame(frame.width // 2, frame.height, (0, 0, 0))


def test_a_filter_that_raises_is_bypassed_with_a_warning_and_the_chain_goes_on(caplog):
    brighter = ColourCorrection(ColourCorrectionSettings(brightness=0.2))
    boom = Boom()
    warmer = WhiteBalance(WhiteBalanceSettings(temperature_k=8000))
    failures: list[FilterFailure] = []
    chain = FilterChain([brighter, ("the bad one", boom), warmer], owner="Camera 1", on_failure=failures.append)
    frame = noisy_frame()
    expected = warmer.apply(brighter.apply(frame))
    with caplog.at_level(logging.WARNING):
        first = chain.apply(frame)
        second = chain.apply(frame)
    assert np.array_equal(first.i420, expected.i420) and np.array_equal(second.i420, expected.i420)
    assert boom.calls == 1  # bypassed from then on
    assert len(failures) == 1
    failure = failures[0]
    assert (failure.owner, failure.index, failure.label, failure.kind) == ("Camera 1", 1, "the bad one", "boom")
    assert "ZeroDivisionError: the filter divided by zero" in failure.message
    assert "Camera 1" in failure.message and "the bad one" in failure.message
    assert failure.message in caplog.text
    assert chain.slots[1].failure == failure and not chain.slots[1].active


def test_a_filter_that_writes_into_the_shared_frame_or_breaks_its_size_is_bypassed():
    frame = noisy_frame()
    original = frame.i420.copy()
    failures: list[FilterFailure] = []
    out = FilterChain([WritesIntoInput(), ChangesSize()], on_failure=failures.append).apply(frame)
    assert np.array_equal(frame.i420, original) and np.array_equal(out.i420, original)
    assert [f.index for f in failures] == [0, 1]
    assert "read-only" in failures[0].error
    assert "changed the frame size" in failures[1].error


def test_a_failure_listener_that_raises_does_not_stop_the_picture():
    def listener(failure: FilterFailure) -> None:
        raise RuntimeError("listener broke")

    frame = noisy_frame()
    out = FilterChain([Boom()], on_failure=listener).apply(frame)
    assert out is frame


def test_bypass_and_neutral_filters_leave_the_frame_untouched():
    frame = noisy_frame()
    warmer = WhiteBalance(WhiteBalanceSettings(temperature_k=4000))
    chain = FilterChain([ColourCorrection(ColourCorrectionSettings()), warmer])
    assert not np.array_equal(chain.apply(frame).i420, frame.i420)
    chain.set_bypassed(1, True)
    assert chain.apply(frame) is frame
    chain.set_bypassed(1, False)
    assert np.array_equal(chain.apply(frame).i420, warmer.apply(frame).i420)


def test_colour_maps_around_a_lut_are_composed_into_one_table_matching_them_in_turn(tmp_path):
    registry = default_filter_registry()
    filters = [
        registry.create("colour_correction", {"brightness": 0.05, "saturation": 1.2}),
        registry.create("white_balance", {"temperature_k": 3600}),
        registry.create("lut3d", {"path": str(write_look_cube(tmp_path / "look.cube"))}),
    ]
    blocks = np.random.default_rng(5).integers(40, 220, (HEIGHT // 8, WIDTH // 8, 3), dtype=np.uint8)
    frame = frame_from_bgr(blocks.repeat(8, 0).repeat(8, 1), 0)
    chain = FilterChain(filters)
    chain.prepare()
    assert len(chain._current_plan()) == 1  # one composed step, not three passes
    composed = chain.apply(frame)
    one_by_one = frame
    for video_filter in filters:
        one_by_one = video_filter.apply(one_by_one)
    # Flat 8x8 blocks: the composed table and the three passes (each rounding to uint8) agree to
    # the rounding of the passes.
    inner = np.zeros((HEIGHT, WIDTH), dtype=bool)
    inner[2::8, 2::8] = True
    difference = np.abs(composed.y.astype(int) - one_by_one.y.astype(int))[inner]
    assert difference.max() <= 2
    assert np.abs(composed.u.astype(int) - one_by_one.u.astype(int))[1::4, 1::4].max() <= 2


def test_a_colour_map_that_fails_while_composing_is_blamed_alone(tmp_path):
    registry = default_filter_registry()
    lut = registry.create("lut3d", {"path": str(write_look_cube(tmp_path / "look.cube"))})
    broken = WhiteBalance(WhiteBalanceSettings(temperature_k=3000))
    broken.colour_map = lambda yuv: 1 / 0  # type: ignore[method-assign]
    failures: list[FilterFailure] = []
    chain = FilterChain([broken, lut], on_failure=failures.append)
    frame = noisy_frame()
    assert np.array_equal(chain.apply(frame).i420, lut.apply(frame).i420)
    assert [f.index for f in failures] == [0]




def test_skin_smoothing_after_a_lut_is_added_in_the_luts_pass(tmp_path):
    registry = default_filter_registry()
    lut = registry.create("lut3d", {"path": str(write_look_cube(tmp_path / "look.cube"))})
    skin = registry.create("skin_smoothing", {"strength": 1.0})
    rng = np.random.default_rng(9)
    rgb = np.empty((HEIGHT, WIDTH, 3))
    rgb[:] = (200, 150, 125)
    rgb[:, WIDTH // 2 :] = (60, 90, 160)
    texture = cv2.GaussianBlur(rng.normal(0.0, 1.0, (HEIGHT, WIDTH)), (0, 0), 1.5)
    rgb += (5.0 / texture.std() * texture)[..., None]
    frame = frame_from_bgr(np.ascontiguousarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8)[..., ::-1]), 0)
    chain = FilterChain([lut, skin])
    assert len(chain._current_plan()) == 1
    fused = chain.apply(frame)
    in_turn = skin.apply(lut.apply(frame))
    assert np.abs(fused.y.astype(int) - in_turn.y.astype(int)).max() <= 2
    assert np.array_equal(fused.i420[HEIGHT:], in_turn.i420[HEIGHT:])
    skin_area = (slice(8, HEIGHT - 8), slice(8, WIDTH // 2 - 16))
    assert fused.y[skin_area].std() < 0.7 * lut.apply(frame).y[skin_area].std()  # it did smooth


def test_a_luma_change_that_fails_inside_a_composed_pass_is_found_and_bypassed_alone(tmp_path):
    registry = default_filter_registry()
    lut = registry.create("lut3d", {"path": str(write_look_cube(tmp_path / "look.cube"))})
    skin = registry.create("skin_smoothing", {})
    skin.luma_change = lambda half_y, u, v: None  # type: ignore[method-assign]
    failures: list[FilterFailure] = []
    chain = FilterChain([lut, skin], on_failure=failures.append)
    frame = noisy_frame()
    for _ in range(2):
        assert np.array_equal(chain.apply(frame).i420, lut.apply(frame).i420)
    assert [f.index for f in failures] == [1]
