"""From what aiortc decoded to what the engine takes: a guest's pictures and sound.

aiortc decodes on threads of its own (one per receiver) and hands out av.VideoFrame and
av.AudioFrame objects on the service's event loop. What is left here is small: for video one
swscale pass to the engine's I420 (BT.601, limited range), with a downscale first only when the
guest sends more than their cap (a WHIP encoder may; the page asks the browser for at most the
cap); for audio a resample to 48 kHz stereo float32, which for Opus (48 kHz already) is only a
format change.
"""

from __future__ import annotations

import av
import numpy as np
from av.video.reformatter import Interpolation, VideoReformatter

from studio.engine.frames import Frame, even
from studio.engine.outputs.video_tap import fitted_size
from studio.engine.sources.base import AUDIO_CHANNELS, AUDIO_SAMPLE_RATE_HZ
from studio.engine.sources.decoded import decoded_to_engine_frame


class GuestVideoConverter:
    """One receiver's pictures to engine Frames, at most max_width x max_height (aspect kept).
    Each step keeps its own swscale context: sharing one would rebuild it on every frame."""

    def __init__(self, max_width: int, max_height: int, what: str) -> None:
        self.max_width = max_width
        self.max_height = max_height
        self.what = what
        self._scaler = VideoReformatter()
        self._converter = VideoReformatter()

    def engine_frame(self, decoded: av.VideoFrame) -> Frame:
        width, height = fitted_size(decoded.width, decoded.height, self.max_width, self.max_height)
        if (width, height) != (even(decoded.width), even(decoded.height)):
            # Same pixel format and colour tags, smaller: the conversion below reads the tags.
            decoded = self._scaler.reformat(decoded, width=width, height=height, interpolation=Interpolation.AREA)
        # captured_ns and sequence are the feed's to set (GuestFeed.push_video stamps them).
        return decoded_to_engine_frame(decoded, self._converter, captured_ns=0, sequence=0, what=self.what)


class GuestAudioConverter:
    """Any decoded audio to (n, 2) float32 at 48 kHz, the feed's format. Mono (G.711 or G.722
    from a telephone-grade client) goes to both channels at full level, as the engine's mono
    sources do; swresample's own upmix would lower it by 3 dB."""

    def __init__(self) -> None:
        self._resamplers: dict[str, av.AudioResampler] = {}

    def samples(self, decoded: av.AudioFrame) -> np.ndarray:
        mono = decoded.layout.nb_channels == 1
        layout = "mono" if mono else "stereo"
        resampler = self._resamplers.get(layout)
        if resampler is None:
            resampler = self._resamplers[layout] = av.AudioResampler(format="flt", layout=layout, rate=AUDIO_SAMPLE_RATE_HZ)
        blocks = [frame.to_ndarray().reshape(-1, 1 if mono else AUDIO_CHANNELS) for frame in resampler.resample(decoded)]
        if not blocks:
            return np.zeros((0, AUDIO_CHANNELS), np.float32)
        samples = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
        return np.repeat(samples, AUDIO_CHANNELS, axis=1) if mono else samples
