"""The engine's public face. The GUI, hotkeys, scripts and the remote API call these methods and
listen to `events`; none of them reaches inside.

Every method that changes the program queues a command that the program thread applies at the
next tick (or at the tick nearest to `at_ns`, a time offset from the show's start). The mixer's
calls (inputs' settings, audio taps) are in engine_audio.py.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from studio.engine import commands as cmd
from studio.engine.audio.inputs import create_audio_source
from studio.engine.audio.mixer import AudioMixer, MixerChannel
from studio.engine.audio.output_device import AudioOutputDevice
from studio.engine.clock import MediaClock
from studio.engine.errors import InputError
from studio.engine.events import EngineEvents, ProgramStats
from studio.engine.frames import frame_from_bgra
from studio.engine.outputs.encode_thread import EncodeThread, free_disk_mb
from studio.engine.outputs.stream import DestinationStats
from studio.engine.outputs.stream_target import StreamTarget
from studio.engine.outputs.video_tap import CANVAS_PREVIEW_TAP_PREFIX, CANVAS_TAP_PREFIX, PREVIEW, PROGRAM, VideoTap
from studio.engine.sequence import Beep, Chapter, HidePicture, LinkPush, PreparedPicture, ShowPicture, Step
from studio.engine.engine_audio import EngineAudio
from studio.engine.extra_canvas import build_extra_canvases
from studio.engine.program import ProgramLoop
from studio.engine.retirer import Retirer
from studio.engine.overlay_placement import OverlayKind, OverlayPlacement
from studio.engine.show import MAIN_CANVAS, AudioInputSpec, Show, SourceSpec, TransitionKind
from studio.engine.show_edit import build_compositors, plan_show_edit
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ, AudioSource, AudioStatus, SourceStatus
from studio.engine.sources.capture import SourceRunner
from studio.engine.sources.guest import GUEST_KIND, GuestSource, guest_sound_inputs
from studio.engine.sources.guest_feed import GuestFeed, GuestFeeds
from studio.engine.sources.registry import SourceRegistry
from studio.engine.video.switcher import Switcher

log = logging.getLogger(__name__)


class Engine(EngineAudio):
    def __init__(
        self,
        show: Show,
        clock: MediaClock,
        registry: SourceRegistry,
        *,
        tick_limit: int | None = None,
        events: EngineEvents | None = None,
    ) -> None:
        self.show = show
        self.clock = clock
        self.events = events or EngineEvents()
        self._source_status: dict[str, SourceStatus] = {}
        self._source_status_reason: dict[str, str] = {}
        canvas = show.canvas

        self._registry = registry
        self._retirer = Retirer()
        # The show as last asked for, and the parts built for it: edits are planned against these
        # (ahead of the program thread by up to a tick), under one lock so two edits chain.
        self._edit_lock = threading.Lock()
        # Every runner and channel made and not yet gone: stop() reaches those an edit retired
        # but the program never got to hand over (it stopped first). Weak, so nothing piles up.
        self._made_runners: weakref.WeakSet[SourceRunner] = weakref.WeakSet()
        self._made_channels: weakref.WeakSet[MixerChannel] = weakref.WeakSet()
        self._guest_feeds = GuestFeeds(clock)  # where the guest service's media meets the engine
        self._runners: dict[str, SourceRunner] = {}
        for spec in show.sources:
            self._runners[spec.id] = self._new_runner(spec, None, joining=False)
            self._source_status[spec.id] = SourceStatus.STARTING
        self._compositors, self._scene_names = build_compositors(show)
        program = self._scene_id(show.program_scene) if show.program_scene else show.scenes[0].id
        preview_default = show.scenes[1].id if len(show.scenes) > 1 else program
        preview = self._scene_id(show.preview_scene) if show.preview_scene else preview_default
        self._switcher = Switcher(program, preview)

        self._channels = [self._new_channel(spec, show, self._runners) for spec in show.audio_inputs]
        self._mixer = AudioMixer(list(self._channels), AUDIO_SAMPLE_RATE_HZ // canvas.fps, show.audio.master_limiter_ceiling_db)
        self._mixer.set_guest_sound(guest_sound_inputs(show))
        self._encode_thread = EncodeThread(
            canvas,
            show.encoder,
            wait_for_room=clock.is_virtual,
            on_recording_state=self.events.recording_state_changed.emit,
            on_error=self.events.error.emit,
            recording_settings=show.recording,
            on_destination_state=self.events.output_state_changed.emit,
        )
        self._extra_canvases = build_extra_canvases(show, clock, self.events)  # the vertical one
        self._program = ProgramLoop(
            canvas=canvas,
            extra_canvases=self._extra_canvases,
            clock=clock,
            runners=dict(self._runners),
            compositors=dict(self._compositors),
            scene_names=dict(self._scene_names),
            retirer=self._retirer,
            switcher=self._switcher,
            mixer=self._mixer,
            encode_thread=self._encode_thread,
            transition=show.transition,
            events=self.events,
            tick_limit=tick_limit,
        )
        # Each input's settings as last asked for (ahead of the mixer by up to a tick): two
        # changes asked for within one tick build on each other instead of the second undoing the first.
        self._requested_audio: dict[str, AudioInputSpec] = {spec.id: spec for spec in show.audio_inputs}
        self._requested_audio_lock = threading.Lock()
        self._output_devices: list[AudioOutputDevice] = []
        self._started = False
        self._stopped = False
        self._outputs_requested: set[str] = set()  # canvases with a recording or stream asked for before start()

    def _new_runner(self, spec: SourceSpec, replaced: SourceRunner | None, *, joining: bool = True) -> SourceRunner:
        """A runner for `spec` (not started). Only the runner the show currently has for its id
        reports status: a replaced or removed one going CLOSED must not overwrite its successor's."""
        source = self._registry.create(spec.kind, spec.name, spec.settings, self.clock)
        if isinstance(source, GuestSource):
            source.attach_feed(self._guest_feeds.feed_for(spec.id, spec.name))
        this: list[SourceRunner] = []

        def on_status(source_id: str, status: SourceStatus, reason: str) -> None:
            if this and self._runners.get(source_id) is this[0]:
                self._on_source_status(source_id, status, reason)

        canvas = self.show.canvas
        runner = SourceRunner(
            spec.id,
            source,
            self.clock,
            on_status,
            slate_size=(canvas.width // 2 * 2, canvas.height),
            joining=joining,
            held_frame=replaced.latest_frame() if replaced is not None else None,
        )
        this.append(runner)
        self._made_runners.add(runner)
        return runner

    def _new_channel(self, spec: AudioInputSpec, show: Show, runners: dict[str, SourceRunner]) -> MixerChannel:
        def video_source_audio(ref: str) -> AudioSource | None:
            source = show.source_by_ref(ref)
            return runners[source.id].source.audio if source is not None else None

        follows = show.source_by_ref(spec.follows_video) if spec.follows_video else None
        channel = MixerChannel(
            spec, create_audio_source(spec, self.clock, video_source_audio), follows_source_id=follows.id if follows else None
        )
        self._made_channels.add(channel)
        return channel

    def _close_guest_feeds_not_in(self, show: Show) -> None:
        self._guest_feeds.close_all_but({spec.id for spec in show.sources if spec.kind == GUEST_KIND})

    def _start_output_devices(self) -> None:
        """Headphones (monitor bus) and the guest's return (mix-minus) on chosen output devices."""
        for bus, device in ((cmd.AudioBus.MONITOR, self.show.audio.monitor_device), (cmd.AudioBus.MIX_MINUS, self.show.audio.mix_minus_device)):
            if not device:
                continue
            output = AudioOutputDevice(bus, device, self.open_audio_tap(bus))
            output.start()
            state, reason = output.status()
            if state is not AudioStatus.LIVE:
                self.events.error.emit(f"{bus} output unavailable: {reason}")
            self._output_devices.append(output)

    def audio_status(self) -> dict[str, tuple[AudioStatus, str]]:
        """(state, reason) of every audio input and output device, e.g. (AudioStatus.UNAVAILABLE,
        "PortAudio library not found (install libportaudio2)")."""
        status = {channel.spec.name: channel.source.status() for channel in self._channels}
        status.update({f"{output.name} output": output.status() for output in self._output_devices})
        return status

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        # Warm up before the clock starts, so tick 0 is on time: rendered sources open and draw
        # once, and the encoder opens when a recording or a stream was asked for already.
        for runner in self._runners.values():
            runner.warm_up()
        for name in self._outputs_requested:
            self._encode_thread_of(name).warm_up()
        self._program.warm_up()
        show_start_ns = self.clock.now_ns()
        for runner in self._runners.values():
            runner.start(show_start_ns)
        self._start_output_devices()
        self._program.start(show_start_ns)

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait until the program has run its tick limit (or was stopped); True if it has."""
        return self._program.finished.wait(timeout_s)

    def stop(self) -> None:
        """Stop the program, finalize the recording, release every source. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._program.request_stop()
        self.clock.release()
        self._program.join(10.0)
        self._encode_thread.close()
        for extra in self._extra_canvases.values():
            extra.encode_thread.close()
        with self._edit_lock:
            runners, channels = list(self._made_runners), list(self._made_channels)
        for runner in runners:
            runner.stop()
        with self._edit_lock:
            self._guest_feeds.close_all_but(set())
        for output in self._output_devices:
            output.close()
        for channel in channels:
            try:
                channel.source.close()
            except Exception:
                log.exception("closing audio input %s failed", channel.spec.name)
        self._retirer.close()

    # -- editing the show live ----------------------------------------------------------------

    def apply_show(self, show: Show) -> None:
        """Run `show` (validated, e.g. by parse_show) from the next tick, without a restart:
        sources, scenes and audio inputs added, changed or removed. A new source opens on its
        own thread and joins the program when its first frame arrives; a changed one shows its
        last frame until its successor delivers. The canvas cannot change (InputError)."""
        with self._edit_lock:
            try:
                edit = plan_show_edit(
                    self.show,
                    show,
                    runners=self._runners,
                    channels=self._channels,
                    new_runner=lambda spec, replaced: self._new_runner(spec, replaced),
                    new_channel=lambda spec, runners: self._new_channel(spec, show, runners),
                    timing_of=lambda kind: self._registry.plugin(kind).timing,
                )
            except BaseException:
                self._close_guest_feeds_not_in(self.show)  # one made for a guest of the refused edit
                raise
            self._close_guest_feeds_not_in(show)
            self.show = show
            self._runners, self._channels = edit.runners, edit.channels
            self._compositors, self._scene_names = edit.compositors, edit.scene_names
            with self._requested_audio_lock:
                self._requested_audio = {spec.id: spec for spec in show.audio_inputs}
            for source_id in list(self._source_status):
                if source_id not in edit.runners:
                    self._source_status.pop(source_id, None)
                    self._source_status_reason.pop(source_id, None)
            for runner, _replaced in edit.started_runners:
                self._source_status[runner.source_id] = SourceStatus.STARTING
                self._source_status_reason[runner.source_id] = "opening"
                if self._started:
                    runner.start(self._program.show_start_ns)
            self._submit(cmd.ApplyShowEdit(edit), None)

    # -- switching ----------------------------------------------------------------------------

    @property
    def scene_names(self) -> list[str]:
        return [scene.name for scene in self.show.scenes]

    def scene_source_ids(self, scene: str) -> list[str]:
        """Ids of the sources a scene shows (for tally lights)."""
        compositor = self._compositors.get(self._scene_id(scene))
        return list(compositor.source_ids) if compositor is not None else []

    @property
    def program_scene(self) -> str:
        return self._program.scene_name(self._switcher.program_scene)

    @property
    def preview_scene(self) -> str:
        return self._program.scene_name(self._switcher.preview_scene)

    def set_preview(self, scene: str, *, at_ns: int | None = None) -> None:
        self._submit(cmd.SetPreview(self._scene_id(scene)), at_ns)

    def cut(self, scene: str | None = None, *, at_ns: int | None = None) -> None:
        """Cut `scene` (or the preview) to program on one frame."""
        self._submit(cmd.Cut(self._scene_id(scene) if scene else None), at_ns)

    def transition(
        self,
        scene: str | None = None,
        *,
        kind: TransitionKind | str | None = None,
        duration_ms: int | None = None,
        at_ns: int | None = None,
    ) -> None:
        """Run a timed transition from program to `scene` (or the preview)."""
        kind = self._transition_kind(kind)
        duration_ms = self.show.transition.duration_ms if duration_ms is None else duration_ms
        if not 0 <= duration_ms <= 10_000:
            raise InputError(f"duration_ms must be 0 to 10000, got {duration_ms}", field="duration_ms")
        self._submit(cmd.RunTransition(self._scene_id(scene) if scene else None, kind, duration_ms), at_ns)

    def set_tbar(self, position: float, *, kind: TransitionKind | str | None = None, at_ns: int | None = None) -> None:
        """Move the T-bar (0..1); reaching 1 completes the transition to preview."""
        if not 0.0 <= position <= 1.0:
            raise InputError(f"T-bar position must be 0 to 1, got {position}", field="position")
        self._submit(cmd.SetTbar(position, self._transition_kind(kind)), at_ns)

    # -- overlays and recording ---------------------------------------------------------------

    def show_overlay(self, overlay_id: str, bgra: np.ndarray, x: int, y: int, *, at_ns: int | None = None) -> None:
        """Put an RGBA picture (as BGRA uint8) on top of program at (x, y); replaces one with the same id."""
        if bgra.ndim != 3 or bgra.shape[2] != 4 or bgra.dtype != np.uint8:
            raise InputError(f"overlay must be an (h, w, 4) uint8 BGRA array, got {bgra.shape} {bgra.dtype}")
        self._submit(cmd.ShowOverlay(overlay_id, frame_from_bgra(bgra, 0), x & ~1, y & ~1), at_ns)

    def hide_overlay(self, overlay_id: str, *, at_ns: int | None = None) -> None:
        self._submit(cmd.HideOverlay(overlay_id), at_ns)

    def set_canvas_overlays(self, canvas: str, placements: Mapping[OverlayKind, OverlayPlacement]) -> None:
        """Where the overlays go on another canvas, from the next tick (those on screen move)."""
        if canvas not in self._extra_canvases:
            expected = ", ".join(self._extra_canvases) or "(the show has no other canvas)"
            raise InputError(f"unknown canvas {canvas!r} for overlay placements; expected one of {expected}", field="canvas")
        self._submit(cmd.SetCanvasOverlays(canvas, dict(placements)), None)

    def prepare_picture(self, bgra: np.ndarray) -> PreparedPicture:
        """Convert an RGBA picture (BGRA uint8, straight alpha) once, for repeated use in sequences."""
        if bgra.ndim != 3 or bgra.shape[2] != 4 or bgra.dtype != np.uint8:
            raise InputError(f"overlay must be an (h, w, 4) uint8 BGRA array, got {bgra.shape} {bgra.dtype}")
        return PreparedPicture(frame_from_bgra(bgra, 0))

    def run_sequence(self, steps: list[tuple[int, Step]], *, at_ns: int | None = None) -> None:
        """Run timed steps at offsets (in ticks) from the tick the sequence starts on: the next
        tick, or the one nearest at_ns. Pictures are converted here, on the caller's thread, so
        the program thread only places them."""
        commands: list[tuple[int, cmd.Command]] = []
        for offset_ticks, step in steps:
            if offset_ticks < 0:
                raise InputError(f"a sequence step cannot start before the sequence, got offset {offset_ticks}", field="steps")
            match step:
                case ShowPicture(overlay_id, PreparedPicture(frame), x, y):
                    command = cmd.ShowOverlay(overlay_id, frame, x & ~1, y & ~1)
                case ShowPicture(overlay_id, bgra, x, y):
                    command = cmd.ShowOverlay(overlay_id, self.prepare_picture(bgra).frame, x & ~1, y & ~1)
                case HidePicture(overlay_id):
                    command = cmd.HideOverlay(overlay_id)
                case Chapter(title):
                    command = cmd.AddChapter(title)
                case Beep(samples):
                    command = cmd.PlayBeep(samples)
                case LinkPush():
                    command = cmd.AnnounceLinkPush(step)
                case _:
                    raise InputError(f"unknown sequence step {step!r}", field="steps")
            commands.append((offset_ticks, command))
        self._submit(cmd.RunSequence(tuple(commands)), at_ns)

    def start_recording(
        self, path: str | Path, *, remux_to_mp4: bool | None = None, at_ns: int | None = None, canvas: str = MAIN_CANVAS
    ) -> Path:
        """Record a canvas's program (main unless named) to Matroska from the next tick. A path
        ending in .mp4 records an .mkv beside it and remuxes into the .mp4 on stop. Returns the
        file being written."""
        self.show.canvas_named(canvas)  # an unknown canvas is refused by name
        path = Path(path)
        mp4_target = None
        if path.suffix.lower() == ".mp4":
            mp4_target, path = path, path.with_suffix(".mkv")
        elif remux_to_mp4 if remux_to_mp4 is not None else self.show.recording.remux_to_mp4:
            mp4_target = path.with_suffix(".mp4")
        if path.suffix.lower() not in (".mkv", ".mka"):
            raise InputError(f"expected a .mkv or .mp4 file name, got {path.name!r}", field="record")
        free_mb = free_disk_mb(path)
        if free_mb < self.show.recording.min_free_disk_mb:
            raise InputError(
                f"only {free_mb} MB free in {path.parent}; at least {self.show.recording.min_free_disk_mb} MB "
                "is needed to start recording (recording.min_free_disk_mb)",
                field="record",
            )
        self._submit(cmd.StartRecording(path, mp4_target, canvas), at_ns)
        self._outputs_requested.add(canvas)
        return path

    def stop_recording(self, *, at_ns: int | None = None, canvas: str | None = None) -> None:
        """Stop recording every canvas, or only the one named."""
        if canvas is not None:
            self.show.canvas_named(canvas)  # an unknown canvas is refused by name
        self._submit(cmd.StopRecording(canvas), at_ns)

    def add_chapter(self, title: str, *, at_ns: int | None = None) -> None:
        """A chapter mark in the recording at the next tick (or at at_ns), named `title`."""
        if not title.strip():
            raise InputError("a chapter needs a title", field="title")
        self._submit(cmd.AddChapter(title.strip()), at_ns)

    def start_streaming(
        self, destinations: Sequence[StreamTarget | tuple[str, str]], *, at_ns: int | None = None
    ) -> list[str]:
        """Go live to each target (or (name, URL-with-key) pair). A destination whose URL is
        malformed is left out and reported (returned, and as an error event); the others go on,
        and so do the recording and the program. A host that refuses is retried by the
        reconnect policy."""
        good, problems = [], []
        for destination in destinations:
            target = StreamTarget.of(destination)
            problem = target.problem()
            if target.canvas != MAIN_CANVAS and target.canvas not in self._extra_canvases:
                problem = f"unknown canvas {target.canvas!r}; expected one of {', '.join([MAIN_CANVAS, *self._extra_canvases])}"
            if problem:
                problems.append(f"output {target.name} ({target.masked_url}): {problem}")
                self.events.error.emit(problems[-1])
            else:
                good.append(target)
        for canvas in dict.fromkeys(target.canvas for target in good):  # one command per canvas, in the order given
            self._submit(cmd.StartStreaming(tuple(t for t in good if t.canvas == canvas), canvas), at_ns)
            self._outputs_requested.add(canvas)
        return problems

    def stop_streaming(self, *, at_ns: int | None = None) -> None:
        self._submit(cmd.StopStreaming(), at_ns)

    def destination_stats(self) -> list[DestinationStats]:
        """Per destination: state, bitrate sent, queue depth, drops by reason, reconnects, uptime."""
        return [destination.stats for destination in self._program.all_destinations()]

    # -- guests -----------------------------------------------------------------------------------

    def guest_feed(self, source_ref: str) -> GuestFeed | None:
        """Where the guest service puts this guest's media (a guest source's id or name); None
        if the show has no such guest. Any thread."""
        spec = self.show.source_by_ref(source_ref)
        if spec is None or spec.kind != GUEST_KIND:
            return None
        return self._guest_feeds.get(spec.id)

    def _guest_source(self, ref: str) -> SourceSpec:
        spec = self.show.source_by_ref(ref)
        if spec is None or spec.kind != GUEST_KIND:
            guests = ", ".join(s.name for s in self.show.sources if s.kind == GUEST_KIND) or "(the show has no guest sources)"
            raise InputError(f"unknown guest {ref!r}; expected one of {guests}", field="guest")
        return spec

    # -- monitors -------------------------------------------------------------------------------

    def open_video_tap(self, target: str, max_width: int, max_height: int, max_fps: int = 30) -> VideoTap:
        """A small live picture for a monitor: target "program", "preview", "canvas:NAME" (another
        canvas's program), "canvas-preview:NAME" (the preview scene there), or a source (id or
        name). Read it with tap.latest() from any thread; close it with close_video_tap()."""
        prefix = next((p for p in (CANVAS_TAP_PREFIX, CANVAS_PREVIEW_TAP_PREFIX) if target.startswith(p)), None)
        if prefix is not None and target.removeprefix(prefix) in self._extra_canvases:
            pass
        elif target not in (PROGRAM, PREVIEW):
            spec = self.show.source_by_ref(target)
            if spec is None:
                names = ", ".join(s.name for s in self.show.sources)
                raise InputError(f"unknown monitor target {target!r}; expected program, preview or one of {names}", field="target")
            target = spec.id
        tap = VideoTap(target, max_width, max_height, min(max_fps, self.show.canvas.fps))
        self._submit(cmd.AttachVideoTap(tap, cmd.TapAction.ATTACH), None)
        return tap

    def close_video_tap(self, tap: VideoTap) -> None:
        tap.closed = True
        self._submit(cmd.AttachVideoTap(tap, cmd.TapAction.DETACH), None)

    def current_show(self) -> Show:
        """The show as it is now, with the mixer's settings: what "save" writes."""
        with self._requested_audio_lock:
            audio_inputs = [self._requested_audio[spec.id] for spec in self.show.audio_inputs]
        return self.show.model_copy(update={"audio_inputs": audio_inputs})

    # -- state --------------------------------------------------------------------------------

    def next_tick_offset_ns(self) -> int:
        """The media time (from the show's start) of the next tick the program will render: what
        "now" means for at_ns when a step must be counted from the moment a key was pressed."""
        if not self._started:
            return 0
        return self._program.tick_time_ns(self._program.tick + 1) - self._program.show_start_ns

    def tick_time_ns(self, tick: int) -> int:
        """The media-clock time of a tick (a tap picture's `tick`): for latency measurements."""
        return self._program.tick_time_ns(tick)

    def wait_for_media_time(self, offset_ns: int, stop: threading.Event) -> bool:
        """Block until the show's clock reaches offset_ns from its start, or stop is set (then
        False). For players that must act on media time: comment replays, scripted arrivals."""
        while not self._started:
            if stop.wait(0.05):
                return False
        return self.clock.wait_until(self._program.show_start_ns + offset_ns, stop)

    def ticks_for_ms(self, duration_ms: float) -> int:
        return round(duration_ms * self.show.canvas.fps / 1000)

    def stamp_program_timecode(self, enabled: bool = True) -> None:
        """For measurements only: draw each tick's media time in ms as a time code
        (graphics/timecode.py) into the top-left corner of every program picture, before the
        encode. Off by default; benchmarks/latency.py and the SRT blackout test read it back from
        what a receiver decodes."""
        self._program.stamp_timecode = bool(enabled)

    def stats(self) -> ProgramStats:
        return self._program.stats()

    def source_status(self) -> dict[str, SourceStatus]:
        return dict(self._source_status)

    def source_status_reasons(self) -> dict[str, str]:
        """Why each source is in its state ("" when live): what a NO SIGNAL tooltip says."""
        return dict(self._source_status_reason)

    @property
    def recording_stats(self):
        return self._encode_thread.stats

    def canvas_recording_stats(self, canvas: str):
        """What a canvas's encoder did (frames encoded, repeated, errors): main's or another's."""
        return self._encode_thread_of(canvas).stats

    def _encode_thread_of(self, canvas: str):
        return self._encode_thread if canvas == MAIN_CANVAS else self._extra_canvases[canvas].encode_thread

    # -- internals ----------------------------------------------------------------------------

    def _submit(self, command: cmd.Command, at_ns: int | None) -> None:
        if at_ns is None:
            self._program.submit(command)
        else:
            self._program.schedule(command, self._program.tick_for_offset(at_ns))

    def _scene_id(self, ref: str) -> str:
        scene = self.show.scene_by_ref(ref)
        if scene is None:
            raise InputError(f"unknown scene {ref!r}; expected one of {', '.join(self.scene_names)}", field="scene")
        return scene.id

    def _transition_kind(self, kind: TransitionKind | str | None) -> TransitionKind:
        if kind is None:
            return self.show.transition.kind
        try:
            return TransitionKind(kind)
        except ValueError:
            expected = ", ".join(k.value for k in TransitionKind)
            raise InputError(f"unknown transition kind {kind!r}; expected one of {expected}", field="kind") from None

    def _on_source_status(self, source_id: str, status: SourceStatus, reason: str) -> None:
        self._source_status[source_id] = status
        self._source_status_reason[source_id] = reason
        self.events.source_status_changed.emit(source_id, status, reason)
