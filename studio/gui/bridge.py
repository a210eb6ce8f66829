"""The one bridge from engine events (fired on engine threads) to the Qt thread.

Rare events (scene changes, states, errors, the once-a-second stats) become Qt signals, which
Qt queues onto the GUI thread. Meters arrive every tick; instead of queueing 30-60 events a
second, the bridge keeps the newest levels and the highest peaks since the GUI last looked, and
the mixer panel reads them on its own timer. Nothing here can grow without bound.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

from studio.engine.audio.mixer import AudioLevels
from studio.engine.engine import Engine

ERRORS_PER_SECOND_LIMIT = 5


class LevelAccumulator:
    """Engine thread writes each tick; the GUI takes the newest levels and, per input, the highest
    peak since its last look (so a one-tick clip is never missed between two repaints)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: AudioLevels | None = None
        self._max_peak_db: dict[str, float] = {}
        self._max_program_peak_db = -120.0

    def add(self, levels: AudioLevels) -> None:
        with self._lock:
            self._latest = levels
            for item in levels.inputs:
                self._max_peak_db[item.input_id] = max(self._max_peak_db.get(item.input_id, -120.0), item.peak_db)
            self._max_program_peak_db = max(self._max_program_peak_db, levels.program_peak_db)

    def take(self) -> tuple[AudioLevels | None, dict[str, float], float]:
        with self._lock:
            result = (self._latest, self._max_peak_db, self._max_program_peak_db)
            self._max_peak_db = {}
            self._max_program_peak_db = -120.0
            return result


class EngineBridge(QObject):
    # The session's events: edits (from the window, the remote control, a script), on air.
    show_changed = Signal(object)
    on_air_changed = Signal(bool, object)
    warning = Signal(str)
    show_edit_applied = Signal(int)

    program_scene_changed = Signal(str)
    preview_scene_changed = Signal(str)
    source_status_changed = Signal(str, str, str)
    program_stats = Signal(object)
    recording_state_changed = Signal(str, str)
    output_state_changed = Signal(str, str, str)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.levels = LevelAccumulator()
        self._engine: Engine | None = None
        self._connections: list[tuple[object, object]] = []
        self._session_connections: list[tuple[object, object]] = []
        self._error_window_start_s = 0.0
        self._errors_in_window = 0

    def attach_session(self, session) -> None:
        """Listen to the session (once: it lives as long as the window)."""
        events = session.events
        self._connect_pairs(
            [
                (events.show_changed, self.show_changed.emit),
                (events.on_air_changed, self.on_air_changed.emit),
                (events.warning, self.warning.emit),
            ],
            self._session_connections,
        )

    def attach(self, engine: Engine) -> None:
        """Listen to this engine (and stop listening to the previous one)."""
        self.detach()
        self._engine = engine
        events = engine.events
        pairs = [
            (events.show_edit_applied, self.show_edit_applied.emit),
            (events.program_scene_changed, self.program_scene_changed.emit),
            (events.preview_scene_changed, self.preview_scene_changed.emit),
            (events.source_status_changed, self.source_status_changed.emit),
            (events.program_stats, self.program_stats.emit),
            (events.recording_state_changed, self.recording_state_changed.emit),
            (events.output_state_changed, self.output_state_changed.emit),
            (events.error, self._on_error),
            (events.audio_levels, self.levels.add),
        ]
        self._connect_pairs(pairs, self._connections)

    @staticmethod
    def _connect_pairs(pairs, connections: list) -> None:
        for signal, target in pairs:
            # A plain function, held strongly: psygnal keeps only weak references to bound methods,
            # and PySide's signal objects are not guaranteed to outlive this call.
            def slot(*args, _target=target):
                _target(*args)

            signal.connect(slot)
            connections.append((signal, slot))

    def detach(self) -> None:
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections.clear()
        self._engine = None

    def _on_error(self, message: str) -> None:
        # A part failing every tick must not flood the GUI's queue: a few a second get through.
        now_s = time.monotonic()
        if now_s - self._error_window_start_s >= 1.0:
            self._error_window_start_s, self._errors_in_window = now_s, 0
        self._errors_in_window += 1
        if self._errors_in_window <= ERRORS_PER_SECOND_LIMIT:
            self.error.emit(message)
