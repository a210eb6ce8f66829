"""Commands: what callers ask of the program. Queued, then applied between two ticks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.engine.audio.tap import AudioTap
from studio.engine.frames import Frame
from studio.engine.outputs.stream_target import StreamTarget
from studio.engine.outputs.video_tap import VideoTap
from studio.engine.overlay_placement import OverlayKind, OverlayPlacement
from studio.engine.sequence import LinkPush
from studio.engine.show import AudioInputSpec, TransitionKind

if TYPE_CHECKING:
    from studio.engine.show_edit import ShowEdit


class AudioBus(StrEnum):
    """A mixer bus a consumer can tap (its value is what the show file and the API call it)."""

    MIX_MINUS = "mix_minus"  # what a guest hears: everything but their own voice (one return per guest source)
    MONITOR = "monitor"  # headphones


class TapAction(Enum):
    """What an Attach*Tap command does with its tap."""

    ATTACH = "attach"
    DETACH = "detach"


@dataclass(frozen=True, slots=True)
class SetPreview:
    scene_id: str


@dataclass(frozen=True, slots=True)
class Cut:
    scene_id: str | None  # None: the preview scene


@dataclass(frozen=True, slots=True)
class RunTransition:
    scene_id: str | None
    kind: TransitionKind
    duration_ms: int


@dataclass(frozen=True, slots=True)
class SetTbar:
    position: float
    kind: TransitionKind


@dataclass(frozen=True, slots=True)
class ShowOverlay:
    overlay_id: str
    frame: Frame  # converted to I420 + alpha by the caller, so the program thread only blends
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class HideOverlay:
    overlay_id: str


@dataclass(frozen=True, slots=True)
class SetCanvasOverlays:
    """Where the overlays go on another canvas from this tick (validated placements by kind)."""

    canvas: str
    placements: Mapping[OverlayKind, OverlayPlacement]


@dataclass(frozen=True, slots=True)
class StartRecording:
    path: Path
    remux_to_mp4: Path | None
    canvas: str = "main"  # which canvas's program is recorded


@dataclass(frozen=True, slots=True)
class StopRecording:
    canvas: str | None = None  # None: every canvas's recording


@dataclass(frozen=True, slots=True)
class UpdateAudioInput:
    """Replace an input's settings (already validated by the caller)."""

    spec: AudioInputSpec


@dataclass(frozen=True, slots=True)
class AttachAudioTap:
    bus: AudioBus
    tap: AudioTap
    action: TapAction
    guest_id: str | None = None  # with MIX_MINUS: that guest's own return (a detach finds the tap anywhere)


@dataclass(frozen=True, slots=True)
class AttachVideoTap:
    tap: VideoTap
    action: TapAction


@dataclass(frozen=True, slots=True)
class PlayBeep:
    samples: np.ndarray  # (n, 2) float32, mixed into program from the tick it is applied on


@dataclass(frozen=True, slots=True)
class AnnounceLinkPush:
    push: LinkPush


@dataclass(frozen=True, slots=True)
class RunSequence:
    """Commands to schedule at offsets (ticks) from the tick this is applied on."""

    steps: tuple[tuple[int, "Command"], ...]


@dataclass(frozen=True, slots=True)
class StartStreaming:
    destinations: tuple[StreamTarget, ...]  # full URLs with their keys: never logged
    canvas: str = "main"  # which canvas's program they receive


@dataclass(frozen=True, slots=True)
class StopStreaming:
    pass


@dataclass(frozen=True, slots=True)
class AddChapter:
    title: str


@dataclass(frozen=True, slots=True)
class ApplyShowEdit:
    """Swap in an edited show's runners, compositors and mixer channels (studio.engine.show_edit)."""

    edit: "ShowEdit"


Command = ApplyShowEdit | RunSequence | PlayBeep | AnnounceLinkPush | AddChapter | AttachVideoTap | StartStreaming | StopStreaming | AttachAudioTap | UpdateAudioInput | SetPreview | Cut | RunTransition | SetTbar | ShowOverlay | HideOverlay | StartRecording | StopRecording
