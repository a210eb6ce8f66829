"""Video filters: the plugin interface and registry, and colour correction, white balance, crop/pad,
sharpen and skin smoothing (the chain: test_filters_chain.py; LUTs: test_filters_lut.py; chroma key:
test_filters_chroma_key.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.engine.errors import InputError
from studio.engine.filters import VideoFilter, default_filter_registry
from studio.engine.filters.colour_correction import ColourCorrection, ColourCorrectionSettings
from studio.engine.filters.white_balance import WhiteBalance, WhiteBalanceSettings, white_point_settings
from studio.engine.frames import Frame, frame_from_bgr, solid_frame

WIDTH, HEIGHT = 160, 96


def noisy_frame(seed: int = 3, alpha: bool = False) -> Frame:
    rng = np.random.default_rng(seed)
    frame = frame_from_bgr(rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8), captured_ns=42, sequence=7)
    if alpha:
        return Frame(frame.i420, WIDTH, HEIGHT, 42, 7, rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8))
    return frame


def write_look_cube(path: Path, size: int = 9) -> Path:
    steps = np.linspace(0.0, 1.0, size)
    rows = []
    for b in steps:
        for g in steps:
            for r in steps:
                rgb = np.array([r, g, b])
                out = np.clip(0.5 + 1.2 * (rgb - 0.5) + np.array([0.03, 0.0, -0.03]), 0, 1)
                rows.append(" ".join(f"{v:.6f}" for v in out))
    path.write_text(f"LUT_3D_SIZE {size}\n" + "\n".join(rows) + "\n")
    return path


SAMPLE_SETTINGS = {
    "colour_correction": {"brightness": 0.1, "contrast": 1.2, "gamma": 1.3, "saturation": 1.4, "hue_degrees": 10},
    "white_balance": {"temperature_k": 3400, "tint": 10},
    "sharpen": {"amount": 1.0, "radius_px": 1.5, "threshold": 2},
    "chroma_key": {"key_colour": "#00ff00"},
    "crop_pad": {"crop_left_px": 10, "crop_top_px": 4, "pad_right_px": 20, "pad_transparent": False},
    "skin_smoothing": {"strength": 1.0},
}


def sample_filters(tmp_path: Path) -> dict[str, VideoFilter]:
    registry = default_filter_registry()
    settings = dict(SAMPLE_SETTINGS, lut3d={"path": str(write_look_cube(tmp_path / "look.cube"))})
    return {kind: registry.create(kind, values) for kind, values in settings.items()}


# -- interface and registry ------------------------------------------------------------------


def test_registry_lists_every_kind_with_a_form_ready_schema():
    registry = default_filter_registry()
    kinds = ["colour_correction", "white_balance", "lut3d", "sharpen", "chroma_key", "crop_pad", "skin_smoothing"]
    assert registry.kinds == sorted(kinds)
    for kind in registry.kinds:
        schema = registry.settings_schema(kind)
        assert schema["additionalProperties"] is False
        for name, field in schema["properties"].items():
            assert field.get("description"), f"{kind}.{name} has no description"
            if field.get("type") in ("number", "integer"):
                assert "minimum" in field and "maximum" in field, f"{kind}.{name} has no range"


def test_registry_refuses_unknown_kinds_fields_and_out_of_range_values():
    registry = default_filter_registry()
    with pytest.raises(InputError, match="unknown filter kind 'blur'"):
        registry.create("blur", {})
    with pytest.raises(InputError, match="colour"):
        registry.create("colour_correction", {"colour": 1})
    with pytest.raises(InputError, match="saturation"):
        registry.create("colour_correction", {"saturation": 9})
    with pytest.raises(InputError, match="crop_left_px"):
        registry.create("crop_pad", {"crop_left_px": 3})  # odd: I420 needs even geometry


def test_no_filter_writes_into_its_input_and_each_keeps_timing(tmp_path):
    for kind, video_filter in sample_filters(tmp_path).items():
        frame = noisy_frame(alpha=True)
        before = frame.i420.copy(), frame.alpha.copy()
        frame.i420.flags.writeable = False  # numpy and OpenCV both refuse to write into this
        frame.alpha.flags.writeable = False
        out = video_filter.apply(frame)
        assert np.array_equal(frame.i420, before[0]) and np.array_equal(frame.alpha, before[1]), kind
        assert (out.captured_ns, out.sequence) == (42, 7), kind
        assert out.i420.shape == (out.height * 3 // 2, out.width), kind
        assert out.alpha is not None, f"{kind} dropped the frame's alpha"


@pytest.mark.parametrize(("width", "height"), [(2, 2), (6, 4), (22, 14), (1366, 768)])
def test_every_filter_takes_small_and_odd_half_sizes(tmp_path, width, height):
    rng = np.random.default_rng(width)
    frame = frame_from_bgr(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), 0)
    for kind, video_filter in sample_filters(tmp_path).items():
        out = video_filter.apply(frame)
        assert out.i420.shape == (out.height * 3 // 2, out.width), kind


# -- colour correction -----------------------------------------------------------------------


def test_colour_correction_neutral_settings_are_bit_identical():
    frame = noisy_frame(alpha=True)
    neutral = ColourCorrection(ColourCorrectionSettings())
    assert neutral.changes_nothing
    out = neutral.apply(frame)
    assert np.array_equal(out.i420, frame.i420) and np.array_equal(out.alpha, frame.alpha)
    # and a luma-only change leaves chroma bit-identical, a chroma-only one luma
    luma_only = ColourCorrection(ColourCorrectionSettings(contrast=1.3)).apply(frame)
    assert np.array_equal(luma_only.i420[HEIGHT:], frame.i420[HEIGHT:])
    assert np.array_equal(ColourCorrection(ColourCorrectionSettings(hue_degrees=30)).apply(frame).y, frame.y)


def test_colour_correction_settings_do_what_they_say():
    grey = solid_frame(WIDTH, HEIGHT, (128, 128, 128))
    brighter = ColourCorrection(ColourCorrectionSettings(brightness=0.1)).apply(grey)
    assert int(brighter.y[0, 0]) - int(grey.y[0, 0]) == 22  # 0.1 of black (16) to white (235)
    red = solid_frame(WIDTH, HEIGHT, (200, 40, 40))
    grey_again = ColourCorrection(ColourCorrectionSettings(saturation=0.0)).apply(red)
    assert (grey_again.u[0, 0], grey_again.v[0, 0]) == (128, 128)
    opposite = ColourCorrection(ColourCorrectionSettings(hue_degrees=180)).apply(red)
    assert abs(int(opposite.u[0, 0]) - (256 - int(red.u[0, 0]))) <= 1
    lifted = ColourCorrection(ColourCorrectionSettings(gamma=2.0)).apply(grey)
    assert lifted.y[0, 0] > grey.y[0, 0]
    settings = ColourCorrectionSettings(brightness=0.05, contrast=1.3, gamma=0.8, saturation=1.5, hue_degrees=-20)
    corrected = ColourCorrection(settings)
    yuv = np.array([[grey.y[0, 0], grey.u[0, 0], grey.v[0, 0]], [red.y[0, 0], red.u[0, 0], red.v[0, 0]]], dtype=np.float64)
    mapped = np.clip(corrected.colour_map(yuv), 0, 255)  # what composing uses agrees with apply()
    applied = [corrected.apply(f) for f in (grey, red)]
    assert np.abs(mapped - [[f.y[0, 0], f.u[0, 0], f.v[0, 0]] for f in applied]).max() <= 0.5 + 1e-9


# -- white balance ---------------------------------------------------------------------------


def warm_white_3200k_over_6500k() -> np.ndarray:
    """The colour 3200 K light gives a white, relative to 6500 K: Planckian locus by Krystek's
    rational approximation (not the engine's spline), sRGB primaries and curve."""

    def white(temperature_k: float) -> np.ndarray:
        t = temperature_k
        u = (0.860117757 + 1.54118254e-4 * t + 1.28641212e-7 * t * t) / (1 + 8.42420235e-4 * t + 7.08145163e-7 * t * t)
        v = (0.317398726 + 4.22806245e-5 * t + 4.20481691e-8 * t * t) / (1 - 2.89741816e-5 * t + 1.61456053e-7 * t * t)
        x, y = 3 * u / (2 * u - 8 * v + 4), 2 * v / (2 * u - 8 * v + 4)
        xyz = np.array([x / y, 1.0, (1 - x - y) / y])
        linear = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]]) @ xyz
        linear = np.maximum(linear / linear.max(), 0.0)
        return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)

    warm = white(3200) / white(6500)
    return warm / warm.max()


def test_white_balance_picked_from_a_grey_patch_under_3200k_makes_it_neutral():
    rgb = np.zeros((360, 640, 3))
    rgb[:] = (90, 120, 150)
    rgb[100:200, 100:300] = (185, 185, 185)  # the grey card
    rgb[100:200, 340:540] = (235, 235, 235)  # a white shirt
    rgb[240:320, 100:300] = (200, 60, 50)  # a red product
    tinted = np.clip(np.rint(rgb * warm_white_3200k_over_6500k()), 0, 255).astype(np.uint8)
    frame = frame_from_bgr(np.ascontiguousarray(tinted[..., ::-1]), 0)
    settings = white_point_settings(frame, x=200, y=150, radius=8)
    assert abs(settings.temperature_k - 3200) < 100 and abs(settings.tint) < 3
    shown = WhiteBalance(settings).apply(frame).to_bgr()[..., ::-1].astype(np.float64)
    for patch in (shown[110:190, 110:290], shown[110:190, 350:530]):
        level = patch.reshape(-1, 3).mean(axis=0)
        assert np.abs(patch.reshape(-1, 3) - level.mean()).max() <= 2.0, level


def test_white_point_refuses_a_black_patch():
    with pytest.raises(InputError, match="too dark"):
        white_point_settings(solid_frame(WIDTH, HEIGHT, (2, 2, 2)), 10, 10)


def test_white_balance_neutral_is_bit_identical_and_6500k_means_no_gains():
    frame = noisy_frame()
    assert WhiteBalance(WhiteBalanceSettings()).apply(frame) is frame
    warm = WhiteBalance(WhiteBalanceSettings(temperature_k=3000)).apply(solid_frame(WIDTH, HEIGHT, (200, 200, 200)))
    r, g, b = warm.to_bgr()[0, 0][::-1].astype(int)
    assert b > g > r  # correcting warm light cools the picture


def test_white_balance_apply_agrees_with_its_colour_map():
    """apply() works per 2x2 block in YUV; colour_map() is what composing uses: same colours."""
    balance = WhiteBalance(WhiteBalanceSettings(temperature_k=3000, tint=20))
    for rgb in np.random.default_rng(4).integers(0, 256, (50, 3)):
        frame = solid_frame(16, 16, tuple(int(c) for c in rgb))
        applied = balance.apply(frame)
        mapped = np.clip(balance.colour_map(np.array([frame.y[0, 0], frame.u[0, 0], frame.v[0, 0]], dtype=np.float64)), 0, 255)
        assert np.abs(mapped - [applied.y[4, 4], applied.u[2, 2], applied.v[2, 2]]).max() <= 1.0


# -- crop/pad, sharpen, skin smoothing -------------------------------------------------------


def test_crop_and_transparent_pad():
    registry = default_filter_registry()
    frame = noisy_frame()
    out = registry.create("crop_pad", {"crop_left_px": 10, "crop_bottom_px": 6, "pad_top_px": 4}).apply(frame)
    assert (out.width, out.height) == (WIDTH - 10, HEIGHT - 6 + 4)
    assert np.array_equal(out.y[4:], frame.y[: HEIGHT - 6, 10:])
    assert np.array_equal(out.u[2:], frame.u[: (HEIGHT - 6) // 2, 5:])
    assert out.alpha is not None and out.alpha[:4].max() == 0 and out.alpha[4:].min() == 255
    tiny = registry.create("crop_pad", {"crop_left_px": 4000}).apply(frame)
    assert tiny.width == 2  # a crop bigger than the picture leaves a sliver, not an error


def test_sharpen_raises_edge_contrast_on_luma_only():
    rgb = np.full((HEIGHT, WIDTH, 3), 80, dtype=np.uint8)
    rgb[:, WIDTH // 2 :] = 160
    frame = frame_from_bgr(rgb, 0)
    out = default_filter_registry().create("sharpen", {"amount": 1.0, "radius_px": 1.0}).apply(frame)
    row = WIDTH // 2
    assert out.y[10, row] > frame.y[10, row] and out.y[10, row - 1] < frame.y[10, row - 1]  # overshoot
    assert np.array_equal(out.y[:, :20], frame.y[:, :20])  # flat areas unchanged
    assert np.array_equal(out.i420[HEIGHT:], frame.i420[HEIGHT:])
    rgb[10:20, 10:20] += 2  # detail (or noise) of 2 code values
    noisy = frame_from_bgr(rgb, 0)
    kept = default_filter_registry().create("sharpen", {"amount": 1.0, "threshold": 4}).apply(noisy)
    assert np.array_equal(kept.y[:40, :40], noisy.y[:40, :40])
    assert kept.y[10, row] > noisy.y[10, row]  # the real edge is still sharpened


def test_skin_smoothing_flattens_skin_texture_keeps_edges_and_leaves_other_colours():
    rng = np.random.default_rng(11)
    width, height = 320, 192
    rgb = np.zeros((height, width, 3))
    rgb[:, : width // 2] = (205, 150, 125)  # skin
    rgb[:, width // 2 :] = (60, 90, 160)  # a blue shirt
    rgb[150:, width // 2 :] = (150, 150, 150)  # a grey wall
    # Blemishes and uneven skin a few pixels across (a face filling a 1080p frame's height has
    # about 3 px per mm), std 5 code values.
    texture = cv2.GaussianBlur(rng.normal(0.0, 1.0, (height, width)), (0, 0), 1.5)
    rgb += (5.0 / texture.std() * texture)[..., None]
    rgb[80:112, 40:72] = (50, 35, 30)  # an eye: a real edge
    yy, xx = np.mgrid[0:height, 0:width]
    spot = (yy - 40) ** 2 + (xx - 120) ** 2 <= 9  # a blemish 6 px across, darker by 20
    rgb[spot] -= 20
    frame = frame_from_bgr(np.ascontiguousarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8)[..., ::-1]), 0)
    smoothing = default_filter_registry().create("skin_smoothing", {"strength": 1.0, "radius_px": 8, "edge_contrast": 10})
    out = smoothing.apply(frame)

    skin = (slice(50, 75), slice(90, 150))
    # Texture a few pixels across loses most of its contrast; detail finer than 2 px is kept
    # by design (the change is computed at half size), so it does not vanish altogether.
    assert out.y[skin].std() < 0.6 * frame.y[skin].std()
    ring = ((yy - 40) ** 2 + (xx - 120) ** 2 > 36) & ((yy - 40) ** 2 + (xx - 120) ** 2 <= 100)
    contrast_before, contrast_after = (float(f.y[ring].mean()) - float(f.y[spot].mean()) for f in (frame, out))
    assert contrast_after < 0.5 * contrast_before, (contrast_before, contrast_after)
    assert abs(float(out.y[skin].mean()) - float(frame.y[skin].mean())) < 1.5
    eye = (slice(86, 106), slice(46, 66))
    assert abs(float(out.y[eye].mean()) - float(frame.y[eye].mean())) < 4  # the eye stays dark
    for not_skin in ((slice(10, 140), slice(width // 2 + 16, width - 8)), (slice(160, 190), slice(width // 2 + 16, width - 8))):
        assert np.abs(out.y[not_skin].astype(int) - frame.y[not_skin].astype(int)).max() <= 1
    assert np.array_equal(out.i420[height:], frame.i420[height:])
