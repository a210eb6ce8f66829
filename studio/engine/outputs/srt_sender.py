"""The SRT sender child: MPEG-TS over SRT (libsrt inside the imageio-ffmpeg binary)."""

from __future__ import annotations

from studio.engine.outputs.stream_target import StreamTarget


def srt_sender_command(target: StreamTarget, input_command: list[str]) -> list[str]:
    url = target.url
    # Defaults unless the user set them: 200 ms of SRT latency (microseconds), give up a
    # connection attempt after 3 s (milliseconds) so the reconnect policy takes over.
    for option in ("latency=200000", "connect_timeout=3000"):
        if option.split("=")[0] + "=" not in url:
            url += ("&" if "?" in url else "?") + option
    return input_command + ["-map", "0", "-c", "copy", "-flush_packets", "1", "-f", "mpegts", url]
