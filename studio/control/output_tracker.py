"""Stream and record state as obs-websocket tells it (StreamStateChanged, RecordStateChanged,
RecordFileChanged; GetStreamStatus' bytes and frames, GetRecordStatus' duration), worked out
from the engine's per-destination and recording events.

The stream is one output to a client but several destinations here: it is STARTING while the
first connects, STARTED once one is live, RECONNECTING when none is live any more but one still
tries, STOPPED when all are off. A recording split (a new file at a size or time limit) closes
one part and opens the next: RecordFileChanged, not a stop and a start.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from studio.control.remote_protocol import (
    ACTIVE_OUTPUT_STATES,
    OUTPUT_RECONNECTED,
    OUTPUT_RECONNECTING,
    OUTPUT_STARTED,
    OUTPUT_STARTING,
    OUTPUT_STOPPED,
    OUTPUT_STOPPING,
)
from studio.engine.engine import Engine
from studio.engine.outputs.stream import OutputState


class OutputTracker:
    """Stream and record state as obs-websocket tells it, from the engine's per-destination and
    recording events (any thread; one lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.destinations: dict[str, str] = {}
        self.stream_state = OUTPUT_STOPPED
        self._stream_bytes = 0.0
        self._stream_frames_at_start: int | None = None
        self._record_path: str | None = None
        self._record_started: float | None = None
        self._pending_stop: str | None = None
        self._chapters = 0

    # stream ------------------------------------------------------------------------------------

    def destination_state(self, name: str, state: str) -> list[str]:
        """A destination changed; the obs-websocket stream states this leads to (maybe none)."""
        with self._lock:
            self.destinations[name] = state
            running = [s for s in self.destinations.values() if s not in (OutputState.OFF, OutputState.FAILED)]
            previous, states = self.stream_state, []
            if not running:
                if previous != OUTPUT_STOPPED:
                    states.append(OUTPUT_STOPPED)
            elif OutputState.LIVE in running:
                if previous == OUTPUT_RECONNECTING:
                    states.append(OUTPUT_RECONNECTED)
                elif previous not in ACTIVE_OUTPUT_STATES:
                    states.append(OUTPUT_STARTED)
            elif previous in (OUTPUT_STOPPED, OUTPUT_STOPPING):
                states.append(OUTPUT_STARTING)
            elif previous in ACTIVE_OUTPUT_STATES:
                states.append(OUTPUT_RECONNECTING)
            if states:
                self.stream_state = states[-1]
                if states[-1] == OUTPUT_STOPPED:
                    self.destinations = {}
            return states

    def stream_stopping(self) -> bool:
        with self._lock:
            if self.stream_state == OUTPUT_STOPPED:
                return False
            self.stream_state = OUTPUT_STOPPING
            return True

    def stream_started_at(self, frames_produced: int) -> None:
        with self._lock:
            self._stream_frames_at_start = frames_produced
            self._stream_bytes = 0.0

    def add_stream_seconds(self, outputs: tuple, seconds: float) -> None:
        """Once a second: count what the destinations sent (their measured bitrate)."""
        with self._lock:
            self._stream_bytes += sum(d.bitrate_kbps for d in outputs) * 125.0 * seconds

    def stream_bytes(self) -> int:
        with self._lock:
            return int(self._stream_bytes)

    def stream_frames(self, engine: Engine) -> int:
        with self._lock:
            start = self._stream_frames_at_start
        return max(0, engine.stats().frames_produced - start) if start is not None else 0

    # record ------------------------------------------------------------------------------------

    def record_requested(self, path: Path) -> None:
        with self._lock:
            self._record_path = str(path)

    def record_path(self) -> str | None:
        with self._lock:
            return self._record_path

    def record_duration_ms(self) -> int:
        with self._lock:
            started = self._record_started
        return int((time.monotonic() - started) * 1000) if started is not None else 0

    def next_chapter_number(self) -> int:
        with self._lock:
            self._chapters += 1
            return self._chapters

    def recording(self, path: str) -> tuple[str, dict] | None:
        """The engine started writing `path`: RecordStateChanged STARTED, or RecordFileChanged
        when it follows a split's stop."""
        with self._lock:
            self._record_path = path
            if self._pending_stop is not None:
                self._pending_stop = None
                return "RecordFileChanged", {"newOutputPath": path}
            self._record_started = time.monotonic()
            self._chapters = 0
            return "RecordStateChanged", {"outputActive": True, "outputState": OUTPUT_STARTED, "outputPath": path}

    def stopped(self, path: str, still_recording: bool) -> tuple[str, dict] | None:
        """The engine closed `path`. While the recording is still wanted that is a split (or a
        failure): held until `flush_stop` unless the next part follows."""
        with self._lock:
            if still_recording:
                self._pending_stop = path
                return None
            self._pending_stop = None
            self._record_started = None
            return "RecordStateChanged", {"outputActive": False, "outputState": OUTPUT_STOPPED, "outputPath": path}

    def flush_stop(self) -> tuple[str, dict] | None:
        with self._lock:
            path, self._pending_stop = self._pending_stop, None
            if path is None:
                return None
            self._record_started = None
            return "RecordStateChanged", {"outputActive": False, "outputState": OUTPUT_STOPPED, "outputPath": path}
