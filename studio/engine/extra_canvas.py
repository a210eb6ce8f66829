"""A second program picture (the vertical canvas), composed on the program thread at every tick
from the main program's plan and the very same source frames, so a cut, a transition or a 3-2-1
run lands on the same tick on both; it has its own encoder, recordings and destinations.

Sources are decoded once per tick for both canvases (the program thread takes each frame once
and hands the same Frame to both compositors); each canvas only scales what it shows.

Overlays (product card, countdown, lower third, comment ticker) arrive as pictures placed in main
pixels. On this canvas each follows its kind's placement (overlay_placement.py): by default it
keeps its size when it fits (so the card's QR code keeps its pixels), is scaled down only when
wider or taller than the canvas, and its centre keeps its relative position, inside a margin; a
placement may anchor it instead (e.g. the card at the bottom, above the platform's buttons),
shrink it, or leave it off this canvas. A new placement moves the overlays on screen at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from studio.engine import commands as cmd
from studio.engine.clock import MediaClock
from studio.engine.events import EngineEvents
from studio.engine.frames import Frame, even, fill_i420, new_i420
from studio.engine.outputs.encode_thread import EncodeThread, ProgramSample
from studio.engine.outputs.frame_pool import PooledFrame
from studio.engine.overlay_placement import ANCHOR_FRACTIONS, OverlayAnchor, OverlayKind, OverlayPlacement, overlay_kind
from studio.engine.show import Canvas, EncoderSettings, ExtraCanvas, Layer, Show
from studio.engine.show_edit import build_canvas_compositors
from studio.engine.video.compositor import LayerPainter, SceneCompositor
from studio.engine.video.monitor_plan_picture import MonitorPlanPicture
from studio.engine.video.monitor_scene import MonitorSizedScene
from studio.engine.video.switcher import RenderPlan
from studio.engine.video.plan_picture import PlanPicture

log = logging.getLogger(__name__)

DEFAULT_PLACEMENT = OverlayPlacement()


def encoder_settings_of(show: Show, spec: ExtraCanvas) -> EncoderSettings:
    """The main encoder's settings with this canvas's bitrate (given, or scaled by pixel count)."""
    if spec.bitrate_kbps is not None:
        bitrate = spec.bitrate_kbps
    else:
        share = spec.width * spec.height / (show.canvas.width * show.canvas.height)
        bitrate = max(200, round(show.encoder.bitrate_kbps * share))
    return show.encoder.model_copy(update={"bitrate_kbps": bitrate})


def overlay_layer(
    width: int, height: int, x: int, y: int, main: Canvas, canvas: Canvas, placement: OverlayPlacement = DEFAULT_PLACEMENT
) -> Layer | None:
    """Where an overlay of width x height placed at (x, y) in main pixels goes on `canvas` (see
    the module's docstring); None when its placement leaves it off this canvas."""
    if not placement.visible:
        return None
    margin = min(placement.margin_px, (min(canvas.width, canvas.height) - 2) // 2)
    room_w, room_h = canvas.width - 2 * margin, canvas.height - 2 * margin
    scale = min(placement.scale_percent / 100, room_w / width, room_h / height)
    shown_w, shown_h = max(2, even(width * scale)), max(2, even(height * scale))
    if placement.anchor is OverlayAnchor.FOLLOW_MAIN:
        left = (x + width / 2) / main.width * canvas.width - shown_w / 2
        top = (y + height / 2) / main.height * canvas.height - shown_h / 2
    else:
        along_x, along_y = ANCHOR_FRACTIONS[placement.anchor]
        left = margin + along_x * (room_w - shown_w)
        top = margin + along_y * (room_h - shown_h)
    left = min(max(margin, left), canvas.width - margin - shown_w)
    top = min(max(margin, top), canvas.height - margin - shown_h)
    return Layer(source="overlay", x=even(left), y=even(top), width=shown_w, height=shown_h)


class ExtraCanvasProgram:
    """One more canvas: its compositors, buffers, overlays and encode thread. Used only on the
    program thread, except for the read-only stats and the encode thread's own calls."""

    def __init__(
        self,
        name: str,
        canvas: Canvas,
        main_canvas: Canvas,
        compositors: dict[str, SceneCompositor],
        encode_thread: EncodeThread,
        transition_colour: tuple[int, int, int],
        events: EngineEvents,
        placements: Mapping[OverlayKind, OverlayPlacement] | None = None,
    ) -> None:
        self.name = name
        self.canvas = canvas
        self.main_canvas = main_canvas
        self.compositors = compositors
        self.encode_thread = encode_thread
        self.events = events
        self.recording_requested = False
        self.streaming_requested = False
        self.watched = False  # a monitor taps it (the program thread sets this)
        self.watch_size: tuple[int, int] | None = None  # the largest such monitor's picture size
        self._composed_tick = -1
        self._picture = PlanPicture(canvas, transition_colour)
        self._spare_outputs = (new_i420(canvas.width, canvas.height), new_i420(canvas.width, canvas.height))
        self._previous_output: np.ndarray = self._spare_outputs[1]
        self._previous_picture: PooledFrame | None = None
        self._overlays: dict[str, tuple[LayerPainter, Frame]] = {}  # those drawn here
        self._overlay_pictures: dict[str, tuple[Frame, int, int]] = {}  # all shown, as placed on main
        self._placements: dict[OverlayKind, OverlayPlacement] = dict(placements or {})
        self._preview_monitor_scene = MonitorSizedScene()  # the preview scene here, at its monitor's size
        self._watched_picture = MonitorPlanPicture(canvas.fps, transition_colour)  # watched only: at the monitor's size
        self.tick_failures = 0

    @property
    def encoding(self) -> bool:
        return self.recording_requested or self.streaming_requested

    def source_ids(self, plan: RenderPlan) -> set[str]:
        ids: set[str] = set()
        for scene_id in (plan.scene, plan.incoming):
            compositor = self.compositors.get(scene_id) if scene_id is not None else None
            if compositor is not None:
                ids.update(compositor.source_ids)
        return ids

    # -- overlays -------------------------------------------------------------------------------

    def show_overlay(self, overlay_id: str, frame: Frame, x: int, y: int) -> None:
        self._overlay_pictures[overlay_id] = (frame, x, y)
        kind = overlay_kind(overlay_id)
        placement = self._placements.get(kind, DEFAULT_PLACEMENT) if kind is not None else DEFAULT_PLACEMENT
        layer = overlay_layer(frame.width, frame.height, x, y, self.main_canvas, self.canvas, placement)
        if layer is None:
            self._overlays.pop(overlay_id, None)
        else:
            self._overlays[overlay_id] = (LayerPainter(layer.model_copy(update={"source": overlay_id}), self.canvas), frame)

    def hide_overlay(self, overlay_id: str) -> None:
        self._overlays.pop(overlay_id, None)
        self._overlay_pictures.pop(overlay_id, None)

    def set_placements(self, placements: Mapping[OverlayKind, OverlayPlacement]) -> None:
        """New placements; the overlays on screen move (or leave) from this tick."""
        self._placements = dict(placements)
        for overlay_id, (frame, x, y) in list(self._overlay_pictures.items()):
            self.show_overlay(overlay_id, frame, x, y)

    # -- each tick ------------------------------------------------------------------------------

    @property
    def composing(self) -> bool:
        """Something records, streams or watches this canvas. When nothing does, nothing is
        composed (the demo show's vertical canvas costs nothing until it is used)."""
        return self.encoding or self.watched

    def compose(self, tick: int, plan: RenderPlan, frames: Mapping[str, Frame | None]) -> None:
        """Compose this canvas for the tick, into a picture from its encoder's pool when it
        records or streams. A failure repeats its previous picture; the main program goes on."""
        if not self.composing:
            return
        if not self.encoding and self._watched_smaller():
            self._compose_for_monitor(tick, plan, frames)
            return
        picture = self.encode_thread.take_picture() if self.encoding else None
        output = picture.i420 if picture is not None else self._spare_outputs[tick % 2]
        try:
            self._picture.compose(plan, self.compositors, frames, self._overlays.values(), output)
        except Exception as error:
            self._failed(tick, error)
            if output is not self._previous_output:
                if output.shape == self._previous_output.shape:
                    np.copyto(output, self._previous_output)
                else:  # the last picture was a monitor's, smaller: black rather than garbage
                    fill_i420(output, self.canvas.width, self.canvas.height, (0, 0, 0))
        if self._previous_picture is not None:
            self._previous_picture.release()
        self._previous_output, self._previous_picture = output, picture
        self._composed_tick = tick

    @property
    def composed_scale(self) -> float:
        """How large this canvas is composed, as a share of its size (1.0, or a monitor's)."""
        if self.encoding or not self._watched_smaller():
            return 1.0
        assert self.watch_size is not None
        return max(self.watch_size[0] / self.canvas.width, self.watch_size[1] / self.canvas.height)

    def _watched_smaller(self) -> bool:
        size = self.watch_size
        return size is not None and size[0] < self.canvas.width and size[1] < self.canvas.height

    def _compose_for_monitor(self, tick: int, plan: RenderPlan, frames: Mapping[str, Frame | None]) -> None:
        """Only a monitor watches: compose at its size (video/monitor_plan_picture.py)."""
        assert self.watch_size is not None
        try:
            output = self._watched_picture.compose(plan, self.compositors, frames, self._overlays.values(), *self.watch_size)
        except Exception as error:
            self._failed(tick, error)
            return  # the monitor keeps its last picture
        if self._previous_picture is not None:
            self._previous_picture.release()
        self._previous_output, self._previous_picture = output, None
        self._composed_tick = tick

    def _failed(self, tick: int, error: Exception) -> None:
        self.tick_failures += 1
        log.exception("composing canvas %s at tick %d failed", self.name, tick)
        self.events.error.emit(f"composing the {self.name} canvas failed: {error}")

    def hand_over(self, tick: int, audio: np.ndarray) -> None:
        """This tick's picture (composed above) and the program's audio to this canvas's encoder."""
        if self._previous_picture is not None and self._composed_tick == tick:
            self.encode_thread.submit(ProgramSample(tick, self._previous_picture.hold(), audio))

    def compose_preview(self, scene_id: str, plan: RenderPlan, frames: Mapping[str, Frame | None], width: int, height: int) -> np.ndarray:
        """The preview scene on this canvas (what its layer editor edits), at a monitor's size:
        this canvas's program picture when it shows that scene and was composed this tick, else
        composed on its own (I420, valid until the next call)."""
        if plan.incoming is None and plan.scene == scene_id and self.composing:
            return self._previous_output
        return self._preview_monitor_scene.compose(self.compositors[scene_id], frames, width, height)

    @property
    def last_output(self) -> np.ndarray:
        """The picture composed last (I420 at this canvas's size, or at its monitor's while only
        a monitor watches; its shape says which): what its monitor shows."""
        return self._previous_output

    # -- outputs (program thread) ---------------------------------------------------------------

    def control(self, command: cmd.Command, tick: int) -> None:
        match command:
            case cmd.StartRecording():
                self.encode_thread.control(command, tick)
                self.recording_requested = True
            case cmd.StopRecording():
                if self.recording_requested:
                    self.recording_requested = False
                    self.encode_thread.ticks_over(tick)
                    self.encode_thread.control(command)
            case cmd.AddChapter():
                if self.recording_requested:
                    self.encode_thread.control(command)
            case cmd.StartStreaming():
                self.encode_thread.control(command, tick)
                self.streaming_requested = True
            case cmd.StopStreaming():
                if self.streaming_requested:
                    self.streaming_requested = False
                    self.encode_thread.ticks_over(tick)
                    self.encode_thread.control(command)

    def finish(self, last_tick: int) -> None:
        """The program thread ends: skipped ticks at the end are recorded too."""
        if self.encoding:
            self.encode_thread.ticks_over(last_tick + 1)
        if self._previous_picture is not None:
            self._previous_picture.release()
            self._previous_picture = None


def build_extra_canvases(show: Show, clock: MediaClock, events: EngineEvents) -> dict[str, ExtraCanvasProgram]:
    """One ExtraCanvasProgram per canvas the show names beside main, each with its encode thread."""
    programs = {}
    for name, spec in show.canvases.items():
        canvas = show.canvas_named(name)
        encode_thread = EncodeThread(
            canvas,
            encoder_settings_of(show, spec),
            wait_for_room=clock.is_virtual,
            # The app's recording state is main's; this canvas's files are logged and summed up.
            on_recording_state=lambda state, path, name=name: log.info("%s canvas recording %s: %s", name, state, path),
            on_error=lambda message, name=name: events.error.emit(f"{name} canvas: {message}"),
            recording_settings=show.recording,
            on_destination_state=events.output_state_changed.emit,
            thread_name=f"encode:{name}",
        )
        programs[name] = ExtraCanvasProgram(
            name,
            canvas,
            show.canvas,
            build_canvas_compositors(show, name),
            encode_thread,
            show.transition.colour,
            events,
            placements=spec.overlays,
        )
    return programs
