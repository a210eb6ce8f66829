"""The audio mixer: one block per program tick, addressed by sample index, so the audio and
the video of a tick cover exactly the same interval.

Per input (a channel strip), in order: sync offset, filters (high-pass, gate, compressor,
limiter), ducking, gain and pan, mute, follows-video. Buses:
- program: every audible input, through the master limiter. What goes out and is recorded.
- monitor: what the operator's headphones get. Inputs with to_monitor; when any input is
  soloed, only the soloed ones. Solo never touches program, as on a broadcast desk: checking a
  microphone must never change what the viewers hear.
- mix-minus (the device bus): program without the remote guests' voices (inputs marked
  is_guest, and the sound of every guest source), through its own limiter, for an output
  device that feeds a guest on a phone or a call app.
- a guest's return (one per guest source with a tap open, made when the first tap attaches):
  every audible input except that guest's own voice, summed (never program minus the guest: a
  subtraction would leave the limiter's and the ramps' traces of their voice), through its own
  limiter. Two guests each hear the host and the other guest, never themselves. Program cues
  (countdown beeps) are for the viewers and go to none of the mix-minus buses.
Gain changes (a fader, a mute, a camera going off program) ramp across one block, so nothing
clicks. Buffers are allocated once; a block allocates nothing in steady state.

Latency: each filter chain and the master limiter look ahead a fixed few samples. Inputs that
can be read ahead (tone, beep, file) are read that much earlier, so program audio stays exactly
aligned with its video; live inputs cannot be, and arrive that much (about 3 ms) late.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from studio.engine.audio.dsp import Ducker, FilterChain, Limiter, pan_gains
from studio.engine.audio.meters import SILENCE_DB, LoudnessMeter, PeakRmsMeter
from studio.engine.audio.tap import AudioTap
from studio.engine.audio.tone import db_to_gain
from studio.engine.show import AudioInputSpec
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ, AudioSource

log = logging.getLogger(__name__)

MASTER_RELEASE_MS = 60.0
MAX_CUES = 4

__all__ = ["AudioMixer", "MixerChannel", "GuestReturn", "pan_gains", "InputLevels", "AudioLevels"]


@dataclass(frozen=True, slots=True)
class InputLevels:
    input_id: str
    peak_db: float  # post-fader, this block
    rms_db: float
    peak_hold_db: float


@dataclass(frozen=True, slots=True)
class AudioLevels:
    """One block's meters: per input and for program (dBFS; LUFS for loudness; -120 = silence)."""

    inputs: tuple[InputLevels, ...]
    program_peak_db: float
    program_rms_db: float
    program_peak_hold_db: float
    momentary_lufs: float
    short_term_lufs: float


def _peak_db(block: np.ndarray) -> float:
    # Two reductions instead of abs(): no temporary array the size of the block.
    peak = max(float(block.max()), -float(block.min()))
    return 20.0 * np.log10(peak) if peak > 1e-6 else SILENCE_DB


@dataclass(slots=True, weakref_slot=True, eq=False)  # one object per input: the engine tracks them weakly, by identity
class MixerChannel:
    """One input strip: its settings, its source and its per-block working state."""

    spec: AudioInputSpec
    source: AudioSource
    follows_source_id: str | None = None
    block: np.ndarray = field(default=None)  # this block's audio after filters, before gain
    applied_gains: np.ndarray = field(default_factory=lambda: np.zeros(2, np.float32))  # (left, right) now
    filters: FilterChain = field(default=None)
    ducker: Ducker = field(default=None)
    meter: PeakRmsMeter = field(default_factory=PeakRmsMeter)
    pre_fader_peak_db: float = SILENCE_DB
    read_failures: int = 0

    def __post_init__(self) -> None:
        if self.filters is None:
            self.filters = FilterChain(self.spec.filters)
        if self.ducker is None:
            self.ducker = Ducker(self.spec.ducking)

    def target_gains(self, audible: bool) -> tuple[float, float]:
        if not audible:
            return 0.0, 0.0
        left, right = pan_gains(self.spec.pan)
        gain = db_to_gain(self.spec.gain_db)
        return gain * left, gain * right


class GuestReturn:
    """One guest's mix-minus: its bus (reused every block), its limiter and the taps reading it."""

    __slots__ = ("guest_id", "bus", "limiter", "taps", "left_out_input_ids")

    def __init__(self, guest_id: str, block_samples: int, ceiling_db: float) -> None:
        self.guest_id = guest_id
        self.bus = np.zeros((block_samples, AUDIO_CHANNELS), np.float32)
        self.limiter = Limiter(ceiling_db, MASTER_RELEASE_MS)
        # A block of silence through the fresh limiter builds its layouts now (on attach), not
        # in the first block it is heard; silence from a zero state leaves the state at zero.
        self.limiter.process(np.zeros_like(self.bus))
        self.taps: list[AudioTap] = []
        self.left_out_input_ids: frozenset[str] = frozenset()  # the inputs that are this guest's voice


class AudioMixer:
    def __init__(self, channels: list[MixerChannel], block_samples: int, master_ceiling_db: float = -1.0) -> None:
        self.channels = channels
        self.block_samples = block_samples
        shape = (block_samples, AUDIO_CHANNELS)
        self.program = np.zeros(shape, np.float32)
        self._cues: list[list] = []  # [samples, position]: one-shot sounds mixed into program
        self.monitor = np.zeros(shape, np.float32)
        self.mix_minus = np.zeros(shape, np.float32)
        self._program_limiter = Limiter(master_ceiling_db, MASTER_RELEASE_MS)
        self._mix_minus_limiter = Limiter(master_ceiling_db, MASTER_RELEASE_MS)
        self.program_meter = PeakRmsMeter()
        self.loudness = LoudnessMeter()
        self._ramp = np.linspace(0.0, 1.0, block_samples, endpoint=False, dtype=np.float32)[:, None] + np.float32(
            1.0 / block_samples
        )
        self._scratch = np.zeros(shape, np.float32)
        self._gains = np.zeros(shape, np.float32)
        self._gain_pair = np.zeros(2, np.float32)
        self._gain_step = np.zeros(2, np.float32)
        for channel in channels:
            channel.block = np.zeros(shape, np.float32)
        self.input_failures = 0
        # Consumers outside the program thread (the guest return, an output device); the engine
        # adds and removes them between blocks.
        self.mix_minus_taps: list[AudioTap] = []
        self.monitor_taps: list[AudioTap] = []
        self._master_ceiling_db = master_ceiling_db
        # Input id -> the guest source whose voice it is (set_guest_sound); left out of the
        # device mix-minus and of that guest's return.
        self._guest_sound: dict[str, str] = {}
        self._guest_returns: dict[str, GuestReturn] = {}
        self._open_returns: tuple[GuestReturn, ...] = ()  # the same, as the block loop walks them

    def channel(self, input_id: str) -> MixerChannel:
        for channel in self.channels:
            if channel.spec.id == input_id:
                return channel
        raise KeyError(input_id)

    def set_channels(self, channels: list[MixerChannel]) -> None:
        """The inputs of an edited show (between blocks, on the program thread): kept channels
        keep their state; new ones get their block buffer here."""
        for channel in channels:
            if channel.block is None:
                channel.block = np.zeros((self.block_samples, AUDIO_CHANNELS), np.float32)
        self.channels = channels

    def set_guest_sound(self, sound_of: dict[str, str]) -> None:
        """Which inputs are a guest's own voice (input id -> guest source id), for the show's
        current inputs; between blocks, on the program thread (with set_channels on an edit)."""
        self._guest_sound = dict(sound_of)
        for guest_return in self._open_returns:
            guest_return.left_out_input_ids = self._voice_of(guest_return.guest_id)

    def attach_guest_tap(self, guest_id: str, tap: AudioTap) -> None:
        """A tap of that guest's return; its bus and limiter are made with its first tap."""
        guest_return = self._guest_returns.get(guest_id)
        if guest_return is None:
            guest_return = GuestReturn(guest_id, self.block_samples, self._master_ceiling_db)
            guest_return.left_out_input_ids = self._voice_of(guest_id)
            self._guest_returns[guest_id] = guest_return
            self._open_returns = tuple(self._guest_returns.values())
        guest_return.taps.append(tap)

    def detach_tap(self, tap: AudioTap) -> None:
        """The tap off whichever bus it reads; a guest return with no tap left is dropped, so a
        guest nobody listens for costs nothing."""
        for taps in (self.mix_minus_taps, self.monitor_taps):
            if tap in taps:
                taps.remove(tap)
        for guest_id, guest_return in list(self._guest_returns.items()):
            if tap in guest_return.taps:
                guest_return.taps.remove(tap)
                if not guest_return.taps:
                    del self._guest_returns[guest_id]
                    self._open_returns = tuple(self._guest_returns.values())

    def guest_return_ids(self) -> list[str]:
        """The guests whose return is being mixed (a tap is open)."""
        return [guest_return.guest_id for guest_return in self._open_returns]

    def _voice_of(self, guest_id: str) -> frozenset[str]:
        return frozenset(input_id for input_id, guest in self._guest_sound.items() if guest == guest_id)

    def update_channel(self, spec: AudioInputSpec) -> None:
        """New settings for an input; called between blocks (the program thread). Filters keep
        their state, so a changed threshold does not click."""
        channel = self.channel(spec.id)
        channel.spec = spec
        channel.filters.update(spec.filters)
        channel.ducker.update(spec.ducking)

    def latency_samples(self, channel: MixerChannel) -> int:
        return channel.filters.latency_samples + self._program_limiter.latency_samples

    def mix(self, start_sample: int, program_source_ids: frozenset[str] | set[str] = frozenset()) -> np.ndarray:
        """Mix the block [start_sample, start_sample + block_samples). `program_source_ids` are the
        video sources on program this tick (for follows-video). Returns the program bus; the
        monitor and mix-minus buses are in .monitor and .mix_minus. All are reused next block."""
        n = self.block_samples
        for channel in self.channels:
            channel.source.on_program_block(start_sample, n)
        # First pass: every input's audio after its filters, so ducking sees this block's triggers.
        for channel in self.channels:
            self._read(channel, start_sample)
            channel.filters.process(channel.block)
            channel.pre_fader_peak_db = _peak_db(channel.block)
        any_solo = any(channel.spec.solo for channel in self.channels)
        self.program[:] = 0.0
        self.monitor[:] = 0.0
        self.mix_minus[:] = 0.0
        guest_sound = self._guest_sound
        guest_returns = self._open_returns
        for guest_return in guest_returns:
            guest_return.bus[:] = 0.0
        for channel in self.channels:
            if channel.spec.ducking.enabled:
                trigger_db = max(
                    (c.pre_fader_peak_db for c in self.channels if c.spec.id in channel.spec.ducking.trigger_inputs),
                    default=SILENCE_DB,
                )
                channel.ducker.process(channel.block, trigger_db)
            audible = not channel.spec.muted and (
                channel.follows_source_id is None or channel.follows_source_id in program_source_ids
            )
            contribution = self._apply_gain(channel, channel.target_gains(audible))
            channel.meter.process(contribution)
            self.program += contribution
            input_id = channel.spec.id
            if not channel.spec.is_guest and input_id not in guest_sound:
                self.mix_minus += contribution
            for guest_return in guest_returns:
                if input_id not in guest_return.left_out_input_ids:
                    guest_return.bus += contribution
            if channel.spec.solo if any_solo else channel.spec.to_monitor:
                self.monitor += contribution
        self._mix_cues()
        self._program_limiter.process(self.program)
        self._mix_minus_limiter.process(self.mix_minus)
        np.clip(self.monitor, -1.0, 1.0, out=self.monitor)
        self.program_meter.process(self.program)
        self.loudness.process(self.program)
        for tap in self.mix_minus_taps:
            tap.write(self.mix_minus)
        for tap in self.monitor_taps:
            tap.write(self.monitor)
        for guest_return in guest_returns:
            guest_return.limiter.process(guest_return.bus)
            for tap in guest_return.taps:
                tap.write(guest_return.bus)
        return self.program

    def warm_up(self) -> None:
        """Before the first block: run one block of silence through every filter chain and the
        loudness meter, so their first real block does not build its filter layouts (about 12 ms
        of NumPy set-up at tick 0). Silence from a zero state leaves every state at zero; the
        loudness meter starts over afterwards."""
        silence = np.zeros((self.block_samples, AUDIO_CHANNELS), np.float32)
        for channel in self.channels:
            channel.filters.process(silence.copy())
        self.loudness.process(silence)
        self.loudness.reset()

    def play_cue(self, samples: np.ndarray) -> None:
        """Mix a short sound (a countdown beep) into program from the next block. A few at most
        play at once; an extra one replaces the oldest."""
        self._cues.append([np.asarray(samples, np.float32), 0])
        del self._cues[:-MAX_CUES]

    def _mix_cues(self) -> None:
        n = len(self.program)
        for cue in self._cues:
            samples, position = cue
            part = samples[position : position + n]
            self.program[: len(part)] += part
            cue[1] = position + n
        self._cues = [cue for cue in self._cues if cue[1] < len(cue[0])]

    def levels(self) -> AudioLevels:
        return AudioLevels(
            inputs=tuple(
                InputLevels(c.spec.id, c.meter.peak_db, c.meter.rms_db, c.meter.peak_hold_db) for c in self.channels
            ),
            program_peak_db=self.program_meter.peak_db,
            program_rms_db=self.program_meter.rms_db,
            program_peak_hold_db=self.program_meter.peak_hold_db,
            momentary_lufs=self.loudness.momentary_lufs,
            short_term_lufs=self.loudness.short_term_lufs,
        )

    def _read(self, channel: MixerChannel, start_sample: int) -> None:
        offset_samples = channel.spec.sync_offset_ms * AUDIO_SAMPLE_RATE_HZ // 1000
        # A positive offset delays: read further back. Reading ahead by the processing latency
        # keeps computed inputs exactly on time; a live input cannot be read ahead of now.
        position = start_sample - offset_samples + self.latency_samples(channel)
        max_advance = channel.source.max_advance_samples
        if max_advance is not None:
            position = min(position, start_sample + max_advance)
        try:
            np.copyto(channel.block, channel.source.read_block(position, self.block_samples))
        except Exception:  # one broken input must not silence the program
            if channel.read_failures == 0:
                log.exception("audio input %s failed", channel.spec.name)
            channel.read_failures += 1
            self.input_failures += 1
            channel.block[:] = 0.0

    def _apply_gain(self, channel: MixerChannel, target: tuple[float, float]) -> np.ndarray:
        """channel.block times its gain, ramped from the gain of the last block to the new one."""
        out = self._scratch
        previous = channel.applied_gains
        self._gain_pair[0], self._gain_pair[1] = target
        if previous[0] == target[0] and previous[1] == target[1]:
            np.multiply(channel.block, self._gain_pair, out=out)
        else:
            np.subtract(self._gain_pair, previous, out=self._gain_step)
            np.multiply(self._ramp, self._gain_step, out=self._gains)
            self._gains += previous
            np.multiply(channel.block, self._gains, out=out)
            channel.applied_gains[:] = self._gain_pair
        return out
