"""Editing the show while it runs: sources, scenes and layers change on a tick, with no restart.

The real-time test goes live to the tests' own nginx-rtmp while recording and adds a camera-like
source that takes a second to open: neither output may lose a frame, and the picture shows the
source from the tick its first frame arrived until the tick it was removed. The others run on
the virtual clock and compare decoded frames with the ticks the engine says an edit landed on.
"""

from __future__ import annotations

import pytest

from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import NS_PER_SECOND
from studio.engine.errors import InputError
from studio.session import SessionOptions, StudioSession
from tests.conftest import decode_rgb_frames, ffprobe, median_rgb
from tests.servers import poll_until

MAGENTA = (255, 0, 255)


def is_magenta(rgb) -> bool:
    red, green, blue = (int(v) for v in rgb)
    return red > 200 and blue > 200 and green < 60


def wait_media_s(session: StudioSession, seconds: float) -> None:
    poll_until(lambda: session.engine.stats().media_time_ns >= seconds * NS_PER_SECOND, timeout_s=seconds + 30, what=f"media time {seconds} s")


@pytest.mark.slow
def test_adding_and_removing_a_slow_camera_while_live_costs_no_frame(rtmp_server, tmp_path):
    session = StudioSession(builtin_show("demo"), SessionOptions(tick_limit=240))
    engine = session.build()
    applied: list[int] = []
    engine.events.show_edit_applied.connect(applied.append)
    recording = tmp_path / "live.mkv"
    session.start_recording(recording)
    session.start_streaming([("nginx", rtmp_server.url("editkey"))])
    session.start()
    try:
        wait_media_s(session, 2.0)
        (stream_stats,) = engine.destination_stats()  # the live figures, kept up to date until it closes
        camera = session.add_source("test_pattern", "Slow cam", {"colour": list(MAGENTA), "open_delay_ms": 1000})
        session.add_layer(engine.program_scene, camera.id, x=0, y=0, width=960, height=540)
        wait_media_s(session, 5.0)
        session.remove_source(camera.id)
        assert engine.wait(60)
    finally:
        session.stop()
    stats = engine.stats()  # after the stop: the encoder has written everything

    assert len(applied) == 3  # the source, its layer, its removal: each on a tick of its own
    video = next(s for s in ffprobe(recording)["streams"] if s["codec_type"] == "video")
    assert int(video["nb_read_frames"]) == stats.frames_encoded == stats.frames_produced + stats.frames_dropped
    (received,) = rtmp_server.wait_for_recordings("editkey", count=1)
    streamed = next(s for s in ffprobe(received)["streams"] if s["codec_type"] == "video")
    assert int(streamed["nb_read_frames"]) == stream_stats.video_frames_sent
    assert stream_stats.video_frames_sent + sum(stream_stats.dropped_frames.values()) == stats.frames_encoded

    # Magenta in the top-left quadrant from the tick its first frame arrived (after the layer was
    # added and the source had opened) to the tick before the removal landed; never a slate.
    shown = [index for index, rgb in decode_rgb_frames(recording) if is_magenta(median_rgb(rgb[40:500, 40:900]))]
    assert shown, "the added camera never appeared"
    assert shown == list(range(shown[0], shown[-1] + 1)), "the camera flickered"
    ticks_per_frame = 1  # the recording holds one frame per produced tick (no tick was skipped here)
    # A tick the encoder was too far behind to take is recorded as a repeat of the one before, so
    # frame N shows tick N only without repeats (a busy machine may cause some).
    if stats.frames_dropped == 0 and engine.recording_stats.frames_repeated == 0:
        assert shown[0] >= applied[1] * ticks_per_frame + 15  # a second to open: not before
        assert shown[-1] == applied[2] - 1


def test_an_edit_shows_on_the_tick_it_is_applied(tmp_path):
    session = StudioSession(builtin_show("demo"), SessionOptions(virtual_clock=True, tick_limit=90))
    engine = session.build()
    applied: list[int] = []
    engine.events.show_edit_applied.connect(applied.append)
    recording = tmp_path / "edit.mkv"
    session.start_recording(recording)
    colour = session.add_source("colour", "Magenta", {"colour": list(MAGENTA)})
    scene = session.add_scene("Mine")
    layer = session.add_layer(scene, colour.id, x=200, y=100, width=640, height=360)
    engine.cut(scene)
    session.start()
    wait_media_s(session, 1.0)
    session.update_layer(scene, layer.id, x=1000, y=600)
    wait_media_s(session, 2.0)
    session.update_layer(scene, layer.id, visible=False)
    assert engine.wait(60)
    session.stop()

    moved, hidden = applied[-2], applied[-1]
    for index, rgb in decode_rgb_frames(recording):
        at_first_place = is_magenta(median_rgb(rgb[120:440, 220:820]))
        at_second_place = is_magenta(median_rgb(rgb[620:940, 1020:1620]))
        if index < moved:
            assert at_first_place and not at_second_place, index
        elif index < hidden:
            assert at_second_place and not at_first_place, index
        else:
            assert not at_first_place and not at_second_place, index


def test_removing_the_scene_on_program_falls_back_and_the_show_goes_on():
    session = StudioSession(builtin_show("demo"), SessionOptions(virtual_clock=True, tick_limit=60))
    engine = session.build()
    scene = session.add_scene("Temporary", copy_of="PIP")
    engine.cut(scene)
    session.start()
    wait_media_s(session, 0.5)
    session.remove_scene(scene)
    assert engine.wait(60)
    stats = engine.stats()
    session.stop()
    assert engine.program_scene == "FRONT"
    assert stats.frames_produced == 60 and engine._program.tick_failures == 0


def test_bad_edits_name_the_field_and_change_nothing(tmp_path):
    session = StudioSession(builtin_show("demo"), SessionOptions(virtual_clock=True, tick_limit=30))
    session.build()
    before = session.show
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    cases = [
        (lambda: session.add_source("hologram", "X"), "unknown source kind 'hologram'"),
        (lambda: session.add_source("image", "Pic", {"path": str(tmp_path / "missing.png")}), "settings.path"),
        (lambda: session.add_source("colour", "FRONT"), "already taken"),
        (lambda: session.add_layer("Nowhere", "FRONT"), "unknown scene 'Nowhere'"),
        (lambda: session.add_layer("PIP", "FRONT", x=5000, y=0, width=100, height=100), "outside the canvas"),
        (lambda: session.update_layer("PIP", 1, opacity=3), "opacity"),
        (lambda: session.rename_scene("PIP", "GRID"), "already taken"),
    ]
    for call, expected in cases:
        with pytest.raises(InputError) as caught:
            call()
        assert expected in str(caught.value)
    assert session.show == before
    session.stop()


def test_a_picture_that_is_not_an_image_is_refused(tmp_path):
    session = StudioSession(builtin_show("demo"), SessionOptions(virtual_clock=True, tick_limit=30))
    session.build()
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    try:
        with pytest.raises(InputError) as caught:
            session.add_source("image", "Notes", {"path": str(not_an_image)})
        assert "notes.png" in str(caught.value)
        assert [s.name for s in session.show.sources] == ["FRONT", "SIDE", "BACK", "DETAIL", "Guest 1"]
    finally:
        session.stop()


def test_renaming_a_scene_a_product_uses_keeps_the_product_on_it():
    session = StudioSession(builtin_show("demo"), SessionOptions(virtual_clock=True, tick_limit=30))
    session.build()
    try:
        uses = [p.id for p in session.show.products if p.preset.scene == "FRONT"]
        assert uses, "the demo has a product whose look is FRONT"
        session.rename_scene("FRONT", "Host close-up")
        scene_id = next(s.id for s in session.show.scenes if s.name == "Host close-up")
        assert all(session.selling.product(product_id).preset.scene == scene_id for product_id in uses)
    finally:
        session.stop()


def test_a_source_removed_just_before_the_engine_stops_is_stopped_too():
    session = StudioSession(builtin_show("demo"), SessionOptions(tick_limit=None))
    engine = session.build()
    added = session.add_source("test_pattern", "Brief", {"colour": [10, 200, 10]})
    runner = engine._runners[added.id]
    session.remove_source(added.id)  # the program never started: nobody applied the removal
    session.stop()
    assert runner.status.value == "closed"
