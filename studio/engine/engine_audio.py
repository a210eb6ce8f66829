"""The engine's mixer calls: each audio input's settings (asked for now, applied at the next
tick, read back at once), and the taps a consumer on another thread reads a bus from (the
headphones, the mix-minus device return, each guest's own return). A mixin of Engine, which owns
the show, the channels and the command queue.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from pydantic import ValidationError

from studio.engine import commands as cmd
from studio.engine.audio.tap import AudioTap
from studio.engine.errors import InputError, input_error_from_validation
from studio.engine.show import AudioInputSpec, Show, SourceSpec

if TYPE_CHECKING:
    from studio.engine.audio.mixer import MixerChannel


class EngineAudio:
    """Mixed into Engine: needs show, _channels, _requested_audio(_lock), _submit, _guest_source."""

    show: Show
    _channels: list[MixerChannel]
    _requested_audio: dict[str, AudioInputSpec]
    _requested_audio_lock: threading.Lock

    def _submit(self, command: cmd.Command, at_ns: int | None) -> None:
        raise NotImplementedError

    def _guest_source(self, ref: str) -> SourceSpec:
        raise NotImplementedError

    # -- audio ----------------------------------------------------------------------------------

    @property
    def audio_input_names(self) -> list[str]:
        return [spec.name for spec in self.show.audio_inputs]

    def audio_input(self, ref: str) -> AudioInputSpec:
        """The settings of an input (id or name), including changes asked for and not yet applied."""
        return self._requested_audio[self._channel(ref).spec.id]

    def update_audio_input(self, ref: str, *, at_ns: int | None = None, **changes) -> AudioInputSpec:
        """Change an input's settings: gain_db, muted, solo, pan, sync_offset_ms, to_monitor,
        filters, ducking... Validated here (a bad value raises InputError naming the field);
        applied at the next tick. Returns the new settings."""
        channel = self._channel(ref)
        unknown = set(changes) - set(AudioInputSpec.model_fields) | ({"id", "kind"} & set(changes))
        if unknown:
            raise InputError(f"cannot change {', '.join(sorted(unknown))} of an audio input", field=sorted(unknown)[0])
        with self._requested_audio_lock:
            try:
                spec = AudioInputSpec.model_validate({**self._requested_audio[channel.spec.id].model_dump(), **changes})
            except ValidationError as error:
                raise input_error_from_validation(error) from None
            self._submit(cmd.UpdateAudioInput(spec), at_ns)
            self._requested_audio[spec.id] = spec
        return spec

    def set_input_gain(self, ref: str, gain_db: float, *, at_ns: int | None = None) -> None:
        self.update_audio_input(ref, gain_db=gain_db, at_ns=at_ns)

    def set_input_muted(self, ref: str, muted: bool, *, at_ns: int | None = None) -> None:
        self.update_audio_input(ref, muted=muted, at_ns=at_ns)

    def open_audio_tap(self, bus: cmd.AudioBus | str, capacity_ms: int = 2000, *, guest: str | None = None) -> AudioTap:
        """A live copy of a bus for a consumer on another thread: AudioBus.MIX_MINUS or
        AudioBus.MONITOR (headphones), or their values as strings. With `guest` (a guest source's
        id or name), MIX_MINUS is that guest's own return: every audible input but their own
        voice, the other guests included. Without it, MIX_MINUS is the device bus: program
        without any remote guest (is_guest inputs, guest sources' sound). Close it with
        close_audio_tap(); while open, a consumer that falls behind loses the oldest audio."""
        bus = _audio_bus(bus)
        guest_id = None
        if guest is not None:
            if bus is not cmd.AudioBus.MIX_MINUS:
                raise InputError(f"only the {cmd.AudioBus.MIX_MINUS.value} bus has a return per guest, not {bus.value}", field="guest")
            guest_id = self._guest_source(guest).id
        tap = AudioTap(capacity_ms)
        self._submit(cmd.AttachAudioTap(bus, tap, cmd.TapAction.ATTACH, guest_id), None)
        return tap

    def close_audio_tap(self, bus: cmd.AudioBus | str, tap: AudioTap) -> None:
        """Stop feeding a tap (a guest's return too: it is found wherever it is)."""
        tap.closed = True
        self._submit(cmd.AttachAudioTap(_audio_bus(bus), tap, cmd.TapAction.DETACH), None)

    def _channel(self, ref: str) -> MixerChannel:
        show = self.show
        spec = next((a for a in show.audio_inputs if a.id == ref), None) or next((a for a in show.audio_inputs if a.name == ref), None)
        for channel in self._channels:
            if spec is not None and channel.spec.id == spec.id:
                return channel
        raise InputError(
            f"unknown audio input {ref!r}; expected one of {', '.join(self.audio_input_names)}", field="input"
        )



def _audio_bus(bus: cmd.AudioBus | str) -> cmd.AudioBus:
    try:
        return cmd.AudioBus(bus)
    except ValueError:
        expected = " or ".join(b.value for b in cmd.AudioBus)
        raise InputError(f"unknown bus {bus!r}; expected {expected}", field="bus") from None
