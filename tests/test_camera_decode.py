"""The camera's MJPEG path: decoded at the size it is shown, and not at all when it is not shown.

A controlled fake device (the cv2.VideoCapture interface, fed picture by picture by the test)
stands behind the real CameraSource and SourceRunner; the demand comes from the program's
SourceDemandTracker or the engine itself. No sleeps: every wait is on an event with a bound.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.engine.clock import NS_PER_SECOND, SteppedClock, VirtualClock
from studio.engine.engine import Engine
from studio.engine.frames import Frame
from studio.engine.outputs.video_tap import PREVIEW, PROGRAM, VideoTap
from studio.engine.show import Canvas, Crop, Fit, Layer, parse_show
from studio.engine.sources.base import FULL_SIZE, SourceStatus
from studio.engine.sources.camera import CameraSettings, CameraSource, VideoDeviceRoots
from studio.engine.sources.capture import SourceRunner
from studio.engine.sources.jpeg_replay import JpegReplayCapture, replay_camera_registry
from studio.engine.sources.mjpeg_decode import decode_jpeg, looks_like_jpeg, reduced_size, reduction_for
from studio.engine.video.compositor import SceneCompositor
from studio.engine.video.source_demand import SourceDemandTracker, layer_box
from tests.servers import poll_until

WAIT_S = 5.0
FPS = 30
CANVAS = Canvas(width=1920, height=1080, fps=FPS)
RED, GREEN, BLUE, YELLOW = (200, 40, 40), (40, 160, 60), (40, 70, 200), (220, 170, 30)


def jpeg_of(rgb: tuple[int, int, int], width: int = 1920, height: int = 1080) -> np.ndarray:
    """A camera-like JPEG (4:2:2) of one colour with a white square in the top-left quarter."""
    bgr = np.empty((height, width, 3), np.uint8)
    bgr[:] = rgb[::-1]
    bgr[height // 8 : height // 4, width // 8 : width // 4] = 255
    ok, data = cv2.imencode(
        ".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422]
    )
    assert ok
    return data.reshape(-1)


def colour_of(frame: Frame) -> tuple[int, int, int]:
    """The RGB colour at the bottom-right quarter of a frame (away from the white square)."""
    bgr = frame.to_bgr()
    b, g, r = bgr[bgr.shape[0] * 3 // 4, bgr.shape[1] * 3 // 4]
    return int(r), int(g), int(b)


def close_to(colour, expected, tolerance: int = 12) -> bool:
    return bool(np.all(np.abs(np.asarray(colour) - np.asarray(expected)) <= tolerance))


# -- the decode itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "reduction", "size"),
    [
        (None, 1, (1920, 1080)),
        (FULL_SIZE, 1, (1920, 1080)),
        ((1920, 1080), 1, (1920, 1080)),
        ((1000, 540), 1, (1920, 1080)),  # wider than half: full size
        ((960, 540), 2, (960, 540)),  # a 2x2 grid cell
        ((480, 270), 4, (480, 270)),  # a picture-in-picture
        ((384, 216), 4, (480, 270)),  # a multiview cell
        ((240, 135), 4, (480, 270)),  # 1/8 is 240x135, trimmed to even 240x134: one row short
        ((200, 112), 8, (240, 134)),
    ],
)
def test_scaled_decode_covers_the_shown_size(shown, reduction, size) -> None:
    assert reduction_for((1920, 1080), shown) == reduction
    frame = decode_jpeg(jpeg_of(RED), reduction, captured_ns=7, sequence=3)
    assert (frame.width, frame.height) == size == reduced_size(1920, 1080, reduction)
    assert frame.i420.shape == (size[1] * 3 // 2, size[0])
    assert (frame.captured_ns, frame.sequence) == (7, 3)
    assert close_to(colour_of(frame), RED)


def test_a_reduced_decode_is_the_full_picture_made_smaller() -> None:
    data = jpeg_of(GREEN)
    full = decode_jpeg(data, 1, 0, 0).to_bgr()
    half = decode_jpeg(data, 2, 0, 0).to_bgr()
    shrunk = cv2.resize(full, (960, 540), interpolation=cv2.INTER_AREA)
    assert np.abs(half.astype(int) - shrunk.astype(int)).mean() < 3
    # The white square lands in the same place.
    assert half[100, 180].min() > 230 and half[300, 600].max() < 200


def test_a_corrupt_picture_is_a_clear_error_and_raw_buffers_are_recognized() -> None:
    data = jpeg_of(BLUE)
    assert looks_like_jpeg(data.reshape(1, -1)) and looks_like_jpeg(data)
    assert not looks_like_jpeg(np.zeros((48, 64, 3), np.uint8))
    with pytest.raises(ValueError, match="could not be decoded as JPEG"):
        decode_jpeg(np.frombuffer(b"\xff\xd8 not really", np.uint8), 1, 0, 0)


def test_the_compositor_shows_a_half_size_picture_as_it_shows_the_full_one() -> None:
    """A camera's frames change size with its demand; a layer must look the same either way."""
    data = jpeg_of(BLUE)
    full, half = decode_jpeg(data, 1, 0, 0), decode_jpeg(data, 2, 0, 0)
    scene = compositor(*grid_layers("cam"))  # the top-left 960x540 cell
    canvases = []
    for frame in (full, half, full):  # and back: the painter's geometry follows each size
        canvas = np.zeros((1080 * 3 // 2, 1920), np.uint8)
        scene.compose({"cam": frame}, canvas)
        canvases.append(canvas)
    assert np.abs(canvases[0].astype(int) - canvases[1].astype(int)).mean() < 2
    assert np.array_equal(canvases[0], canvases[2])
    cell = Frame(canvases[1], 1920, 1080, 0).to_bgr()[:540, :960]
    assert cell[100, 180].min() > 230 and close_to(cell[400, 700][::-1], BLUE)


# -- a controlled camera ----------------------------------------------------------------------------


class QueueCapture:
    """cv2.VideoCapture as the camera plugin uses it, handing over exactly the pictures the test
    pushes: raw JPEG bytes once CONVERT_RGB is off (as OpenCV's V4L2 backend does for MJPG)."""

    def __init__(self) -> None:
        self.properties: dict[int, float] = {cv2.CAP_PROP_FRAME_WIDTH: 1920, cv2.CAP_PROP_FRAME_HEIGHT: 1080}
        self._pictures: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=8)
        self._reads = threading.Condition()
        self.reads_started = 0
        self.released = False

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return True

    def set(self, prop: int, value: float) -> bool:
        if prop not in (cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT):
            self.properties[prop] = value
        return True

    def get(self, prop: int) -> float:
        return self.properties.get(prop, 0.0)

    def read(self) -> tuple[bool, np.ndarray | None]:
        with self._reads:
            self.reads_started += 1
            self._reads.notify_all()
        try:
            picture = self._pictures.get(timeout=WAIT_S)
        except queue.Empty:
            return False, None
        if picture is None:
            return False, None
        if self.properties.get(cv2.CAP_PROP_CONVERT_RGB, 1.0):
            return True, cv2.imdecode(picture, cv2.IMREAD_COLOR)
        return True, picture.reshape(1, -1)

    def push(self, picture: np.ndarray) -> None:
        self._pictures.put(picture, timeout=WAIT_S)

    def wait_for_read(self, count: int) -> None:
        with self._reads:
            assert self._reads.wait_for(lambda: self.reads_started >= count, WAIT_S), f"read {count} never started"

    def hang_up(self) -> None:
        """The device goes away: a read waiting for a picture fails at once."""
        try:
            self._pictures.put_nowait(None)
        except queue.Full:
            pass

    def release(self) -> None:
        self.released = True
        self.hang_up()


@pytest.fixture
def device_roots(tmp_path: Path) -> VideoDeviceRoots:
    roots = VideoDeviceRoots(sysfs=tmp_path / "sys", by_id=tmp_path / "by-id", dev=tmp_path / "dev")
    roots.dev.mkdir()
    for number in range(4):
        (roots.sysfs / f"video{number}").mkdir(parents=True)
        (roots.sysfs / f"video{number}" / "name").write_text(f"Camera {number}\n")
        (roots.dev / f"video{number}").touch()
    return roots


class ControlledCamera:
    """A CameraSource on a QueueCapture, run by a real SourceRunner."""

    def __init__(self, roots: VideoDeviceRoots, clock) -> None:
        self.capture = QueueCapture()
        self.source = CameraSource(
            "Cam A", CameraSettings(device="0"), clock, roots=roots, platform="linux",
            open_capture=lambda target, backend: self.capture,
        )
        self.statuses: list[SourceStatus] = []
        self.runner = SourceRunner("cam-a", self.source, clock, lambda _id, status, _why: self.statuses.append(status))

    def deliver(self, picture: np.ndarray) -> None:
        """One picture from the device, handed over and (if it is to be) decoded."""
        before = self.capture.reads_started
        self.capture.push(picture)
        self.capture.wait_for_read(before + 1)  # the runner took it and went back for the next
        assert self.runner.wait_decoded(WAIT_S)

    def decoded(self) -> int:
        counts = self.runner.decode_counts()
        return 0 if counts is None else counts[0]


@pytest.fixture
def camera(device_roots: VideoDeviceRoots):
    clock = VirtualClock(start_ns=0)
    controlled = ControlledCamera(device_roots, clock)
    controlled.runner.start(show_start_ns=0)
    controlled.capture.wait_for_read(1)
    yield controlled
    controlled.capture.hang_up()  # the waiting read returns, so the runner stops at once
    controlled.runner.stop()


def test_the_camera_asks_opencv_for_the_raw_mjpeg(camera: ControlledCamera) -> None:
    assert camera.capture.properties[cv2.CAP_PROP_CONVERT_RGB] == 0


def test_a_camera_nobody_shows_reads_its_device_but_decodes_nothing(camera: ControlledCamera) -> None:
    for colour in (RED, GREEN, BLUE):
        camera.deliver(jpeg_of(colour))
    assert camera.capture.reads_started == 4  # every picture was taken from the device
    assert camera.decoded() == 0
    assert camera.runner.status is SourceStatus.LIVE  # alive, just not decoded
    # Asked for anyway (a monitor opening this very tick), it is left out for a tick, not NO SIGNAL.
    assert camera.runner.frame_for(0) is None


def test_demand_decodes_the_held_picture_at_once_and_at_the_shown_size(camera: ControlledCamera) -> None:
    camera.deliver(jpeg_of(RED))
    camera.deliver(jpeg_of(GREEN))
    assert camera.decoded() == 0
    camera.runner.set_demand((960, 540))  # a cut: no new picture arrives, the held one is decoded
    assert camera.runner.wait_decoded(WAIT_S)
    frame = camera.runner.frame_for(0)
    assert (frame.width, frame.height) == (960, 540)
    assert close_to(colour_of(frame), GREEN) and frame.sequence == 2
    assert camera.decoded() == 1
    camera.deliver(jpeg_of(BLUE))  # shown: each new picture is decoded as it comes
    assert camera.decoded() == 2 and close_to(colour_of(camera.runner.frame_for(0)), BLUE)


def test_a_larger_demand_redecodes_the_held_picture_and_a_smaller_one_waits(camera: ControlledCamera) -> None:
    camera.runner.set_demand((384, 216))  # a multiview cell
    camera.deliver(jpeg_of(YELLOW))
    assert (camera.runner.frame_for(0).width, camera.decoded()) == (480, 1)
    camera.runner.set_demand((1920, 1080))  # cut to it full screen
    assert camera.runner.wait_decoded(WAIT_S)
    frame = camera.runner.frame_for(0)
    assert (frame.width, frame.height, camera.decoded()) == (1920, 1080, 2)
    assert close_to(colour_of(frame), YELLOW)
    camera.runner.set_demand((960, 540))  # smaller: the full-size picture serves until the next one
    assert camera.runner.wait_decoded(WAIT_S) and camera.decoded() == 2
    camera.deliver(jpeg_of(YELLOW))
    assert (camera.runner.frame_for(0).width, camera.decoded()) == (960, 3)


def test_back_to_not_shown_stops_decoding_and_a_cut_back_shows_the_current_picture(camera: ControlledCamera) -> None:
    camera.runner.set_demand((1920, 1080))
    camera.deliver(jpeg_of(RED))
    camera.runner.set_demand(None)
    camera.deliver(jpeg_of(GREEN))
    camera.deliver(jpeg_of(BLUE))
    assert camera.decoded() == 1
    assert close_to(colour_of(camera.runner.frame_for(0)), RED)  # the last decoded: stale, but a picture
    camera.runner.set_demand((1920, 1080))
    assert camera.runner.wait_decoded(WAIT_S)
    assert close_to(colour_of(camera.runner.frame_for(0)), BLUE)  # the newest, not the skipped GREEN
    assert camera.decoded() == 2


def test_a_picture_that_will_not_decode_costs_that_picture_only(camera: ControlledCamera) -> None:
    camera.runner.set_demand((960, 540))
    camera.deliver(np.frombuffer(b"\xff\xd8 broken picture", np.uint8).copy())
    camera.deliver(jpeg_of(GREEN))
    assert camera.decoded() == 1 and close_to(colour_of(camera.runner.frame_for(0)), GREEN)
    assert camera.runner.status is SourceStatus.LIVE


# -- what the program demands ------------------------------------------------------------------------


class DemandRecorder:
    """A runner as the tracker sees it: records every set_demand()."""

    def __init__(self) -> None:
        self.demand = None
        self.calls: list = []

    def set_demand(self, shown_size) -> None:
        self.demand = shown_size
        self.calls.append(shown_size)


def compositor(*layers: Layer) -> SceneCompositor:
    return SceneCompositor(list(layers), CANVAS, lambda ref: ref)


def grid_layers(*sources: str) -> list[Layer]:
    cells = [(0, 0), (960, 0), (0, 540), (960, 540)]
    return [Layer(source=s, x=x, y=y, width=960, height=540) for s, (x, y) in zip(sources, cells)]


@pytest.fixture
def studio():
    compositors = {
        "grid": compositor(*grid_layers("a", "b", "c", "d")),
        "grid_pip": compositor(*grid_layers("a", "b", "c", "d"), Layer(source="a", x=1400, y=40, width=480, height=270, z=1)),
        "e_full": compositor(Layer(source="e")),
        "b_full": compositor(Layer(source="b")),
    }
    runners = {source_id: DemandRecorder() for source_id in "abcde"}
    return SourceDemandTracker(CANVAS), compositors, runners


def publish(tracker, compositors, runners, shown=("grid", None), preview="e_full", taps=()) -> None:
    tracker.publish(shown_scene_ids=shown, preview_scene_id=preview, taps=list(taps), compositors=compositors, runners=runners)


def test_program_scene_sources_are_demanded_at_their_largest_box_and_the_rest_not_at_all(studio) -> None:
    tracker, compositors, runners = studio
    publish(tracker, compositors, runners, shown=("grid_pip", None))
    assert runners["a"].demand == (960, 540)  # the grid cell beats the PiP
    assert runners["b"].demand == runners["d"].demand == (960, 540)
    assert runners["e"].calls == []  # on preview, but no preview monitor: never asked to decode
    publish(tracker, compositors, runners, shown=("grid_pip", None))
    assert tracker.recomputed == 1 and runners["a"].calls == [(960, 540)]  # unchanged: nothing recomputed


def test_a_transition_demands_both_scenes_and_a_cut_drops_the_old_one(studio) -> None:
    tracker, compositors, runners = studio
    publish(tracker, compositors, runners, shown=("grid", "b_full"))
    assert runners["b"].demand == (1920, 1080) and runners["a"].demand == (960, 540)
    publish(tracker, compositors, runners, shown=("b_full", None))
    assert runners["b"].demand == (1920, 1080)
    assert runners["a"].demand is None and runners["a"].calls == [(960, 540), None]


def test_preview_and_source_monitors_demand_at_their_size(studio) -> None:
    tracker, compositors, runners = studio
    preview = VideoTap(PREVIEW, 960, 540, 30)
    multiview_e, multiview_c = VideoTap("e", 384, 216, 15), VideoTap("c", 384, 216, 15)
    publish(tracker, compositors, runners, shown=("b_full", None), taps=(preview, multiview_c, VideoTap(PROGRAM, 960, 540, 30)))
    assert runners["e"].demand == (960, 540)  # on the preview monitor: the scene at the monitor's scale
    assert runners["c"].demand == (384, 216)
    assert runners["b"].demand == (1920, 1080) and runners["a"].demand is None
    publish(tracker, compositors, runners, shown=("b_full", None), taps=(multiview_e,))
    assert runners["e"].demand == (384, 216)  # preview monitor closed
    assert runners["c"].demand is None


def test_a_show_edit_brings_new_runners_their_demand(studio) -> None:
    tracker, compositors, runners = studio
    publish(tracker, compositors, runners)
    replaced = dict(runners, a=DemandRecorder())
    publish(tracker, compositors, replaced)
    assert replaced["a"].demand == (960, 540) and tracker.recomputed == 2


def test_layer_boxes() -> None:
    assert layer_box(Layer(source="a"), CANVAS) == (1920, 1080)
    assert layer_box(Layer(source="a", width=480, height=270, rotation=90), CANVAS) == (270, 480)
    assert layer_box(Layer(source="a", width=480, height=270, fit=Fit.COVER), CANVAS, 0.5) == (240, 135)
    assert layer_box(Layer(source="a", width=480, height=270, crop=Crop(left=100)), CANVAS) == FULL_SIZE
    assert layer_box(Layer(source="a", opacity=0.0), CANVAS) is None
    assert layer_box(Layer(source="a", x=1920, width=100, height=100), CANVAS) is None


# -- the engine: demand from the program, decodes counted ---------------------------------------------


def two_camera_show():
    cameras = [
        {"id": name, "name": name.upper(), "kind": "camera", "settings": {"device": str(number), "fps": FPS}}
        for number, name in enumerate(("front", "side"))
    ]
    return parse_show(
        {
            "schema_version": 1,
            "name": "two cameras",
            "canvas": {"width": 1920, "height": 1080, "fps": FPS},
            "sources": cameras,
            "scenes": [
                {"id": "front", "name": "FRONT", "layout": {"kind": "full", "sources": ["front"]}},
                {"id": "side", "name": "SIDE", "layout": {"kind": "full", "sources": ["side"]}},
            ],
            "program_scene": "FRONT",
            "preview_scene": "SIDE",
        },
        file="<test>",
    )


def tick_ns(tick: int) -> int:
    return tick * NS_PER_SECOND // FPS


def test_in_the_engine_a_camera_off_air_is_not_decoded_and_a_cut_shows_its_picture_next_tick(device_roots) -> None:
    pictures = {0: [jpeg_of(RED)], 1: [jpeg_of(GREEN)]}
    captures: dict[int, JpegReplayCapture] = {}
    clock = SteppedClock()
    engine = Engine(two_camera_show(), clock, replay_camera_registry(pictures, device_roots, captures.__setitem__))
    program = engine.open_video_tap("program", 480, 270)
    front, side = engine._runners["front"], engine._runners["side"]

    def run_to(tick: int) -> None:
        clock.allow_until(tick_ns(tick))
        poll_until(lambda: clock.waiting_for_ns == tick_ns(tick + 1), 10, f"tick {tick}")

    def cameras_caught_up(tick: int) -> None:
        """Both cameras delivered their picture for this tick and decoded what is to be decoded."""
        for number in (0, 1):
            poll_until(lambda n=number: n in captures and captures[n].pictures_delivered >= tick + 1, 10, f"camera {number}")
        assert front.wait_decoded(WAIT_S) and side.wait_decoded(WAIT_S)

    try:
        engine.start()
        for tick in range(4):
            run_to(tick)
            cameras_caught_up(tick)
        assert side.decode_counts() is None or side.decode_counts()[0] == 0  # SIDE is on preview only, no monitor
        assert front.decode_counts()[0] >= 3
        assert captures[1].pictures_delivered >= 4  # read all along
        engine.cut("SIDE")
        run_to(4)  # the cut's tick: SIDE demanded now, its held picture decoding
        # The held picture, and the one for tick 4 if the camera handed it over after the cut.
        assert side.wait_decoded(WAIT_S) and side.decode_counts()[0] in (1, 2)
        run_to(5)
        picture = program.latest()
        assert picture.tick == 5
        assert close_to(picture.rgb[200, 360], GREEN, 20)  # the cut shows SIDE's current picture a tick later
        cameras_caught_up(5)
        decoded_front = front.decode_counts()[0]
        run_to(6)
        cameras_caught_up(6)
        assert front.decode_counts()[0] == decoded_front  # FRONT is off air now: no more decoding
        assert front.status is SourceStatus.LIVE
    finally:
        engine.stop()
