"""Real network servers for the streaming tests, all private to the test and on loopback.

- `RtmpServer` / fixture `rtmp_server`: nginx with the RTMP module recording every publish to
  its own FLV file.
- `SrtListener` / fixture `srt_listener`: FFmpeg as an SRT listener saving each caller
  connection to its own MPEG-TS file.
- `ThrottlingProxy` / fixtures `throttling_proxy_factory`, `throttled_rtmp`: a TCP proxy
  (asyncio, in a thread) with a runtime rate limit on the client->server direction and cuts.
- `FfmpegProcess`: an FFmpeg child with its -progress (speed, bytes written) read live.
- `probe_media` / `audio_video_offset_s`: what ffprobe says about a file.
- `ffmpeg_exe` / `publisher_command`: the FFmpeg binary the app uses (imageio-ffmpeg) and a
  ready-made publisher command line (testsrc2 + sine, H.264 + AAC).

Everything is started by the fixtures themselves (`make test` installs the Debian packages:
nginx libnginx-mod-rtmp ffmpeg) and torn down by process id; every wait is bounded polling.

Ports: what runs in this process (the proxy, a test's own socket) binds port 0 and reads the
port back. nginx and FFmpeg must be given a port in their config or URL, so they get a free one
(`free_port`) and, should another process take it before they bind, are started again on a new
one (`BIND_ATTEMPTS`): a port collision never fails a test. `held_port` is a port that refuses.
Registered as a plugin in tests/conftest.py, so the fixtures are available to every test;
the classes and helpers are imported with `from tests.servers import ...`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import pytest

MAKE_TEST_INSTALLS_NGINX = "`make test` installs it (apt-get install nginx libnginx-mod-rtmp libnginx-mod-stream)"
MAKE_TEST_INSTALLS_FFMPEG = "`make test` installs it (apt-get install ffmpeg)"
NGINX_EXE = "/usr/sbin/nginx"
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
# nginx's stream module terminates TLS in front of the RTMP port: that is RTMPS.
STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"
LOOPBACK = "127.0.0.1"
POLL_S = 0.05  # the step of every bounded polling loop below
# An external server that finds its port taken is started again on a new one, this many times.
BIND_ATTEMPTS = 5


# -- small helpers ---------------------------------------------------------------------------------


def ffmpeg_exe() -> str:
    """The FFmpeg binary the app itself runs (imageio-ffmpeg ships one with libsrt and RTMP)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A loopback port nobody listens on right now (TCP by default, socket.SOCK_DGRAM for UDP),
    for an external program that needs one in its config. Someone may take it before the program
    binds: start the program with a retry on a new port (see RtmpServer.start). A server in this
    process binds port 0 instead."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@contextmanager
def held_port(kind: int = socket.SOCK_STREAM) -> Iterator[int]:
    """A loopback port bound by the test (port 0, read back) and never listened on, for as long
    as the block runs: a TCP connect to it is refused, a UDP datagram goes unanswered, and no
    other process can take it meanwhile."""
    with socket.socket(socket.AF_INET, kind) as held:
        held.bind((LOOPBACK, 0))
        yield held.getsockname()[1]


def bound_by(pid: int, port: int, kind: int = socket.SOCK_STREAM) -> bool:
    """Whether process `pid` itself holds a socket on `port` (TCP: listening), read from /proc.
    Unlike trying the port, another process that took it does not count."""
    tables = ("/proc/net/tcp", "/proc/net/tcp6") if kind == socket.SOCK_STREAM else ("/proc/net/udp", "/proc/net/udp6")
    wanted, listening = f":{port:04X}", "0A"
    inodes: set[str] = set()
    for table in tables:
        try:
            rows = [line.split() for line in Path(table).read_text().splitlines()[1:]]
        except OSError:
            continue
        for row in rows:
            if len(row) > 9 and row[1].endswith(wanted) and (kind != socket.SOCK_STREAM or row[3] == listening):
                inodes.add(row[9])
    if not inodes:
        return False
    fd_folder = Path(f"/proc/{pid}/fd")
    try:
        descriptors = list(fd_folder.iterdir())
    except OSError:  # it has exited
        return False
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith("socket:[") and target[len("socket:["):-1] in inodes:
            return True
    return False


def wait_for_bind(process: subprocess.Popen, ports: list[tuple[int, int]], timeout_s: float, what: str) -> bool:
    """Wait until `process` holds every (port, socket kind) of `ports`: True; False if it exits
    first (it could not bind, or failed otherwise: its log says which). AssertionError naming
    `what` if neither happens within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not all(bound_by(process.pid, port, kind) for port, kind in ports):
        if process.poll() is not None:
            return False
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} neither bound {[port for port, _ in ports]} nor exited within {timeout_s} s")
        time.sleep(POLL_S)  # bounded polling for the port
    return True


def poll_until(condition: Callable[[], object], timeout_s: float, what: str) -> object:
    """Call `condition` every POLL_S until it returns something truthy (returned) or the time is
    up (AssertionError naming `what`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(POLL_S)  # bounded polling step, not synchronization


def tcp_port_open(port: int, host: str = LOOPBACK) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _end_process_group(process: subprocess.Popen, graceful: int = signal.SIGTERM, grace_s: float = 5) -> None:
    """Stop a child started with start_new_session=True and everything in its process group:
    `graceful` to the leader first, then SIGKILL to the whole group (by its id, which is the
    leader's pid), then reap it."""
    pgid = process.pid
    if process.poll() is None:
        try:
            process.send_signal(graceful)
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass
    if _process_group_alive(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
        pass
    deadline = time.monotonic() + grace_s
    while _process_group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(POLL_S)  # workers reparented to init are reaped by it; bounded polling


def publisher_command(
    url: str,
    *,
    seconds: float = 3,
    container: str = "flv",
    size: str = "640x360",
    rate: int = 30,
    video_bitrate: str | None = None,
    realtime: bool = True,
    progress: bool = False,
    extra_output_args: tuple[str, ...] = (),
) -> list[str]:
    """An FFmpeg command publishing `seconds` of testsrc2 + a sine tone to `url`, encoded as the
    app does (libx264 veryfast zerolatency, AAC), keyframe every second. `progress=True` writes
    `-progress pipe:1` key=value blocks to stdout (speed, total_size, out_time_us)."""
    command = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error"]
    if progress:
        command += ["-progress", "pipe:1", "-stats_period", "0.25"]
    if realtime:
        command += ["-re"]
    command += [
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}",
        "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
        "-t", str(seconds),
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
        "-g", str(rate), "-keyint_min", str(rate),
    ]
    if video_bitrate:
        command += ["-b:v", video_bitrate, "-minrate", video_bitrate, "-maxrate", video_bitrate,
                    "-bufsize", video_bitrate, "-x264-params", "nal-hrd=cbr:force-cfr=1"]
    command += ["-c:a", "aac", "-b:a", "128k", "-ac", "2", *extra_output_args, "-f", container, url]
    return command


class FfmpegProcess:
    """An FFmpeg child (e.g. a publisher_command(..., progress=True)) in its own process group,
    with its -progress blocks parsed as they come (`progress`: the latest key=value block,
    `speed` as a float) and stderr kept in memory. Use as a context manager: it is ended on
    exit if still running."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.progress: dict[str, str] = {}
        self._stderr: list[str] = []
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True,
        )
        self._readers = [
            threading.Thread(target=self._read_progress, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_progress(self) -> None:
        block: dict[str, str] = {}
        for line in self.process.stdout:  # type: ignore[union-attr]
            key, _, value = line.strip().partition("=")
            block[key] = value
            if key == "progress":  # the last line of a block
                self.progress, block = block, {}

    def _read_stderr(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self._stderr.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    @property
    def speed(self) -> float | None:
        return _number(self.progress.get("speed", "").rstrip("x"))

    @property
    def total_size(self) -> int:
        """Bytes FFmpeg has written to its output so far (per -progress)."""
        return int(_number(self.progress.get("total_size")) or 0)

    @property
    def out_time_s(self) -> float:
        return (_number(self.progress.get("out_time_us")) or 0) / 1e6

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout_s: float) -> int:
        """The exit code; AssertionError if FFmpeg is still running after `timeout_s`."""
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"FFmpeg still running after {timeout_s} s: {self.stderr[-1000:]}") from None
        for reader in self._readers:
            reader.join(timeout=5)
        return code

    def stop(self) -> None:
        _end_process_group(self.process, signal.SIGTERM)
        for reader in self._readers:
            reader.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


# -- RTMP: nginx + nginx-rtmp ----------------------------------------------------------------------

# nginx-rtmp names a recording <key>-<unixtime>.flv while it is being written (record_unique).
# Our exec_record_done script renames it to <key>-<unixtime>.<usec>.flv once it is closed, so the
# name tells finished from in progress, and two publishes in the same second do not share a
# file. (nginx-rtmp closes a recording a moment after the publisher goes; the rename is that
# moment.)
_RECORD_DONE_SCRIPT = '#!/bin/sh\nmv "$1" "${1%.flv}.$(date +%N | cut -c1-6).flv"\n'


class RtmpServer:
    """A private nginx with the RTMP module on a free loopback port: application `live`,
    every publish recorded to its own file in `directory` (config, pid file and logs too).

    `url(key)` to publish to; `recordings(key)` / `wait_for_recordings(key, count)` for the
    finished files; `stop()` drops every connection, `start()` comes back on the same port
    with the same directory. Without a `port`, the first start picks free ones and moves to new
    ones while nginx finds a port taken."""

    def __init__(self, directory: Path, port: int | None = None, drop_idle_publisher_s: int = 10) -> None:
        missing = [what for what in (NGINX_EXE, RTMP_MODULE, STREAM_MODULE) if not Path(what).exists()]
        if missing:
            pytest.fail(f"the RTMP server needs {', '.join(missing)}: {MAKE_TEST_INSTALLS_NGINX}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.tls_port = free_port()  # RTMPS: TLS terminated by nginx's stream module
        # Once asked for, or once served on, the ports are the server's address: never moved.
        self._ports_fixed = port is not None
        self.drop_idle_publisher_s = drop_idle_publisher_s
        self._process: subprocess.Popen | None = None

    # the server

    @property
    def certificate(self) -> Path:
        """The self-signed certificate of the RTMPS port: trust it with SSL_CERT_FILE."""
        return self.directory / "cert.pem"

    def rtmps_url(self, key: str) -> str:
        return f"rtmps://{LOOPBACK}:{self.tls_port}/live/{key}"

    def _tls_section(self) -> str:
        """A self-signed certificate for 127.0.0.1 (FFmpeg 9 verifies certificates: a client
        trusts this one through SSL_CERT_FILE) and a TLS listener that forwards to the RTMP port."""
        certificate, key = self.directory / "cert.pem", self.directory / "key.pem"
        if not certificate.exists():
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                 "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", str(key), "-out", str(certificate)],
                check=True, capture_output=True, timeout=60,
            )
        return f"""stream {{
  server {{
    listen {LOOPBACK}:{self.tls_port} ssl;
    ssl_certificate {certificate};
    ssl_certificate_key {key};
    proxy_pass {LOOPBACK}:{self.port};
  }}
}}
"""

    def url(self, key: str) -> str:
        return f"rtmp://{LOOPBACK}:{self.port}/live/{key}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The nginx master's process id (it holds the listening sockets); None when stopped."""
        return self._process.pid if self.running else None

    @property
    def error_log(self) -> Path:
        return self.directory / "error.log"

    def _write_config(self) -> Path:
        done_script = self.directory / "record-done.sh"
        done_script.write_text(_RECORD_DONE_SCRIPT)
        done_script.chmod(0o755)
        # Workers run as the "user" directive says when the master is root; our tmp directory is
        # root's only, so they must stay root. (Not root: the directive is ignored anyway.)
        user = "user root;" if os.geteuid() == 0 else ""
        config = self.directory / "nginx.conf"
        config.write_text(
            f"""load_module {RTMP_MODULE};
load_module {STREAM_MODULE};
daemon off;              # stays our child: we stop it by its pid
master_process on;
worker_processes 1;      # nginx-rtmp needs one worker (live streams are per worker)
{user}
pid {self.directory}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 256; }}
rtmp {{
  access_log {self.directory}/access.log;
  server {{
    listen {LOOPBACK}:{self.port};
    chunk_size 4096;
    application live {{
      live on;
      drop_idle_publisher {self.drop_idle_publisher_s}s;
      record all;
      record_path {self.directory};
      record_unique on;
      exec_record_done {done_script} $path;
    }}
  }}
}}
{self._tls_section()}"""
        )
        return config

    def start(self, timeout_s: float = 10) -> None:
        if self.running:
            return
        for attempt in range(1, BIND_ATTEMPTS + 1):
            config = self._write_config()
            command = [NGINX_EXE, "-p", str(self.directory), "-e", str(self.error_log), "-c", str(config)]
            check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=30, check=False)
            if check.returncode != 0:
                pytest.fail(f"nginx rejected its RTMP config: {check.stderr.strip()}")
            log_start = self.error_log.stat().st_size if self.error_log.exists() else 0
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() ends master and workers by id
            )
            # nginx retries a taken port for ~2.5 s before it gives up and exits.
            ports = [(self.port, socket.SOCK_STREAM), (self.tls_port, socket.SOCK_STREAM)]
            try:
                listening = wait_for_bind(self._process, ports, timeout_s + 5, "nginx")
            except AssertionError:
                listening = False
            if listening:
                self._ports_fixed = True
                return
            self._end()
            log = self.error_log.read_bytes()[log_start:].decode(errors="replace") if self.error_log.exists() else ""
            if "Address already in use" in log and not self._ports_fixed and attempt < BIND_ATTEMPTS:
                self.port, self.tls_port = free_port(), free_port()  # taken meanwhile: new ones
                continue
            pytest.fail(f"nginx did not open RTMP port {self.port} and RTMPS port {self.tls_port}:\n{log[-2000:]}")

    def stop(self) -> None:
        """Stop the server: every publisher and player connection drops. Recordings cut short
        by the stop are marked finished (they stay readable FLV)."""
        self._end()
        self._finish_interrupted_recordings()

    def _end(self) -> None:
        if self._process is not None:
            # TERM (fast shutdown): on QUIT nginx-rtmp would keep serving live publishers.
            _end_process_group(self._process, signal.SIGTERM)
            self._process = None

    def _finish_interrupted_recordings(self) -> None:
        for path in self.directory.glob("*.flv"):
            if re.fullmatch(r".+-\d+\.flv", path.name):
                try:
                    path.rename(path.with_name(f"{path.stem}.{time.time_ns() // 1000 % 1_000_000:06d}.flv"))
                except FileNotFoundError:  # renamed by nginx's own script meanwhile
                    pass

    # the recordings

    def _files(self, key: str, finished: bool) -> list[Path]:
        pattern = re.compile(re.escape(key) + (r"-(\d+)\.(\d+)\.flv" if finished else r"-(\d+)\.flv"))
        found = []
        for path in self.directory.iterdir():
            match = pattern.fullmatch(path.name)
            if match:
                found.append((tuple(int(group) for group in match.groups()), path))
        return [path for _, path in sorted(found)]

    def recordings(self, key: str) -> list[Path]:
        """Finished recordings of `key`, oldest first."""
        return self._files(key, finished=True)

    def recordings_in_progress(self, key: str) -> list[Path]:
        return self._files(key, finished=False)

    def wait_for_recordings(self, key: str, count: int = 1, timeout_s: float = 15) -> list[Path]:
        """Wait until `key` has at least `count` finished recordings and none in progress;
        returns them, oldest first."""
        deadline = time.monotonic() + timeout_s
        while True:
            done, busy = self.recordings(key), self.recordings_in_progress(key)
            if len(done) >= count and not busy:
                return done
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(done)} finished recording(s) of {key!r} after {timeout_s} s, wanted {count}"
                    f" (in progress: {[p.name for p in busy] or 'none'}; files: "
                    f"{sorted(p.name for p in self.directory.glob('*.flv'))})"
                )
            time.sleep(POLL_S)  # bounded polling


@pytest.fixture
def rtmp_server(tmp_path) -> Iterator[RtmpServer]:
    """A running private RTMP server recording into tmp_path/rtmp; stopped after the test."""
    server = RtmpServer(tmp_path / "rtmp")
    server.start()
    try:
        yield server
    finally:
        server.stop()


# -- SRT: FFmpeg as a listener ---------------------------------------------------------------------


class SrtListener:
    """The imageio-ffmpeg binary as an SRT listener on a free loopback UDP port, saving each
    caller connection (MPEG-TS, remuxed with -c copy) to its own file in `directory`:
    stream-1.ts, stream-2.ts, ... A supervisor thread starts a new FFmpeg after each connection
    ends, so the port stays a listener until `stop()` (it is unbound for a moment between
    connections; a caller that comes then retries within its connect timeout).

    The last-second trap (measured with this FFmpeg 7/libsrt, loopback): the receiving side
    holds every packet for the SRT latency (TSBPD, 120 ms by default, the larger of the two
    sides' settings) and throws away what it still holds when the caller closes. So a file
    lacks the last `latency` of the stream (a 2 s stream with latency 1 s arrives as ~0.9 s),
    plus the audio the sender's MPEG-TS muxer flushes at its very end (~0.1 s). A sender's
    `linger=<s>` keeps more of the tail but usually blocks its close for the whole linger, and
    the listener then notices the end only ~4 s later (peer idle timeout). With the default
    latency a 3 s stream arrives with 88/90 frames and ~2.9 s of audio; `tsbpd=False` makes
    this listener hand packets on at once, so every video frame the caller sent is kept (use
    it when a test must count frames exactly, keep the default to see what a real server
    gets). `url()` gives the plain address, as a user would type it."""

    def __init__(
        self, directory: Path, port: int | None = None, latency_ms: int | None = None, tsbpd: bool = True
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port(socket.SOCK_DGRAM)
        # Once asked for, or once listened on, the port is the listener's address: never moved.
        self._port_fixed = port is not None
        self.latency_ms = latency_ms
        self.tsbpd = tsbpd
        self.log = self.directory / "listener.log"
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._current: Path | None = None
        self._finished: list[Path] = []
        self._count = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def url(self, streamid: str | None = None) -> str:
        return f"srt://{LOOPBACK}:{self.port}" + (f"?streamid={streamid}" if streamid else "")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def pid(self) -> int | None:
        """The process id of the FFmpeg listening now; None between connections or when stopped."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    def _listen_url(self) -> str:
        options = "mode=listener"
        if self.latency_ms is not None:
            options += f"&latency={self.latency_ms * 1000}"  # FFmpeg takes microseconds
        if not self.tsbpd:
            options += "&tsbpd=0"
        return f"srt://{LOOPBACK}:{self.port}?{options}"

    def _spawn(self) -> subprocess.Popen | None:
        """Start the FFmpeg for the next connection (None once stop() has begun). Under the lock,
        so stop() either sees the new process or this sees stop's flag."""
        with self._lock:
            if self._stopping.is_set():
                return None
            self._count += 1
            output = self.directory / f"stream-{self._count}.ts"
            with self.log.open("ab") as log:
                process = subprocess.Popen(
                    [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "warning", "-y",
                     "-i", self._listen_url(), "-map", "0", "-c", "copy", "-f", "mpegts", str(output)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                    start_new_session=True,
                )
            self._process, self._current = process, output
            return process

    def _supervise(self, first: subprocess.Popen) -> None:
        process = first
        quick_failures = 0
        while True:
            started = time.monotonic()
            process.wait()
            with self._lock:
                output, self._process, self._current = self._current, None, None
                if output is not None and output.exists() and output.stat().st_size > 0:
                    self._finished.append(output)
                elif output is not None:
                    output.unlink(missing_ok=True)
            if self._stopping.is_set():
                return
            # an FFmpeg that cannot even listen exits at once: give up after a few in a row
            quick_failures = quick_failures + 1 if time.monotonic() - started < 0.5 and process.returncode else 0
            if quick_failures >= 5:
                self.error = f"FFmpeg keeps failing to listen on UDP {self.port}; see {self.log}"
                return
            if quick_failures:
                self._stopping.wait(0.2)  # back off before trying to bind again (also stop-aware)
            next_process = self._spawn()
            if next_process is None:
                return
            process = next_process

    def start(self, timeout_s: float = 10) -> None:
        if self.running:
            return
        self._stopping.clear()
        self.error = None
        for attempt in range(1, BIND_ATTEMPTS + 1):
            process = self._spawn()
            assert process is not None
            try:
                listening = wait_for_bind(process, [(self.port, socket.SOCK_DGRAM)], timeout_s, "the SRT listener")
            except AssertionError:
                listening = False
            if listening:
                self._port_fixed = True
                break
            exited_by_itself = process.poll() is not None
            _end_process_group(process)
            with self._lock:
                self._process = self._current = None
                self._count -= 1  # that FFmpeg never had a connection: its number is free again
            # An FFmpeg that exits before it binds could not have the port (another process
            # took it after free_port): a new port, unless callers already know this one.
            if exited_by_itself and not self._port_fixed and attempt < BIND_ATTEMPTS:
                self.port = free_port(socket.SOCK_DGRAM)
                continue
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            pytest.fail(f"the SRT listener did not bind UDP {self.port}:\n{tail}")
        self._thread = threading.Thread(target=self._supervise, args=(process,), name="srt-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: a connected caller loses its connection; the file so far is kept."""
        with self._lock:
            self._stopping.set()  # from now on the supervisor starts no new FFmpeg
            process = self._process
        if process is not None:
            _end_process_group(process, signal.SIGTERM)  # FFmpeg finishes the file on TERM
        if self._thread is not None:
            self._thread.join(timeout=10)
            assert not self._thread.is_alive(), "the SRT listener's supervisor did not stop"
            self._thread = None

    def outputs(self) -> list[Path]:
        """Every non-empty connection file, oldest first, the one still being written last."""
        with self._lock:
            files = list(self._finished)
            current = self._current
        if current is not None and current.exists() and current.stat().st_size > 0:
            files.append(current)
        return files

    def finished_outputs(self) -> list[Path]:
        """Files of connections that have ended (their FFmpeg has exited), oldest first."""
        with self._lock:
            return list(self._finished)

    def wait_for_output(self, min_bytes: int = 1, timeout_s: float = 15, count: int = 1,
                        finished: bool = True) -> Path:
        """The file of the `count`-th connection (1 = the first since this listener was made),
        once it has at least `min_bytes`. With `finished` (default) the connection must have
        ended too, so the file is complete and can be probed; `finished=False` also takes the
        file still being written (to see that a stream flows)."""

        def found() -> Path | None:
            if self.error:
                raise AssertionError(self.error)
            files = self.finished_outputs() if finished else self.outputs()
            if len(files) < count:
                return None
            path = files[count - 1]
            return path if path.exists() and path.stat().st_size >= min_bytes else None

        what = f"{'finished ' if finished else ''}SRT connection #{count} with {min_bytes}+ bytes"
        try:
            return poll_until(found, timeout_s, what)  # type: ignore[return-value]
        except AssertionError as error:
            sizes = {path.name: path.stat().st_size for path in self.outputs() if path.exists()}
            raise AssertionError(f"{error}; files so far: {sizes}") from None


@pytest.fixture
def srt_listener(tmp_path) -> Iterator[SrtListener]:
    """A running SRT listener (default latency, TSBPD on) saving into tmp_path/srt; stopped
    after the test."""
    listener = SrtListener(tmp_path / "srt")
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()


@pytest.fixture
def srt_listener_factory(tmp_path) -> Iterator[Callable[..., SrtListener]]:
    """make(latency_ms=None, tsbpd=True) -> another running SrtListener (own port and
    directory); all are stopped after the test."""
    listeners: list[SrtListener] = []

    def make(latency_ms: int | None = None, tsbpd: bool = True) -> SrtListener:
        listener = SrtListener(tmp_path / f"srt-{len(listeners) + 1}", latency_ms=latency_ms, tsbpd=tsbpd)
        listeners.append(listener)
        listener.start()
        return listener

    try:
        yield make
    finally:
        for listener in listeners:
            listener.stop()


# -- a throttling TCP proxy ------------------------------------------------------------------------

# The loopback trap: on loopback TCP autotunes its buffers up to megabytes (tcp_rmem max 32 MiB,
# tcp_wmem max 4 MiB). A proxy that paces what it forwards but lets the kernel accept
# everything the client sends does not slow the client down at all: the client's writes land
# in the proxy's receive buffer and in its own send buffer, and only the forwarding is late.
# So the proxy sets a small SO_RCVBUF on the listening socket (inherited by every accepted
# socket and fixing the TCP window before the handshake) and reads with a small stream limit,
# and the client needs a small send buffer too (FFmpeg: the tcp protocol's `send_buffer_size`
# option, e.g. `-send_buffer_size 16384` as an output option of an rtmp:// output). Then a rate
# limit backs up into the sender within ~100 kB and its writes block, as on a slow uplink.
PROXY_RCVBUF_BYTES = 16 * 1024  # the kernel doubles it
PROXY_READ_BYTES = 4096


class ThrottlingProxy:
    """A TCP proxy on loopback forwarding to `target` (host, port), run by asyncio in a
    background thread. It binds port 0 unless given one; `port` is the bound one once started,
    and restore() listens on it again. `rate_kbps` (settable at any time; None = unlimited) caps the
    client->server direction; `cut()` resets every connection and refuses new ones (the port
    is closed) until `restore()`. Counters: `bytes_to_server`, `bytes_to_client`,
    `connections` (accepted so far), `active_connections`."""

    def __init__(
        self, target: tuple[str, int], rate_kbps: float | None = None, port: int | None = None,
        rcvbuf_bytes: int = PROXY_RCVBUF_BYTES,
    ) -> None:
        self.target = target
        self.port = port or 0  # 0 until start(): the system's choice, then kept for restore()
        self.rcvbuf_bytes = rcvbuf_bytes
        self._rate_kbps = rate_kbps
        self._rate_changed = 0  # generation counter: pacing restarts when the rate changes
        self.bytes_to_server = 0
        self.bytes_to_client = 0
        self.connections = 0
        self._live: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()  # (client, server)
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._cut = False

    # control, from any thread

    @property
    def address(self) -> tuple[str, int]:
        return (LOOPBACK, self.port)

    @property
    def rate_kbps(self) -> float | None:
        return self._rate_kbps

    @rate_kbps.setter
    def rate_kbps(self, value: float | None) -> None:
        if value is not None and value <= 0:
            raise ValueError("rate_kbps must be positive or None")
        self._rate_kbps = value
        self._rate_changed += 1

    @property
    def active_connections(self) -> int:
        return len(self._live)

    @property
    def is_cut(self) -> bool:
        return self._cut

    def start(self) -> None:
        if self._thread is not None:
            return
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="throttling-proxy", daemon=True)
        self._thread.start()
        self._call(self._listen())  # returns once the port listens

    def cut(self) -> None:
        """Reset every connection (RST to both sides) and refuse new ones until restore()."""
        self._call(self._do_cut())

    def restore(self) -> None:
        """Accept connections again (same port)."""
        self._call(self._listen())

    def close(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._call(self._do_cut())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._thread = None

    def _run(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        # cancel what is left (handlers of connections reset by the last cut) before closing
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        if pending:
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))

    def _call(self, coroutine) -> object:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    # the event loop's side

    async def _listen(self) -> None:
        self._cut = False
        if self._server is not None:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf_bytes)  # see the trap above
        sock.bind(self.address)
        self.port = sock.getsockname()[1]  # the system's choice the first time; the same one after a cut
        self._server = await asyncio.start_server(self._handle, sock=sock, limit=PROXY_READ_BYTES)

    async def _do_cut(self) -> None:
        self._cut = True
        if self._server is not None:
            self._server.close()  # new connects are refused from now on
            self._server = None
        for pair in list(self._live):
            for writer in pair:
                _reset(writer)
        self._live.clear()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self._cut:
            _reset(client_writer)
            return
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.wait_for(
                asyncio.open_connection(*self.target, limit=PROXY_READ_BYTES), timeout=5
            )
        except (OSError, TimeoutError):
            _reset(client_writer)
            return
        pair = (client_writer, server_writer)
        self._live.add(pair)
        pumps = [
            asyncio.ensure_future(self._pump(client_reader, server_writer, upstream=True)),
            asyncio.ensure_future(self._pump(server_reader, client_writer, upstream=False)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            await asyncio.wait(pumps, timeout=1)  # let the other direction drain briefly
        except asyncio.CancelledError:  # the proxy is closing: end quietly
            pass
        finally:
            for pump in pumps:
                pump.cancel()
            self._live.discard(pair)
            for writer in pair:
                writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: bool) -> None:
        loop = asyncio.get_running_loop()
        next_send = loop.time()
        generation = self._rate_changed
        try:
            while True:
                rate = self._rate_kbps if upstream else None
                data = await reader.read(PROXY_READ_BYTES if rate else 65536)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                if rate:
                    if generation != self._rate_changed:
                        generation, next_send = self._rate_changed, loop.time()
                    # pace: this chunk may leave once the previous ones have had their time
                    next_send = max(next_send, loop.time() - 0.05) + len(data) * 8 / (rate * 1000)
                    delay = next_send - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()
                if upstream:
                    self.bytes_to_server += len(data)
                else:
                    self.bytes_to_client += len(data)
        except (ConnectionError, OSError):
            return


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST rather than FIN (SO_LINGER 0), as a dropped link or a crashed box would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


@pytest.fixture
def throttling_proxy_factory() -> Iterator[Callable[..., ThrottlingProxy]]:
    """make(target=(host, port), rate_kbps=None) -> a started ThrottlingProxy, closed after the test."""
    proxies: list[ThrottlingProxy] = []

    def make(target: tuple[str, int], rate_kbps: float | None = None) -> ThrottlingProxy:
        proxy = ThrottlingProxy(target, rate_kbps)
        proxy.start()
        proxies.append(proxy)
        return proxy

    try:
        yield make
    finally:
        for proxy in proxies:
            proxy.close()


@pytest.fixture
def throttled_rtmp(rtmp_server, throttling_proxy_factory) -> ThrottlingProxy:
    """A ThrottlingProxy in front of `rtmp_server` (unlimited until rate_kbps is set). Publish
    to rtmp_url_via(proxy, key)."""
    return throttling_proxy_factory((LOOPBACK, rtmp_server.port))


def rtmp_url_via(proxy: ThrottlingProxy, key: str) -> str:
    return f"rtmp://{LOOPBACK}:{proxy.port}/live/{key}"


# -- probing ---------------------------------------------------------------------------------------


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _ffprobe_exe() -> str:
    executable = shutil.which("ffprobe")
    if not executable:
        pytest.fail(f"ffprobe is missing: {MAKE_TEST_INSTALLS_FFMPEG}")
    return executable


def probe_media(path: Path) -> dict:
    """What ffprobe (the system one) says about a media file:
    {"format", "duration", "size", "streams": [...], "video": first video stream or None,
    "audio": first audio stream or None}; each stream has "index", "type", "codec", "frames"
    (decoded, -count_frames), "packets", "start_time", "duration" (from its packets' pts, as
    FLV has no per-stream duration) and "width"/"height"/"fps" or "sample_rate"/"channels"."""
    result = subprocess.run(
        [_ffprobe_exe(), "-v", "error", "-of", "json", "-count_frames", "-show_format", "-show_streams",
         "-show_entries", "packet=stream_index,pts_time,duration_time", "-show_packets", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"ffprobe could not read {path}: {result.stderr.strip()}")
    info = json.loads(result.stdout)
    spans: dict[int, dict] = {}  # per stream: first pts, last pts, last packet's duration, packets
    for packet in info.get("packets", []):
        pts = _number(packet.get("pts_time"))
        if pts is None:
            continue
        span = spans.setdefault(packet["stream_index"], {"first": pts, "last": pts, "last_duration": 0.0, "packets": 0})
        span["packets"] += 1
        span["first"] = min(span["first"], pts)
        if pts >= span["last"]:
            span["last"], span["last_duration"] = pts, _number(packet.get("duration_time")) or 0.0
    fmt = info.get("format", {})
    media = {"format": fmt.get("format_name"), "duration": _number(fmt.get("duration")),
             "size": int(fmt.get("size", 0) or 0), "streams": [], "video": None, "audio": None}
    for stream in info.get("streams", []):
        span = spans.get(stream["index"])
        kind = stream.get("codec_type")
        described = {
            "index": stream["index"], "type": kind, "codec": stream.get("codec_name"),
            "profile": stream.get("profile"),
            "frames": int(stream["nb_read_frames"]) if str(stream.get("nb_read_frames", "")).isdigit() else None,
            "packets": span["packets"] if span else 0,
            "start_time": _number(stream.get("start_time")),
            "duration": round(span["last"] + span["last_duration"] - span["first"], 3) if span else None,
        }
        if kind == "video":
            rate = stream.get("avg_frame_rate") or stream.get("r_frame_rate") or "0/0"
            numerator, _, denominator = rate.partition("/")
            fps = float(numerator) / float(denominator) if _number(denominator) else None
            described.update(width=stream.get("width"), height=stream.get("height"),
                             pix_fmt=stream.get("pix_fmt"), fps=fps)
        elif kind == "audio":
            described.update(sample_rate=int(stream.get("sample_rate", 0) or 0) or None,
                             channels=stream.get("channels"))
        media["streams"].append(described)
        if kind in ("video", "audio") and media[kind] is None:
            media[kind] = described
    return media


def audio_video_offset_s(path: Path) -> float:
    """Audio start time minus video start time (seconds; positive = audio starts later)."""
    result = subprocess.run(
        [_ffprobe_exe(), "-v", "error", "-of", "json", "-show_entries", "stream=codec_type,start_time",
         str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"ffprobe could not read {path}: {result.stderr.strip()}")
    starts = {}
    for stream in json.loads(result.stdout).get("streams", []):
        starts.setdefault(stream.get("codec_type"), _number(stream.get("start_time")))
    if starts.get("audio") is None or starts.get("video") is None:
        raise AssertionError(f"{path} lacks an audio or a video stream with a start time: {starts}")
    return starts["audio"] - starts["video"]
