"""The program encoder: H.264 video and AAC audio, encoded once for every sink.

The codec contexts live as streams of a "null" output container. That is only a host: it lets
each sink (recording now, stream senders later) copy complete codec parameters, extradata
included, with add_stream_from_template, while the encoding itself happens once here.
"""

from __future__ import annotations

import logging
import os
import platform
from fractions import Fraction

import av
import numpy as np

from studio.engine.show import Canvas, EncoderChoice, EncoderSettings
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ

log = logging.getLogger(__name__)

HARDWARE_ENCODERS = {
    EncoderChoice.NVENC: "h264_nvenc",
    EncoderChoice.QSV: "h264_qsv",
    EncoderChoice.VIDEOTOOLBOX: "h264_videotoolbox",
}


def _probe_opens(codec_name: str) -> bool:
    """True if this encoder opens here (a driver and a device are present)."""
    try:
        context = av.CodecContext.create(codec_name, "w")
        context.width, context.height = 1280, 720
        context.pix_fmt = "nv12" if codec_name.endswith(("qsv", "videotoolbox")) else "yuv420p"
        context.time_base = Fraction(1, 30)
        context.bit_rate = 2_000_000
        context.open()
        return True
    except Exception as error:  # any failure means "not usable here"
        log.debug("encoder %s not usable: %s", codec_name, error)
        return False


def choose_video_codec(choice: EncoderChoice, probe=_probe_opens) -> str:
    """The codec to use: the asked-for hardware encoder if it opens, else x264 (logged)."""
    if choice is EncoderChoice.X264:
        return "libx264"
    if choice is EncoderChoice.AUTO:
        candidates = [HARDWARE_ENCODERS[EncoderChoice.VIDEOTOOLBOX]] if platform.system() == "Darwin" else []
        candidates += [HARDWARE_ENCODERS[EncoderChoice.NVENC], HARDWARE_ENCODERS[EncoderChoice.QSV]]
    else:
        candidates = [HARDWARE_ENCODERS[choice]]
    for name in candidates:
        if name in av.codecs_available and probe(name):
            return name
    if choice is not EncoderChoice.AUTO:
        log.warning("encoder %s is not available on this machine; using x264", choice.value)
    return "libx264"


# x264's presets, fastest first: a step down moves left.
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo")
# What decides the stream headers (SPS/PPS) and differs between presets: pinned so that a faster
# preset still produces the headers every sink already has (CABAC, 8x8 transform, weighted P).
HEADER_PINNING_X264_PARAMS = "cabac=1:8x8dct=1:weightp=1"


def _video_options(
    codec_name: str, settings: EncoderSettings, gop_frames: int, preset: str | None = None, extra_x264_params: str = ""
) -> dict[str, str]:
    kbps = str(settings.bitrate_kbps) + "k"
    if codec_name == "libx264":
        # Bitrate held by a one-second VBV (maxrate = bitrate), fixed GOP (no scene-cut keyframes)
        # as streaming platforms want. Not nal-hrd=cbr: its filler data pins the rate to maxrate,
        # which cannot be changed after opening through FFmpeg, and adaptive bitrate needs to
        # lower the rate of a running encoder (set_bitrate_kbps reconfigures x264 in place).
        x264_params = f"force-cfr=1:keyint={gop_frames}:min-keyint={gop_frames}:scenecut=0"
        return {
            "preset": preset or settings.preset,
            "tune": "zerolatency",
            "forced-idr": "1",  # a keyframe asked for by a new sink is an IDR it can start on
            "maxrate": kbps,
            "bufsize": kbps,
            "x264-params": x264_params + (":" + extra_x264_params if extra_x264_params else ""),
        }
    if codec_name == "h264_nvenc":
        return {"preset": "p4", "tune": "ll", "rc": "cbr", "maxrate": kbps, "bufsize": kbps}
    if codec_name == "h264_qsv":
        return {"preset": "veryfast", "look_ahead": "0", "maxrate": kbps, "bufsize": kbps}
    return {"realtime": "1", "maxrate": kbps, "bufsize": kbps}


class ProgramEncoder:
    def __init__(self, canvas: Canvas, settings: EncoderSettings, codec_name: str | None = None) -> None:
        self.canvas = canvas
        self.settings = settings
        self.codec_name = codec_name or choose_video_codec(settings.encoder)
        self.gop_frames = max(1, settings.keyframe_interval_ms * canvas.fps // 1000)
        self.preset = settings.preset if self.codec_name == "libx264" else self.codec_name
        self._host = av.open(os.devnull, "w", format="null")
        self._pixel_format = "yuv420p" if self.codec_name == "libx264" else "nv12"

        # The host's streams are the templates every sink copies (extradata included). The
        # context that encodes is the template's own until a step down swaps in a faster one.
        self.video_stream = self._host.add_stream(self.codec_name, rate=canvas.fps)
        self._configure_video(self.video_stream.codec_context, _video_options(self.codec_name, settings, self.gop_frames))
        self._video = self.video_stream.codec_context

        self.audio_stream = self._host.add_stream("aac", rate=AUDIO_SAMPLE_RATE_HZ)
        audio = self.audio_stream.codec_context
        audio.layout = "stereo"
        audio.format = "fltp"
        audio.bit_rate = settings.audio_bitrate_kbps * 1000
        audio.time_base = Fraction(1, AUDIO_SAMPLE_RATE_HZ)
        audio.flags |= av.codec.context.Flags.global_header
        self._host.start_encoding()  # opens both encoders; their extradata is now complete

    def _configure_video(self, video, options: dict[str, str]) -> None:
        video.width, video.height = self.canvas.width, self.canvas.height
        video.pix_fmt = self._pixel_format
        video.time_base = Fraction(1, self.canvas.fps)
        video.framerate = Fraction(self.canvas.fps, 1)
        video.bit_rate = self.settings.bitrate_kbps * 1000
        video.gop_size = self.gop_frames
        video.options = options
        video.flags |= av.codec.context.Flags.global_header
        self._tag_colour(video)

    def step_down(self) -> tuple[str | None, list[av.Packet]]:
        """Swap in the next faster x264 preset whose stream headers are byte-for-byte those of
        the running encode, so the recording and every stream go on with no restart (the next
        frame must be a keyframe). Returns the new preset (None if there is no faster one with
        the same headers) and the packets the old encoder still held."""
        if self.codec_name != "libx264" or self.preset not in X264_PRESETS:
            return None, []
        wanted_headers = bytes(self.video_stream.codec_context.extradata or b"")
        current_bitrate = self._video.bit_rate
        for preset in reversed(X264_PRESETS[: X264_PRESETS.index(self.preset)]):
            for extra in ("", HEADER_PINNING_X264_PARAMS):
                candidate = av.CodecContext.create(self.codec_name, "w")
                self._configure_video(candidate, _video_options(self.codec_name, self.settings, self.gop_frames, preset, extra))
                candidate.bit_rate = current_bitrate
                candidate.open()
                if bytes(candidate.extradata or b"") == wanted_headers:
                    held = list(self._video.encode(None))
                    self._video, self.preset = candidate, preset
                    log.warning("encoder stepped down to the %s preset", preset)
                    return preset, held
        return None, []
    @staticmethod
    def _tag_colour(video) -> None:
        # The engine's pictures are BT.601 limited range (OpenCV's YUV); say so in the stream.
        for attribute, value in (("color_range", 1), ("colorspace", 6), ("color_primaries", 6), ("color_trc", 6)):
            try:
                setattr(video, attribute, value)
            except (AttributeError, TypeError, ValueError):
                pass

    @property
    def bitrate_kbps(self) -> int:
        return self._video.bit_rate // 1000

    def set_bitrate_kbps(self, kbps: int) -> None:
        """Change the target of the running encoder (FFmpeg's libx264 wrapper reconfigures x264
        when it sees a new bit_rate on the next frame). Never above the configured maxrate."""
        self._video.bit_rate = kbps * 1000

    def encode_video(self, i420: np.ndarray, frame_index: int, keyframe: bool = False) -> list[av.Packet]:
        # Wrap the program's buffer without copying: the encoder copies the picture into its own
        # frame store, and the program's output ring is longer than the encode queue.
        frame = av.VideoFrame.from_numpy_buffer(i420, format="yuv420p")
        if self._pixel_format != "yuv420p":
            frame = frame.reformat(format=self._pixel_format)
        frame.pts = frame_index
        frame.time_base = self._video.time_base
        if keyframe:  # a sink that starts now (a reconnect, a new recording) needs one at once
            frame.pict_type = av.video.frame.PictureType.I
        return self._video.encode(frame)

    def encode_audio(self, block: np.ndarray, first_sample: int) -> list[av.Packet]:
        """block: (samples, 2) float32 interleaved; first_sample: pts in 1/48000 s."""
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout="stereo")
        frame.sample_rate = AUDIO_SAMPLE_RATE_HZ
        frame.pts = first_sample
        frame.time_base = Fraction(1, AUDIO_SAMPLE_RATE_HZ)
        return self.audio_stream.codec_context.encode(frame)

    def flush(self) -> tuple[list[av.Packet], list[av.Packet]]:
        """The packets the encoders still hold: (video, audio)."""
        return list(self._video.encode(None)), list(self.audio_stream.codec_context.encode(None))

    def close(self) -> None:
        try:
            self._host.close()
        except Exception:  # the null muxer has nothing worth reporting on close
            log.debug("closing encoder host failed", exc_info=True)
