"""The image and media-file source plugins, on small media generated here with PyAV.

Each test file is 2 s at 30 fps: the first second solid red, the second solid blue. Its audio is
a stereo sine at -6 dBFS: 440 Hz in the first second, 880 Hz in the second, so a test can tell
from the sound alone which second of the file is playing.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from av.video.reformatter import ColorRange, Colorspace
from PIL import Image

from studio.engine.clock import NS_PER_SECOND, VirtualClock
from studio.engine.errors import SourceUnavailable
from studio.engine.frames import Frame
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ
from studio.engine.sources.file import FileSettings, FileSource
from studio.engine.sources.image import ImageSettings, ImageSource
from studio.engine.sources.registry import default_registry
from tests.conftest import assert_colour_near, median_rgb

FIRST_SECOND_RGB = (220, 40, 40)
SECOND_SECOND_RGB = (40, 40, 220)
FIRST_SECOND_TONE_HZ = 440.0
SECOND_SECOND_TONE_HZ = 880.0
TONE_AMPLITUDE = 0.5
TONE_RMS = TONE_AMPLITUDE / np.sqrt(2)
FPS = 30
SHOW_START_NS = 7 * NS_PER_SECOND  # not zero, so a source that ignores show_start_ns is caught

# format name -> (file suffix, video codec, audio codec or None, audio sample rate)
MEDIA_FORMATS = {
    "mp4": (".mp4", "libx264", "aac", 48_000),
    "mov": (".mov", "libx264", "aac", 48_000),
    # Vorbis at 44.1 kHz: the source must resample to the engine's 48 kHz.
    "mkv": (".mkv", "libx264", "vorbis", 44_100),
    "webm-vp8": (".webm", "libvpx", "libopus", 48_000),
    "webm-vp9": (".webm", "libvpx-vp9", "libopus", 48_000),
}


# -- generating test media --------------------------------------------------------------------


def encoder_missing(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except Exception:
        return True
    return False


def tone_signal(seconds: int, rate_hz: int) -> np.ndarray:
    """The test sine, phase-continuous across the change of pitch after the first second."""
    sample = np.arange(seconds * rate_hz)
    frequency_hz = np.where(sample < rate_hz, FIRST_SECOND_TONE_HZ, SECOND_SECOND_TONE_HZ)
    phase = 2 * np.pi * np.cumsum(frequency_hz) / rate_hz
    return (TONE_AMPLITUDE * np.sin(phase)).astype(np.float32)


def write_media(
    path: Path,
    video_codec: str,
    audio_codec: str | None,
    audio_rate_hz: int = 48_000,
    *,
    seconds: int = 2,
    width: int = 320,
    height: int = 240,
    pix_fmt: str = "yuv420p",
    colour_of_frame: Callable[[int], tuple[int, int, int]] | None = None,
    gop_frames: int | None = None,
    bt709: bool = False,
    full_range: bool = False,
) -> Path:
    colours = colour_of_frame or (lambda index: FIRST_SECOND_RGB if index < FPS else SECOND_SECOND_RGB)
    with av.open(str(path), "w") as container:
        video = container.add_stream(video_codec, rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        if gop_frames:
            video.codec_context.gop_size = gop_frames
        if bt709:
            video.codec_context.colorspace = 1  # AVCOL_SPC_BT709, written into the stream
        if full_range:
            video.codec_context.color_range = ColorRange.JPEG
        audio = None
        if audio_codec:
            audio = container.add_stream(audio_codec, rate=audio_rate_hz)
            audio.layout = "stereo"
            if audio_codec == "vorbis":  # FFmpeg's own Vorbis encoder is marked experimental
                audio.codec_context.options = {"strict": "experimental"}
        rgb = np.empty((height, width, 3), np.uint8)
        for index in range(seconds * FPS):
            rgb[:] = colours(index)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(
                format=pix_fmt,
                dst_colorspace=Colorspace.ITU709 if bt709 else Colorspace.ITU601,
                dst_color_range=ColorRange.JPEG if full_range else ColorRange.MPEG,
            )
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if audio is not None:
            signal = tone_signal(seconds, audio_rate_hz)
            block = 1000
            for start in range(0, len(signal), block):
                chunk = signal[start : start + block]
                frame = av.AudioFrame.from_ndarray(np.stack([chunk, chunk]), format="fltp", layout="stereo")
                frame.sample_rate, frame.pts = audio_rate_hz, start
                container.mux(audio.encode(frame))
            container.mux(audio.encode())
    return path


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def media_file(media_dir) -> Callable[[str], Path]:
    """Path of the test file in a format, written on first use (each is written once per module)."""
    made: dict[str, Path] = {}

    def get(format_name: str) -> Path:
        if format_name not in made:
            suffix, video_codec, audio_codec, rate_hz = MEDIA_FORMATS[format_name]
            for codec in (video_codec, audio_codec):
                if codec and encoder_missing(codec):
                    pytest.skip(f"this PyAV build has no {codec} encoder, needed for {format_name}")
            path = media_dir / f"two_colours_{format_name}{suffix}"
            made[format_name] = write_media(path, video_codec, audio_codec, rate_hz)
        return made[format_name]

    return get


def file_source(path: Path, *, loop: bool = True, audio: bool = True) -> FileSource:
    source = FileSource("clip", FileSettings(path=str(path), loop=loop, audio=audio), VirtualClock())
    source.show_start_ns = SHOW_START_NS
    source.open()
    return source


def at_s(seconds: float) -> int:
    """Media time of a moment this many seconds into the show."""
    return SHOW_START_NS + int(round(seconds * NS_PER_SECOND))


def sample_at_s(seconds: float) -> int:
    return int(round(seconds * AUDIO_SAMPLE_RATE_HZ))


def frame_rgb(frame: Frame) -> np.ndarray:
    return median_rgb(frame.to_bgr()[:, :, ::-1])


def dominant_frequency_hz(block: np.ndarray) -> float:
    mono = block[:, 0].astype(np.float64) * np.hanning(len(block))
    spectrum = np.abs(np.fft.rfft(mono))
    return float(np.argmax(spectrum) * AUDIO_SAMPLE_RATE_HZ / len(block))


def assert_tone(block: np.ndarray, frequency_hz: float, what: str) -> None:
    assert block.shape[1] == 2 and block.dtype == np.float32, what
    np.testing.assert_allclose(block[:, 0], block[:, 1], atol=1e-3, err_msg=f"{what}: channels differ")
    measured_hz = dominant_frequency_hz(block)
    assert abs(measured_hz - frequency_hz) <= 10, f"{what}: tone at {measured_hz:.0f} Hz, not {frequency_hz:.0f}"
    rms = float(np.sqrt(np.mean(block[:, 0].astype(np.float64) ** 2)))
    assert abs(rms - TONE_RMS) <= 0.1 * TONE_RMS, f"{what}: level {rms:.3f} RMS, expected {TONE_RMS:.3f}"


# -- file source: pictures --------------------------------------------------------------------


@pytest.mark.parametrize("format_name", list(MEDIA_FORMATS))
def test_file_plays_each_second_in_its_colour_and_loops(media_file, format_name):
    source = file_source(media_file(format_name))
    try:
        period_s = source.duration_ns / NS_PER_SECOND
        assert 1.9 <= period_s <= 2.1, f"duration {period_s} s"
        assert source.frame_interval_ns == NS_PER_SECOND // FPS
        frame = source.render_at(at_s(0.0))
        assert (frame.width, frame.height) == (320, 240) and frame.alpha is None
        assert frame.i420.shape == (360, 320) and frame.i420.flags.c_contiguous
        for seconds, rgb in [
            (0.0, FIRST_SECOND_RGB),
            (0.5, FIRST_SECOND_RGB),
            (1.5, SECOND_SECOND_RGB),
            (period_s + 0.5, FIRST_SECOND_RGB),  # second pass
            (period_s + 1.5, SECOND_SECOND_RGB),
            (5 * period_s + 0.25, FIRST_SECOND_RGB),  # several passes later
        ]:
            picture = source.render_at(at_s(seconds))
            assert_colour_near(frame_rgb(picture), rgb, what=f"{format_name} at {seconds:.2f} s")
    finally:
        source.close()


def test_file_picks_the_newest_frame_at_or_before_the_time(media_file):
    source = file_source(media_file("mp4"))
    try:
        last_of_first_second = source.render_at(at_s(1.0) - 1)
        first_of_second_second = source.render_at(at_s(1.0))
        assert_colour_near(frame_rgb(last_of_first_second), FIRST_SECOND_RGB, what="just before 1 s")
        assert_colour_near(frame_rgb(first_of_second_second), SECOND_SECOND_RGB, what="at 1 s")
        # Stamped with the media time its frame starts to show, so capture slots order it right.
        assert first_of_second_second.captured_ns == at_s(1.0)
        # The same frame asked again is the same object (nothing decoded or converted again).
        assert source.render_at(at_s(1.0) + 1_000_000) is first_of_second_second
    finally:
        source.close()


def test_file_not_looping_holds_its_last_frame(media_file):
    source = file_source(media_file("mp4"), loop=False)
    try:
        assert_colour_near(frame_rgb(source.render_at(at_s(0.5))), FIRST_SECOND_RGB, what="0.5 s")
        held = source.render_at(at_s(2.5))
        assert_colour_near(frame_rgb(held), SECOND_SECOND_RGB, what="after the end")
        assert source.render_at(at_s(60.0)) is held
    finally:
        source.close()


def test_file_before_show_start_shows_its_first_frame(media_file):
    source = file_source(media_file("mp4"))
    try:
        assert_colour_near(frame_rgb(source.render_at(SHOW_START_NS - NS_PER_SECOND)), FIRST_SECOND_RGB, what="early")
    finally:
        source.close()


def test_file_going_back_in_time_decodes_again_from_the_start(media_file):
    source = file_source(media_file("webm-vp8"))
    try:
        assert_colour_near(frame_rgb(source.render_at(at_s(1.5))), SECOND_SECOND_RGB, what="1.5 s")
        assert_colour_near(frame_rgb(source.render_at(at_s(0.5))), FIRST_SECOND_RGB, what="back to 0.5 s")
    finally:
        source.close()


def test_same_calls_give_the_same_frames_and_sound(media_file):
    path = media_file("mp4")
    # Forward, across the loop point, backwards and forwards again: the order a show might use.
    times_s = [0.0, 0.4, 0.95, 1.0, 1.7, 1.99, 2.01, 2.6, 0.3, 3.9, 4.2, 1.1]
    blocks = [(sample_at_s(s), 1600) for s in (0.0, 1.9, 1.95, 2.0, 0.5, 4.1)]

    def play() -> tuple[list[np.ndarray], list[int], list[np.ndarray]]:
        source = file_source(path)
        try:
            frames = [source.render_at(at_s(s)) for s in times_s]
            sound = [source.audio.read_block(start, count) for start, count in blocks]
            return [f.i420.copy() for f in frames], [f.captured_ns for f in frames], sound
        finally:
            source.close()

    first, second = play(), play()
    for index, (a, b) in enumerate(zip(first[0], second[0], strict=True)):
        assert np.array_equal(a, b), f"frame {index} at {times_s[index]} s differs between runs"
    assert first[1] == second[1]
    for index, (a, b) in enumerate(zip(first[2], second[2], strict=True)):
        assert np.array_equal(a, b), f"audio block {index} differs between runs"


def test_far_jump_ahead_gives_the_same_picture_as_playing_through(tmp_path):
    # Twelve seconds, a keyframe each second, each frame its own colour: a jump of more than a
    # few seconds seeks to a keyframe rather than decoding everything in between.
    def colour(index: int) -> tuple[int, int, int]:
        return (index * 5 % 256, 100, 255 - index * 5 % 256)

    path = write_media(
        tmp_path / "long.mp4", "libx264", None, seconds=12, width=64, height=48, colour_of_frame=colour, gop_frames=FPS
    )
    jumped, played = file_source(path), file_source(path)
    try:
        target_s = 9.5
        by_jump = jumped.render_at(at_s(target_s))
        for index in range(int(target_s * FPS) + 1):
            by_playing = played.render_at(SHOW_START_NS + index * NS_PER_SECOND // FPS)
        assert np.array_equal(by_jump.i420, by_playing.i420)
        assert_colour_near(frame_rgb(by_jump), colour(int(target_s * FPS)), what="frame at 9.5 s")
    finally:
        jumped.close()
        played.close()


@pytest.mark.parametrize(
    ("label", "options"),
    [
        ("odd size, 4:4:4, BT.709", dict(width=321, height=241, pix_fmt="yuv444p", bt709=True)),
        ("full-range", dict(full_range=True)),
        ("yuvj420p", dict(pix_fmt="yuvj420p")),
    ],
)
def test_file_converts_other_pixel_formats_to_the_engine_colours(tmp_path, label, options):
    path = write_media(tmp_path / "clip.mp4", "libx264", None, seconds=1, **options)
    source = file_source(path)
    try:
        frame = source.render_at(at_s(0.2))
        assert frame.width % 2 == 0 and frame.height % 2 == 0
        assert frame.i420.shape == (frame.height * 3 // 2, frame.width)
        assert_colour_near(frame_rgb(frame), FIRST_SECOND_RGB, tolerance=6, what=label)
    finally:
        source.close()


# -- file source: sound -----------------------------------------------------------------------


@pytest.mark.parametrize("format_name", list(MEDIA_FORMATS))
def test_file_audio_follows_the_picture_and_loops(media_file, format_name):
    source = file_source(media_file(format_name))
    audio = source.audio
    assert audio is not None
    try:
        period_s = source.duration_ns / NS_PER_SECOND
        block = 4800  # 100 ms: 10 Hz resolution
        for seconds, tone_hz in [
            (0.3, FIRST_SECOND_TONE_HZ),
            (1.3, SECOND_SECOND_TONE_HZ),
            (period_s + 0.3, FIRST_SECOND_TONE_HZ),  # after the loop point, from the top again
            (period_s + 1.3, SECOND_SECOND_TONE_HZ),
        ]:
            assert_tone(audio.read_block(sample_at_s(seconds), block), tone_hz, f"{format_name} at {seconds:.2f} s")
    finally:
        source.close()


def test_file_audio_is_sample_accurate_and_continues_across_the_loop_point(media_file):
    source = file_source(media_file("mp4"))
    audio = source.audio
    try:
        # Read the way the mixer does: consecutive blocks of one 30 fps tick each.
        tick = AUDIO_SAMPLE_RATE_HZ // FPS
        period_samples = source.duration_ns * AUDIO_SAMPLE_RATE_HZ // NS_PER_SECOND
        ticks = (period_samples + AUDIO_SAMPLE_RATE_HZ) // tick
        played = np.concatenate([audio.read_block(index * tick, tick) for index in range(ticks)])
        expected = tone_signal(2, AUDIO_SAMPLE_RATE_HZ)
        # AAC is lossy; where it is not (edges), the difference is still far below the tone.
        middle = slice(2_000, period_samples - 2_000)
        assert np.mean(np.abs(played[middle, 0] - expected[middle])) < 0.01, "first pass is not the file's sound"
        second_pass = played[period_samples : period_samples + AUDIO_SAMPLE_RATE_HZ // 2, 0]
        assert np.mean(np.abs(second_pass[2_000:] - expected[2_000 : len(second_pass)])) < 0.01, "second pass is off"
        # No hole at the loop point: the last and first 20 ms around it both carry the tone.
        around = played[period_samples - 960 : period_samples + 960, 0]
        assert np.sqrt(np.mean(around[:960] ** 2)) > 0.5 * TONE_RMS
        assert np.sqrt(np.mean(around[960:] ** 2)) > 0.5 * TONE_RMS
        # A block straddling the loop point gives the same samples as the two halves read apart.
        straddling = audio.read_block(period_samples - 800, 1600)
        assert np.array_equal(straddling, played[period_samples - 800 : period_samples + 800])
    finally:
        source.close()


def test_file_audio_keeps_memory_bounded_over_many_loops(media_file):
    source = file_source(media_file("webm-vp8"))
    audio = source.audio
    try:
        tick = AUDIO_SAMPLE_RATE_HZ // FPS
        for index in range(12 * FPS):  # 12 s: six passes of the file
            audio.read_block(index * tick, tick)
            assert audio.buffered_sample_count <= 2 * AUDIO_SAMPLE_RATE_HZ
        assert audio.buffered_sample_count <= AUDIO_SAMPLE_RATE_HZ
    finally:
        source.close()


def test_file_audio_is_silent_where_the_file_has_none(media_file, tmp_path):
    not_looping = file_source(media_file("mp4"), loop=False)
    try:
        assert_tone(not_looping.audio.read_block(sample_at_s(0.3), 4800), FIRST_SECOND_TONE_HZ, "during the file")
        assert not not_looping.audio.read_block(sample_at_s(2.5), 4800).any(), "sound after the end"
        assert not not_looping.audio.read_block(-4800, 4800).any(), "sound before show start"
    finally:
        not_looping.close()

    silent_clip = file_source(write_media(tmp_path / "mute.mp4", "libx264", None, seconds=1))
    try:
        assert silent_clip.audio is not None  # wired before open; silence, not an error
        block = silent_clip.audio.read_block(0, 1600)
        assert block.shape == (1600, 2) and block.dtype == np.float32 and not block.any()
    finally:
        silent_clip.close()

    assert file_source(media_file("mp4"), audio=False).audio is None


def test_file_audio_is_silent_until_open_and_after_close(media_file):
    source = FileSource("clip", FileSettings(path=str(media_file("mp4"))), VirtualClock())
    assert not source.audio.read_block(sample_at_s(0.3), 1600).any()
    source.open()
    assert source.audio.read_block(sample_at_s(0.3), 1600).any()
    source.close()
    source.close()  # safe twice
    assert not source.audio.read_block(sample_at_s(0.3), 1600).any()


def test_video_and_audio_read_from_two_threads_match_one_thread(media_file):
    path = media_file("mkv")
    tick = AUDIO_SAMPLE_RATE_HZ // FPS
    ticks = 3 * FPS

    def render_all(source: FileSource, out: list[np.ndarray]) -> None:
        out.extend(source.render_at(SHOW_START_NS + i * NS_PER_SECOND // FPS).i420.copy() for i in range(ticks))

    def read_all(source: FileSource, out: list[np.ndarray]) -> None:
        out.extend(source.audio.read_block(i * tick, tick) for i in range(ticks))

    alone = file_source(path)
    alone_frames: list[np.ndarray] = []
    alone_sound: list[np.ndarray] = []
    render_all(alone, alone_frames)
    read_all(alone, alone_sound)
    alone.close()

    together = file_source(path)
    frames: list[np.ndarray] = []
    sound: list[np.ndarray] = []
    threads = [
        threading.Thread(target=render_all, args=(together, frames)),
        threading.Thread(target=read_all, args=(together, sound)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    together.close()
    assert len(frames) == len(sound) == ticks
    assert all(np.array_equal(a, b) for a, b in zip(frames, alone_frames, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(sound, alone_sound, strict=True))


# -- file source: errors ----------------------------------------------------------------------


def test_missing_media_file_names_the_file(tmp_path):
    missing = tmp_path / "nowhere" / "clip.mp4"
    source = FileSource("clip", FileSettings(path=str(missing)), VirtualClock())
    with pytest.raises(SourceUnavailable, match="clip.mp4") as raised:
        source.open()
    assert "not found" in str(raised.value)
    source.close()


def test_check_resources_reports_only_missing_files(tmp_path, media_file):
    missing = str(tmp_path / "gone.mp4")
    field, problem = FileSource.check_resources(FileSettings(path=missing))
    assert field == "path" and "gone.mp4" in problem and "not found" in problem
    assert FileSource.check_resources(FileSettings(path=str(media_file("mp4")))) is None
    # A file that exists but does not decode is an open() problem (NO SIGNAL), not a missing one.
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"junk")
    assert FileSource.check_resources(FileSettings(path=str(junk))) is None

    field, problem = ImageSource.check_resources(ImageSettings(path=str(tmp_path / "gone.png")))
    assert field == "path" and "gone.png" in problem and "not found" in problem


def test_not_a_media_file_names_the_file(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    with pytest.raises(SourceUnavailable, match="notes.mp4"):
        FileSource("clip", FileSettings(path=str(text)), VirtualClock()).open()


def test_audio_only_file_has_no_video_stream(tmp_path):
    path = tmp_path / "song.m4a"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=48_000)
        stream.layout = "stereo"
        signal = tone_signal(1, 48_000)
        frame = av.AudioFrame.from_ndarray(np.stack([signal, signal]), format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = 48_000, 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode())
    with pytest.raises(SourceUnavailable, match=r"song\.m4a.*no video stream"):
        FileSource("clip", FileSettings(path=str(path)), VirtualClock()).open()


def test_file_that_goes_away_mid_show_is_reported_and_picked_up_again(media_file, tmp_path):
    path = tmp_path / "clip.mp4"
    shutil.copyfile(media_file("mp4"), path)
    source = file_source(path)
    try:
        period_s = source.duration_ns / NS_PER_SECOND
        assert_colour_near(frame_rgb(source.render_at(at_s(0.5))), FIRST_SECOND_RGB, what="before")
        assert_tone(source.audio.read_block(sample_at_s(1.5), 4800), SECOND_SECOND_TONE_HZ, "sound before")
        moved = path.rename(tmp_path / "elsewhere.mp4")
        # The next pass re-opens the file: that is where its absence shows.
        with pytest.raises(SourceUnavailable, match="clip.mp4"):
            source.render_at(at_s(period_s + 0.5))
        assert not source.audio.read_block(sample_at_s(period_s + 0.5), 1600).any(), "sound from a missing file"
        moved.rename(path)
        assert_colour_near(frame_rgb(source.render_at(at_s(period_s + 0.6))), FIRST_SECOND_RGB, what="back")
        assert_tone(source.audio.read_block(sample_at_s(period_s + 0.6), 4800), FIRST_SECOND_TONE_HZ, "sound back")
    finally:
        source.close()


def test_file_settings_refuse_unknown_fields():
    with pytest.raises(ValueError):
        FileSettings(path="a.mp4", looping=True)


# -- image source -----------------------------------------------------------------------------


def image_source(path: Path) -> ImageSource:
    source = ImageSource("logo", ImageSettings(path=str(path)), VirtualClock())
    source.open()
    return source


def test_png_with_alpha_keeps_its_alpha(tmp_path):
    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[:, :, :3] = (30, 160, 90)
    rgba[:, :30, 3] = 255  # left half opaque
    rgba[:, 30:, 3] = 64  # right half mostly transparent
    path = tmp_path / "logo.png"
    Image.fromarray(rgba, "RGBA").save(path)

    source = image_source(path)
    frame = source.render_at(at_s(0))
    assert (frame.width, frame.height) == (60, 40)
    assert frame.alpha is not None and frame.alpha.shape == (40, 60)
    assert (frame.alpha[:, :30] == 255).all() and (frame.alpha[:, 30:] == 64).all()
    assert_colour_near(frame_rgb(frame), (30, 160, 90), tolerance=4, what="PNG colour")
    # Still pictures never change: the same Frame every time, sequence 0 so scaled copies are reused.
    assert source.render_at(at_s(5)) is frame and frame.sequence == 0


def test_opaque_png_and_palette_png_with_transparency(tmp_path):
    opaque = tmp_path / "opaque.png"
    Image.new("RGB", (20, 10), (200, 100, 50)).save(opaque)
    assert image_source(opaque).render_at(0).alpha is None

    palette = Image.new("P", (20, 10), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.paste(1, (10, 0, 20, 10))
    path = tmp_path / "palette.png"
    palette.save(path, transparency=0)
    frame = image_source(path).render_at(0)
    assert frame.alpha is not None
    assert (frame.alpha[:, :10] == 0).all() and (frame.alpha[:, 10:] == 255).all()
    assert_colour_near(median_rgb(frame.to_bgr()[:, 10:, ::-1]), (0, 0, 255), tolerance=4, what="palette colour")


def test_jpeg_has_no_alpha(tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 48), (40, 80, 200)).save(path, quality=95)
    frame = image_source(path).render_at(at_s(1))
    assert frame.alpha is None
    assert (frame.width, frame.height) == (64, 48)
    assert_colour_near(frame_rgb(frame), (40, 80, 200), tolerance=6, what="JPEG colour")


def test_odd_sized_image_is_cropped_to_even(tmp_path):
    path = tmp_path / "odd.png"
    cv2.imwrite(str(path), np.full((31, 45, 3), 128, np.uint8))
    frame = image_source(path).render_at(0)
    assert (frame.width, frame.height) == (44, 30)


def test_missing_image_names_the_file(tmp_path):
    source = ImageSource("logo", ImageSettings(path=str(tmp_path / "logo.png")), VirtualClock())
    with pytest.raises(SourceUnavailable, match="logo.png"):
        source.open()


def test_unreadable_image_names_the_file_and_reason(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(SourceUnavailable, match="broken.png.*cannot read"):
        ImageSource("logo", ImageSettings(path=str(path)), VirtualClock()).open()


# -- registration -----------------------------------------------------------------------------


def test_plugins_are_registered_by_kind():
    registry = default_registry()
    assert registry.plugin("image") is ImageSource
    assert registry.plugin("file") is FileSource
    settings = registry.validate_settings("file", {"path": "a.webm"})
    assert settings.loop is True and settings.audio is True


# -- slow devices, simulated ---------------------------------------------------------------------


OPEN_DELAY_MS = 300


class RecordedSleeps:
    """Stands in for one source module's `time`: sleep() is recorded instead of slept; the rest
    is the real module."""

    def __init__(self) -> None:
        self.sleeps_s: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps_s.append(seconds)

    def __getattr__(self, name: str):
        return getattr(time, name)


def test_open_delay_makes_open_wait_that_long(media_file, monkeypatch):
    from studio.engine.sources import file as file_module
    from studio.engine.sources import test_pattern as test_pattern_module
    from studio.engine.sources.test_pattern import TestPatternSettings, TestPatternSource

    sources = [
        (file_module, FileSource("clip", FileSettings(path=str(media_file("mp4")), open_delay_ms=OPEN_DELAY_MS), VirtualClock())),
        (test_pattern_module, TestPatternSource("cam", TestPatternSettings(width=64, height=64, open_delay_ms=OPEN_DELAY_MS), VirtualClock())),
    ]
    for module, source in sources:
        sleeps = RecordedSleeps()
        monkeypatch.setattr(module, "time", sleeps)
        source.open()
        try:
            # open() waits by asking time.sleep for the delay: checked exactly, not timed.
            assert sleeps.sleeps_s == [OPEN_DELAY_MS / 1000], f"{source.kind}: open() waited {sleeps.sleeps_s} s"
            assert source.render_at(SHOW_START_NS).width > 0, f"{source.kind}: no picture after a delayed open"
        finally:
            source.close()


def test_open_delay_is_bounded_and_off_by_default():
    from pydantic import ValidationError

    from studio.engine.sources.test_pattern import TestPatternSettings

    registry = default_registry()
    assert registry.validate_settings("file", {"path": "a.webm"}).open_delay_ms == 0
    assert TestPatternSettings().open_delay_ms == 0
    for out_of_range_ms in (10_001, -1):
        with pytest.raises(ValidationError):
            TestPatternSettings(open_delay_ms=out_of_range_ms)
        with pytest.raises(ValidationError):
            FileSettings(path="a.webm", open_delay_ms=out_of_range_ms)
