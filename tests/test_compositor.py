"""Compositor geometry and blending, on synthetic frames."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.engine.frames import Frame, frame_from_bgr, frame_from_bgra, new_i420
from studio.engine.show import Canvas, Crop, Fit, Layer
from studio.engine.video.compositor import LayerPainter, Rect, SceneCompositor, fill_black, place_layer

CANVAS = Canvas(width=640, height=360, fps=30)


def quadrant_frame(width: int = 320, height: int = 180) -> Frame:
    """Red top-left, green top-right, blue bottom-left, white bottom-right (BGR input)."""
    bgr = np.zeros((height, width, 3), np.uint8)
    half_h, half_w = height // 2, width // 2
    bgr[:half_h, :half_w] = (0, 0, 255)
    bgr[:half_h, half_w:] = (0, 255, 0)
    bgr[half_h:, :half_w] = (255, 0, 0)
    bgr[half_h:, half_w:] = (255, 255, 255)
    return frame_from_bgr(bgr, 0)


def paint(layer: Layer, frame: Frame, canvas: Canvas = CANVAS) -> np.ndarray:
    target = new_i420(canvas.width, canvas.height)
    fill_black(target, canvas)
    LayerPainter(layer, canvas).paint(frame, target)
    return Frame(target, canvas.width, canvas.height, 0).to_bgr()


def bgr_at(image: np.ndarray, x: int, y: int) -> tuple[int, ...]:
    return tuple(int(v) for v in image[y, x])


def near(actual, expected, tolerance=20) -> bool:
    return max(abs(a - b) for a, b in zip(actual, expected, strict=True)) <= tolerance


def test_stretch_fills_the_box_and_keeps_quadrants():
    image = paint(Layer(source="s", x=0, y=0, width=640, height=360, fit=Fit.STRETCH), quadrant_frame())
    assert near(bgr_at(image, 10, 10), (0, 0, 255))
    assert near(bgr_at(image, 630, 10), (0, 255, 0))
    assert near(bgr_at(image, 10, 350), (255, 0, 0))
    assert near(bgr_at(image, 630, 350), (255, 255, 255))


def test_contain_letterboxes_a_square_source_and_leaves_the_rest_untouched():
    square = frame_from_bgr(np.full((100, 100, 3), 200, np.uint8), 0)
    image = paint(Layer(source="s", fit=Fit.CONTAIN), square)
    assert near(bgr_at(image, 320, 180), (200, 200, 200))
    assert near(bgr_at(image, 50, 180), (0, 0, 0))  # pillarbox stays black
    columns = np.where(image[180, :, 0] > 100)[0]
    assert abs((columns[-1] - columns[0] + 1) - 360) <= 2  # square: as wide as the canvas is high


def test_cover_crops_the_overflow_equally():
    square = quadrant_frame(200, 200)
    image = paint(Layer(source="s", fit=Fit.COVER), square)
    # 200x200 covering 640x360: the top and bottom 22% are cut, left/right all kept
    assert near(bgr_at(image, 5, 5), (0, 0, 255))
    assert near(bgr_at(image, 635, 355), (255, 255, 255))


def test_rotation_by_90_turns_the_picture_clockwise():
    image = paint(Layer(source="s", fit=Fit.STRETCH, rotation=90), quadrant_frame())
    # Clockwise: the source's bottom-left (blue) comes to the top-left.
    assert near(bgr_at(image, 10, 10), (255, 0, 0))
    assert near(bgr_at(image, 630, 10), (0, 0, 255))
    assert near(bgr_at(image, 630, 350), (0, 255, 0))


def test_rotation_by_270_and_180():
    image = paint(Layer(source="s", fit=Fit.STRETCH, rotation=270), quadrant_frame())
    assert near(bgr_at(image, 10, 10), (0, 255, 0))
    image = paint(Layer(source="s", fit=Fit.STRETCH, rotation=180), quadrant_frame())
    assert near(bgr_at(image, 10, 10), (255, 255, 255))


def test_mirror_swaps_left_and_right():
    image = paint(Layer(source="s", fit=Fit.STRETCH, mirror=True), quadrant_frame())
    assert near(bgr_at(image, 10, 10), (0, 255, 0))
    assert near(bgr_at(image, 630, 10), (0, 0, 255))


def test_crop_keeps_only_the_chosen_part():
    crop = Crop(left=160, top=0, right=0, bottom=90)  # keep the green top-right quadrant
    image = paint(Layer(source="s", fit=Fit.STRETCH, crop=crop), quadrant_frame())
    assert near(bgr_at(image, 10, 10), (0, 255, 0))
    assert near(bgr_at(image, 630, 350), (0, 255, 0))


def test_opacity_blends_half_way():
    white = frame_from_bgr(np.full((180, 320, 3), 255, np.uint8), 0)
    image = paint(Layer(source="s", fit=Fit.STRETCH, opacity=0.5), white)
    assert near(bgr_at(image, 320, 180), (128, 128, 128), tolerance=12)


def test_alpha_overlay_touches_only_its_bounding_box():
    bgra = np.zeros((40, 60, 4), np.uint8)
    bgra[:, :, :3] = 255
    bgra[:, :30, 3] = 255  # left half opaque white, right half fully transparent
    overlay = frame_from_bgra(bgra, 0)
    assert overlay.alpha is not None
    target = new_i420(CANVAS.width, CANVAS.height)
    fill_black(target, CANVAS)
    before = target.copy()
    LayerPainter(Layer(source="o", x=100, y=100, width=60, height=40), CANVAS).paint(overlay, target)
    image = Frame(target, CANVAS.width, CANVAS.height, 0).to_bgr()
    assert near(bgr_at(image, 110, 120), (255, 255, 255))
    assert near(bgr_at(image, 150, 120), (0, 0, 0))
    changed_rows, changed_columns = np.nonzero((target != before)[: CANVAS.height])
    assert changed_rows.min() >= 100 and changed_rows.max() < 140
    assert changed_columns.min() >= 100 and changed_columns.max() < 160


def test_layers_are_painted_in_z_order():
    red = frame_from_bgr(np.tile(np.array([0, 0, 255], np.uint8), (180, 320, 1)), 0)
    blue = frame_from_bgr(np.tile(np.array([255, 0, 0], np.uint8), (180, 320, 1)), 0)
    layers = [
        Layer(source="blue", x=0, y=0, width=320, height=180, fit=Fit.STRETCH, z=0),
        Layer(source="red", x=160, y=90, width=320, height=180, fit=Fit.STRETCH, z=1),
    ]
    compositor = SceneCompositor(layers, CANVAS, lambda ref: ref)
    target = new_i420(CANVAS.width, CANVAS.height)
    compositor.compose({"red": red, "blue": blue}, target)
    image = Frame(target, CANVAS.width, CANVAS.height, 0).to_bgr()
    assert near(bgr_at(image, 200, 120), (0, 0, 255))  # red on top where they overlap
    assert near(bgr_at(image, 50, 50), (255, 0, 0))
    assert near(bgr_at(image, 600, 20), (0, 0, 0))  # uncovered canvas is black


@settings(max_examples=300, deadline=None)
@given(
    x=st.integers(-800, 800),
    y=st.integers(-500, 500),
    width=st.integers(1, 1500),
    height=st.integers(1, 1000),
    fit=st.sampled_from(list(Fit)),
    rotation=st.sampled_from([0, 90, 180, 270]),
    mirror=st.booleans(),
    crop=st.tuples(*[st.integers(0, 200)] * 4),
    source_size=st.tuples(st.integers(1, 400).map(lambda v: v * 2), st.integers(1, 300).map(lambda v: v * 2)),
)
def test_any_layer_geometry_stays_on_canvas_and_in_source(x, y, width, height, fit, rotation, mirror, crop, source_size):
    layer = Layer(
        source="s", x=x, y=y, width=width, height=height, fit=fit, rotation=rotation, mirror=mirror,
        crop=Crop(left=crop[0], top=crop[1], right=crop[2], bottom=crop[3]),
    )
    placement = place_layer(layer, *source_size, CANVAS)
    if placement is None:
        return
    dst, src = placement.canvas_rect, placement.source_rect
    for rect, (limit_w, limit_h) in ((dst, (CANVAS.width, CANVAS.height)), (src, source_size)):
        assert 0 <= rect.x0 < rect.x1 <= limit_w and 0 <= rect.y0 < rect.y1 <= limit_h
        assert all(v % 2 == 0 for v in (rect.x0, rect.y0, rect.x1, rect.y1))
    # Painting it never raises and writes only inside the placement's rectangle.
    frame = quadrant_frame(*source_size)
    target = new_i420(CANVAS.width, CANVAS.height)
    target[:] = 7
    LayerPainter(layer, CANVAS).paint(frame, target)
    touched_rows, touched_columns = np.nonzero(target[: CANVAS.height] != 7)
    if touched_rows.size:
        assert Rect(touched_columns.min(), touched_rows.min(), touched_columns.max() + 1, touched_rows.max() + 1).x0 >= dst.x0
        assert touched_columns.max() < dst.x1 and touched_rows.max() < dst.y1 and touched_rows.min() >= dst.y0
