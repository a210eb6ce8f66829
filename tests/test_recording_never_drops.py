"""The recording never loses a frame: a slow encoder is absorbed by the frame pool and stepped
down to a faster preset, and a tick the program could not hand over is filled with the previous
picture, so the file's timing has no hole. Driven sample by sample, with no real time."""

from __future__ import annotations

import av
import numpy as np
import pytest

from studio.engine.commands import StartRecording
from studio.engine.frames import fill_i420
from studio.engine.outputs.encode_thread import EncodeThread, ProgramSample
from studio.engine.outputs.encoder import ProgramEncoder
from studio.engine.outputs.encoder_load import EncoderLoad, EncoderLoadGovernor, LoadAction
from studio.engine.outputs.frame_pool import FramePool, pool_limit_frames
from studio.engine.outputs.recording import MatroskaRecording
from studio.engine.show import Canvas, EncoderSettings

CANVAS = Canvas(width=320, height=180, fps=30)
SAMPLES_PER_TICK = 48_000 // CANVAS.fps


def picture_of(rgb: tuple[int, int, int]) -> np.ndarray:
    i420 = np.empty((CANVAS.height * 3 // 2, CANVAS.width), dtype=np.uint8)
    fill_i420(i420, CANVAS.width, CANVAS.height, rgb)
    return i420


def colour_of_tick(tick: int) -> tuple[int, int, int]:
    return ((tick * 37) % 256, (tick * 91) % 256, 200)


def decoded_frames(path):
    with av.open(str(path)) as container:
        return [frame for frame in container.decode(video=0)]


def test_pool_is_bounded_by_seconds_and_by_memory():
    assert pool_limit_frames(1920, 1080, 30, max_seconds=2.0, max_mb=256) == 60  # 187 MB of 1080p
    assert pool_limit_frames(3840, 2160, 30, max_seconds=2.0, max_mb=256) == 20  # 4K: memory decides
    pool = FramePool(320, 180, limit_frames=3)
    taken = [pool.take() for _ in range(3)]
    assert None not in taken and pool.take() is None  # never more than the bound
    taken[0].hold()
    taken[0].release()
    assert pool.take() is None  # still held by its second reader
    taken[0].release()
    again = pool.take()
    assert again is taken[0] and pool.allocated == 3  # reused, not allocated anew
    with pytest.raises(RuntimeError):
        for _ in range(3):
            again.release()


def test_governor_warns_once_then_steps_down_and_waits_for_the_queue_to_drain():
    governor = EncoderLoadGovernor(fps=30, warn_lag_ms=500, step_down_lag_ms=1000, settle_s=2)
    assert governor.observe(10) is LoadAction.NONE  # 333 ms behind: fine
    assert governor.observe(15) is LoadAction.WARN and governor.state is EncoderLoad.OVERLOADED
    assert governor.observe(20) is LoadAction.NONE  # warned already; not yet a second behind
    assert governor.observe(30) is LoadAction.STEP_DOWN
    actions = [governor.observe(40) for _ in range(2 * 30 - 1)]
    assert set(actions) == {LoadAction.NONE}  # the step is given two seconds to help
    assert governor.observe(40) is LoadAction.STEP_DOWN
    assert governor.observe(0) is LoadAction.RECOVERED and governor.state is EncoderLoad.NORMAL
    assert governor.observe(3) is LoadAction.NONE


def test_stepping_down_keeps_the_stream_headers_and_every_frame_decodes(tmp_path):
    encoder = ProgramEncoder(Canvas(width=640, height=360, fps=30), EncoderSettings(encoder="x264", preset="veryfast"))
    headers = bytes(encoder.video_stream.codec_context.extradata)
    path = tmp_path / "stepped.mkv"
    recording = MatroskaRecording(path, encoder)
    rng = np.random.default_rng(7)
    presets = []
    for index in range(90):
        keyframe = False
        if index in (30, 60):
            preset, held = encoder.step_down()
            presets.append(preset)
            for packet in held:
                recording.write_video(packet)
            keyframe = True
        picture = rng.integers(0, 255, size=(540, 640), dtype=np.uint8)
        for packet in encoder.encode_video(picture, index, keyframe=keyframe):
            recording.write_video(packet)
    for packet in encoder.flush()[0]:
        recording.write_video(packet)
    recording.close(end_frame_index=90)
    encoder.close()
    assert presets == ["superfast", "ultrafast"]
    assert bytes(encoder.video_stream.codec_context.extradata) == headers  # what every sink copied
    frames = decoded_frames(path)
    assert [round(frame.time * 30) for frame in frames] == list(range(90))


def test_ticks_not_handed_over_are_recorded_as_repeats_with_silence(tmp_path):
    path = tmp_path / "repeats.mkv"
    thread = EncodeThread(CANVAS, EncoderSettings(encoder="x264"), wait_for_room=True)
    thread.control(StartRecording(path, None))
    handed_over = [0, 1, 2, 6, 7]  # ticks 3-5 never arrived (the program stalled)
    for tick in handed_over:
        picture = thread.take_picture()
        np.copyto(picture.i420, picture_of(colour_of_tick(tick)))
        audio = np.full((SAMPLES_PER_TICK, 2), 0.25, dtype=np.float32)
        thread.submit(ProgramSample(tick, picture.hold(), audio))
        picture.release()  # the program's own hold
    thread.ticks_over(10)  # the program ran ticks 8 and 9 too, and then stopped
    thread.close()
    assert thread.stats.frames_repeated == 3 + 2 and thread.stats.frames_gap == 0
    assert thread.stats.frames_encoded == 10
    assert thread.pool.in_use == 0  # every picture came back

    frames = decoded_frames(path)
    assert [round(frame.time * 30) for frame in frames] == list(range(10))  # no hole in the timing
    shown = [tuple(int(v) for v in frame.to_ndarray(format="rgb24")[90, 160]) for frame in frames]
    for tick in (3, 4, 5):  # a repeat shows the last picture that arrived
        assert np.allclose(shown[tick], shown[2], atol=6), (tick, shown[tick], shown[2])
    assert not np.allclose(shown[6], shown[2], atol=6)
    assert np.allclose(shown[9], shown[7], atol=6)
    with av.open(str(path)) as container:
        audio = [frame.to_ndarray() for frame in container.decode(audio=0)]
    samples = np.concatenate(audio, axis=1)
    assert samples.shape[1] >= 10 * SAMPLES_PER_TICK - 1024  # the repeats carry audio time too
    # Silence where the repeats are (AAC smears the edges: look at the middle of the hole).
    middle = slice(4 * SAMPLES_PER_TICK + 1024, 5 * SAMPLES_PER_TICK + 1024)
    assert np.abs(samples[:, middle]).max() < 0.02


def test_a_slow_start_is_filled_from_the_tick_the_recording_was_asked_for(tmp_path):
    path = tmp_path / "slow-start.mkv"
    thread = EncodeThread(CANVAS, EncoderSettings(encoder="x264"), wait_for_room=True)
    thread.control(StartRecording(path, None), tick=0)  # asked for on tick 0 ...
    for tick in (3, 4):  # ... but the program's first ticks were skipped
        picture = thread.take_picture()
        np.copyto(picture.i420, picture_of(colour_of_tick(tick)))
        thread.submit(ProgramSample(tick, picture.hold(), np.zeros((SAMPLES_PER_TICK, 2), dtype=np.float32)))
        picture.release()
    thread.close()
    assert thread.stats.first_tick == 0 and thread.stats.frames_repeated == 3
    frames = decoded_frames(path)
    assert [round(frame.time * 30) for frame in frames] == [0, 1, 2, 3, 4]
    assert frames[0].key_frame
    shown = [frame.to_ndarray(format="rgb24")[90, 160].astype(int) for frame in frames]
    assert all(np.allclose(shown[index], shown[3], atol=6) for index in (0, 1, 2))  # the first picture, held


def test_the_virtual_clock_never_steps_the_encoder_down(tmp_path):
    """Offline the program waits for the encoder, so its queue is full by design: that is not
    an overload, and the render keeps the preset the show asked for."""
    thread = EncodeThread(CANVAS, EncoderSettings(encoder="x264", preset="veryfast"), wait_for_room=True)
    thread.control(StartRecording(tmp_path / "offline.mkv", None), tick=0)
    for tick in range(90):
        picture = thread.take_picture()
        np.copyto(picture.i420, picture_of(colour_of_tick(tick)))
        thread.submit(ProgramSample(tick, picture.hold(), np.zeros((SAMPLES_PER_TICK, 2), dtype=np.float32)))
        picture.release()
    thread.close()
    assert thread.stats.preset == "veryfast" and thread.stats.load is EncoderLoad.NORMAL
    assert thread.stats.frames_encoded == 90 and thread.pool.allocated <= 8
