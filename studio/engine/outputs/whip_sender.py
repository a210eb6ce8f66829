"""The WHIP sender child (RFC 9725, OBS 30's "WHIP" service): FFmpeg's `whip` muxer.

WebRTC receivers take H.264 constrained baseline (no B-frames, no CABAC) and Opus, while the
engine's one encode is H.264 High and AAC, so this sender re-encodes both; the other senders
copy. Why a child and not PyAV in process: the PyPI PyAV's FFmpeg fails the DTLS handshake, and
its muxer would hold the GIL through the handshake (measured here). The imageio-ffmpeg binary
(FFmpeg 9) has the muxer.

Latency: the child reads the one live Matroska stream the sender thread writes, audio and video
interleaved by the engine's clock (two inputs read on their own would be interleaved by FFmpeg
with 100-200 ms of waiting). Each stage is set so that it holds no frame back:
- the H.264 decoder runs one thread (frame threading holds a frame per thread) with low_delay;
- libx264 superfast + zerolatency (no lookahead, no B-frames, sliced threads), a keyframe every
  second (a WebRTC viewer that joins or loses a packet waits at most that), VBV of one second;
  superfast rather than veryfast: 2.9 s instead of 3.5 s of CPU per 12 s of 720p30;
- Opus in its low-delay mode (CELT only: 2.5 ms lookahead) with 10 ms frames, so a picture
  waits at most 10 ms in FFmpeg's interleaving queue for the sound that goes with it.

The bearer token is on the child's command line (`-authorization`): FFmpeg 9 reads AVOptions only
from its arguments (its `-/option file` form is for FFmpeg's own options, and the muxer's
`authorization` is not one of those; checked with this binary), and the static binary reads no
environment for it. So another local user can read the token in /proc/<pid>/cmdline while the
child runs, unless /proc is mounted with hidepid=2. FFmpeg prints the token only at
`-loglevel debug` ("Authorization: Bearer ..." and the option's value); senders run at `info`,
and the sender thread scrubs every line it keeps.

Live marker: FFmpeg prints "Output #0" only once the muxer's header is written, which for WHIP
is after the offer/answer, ICE and the DTLS/SRTP handshake (measured: 0.11 s on loopback): the
same line that marks the other senders live.

Congestion: FFmpeg's WHIP muxer sends RTP over UDP at the rate it encodes and answers NACKs from
its history, but takes no bandwidth estimate from the receiver; a UDP send never blocks, so the
sender thread's queue does not fill either. The bitrate is the destination's, fixed per
connection.
"""

from __future__ import annotations

from studio.engine.outputs.low_delay import LOW_DELAY_MUXING
from studio.engine.outputs.stream_target import StreamTarget

DEFAULT_WHIP_BITRATE_KBPS = 2500
KEYFRAME_INTERVAL_S = 1
OPUS_BITRATE_KBPS = 128
OPUS_FRAME_MS = 10
# How long FFmpeg waits for the offer/answer, ICE and DTLS together before giving up (ms); then
# the reconnect policy takes over.
HANDSHAKE_TIMEOUT_MS = 5000


def whip_sender_command(
    target: StreamTarget, input_command: list[str], bitrate_kbps: int = DEFAULT_WHIP_BITRATE_KBPS
) -> list[str]:
    """`input_command` ends with `-i pipe:0`; the decoder's options must come before it."""
    if bitrate_kbps <= 0:
        raise ValueError(f"a WHIP destination's bitrate must be a positive number of kbps, got {bitrate_kbps}")
    *reading, pipe = input_command
    if reading[-1:] != ["-i"]:
        raise ValueError("expected an input command ending with -i <input>")
    decoder = ["-threads", "1", "-flags", "low_delay"]
    video = [
        "-c:v", "libx264", "-profile:v", "baseline", "-preset", "superfast", "-tune", "zerolatency",
        "-pix_fmt", "yuv420p", "-bf", "0",
        # A keyframe at each whole second of media time, whatever the show's frame rate, and no
        # others (scene cuts would add keyframes WebRTC receivers do not need).
        "-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_INTERVAL_S})", "-g", "100000", "-sc_threshold", "0",
        "-b:v", f"{bitrate_kbps}k", "-maxrate", f"{bitrate_kbps}k", "-bufsize", f"{bitrate_kbps}k",
    ]  # fmt: skip
    audio = [
        "-c:a", "libopus", "-application", "lowdelay", "-frame_duration", str(OPUS_FRAME_MS),
        "-b:a", f"{OPUS_BITRATE_KBPS}k", "-ar", "48000", "-ac", "2",
    ]  # fmt: skip
    # dtls_active: FFmpeg offers to be the DTLS client, so it sends its ClientHello as soon as ICE
    # is through. Offering actpass let aiortc pick the client role, and FFmpeg's server side then
    # lost the first ClientHello to a 1 s retransmission: 1.07 s to live instead of 0.11 s.
    whip = ["-f", "whip", "-handshake_timeout", str(HANDSHAKE_TIMEOUT_MS), "-whip_flags", "dtls_active"]
    if target.bearer_token:
        whip += ["-authorization", target.bearer_token]
    return [
        *reading[:-1], *decoder, reading[-1], pipe, "-map", "0:v:0", "-map", "0:a:0", *video, *audio, *LOW_DELAY_MUXING,
        *whip, target.url,
    ]  # fmt: skip
