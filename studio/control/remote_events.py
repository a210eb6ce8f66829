"""The studio's events as obs-websocket events.

`StudioEvents` listens to the engine, the desks and the session and hands each obs-websocket
event to `emit(intent, event_type, event_data)`: the server passes a callable that moves it onto
its event loop. Engine events fire on engine threads: every handler here is quick and never
raises. The newest audio meters are kept in a lock-protected slot (`volume_meters()` reads them
for InputVolumeMeters); input mute and volume changes made anywhere (the GUI, a hotkey, a
request) are found by `poll_input_changes()`, which the server calls every 50 ms. Show edits
made anywhere are found by comparing each edited show with the one before (remote_editing's
show_view and show_changes).

Vendor "studio" events: link_pushed, current_product_changed, products_changed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from studio.control.remote_editing import show_changes, show_view
from studio.control.output_tracker import OutputTracker
from studio.control.remote_protocol import (
    ACTIVE_OUTPUT_STATES,
    METER_CHANNELS,
    OUTPUT_STARTED,
    OUTPUT_STOPPING,
    SILENCE_DB,
    VENDOR_NAME,
    EmitEvent,
    Subscription,
    db_to_mul,
)
from studio.control.remote_target import RemoteTarget
from studio.engine.clock import NS_PER_SECOND
from studio.engine.show import Show

log = logging.getLogger(__name__)


class StudioEvents:
    """Engine and desk events as obs-websocket events, handed to `emit` (from any thread).

    `schedule(delay_s, callback)` runs a callback later on the server's loop (holding a
    recording's stop while a split opens the next part)."""

    SPLIT_GRACE_S = 0.5

    def __init__(
        self,
        studio: RemoteTarget,
        emit: EmitEvent,
        *,
        schedule: Callable[[float, Callable[[], None]], None] | None = None,
    ) -> None:
        self.studio = studio
        self._emit = emit
        self._schedule = schedule or (lambda delay, callback: None)
        self.outputs = OutputTracker()
        self._levels_lock = threading.Lock()
        self._levels = None  # the newest AudioLevels
        self._tick_cpu_last: float | None = None
        self._tick_cpu_sum = 0.0
        self._tick_cpu_count = 0
        self._tick_cpu_ms = 0.0
        self._inputs_lock = threading.Lock()
        self._input_state: dict[str, tuple[bool, float]] = {}
        self._connections: list[tuple[object, Callable]] = []
        self._view_lock = threading.Lock()  # edits come from any thread: one diff at a time, in order
        self._view = None  # remote_editing.ShowView: the show as clients were last told it

    # -- wiring -----------------------------------------------------------------------------------

    def attach(self) -> None:
        self._watch_show()
        engine = self.studio.engine
        if engine is None:  # the session builds it later; set_studio brings it here
            return
        events = engine.events
        self._connect(events.program_scene_changed, self._on_program_scene)
        self._connect(events.preview_scene_changed, self._on_preview_scene)
        self._connect(events.output_state_changed, self._on_output_state)
        self._connect(events.recording_state_changed, self._on_recording_state)
        self._connect(events.audio_levels, self._on_audio_levels)
        self._connect(events.link_pushed, self._on_link_pushed)
        self._connect(events.program_stats, self._on_program_stats)
        if self.studio.selling is not None:
            desk_events = self.studio.selling.events
            self._connect(desk_events.current_product_changed, self._on_current_product)
            self._connect(desk_events.products_changed, self._on_products_changed)
        with self._levels_lock:
            self._levels, self._tick_cpu_last = None, None  # a new engine: a new program thread
            self._tick_cpu_sum, self._tick_cpu_count = 0.0, 0
        with self._inputs_lock:
            self._input_state = self._read_inputs()

    def _watch_show(self) -> None:
        with self._view_lock:
            self._view = show_view(self.studio.show, self.studio.session.layers)
        self._connect(self.studio.session.events.show_changed, self._on_show_changed)

    def _scene_ids(self) -> list[str]:
        with self._view_lock:
            return [scene.scene_id for scene in self._view.scenes] if self._view is not None else []

    def detach(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self._connections.clear()

    def _connect(self, signal, slot: Callable) -> None:
        def guarded(*args) -> None:  # an engine thread must never see an exception from here
            try:
                slot(*args)
            except Exception:  # noqa: BLE001
                log.exception("remote API: handling an engine event failed")

        signal.connect(guarded)
        self._connections.append((signal, guarded))

    def replace_studio(self, studio: RemoteTarget) -> None:
        """A new engine (the session loaded a show): listen to it instead; tell clients what
        changed (SceneListChanged, the new program and preview)."""
        old_ids = self._scene_ids()
        self.detach()
        self.studio = studio
        self.attach()
        engine = studio.engine
        if engine is None:
            return
        if self._scene_ids() != old_ids:
            self._emit(Subscription.SCENES, "SceneListChanged", {"scenes": self._scene_list()})
        self._on_program_scene(engine.program_scene)
        self._on_preview_scene(engine.preview_scene)

    def _scene_list(self) -> list[dict[str, Any]]:
        scenes = self.studio.show.scenes
        return [{"sceneName": s.name, "sceneUuid": s.id, "sceneIndex": i} for i, s in enumerate(reversed(scenes))]

    def _on_show_changed(self, show: Show) -> None:
        """An edit, an undo or a load, made anywhere (the GUI, a request, a script): what it
        changed, as OBS tells it. On the editing thread; the events go out in the edits' order."""
        with self._view_lock:
            after = show_view(show, self.studio.session.layers)
            before, self._view = self._view, after
            for intent, event_type, data in show_changes(before, after):
                self._emit(intent, event_type, data)

    # -- handlers (engine threads) ---------------------------------------------------------------

    def _scene_ref(self, name: str) -> dict[str, Any]:
        scene = self.studio.engine.show.scene_by_ref(name)
        return {"sceneName": name, "sceneUuid": scene.id if scene else None}

    def _on_program_scene(self, name: str) -> None:
        self._emit(Subscription.SCENES, "CurrentProgramSceneChanged", self._scene_ref(name))

    def _on_preview_scene(self, name: str) -> None:
        self._emit(Subscription.SCENES, "CurrentPreviewSceneChanged", self._scene_ref(name))

    def _on_output_state(self, name: str, state: str, _reason: str) -> None:
        for obs_state in self.outputs.destination_state(name, state):
            if obs_state == OUTPUT_STARTED:
                self.outputs.stream_started_at(self.studio.engine.stats().frames_produced)
            self._emit_stream_state(obs_state)

    def _emit_stream_state(self, obs_state: str) -> None:
        self._emit(Subscription.OUTPUTS, "StreamStateChanged", {"outputActive": obs_state in ACTIVE_OUTPUT_STATES, "outputState": obs_state})

    def stream_requested(self, live: bool) -> None:
        """Go Live / End through the API: STOPPING is said at once (STARTING comes with the first
        destination connecting)."""
        if not live and self.outputs.stream_stopping():
            self._emit_stream_state(OUTPUT_STOPPING)

    def _on_recording_state(self, state: str, path: str) -> None:
        if state == "recording":
            event = self.outputs.recording(path)
        else:
            still = bool(self.studio.is_recording())
            event = self.outputs.stopped(path, still)
            if still:
                self._schedule(self.SPLIT_GRACE_S, self._flush_stop)
        if event is not None:
            self._emit(Subscription.OUTPUTS, *event)

    def _flush_stop(self) -> None:
        event = self.outputs.flush_stop()
        if event is not None:
            self._emit(Subscription.OUTPUTS, *event)

    def _on_program_stats(self, stats) -> None:
        if stats.outputs:
            self.outputs.add_stream_seconds(stats.outputs, 1.0)

    def _on_audio_levels(self, levels) -> None:
        # Once per tick on the program thread: its CPU time between two ticks is what rendering
        # (and mixing) a frame costs, GetStats' averageFrameRenderTime.
        cpu = time.thread_time()
        with self._levels_lock:
            self._levels = levels
            if self._tick_cpu_last is not None:
                self._tick_cpu_sum += cpu - self._tick_cpu_last
                self._tick_cpu_count += 1
                if self._tick_cpu_count >= 30:
                    self._tick_cpu_ms = 1000.0 * self._tick_cpu_sum / self._tick_cpu_count
                    self._tick_cpu_sum, self._tick_cpu_count = 0.0, 0
            self._tick_cpu_last = cpu

    def average_tick_cpu_ms(self) -> float:
        """The program thread's CPU time per tick over the last 30 ticks (ms)."""
        with self._levels_lock:
            if self._tick_cpu_ms == 0.0 and self._tick_cpu_count:  # the first 30 ticks: what there is
                return 1000.0 * self._tick_cpu_sum / self._tick_cpu_count
            return self._tick_cpu_ms

    def _on_link_pushed(self, push) -> None:
        self._emit(
            Subscription.VENDORS,
            "VendorEvent",
            {
                "vendorName": VENDOR_NAME,
                "eventType": "link_pushed",
                "eventData": {
                    "productId": push.product_id,
                    "title": push.title,
                    "link": push.link,
                    "tick": push.tick,
                    "mediaTimeS": round(push.media_time_ns / NS_PER_SECOND, 3),
                },
            },
        )

    def _on_current_product(self, product_id: str) -> None:
        self._emit(
            Subscription.VENDORS,
            "VendorEvent",
            {"vendorName": VENDOR_NAME, "eventType": "current_product_changed", "eventData": {"productId": product_id}},
        )

    def _on_products_changed(self) -> None:
        self._emit(Subscription.VENDORS, "VendorEvent", {"vendorName": VENDOR_NAME, "eventType": "products_changed", "eventData": {}})

    # -- polled (the server's loop, or the request worker) ----------------------------------------

    def _read_inputs(self) -> dict[str, tuple[bool, float]]:
        engine = self.studio.engine
        state: dict[str, tuple[bool, float]] = {}
        if engine is None:  # a show loading: nothing to compare until its engine is here
            return state
        for spec in engine.show.audio_inputs:
            current = engine.audio_input(spec.id)
            state[spec.id] = (current.muted, current.gain_db)
        return state

    def poll_input_changes(self) -> None:
        """Emit InputMuteStateChanged / InputVolumeChanged for inputs changed since the last look
        (by a request, a hotkey or the GUI)."""
        with self._inputs_lock:
            now = self._read_inputs()
            changes = []
            for input_id, (muted, gain_db) in now.items():
                before = self._input_state.get(input_id)
                if before is None:
                    continue
                if before[0] != muted:
                    changes.append(("InputMuteStateChanged", input_id, {"inputMuted": muted}))
                if before[1] != gain_db:
                    changes.append(
                        ("InputVolumeChanged", input_id, {"inputVolumeMul": db_to_mul(gain_db), "inputVolumeDb": max(SILENCE_DB, gain_db)})
                    )
            self._input_state = now
            if not changes:
                return
            names = {spec.id: spec.name for spec in self.studio.engine.show.audio_inputs}
            for event_type, input_id, data in changes:
                self._emit(Subscription.INPUTS, event_type, {"inputName": names[input_id], "inputUuid": input_id, **data})

    def volume_meters(self) -> dict[str, Any] | None:
        """InputVolumeMeters' data from the newest meters: per input and channel [magnitude
        (RMS, post-fader), peak (post-fader), input peak (pre-fader; 0 while muted)], as
        multipliers. None before the first meters."""
        with self._levels_lock:
            levels = self._levels
        engine = self.studio.engine
        if levels is None or engine is None:
            return None
        specs = {spec.id: spec for spec in engine.show.audio_inputs}
        inputs = []
        for level in levels.inputs:
            spec = specs.get(level.input_id)
            if spec is None:
                continue
            current = engine.audio_input(level.input_id)
            magnitude = db_to_mul(level.rms_db)
            peak = db_to_mul(level.peak_db)
            gain = db_to_mul(current.gain_db)
            input_peak = 0.0 if current.muted or gain <= 0.0 else min(peak / gain, 1e6)
            channel = [round(magnitude, 6), round(peak, 6), round(input_peak, 6)]
            inputs.append({"inputName": spec.name, "inputUuid": spec.id, "inputLevelsMul": [channel] * METER_CHANNELS})
        return {"inputs": inputs}
