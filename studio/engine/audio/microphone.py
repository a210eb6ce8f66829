"""MicrophoneInput: a capture device through PortAudio (sounddevice), as a live AudioSource.

Three threads touch it, each with one job:
- PortAudio's callback thread copies each delivered chunk into an AudioRingBuffer and counts
  the status flags. Nothing else: any Python work there risks an input overflow.
- The program thread, once per block (on_program_block), pulls exactly one block through the
  DriftCompensator into a short history addressed by program sample index; read_block() reads
  that history, so a positive sync offset is a read into the past.
- A supervisor thread owns the stream: it opens it, watches that audio keeps arriving and,
  when the device goes away (a stream error, or nothing delivered for 500 ms), closes it and
  re-opens it with exponential backoff until it works again. Meanwhile the program gets
  silence and the gap is counted; the show never waits for a device.

The supervisor hands a freshly opened stream (with its own ring and compensator) to the
program thread by publishing one _CaptureSession object: a single attribute store, so neither
side ever needs a lock the other could hold for long.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from studio.engine.audio.drift import DriftCompensator, DriftSettings
from studio.engine.audio.history import ProgramAudioHistory
from studio.engine.audio.ring import AudioRingBuffer
from studio.engine.backoff import Backoff, ReconnectPolicy
from studio.engine.clock import NS_PER_MS, MediaClock
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ, AudioSource, AudioStatus

log = logging.getLogger(__name__)

PORTAUDIO_MISSING = "PortAudio library not found (install libportaudio2)"
SOUNDDEVICE_MISSING = "the sounddevice package is not installed"


def import_sounddevice() -> ModuleType:
    # Imported when a microphone is made, not at module import: sounddevice raises OSError at
    # import when the PortAudio library is missing, and that must only silence microphones.
    import sounddevice

    return sounddevice


def load_portaudio(load_sounddevice: Callable[[], ModuleType]) -> tuple[ModuleType | None, str]:
    """(sounddevice, "") or (None, why it cannot be used): missing PortAudio only makes audio
    devices unavailable, it never stops the app."""
    try:
        return load_sounddevice(), ""
    except OSError:
        return None, PORTAUDIO_MISSING
    except ImportError:
        return None, SOUNDDEVICE_MISSING


class MicrophoneNotFound(Exception):
    """The device the show names is not attached (or PortAudio does not list it)."""


@dataclass(frozen=True, slots=True)
class MicrophoneTuning:
    # Asked of PortAudio as a number, not 'low': ALSA's pulse plugin (the usual Linux default
    # device) delivers only part of the audio at its 'low' latency, while 20 ms is steady there
    # and still short next to a video frame.
    stream_latency_s: float = 0.02
    # None: the program rate (48 kHz) if the device accepts it, so nothing needs resampling
    # beyond drift; else the device's default rate (44.1 kHz devices), resampled here.
    sample_rate_hz: int | None = None
    ring_ms: int = 1000  # the device may run this far ahead of the program before audio is dropped
    history_ms: int = 2500  # covers the largest sync offset (2 s) plus a block
    stall_timeout_ms: int = 500  # a device that delivers nothing for this long is lost
    # ...except right after opening: the first stream a process opens through ALSA's pulse
    # plugin takes 0.5-2 s to deliver its first audio, and giving up on it then would only
    # start that wait again.
    first_audio_timeout_ms: int = 3000
    watch_interval_ms: int = 100
    # No jitter: one machine's microphones have no server to stampede, and exact waits keep the
    # virtual-clock tests repeatable.
    reopen_policy: ReconnectPolicy = ReconnectPolicy(first_delay_ms=250, factor=2.0, max_delay_ms=5000)
    join_timeout_s: float = 5.0
    drift: DriftSettings = DriftSettings()


@dataclass(frozen=True, slots=True)
class InputStreamRequest:
    """What the microphone asks of a stream opener (sounddevice's, or a test's fake)."""

    device: int | str | None
    sample_rate_hz: int | None
    latency_s: float
    callback: Callable[[np.ndarray, int, Any, Any], None]  # (indata, frames, time, status)
    finished_callback: Callable[[], None]


class InputStreamLike(Protocol):
    """The part of sounddevice.InputStream the microphone uses."""

    samplerate: float
    channels: int

    @property
    def active(self) -> bool: ...

    def start(self) -> None: ...

    def close(self) -> None: ...


OpenInputStream = Callable[[InputStreamRequest], InputStreamLike]


@dataclass(frozen=True, slots=True)
class MicrophoneInfo:
    index: int
    name: str
    channels: int
    default_sample_rate_hz: float
    host_api: str


@dataclass(frozen=True, slots=True)
class MicrophoneCounters:
    overflows: int  # audio lost before it reached the program: device flags + ring overflows
    underflows: int  # device underflow flags + program blocks the device could not fill
    gap_samples: int  # program samples of silence because the device was missing or late
    dropped_samples: int  # device samples dropped because the ring was full
    reopen_count: int  # successful re-opens after the device was lost
    reopen_attempts: int
    drift_ppm: float  # the device's rate error against the program clock (+ = fast)
    latency_ms: float  # smoothed fill of the ring: the device-to-program delay beyond one block
    sample_rate_hz: float


def list_microphones(sounddevice: ModuleType) -> list[MicrophoneInfo]:
    """Input devices as PortAudio lists them. Raises what sounddevice raises."""
    host_apis = [host_api["name"] for host_api in sounddevice.query_hostapis()]
    microphones = []
    for index, device in enumerate(sounddevice.query_devices()):
        if device.get("max_input_channels", 0) <= 0:
            continue
        host_api_index = device.get("hostapi", -1)
        microphones.append(
            MicrophoneInfo(
                index=index,
                name=device["name"],
                channels=int(device["max_input_channels"]),
                default_sample_rate_hz=float(device["default_samplerate"]),
                host_api=host_apis[host_api_index] if 0 <= host_api_index < len(host_apis) else "unknown host API",
            )
        )
    return microphones


def parse_device(device: int | str | None) -> int | str | None:
    """The show's `device` setting: None/empty = the default input, digits = an index, else a name."""
    if device is None or isinstance(device, int):
        return device
    text = device.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def resolve_input_device(sounddevice: ModuleType, device: int | str | None) -> int | None:
    """A PortAudio device index (None = the default input), or MicrophoneNotFound. A name
    matches exactly first, then as a unique case-insensitive part of a device name."""
    try:
        microphones = list_microphones(sounddevice)
    except Exception as error:  # PortAudioError when the audio system cannot start
        raise MicrophoneNotFound(f"cannot list audio devices: {error}") from None
    names = ", ".join(m.name for m in microphones) or "none"
    if device is None:
        try:
            sounddevice.query_devices(kind="input")
        except Exception:
            raise MicrophoneNotFound(f"no default microphone (inputs: {names})") from None
        return None
    if isinstance(device, int):
        if any(m.index == device for m in microphones):
            return device
        raise MicrophoneNotFound(f"no microphone with index {device} (inputs: {names})")
    exact = [m for m in microphones if m.name == device]
    if exact:
        return exact[0].index
    partial = [m for m in microphones if device.lower() in m.name.lower()]
    if len(partial) == 1:
        return partial[0].index
    if partial:
        raise MicrophoneNotFound(f"{device!r} matches several microphones: {', '.join(m.name for m in partial)}")
    raise MicrophoneNotFound(f"no microphone named {device!r} (inputs: {names})")


def sounddevice_stream_opener(sounddevice: ModuleType) -> OpenInputStream:
    """The real opener: a float32 sounddevice.InputStream of at most two channels."""

    def open_stream(request: InputStreamRequest) -> InputStreamLike:
        device = resolve_input_device(sounddevice, request.device)
        info = sounddevice.query_devices(device, "input")
        channels = min(AUDIO_CHANNELS, int(info["max_input_channels"]))
        sample_rate_hz = request.sample_rate_hz
        if sample_rate_hz is None:
            try:
                sounddevice.check_input_settings(
                    device=device, channels=channels, dtype="float32", samplerate=AUDIO_SAMPLE_RATE_HZ
                )
                sample_rate_hz = AUDIO_SAMPLE_RATE_HZ
            except Exception:  # the device cannot do 48 kHz: take its own rate and resample
                sample_rate_hz = int(info["default_samplerate"])
        return sounddevice.InputStream(
            device=device,
            samplerate=sample_rate_hz,
            channels=channels,
            dtype="float32",
            latency=request.latency_s,
            callback=request.callback,
            finished_callback=request.finished_callback,
        )

    return open_stream


class _CaptureSession:
    """One opened stream with its ring and compensator; replaced whole when the device re-opens.
    Made before the stream so that its bound method can be the callback; attach() sizes the
    ring to the stream's rate and channels before the stream starts."""

    def __init__(self) -> None:
        self.stream: InputStreamLike | None = None
        self.ring: AudioRingBuffer | None = None
        self.compensator: DriftCompensator | None = None
        self.finished = threading.Event()
        self.input_overflows = 0
        self.input_underflows = 0

    def attach(self, stream: InputStreamLike, ring: AudioRingBuffer, compensator: DriftCompensator) -> None:
        self.stream, self.ring, self.compensator = stream, ring, compensator

    def on_audio(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio's callback thread: copy and count, nothing else."""
        if status:
            if status.input_overflow:
                self.input_overflows += 1
            if status.input_underflow:
                self.input_underflows += 1
        self.ring.write(indata)  # type: ignore[union-attr]  # attached before the stream starts

    def on_finished(self) -> None:
        """PortAudio calls this when the stream stops, including on a device error."""
        self.finished.set()


class MicrophoneInput(AudioSource):
    max_advance_samples = 0  # live: nothing exists beyond the current program block

    def __init__(
        self,
        spec: Any,
        clock: MediaClock,
        *,
        open_stream: OpenInputStream | None = None,
        load_sounddevice: Callable[[], ModuleType] = import_sounddevice,
        tuning: MicrophoneTuning = MicrophoneTuning(),
    ) -> None:
        """`spec` is an AudioInputSpec or anything with `.device` (name, index or None) and
        `.name`. `open_stream` replaces sounddevice (tests inject a fake device)."""
        self.name = str(getattr(spec, "name", "microphone"))
        self.device = parse_device(getattr(spec, "device", None))
        self.clock = clock
        self.tuning = tuning
        self._status: tuple[AudioStatus, str] = (AudioStatus.STARTING, "")
        self._ever_live = False

        history_samples = tuning.history_ms * AUDIO_SAMPLE_RATE_HZ // 1000
        self._history = ProgramAudioHistory(history_samples)
        self._block = np.zeros((0, AUDIO_CHANNELS), np.float32)

        self._published: _CaptureSession | None = None  # written by the supervisor only
        self._active: _CaptureSession | None = None  # the program thread's copy of it
        self._lost_gap_samples = 0
        self._retired_gap_samples = 0
        self._retired_underruns = 0
        self._retired_ring_overflows = 0
        self._retired_input_overflows = 0
        self._retired_input_underflows = 0
        self._retired_dropped_samples = 0
        self.reopen_count = 0
        self.reopen_attempts = 0
        self._next_supervision_ns = -1
        self._supervision_moved = threading.Condition()
        self._supervisor_done = False
        self._reopen_backoff = Backoff(tuning.reopen_policy)  # the supervisor thread's alone

        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if open_stream is None:
            sounddevice, reason = load_portaudio(load_sounddevice)
            if sounddevice is None:
                self._status = (AudioStatus.UNAVAILABLE, reason)
                return
            open_stream = sounddevice_stream_opener(sounddevice)
        self._open_stream = open_stream
        self._thread = threading.Thread(target=self._supervise, name=f"microphone {self.name}", daemon=True)
        self._thread.start()

    # -- AudioSource -----------------------------------------------------------------------

    def status(self) -> tuple[AudioStatus, str]:
        return self._status

    def on_program_block(self, start_sample: int, sample_count: int) -> None:
        session = self._published
        if session is not self._active:
            self._retire(self._active)
            self._active = session
        if len(self._block) != sample_count:
            self._block = np.zeros((sample_count, AUDIO_CHANNELS), np.float32)
        block = self._block
        if session is None:
            block[:] = 0.0
            if self._status[0] is AudioStatus.LOST:
                self._lost_gap_samples += sample_count
        else:
            session.compensator.process_into(block)
        self._history.store(start_sample, block)

    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        return self._history.read(start_sample, sample_count)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(self.tuning.join_timeout_s)
            if self._thread.is_alive():
                log.warning(
                    "microphone %s: the device did not close within %.0f s", self.name, self.tuning.join_timeout_s
                )
        self._status = (AudioStatus.CLOSED, "")

    stop = close

    # -- what the GUI and tests read -------------------------------------------------------

    def counters(self) -> MicrophoneCounters:
        published, active = self._published, self._active
        overflows = self._retired_input_overflows + self._retired_ring_overflows
        underflows = self._retired_input_underflows + self._retired_underruns
        dropped = self._retired_dropped_samples
        gap = self._lost_gap_samples + self._retired_gap_samples
        if published is not None:
            overflows += published.input_overflows + published.ring.overflow_count
            underflows += published.input_underflows
            dropped += published.ring.dropped_samples
        if active is not None:
            underflows += active.compensator.underrun_count
            gap += active.compensator.gap_samples
        compensator = active.compensator if active is not None else None
        return MicrophoneCounters(
            overflows=overflows,
            underflows=underflows,
            gap_samples=gap,
            dropped_samples=dropped,
            reopen_count=self.reopen_count,
            reopen_attempts=self.reopen_attempts,
            drift_ppm=compensator.drift_ppm if compensator else 0.0,
            latency_ms=compensator.smoothed_fill_ms if compensator else 0.0,
            sample_rate_hz=compensator.input_rate_hz if compensator else 0.0,
        )

    @property
    def gap_samples(self) -> int:
        return self.counters().gap_samples

    @property
    def drift_ppm(self) -> float:
        return self.counters().drift_ppm

    @property
    def next_supervision_ns(self) -> int:
        """Clock time at which the supervisor looks at the device next (-1 before it first
        waits or after it stopped)."""
        return self._next_supervision_ns

    def wait_until_supervised(self, clock_ns: int, timeout_s: float) -> bool:
        """Block until the supervisor has done everything due up to `clock_ns` (its next look is
        later) or it has stopped. On a virtual clock, tests call this before moving the clock on,
        so every open attempt and loss happens at exactly the clock time it is due."""
        with self._supervision_moved:
            return self._supervision_moved.wait_for(
                lambda: self._next_supervision_ns > clock_ns or self._supervisor_done or self._thread is None,
                timeout_s,
            )

    # -- program thread helpers ------------------------------------------------------------

    def _retire(self, session: _CaptureSession | None) -> None:
        """Fold the program-side counts of a replaced session into the totals."""
        if session is None:
            return
        self._retired_gap_samples += session.compensator.gap_samples
        self._retired_underruns += session.compensator.underrun_count

    # -- supervisor thread -----------------------------------------------------------------

    def _supervise(self) -> None:
        backoff = self._reopen_backoff
        while not self._stop.is_set():
            session = self._try_open()
            if session is not None:
                self._published = session
                delivered = self._watch(session)
                self._published = None
                self._close_stream(session)
                if self._stop.is_set():
                    break
                if delivered:  # it worked for a while: start the backoff over
                    backoff.reset()
            if not self._wait_ms(backoff.next_delay_ms()):
                break
        with self._supervision_moved:
            self._next_supervision_ns = -1
            self._supervisor_done = True
            self._supervision_moved.notify_all()

    def _try_open(self) -> _CaptureSession | None:
        reopening = self._ever_live
        if reopening:
            self.reopen_attempts += 1
        session = _CaptureSession()
        request = InputStreamRequest(
            device=self.device,
            sample_rate_hz=self.tuning.sample_rate_hz,
            latency_s=self.tuning.stream_latency_s,
            callback=session.on_audio,
            finished_callback=session.on_finished,
        )
        try:
            stream = self._open_stream(request)
        except MicrophoneNotFound as error:
            self._fail(str(error))
            return None
        except Exception as error:  # PortAudioError: busy, unsupported settings, device gone
            self._fail(f"cannot open the device: {error}")
            return None
        sample_rate_hz = float(stream.samplerate)
        ring = AudioRingBuffer(max(1, int(sample_rate_hz * self.tuning.ring_ms / 1000)), int(stream.channels))
        # A re-opened device primes inside the outage, so its priming silence counts as gap.
        compensator = DriftCompensator(
            ring, sample_rate_hz, AUDIO_SAMPLE_RATE_HZ, self.tuning.drift, priming_counts_as_gap=reopening
        )
        session.attach(stream, ring, compensator)
        try:
            stream.start()
        except Exception as error:
            self._close_stream(session)
            self._fail(f"cannot start the device: {error}")
            return None
        if reopening:
            self.reopen_count += 1
            log.info("microphone %s: re-opened", self.name)
            self._status = (AudioStatus.LOST, "device re-opened, waiting for audio")
        else:
            self._status = (AudioStatus.STARTING, "waiting for audio")
        return session

    def _watch(self, session: _CaptureSession) -> bool:
        """Until the device is lost or we are stopped; True if it delivered any audio."""
        tuning = self.tuning
        last_written = session.ring.written_total_samples
        last_progress_ns = self.clock.now_ns()
        delivered = False
        while self._wait_ms(tuning.watch_interval_ms):
            now_ns = self.clock.now_ns()
            written = session.ring.written_total_samples
            if written != last_written:
                last_written, last_progress_ns = written, now_ns
                if not delivered:
                    delivered = True
                    self._ever_live = True
                    self._status = (AudioStatus.LIVE, "")
            stream = session.stream
            if session.finished.is_set() or (stream is not None and not stream.active):
                self._fail("the device stopped (unplugged or failed)")
                return delivered
            timeout_ms = tuning.stall_timeout_ms if delivered else tuning.first_audio_timeout_ms
            # Progress is seen at a look, up to one interval after it came: >= keeps the
            # silence between stall_timeout_ms and one interval more.
            if now_ns - last_progress_ns >= timeout_ms * NS_PER_MS:
                self._fail(f"no audio from the device for {timeout_ms} ms")
                return delivered
        return delivered

    def _fail(self, reason: str) -> None:
        """Lost if it had worked before, else unavailable; either way we keep trying."""
        state = AudioStatus.LOST if self._ever_live else AudioStatus.UNAVAILABLE
        if self._status != (state, reason):
            log.warning("microphone %s %s: %s", self.name, state, reason)
        self._status = (state, reason)

    def _close_stream(self, session: _CaptureSession) -> None:
        stream, session.stream = session.stream, None
        if stream is not None:
            try:
                stream.close()
            except Exception as error:  # closing a vanished device may complain; it is gone anyway
                log.debug("microphone %s: close failed: %s", self.name, error)
        self._retired_input_overflows += session.input_overflows
        self._retired_input_underflows += session.input_underflows
        self._retired_ring_overflows += session.ring.overflow_count
        self._retired_dropped_samples += session.ring.dropped_samples

    def _wait_ms(self, milliseconds: int) -> bool:
        """A bounded, interruptible wait on the media clock; False when we are stopping."""
        deadline_ns = self.clock.now_ns() + milliseconds * NS_PER_MS
        with self._supervision_moved:
            self._next_supervision_ns = deadline_ns
            self._supervision_moved.notify_all()
        return self.clock.wait_until(deadline_ns, self._stop) and not self._stop.is_set()
