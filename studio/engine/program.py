"""The program thread: one clock, one tick per output frame.

At each tick it applies the commands that are due, takes each visible source's newest frame
stamped at or before the tick (each source once, shared by both scenes of a transition),
composes, mixes one block of audio for the same interval, and hands both to the outputs.
Every output frame is built from one consistent set of inputs.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
import time
from dataclasses import replace

import numpy as np

from studio.engine import commands as cmd
from studio.engine.audio.mixer import AudioMixer
from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, MediaClock, VirtualClock
from studio.engine.events import EngineEvents, ProgramStats
from studio.engine.extra_canvas import ExtraCanvasProgram
from studio.engine.frames import Frame, even, new_i420
from studio.engine.graphics.timecode import draw_timecode_y
from studio.engine.outputs.encode_thread import EncodeThread, ProgramSample
from studio.engine.outputs.frame_pool import PooledFrame
from studio.engine.outputs.video_tap import CANVAS_PREVIEW_TAP_PREFIX, CANVAS_TAP_PREFIX, PREVIEW, PROGRAM, TickScaler, VideoTap
from studio.engine.retirer import Retirer
from studio.engine.show import MAIN_CANVAS, Canvas, Layer, TransitionSettings
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ
from studio.engine.sources.capture import SourceRunner
from studio.engine.sources.guest import guest_sound_inputs
from studio.engine.video.compositor import LayerPainter, SceneCompositor
from studio.engine.video.monitor_scene import MonitorSizedScene
from studio.engine.video.source_demand import OtherCanvas, SourceDemandTracker
from studio.engine.video.switcher import RenderPlan, Switcher
from studio.engine.video.plan_picture import PlanPicture

log = logging.getLogger(__name__)

COMMAND_QUEUE_LIMIT = 256
SCHEDULE_LIMIT = 100_000
# In real time, a program more than this many ticks late skips ahead instead of bursting.
MAX_TICKS_BEHIND = 3
# Tick durations kept for the p99 and max in the stats: the last 10 s at 30 fps.
TICK_TIMES_KEPT = 300


class ProgramLoop:
    def __init__(
        self,
        *,
        canvas: Canvas,
        clock: MediaClock,
        runners: dict[str, SourceRunner],
        compositors: dict[str, SceneCompositor],
        scene_names: dict[str, str],
        switcher: Switcher,
        mixer: AudioMixer,
        encode_thread: EncodeThread,
        transition: TransitionSettings,
        events: EngineEvents,
        retirer: Retirer,
        tick_limit: int | None = None,
        extra_canvases: dict[str, ExtraCanvasProgram] | None = None,
    ) -> None:
        self.canvas = canvas
        # More canvases (the vertical one): composed from this tick's plan and source frames.
        self.extra_canvases = extra_canvases or {}
        self._plan: RenderPlan | None = None
        self.clock = clock
        self.runners = runners
        self.compositors = compositors
        self.scene_names = scene_names
        self.switcher = switcher
        self.mixer = mixer
        self.encode_thread = encode_thread
        self.transition = transition
        self.events = events
        self.retirer = retirer
        self.tick_limit = tick_limit
        self.samples_per_tick = AUDIO_SAMPLE_RATE_HZ // canvas.fps
        self.show_start_ns = 0

        self._commands: queue.Queue[cmd.Command] = queue.Queue(maxsize=COMMAND_QUEUE_LIMIT)
        self._scheduled: list[tuple[int, int, cmd.Command]] = []
        self._schedule_order = itertools.count()
        self._schedule_lock = threading.Lock()
        self._stop = threading.Event()
        self.finished = threading.Event()
        self._thread: threading.Thread | None = None

        # Preallocated canvases: two for the scenes of a transition (PlanPicture). Each tick's
        # output comes from the encoder's frame pool (it travels to the encoder without a copy);
        # a spare is used when the pool has none left (the encoder is as far behind as allowed).
        self._picture = PlanPicture(canvas, transition.colour)
        self._spare_outputs = (new_i420(canvas.width, canvas.height), new_i420(canvas.width, canvas.height))
        self._previous_output: np.ndarray = self._spare_outputs[1]
        self._previous_picture: PooledFrame | None = None  # held while it is the previous output
        self._tick_times_ns = np.zeros(TICK_TIMES_KEPT, dtype=np.int64)
        self._source_demand = SourceDemandTracker(canvas)
        self._overlays: dict[str, tuple[LayerPainter, Frame]] = {}
        self._recording_requested = False
        self._streaming_requested = False
        self._program_source_ids: set[str] = set()
        self._tick_frames: dict[str, Frame] = {}
        self._video_taps: list[VideoTap] = []
        self._preview_monitor_scene = MonitorSizedScene()  # the preview, composed at its monitor's size

        self.tick = 0
        self.frames_produced = 0
        self.frames_dropped = 0
        self.lagged_ticks = 0
        self.tick_failures = 0
        # Benchmark-only (benchmarks/latency.py): each program picture carries its tick's media
        # time in ms as a time code, drawn after composing, so a receiver can subtract.
        self.stamp_timecode = False

    # -- callers' side (any thread) -------------------------------------------------------------

    def tick_time_ns(self, tick: int) -> int:
        # Integer arithmetic from the start: no drift, however long the show runs.
        return self.show_start_ns + tick * NS_PER_SECOND // self.canvas.fps

    def tick_for_offset(self, offset_ns: int) -> int:
        """The tick nearest to a time offset from the show's start."""
        return (offset_ns * self.canvas.fps + NS_PER_SECOND // 2) // NS_PER_SECOND

    def scene_name(self, scene_id: str) -> str:
        """The name of a scene the switcher points at (any thread; the map is replaced whole)."""
        return self.scene_names.get(scene_id, scene_id)

    def submit(self, command: cmd.Command) -> None:
        try:
            self._commands.put_nowait(command)
        except queue.Full:
            self.events.error.emit("too many commands waiting for the program; this one was refused")
            raise RuntimeError("program command queue is full") from None

    def schedule(self, command: cmd.Command, at_tick: int) -> None:
        with self._schedule_lock:
            if len(self._scheduled) >= SCHEDULE_LIMIT:
                raise RuntimeError(f"more than {SCHEDULE_LIMIT} scheduled commands")
            heapq.heappush(self._scheduled, (at_tick, next(self._schedule_order), command))

    def warm_up(self) -> None:
        """Before the clock starts (on the caller's thread, the program thread not yet running):
        compose the program and preview scenes once and build the mixer's filter layouts, so
        tick 0 does not pay for first-time allocations (OpenCV's first resizes, NumPy layouts)."""
        for scene_id in {self.switcher.program_scene, self.switcher.preview_scene}:
            compositor = self.compositors.get(scene_id)
            if compositor is None:
                continue
            # The pictures warmed-up sources already have (a camera's first is still on its way).
            frames = {source_id: self.runners[source_id].latest_frame() for source_id in compositor.source_ids}
            compositor.compose(frames, self._picture.scratch)
        self.mixer.warm_up()

    def start(self, show_start_ns: int) -> None:
        self.show_start_ns = show_start_ns
        self._thread = threading.Thread(target=self._run, name="program", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout_s)
            return not self._thread.is_alive()
        return True

    # -- the program thread ---------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._emit_scene_state()
            tick = 0
            while not self._stop.is_set() and (self.tick_limit is None or tick < self.tick_limit):
                tick_ns = self.tick_time_ns(tick)
                if isinstance(self.clock, VirtualClock):
                    self.clock.advance_to(tick_ns)
                else:
                    if not self.clock.wait_until(tick_ns, self._stop):
                        break
                    behind = (self.clock.now_ns() - tick_ns) * self.canvas.fps // NS_PER_SECOND
                    if behind > MAX_TICKS_BEHIND:
                        if self.tick_limit is not None:  # the last tick always runs: the show's length is kept
                            behind = min(behind, self.tick_limit - 1 - tick)
                        if behind > 0:
                            self.frames_dropped += behind
                            tick += behind
                            continue
                self.tick = tick
                started_ns = time.perf_counter_ns()
                self._run_tick(tick, tick_ns)
                self._tick_times_ns[tick % TICK_TIMES_KEPT] = time.perf_counter_ns() - started_ns
                if not self.clock.is_virtual and self.clock.now_ns() > self.tick_time_ns(tick + 1):
                    self.lagged_ticks += 1
                if (tick + 1) % self.canvas.fps == 0:
                    self.events.program_stats.emit(self.stats())
                tick += 1
        except Exception as error:  # pragma: no cover - last resort; _run_tick catches its own
            log.exception("program thread failed")
            self.events.error.emit(f"program thread failed: {error}")
        finally:
            if self._recording_requested or self._streaming_requested:
                self.encode_thread.ticks_over(self.tick + 1)  # skipped ticks at the end are recorded too
            if self._previous_picture is not None:
                self._previous_picture.release()
                self._previous_picture = None
            for extra in self.extra_canvases.values():
                extra.finish(self.tick)
            self.events.program_stats.emit(self.stats())
            self.finished.set()

    def stats(self) -> ProgramStats:
        kept = self._tick_times_ns[: min(self.frames_produced, TICK_TIMES_KEPT)]
        encoding = self.encode_thread.stats
        return ProgramStats(
            ticks=self.tick + 1,
            frames_produced=self.frames_produced,
            frames_dropped=self.frames_dropped,
            lagged_ticks=self.lagged_ticks,
            encoder_dropped=encoding.frames_gap,
            encoder_queue_depth=self.encode_thread.queue_depth,
            encoder_lag_ms=self.encode_thread.lag_ms,
            encoder_load=encoding.load,
            encoder_preset=encoding.preset,
            frames_encoded=encoding.frames_encoded,
            frames_repeated=encoding.frames_repeated,
            tick_ms_p99=float(np.percentile(kept, 99)) / 1e6 if len(kept) else 0.0,
            tick_ms_max=float(kept.max()) / 1e6 if len(kept) else 0.0,
            media_time_ns=self.tick_time_ns(self.tick) - self.show_start_ns,
            recording=self._recording_requested,
            outputs=tuple(destination.stats.snapshot() for destination in self.all_destinations()),
        )

    def all_destinations(self):
        """Every canvas's stream destinations, main's first."""
        destinations = list(self.encode_thread.destinations)
        for extra in self.extra_canvases.values():
            destinations += extra.encode_thread.destinations
        return destinations

    def _run_tick(self, tick: int, tick_ns: int) -> None:
        self._apply_due_commands(tick)
        encoding = self._recording_requested or self._streaming_requested
        picture = self.encode_thread.take_picture() if encoding else None
        # No picture from the pool: the encoder is as far behind as allowed, so this tick is not
        # handed over (the recording repeats the previous picture for it, and counts it).
        output = picture.i420 if picture is not None else self._spare_outputs[tick % 2]
        try:
            self._compose(tick, tick_ns, output)
        except Exception as error:
            # Never stop the program: repeat the previous picture and say what broke.
            self.tick_failures += 1
            log.exception("composing tick %d failed", tick)
            self.events.error.emit(f"composing failed: {error}")
            if output is not self._previous_output:
                np.copyto(output, self._previous_output)
        if self.stamp_timecode:
            draw_timecode_y(output[: self.canvas.height], tick_ns // NS_PER_MS)
        if self._plan is not None:
            for extra in self.extra_canvases.values():
                extra.compose(tick, self._plan, self._tick_frames)
        if self._video_taps:
            self._feed_video_taps(tick, tick_ns, output)
        audio = self.mixer.mix(tick * self.samples_per_tick, self._program_source_ids).copy()
        if len(self.events.audio_levels):  # building the payload only when someone listens
            self.events.audio_levels.emit(self.mixer.levels())
        if picture is not None:
            self.encode_thread.submit(ProgramSample(tick, picture.hold(), audio))
        for extra in self.extra_canvases.values():
            extra.hand_over(tick, audio)
        self._keep_as_previous_output(output, picture)
        self.frames_produced += 1
        if self.switcher.end_tick(tick):
            self.events.program_scene_changed.emit(self.scene_names[self.switcher.program_scene])
            self.events.preview_scene_changed.emit(self.scene_names[self.switcher.preview_scene])

    def _keep_as_previous_output(self, output: np.ndarray, picture: PooledFrame | None) -> None:
        """The program's own hold moves to this tick's picture (a failed tick repeats it)."""
        if self._previous_picture is not None:
            self._previous_picture.release()
        self._previous_output, self._previous_picture = output, picture

    def _compose(self, tick: int, tick_ns: int, output: np.ndarray) -> None:
        plan = self._plan = self.switcher.plan(tick)
        outgoing = self.compositors[plan.scene]
        incoming = self.compositors[plan.incoming] if plan.incoming is not None else None
        needed = set(outgoing.source_ids) | (set(incoming.source_ids) if incoming else set())
        self._program_source_ids = needed  # for audio-follows-video: both scenes while mixing
        self._publish_source_demand(plan)
        # Each source's frame is taken once, for every canvas that composes this tick.
        taken = needed.union(*(extra.source_ids(plan) for extra in self.extra_canvases.values() if extra.composing))
        frames = {source_id: self.runners[source_id].frame_for(tick_ns) for source_id in taken}
        self._tick_frames = frames
        self._picture.compose(plan, self.compositors, frames, self._overlays.values(), output)

    def _publish_source_demand(self, plan) -> None:
        """Tell each source how large it is seen (program, the incoming scene, the preview and
        source monitors, on every canvas composed), or that nothing shows it: a camera nobody sees reads its device but
        decodes nothing. Worked out again only when one of those changes (video/source_demand.py)."""
        self._source_demand.publish(
            shown_scene_ids=(plan.scene, plan.incoming),
            preview_scene_id=self.switcher.preview_scene,
            taps=self._video_taps,
            compositors=self.compositors,
            runners=self.runners,
            other_canvases=tuple(
                OtherCanvas(name, extra.canvas, extra.compositors, extra.composing, extra.composed_scale)
                for name, extra in self.extra_canvases.items()
            ),
        )

    def _feed_video_taps(self, tick: int, tick_ns: int, output: np.ndarray) -> None:
        """Monitors: each due tap gets a small copy of what it watches, at its own size. Taps of
        the same frame at the same size share one picture (TickScaler), the preview scene is
        composed once, at the preview monitor's size, and this thread only halves: the last
        resize and the colour conversion are left to the monitor's thread (video_tap.py). A
        failure here only costs that picture, never the program."""
        width, height = self.canvas.width, self.canvas.height
        scaler = TickScaler()
        preview: np.ndarray | None = None
        for tap in self._video_taps:
            if not tap.due(tick, self.canvas.fps):
                continue
            try:
                if tap.target == PROGRAM:
                    tap.publish(scaler.image_for(tap, output, width, height), tick)
                elif tap.target.startswith(CANVAS_TAP_PREFIX):
                    extra = self.extra_canvases[tap.target.removeprefix(CANVAS_TAP_PREFIX)]
                    picture = extra.last_output  # its own size, or its monitor's (the shape says)
                    tap.publish(scaler.image_for(tap, picture, picture.shape[1], picture.shape[0] * 2 // 3), tick)
                elif tap.target.startswith(CANVAS_PREVIEW_TAP_PREFIX):
                    extra = self.extra_canvases[tap.target.removeprefix(CANVAS_PREVIEW_TAP_PREFIX)]
                    picture = self._compose_canvas_preview(extra, tap, tick, tick_ns)
                    tap.publish(scaler.image_for(tap, picture, picture.shape[1], picture.shape[0] * 2 // 3), tick)
                elif tap.target == PREVIEW:
                    if preview is None:
                        preview = self._compose_preview(tick, tick_ns, output)
                    # An I420 buffer is 1.5 rows per picture row: its size follows from its shape.
                    tap.publish(scaler.image_for(tap, preview, preview.shape[1], preview.shape[0] * 2 // 3), tick)
                else:
                    frame = self._tick_frames.get(tap.target)
                    runner = self.runners.get(tap.target)
                    if frame is None and runner is not None:  # a removed source's monitor just stops
                        frame = self._tick_frames[tap.target] = runner.frame_for(tick_ns)
                    if frame is not None:
                        tap.publish(scaler.image_for(tap, frame.i420, frame.width, frame.height), tick)
            except Exception as error:
                log.exception("video tap %s failed", tap.target)
                self.events.error.emit(f"monitor of {tap.target} failed: {error}")

    def _compose_preview(self, tick: int, tick_ns: int, output: np.ndarray) -> np.ndarray:
        """The preview scene as an I420 buffer (reused next tick): the program's output when both
        show the same scene, else composed at the largest preview monitor's size, never larger
        than the canvas."""
        preview = self.switcher.preview_scene
        plan = self.switcher.plan(tick)
        if plan.incoming is None and plan.scene == preview:
            return output  # the same scene on both: no second composition
        compositor = self.compositors[preview]
        self._take_frames(compositor.source_ids, tick_ns)
        canvas_size = (self.canvas.width, self.canvas.height)
        width, height = max((tap.picture_size(*canvas_size) for tap in self._video_taps if tap.target == PREVIEW), default=canvas_size)
        return self._preview_monitor_scene.compose(compositor, self._tick_frames, width, height)

    def _compose_canvas_preview(self, extra: ExtraCanvasProgram, tap: VideoTap, tick: int, tick_ns: int) -> np.ndarray:
        """The preview scene on another canvas, at this tap's size (one tap per canvas: the app
        opens one vertical preview)."""
        preview = self.switcher.preview_scene
        self._take_frames(extra.compositors[preview].source_ids, tick_ns)
        width, height = tap.picture_size(extra.canvas.width, extra.canvas.height)
        return extra.compose_preview(preview, self.switcher.plan(tick), self._tick_frames, even(width), even(height))

    def _take_frames(self, source_ids, tick_ns: int) -> None:
        """This tick's frame of each source not taken yet (each source is read once per tick)."""
        for source_id in source_ids:
            if source_id not in self._tick_frames:
                self._tick_frames[source_id] = self.runners[source_id].frame_for(tick_ns)

    def _apply_due_commands(self, tick: int) -> None:
        # Commands asked for "now" go first, then those scheduled for this tick: a recording
        # started now exists when a chapter scheduled for this same tick arrives.
        due: list[cmd.Command] = []
        while True:
            try:
                due.append(self._commands.get_nowait())
            except queue.Empty:
                break
        with self._schedule_lock:
            while self._scheduled and self._scheduled[0][0] <= tick:
                due.append(heapq.heappop(self._scheduled)[2])
        for command in due:
            try:
                self._apply(command, tick)
            except Exception as error:
                log.exception("command %r failed", command)
                self.events.error.emit(f"{type(command).__name__} failed: {error}")

    def _apply(self, command: cmd.Command, tick: int) -> None:
        before = (self.switcher.program_scene, self.switcher.preview_scene)
        scene_id = getattr(command, "scene_id", None)
        if scene_id is not None and scene_id not in self.compositors:
            # Asked for before the scene was removed (a scheduled step, a late click).
            self.events.error.emit(f"{type(command).__name__}: the scene {scene_id!r} no longer exists")
            return
        match command:
            case cmd.ApplyShowEdit(edit):
                self._apply_show_edit(edit, tick)
            case cmd.SetPreview(scene_id):
                self.switcher.set_preview(scene_id)
            case cmd.Cut(scene_id):
                self.switcher.cut(scene_id)
            case cmd.RunTransition(scene_id, kind, duration_ms):
                duration_ticks = duration_ms * self.canvas.fps // 1000
                self.switcher.start_transition(tick, kind, duration_ticks, scene_id)
            case cmd.SetTbar(position, kind):
                self.switcher.set_tbar(position, kind)
            case cmd.ShowOverlay(overlay_id, frame, x, y):
                layer = Layer(source=overlay_id, x=x, y=y, width=frame.width, height=frame.height)
                self._overlays[overlay_id] = (LayerPainter(layer, self.canvas), frame)
                for extra in self.extra_canvases.values():
                    extra.show_overlay(overlay_id, frame, x, y)
            case cmd.SetCanvasOverlays(canvas, placements):
                self.extra_canvases[canvas].set_placements(placements)  # the engine checked the name
            case cmd.HideOverlay(overlay_id):
                self._overlays.pop(overlay_id, None)
                for extra in self.extra_canvases.values():
                    extra.hide_overlay(overlay_id)
            case cmd.AttachAudioTap(bus, tap, action, guest_id):
                if action is cmd.TapAction.DETACH:
                    self.mixer.detach_tap(tap)
                elif guest_id is not None:
                    self.mixer.attach_guest_tap(guest_id, tap)
                else:
                    (self.mixer.mix_minus_taps if bus is cmd.AudioBus.MIX_MINUS else self.mixer.monitor_taps).append(tap)
            case cmd.RunSequence(steps):
                for offset_ticks, step in steps:
                    if offset_ticks <= 0:
                        self._apply(step, tick)
                    else:
                        with self._schedule_lock:
                            heapq.heappush(self._scheduled, (tick + offset_ticks, next(self._schedule_order), step))
            case cmd.PlayBeep(samples):
                self.mixer.play_cue(samples)
            case cmd.AnnounceLinkPush(push):
                media_time_ns = self.tick_time_ns(tick) - self.show_start_ns
                self.events.link_pushed.emit(replace(push, tick=tick, media_time_ns=media_time_ns))
            case cmd.AttachVideoTap(tap, action):
                if action is cmd.TapAction.ATTACH:
                    self._video_taps.append(tap)
                elif tap in self._video_taps:
                    self._video_taps.remove(tap)
                for name, extra in self.extra_canvases.items():
                    watching = [t for t in self._video_taps if t.target == CANVAS_TAP_PREFIX + name]
                    extra.watched = bool(watching)
                    sizes = [t.picture_size(extra.canvas.width, extra.canvas.height) for t in watching]
                    extra.watch_size = (even(max(w for w, _ in sizes)), even(max(h for _, h in sizes))) if sizes else None
            case cmd.UpdateAudioInput(spec):
                self.mixer.update_channel(spec)
            case cmd.StartRecording(canvas=canvas) | cmd.StartStreaming(canvas=canvas) | cmd.StopRecording(canvas=canvas) if (
                canvas is not None and canvas != MAIN_CANVAS
            ):
                self.extra_canvases[canvas].control(command, tick)  # the engine checked the name
            case cmd.StartRecording():
                self.encode_thread.control(command, tick)
                self._recording_requested = True
            case cmd.StopRecording(canvas=canvas):
                self._recording_requested = False
                self.encode_thread.ticks_over(tick)
                self.encode_thread.control(command)
                if canvas is None:
                    self._tell_extra_canvases(command, tick)
            case cmd.AddChapter():
                self.encode_thread.control(command)
                self._tell_extra_canvases(command, tick)
            case cmd.StartStreaming():
                self.encode_thread.control(command, tick)
                self._streaming_requested = True
            case cmd.StopStreaming():
                self._streaming_requested = False
                self.encode_thread.ticks_over(tick)
                self.encode_thread.control(command)
                self._tell_extra_canvases(command, tick)
        after = (self.switcher.program_scene, self.switcher.preview_scene)
        if after[0] != before[0]:
            self.events.program_scene_changed.emit(self.scene_names[after[0]])
        if after[1] != before[1]:
            self.events.preview_scene_changed.emit(self.scene_names[after[1]])

    def _tell_extra_canvases(self, command: cmd.Command, tick: int) -> None:
        for extra in self.extra_canvases.values():
            extra.control(command, tick)

    def _apply_show_edit(self, edit, tick: int) -> None:
        self.runners = edit.runners
        self.compositors = edit.compositors
        for name, extra in self.extra_canvases.items():
            extra.compositors = edit.canvas_compositors[name]
        self.scene_names = edit.scene_names
        self.mixer.set_channels(edit.channels)
        self.mixer.set_guest_sound(guest_sound_inputs(edit.show))
        for spec in edit.audio_updates:
            self.mixer.update_channel(spec)
        self.switcher.forget_scenes_except(set(edit.compositors), fallback=next(iter(edit.compositors)))
        for runner in edit.retired_runners:
            self.retirer.retire(runner.stop)
        for channel in edit.retired_channels:
            self.retirer.retire(channel.source.close)
        self.events.show_edit_applied.emit(tick)

    def _emit_scene_state(self) -> None:
        self.events.program_scene_changed.emit(self.scene_names[self.switcher.program_scene])
        self.events.preview_scene_changed.emit(self.scene_names[self.switcher.preview_scene])

