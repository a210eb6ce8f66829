"""One SRT connection as two processes in one process group: FFmpeg (Matroska on stdin ->
MPEG-TS on stdout) piped into srt-live-transmit (-> SRT), whose statistics lines are parsed into
SrtLinkStats. To the destination's sender thread a pipeline looks like one child process
(stdin, stderr, pid = the group, poll, wait, kill): killing the group ends both, and neither
outlives the connection.

Slow or dead: libsrt itself declares a peer dead when nothing came back for its peer idle
timeout (5 s by default) and srt-live-transmit then exits; while it runs, SRT is retransmitting
within its latency and a stalled pipe is a slow link, not a failure. So the watchdog waits for
libsrt's verdict (see `stall_limit_ms`), and every statistics report (written only while
packets go out) counts as progress.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from studio.engine.outputs.srt_sender import latency_ms_of, live_transmit_command, live_transmit_uri, ts_to_stdout_command
from studio.engine.outputs.stream_target import StreamTarget
from studio.engine.secrets import scrub_secrets

log = logging.getLogger(__name__)

PEER_IDLE_TIMEOUT_MS = 5000  # libsrt's default, which we keep: a dead receiver is known in 5 s
# What libsrt says (nothing) when a caller's handshake got no answer in time, or one the sender
# cannot read: a refusal from a receiver of an older libsrt, or one without its reason.
NOT_CONNECTED_REASON = "SRT: no connection: nothing answered at that address and port, or the receiver refused it"
_LIBSRT_LOG_PREFIX = re.compile(r"^\d\d:\d\d:\d\d\.\d+/\S+\s+")  # "05:18:33.633448/SRT:RcvQ:w1!W:SRT.cn: "
_CONNECTED = ("SRT target connected", "Accepted SRT target connection")
_ERROR = re.compile(r"error|fail|refused|reject|timeout|timed out|broken|disconnected|unreachable", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SrtLinkStats:
    """SRT's own figures for a connection, as its sender reports them (libsrt's statistics)."""

    rtt_ms: float = 0.0
    retransmitted_packets: int = 0  # over the connection
    dropped_packets: int = 0  # too late to be worth sending (past the latency): lost for the viewer
    send_buffer_ms: int = 0  # what waits for an acknowledgement
    bandwidth_kbps: float = 0.0  # the link's estimated capacity
    latency_ms: int = 0  # what the connection runs with (negotiated)


def parse_stats_line(line: str) -> SrtLinkStats | None:
    """One srt-live-transmit JSON report (-pf:json -f: cumulative counters) as SrtLinkStats, or
    None if the line is not one."""
    if not line.startswith("{"):
        return None
    try:
        report = json.loads(line)
        link, send, recv = report["link"], report["send"], report.get("recv", {})
        return SrtLinkStats(
            rtt_ms=float(link["rtt"]),
            retransmitted_packets=int(send["packetsRetransmitted"]),
            dropped_packets=int(send["packetsDropped"]),
            send_buffer_ms=int(send["msBuf"]),
            bandwidth_kbps=float(link["bandwidth"]) * 1000,  # libsrt reports Mbit/s
            # The sender's reports carry the negotiated TSBPD delay under "recv".
            latency_ms=int(recv.get("msTsbPdDelay", 0)),
        )
    except (ValueError, KeyError, TypeError):
        return None


def stall_limit_ms(stall_timeout_ms: int, latency_ms: int) -> int:
    """How long the pipe may stall before the watchdog acts: libsrt gives its verdict (peer idle
    timeout) first; this is the last resort for a hung process."""
    return max(stall_timeout_ms, PEER_IDLE_TIMEOUT_MS + latency_ms + 2000)


class SrtPipeline:
    """FFmpeg | srt-live-transmit for one connection. `on_connected()` fires once libsrt is
    connected, `on_stats(SrtLinkStats)` at every report, `on_error(text)` with the first error
    line (every secret scrubbed)."""

    def __init__(
        self,
        ffmpeg_command: list[str],
        live_transmit: str,
        target: StreamTarget,
        *,
        bitrate_kbps: int,
        measured_rtt_ms: float | None,
        on_connected: Callable[[], None],
        on_stats: Callable[[SrtLinkStats], None],
        on_error: Callable[[str], None],
    ) -> None:
        self._target = target
        self._uri = live_transmit_uri(target, measured_rtt_ms)
        self.latency_ms = latency_ms_of(target.url, measured_rtt_ms)
        self._on_connected, self._on_stats, self._on_error = on_connected, on_stats, on_error
        posix = sys.platform != "win32"
        self._ffmpeg = subprocess.Popen(
            ts_to_stdout_command(ffmpeg_command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # A group of their own (a terminal's Ctrl-C reaches neither), in our session: a
            # process may only join a group of its own session, and srt-live-transmit joins it.
            **({"process_group": 0} if posix else {}),
        )
        try:
            self._transmit = subprocess.Popen(
                live_transmit_command(live_transmit, self._uri, bitrate_kbps),
                stdin=self._ffmpeg.stdout,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                **({"process_group": self._ffmpeg.pid} if posix else {}),
            )
        except OSError:
            self._kill_group()
            self._ffmpeg.wait()
            raise
        self._ffmpeg.stdout.close()  # srt-live-transmit holds the pipe now
        self.stdin, self.stderr, self.pid = self._ffmpeg.stdin, self._ffmpeg.stderr, self._ffmpeg.pid
        self._readers = [
            threading.Thread(target=self._read_stats, name="srt stats", daemon=True),
            threading.Thread(target=self._read_log, name="srt log", daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stats(self) -> None:
        for raw in iter(self._transmit.stdout.readline, b""):
            stats = parse_stats_line(raw.decode("utf-8", "replace").strip())
            if stats is not None:
                self._on_stats(stats)
        self._transmit.stdout.close()

    def _read_log(self) -> None:
        connected = reported = False
        for raw in iter(self._transmit.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").strip()
            if any(marker in line for marker in _CONNECTED):
                connected = True
                self._on_connected()
            elif _ERROR.search(line):
                reported = True
                line = _LIBSRT_LOG_PREFIX.sub("", line)  # its time stamp and thread say nothing to a user
                self._on_error("SRT: " + scrub_secrets(line, self._target.url, self._uri)[:200])
        self._transmit.stderr.close()
        try:
            code = self._transmit.wait(1.0)
        except subprocess.TimeoutExpired:
            return
        if not connected and not reported and code >= 0:  # it gave up by itself (not killed), saying nothing
            self._on_error(NOT_CONNECTED_REASON)

    def settle_reason(self, timeout_s: float = 1.0) -> None:
        """The write to FFmpeg can fail (its output gone) before srt-live-transmit's last words
        are read: give them up to `timeout_s` once it has exited, so its reason is the one kept."""
        try:
            self._transmit.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return
        self._readers[1].join(timeout_s)

    def poll(self) -> int | None:
        """None while both run; else the exit code of the one that ended."""
        ffmpeg, transmit = self._ffmpeg.poll(), self._transmit.poll()
        if ffmpeg is None and transmit is None:
            return None
        if transmit is not None:
            self._readers[1].join(1.0)  # its last words (why it ended) are read before the end is told
        return transmit if transmit is not None else ffmpeg

    def wait(self, timeout: float | None = None) -> int:
        """FFmpeg ends when its input does; srt-live-transmit does not end at the end of its
        input, so it is given the latency (plus a margin) to deliver what it holds, then it is
        asked to close the connection (SIGINT: it says goodbye to the receiver) and ended."""
        code = self._ffmpeg.wait(timeout)
        linger_s = (self.latency_ms + 500) / 1000
        try:
            self._transmit.wait(linger_s)
        except subprocess.TimeoutExpired:
            self._transmit.send_signal(signal.SIGINT)
            try:
                self._transmit.wait(1.0)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self._transmit.wait()
        self._join_readers()
        return code

    def kill(self) -> None:
        self._kill_group()
        for process in (self._ffmpeg, self._transmit):
            if process.poll() is None:
                process.kill()

    def _kill_group(self) -> None:
        if sys.platform == "win32":
            return
        try:
            os.killpg(self._ffmpeg.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _join_readers(self) -> None:
        for reader in self._readers:
            reader.join(2.0)
