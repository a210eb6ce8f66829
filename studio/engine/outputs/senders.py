"""The sender child of each kind of destination: the FFmpeg command that takes the program's
packets (Matroska on its stdin, muxed by the destination's sender thread) to the network.

Each kind has its own module (srt_sender, whip_sender); RTMP's command is here. The engine
encodes once; a sender copies the packets (-c copy) unless its protocol needs other codecs."""

from __future__ import annotations

from studio.engine.outputs.srt_sender import srt_sender_command
from studio.engine.outputs.stream_target import StreamKind, StreamTarget

SEND_BUFFER_BYTES = 65_536

# Every sender reads the same input: the live Matroska the sender thread writes.
MATROSKA_INPUT = ["-f", "matroska", "-i", "pipe:0"]


def base_command(ffmpeg: str) -> list[str]:
    return [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "info", "-nostats", "-fflags", "+genpts"]


def rtmp_sender_command(target: StreamTarget, ffmpeg: str) -> list[str]:
    command = base_command(ffmpeg) + MATROSKA_INPUT + ["-map", "0", "-c", "copy"]
    # A small socket send buffer: congestion then backs up into our queue within a fraction
    # of a second (at streaming rates) instead of hiding in megabytes of kernel buffer,
    # so drops and adaptive bitrate react in time.
    command += ["-send_buffer_size", str(SEND_BUFFER_BYTES)]
    return command + ["-f", "flv", target.url]


def sender_command(target: StreamTarget, ffmpeg: str) -> list[str]:
    """The FFmpeg child for this target."""
    if target.kind is StreamKind.SRT:
        return srt_sender_command(target, base_command(ffmpeg) + MATROSKA_INPUT)
    if target.kind is StreamKind.WHIP:
        from studio.engine.outputs.whip_sender import whip_sender_command

        return whip_sender_command(target, base_command(ffmpeg) + MATROSKA_INPUT)
    return rtmp_sender_command(target, ffmpeg)
