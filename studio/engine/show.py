"""The show: sources, scenes, audio inputs and output settings as plain validated data.

Saved as human-editable JSON with a schema_version; loading names the file, the field and
what was expected when something is wrong. Cross-references (a layer's source, the starting
scene) are checked here, so the engine only ever sees a consistent show.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studio.engine.errors import InputError
from studio.engine.show_problems import (
    ShowProblem,
    ShowProblems,
    in_file_order,
    problems_from_validation,
    validate_what_is_good,
)
from studio.engine.comment_settings import CommentSettings
# The destinations' models are the show's parts too, importable from here.
from studio.engine.destination_settings import DESTINATION_PRESETS, DestinationSpec, SrtMode, SrtSettings  # noqa: F401
from studio.engine.guest_settings import GuestServiceSettings
from studio.engine.overlay_placement import OverlayKind, OverlayPlacement
from studio.engine.products import Product, SellingSettings
from studio.engine.secrets import shown_value
from studio.engine.sources.colour import RGBColour

SCHEMA_VERSION = 1


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fit(str, Enum):
    CONTAIN = "contain"  # whole picture visible, letterboxed
    COVER = "cover"  # fills the box, edges cropped
    STRETCH = "stretch"  # fills the box, aspect ratio ignored


class Corner(str, Enum):
    TOP_LEFT = "top_left"
    TOP_RIGHT = "top_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_RIGHT = "bottom_right"


class TransitionKind(str, Enum):
    CUT = "cut"
    MIX = "mix"
    WIPE = "wipe"
    DIP = "dip"


class LayoutKind(str, Enum):
    FULL = "full"
    PIP = "pip"
    SIDE_BY_SIDE = "side_by_side"
    GRID = "grid"
    ONE_LARGE_TWO_SMALL = "one_large_two_small"


class Canvas(StrictModel):
    width: int = Field(1920, ge=160, le=7680, multiple_of=2)
    height: int = Field(1080, ge=160, le=7680, multiple_of=2)
    fps: Literal[25, 30, 50, 60] = 30


class ExtraCanvas(StrictModel):
    """A second program picture beside the main canvas (e.g. 9:16 for Douyin and TikTok), composed
    from the same source frames on the same ticks, with its own encoder, recordings and destinations."""

    width: int = Field(1080, ge=160, le=7680, multiple_of=2)
    height: int = Field(1920, ge=160, le=7680, multiple_of=2)
    bitrate_kbps: int | None = Field(
        None, ge=200, le=100_000, description="its encoder's video bitrate; empty: the main one's, scaled by pixel count"
    )
    overlays: dict[OverlayKind, OverlayPlacement] = Field(
        default_factory=dict,
        description="where the card, countdown, lower third and comment ticker go here; absent: centre kept in its relative place",
    )


MAIN_CANVAS = "main"
CANVAS_NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"


class Crop(StrictModel):
    left: int = Field(0, ge=0)
    top: int = Field(0, ge=0)
    right: int = Field(0, ge=0)
    bottom: int = Field(0, ge=0)


class Layer(StrictModel):
    """One source placed on the canvas. Without width/height it fills the canvas."""

    id: int | None = Field(
        None, ge=1, description="stable scene item id within its scene (the studio assigns it when the scene is edited)"
    )
    source: str = Field(description="id or name of a source")
    x: int = 0
    y: int = 0
    width: int | None = Field(None, gt=0)
    height: int | None = Field(None, gt=0)
    crop: Crop = Crop()
    fit: Fit = Fit.CONTAIN
    rotation: Literal[0, 90, 180, 270] = 0
    mirror: bool = False
    opacity: float = Field(1.0, ge=0.0, le=1.0)
    z: int = 0
    visible: bool = True
    locked: bool = Field(False, description="a locked layer cannot be moved or resized on the preview")


class Layout(StrictModel):
    """A layout helper: expands to layers (see studio.engine.video.layouts)."""

    kind: LayoutKind
    sources: list[str] = Field(min_length=1)
    corner: Corner = Corner.BOTTOM_RIGHT
    inset_percent: int = Field(30, ge=5, le=90, description="PiP inset width, % of the canvas width")
    margin_px: int = Field(40, ge=0)


class CanvasLayout(StrictModel):
    """A scene's picture on another canvas (the vertical one): its own layout and layers, in that
    canvas's pixels. A scene without one for a canvas gets one derived from its main layout."""

    layout: Layout | None = None
    layers: list[Layer] = Field(default_factory=list, description="drawn over the layout's layers")


class Scene(StrictModel):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    layout: Layout | None = None
    layers: list[Layer] = Field(default_factory=list, description="drawn over the layout's layers")
    canvases: dict[str, CanvasLayout] = Field(
        default_factory=dict, description="canvas name -> this scene's layout there; derived from the main one when absent"
    )


class SourceSpec(StrictModel):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: str
    settings: dict[str, Any] = Field(default_factory=dict)


class AudioInputKind(str, Enum):
    TONE = "tone"  # a sine, for tests and line-up
    BEEP = "beep"  # a short tone at each whole second of the clock: the sound half of the sync pair
    SOURCE_AUDIO = "source_audio"  # the sound track of a video source (a file)
    MICROPHONE = "microphone"  # a capture device through PortAudio
    NETWORK = "network"  # a feed pulled from an SRT or RTMP URL (a remote guest)


class HighPassSettings(StrictModel):
    enabled: bool = False
    cutoff_hz: float = Field(80.0, ge=10, le=1000)


class NoiseGateSettings(StrictModel):
    enabled: bool = False
    open_threshold_db: float = Field(-40.0, le=0)
    close_threshold_db: float = Field(-50.0, le=0)
    attack_ms: float = Field(5.0, ge=0, le=500)
    hold_ms: float = Field(100.0, ge=0, le=2000)
    release_ms: float = Field(150.0, ge=1, le=5000)


class CompressorSettings(StrictModel):
    enabled: bool = False
    threshold_db: float = Field(-18.0, le=0)
    ratio: float = Field(3.0, ge=1, le=50)
    attack_ms: float = Field(6.0, ge=0, le=500)
    release_ms: float = Field(60.0, ge=1, le=5000)
    makeup_gain_db: float = Field(0.0, ge=0, le=36)


class LimiterSettings(StrictModel):
    enabled: bool = False
    ceiling_db: float = Field(-1.0, le=0)
    release_ms: float = Field(60.0, ge=1, le=5000)


class AudioFilters(StrictModel):
    """Applied in this order: high-pass, noise gate, compressor, limiter."""

    high_pass: HighPassSettings = HighPassSettings()
    noise_gate: NoiseGateSettings = NoiseGateSettings()
    compressor: CompressorSettings = CompressorSettings()
    limiter: LimiterSettings = LimiterSettings()


class DuckingSettings(StrictModel):
    """Lower this input (music, a product video) while any trigger input (the host's voice) is loud."""

    enabled: bool = False
    trigger_inputs: list[str] = Field(default_factory=list, description="ids of the inputs that duck this one")
    depth_db: float = Field(-15.0, ge=-60, le=0)
    threshold_db: float = Field(-35.0, le=0)
    attack_ms: float = Field(50.0, ge=1, le=2000)
    release_ms: float = Field(400.0, ge=1, le=5000)


class AudioInputSpec(StrictModel):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: AudioInputKind
    frequency_hz: float = Field(440.0, gt=0, lt=24_000, description="tone and beep")
    level_dbfs: float = Field(-20.0, le=0, description="tone and beep")
    beep_duration_ms: int = Field(50, ge=1, le=900)
    source: str | None = Field(None, description="for source_audio: the video source whose sound this is")
    device: str | None = Field(None, description="for microphone: device name or index; empty = default")
    url: str | None = Field(None, description="for network: srt:// or rtmp:// URL to pull")
    gain_db: float = Field(0.0, ge=-96, le=24)
    muted: bool = False
    solo: bool = False
    pan: float = Field(0.0, ge=-1.0, le=1.0, description="-1 left, 0 centre, +1 right (constant power)")
    sync_offset_ms: int = Field(0, ge=-950, le=2000, description="positive delays this input")
    follows_video: str | None = Field(
        None, description="id or name of a video source: live only while that source is on program"
    )
    is_guest: bool = Field(False, description="the remote guest: left out of the mix-minus they hear")
    to_monitor: bool = True
    filters: AudioFilters = AudioFilters()
    ducking: DuckingSettings = DuckingSettings()


class AudioSettings(StrictModel):
    master_limiter_ceiling_db: float = Field(-1.0, ge=-20, le=0)
    monitor_device: str | None = Field(None, description="output device for headphones; empty = none")
    mix_minus_device: str | None = Field(None, description="output device that feeds the guest; empty = none")


class EncoderChoice(str, Enum):
    AUTO = "auto"  # first hardware encoder that opens, else x264
    X264 = "x264"
    NVENC = "nvenc"
    QSV = "qsv"
    VIDEOTOOLBOX = "videotoolbox"


class EncoderSettings(StrictModel):
    encoder: EncoderChoice = EncoderChoice.AUTO
    preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] = "veryfast"
    bitrate_kbps: int = Field(6000, ge=200, le=100_000)
    keyframe_interval_ms: int = Field(2000, ge=250, le=10_000)
    audio_bitrate_kbps: int = Field(160, ge=32, le=512)


class RecordingSettings(StrictModel):
    remux_to_mp4: bool = Field(False, description="also write an MP4 copy when the recording stops")
    split_every_s: int | None = Field(None, ge=10, le=24 * 3600, description="start a new file this often")
    split_every_mb: int | None = Field(None, ge=10, description="start a new file past this size")
    min_free_disk_mb: int = Field(500, ge=0, description="refuse to start with less free space than this")
    warn_free_disk_mb: int = Field(2000, ge=0, description="warn while recording when free space drops below")


class TransitionSettings(StrictModel):
    kind: TransitionKind = TransitionKind.MIX
    duration_ms: int = Field(500, ge=0, le=10_000)
    colour: RGBColour = (0, 0, 0)


class Show(StrictModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    name: str = "Untitled show"
    canvas: Canvas = Canvas()
    canvases: dict[str, ExtraCanvas] = Field(
        default_factory=dict, description=f"more canvases by name (e.g. vertical); {MAIN_CANVAS!r} is the canvas above"
    )
    sources: list[SourceSpec] = Field(default_factory=list)
    scenes: list[Scene] = Field(min_length=1)
    audio_inputs: list[AudioInputSpec] = Field(default_factory=list)
    audio: AudioSettings = AudioSettings()
    program_scene: str | None = Field(None, description="id or name; the first scene if empty")
    preview_scene: str | None = None
    transition: TransitionSettings = TransitionSettings()
    encoder: EncoderSettings = EncoderSettings()
    recording: RecordingSettings = RecordingSettings()
    destinations: list[DestinationSpec] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list, description="the run sheet, in order")
    current_product: str | None = Field(None, description="id of the product on at the start; the first if empty")
    selling: SellingSettings = SellingSettings()
    comments: CommentSettings = CommentSettings()
    guests: GuestServiceSettings = GuestServiceSettings()
    hotkeys: dict[str, str] = Field(
        default_factory=dict,
        description="action id -> key sequence ('Space', 'Ctrl+R', '1'); '' unbinds; actions not listed keep their default",
    )

    def source_by_ref(self, ref: str) -> SourceSpec | None:
        return next((s for s in self.sources if s.id == ref), None) or next(
            (s for s in self.sources if s.name == ref), None
        )

    def canvas_named(self, name: str) -> Canvas:
        """A canvas by name: main, or one of `canvases` (at the show's one frame rate)."""
        if name == MAIN_CANVAS:
            return self.canvas
        spec = self.canvases.get(name)
        if spec is None:
            expected = ", ".join([MAIN_CANVAS, *self.canvases])
            raise InputError(f"unknown canvas {name!r}; expected one of {expected}", field="canvas")
        return Canvas(width=spec.width, height=spec.height, fps=self.canvas.fps)

    def scene_by_ref(self, ref: str) -> Scene | None:
        return next((s for s in self.scenes if s.id == ref), None) or next(
            (s for s in self.scenes if s.name == ref), None
        )


# -- loading and saving ---------------------------------------------------------------------

# Each entry upgrades a show dict from its key's version to the next one.
MIGRATIONS: dict[int, Any] = {}


def migrate(data: dict[str, Any], *, file: str) -> dict[str, Any]:
    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version < 1 or version > SCHEMA_VERSION:
        raise InputError(
            f"unsupported schema_version {version!r}; expected 1 to {SCHEMA_VERSION}", file=file, field="schema_version"
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["schema_version"] = version
    return data


def parse_show(data: Any, *, file: str = "<show>") -> Show:
    """Validate a show dict: pydantic checks fields; reference_problems checks the links between
    them. Every problem found is reported at once (ShowProblems, an InputError), in file order."""
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object at the top, got {type(data).__name__}", file=file)
    data = migrate(data, file=file)
    try:
        show = Show.model_validate(data)
    except ValidationError as error:
        problems = problems_from_validation(error)
        # The links of the good parts are checked too, so one run names everything to fix.
        salvaged = validate_what_is_good(Show, data, error)
        if salvaged is not None:
            assert isinstance(salvaged.instance, Show)
            problems += [
                ShowProblem(salvaged.location_in_file(problem.location), problem.message)
                for problem in reference_problems(salvaged.instance, may_be_left_out=salvaged.is_left_out)
            ]
        raise ShowProblems(in_file_order(problems, data), file=file) from None
    problems = reference_problems(show)
    if problems:
        raise ShowProblems(in_file_order(problems, data), file=file)
    return show


def _nothing_left_out(_list_field: str, _ref: str) -> bool:
    return False


def reference_problems(show: Show, *, may_be_left_out: Callable[[str, str], bool] = _nothing_left_out) -> list[ShowProblem]:
    """What is wrong with the links between a show's parts (a layer's source, the starting scene,
    duplicate ids, a source's kind and settings). `may_be_left_out(list_field, ref)` says when a
    ref may name an item left out of a salvaged show (not reported: its own problem is)."""
    from studio.engine.outputs.stream_target import check_destination_url
    from studio.engine.sources.registry import default_registry

    problems: list[ShowProblem] = []

    def problem(message: str, *location: str | int) -> None:
        problems.append(ShowProblem(location, message))

    def unknown(list_field: str, ref: str | None, found: object) -> bool:
        return found is None and not (ref is not None and may_be_left_out(list_field, ref))

    registry = default_registry()
    for list_field, kind, items in (("sources", "source", show.sources), ("scenes", "scene", show.scenes), ("audio_inputs", "audio input", show.audio_inputs)):
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.id in seen:
                problem(f"duplicate {kind} id {item.id!r}; expected each {kind} to have its own id", list_field, index, "id")
            seen.add(item.id)
    for index, source in enumerate(show.sources):
        try:
            plugin = registry.plugin(source.kind)
        except InputError as error:
            problem(error.detail, "sources", index, "kind")
            continue
        try:
            plugin.settings_model.model_validate(source.settings)
        except ValidationError as error:
            problems.extend(problems_from_validation(error, prefix=("sources", index, "settings")))
    source_names = ", ".join(s.name for s in show.sources) or "(no sources)"
    canvas_names = ", ".join(show.canvases) or "(no other canvases: add one under canvases)"
    for name in show.canvases:
        if name == MAIN_CANVAS or not re.match(CANVAS_NAME_PATTERN, name):
            problem(f"a canvas cannot be named {name!r}; expected a short lower-case name other than {MAIN_CANVAS!r} (e.g. vertical)", "canvases", name)
    for scene_index, scene in enumerate(show.scenes):
        refs: list[tuple[tuple[str | int, ...], str]] = []
        if scene.layout is not None:
            refs += [(("scenes", scene_index, "layout", "sources", i), ref) for i, ref in enumerate(scene.layout.sources)]
        refs += [(("scenes", scene_index, "layers", i, "source"), layer.source) for i, layer in enumerate(scene.layers)]
        for canvas_name, placed in scene.canvases.items():
            if canvas_name not in show.canvases:
                problem(f"unknown canvas {canvas_name!r}; expected one of {canvas_names}", "scenes", scene_index, "canvases", canvas_name)
            if placed.layout is not None:
                refs += [(("scenes", scene_index, "canvases", canvas_name, "layout", "sources", i), ref) for i, ref in enumerate(placed.layout.sources)]
            refs += [(("scenes", scene_index, "canvases", canvas_name, "layers", i, "source"), layer.source) for i, layer in enumerate(placed.layers)]
        layer_ids: set[int] = set()
        for layer_index, layer in enumerate(scene.layers):
            if layer.id is not None:
                if layer.id in layer_ids:
                    problem(f"duplicate layer id {layer.id} in scene {scene.name!r}", "scenes", scene_index, "layers", layer_index, "id")
                layer_ids.add(layer.id)
        for location, ref in refs:
            if unknown("sources", ref, show.source_by_ref(ref)):
                problem(f"unknown source {ref!r}; expected one of {source_names}", *location)
    scene_names = ", ".join(s.name for s in show.scenes)
    for field in ("program_scene", "preview_scene"):
        ref = getattr(show, field)
        if ref is not None and unknown("scenes", ref, show.scene_by_ref(ref)):
            problem(f"unknown scene {ref!r}; expected one of {scene_names}", field)
    for index, destination in enumerate(show.destinations):
        url_problem = check_destination_url(destination.full_url())
        if url_problem:
            problem(url_problem, "destinations", index, "url")
        if destination.canvas != MAIN_CANVAS and destination.canvas not in show.canvases:
            problem(f"unknown canvas {destination.canvas!r}; expected {MAIN_CANVAS!r} or one of {canvas_names}", "destinations", index, "canvas")
    product_ids: set[str] = set()
    for index, product in enumerate(show.products):
        if product.id in product_ids:
            problem(f"duplicate product id {product.id!r}; expected each product to have its own id", "products", index, "id")
        product_ids.add(product.id)
        scene_ref = product.preset.scene
        if scene_ref is not None and unknown("scenes", scene_ref, show.scene_by_ref(scene_ref)):
            problem(f"unknown scene {scene_ref!r}; expected one of {scene_names}", "products", index, "preset", "scene")
    current = show.current_product
    if current is not None and unknown("products", current, current if current in product_ids else None):
        problem(f"unknown product {current!r}; expected one of {', '.join(sorted(product_ids)) or '(no products)'}", "current_product")
    input_ids = {audio.id for audio in show.audio_inputs}
    for index, audio in enumerate(show.audio_inputs):
        follows = audio.follows_video
        if follows is not None and unknown("sources", follows, show.source_by_ref(follows)):
            problem(f"unknown source {follows!r}; expected one of {source_names}", "audio_inputs", index, "follows_video")
        for trigger_index, trigger in enumerate(audio.ducking.trigger_inputs):
            if trigger == audio.id or unknown("audio_inputs", trigger, trigger if trigger in input_ids else None):
                problem(
                    f"unknown audio input {trigger!r}; expected the id of another input: {', '.join(sorted(input_ids))}",
                    "audio_inputs", index, "ducking", "trigger_inputs", trigger_index,
                )
        if audio.kind is AudioInputKind.NETWORK and not (audio.url or "").startswith(("srt://", "rtmp://", "rtmps://")):
            problem(f"expected an srt://, rtmp:// or rtmps:// URL, got {shown_value('url', audio.url)}", "audio_inputs", index, "url")
        if audio.kind is AudioInputKind.SOURCE_AUDIO:
            if audio.source is None:
                problem(f"a source_audio input needs a source; expected one of {source_names}", "audio_inputs", index, "source")
            elif unknown("sources", audio.source, show.source_by_ref(audio.source)):
                problem(f"unknown source {audio.source!r}; expected one of {source_names}", "audio_inputs", index, "source")
    return problems


def load_show(path: str | os.PathLike[str]) -> Show:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found; expected a show file (JSON)", file=file) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the file: {error}", file=file) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON at line {error.lineno} column {error.colno}: {error.msg}", file=file) from None
    return parse_show(data, file=file)


def save_show(show: Show, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temp file in the same folder renamed into place, so a crash never
    leaves a half-written show where the user's file was."""
    target = Path(path)
    text = json.dumps(show.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


