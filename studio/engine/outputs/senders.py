"""The sender child of each kind of destination: the FFmpeg command that takes the program's
packets (Matroska on its stdin, muxed by the destination's sender thread) to the network.

Each kind has its own module (srt_sender, whip_sender); RTMP's command is here. The engine
encodes once; a sender copies the packets (-c copy) unless its protocol needs other codecs."""

from __future__ import annotations

from studio.engine.outputs.low_delay import LOW_DELAY_MUXING
from studio.engine.outputs.srt_sender import srt_sender_command
from studio.engine.outputs.stream_target import StreamKind, StreamTarget

SEND_BUFFER_BYTES = 65_536

# Every sender reads the same input: the live Matroska the sender thread writes.
MATROSKA_INPUT = ["-f", "matroska", "-i", "pipe:0"]


def base_command(ffmpeg: str) -> list[str]:
    return [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "info", "-nostats", "-fflags", "+genpts"]


def rtmp_sender_command(target: StreamTarget, ffmpeg: str) -> list[str]:
    command = base_command(ffmpeg) + MATROSKA_INPUT + ["-map", "0", "-c", "copy"] + LOW_DELAY_MUXING
    # A small socket send buffer: congestion then backs up into our queue within a fraction
    # of a second (at streaming rates) instead of hiding in megabytes of kernel buffer,
    # so drops and adaptive bitrate react in time.
    command += ["-send_buffer_size", str(SEND_BUFFER_BYTES)]
    return command + ["-f", "flv", target.url]


def quotes_no_reason(target: StreamTarget, line: str) -> bool:
    """Whether an error-looking line of this target's child says nothing the user can act on, so
    the next one is kept as the reason: FFmpeg's WHIP muxer first prints "Failed to request url=...
    offer: v=0" and the SDP it sent, then the HTTP status ("401 Unauthorized") in the next error."""
    return target.kind is StreamKind.WHIP and "Failed to request url=" in line


def sender_command(target: StreamTarget, ffmpeg: str, bitrate_kbps: int | None = None) -> list[str]:
    """The FFmpeg child for this target. `bitrate_kbps`: the destination's, for a sender that
    re-encodes (WHIP); the others copy the engine's packets."""
    if target.kind is StreamKind.SRT:
        return srt_sender_command(target, base_command(ffmpeg) + MATROSKA_INPUT)
    if target.kind is StreamKind.WHIP:
        from studio.engine.outputs.whip_sender import whip_sender_command

        bitrate = {"bitrate_kbps": bitrate_kbps} if bitrate_kbps else {}
        return whip_sender_command(target, base_command(ffmpeg) + MATROSKA_INPUT, **bitrate)
    return rtmp_sender_command(target, ffmpeg)
