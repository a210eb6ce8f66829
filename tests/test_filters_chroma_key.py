"""Chroma key on a synthetic green-screen frame: a figure with soft edges, lit green by the screen
near its outline, in front of an unevenly lit screen with sensor noise."""

from __future__ import annotations

import cv2
import numpy as np

from studio.engine.filters.chroma_key import ChromaKey, ChromaKeySettings
from studio.engine.frames import frame_from_bgr

WIDTH, HEIGHT = 640, 360
SCREEN_RGB = (20, 180, 60)
SPILL_RGB = np.array([-12.0, 38.0, -12.0])  # what the screen's light adds at the very edge


def green_screen_scene():
    """(frame, known alpha 0-1, distance inside the figure in px)."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    head = ((xx - 320) / 55) ** 2 + ((yy - 110) / 70) ** 2 <= 1
    neck = (np.abs(xx - 320) <= 22) & (yy >= 160) & (yy < 200)
    body = (np.abs(xx - 320) <= 120) & (yy >= 185) & ~((yy < 215) & (np.abs(xx - 320) > 120 - (yy - 185)))
    figure = head | neck | body
    # Soft edges: hair, motion and lens blur, about 1.5 px.
    alpha = cv2.GaussianBlur(figure.astype(np.float64), (0, 0), 1.5)

    colours = np.zeros((HEIGHT, WIDTH, 3))
    colours[:] = (40, 60, 150)  # blue shirt
    colours[head | neck] = (205, 150, 125)  # skin
    colours[(np.abs(xx - 320) <= 60) & (yy >= 185) & (yy < 215)] = (225, 225, 225)  # white collar
    inside_px = cv2.distanceTransform(figure.astype(np.uint8), cv2.DIST_L2, 5)
    spilled = colours + np.exp(-inside_px / 4.0)[..., None] * SPILL_RGB

    lighting = 1.0 + 0.08 * np.sin(xx / WIDTH * np.pi)[..., None]  # brighter in the middle
    screen = np.array(SCREEN_RGB, dtype=np.float64) * lighting
    noise = np.random.default_rng(1).normal(0.0, 2.0, (HEIGHT, WIDTH, 3))
    picture = alpha[..., None] * spilled + (1 - alpha[..., None]) * screen + noise
    rgb = np.clip(np.rint(picture), 0, 255).astype(np.uint8)
    return frame_from_bgr(np.ascontiguousarray(rgb[..., ::-1]), captured_ns=0), alpha, inside_px


def green_excess(frame) -> np.ndarray:
    """How much greener than both red and blue each pixel shows (0 when it is not)."""
    rgb = frame.to_bgr()[..., ::-1].astype(np.float64)
    return np.maximum(rgb[..., 1] - np.maximum(rgb[..., 0], rgb[..., 2]), 0.0)


def keyer() -> ChromaKey:
    # The key colour as picked from the screen; similarity covers its uneven light and noise.
    return ChromaKey(ChromaKeySettings(key_colour=SCREEN_RGB, similarity=30, smoothness=20, spill_reduction=1.0))


def test_alpha_matches_the_known_mask():
    frame, known_alpha, _ = green_screen_scene()
    out = keyer().apply(frame)
    assert out.alpha is not None and out.alpha.shape == (HEIGHT, WIDTH)
    keyed = out.alpha > 128
    known = known_alpha > 0.5
    iou = np.logical_and(keyed, known).sum() / np.logical_or(keyed, known).sum()
    assert iou >= 0.98, iou
    # the screen well away from the figure is fully transparent, the figure's inside opaque
    assert out.alpha[known_alpha < 0.01].mean() < 1.0
    assert out.alpha[cv2.erode(known.astype(np.uint8), np.ones((9, 9))) > 0].min() == 255


def test_spill_is_reduced_on_the_figures_edge():
    frame, known_alpha, inside_px = green_screen_scene()
    out = keyer().apply(frame)
    edge = (known_alpha >= 0.5) & (inside_px < 6)  # kept pixels near the outline
    before = green_excess(frame)[edge].mean()
    after = green_excess(out)[edge].mean()
    assert before > 5.0  # the scene really has spill
    assert after < 0.2 * before, (before, after)
    # luma is left alone: the edge keeps its brightness
    assert np.array_equal(out.y, frame.y)


def test_no_spill_reduction_keeps_the_colours_and_existing_alpha_is_kept():
    frame, known_alpha, _ = green_screen_scene()
    settings = ChromaKeySettings(key_colour=SCREEN_RGB, similarity=30, smoothness=20, spill_reduction=0.0)
    out = ChromaKey(settings).apply(frame)
    assert np.array_equal(out.i420, frame.i420)
    half_transparent = np.full((HEIGHT, WIDTH), 128, dtype=np.uint8)
    with_alpha = ChromaKey(settings).apply(type(frame)(frame.i420, WIDTH, HEIGHT, 0, 0, half_transparent))
    inside = cv2.erode((known_alpha > 0.5).astype(np.uint8), np.ones((9, 9))) > 0
    assert np.all(np.abs(with_alpha.alpha[inside].astype(int) - 128) <= 1)
