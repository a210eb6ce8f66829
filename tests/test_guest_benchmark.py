"""The guest benchmark's own pieces that decide what it reports (benchmarks/guest.py): the show it
builds, where it looks for a guest's time code on program, and which role a thread's CPU counts
for. The benchmark itself runs for minutes and prints figures; nothing here times anything."""

from __future__ import annotations

from benchmarks.guest import GUESTS, LOCAL_SOURCES, benchmark_show_data, guest_picture_box
from benchmarks.guest_cpu import (
    ROLE_CAPTURE_GUESTS,
    ROLE_CAPTURE_LOCAL,
    ROLE_DECODER_NATIVE,
    ROLE_EXECUTOR,
    ROLE_LOOP,
    ROLE_NATIVE,
    ROLE_VIDEO_DECODE,
    role_of,
)
from studio.engine.show import parse_show
from studio.engine.video.layouts import scene_layers


def test_the_benchmark_show_puts_all_six_sources_on_program_at_1080p30():
    show = parse_show(benchmark_show_data(), file="<guest benchmark>")
    assert (show.canvas.width, show.canvas.height, show.canvas.fps) == (1920, 1080, 30)
    assert (show.encoder.preset, show.encoder.bitrate_kbps) == ("veryfast", 6000)
    program = show.scene_by_ref(show.program_scene)
    assert sorted(layer.source for layer in scene_layers(program, show.canvas)) == sorted([*LOCAL_SOURCES, *GUESTS])
    voices = {audio.source for audio in show.audio_inputs if audio.kind.value == "source_audio"}
    assert voices == set(GUESTS)


def test_a_guest_picture_box_lies_inside_that_guest_s_cell_with_its_aspect():
    show = parse_show(benchmark_show_data(), file="<guest benchmark>")
    layers = {layer.source: layer for layer in scene_layers(show.scene_by_ref(show.program_scene), show.canvas)}
    for guest_id in GUESTS:
        cell = layers[guest_id]
        x, y, width, height = guest_picture_box(guest_id, 640, 360)
        assert cell.x <= x and x + width <= cell.x + cell.width
        assert cell.y <= y and y + height <= cell.y + cell.height
        assert width == cell.width and abs(width * 9 - height * 16) <= 16  # contain fit: full width, 16:9


def test_threads_are_counted_for_their_roles():
    guest_names = set(GUESTS.values())
    decoders = {101}
    assert role_of("video-decoder", 1, decoders, guest_names) == ROLE_VIDEO_DECODE
    assert role_of("guest-service", 1, decoders, guest_names) == ROLE_LOOP
    assert role_of("asyncio_0", 1, decoders, guest_names) == ROLE_EXECUTOR
    assert role_of(f"capture:{GUESTS['guest-1']}", 1, decoders, guest_names) == ROLE_CAPTURE_GUESTS
    assert role_of("capture:CAM-1", 1, decoders, guest_names) == ROLE_CAPTURE_LOCAL
    assert role_of(None, 101, decoders, guest_names) == ROLE_DECODER_NATIVE
    assert role_of(None, 102, decoders, guest_names) == ROLE_NATIVE
