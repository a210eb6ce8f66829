"""Camera video: a CAPTURED source plugin over OpenCV, and finding the cameras on this machine.

A show file names a camera by a stable identity rather than by OpenCV's index, because the
index of a USB camera changes with plug order. On Linux the identity may be a /dev/v4l/by-id
link (stable per camera), the name the driver reports in /sys/class/video4linux/videoN/name
(readable, but shared by identical models), "/dev/videoN", or a bare index. Other systems offer
no such names to OpenCV, so there the identity is the index.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

# OpenCV's V4L2 backend waits up to 10 s (its default) for each frame of a stalled camera, and
# the capture thread cannot be stopped meanwhile; SourceRunner.stop() only waits 2 s. OpenCV
# reads this once, at the first frame grab of the process, so setting it at import is early
# enough. setdefault: a user's own setting wins.
os.environ.setdefault("OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT", "1")

import cv2  # noqa: E402  (must follow the environment setting above)
from pydantic import Field, field_validator  # noqa: E402

from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, MediaClock  # noqa: E402
from studio.engine.errors import SourceUnavailable  # noqa: E402
from studio.engine.frames import Frame, frame_from_bgr  # noqa: E402
from studio.engine.sources.base import (  # noqa: E402
    EncodedPicture,
    ShownSize,
    SourceSettings,
    SourceTiming,
    VideoSource,
)
from studio.engine.sources.mjpeg_decode import decode_jpeg, looks_like_jpeg, reduction_for  # noqa: E402

log = logging.getLogger(__name__)

# A driver timestamp is trusted only if it lies this close behind the clock's now: V4L2 stamps
# buffers on CLOCK_MONOTONIC (the MonotonicClock's domain) when the frame arrives, so a real one
# is a few frame times old. Anything else (another clock domain, a file position, a virtual
# clock) is not comparable and the frame is stamped with the clock instead.
MAX_DRIVER_TIMESTAMP_AGE_NS = 1 * NS_PER_SECOND
# Rounding of the millisecond double can put a genuine timestamp a hair after now.
DRIVER_TIMESTAMP_FUTURE_TOLERANCE_NS = 1 * NS_PER_MS

V4L2_CTL_TIMEOUT_S = 3.0

_VIDEO_NODE = re.compile(r"^video(\d+)$")


# -- where Linux keeps its video devices ---------------------------------------------------------


@dataclass(frozen=True)
class VideoDeviceRoots:
    """The directories camera discovery reads; tests point them at a fake tree."""

    sysfs: Path = Path("/sys/class/video4linux")
    by_id: Path = Path("/dev/v4l/by-id")
    dev: Path = Path("/dev")


LINUX_DEVICE_ROOTS = VideoDeviceRoots()


def is_linux(platform: str) -> bool:
    return platform.startswith("linux")


class CameraMode(NamedTuple):
    """One picture format a camera offers."""

    width: int
    height: int
    fps: float
    fourcc: str


@dataclass(frozen=True)
class CameraInfo:
    """A camera found by list_cameras(). `identity` is what to write as `device` in a show file."""

    identity: str
    name: str
    path: str
    modes: list[CameraMode] = field(default_factory=list)
    # Why `modes` is empty, when the system could not tell (shown by `studio devices`).
    modes_note: str = ""


@dataclass(frozen=True)
class ResolvedCamera:
    """A device identity turned into what OpenCV opens, plus words for messages."""

    target: int | str  # an OpenCV index, or a device path
    path: str
    name: str

    @property
    def label(self) -> str:
        """Names the device in messages: camera 'Logitech C920' (/dev/video2)."""
        if self.name and self.name != self.path:
            return f"camera {self.name!r} ({self.path})"
        return f"camera {self.path!r}"


@dataclass(frozen=True)
class _VideoNode:
    number: int  # N of /dev/videoN
    name: str
    # The sysfs `index` attribute: 0 for a device's main node. A UVC camera also exposes a
    # metadata node (index 1) under the same name, which delivers no pictures.
    node_index: int | None

    @property
    def is_main_node(self) -> bool:
        return self.node_index in (None, 0)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def _video_nodes(sysfs: Path) -> list[_VideoNode]:
    """Every /sys/class/video4linux/videoN, in N order; empty if the directory does not exist."""
    try:
        entries = list(sysfs.iterdir())
    except OSError:
        return []
    nodes = []
    for entry in entries:
        match = _VIDEO_NODE.match(entry.name)
        if not match:
            continue
        index_text = _read_text(entry / "index")
        nodes.append(
            _VideoNode(
                number=int(match.group(1)),
                name=_read_text(entry / "name") or entry.name,
                node_index=int(index_text) if index_text and index_text.isdigit() else None,
            )
        )
    return sorted(nodes, key=lambda node: node.number)


def _node_number_of(path: Path) -> int | None:
    """N if the path (after following links) is a videoN device node."""
    match = _VIDEO_NODE.match(Path(os.path.realpath(path)).name)
    return int(match.group(1)) if match else None


# -- identity -> device ----------------------------------------------------------------------------


def resolve_camera(
    identity: str, *, roots: VideoDeviceRoots = LINUX_DEVICE_ROOTS, platform: str = sys.platform
) -> ResolvedCamera:
    """Find the device a show file's `device` means. Raises SourceUnavailable if there is none."""
    identity = identity.strip()
    if not is_linux(platform):
        if identity.isdigit():
            return ResolvedCamera(int(identity), f"index {identity}", identity)
        raise SourceUnavailable(
            f"camera {identity!r} was not found: on {platform} a camera is chosen by its number "
            f"(\"0\", \"1\", ...), not by name or path"
        )
    if identity.isdigit():
        return _resolve_linux_node(int(identity), identity, roots)
    by_id_link = roots.by_id / identity
    if "/" not in identity and os.path.lexists(by_id_link):
        return _resolve_linux_path(by_id_link, identity, roots)
    if "/" in identity:
        return _resolve_linux_path(Path(identity), identity, roots)
    return _resolve_linux_name(identity, roots)


def _resolve_linux_node(number: int, identity: str, roots: VideoDeviceRoots) -> ResolvedCamera:
    path = roots.dev / f"video{number}"
    if not path.exists():
        raise SourceUnavailable(f"camera {identity!r} was not found: {path} does not exist (is it plugged in?)")
    name = _read_text(roots.sysfs / f"video{number}" / "name") or str(path)
    return ResolvedCamera(number, str(path), name)


def _resolve_linux_path(path: Path, identity: str, roots: VideoDeviceRoots) -> ResolvedCamera:
    if not path.exists():  # follows links: a by-id link of an unplugged camera dangles
        raise SourceUnavailable(f"camera {identity!r} was not found: {path} does not exist (is it plugged in?)")
    number = _node_number_of(path)
    if number is None:
        # Not a videoN node (a v4l2loopback alias, say): let the V4L2 backend try the path itself.
        real_path = os.path.realpath(path)
        return ResolvedCamera(real_path, real_path, identity)
    name = _read_text(roots.sysfs / f"video{number}" / "name") or identity
    return ResolvedCamera(number, str(roots.dev / f"video{number}"), name)


def _resolve_linux_name(name: str, roots: VideoDeviceRoots) -> ResolvedCamera:
    nodes = _video_nodes(roots.sysfs)
    matches = [node for node in nodes if node.name == name] or [
        node for node in nodes if node.name.casefold() == name.casefold()
    ]
    if not matches:
        raise SourceUnavailable(
            f"camera {name!r} was not found: no video device has that name (looked in {roots.sysfs}); "
            "`studio devices` lists the cameras here"
        )
    # The main node delivers pictures; with identical models the first one wins (by-id tells them apart).
    chosen = next((node for node in matches if node.is_main_node), matches[0])
    return ResolvedCamera(chosen.number, str(roots.dev / f"video{chosen.number}"), chosen.name)


# -- listing ------------------------------------------------------------------------------------------


def list_cameras(
    *, roots: VideoDeviceRoots = LINUX_DEVICE_ROOTS, platform: str = sys.platform
) -> list[CameraInfo]:
    """The cameras on this machine, with the identity to put in a show file.

    Only Linux tells names and modes without opening each device; elsewhere this is empty
    (see camera_listing_note()).
    """
    if not is_linux(platform):
        return []
    main_nodes = [node for node in _video_nodes(roots.sysfs) if node.is_main_node]
    by_id_links = _by_id_links_per_node(roots.by_id)
    name_counts: dict[str, int] = {}
    for node in main_nodes:
        name_counts[node.name] = name_counts.get(node.name, 0) + 1
    v4l2_ctl = shutil.which("v4l2-ctl")
    cameras = []
    for node in main_nodes:
        path = str(roots.dev / f"video{node.number}")
        # Most stable first: by-id carries the serial number; a unique name reads best; else the node.
        if node.number in by_id_links:
            identity = str(by_id_links[node.number])
        elif name_counts[node.name] == 1:
            identity = node.name
        else:
            identity = path
        modes, modes_note = _list_modes(v4l2_ctl, path)
        cameras.append(CameraInfo(identity, node.name, path, modes, modes_note))
    return cameras


def camera_listing_note(*, roots: VideoDeviceRoots = LINUX_DEVICE_ROOTS, platform: str = sys.platform) -> str:
    """Where list_cameras() looked, or why it cannot look, for messages."""
    if is_linux(platform):
        return f"looked in {roots.sysfs}"
    return f"listing cameras is not supported on {platform}; set device to \"0\", \"1\", ... (the camera's number)"


def _by_id_links_per_node(by_id: Path) -> dict[int, Path]:
    """videoN -> its /dev/v4l/by-id link, preferring the "-index0" link (the main node)."""
    try:
        links = sorted(by_id.iterdir())
    except OSError:
        return {}
    found: dict[int, Path] = {}
    for link in links:
        number = _node_number_of(link)
        if number is None:
            continue
        if number not in found or link.name.endswith("-index0"):
            found[number] = link
    return found


def _list_modes(v4l2_ctl: str | None, device_path: str) -> tuple[list[CameraMode], str]:
    if v4l2_ctl is None:
        return [], "modes unknown: v4l2-ctl not found (install v4l-utils)"
    try:
        result = subprocess.run(
            [v4l2_ctl, "--device", device_path, "--list-formats-ext"],
            capture_output=True, text=True, timeout=V4L2_CTL_TIMEOUT_S, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return [], f"modes unknown: v4l2-ctl failed ({error})"
    if result.returncode != 0:
        reason = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"
        return [], f"modes unknown: v4l2-ctl failed ({reason})"
    modes = parse_v4l2_formats(result.stdout)
    return modes, "" if modes else "modes unknown: the driver lists only ranges, not fixed modes"


_FORMAT_LINE = re.compile(r"^\s*(?:\[\d+\]:|Pixel Format\s*:)\s*'(?P<fourcc>[^']{1,4})'")
_SIZE_LINE = re.compile(r"^\s*Size:\s*Discrete\s+(?P<width>\d+)x(?P<height>\d+)")
_INTERVAL_LINE = re.compile(r"^\s*Interval:\s*Discrete\s+\S+\s+\((?P<fps>[\d.]+)\s*fps\)")


def parse_v4l2_formats(text: str) -> list[CameraMode]:
    """The discrete modes in `v4l2-ctl --list-formats-ext` output (stepwise ranges are skipped)."""
    modes: list[CameraMode] = []
    fourcc: str | None = None
    size: tuple[int, int] | None = None
    for line in text.splitlines():
        if match := _FORMAT_LINE.match(line):
            fourcc, size = match.group("fourcc").strip(), None
        elif match := _SIZE_LINE.match(line):
            size = (int(match.group("width")), int(match.group("height")))
        elif line.strip().startswith("Size:"):
            size = None  # a stepwise size: its intervals do not name one mode
        elif (match := _INTERVAL_LINE.match(line)) and fourcc and size:
            modes.append(CameraMode(size[0], size[1], float(match.group("fps")), fourcc))
    return modes


# -- the source plugin ----------------------------------------------------------------------------------


def capture_backends(platform: str) -> tuple[int, ...]:
    """OpenCV backends to try, in order: the native one first."""
    if is_linux(platform):
        return (cv2.CAP_V4L2,)
    if platform == "win32":
        # Media Foundation opens most modern cameras faster; DirectShow still covers older drivers.
        return (cv2.CAP_MSMF, cv2.CAP_DSHOW)
    if platform == "darwin":
        return (cv2.CAP_AVFOUNDATION,)
    return (cv2.CAP_ANY,)


def open_video_capture(target: int | str, backend: int) -> cv2.VideoCapture:
    return cv2.VideoCapture(target, backend)


CaptureOpener = Callable[[int | str, int], cv2.VideoCapture]


def choose_capture_timestamp_ns(driver_ms: float, now_ns: int) -> int:
    """The driver's buffer timestamp if it is in the clock's domain, else now."""
    if driver_ms > 0:
        driver_ns = round(driver_ms * NS_PER_MS)
        age_ns = now_ns - driver_ns
        if -DRIVER_TIMESTAMP_FUTURE_TOLERANCE_NS <= age_ns <= MAX_DRIVER_TIMESTAMP_AGE_NS:
            return min(driver_ns, now_ns)
    return now_ns


class CameraSettings(SourceSettings):
    device: str = Field(
        "0",
        min_length=1,
        description='Which camera: a /dev/v4l/by-id path, its name, "/dev/videoN" or a number ("0")',
        json_schema_extra={"device_picker": "camera"},
    )
    width: int = Field(1920, ge=16, le=7680)
    height: int = Field(1080, ge=16, le=4320)
    fps: int = Field(30, ge=1, le=240)
    pixel_format: str = Field(
        "MJPG",
        min_length=4,
        max_length=4,
        description="FourCC asked of the camera; MJPG gets 1080p30 over USB 2",
        # Offered in the settings form (any FourCC can still be typed); a connected camera's own
        # formats replace these there.
        json_schema_extra={"choices": ["MJPG", "YUYV"]},
    )

    @field_validator("device", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        # `device: 0` in a show file means camera number 0; pydantic would refuse the int.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class CameraSource(VideoSource):
    """A local camera. A capture thread calls read_next(); frames arrive at the camera's pace.

    An MJPG camera on V4L2 is read raw (OpenCV's CONVERT_RGB off): read_next() hands over each
    JPEG as it came, and the runner has it decoded by decode() only while the camera is shown,
    at the size it is shown (1/2, 1/4 or 1/8 when that covers it). Elsewhere (YUYV, other
    systems' backends) OpenCV decodes inside read() and read_next() returns the frame.
    """

    kind = "camera"
    settings_model = CameraSettings
    timing = SourceTiming.CAPTURED
    settings: CameraSettings

    def __init__(
        self,
        name: str,
        settings: CameraSettings,
        clock: MediaClock,
        *,
        roots: VideoDeviceRoots = LINUX_DEVICE_ROOTS,
        platform: str = sys.platform,
        open_capture: CaptureOpener = open_video_capture,
    ) -> None:
        super().__init__(name, settings, clock)
        self._roots = roots
        self._platform = platform
        self._open_capture = open_capture
        self._label = f"camera {settings.device!r}"
        self._sequence = 0
        # close() may come from another thread (SourceRunner.stop) while read_next() is inside
        # OpenCV; releasing a VideoCapture under a running read can crash, so the reader
        # releases it instead once the read returns.
        self._state_lock = threading.Lock()
        self._capture: cv2.VideoCapture | None = None
        self._reading = False
        self._release_after_read: cv2.VideoCapture | None = None
        # The size the camera really delivers (what 1/2, 1/4, 1/8 are fractions of).
        self._native_size: tuple[int, int] = (settings.width, settings.height)

    @property
    def frame_interval_ns(self) -> int:
        return NS_PER_SECOND // self.settings.fps

    @classmethod
    def check_resources(cls, settings: CameraSettings) -> tuple[str, str] | None:
        try:
            resolve_camera(settings.device)
        except SourceUnavailable as error:
            return "device", str(error)
        return None

    def open(self) -> None:
        resolved = resolve_camera(self.settings.device, roots=self._roots, platform=self._platform)
        self._label = resolved.label
        capture, backend = self._open_with_first_working_backend(resolved)
        self._configure(capture, backend)
        with self._state_lock:
            self._capture = capture
        self._sequence = 0

    def _open_with_first_working_backend(self, resolved: ResolvedCamera) -> tuple[cv2.VideoCapture, int]:
        for backend in capture_backends(self._platform):
            capture = self._open_capture(resolved.target, backend)
            if capture.isOpened():
                return capture, backend
            capture.release()
        raise SourceUnavailable(f"{self._label} could not be opened: {self._why_not_opened(resolved)}")

    def _why_not_opened(self, resolved: ResolvedCamera) -> str:
        path = Path(resolved.path)
        if is_linux(self._platform) and path.exists() and not os.access(path, os.R_OK | os.W_OK):
            return f"no permission to use {path} (add your user to the 'video' group)"
        return "the driver refused it (in use by another program, unplugged, or not a camera)"

    def _configure(self, capture: cv2.VideoCapture, backend: int) -> None:
        s = self.settings
        # FourCC before size: asking 1920x1080 of a camera still on YUYV gets a slow or smaller mode.
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*s.pixel_format))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, s.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, s.height)
        capture.set(cv2.CAP_PROP_FPS, s.fps)
        # One buffer: the program wants the newest picture, not a queue of old ones (latency).
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if s.pixel_format == "MJPG" and backend == cv2.CAP_V4L2:
            # The JPEGs as the camera sent them: decoded later, at the size they are shown, and
            # not at all while the camera is off air. (V4L2 hands over the buffer as 1 x N bytes;
            # other backends' raw modes differ, so they keep decoding inside read().)
            capture.set(cv2.CAP_PROP_CONVERT_RGB, 0)
        got_width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        got_height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        got_fps = capture.get(cv2.CAP_PROP_FPS)
        self._native_size = (got_width, got_height) if got_width > 0 and got_height > 0 else (s.width, s.height)
        if (got_width, got_height) != (s.width, s.height) or (got_fps > 0 and round(got_fps) != s.fps):
            log.warning(
                "%s delivers %dx%d at %.3g fps instead of the requested %dx%d at %d fps",
                self._label, got_width, got_height, got_fps, s.width, s.height, s.fps,
            )

    def read_next(self) -> Frame | EncodedPicture:
        with self._state_lock:
            capture = self._capture
            if capture is None:
                raise SourceUnavailable(f"{self._label} is not open")
            self._reading = True
        try:
            ok, picture = capture.read()
            driver_ms = capture.get(cv2.CAP_PROP_POS_MSEC) if ok else 0.0
        finally:
            with self._state_lock:
                self._reading = False
                release_now, self._release_after_read = self._release_after_read, None
            if release_now is not None:
                release_now.release()
        if not ok or picture is None:
            raise SourceUnavailable(f"{self._label} stopped delivering pictures (unplugged?)")
        self._sequence += 1
        captured_ns = choose_capture_timestamp_ns(driver_ms, self.clock.now_ns())
        if looks_like_jpeg(picture):  # raw MJPG: the runner decodes it if and when it is shown
            return EncodedPicture(picture.reshape(-1), captured_ns, self._sequence)
        return frame_from_bgr(picture, captured_ns, self._sequence)  # decoded by OpenCV (BGR)

    def decode(self, picture: EncodedPicture, shown_size: ShownSize) -> Frame:
        reduction = reduction_for(self._native_size, shown_size)
        return decode_jpeg(picture.data, reduction, picture.captured_ns, picture.sequence)

    def close(self) -> None:
        with self._state_lock:
            capture, self._capture = self._capture, None
            if capture is None:
                return
            if self._reading:
                self._release_after_read = capture
                return
        capture.release()


PLUGINS = (CameraSource,)
