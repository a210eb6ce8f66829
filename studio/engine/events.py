"""Every event the engine publishes, in one place.

Listeners must be quick and must not call back into the engine synchronously from the program
thread; the GUI moves them onto the Qt thread through its bridge.
"""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import Signal


@dataclass(frozen=True, slots=True)
class ProgramStats:
    """A once-a-second summary of the program thread."""

    ticks: int
    frames_produced: int
    frames_dropped: int  # ticks skipped because the program fell too far behind real time
    lagged_ticks: int  # ticks that took longer than one frame interval
    encoder_dropped: int  # ticks missing from the recording (a stall longer than the repeat bound)
    encoder_queue_depth: int
    media_time_ns: int
    recording: bool
    outputs: tuple = ()  # DestinationStats snapshots, one per live destination
    encoder_lag_ms: int = 0  # how far the encoder is behind the program (its queue, in ms)
    encoder_load: str = "normal"  # EncoderLoad: "overloaded" while the encoder is falling behind
    encoder_preset: str = ""  # the x264 preset in use (a step down changes it)
    frames_encoded: int = 0  # frames recorded/streamed, repeats included
    frames_repeated: int = 0  # ticks not handed over (stall) that the recording fills with the last picture
    tick_ms_p99: float = 0.0  # the program thread's time per tick over the last 10 s
    tick_ms_max: float = 0.0


class EngineEvents:
    program_scene_changed = Signal(str)
    """payload: the scene name now on program. Fires on the program thread, on the tick that shows it."""

    preview_scene_changed = Signal(str)
    """payload: the scene name now on preview. Fires on the program thread."""

    source_status_changed = Signal(str, str, str)
    """payload: source id, SourceStatus (a StrEnum: "live", "no signal", ...), reason. Fires on a
    capture or the program thread."""

    program_stats = Signal(object)
    """payload: ProgramStats. Fires on the program thread once a second of media time."""

    audio_levels = Signal(object)
    """payload: AudioLevels (studio.engine.audio.mixer): peak/RMS per input and program, program
    loudness. Fires on the program thread once per tick (25-60 Hz)."""

    recording_state_changed = Signal(str, str)
    """payload: "recording" or "stopped", the file path. Fires on the encode thread."""

    output_state_changed = Signal(str, str, str)
    """payload: destination name, OutputState (a StrEnum: "CONNECTING", "LIVE", "RECONNECTING",
    "FAILED", "OFF"), reason (secrets scrubbed). Fires on that destination's sender thread."""

    link_pushed = Signal(object)
    """payload: studio.engine.sequence.LinkPush with the tick and media time it fired on: a product
    link went out to viewers (the card popped). Fires on the program thread, on that tick."""

    show_edit_applied = Signal(int)
    """payload: the tick on which an edited show (Engine.apply_show) is first drawn. Fires on the
    program thread, before that tick is composed."""

    error = Signal(str)
    """payload: a message for the user (never contains a secret). Fires on any engine thread."""
