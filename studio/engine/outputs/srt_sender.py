"""The SRT sender child: the commands that take the program's packets to an SRT destination.

Two ways, chosen by what is installed (measured here through a network namespace dropping packets
towards the receiver, see README "SRT that holds"):
- preferred: FFmpeg muxes MPEG-TS to its stdout, piped into `srt-live-transmit` (libsrt's own
  tool, Debian's srt-tools). It takes every libsrt option (packet-filter FEC, peer idle timeout)
  and prints libsrt's statistics (RTT, retransmissions, drops, send buffer) as JSON lines,
  which the destination shows and which tell a slow link from a dead one.
- fallback: FFmpeg's own libsrt (the imageio-ffmpeg binary): no FEC, no statistics.

A destination's URL carries its settings in FFmpeg's names and units (DestinationSpec.full_url,
or typed on the command line); `live_transmit_uri` turns them into libsrt's (latency in ms).
"""

from __future__ import annotations

import shutil
from urllib.parse import parse_qsl, urlsplit

from studio.engine.outputs.low_delay import LOW_DELAY_MUXING
from studio.engine.outputs.stream_target import StreamTarget

# The latency a connection gets when the user left it empty: 4x the round trip SRT measured on
# the destination's last connection, and never under this floor. Measured (veth, 60 s, ~4 Mbit/s
# MPEG-TS, uncapped bandwidth): at 10 % random loss 120 ms already loses nothing on an idle
# machine, but with one core kept busy 200 ms lost a whole GOP (1741 of 1800 intact) and 500 ms
# nothing (1793 of 1793): a seller's laptop is never idle, so 500 ms. At 30 % a lost
# retransmission waits for the next periodic loss report (>= 20 ms each, ~11 rounds needed over
# a minute): 300 ms still lost 2 packets a minute and 400 ms none on an idle machine; a link that
# bad is told to the user (README) to set 1000 ms, which also held on a loaded one.
MIN_DEFAULT_LATENCY_MS = 500
LATENCY_RTT_FACTOR = 4
# A caller repeats its handshake every 250 ms for this long, so a link that returns during an
# attempt is back within a quarter second; then the reconnect policy waits (1 s, 1.5 s, ...) and
# tries again. Short enough that a host with nothing listening shows RECONNECTING in 3 s.
CONNECT_TIMEOUT_MS = 3000
# MPEG-TS packets are 188 bytes; 7 of them fill one SRT packet (what SRT receivers expect).
TS_PAYLOAD_BYTES = 7 * 188

# FFmpeg's libsrt option names (and units) that libsrt's own tools spell differently.
_FFMPEG_MICROSECOND_OPTIONS = {"latency": "latency", "rcvlatency": "rcvlatency", "peerlatency": "peerlatency"}
_FFMPEG_RENAMED_OPTIONS = {"connect_timeout": "conntimeo", "payload_size": "payloadsize", "pkt_size": "payloadsize",
                           "srt_streamid": "streamid", "tlpktdrop": "tlpktdrop", "nakreport": "nakreport"}
# FFmpeg-only options with no libsrt socket option behind them.
_FFMPEG_ONLY_OPTIONS = {"timeout", "listen_timeout", "send_buffer_size", "recv_buffer_size", "smoother", "tsbpd"}


def live_transmit_binary() -> str | None:
    """srt-live-transmit, if installed (Debian: srt-tools)."""
    return shutil.which("srt-live-transmit")


def default_latency_ms(measured_rtt_ms: float | None) -> int:
    if not measured_rtt_ms:
        return MIN_DEFAULT_LATENCY_MS
    return max(MIN_DEFAULT_LATENCY_MS, round(LATENCY_RTT_FACTOR * measured_rtt_ms))


def url_options(url: str) -> dict[str, str]:
    """The query of an srt:// URL (FFmpeg's names), decoded."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def latency_ms_of(url: str, measured_rtt_ms: float | None) -> int:
    options = url_options(url)
    if "latency" in options:
        try:
            return max(0, int(options["latency"]) // 1000)  # FFmpeg's microseconds
        except ValueError:
            pass
    return default_latency_ms(measured_rtt_ms)


def is_listener(url: str) -> bool:
    return url_options(url).get("mode", "caller") == "listener"


def srt_problem(target: StreamTarget, live_transmit: str | None) -> str | None:
    """Why this SRT target cannot be sent as configured, or None."""
    options = url_options(target.url)
    if options.get("packetfilter") and live_transmit is None:
        return (
            f"SRT FEC (packetfilter={options['packetfilter']}) needs srt-live-transmit, which is not installed "
            "(Debian/Ubuntu: apt-get install srt-tools); clear the FEC setting or install it"
        )
    for name in ("latency", "rcvlatency", "peerlatency"):
        if name in options and not options[name].isdigit():
            return f"SRT option {name}={options[name]!r}: expected a whole number of microseconds"
    for name, value in options.items():
        if any(character in value for character in "&# \t"):
            return f"SRT option {name}: its value may not contain '&', '#' or spaces"
    return None


def live_transmit_uri(target: StreamTarget, measured_rtt_ms: float | None) -> str:
    """The target as srt-live-transmit's URI: libsrt's option names, latency in milliseconds, and
    this sender's defaults for what the user left empty."""
    parts = urlsplit(target.url)
    options: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in _FFMPEG_MICROSECOND_OPTIONS:
            options[_FFMPEG_MICROSECOND_OPTIONS[name]] = str(int(value) // 1000)
        elif name in _FFMPEG_ONLY_OPTIONS:
            continue
        else:
            options[_FFMPEG_RENAMED_OPTIONS.get(name, name)] = value
    if "latency" not in options and "rcvlatency" not in options and "peerlatency" not in options:
        options["latency"] = str(default_latency_ms(measured_rtt_ms))
    options.setdefault("mode", "caller")
    if options["mode"] == "caller":
        options.setdefault("conntimeo", str(CONNECT_TIMEOUT_MS))
    options.setdefault("payloadsize", str(TS_PAYLOAD_BYTES))
    query = "&".join(f"{name}={value}" for name, value in options.items())
    return f"srt://{parts.netloc}{parts.path}?{query}"


# What a picture's MPEG-TS packets carry so that a receiver's demuxer can hand the picture on as
# soon as its last byte arrived: its PES length (for pictures under 64 KB). Without it (FFmpeg's
# default for video) a demuxer learns that a picture ended only from the next one's start, a
# frame later (benchmarks/latency.py: SRT p50 -34 ms).
TS_VIDEO_PES_LENGTH = ["-omit_video_pes_length", "0"]


def ts_to_stdout_command(input_command: list[str]) -> list[str]:
    """The FFmpeg half of the pipeline: the program's packets, copied into MPEG-TS on stdout."""
    return input_command + [
        "-map", "0", "-c", "copy", *LOW_DELAY_MUXING, *TS_VIDEO_PES_LENGTH, "-flush_packets", "1", "-f", "mpegts",
        "pipe:1",
    ]  # fmt: skip


def live_transmit_command(binary: str, uri: str, bitrate_kbps: int) -> list[str]:
    """srt-live-transmit from stdin to the target, libsrt's statistics as JSON lines on stdout
    (cumulative counters, about two reports a second: it reports every N packets sent).

    Known hold-back (benchmarks/latency.py): from a pipe it reads ten whole 1316-byte chunks
    before it sends any, so each picture waits for 13 KB of the stream behind it (p50 +75 ms,
    p95 +135 ms at the default latency). Its UDP input does not wait, but fed that way the first
    GOP of a connection arrived damaged (tests/test_srt_links.py), so the pipe stays for now."""
    packets_per_second = max(1, bitrate_kbps * 1000 // 8 // TS_PAYLOAD_BYTES)
    return [
        binary, "-a:no",  # no reconnecting of its own: the destination's reconnect policy decides
        f"-c:{TS_PAYLOAD_BYTES}", f"-s:{max(10, packets_per_second // 2)}", "-pf:json", "-f",
        # warning: libsrt says why a receiver refused the handshake (a wrong passphrase, a
        # conflicting FEC) only at this level; at "error" the caller just exits, silent.
        "-ll:warning", "file://con", uri,
    ]  # fmt: skip


def srt_sender_command(target: StreamTarget, input_command: list[str]) -> list[str]:
    """The fallback: FFmpeg's own libsrt sends (no FEC, no statistics)."""
    url = target.url
    # Defaults unless the user set them: the default latency (microseconds) and a connect
    # attempt as long as srt-live-transmit's (milliseconds), then the reconnect policy.
    for option in (f"latency={MIN_DEFAULT_LATENCY_MS * 1000}", f"connect_timeout={CONNECT_TIMEOUT_MS}"):
        if option.split("=")[0] + "=" not in url:
            url += ("&" if "?" in url else "?") + option
    return input_command + [
        "-map", "0", "-c", "copy", *LOW_DELAY_MUXING, *TS_VIDEO_PES_LENGTH, "-flush_packets", "1", "-f", "mpegts", url,
    ]  # fmt: skip
