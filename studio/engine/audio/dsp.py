"""Block audio processors: high-pass, noise gate, compressor, limiter, the chain that runs them
in order, the ducker and the pan law.

Every processor works IN PLACE on one (n, 2) float32 C-contiguous block at 48 kHz, keeps its
state from block to block (any block size works: the program's 1600-sample ticks, the
benchmark's 480, one sample), and allocates no arrays per block in steady state: scratch
buffers grow to the largest block seen and per-block-length tables are built once per length.
Blocks longer than MAX_PASS_SAMPLES are processed in passes, which bounds scratch and tables.

How it stays fast without a per-sample Python loop:
- IIR filters (the high-pass here, K-weighting in meters.py) run as exact block state-space
  products (BlockIirFilter): a handful of small matrix products per block.
- Dynamics (gate, compressor, limiter) measure the signal per chunk of about 1 ms (one
  `maximum.reduceat` of |x| gives every chunk's peak, both channels together: stereo-linked
  so the image does not shift), run their envelope logic on those few chunk values with
  vectorised recurrences, and turn the gain at each chunk boundary (a "knot") into a
  per-sample gain by linear interpolation: one product with a precomputed hat-function
  matrix. A piecewise-linear gain never steps, so gain changes cannot click.
- The recurrence "hold the peak, decay exponentially" (y[j] = max(x[j], a * y[j-1])) that
  both the compressor's release and the limiter's release need becomes, in the log domain,
  a running maximum: ln y[j] + j/tau = cummax(ln x[i] + i/tau). numpy does that in one call.

Inputs are expected to be finite; NaN or inf propagate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from studio.engine.audio.tone import db_to_gain
from studio.engine.show import (
    AudioFilters,
    CompressorSettings,
    DuckingSettings,
    HighPassSettings,
    LimiterSettings,
    NoiseGateSettings,
)
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ

SAMPLES_PER_MS = AUDIO_SAMPLE_RATE_HZ / 1000.0
#: Longer blocks are processed in passes of at most this many samples.
MAX_PASS_SAMPLES = 2048
#: Dynamics look at the signal in chunks of this many samples (1 ms at 48 kHz).
DETECTOR_CHUNK_SAMPLES = 48
NEPERS_PER_DB = math.log(10.0) / 20.0
DB_PER_NEPER = 20.0 / math.log(10.0)


def ms_to_samples(milliseconds: float) -> float:
    return milliseconds * SAMPLES_PER_MS


def check_block(block: np.ndarray) -> None:
    """Processors work in place on float32 (n, 2) C-contiguous arrays; refuse anything else
    loudly rather than silently working on a copy."""
    if (
        not isinstance(block, np.ndarray)
        or block.dtype != np.float32
        or block.ndim != 2
        or block.shape[1] != AUDIO_CHANNELS
        or not block.flags.c_contiguous
        or not block.flags.writeable
    ):
        raise ValueError("expected a writeable C-contiguous float32 array of shape (n, 2)")


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power pan law: (left, right) gains for pan in [-1, 1] (-1 left, +1 right).

    left = cos(theta), right = sin(theta) with theta = (pan + 1) * pi / 4, so left**2 + right**2
    is always 1 (the loudness of a mono input does not change as it moves): full left is
    (1, 0), centre is (1/sqrt(2), 1/sqrt(2)), i.e. -3 dB in each channel, full right (0, 1)."""
    theta = (min(1.0, max(-1.0, pan)) + 1.0) * math.pi / 4.0
    left, right = math.cos(theta), math.sin(theta)
    # cos(pi/2) is 6e-17, not 0: make the hard-panned side exactly silent.
    return (left if left > 1e-12 else 0.0, right if right > 1e-12 else 0.0)


# -- IIR filters as block state-space products -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Biquad:
    """One second-order section, normalised so that a0 = 1:
    y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]."""

    b0: float
    b1: float
    b2: float
    a1: float
    a2: float


def butterworth_high_pass(cutoff_hz: float, sample_rate_hz: float = AUDIO_SAMPLE_RATE_HZ) -> Biquad:
    """2nd-order Butterworth high-pass by the bilinear transform with pre-warping (the RBJ
    cookbook high-pass with Q = 1/sqrt(2), which is exactly Butterworth): -3 dB at the cutoff,
    -12 dB per octave below it, maximally flat above it."""
    w0 = 2.0 * math.pi * cutoff_hz / sample_rate_hz
    alpha = math.sin(w0) / (2.0 * (1.0 / math.sqrt(2.0)))
    cos_w0 = math.cos(w0)
    a0 = 1.0 + alpha
    return Biquad(
        b0=(1.0 + cos_w0) / 2.0 / a0,
        b1=-(1.0 + cos_w0) / a0,
        b2=(1.0 + cos_w0) / 2.0 / a0,
        a1=-2.0 * cos_w0 / a0,
        a2=(1.0 - alpha) / a0,
    )


def _state_space(sections: Sequence[Biquad]) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(A, B, C, D) of the sections in series, each in transposed direct form II:
    y = b0 x + s1;  s1' = b1 x - a1 y + s2;  s2' = b2 x - a2 y."""
    a_matrix = np.zeros((0, 0))
    b_vector = np.zeros(0)
    c_vector = np.zeros(0)
    d = 1.0
    for section in sections:
        a_s = np.array([[-section.a1, 1.0], [-section.a2, 0.0]])
        b_s = np.array([section.b1 - section.a1 * section.b0, section.b2 - section.a2 * section.b0])
        c_s = np.array([1.0, 0.0])
        d_s = section.b0
        # Series connection: the new section's input is the cascade's output so far (C s + D x).
        size = a_matrix.shape[0]
        new_a = np.zeros((size + 2, size + 2))
        new_a[:size, :size] = a_matrix
        new_a[size:, :size] = np.outer(b_s, c_vector)
        new_a[size:, size:] = a_s
        a_matrix = new_a
        b_vector = np.concatenate([b_vector, b_s * d])
        c_vector = np.concatenate([d_s * c_vector, c_s])
        d = d_s * d
    return a_matrix, b_vector, c_vector, d


def _chunk_length_for(sample_count: int, order: int) -> int:
    """Chunk length balancing the two big products (cost ~ n*L and ~ (order*n/L)**2); a
    divisor of n near that when there is one, so the block needs no zero padding."""
    target = min(64.0, max(4.0, 1.4 * (2.0 * order * order * sample_count) ** (1.0 / 3.0)))
    for distance in range(0, int(target // 3) + 1):
        for candidate in (int(round(target)) - distance, int(round(target)) + distance):
            if candidate >= 4 and sample_count % candidate == 0:
                return candidate
    return int(round(target))


class _IirLayout:
    """Matrices and scratch for one pass length n, cut into k chunks of L samples (the last one
    r <= L samples, zero-padded when shorter). Stereo is interleaved throughout: sample m of
    channel c is column m*2+c and state q of channel c is column q*2+c, so one product serves
    both channels (the matrices are kron(..., I2)).

    Per pass, with x the input as k rows of 2L:
      E = x @ to_state            E[j]: the state chunk j alone leaves behind (zero start);
                                  the last row uses only its r real samples
      U = [s0, E[0], ..., E[k-1]]
      S = U @ propagate.T         S[j]: the state at the start of chunk j; S[k]: after the pass
      y = x @ to_output + S[:k] @ state_to_output
    The sample-domain products (x, y) run in float32 like the audio itself; the state
    recursion across chunks and blocks runs in float64, so rounding never accumulates."""

    def __init__(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, d: float, sample_count: int) -> None:
        order = a.shape[0]
        chunk = _chunk_length_for(sample_count, order)
        chunks = -(-sample_count // chunk)
        last = sample_count - (chunks - 1) * chunk
        self.sample_count, self.chunk, self.chunks = sample_count, chunk, chunks
        self.padded = last != chunk
        powers = [np.eye(order)]
        for _ in range(chunk):
            powers.append(a @ powers[-1])
        eye2 = np.eye(2)
        impulse = np.array([d] + [c @ powers[i] @ b for i in range(chunk - 1)])
        toeplitz = np.zeros((chunk, chunk))  # toeplitz[i, m]: output i from input m
        for i in range(chunk):
            toeplitz[i, : i + 1] = impulse[i::-1]
        self.to_output = np.kron(toeplitz.T, eye2).astype(np.float32)
        to_state = np.stack([powers[chunk - 1 - m] @ b for m in range(chunk)], axis=1)
        last_to_state = np.stack(
            [powers[last - 1 - m] @ b if m < last else np.zeros(order) for m in range(chunk)], axis=1
        )
        self.to_state = np.kron(to_state.T, eye2).astype(np.float32)
        self.last_to_state = np.kron(last_to_state.T, eye2).astype(np.float32)
        self.state_to_output = np.kron(np.stack([c @ powers[i] for i in range(chunk)]).T, eye2).astype(np.float32)
        chunk_step = powers[chunk]
        step_powers = [np.eye(order)]
        for _ in range(chunks):
            step_powers.append(chunk_step @ step_powers[-1])
        propagate = np.zeros(((chunks + 1) * order, (chunks + 1) * order))
        for j in range(chunks):
            rows = slice(j * order, (j + 1) * order)
            propagate[rows, 0:order] = step_powers[j]
            for i in range(j):
                propagate[rows, (i + 1) * order : (i + 2) * order] = step_powers[j - 1 - i]
        rows = slice(chunks * order, (chunks + 1) * order)
        propagate[rows, 0:order] = powers[last] @ step_powers[chunks - 1]
        for i in range(chunks - 1):
            propagate[rows, (i + 1) * order : (i + 2) * order] = powers[last] @ step_powers[chunks - 2 - i]
        propagate[rows, chunks * order :] = np.eye(order)
        self.propagate_t = np.ascontiguousarray(np.kron(propagate, eye2).T)
        self.padded_inputs = np.zeros((chunks, 2 * chunk), np.float32)  # only used when padded
        self.chunk_states32 = np.zeros((chunks, 2 * order), np.float32)
        self.states_in = np.zeros((chunks + 1, 2 * order))
        self.states_in_flat = self.states_in.reshape(-1)
        self.states = np.zeros((chunks + 1, 2 * order))
        self.states_flat = self.states.reshape(-1)
        self.zero_state_outputs = np.zeros((chunks, 2 * chunk), np.float32)
        self.state_outputs = np.zeros((chunks, 2 * chunk), np.float32)


class BlockIirFilter:
    """A cascade of biquads on stereo float32 blocks: exact up to float32 rounding of the audio,
    any block length, state kept between blocks, no per-block allocation."""

    MAX_LAYOUTS = 4

    def __init__(self, sections: Sequence[Biquad]) -> None:
        self._set_sections(sections)
        self._state = np.zeros(2 * self._order)  # interleaved (state q, channel c) -> q*2+c
        self._last_pass: tuple[_IirLayout, int] | None = None

    def _set_sections(self, sections: Sequence[Biquad]) -> None:
        self.sections = tuple(sections)
        self._a, self._b, self._c, self._d = _state_space(self.sections)
        self._order = self._a.shape[0]
        self._layouts: dict[int, _IirLayout] = {}

    def reset(self) -> None:
        self._state[:] = 0.0
        self._last_pass = None

    def process(self, block: np.ndarray, out: np.ndarray | None = None) -> None:
        """Filter `block` ((n, 2) float32) into `out` (same shape and type; None: in place)."""
        out = block if out is None else out
        n = block.shape[0]
        if n <= MAX_PASS_SAMPLES:
            self.filter_pass(block, out)
            return
        for start in range(0, n, MAX_PASS_SAMPLES):
            self.filter_pass(block[start : start + MAX_PASS_SAMPLES], out[start : start + MAX_PASS_SAMPLES])

    def filter_pass(self, block: np.ndarray, out: np.ndarray) -> None:
        """Filter at most MAX_PASS_SAMPLES samples; `out` may be `block`."""
        n = block.shape[0]
        if n == 0:
            return
        layout = self._layouts.get(n) or self._new_layout(n)
        k = layout.chunks
        states_in = layout.states_in
        states_in[0] = self._state
        if layout.padded:
            rows = layout.padded_inputs
            flat = rows.reshape(-1)
            flat[: 2 * n] = block.reshape(-1)
            flat[2 * n :] = 0.0
            np.dot(rows[: k - 1], layout.to_state, out=layout.chunk_states32[: k - 1])
            np.dot(rows[k - 1], layout.last_to_state, out=layout.chunk_states32[k - 1])
        else:
            rows = block.reshape(k, 2 * layout.chunk)
            np.dot(rows, layout.to_state, out=layout.chunk_states32)
        states_in[1:] = layout.chunk_states32
        np.dot(layout.states_in_flat, layout.propagate_t, out=layout.states_flat)
        self._state[:] = layout.states[k]
        layout.chunk_states32[:] = layout.states[:k]
        np.dot(rows, layout.to_output, out=layout.zero_state_outputs)
        np.dot(layout.chunk_states32, layout.state_to_output, out=layout.state_outputs)
        if layout.padded:
            np.add(layout.zero_state_outputs, layout.state_outputs, out=layout.zero_state_outputs)
            out.reshape(-1)[:] = layout.zero_state_outputs.reshape(-1)[: 2 * n]
        else:
            np.add(layout.zero_state_outputs, layout.state_outputs, out=out.reshape(k, 2 * layout.chunk))
        self._last_pass = (layout, n)

    def _new_layout(self, sample_count: int) -> _IirLayout:
        if len(self._layouts) >= self.MAX_LAYOUTS:
            self._layouts.pop(next(iter(self._layouts)))
        layout = _IirLayout(self._a, self._b, self._c, self._d, sample_count)
        self._layouts[sample_count] = layout
        return layout

    def set_history(self, inputs: np.ndarray, outputs: np.ndarray) -> None:
        """Single-section filters only: set the state as if the last two inputs and outputs
        (each (2, 2): [older, newer] x channel) had just gone through this filter."""
        if len(self.sections) != 1:
            raise ValueError("set_history needs a single biquad")
        s = self.sections[0]
        x2, x1 = inputs[0], inputs[1]
        y2, y1 = outputs[0], outputs[1]
        self._state[0::2] = s.b1 * x1 + s.b2 * x2 - s.a1 * y1 - s.a2 * y2  # s1 of each channel
        self._state[1::2] = s.b2 * x1 - s.a2 * y1  # s2 of each channel
        self._last_pass = None

    def _history(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(inputs, outputs) of the last two samples, each (2, 2) [older, newer] x channel.

        Nothing is copied per block for this: the outputs are still in the scratch of the last
        pass, and a single biquad's inputs follow from its state and outputs (invert set_history)."""
        if self._last_pass is None or self._last_pass[1] < 2 or len(self.sections) != 1:
            return None
        s = self.sections[0]
        if abs(s.b2) < 1e-12:
            return None
        layout, n = self._last_pass
        last_two = slice(2 * n - 4, 2 * n)
        outputs = layout.zero_state_outputs.reshape(-1)[last_two].astype(np.float64).reshape(2, 2)
        if not layout.padded:  # else the padded pass already added the state part in place
            outputs += layout.state_outputs.reshape(-1)[last_two].reshape(2, 2)
        y2, y1 = outputs[0], outputs[1]
        s1, s2 = self._state[0::2], self._state[1::2]
        x1 = (s2 + s.a2 * y1) / s.b2
        x2 = (s1 - s.b1 * x1 + s.a1 * y1 + s.a2 * y2) / s.b2
        return np.stack([x2, x1]), outputs

    def replace_sections(self, sections: Sequence[Biquad]) -> None:
        """New coefficients, same signal: a single section continues from the last two samples
        (direct form I semantics: what keeps a cutoff change click-free); a cascade keeps its
        state vector."""
        history = self._history() if len(sections) == 1 else None
        old_state = self._state
        self._set_sections(sections)
        self._state = np.zeros(2 * self._order)
        self._last_pass = None
        if history is not None:
            self.set_history(*history)
        elif old_state.shape[0] == self._state.shape[0]:
            self._state[:] = old_state


# -- chunked gain curves -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _ChunkGrid:
    """How a pass of `sample_count` samples is cut into detector chunks, and how per-chunk gains
    become per-sample gains.

    Chunk j covers samples [knot_positions[j], knot_positions[j + 1]); all chunks are
    `chunk_samples` long except possibly the last. `lookahead_chunks` more chunks of the same
    length follow the pass (the limiter's lookahead). Gains are given at the knots (0 = the
    previous pass's last knot, then the end of each chunk) and interpolated linearly."""

    sample_count: int
    chunk_samples: int
    chunk_count: int
    lookahead_chunks: int
    knot_positions: np.ndarray  # (chunk_count + 1,) float64
    chunk_ends: np.ndarray  # knot_positions[1:]
    peak_starts: np.ndarray  # (chunk_count + lookahead_chunks,) start of each chunk in the interleaved |x|
    interpolation: np.ndarray  # (2 * sample_count, chunk_count + 1) float32: interleaved gain = this @ knots


@lru_cache(maxsize=64)
def _chunk_grid(sample_count: int, chunk_samples: int, lookahead_chunks: int = 0) -> _ChunkGrid:
    starts = np.arange(0, sample_count, chunk_samples)
    knots = np.append(starts, sample_count).astype(np.float64)
    count = starts.shape[0]
    lookahead_starts = sample_count + chunk_samples * np.arange(lookahead_chunks)
    peak_starts = (2 * np.concatenate([starts, lookahead_starts])).astype(np.intp)
    samples = np.arange(sample_count)
    chunk_of_sample = samples // chunk_samples
    lengths = np.diff(knots)
    fraction = (samples - starts[chunk_of_sample]) / lengths[chunk_of_sample]
    interpolation = np.zeros((sample_count, count + 1), np.float32)
    interpolation[samples, chunk_of_sample] = 1.0 - fraction
    interpolation[samples, chunk_of_sample + 1] = fraction
    interleaved = np.repeat(interpolation, AUDIO_CHANNELS, axis=0)
    for array in (knots, peak_starts, interleaved):
        array.flags.writeable = False
    return _ChunkGrid(
        sample_count, chunk_samples, count, lookahead_chunks, knots, knots[1:], peak_starts, interleaved
    )


class _GainScratch:
    """Scratch for the gate, compressor and limiter: |x|, chunk peaks, knots and the gain curve.
    Each buffer grows to the largest pass seen and is then reused."""

    def __init__(self) -> None:
        self.magnitudes = np.zeros(0, np.float32)
        self.peaks32 = np.zeros(0, np.float32)
        self.peaks = np.zeros(0)
        self.knots32 = np.zeros(0, np.float32)
        self.gain = np.zeros(0, np.float32)

    def chunk_peaks(self, grid: _ChunkGrid, samples_flat: np.ndarray) -> np.ndarray:
        """Peak |x| of each chunk (both channels together), float32 (chunks + lookahead,)."""
        size, count = samples_flat.shape[0], grid.peak_starts.shape[0]
        if self.magnitudes.shape[0] < size:
            self.magnitudes = np.zeros(size, np.float32)
        if self.peaks32.shape[0] < count:
            self.peaks32, self.peaks = np.zeros(count, np.float32), np.zeros(count)
        magnitudes = self.magnitudes[:size]
        np.abs(samples_flat, out=magnitudes)
        peaks = self.peaks32[:count]
        np.maximum.reduceat(magnitudes, grid.peak_starts, out=peaks)
        return peaks

    def peaks_float64(self, peaks32: np.ndarray) -> np.ndarray:
        """The chunk peaks as float64 (envelope arithmetic runs in float64)."""
        peaks = self.peaks[: peaks32.shape[0]]
        np.copyto(peaks, peaks32)
        return peaks

    def knots_buffer(self, count: int) -> np.ndarray:
        if self.knots32.shape[0] < count:
            self.knots32 = np.zeros(count, np.float32)
        return self.knots32[:count]

    def apply(self, grid: _ChunkGrid, knots32: np.ndarray, source_flat: np.ndarray, out_flat: np.ndarray) -> None:
        """out = source * the gain interpolated linearly between the knots (interleaved)."""
        size = source_flat.shape[0]
        if self.gain.shape[0] < size:
            self.gain = np.zeros(size, np.float32)
        gain = self.gain[:size]
        np.dot(grid.interpolation, knots32, out=gain)
        np.multiply(source_flat, gain, out=out_flat)


# -- processors ----------------------------------------------------------------------------------


class PassProcessor:
    """A block processor that works in passes of at most MAX_PASS_SAMPLES, which bounds its
    scratch buffers and tables. Subclasses implement _process_pass()."""

    def process(self, block: np.ndarray) -> None:
        check_block(block)
        self._process(block)

    def _process(self, block: np.ndarray) -> None:
        """Unchecked: for FilterChain, which checks the block once for all its processors."""
        n = block.shape[0]
        if n <= MAX_PASS_SAMPLES:
            self._process_pass(block)
            return
        for start in range(0, n, MAX_PASS_SAMPLES):
            self._process_pass(block[start : start + MAX_PASS_SAMPLES])

    def _process_pass(self, block: np.ndarray) -> None:
        raise NotImplementedError


class HighPassFilter:
    """2nd-order Butterworth high-pass at settings.cutoff_hz, per-channel state.

    Turning it on or off crossfades filtered and unfiltered sound over one block; a new cutoff
    continues from the last samples (see BlockIirFilter.replace_sections). Both are click-free."""

    def __init__(self, settings: HighPassSettings) -> None:
        self.settings = settings
        self._filter = BlockIirFilter([butterworth_high_pass(settings.cutoff_hz)])
        self._running = settings.enabled
        self._fade: str | None = None  # "in" or "out" for the block after a toggle

    @property
    def active(self) -> bool:
        """Whether process() does anything (a chain may skip it otherwise)."""
        return self._running or self._fade is not None

    def update(self, settings: HighPassSettings) -> None:
        if settings.cutoff_hz != self.settings.cutoff_hz:
            self._filter.replace_sections([butterworth_high_pass(settings.cutoff_hz)])
        if settings.enabled != self._running:
            # A second toggle before any audio went through cancels the first.
            self._fade = None if self._fade is not None else ("in" if settings.enabled else "out")
            self._running = settings.enabled
        self.settings = settings

    def process(self, block: np.ndarray) -> None:
        check_block(block)
        self._process(block)

    def _process(self, block: np.ndarray) -> None:
        if self._fade is None:
            if self._running:
                self._filter.process(block)
            return
        if block.shape[0] > 0:
            self._crossfade(block)

    def _crossfade(self, block: np.ndarray) -> None:
        """One block after a toggle: fade between the unfiltered and the filtered sound. Rare, so
        it may allocate."""
        n = block.shape[0]
        dry = block.copy()
        if self._fade == "in":
            # The filter slept while bypassed: start it as if the first sample had been there
            # forever (a high-pass's steady output for a constant is 0), so no DC step.
            first = block[0].astype(np.float64)
            self._filter.set_history(np.stack([first, first]), np.zeros((2, 2)))
        self._filter.process(block)
        # A raised-cosine fade: its slope starts and ends at zero, so not even a corner.
        ramp = (0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 1.0) / n)).astype(np.float32)[:, None]
        if self._fade == "out":
            ramp = 1.0 - ramp
        block[:] = dry + (block - dry) * ramp
        self._fade = None


class NoiseGate(PassProcessor):
    """Mutes the input while it is quiet.

    Opens when a 1 ms chunk's peak goes above open_threshold_db; once open it stays open while
    the level stays above close_threshold_db, and for hold_ms after it last was; then closes.
    The gain ramps linearly (in amplitude) from closed (silence) to open in attack_ms and back in
    release_ms, so opening and closing never click. A new gate starts open. Disabled, it ramps
    open and then does nothing (`active` goes False)."""

    def __init__(self, settings: NoiseGateSettings) -> None:
        self._scratch = _GainScratch()
        self._engaged = True  # hysteresis state: True between "above open" and "below close"
        self._engaged_at_samples = 0.0  # where it last was engaged, relative to the next block's start
        self._gain = 1.0  # gain at the end of the last block
        self._work = np.zeros((3, 0))
        self._flags = np.zeros((3, 0), bool)
        self.update(settings)

    def update(self, settings: NoiseGateSettings) -> None:
        """New settings; the gate's state (open or closed, its gain) carries on."""
        self.settings = settings
        self._open_level = db_to_gain(settings.open_threshold_db)
        # A close threshold above the open one would make it chatter: cap it at the open one.
        self._close_level = min(db_to_gain(settings.close_threshold_db), self._open_level)
        self._hold_samples = ms_to_samples(settings.hold_ms)
        self._rise_per_sample = 1.0 / max(1.0, ms_to_samples(settings.attack_ms))
        self._fall_per_sample = 1.0 / max(1.0, ms_to_samples(settings.release_ms))

    @property
    def active(self) -> bool:
        return self.settings.enabled or self._gain != 1.0

    @property
    def gain(self) -> float:
        """Current gain, 0 (closed) to 1 (open)."""
        return self._gain

    def _process_pass(self, block: np.ndarray) -> None:
        n = block.shape[0]
        if n == 0:
            return
        flat = block.reshape(-1)
        grid = _chunk_grid(n, DETECTOR_CHUNK_SAMPLES)
        if not self.settings.enabled:
            self._ramp(grid, flat, opening=True)
            self._engaged, self._engaged_at_samples = True, 0.0
            return
        peaks = self._scratch.chunk_peaks(grid, flat)
        # Fast paths for the steady states: open with the signal above the close threshold,
        # or closed, past the hold, with it below the open threshold.
        if self._gain == 1.0 and self._engaged and np.minimum.reduce(peaks) > self._close_level:
            self._engaged_at_samples = 0.0
            return
        if (
            self._gain == 0.0
            and not self._engaged
            and -self._engaged_at_samples > self._hold_samples
            and np.maximum.reduce(peaks) <= self._open_level
        ):
            flat.fill(0.0)
            self._engaged_at_samples -= n
            return

        k = grid.chunk_count
        if self._work.shape[1] < k:
            self._work = np.zeros((3, k))
            self._flags = np.zeros((3, k), bool)
        last_above, last_below, last_engaged = self._work[0, :k], self._work[1, :k], self._work[2, :k]
        above, below, open_ = self._flags[0, :k], self._flags[1, :k], self._flags[2, :k]
        ends = grid.chunk_ends
        # Hysteresis without a loop: a chunk is engaged when the latest "above open" event is
        # more recent than the latest "below close" event (events are stamped with their chunk's
        # end position; where neither happened yet the previous state decides: the +-0.5 bias).
        np.greater(peaks, self._open_level, out=above)
        np.less_equal(peaks, self._close_level, out=below)
        np.multiply(above, ends, out=last_above)
        np.maximum.accumulate(last_above, out=last_above)
        np.multiply(below, ends, out=last_below)
        np.maximum.accumulate(last_below, out=last_below)
        np.add(last_below, -0.5 if self._engaged else 0.5, out=last_below)
        engaged = above  # reuse the buffer
        np.greater(last_above, last_below, out=engaged)
        # Hold: open while within hold_samples of the last engaged chunk (engaged chunks stamp
        # their end; the others carry the previous stamp: carried + engaged * (end - carried)).
        carried = self._engaged_at_samples
        np.subtract(ends, carried, out=last_engaged)
        np.multiply(last_engaged, engaged, out=last_engaged)
        np.add(last_engaged, carried, out=last_engaged)
        np.maximum.accumulate(last_engaged, out=last_engaged)
        self._engaged = bool(engaged[k - 1])
        self._engaged_at_samples = float(last_engaged[k - 1]) - n
        np.subtract(ends, last_engaged, out=last_engaged)
        np.less_equal(last_engaged, self._hold_samples, out=open_)
        if open_.all():
            self._ramp(grid, flat, opening=True)
        elif not open_.any():
            self._ramp(grid, flat, opening=False)
        else:  # a transition inside this block: a short loop over its chunks
            knots = self._scratch.knots_buffer(k + 1)
            gain, previous_end = self._gain, 0.0
            knots[0] = gain
            for j, (end, is_open) in enumerate(zip(ends.tolist(), open_.tolist())):
                if is_open:
                    gain = min(1.0, gain + self._rise_per_sample * (end - previous_end))
                else:
                    gain = max(0.0, gain - self._fall_per_sample * (end - previous_end))
                knots[j + 1] = gain
                previous_end = end
            self._scratch.apply(grid, knots, flat, flat)
            self._gain = gain

    def _ramp(self, grid: _ChunkGrid, flat: np.ndarray, opening: bool) -> None:
        """Every chunk wants the same state: the gain slews toward it at a constant rate."""
        target = 1.0 if opening else 0.0
        if self._gain == target:
            if not opening:
                flat.fill(0.0)
            return
        k = grid.chunk_count
        if self._work.shape[1] < k:
            self._work = np.zeros((3, k))
            self._flags = np.zeros((3, k), bool)
        ramp = self._work[0, :k]
        np.multiply(grid.chunk_ends, self._rise_per_sample if opening else -self._fall_per_sample, out=ramp)
        np.add(ramp, self._gain, out=ramp)
        if opening:
            np.minimum(ramp, 1.0, out=ramp)
        else:
            np.maximum(ramp, 0.0, out=ramp)
        knots = self._scratch.knots_buffer(k + 1)
        knots[0] = self._gain
        knots[1:] = ramp
        self._scratch.apply(grid, knots, flat, flat)
        self._gain = float(ramp[k - 1])


class Compressor(PassProcessor):
    """Feed-forward compressor with a soft knee, stereo-linked.

    Level: the peak of each 1 ms chunk. Static curve: above threshold_db the output rises
    1/ratio dB per input dB; the knee is KNEE_WIDTH_DB wide (quadratic), so the onset is
    gentle. The gain reduction is smoothed in two stages (the "smooth decoupled" detector of
    Giannoulis, Massberg & Reiss, 2012): a peak hold that decays with the release_ms time
    constant, then a one-pole smoother with the attack_ms time constant. Then makeup_gain_db is
    added (a change of makeup slews at MAKEUP_SLEW_DB_PER_MS). Disabled, it releases to unity
    and then does nothing (`active` goes False). Levels and gains are in nepers inside
    (1 Np = 8.686 dB), which saves conversions."""

    KNEE_WIDTH_DB = 6.0
    MAKEUP_SLEW_DB_PER_MS = 0.5
    #: Below this much reduction (nepers, ~1e-5 dB) the compressor counts as at rest.
    REST = 1e-6

    def __init__(self, settings: CompressorSettings) -> None:
        self._scratch = _GainScratch()
        self._held = 0.0  # release stage state: held reduction, nepers
        self._reduction = 0.0  # attack stage state: the reduction applied at the last knot
        self._makeup = 0.0  # makeup applied at the last knot, nepers
        self._tables: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._work = np.zeros((3, 0))
        self.update(settings)

    def update(self, settings: CompressorSettings) -> None:
        """New settings; the smoothed gain reduction carries on, so nothing jumps."""
        self.settings = settings
        slope = 1.0 - 1.0 / settings.ratio
        self._log_slope = math.log(slope) if slope > 0 else -math.inf
        self._knee = self.KNEE_WIDTH_DB * NEPERS_PER_DB
        self._knee_start_level = db_to_gain(settings.threshold_db - self.KNEE_WIDTH_DB / 2.0)
        self._release_samples = max(1.0, ms_to_samples(settings.release_ms))
        self._attack_samples = ms_to_samples(settings.attack_ms)
        self._tables.clear()

    @property
    def active(self) -> bool:
        return self.settings.enabled or not self._at_rest() or self._makeup != 0.0

    @property
    def gain_reduction_db(self) -> float:
        """The reduction applied at the end of the last block (>= 0 dB), for a meter."""
        return self._reduction * DB_PER_NEPER

    def _at_rest(self) -> bool:
        return self._held <= self.REST and self._reduction <= self.REST

    def _tables_for(self, grid: _ChunkGrid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(release ramp, release ramp + ln slope, negated attack matrix) for this pass length.

        release ramp[j] = knot position / release time constant, for the log-domain peak hold;
        the ln(slope) term applies the curve's slope inside the log (saves a product per block).
        Attack: y = M @ [y0, v1..vk] unrolls the one-pole y[j] = a_j y[j-1] + (1 - a_j) v[j],
        a_j = exp(-chunk length / attack time constant); negated, it gives -y directly."""
        tables = self._tables.get(grid.sample_count)
        if tables is None:
            if len(self._tables) >= 8:
                self._tables.clear()
            ramp = grid.knot_positions / self._release_samples
            k = grid.chunk_count
            lengths = np.diff(grid.knot_positions)
            retain = np.exp(-lengths / self._attack_samples) if self._attack_samples > 0 else np.zeros(k)
            matrix = np.zeros((k + 1, k + 1))
            matrix[0, 0] = 1.0
            for j in range(1, k + 1):
                matrix[j] = retain[j - 1] * matrix[j - 1]
                matrix[j, j] += 1.0 - retain[j - 1]
            tables = (ramp, ramp[1:] + self._log_slope, -matrix)
            self._tables[grid.sample_count] = tables
        return tables

    def _process_pass(self, block: np.ndarray) -> None:
        n = block.shape[0]
        if n == 0:
            return
        flat = block.reshape(-1)
        grid = _chunk_grid(n, DETECTOR_CHUNK_SAMPLES)
        settings = self.settings
        makeup_target = settings.makeup_gain_db * NEPERS_PER_DB if settings.enabled else 0.0
        scratch = self._scratch
        peaks32 = scratch.chunk_peaks(grid, flat)
        quiet = not settings.enabled or np.maximum.reduce(peaks32) <= self._knee_start_level
        if quiet and self._makeup == makeup_target and self._at_rest():
            # Fast path: nothing to reduce and nothing still releasing: a constant gain.
            self._held = self._reduction = 0.0
            if makeup_target != 0.0:
                np.multiply(flat, np.float32(math.exp(makeup_target)), out=flat)
            return

        k = grid.chunk_count
        if self._work.shape[1] < k + 1:
            self._work = np.zeros((3, k + 1))
        held, gain, knee_part = self._work[0, : k + 1], self._work[1, : k + 1], self._work[2, 1 : k + 1]
        ramp, ramp_with_slope, attack_matrix = self._tables_for(grid)
        reduction = held[1:]
        if quiet or self._log_slope == -math.inf:
            reduction.fill(0.0)
        else:
            # Static curve over the chunks, in nepers, before the slope (applied in the log below):
            # y = ln(max(peak, knee start)) - ln(knee start) >= 0,  W = knee width,
            # reduction / slope = max(y - W, 0) + min(y, W)**2 / (2 W).
            knee = self._knee
            np.maximum(scratch.peaks_float64(peaks32), self._knee_start_level, out=reduction)
            np.log(reduction, out=reduction)
            np.subtract(reduction, math.log(self._knee_start_level), out=reduction)
            np.minimum(reduction, knee, out=knee_part)
            np.subtract(reduction, knee_part, out=reduction)
            np.multiply(knee_part, knee_part, out=knee_part)
            np.multiply(knee_part, 0.5 / knee, out=knee_part)
            np.add(reduction, knee_part, out=reduction)
        # Release: peak hold with exponential decay, as a running max in the log domain.
        np.maximum(reduction, self.REST / 10.0, out=reduction)
        np.log(reduction, out=reduction)
        np.add(reduction, ramp_with_slope, out=reduction)
        held[0] = math.log(max(self._held, self.REST / 10.0))
        np.maximum.accumulate(held, out=held)
        np.subtract(held, ramp, out=held)
        np.exp(held, out=held)
        self._held = float(held[k])
        # Attack: the one-pole smoother, unrolled into a (negated) matrix product.
        held[0] = self._reduction
        np.dot(attack_matrix, held, out=gain)
        self._reduction = -float(gain[k])
        # Gain at each knot = makeup - reduction (nepers), then to amplitude.
        if self._makeup != makeup_target:
            step = self.MAKEUP_SLEW_DB_PER_MS * NEPERS_PER_DB / SAMPLES_PER_MS
            makeup = self._work[2, : k + 1]
            np.multiply(grid.knot_positions, step if makeup_target > self._makeup else -step, out=makeup)
            np.add(makeup, self._makeup, out=makeup)
            (np.minimum if makeup_target > self._makeup else np.maximum)(makeup, makeup_target, out=makeup)
            self._makeup = float(makeup[k])
            np.add(gain, makeup, out=gain)
        elif self._makeup != 0.0:
            np.add(gain, self._makeup, out=gain)
        np.exp(gain, out=gain)
        knots = scratch.knots_buffer(k + 1)
        knots[:] = gain
        scratch.apply(grid, knots, flat, flat)


class Limiter(PassProcessor):
    """Brick-wall lookahead limiter: no output sample's magnitude ever exceeds ceiling_db.

    The output is delayed by `latency_samples` (lookahead_ms, rounded up to a multiple of 3
    samples) so the gain can start falling before a peak arrives. The pass plus the lookahead
    is cut into chunks of a third of the lookahead; chunk j needs at most gain
    R_j = ceiling / peak_j. The gain at each knot is at most the R of both chunks it touches (so
    the straight line between two knots stays under every R it spans: that is the guarantee),
    and at most a linear ramp (in dB) toward the R of the next two chunks (the attack: the gain
    glides down over the lookahead instead of stepping). Released, the reduction decays
    exponentially (in dB) with the release_ms time constant.

    Disabled, it stops reducing (what is left releases as usual) but keeps its delay, so
    switching it never shifts the sound in time."""

    LOOKAHEAD_CHUNKS = 3
    #: The ceiling used inside is this much lower, so float32 rounding can never overshoot.
    SAFETY = 1.0 - 1e-5
    #: A reduction below this (nepers) counts as none.
    REST = 1e-9

    def __init__(self, ceiling_db: float, release_ms: float, lookahead_ms: float = 1.5) -> None:
        if lookahead_ms <= 0:
            raise ValueError("lookahead_ms must be positive")
        self._chunk_samples = max(1, math.ceil(ms_to_samples(lookahead_ms) / self.LOOKAHEAD_CHUNKS))
        self.latency_samples = self._chunk_samples * self.LOOKAHEAD_CHUNKS
        # The delay line: [the last latency_samples input samples | the block being processed].
        self._line = np.zeros((self.latency_samples, AUDIO_CHANNELS), np.float32)
        self._scratch = _GainScratch()
        self._reduction = 0.0  # -ln(gain) at the last knot
        self._ramps: dict[int, np.ndarray] = {}
        self._work = np.zeros((3, 0))
        self.ceiling_db, self.enabled = ceiling_db, True
        self.update(ceiling_db, release_ms)

    def update(self, ceiling_db: float, release_ms: float, enabled: bool = True) -> None:
        """New settings; the current reduction carries on. A lower ceiling, or switching the
        limiter on, holds from the very next output sample (the gain may step down once then:
        the guarantee comes first)."""
        self._tightened = ceiling_db < self.ceiling_db or (enabled and not self.enabled)
        self.ceiling_db, self.release_ms, self.enabled = ceiling_db, release_ms, enabled
        self._ceiling = db_to_gain(ceiling_db) * self.SAFETY
        self._log_ceiling = math.log(self._ceiling)
        self._release_samples = max(1.0, ms_to_samples(release_ms))
        self._ramps.clear()

    @property
    def gain_reduction_db(self) -> float:
        return self._reduction * DB_PER_NEPER

    def _process_pass(self, block: np.ndarray) -> None:
        n = block.shape[0]
        if n == 0:
            return
        delay = self.latency_samples
        if self._line.shape[0] < delay + n:  # a longer block than ever: keep the delayed samples
            longer = np.zeros((delay + n, AUDIO_CHANNELS), np.float32)
            longer[:delay] = self._line[:delay]
            self._line = longer
        line = self._line[: delay + n]
        line[delay:] = block
        line_flat = line.reshape(-1)
        grid = _chunk_grid(n, self._chunk_samples, self.LOOKAHEAD_CHUNKS)
        peaks32 = self._scratch.chunk_peaks(grid, line_flat)
        if self._reduction == 0.0 and (not self.enabled or np.maximum.reduce(peaks32) <= self._ceiling):
            # Fast path: nothing over the ceiling in sight and nothing releasing: a pure delay.
            block[:] = line[:n]
        else:
            self._limit(grid, peaks32, line_flat[: 2 * n], block.reshape(-1))
        line[:delay] = line[n : n + delay]  # numpy copes with the overlap when n < delay
        self._tightened = False

    def _limit(self, grid: _ChunkGrid, peaks32: np.ndarray, source_flat: np.ndarray, out_flat: np.ndarray) -> None:
        k = grid.chunk_count
        if self._work.shape[1] < k + self.LOOKAHEAD_CHUNKS + 1:
            self._work = np.zeros((3, k + self.LOOKAHEAD_CHUNKS + 1))
        needed = self._work[0, : k + self.LOOKAHEAD_CHUNKS]
        knots64 = self._work[1, : k + 1]
        ramped = self._work[2, :k]
        if self.enabled:
            # The reduction each chunk needs, nepers: ln(max(peak, ceiling)) - ln(ceiling) >= 0.
            np.maximum(self._scratch.peaks_float64(peaks32), self._ceiling, out=needed)
            np.log(needed, out=needed)
            np.subtract(needed, self._log_ceiling, out=needed)
        else:
            needed.fill(0.0)
        if self._tightened:  # the first knot was set under looser rules: honour chunk 0 now
            self._reduction = max(self._reduction, float(needed[0]))
        # Knot i (the end of chunk i-1) honours chunks i-1 and i fully and glides toward chunks
        # i+1 and i+2 (2/3 and 1/3 of their need): the lookahead attack.
        reduction = knots64[1:]
        np.maximum(needed[0:k], needed[1 : k + 1], out=reduction)
        np.multiply(needed[2 : k + 2], 2.0 / 3.0, out=ramped)
        np.maximum(reduction, ramped, out=reduction)
        np.multiply(needed[3 : k + 3], 1.0 / 3.0, out=ramped)
        np.maximum(reduction, ramped, out=reduction)
        # Release: r[i] = max(needed_i, r[i-1] * decay), a running max in the log domain.
        ramp = self._ramps.get(grid.sample_count)
        if ramp is None:
            ramp = grid.knot_positions / self._release_samples
            self._ramps[grid.sample_count] = ramp
        np.maximum(reduction, self.REST, out=reduction)
        np.log(reduction, out=reduction)
        np.add(reduction, ramp[1:], out=reduction)
        knots64[0] = math.log(max(self._reduction, self.REST))
        np.maximum.accumulate(knots64, out=knots64)
        np.subtract(knots64, ramp, out=knots64)
        np.exp(knots64, out=knots64)
        last = float(knots64[k])
        # At rest once the reduction is negligible (1e-8 Np), far inside SAFETY.
        self._reduction = 0.0 if last < 1e-8 else last
        np.negative(knots64, out=knots64)
        np.exp(knots64, out=knots64)
        knots = self._scratch.knots_buffer(k + 1)
        knots[:] = knots64
        self._scratch.apply(grid, knots, source_flat, out_flat)


class FilterChain:
    """An input's filters in the show's order: high-pass, noise gate, compressor, limiter.

    The processors live as long as the chain: update() hands them new settings and they carry
    their state on (a new threshold does not reset anything). Switching one on or off is
    click-free: the high-pass crossfades; the gate and compressor glide back to unity gain before
    they drop out. The limiter's lookahead delay is there whether the limiter is enabled or not,
    so `latency_samples` is constant and toggling never shifts the input in time.

    Not thread-safe (no processor here is): call update() on the thread that calls process(),
    between blocks."""

    def __init__(self, filters: AudioFilters, lookahead_ms: float = 1.5) -> None:
        self.filters = filters
        self.high_pass = HighPassFilter(filters.high_pass)
        self.noise_gate = NoiseGate(filters.noise_gate)
        self.compressor = Compressor(filters.compressor)
        limiter: LimiterSettings = filters.limiter
        self.limiter = Limiter(limiter.ceiling_db, limiter.release_ms, lookahead_ms)
        self.limiter.update(limiter.ceiling_db, limiter.release_ms, enabled=limiter.enabled)

    @property
    def latency_samples(self) -> int:
        return self.limiter.latency_samples

    def update(self, filters: AudioFilters) -> None:
        self.high_pass.update(filters.high_pass)
        self.noise_gate.update(filters.noise_gate)
        self.compressor.update(filters.compressor)
        limiter = filters.limiter
        self.limiter.update(limiter.ceiling_db, limiter.release_ms, enabled=limiter.enabled)
        self.filters = filters

    def process(self, block: np.ndarray) -> None:
        check_block(block)
        if self.high_pass.active:
            self.high_pass._process(block)
        if self.noise_gate.active:
            self.noise_gate._process(block)
        if self.compressor.active:
            self.compressor._process(block)
        self.limiter._process(block)


class Ducker:
    """The gain that lowers one input (music) while a trigger input (the host) is loud.

    Each block the caller passes the loudest trigger input's peak for that block (dBFS). Above
    threshold_db the gain slides linearly (in dB) from 0 dB to depth_db in attack_ms; once every
    trigger is below it, back to 0 dB in release_ms. The gain moves sample by sample inside a
    block (no steps). Disabled, it releases to 0 dB."""

    def __init__(self, settings: DuckingSettings) -> None:
        self.settings = settings
        self._gain_db = 0.0
        self._ramp = np.zeros(0, np.float32)
        self._positions = np.zeros(0, np.float32)

    def update(self, settings: DuckingSettings) -> None:
        self.settings = settings

    @property
    def gain_db(self) -> float:
        """The gain at the end of the last block, dB (0 = not ducked)."""
        return self._gain_db

    def gain_ramp(self, trigger_peak_db: float, block_samples: int) -> np.ndarray | float:
        """Advance by one block: the gain (amplitude) for each of its samples. A float when the
        gain is constant for the whole block, else a float32 (block_samples,) array in an
        internal buffer that the next call overwrites."""
        settings = self.settings
        ducking = settings.enabled and trigger_peak_db > settings.threshold_db
        target_db = settings.depth_db if ducking else 0.0
        start_db = self._gain_db
        if start_db == target_db or block_samples == 0:
            return db_to_gain(start_db)
        depth_db = max(1e-9, -settings.depth_db)
        if target_db < start_db:
            step_db = -depth_db / max(1.0, ms_to_samples(settings.attack_ms))
            end_db = max(target_db, start_db + step_db * block_samples)
        else:
            step_db = depth_db / max(1.0, ms_to_samples(settings.release_ms))
            end_db = min(target_db, start_db + step_db * block_samples)
        self._gain_db = end_db
        if self._positions.shape[0] < block_samples:
            self._positions = np.arange(1, block_samples + 1, dtype=np.float32)
            self._ramp = np.zeros(block_samples, np.float32)
        ramp = self._ramp[:block_samples]
        # gain(s) = start + step * (s + 1) dB, stopped at the target, then to amplitude.
        np.multiply(self._positions[:block_samples], np.float32(step_db * NEPERS_PER_DB), out=ramp)
        np.add(ramp, np.float32(start_db * NEPERS_PER_DB), out=ramp)
        (np.maximum if step_db < 0 else np.minimum)(ramp, np.float32(target_db * NEPERS_PER_DB), out=ramp)
        np.exp(ramp, out=ramp)
        return ramp

    def process(self, block: np.ndarray, trigger_peak_db: float) -> None:
        """Duck `block` in place according to this block's trigger level."""
        check_block(block)
        gain = self.gain_ramp(trigger_peak_db, block.shape[0])
        if isinstance(gain, float):
            if gain != 1.0:
                np.multiply(block, np.float32(gain), out=block)
        else:
            np.multiply(block, gain[:, None], out=block)
