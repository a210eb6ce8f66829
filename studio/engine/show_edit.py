"""Live show edits: what changes when the running show is replaced by an edited one.

`plan_show_edit` compares the show the engine runs (as last asked for) with an edited show and
builds, on the caller's thread, everything the program needs to switch over in one tick: new
source runners (started at once, so a camera opens on its own thread and joins the program when
its first frame arrives), new scene compositors, the new list of mixer channels. The program
thread then swaps them in between two ticks (`ShowEdit`), and hands what it no longer uses to the
Retirer. Nothing is restarted: unchanged sources and inputs keep running untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from studio.engine.audio.mixer import MixerChannel
from studio.engine.errors import InputError
from studio.engine.show import AudioInputSpec, Show, SourceSpec
from studio.engine.sources.base import SourceTiming
from studio.engine.sources.capture import SourceRunner
from studio.engine.video.compositor import SceneCompositor
from studio.engine.video.canvas_layouts import canvas_scene_layers
from studio.engine.video.layouts import scene_layers

# What an audio input's source is made from: changing one of these needs a new source; the rest
# (gain, mute, filters...) is a settings update on the running channel.
AUDIO_SOURCE_FIELDS = ("kind", "frequency_hz", "level_dbfs", "beep_duration_ms", "source", "device", "url")


@dataclass(frozen=True, slots=True)
class ShowEdit:
    """Everything the program thread swaps in at one tick (built by plan_show_edit)."""

    show: Show
    runners: dict[str, SourceRunner]
    compositors: dict[str, SceneCompositor]
    scene_names: dict[str, str]
    canvas_compositors: dict[str, dict[str, SceneCompositor]]  # per extra canvas (the vertical one)
    channels: list[MixerChannel]
    audio_updates: tuple[AudioInputSpec, ...]  # settings of kept channels, applied at the same tick
    retired_runners: tuple[SourceRunner, ...]
    retired_channels: tuple[MixerChannel, ...]
    started_runners: tuple[tuple[SourceRunner, SourceRunner | None], ...] = ()  # (new, the one it replaces)


def check_live_edit(old: Show, new: Show) -> None:
    """What cannot change under a running engine (the session restarts it when off air)."""
    if new.canvas != old.canvas:
        raise InputError(
            f"the canvas ({old.canvas.width}x{old.canvas.height} at {old.canvas.fps} fps) cannot change while the engine runs; "
            "it is applied by restarting the engine when not on air",
            field="canvas",
        )
    # Overlay placements change live (Engine.set_canvas_overlays); sizes and bitrates do not.
    if {name: c.model_copy(update={"overlays": {}}) for name, c in new.canvases.items()} != {
        name: c.model_copy(update={"overlays": {}}) for name, c in old.canvases.items()
    }:
        raise InputError(
            "the canvases (" + (", ".join(f"{name} {c.width}x{c.height}" for name, c in old.canvases.items()) or "main only")
            + ") cannot change while the engine runs; they are applied by restarting the engine when not on air",
            field="canvases",
        )


def source_needs_new_runner(old: SourceSpec, new: SourceSpec, timing: SourceTiming) -> bool:
    if old.kind != new.kind or old.settings != new.settings:
        return True
    # A rendered source draws its name (test pattern): a new one is cheap. A camera keeps its
    # device open; only the name on its slate changes.
    return old.name != new.name and timing is SourceTiming.RENDERED


def _source_id_of(show: Show):
    """A layer's source ref (id or name) -> the source's id, in a validated show."""

    def source_id_of(ref: str) -> str:
        spec = show.source_by_ref(ref)
        assert spec is not None, ref  # the show was validated
        return spec.id

    return source_id_of


def build_compositors(show: Show) -> tuple[dict[str, SceneCompositor], dict[str, str]]:
    source_id_of = _source_id_of(show)
    compositors = {scene.id: SceneCompositor(scene_layers(scene, show.canvas), show.canvas, source_id_of) for scene in show.scenes}
    return compositors, {scene.id: scene.name for scene in show.scenes}


def build_canvas_compositors(show: Show, name: str) -> dict[str, SceneCompositor]:
    """Each scene's compositor on the named extra canvas (its own layout there, or one derived)."""
    canvas, source_id_of = show.canvas_named(name), _source_id_of(show)
    return {
        scene.id: SceneCompositor(canvas_scene_layers(scene, name, show.canvas, canvas), canvas, source_id_of)
        for scene in show.scenes
    }


def plan_show_edit(
    old: Show,
    new: Show,
    *,
    runners: dict[str, SourceRunner],
    channels: list[MixerChannel],
    new_runner: Callable[[SourceSpec, SourceRunner | None], SourceRunner],
    new_channel: Callable[[AudioInputSpec, dict[str, SourceRunner]], MixerChannel],
    timing_of: Callable[[str], SourceTiming],
) -> ShowEdit:
    """The edit from `old` to `new` (validated). `new_runner(spec, replaced)` makes a runner (not
    started); `new_channel(spec, runners)` a mixer channel whose source may be a runner's sound."""
    check_live_edit(old, new)
    old_sources = {spec.id: spec for spec in old.sources}
    next_runners: dict[str, SourceRunner] = {}
    started: list[tuple[SourceRunner, SourceRunner | None]] = []
    retired_runners: list[SourceRunner] = []
    replaced_sources: set[str] = set()
    for spec in new.sources:
        before = old_sources.get(spec.id)
        current = runners.get(spec.id)
        if before is not None and current is not None and not source_needs_new_runner(before, spec, timing_of(spec.kind)):
            current.source.name = spec.name
            next_runners[spec.id] = current
            continue
        runner = new_runner(spec, current)
        next_runners[spec.id] = runner
        started.append((runner, current))
        if current is not None:
            retired_runners.append(current)
            replaced_sources.add(spec.id)
    retired_runners += [runner for source_id, runner in runners.items() if source_id not in next_runners]

    old_inputs = {spec.id: spec for spec in old.audio_inputs}
    by_id = {channel.spec.id: channel for channel in channels}
    next_channels: list[MixerChannel] = []
    updates: list[AudioInputSpec] = []
    for spec in new.audio_inputs:
        before = old_inputs.get(spec.id)
        channel = by_id.get(spec.id)
        feeds_on_replaced = spec.source is not None and (new.source_by_ref(spec.source) or spec).id in replaced_sources
        same_source = before is not None and all(getattr(before, f) == getattr(spec, f) for f in AUDIO_SOURCE_FIELDS)
        if channel is not None and same_source and not feeds_on_replaced and before.follows_video == spec.follows_video:
            next_channels.append(channel)
            if spec != channel.spec:
                updates.append(spec)
            continue
        next_channels.append(new_channel(spec, next_runners))
    kept = {id(channel) for channel in next_channels}
    retired_channels = tuple(channel for channel in channels if id(channel) not in kept)

    compositors, scene_names = build_compositors(new)
    return ShowEdit(
        show=new,
        runners=next_runners,
        compositors=compositors,
        scene_names=scene_names,
        canvas_compositors={name: build_canvas_compositors(new, name) for name in new.canvases},
        channels=next_channels,
        audio_updates=tuple(updates),
        retired_runners=tuple(retired_runners),
        retired_channels=retired_channels,
        started_runners=tuple(started),
    )
