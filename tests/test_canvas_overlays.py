"""Where the overlays go on the vertical canvas: by kind (card, countdown, lower third, comment
ticker), anchored, shrunk or left off, from the show file or live from the session, moving the
overlays on screen at the next tick while main's stay where they are."""

from __future__ import annotations

import numpy as np
import pytest

from studio.app import build_engine
from studio.engine.builtin_shows import builtin_show, demo_show_data
from studio.engine.clock import SteppedClock
from studio.engine.errors import InputError
from studio.engine.extra_canvas import overlay_layer
from studio.engine.overlay_placement import OverlayAnchor, OverlayKind, OverlayPlacement, overlay_kind
from studio.engine.show import Canvas, parse_show
from studio.engine.show_edit import check_live_edit
from studio.session import SessionOptions, StudioSession
from tests.test_video_taps import run_to

MAIN, TALL = Canvas(width=1920, height=1080), Canvas(width=1080, height=1920)


def box(layer) -> tuple[int, int, int, int]:
    return layer.x, layer.y, layer.width, layer.height


def test_overlay_ids_name_their_kind():
    assert overlay_kind("card-7") is OverlayKind.CARD
    assert overlay_kind("countdown") is OverlayKind.COUNTDOWN
    assert overlay_kind("lower-third") is OverlayKind.LOWER_THIRD
    assert overlay_kind("comment-ticker") is OverlayKind.COMMENT_TICKER
    assert overlay_kind("my-logo") is None and overlay_kind("card-x") is None


def test_placements_anchor_shrink_and_hide():
    # Follow main (the default): its own size, the centre in its relative place, inside the margin.
    assert box(overlay_layer(400, 600, 1400, 400, MAIN, TALL)) == (TALL.width - 24 - 400, 944, 400, 600)
    anchored = OverlayPlacement(anchor=OverlayAnchor.BOTTOM, margin_px=300)
    assert box(overlay_layer(400, 600, 1400, 400, MAIN, TALL, anchored)) == (340, 1920 - 300 - 600, 400, 600)
    top_left = OverlayPlacement(anchor=OverlayAnchor.TOP_LEFT, margin_px=40, scale_percent=50)
    assert box(overlay_layer(400, 600, 1400, 400, MAIN, TALL, top_left)) == (40, 40, 200, 300)
    # Too wide for the tall canvas: shrunk to fit between the margins, whatever the scale says.
    assert box(overlay_layer(1920, 200, 0, 880, MAIN, TALL, OverlayPlacement(anchor=OverlayAnchor.TOP))) == (24, 24, 1032, 106)
    assert overlay_layer(400, 600, 0, 0, MAIN, TALL, OverlayPlacement(visible=False)) is None


def vertical_overlays_show(**overlays):
    data = demo_show_data()
    data["canvases"]["vertical"]["overlays"] = overlays
    return parse_show(data)


def test_the_show_file_names_a_bad_overlay_kind_or_value():
    with pytest.raises(InputError) as error:
        vertical_overlays_show(cards={"anchor": "bottom"})
    assert "canvases.vertical.overlays" in str(error.value) and "'card'" in str(error.value)
    with pytest.raises(InputError, match="scale_percent"):
        vertical_overlays_show(card={"scale_percent": 5})
    show = vertical_overlays_show(card={"anchor": "bottom", "margin_px": 320})
    assert show.canvases["vertical"].overlays[OverlayKind.CARD].anchor is OverlayAnchor.BOTTOM


def test_placements_change_live_and_sizes_do_not():
    show = builtin_show("demo")
    placed = vertical_overlays_show(countdown={"visible": False})
    check_live_edit(show, placed)  # no error: placements change under a running engine
    data = demo_show_data()
    data["canvases"]["vertical"]["width"] = 720
    with pytest.raises(InputError, match="canvases"):
        check_live_edit(show, parse_show(data))


def red_square(size: int) -> np.ndarray:
    bgra = np.zeros((size, size, 4), np.uint8)
    bgra[..., 2] = 255
    bgra[..., 3] = 255
    return bgra


def red_rows_and_columns(rgb: np.ndarray) -> tuple[range, range] | None:
    red = (rgb[..., 0] > 200) & (rgb[..., 1] < 60) & (rgb[..., 2] < 60)
    rows, columns = np.flatnonzero(red.any(axis=1)), np.flatnonzero(red.any(axis=0))
    if not len(rows):
        return None
    return range(rows[0], rows[-1] + 1), range(columns[0], columns[-1] + 1)


def test_a_new_placement_moves_the_card_on_the_vertical_canvas_at_the_next_tick_only():
    # BACK (blue) on program, so a red card is easy to find on both canvases.
    data = demo_show_data()
    data["program_scene"] = "BACK"
    clock = SteppedClock()
    session = StudioSession(parse_show(data), SessionOptions(clock=clock))
    engine = session.start()
    try:
        vertical = engine.open_video_tap("canvas:vertical", 1080, 1920)
        main = engine.open_video_tap("program", 1920, 1080)
        engine.show_overlay("card-1", red_square(300), 1500, 700)
        run_to(clock, 1)
        assert red_rows_and_columns(main.latest().rgb) == (range(700, 1000), range(1500, 1800))
        rows, columns = red_rows_and_columns(vertical.latest().rgb)
        assert len(rows) == len(columns) == 300  # its own pixels on the tall canvas too
        assert columns[-1] == 1080 - 24 - 1  # follows main: at the right, inside the margin

        session.set_canvas_overlays("vertical", {"card": {"anchor": "bottom", "margin_px": 200}})
        run_to(clock, 2)
        assert red_rows_and_columns(vertical.latest().rgb) == (range(1920 - 200 - 300, 1920 - 200), range(390, 690))
        assert red_rows_and_columns(main.latest().rgb) == (range(700, 1000), range(1500, 1800))  # main: unchanged
        assert session.show.canvases["vertical"].overlays[OverlayKind.CARD].margin_px == 200  # saved with the show

        session.set_canvas_overlays("vertical", {"card": {"visible": False}})
        run_to(clock, 3)
        assert red_rows_and_columns(vertical.latest().rgb) is None
        engine.show_overlay("card-2", red_square(200), 100, 100)  # the next card: off this canvas too
        run_to(clock, 4)
        assert red_rows_and_columns(vertical.latest().rgb) is None
        assert red_rows_and_columns(main.latest().rgb) == (range(100, 1000), range(100, 1800))

        with pytest.raises(InputError, match="unknown canvas 'square'"):
            session.set_canvas_overlays("square", {})
        with pytest.raises(InputError, match="expected one of card, countdown, lower-third, comment-ticker"):
            session.set_canvas_overlays("vertical", {"banner": {}})
        with pytest.raises(InputError, match="margin_px"):
            session.set_canvas_overlays("vertical", {"card": {"margin_px": -1}})
    finally:
        session.stop()
