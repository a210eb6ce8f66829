"""The streaming test servers themselves (tests/servers.py), driven by the imageio-ffmpeg binary
as the publisher: nginx-rtmp recordings, the SRT listener's files, the throttling proxy's rate
limit and cuts, and probe_media. Every wait is bounded polling."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest

from tests.servers import (
    LOOPBACK,
    FfmpegProcess,
    ThrottlingProxy,
    audio_video_offset_s,
    poll_until,
    probe_media,
    publisher_command,
    rtmp_url_via,
)

SECONDS = 3
FPS = 30
WAIT_LIMIT_S = 30  # bounded waits end when their event happens; the limit only catches a hang


def publish(url: str, seconds: float = SECONDS, container: str = "flv", timeout_s: float = 30) -> None:
    result = subprocess.run(
        publisher_command(url, seconds=seconds, container=container), capture_output=True, text=True,
        timeout=timeout_s, check=False,
    )
    assert result.returncode == 0, f"publishing to {url} failed: {result.stderr[-1500:]}"


def assert_test_pattern(path, seconds: float = SECONDS, lost_tail_s: float = 0.0) -> dict:
    """`path` holds the publisher's H.264 + AAC test pattern, `seconds` long; up to `lost_tail_s`
    may be missing at the end (SRT's latency buffer, see SrtListener)."""
    media = probe_media(path)
    video, audio = media["video"], media["audio"]
    assert video and audio, f"{path.name}: streams {media['streams']}"
    assert (video["codec"], audio["codec"]) == ("h264", "aac")
    assert (video["width"], video["height"]) == (640, 360)
    frames = seconds * FPS
    assert frames - 2 - lost_tail_s * FPS <= video["frames"] <= frames + 2, f"{path.name}: {video['frames']} frames"
    assert seconds - 0.1 - lost_tail_s <= video["duration"] <= seconds + 0.1
    assert seconds - 0.15 - lost_tail_s <= audio["duration"] <= seconds + 0.1
    assert (audio["sample_rate"], audio["channels"]) == (48000, 2)
    assert abs(audio_video_offset_s(path)) < 0.1
    return media


# -- RTMP ------------------------------------------------------------------------------------------


def test_rtmp_server_records_each_publish_and_survives_a_restart(rtmp_server):
    publish(rtmp_server.url("show"))
    first = rtmp_server.wait_for_recordings("show")
    assert len(first) == 1 and first[0].name.startswith("show-")
    assert_test_pattern(first[0])
    assert rtmp_server.recordings("other") == []

    rtmp_server.stop()
    assert not rtmp_server.running
    rtmp_server.start()
    publish(rtmp_server.url("show"), seconds=1)
    both = rtmp_server.wait_for_recordings("show", count=2)
    assert len(both) == 2 and both[0] == first[0], [p.name for p in both]
    assert_test_pattern(both[1], seconds=1)


def test_rtmp_server_stop_drops_a_live_publisher(rtmp_server):
    with FfmpegProcess(publisher_command(rtmp_server.url("live"), seconds=30, progress=True)) as publisher:
        poll_until(lambda: publisher.out_time_s >= 1 and rtmp_server.recordings_in_progress("live"), WAIT_LIMIT_S,
                   "a recording in progress")
        rtmp_server.stop()
        # It ends by itself (the stream has 29 s to go): a bounded wait, no claim about how fast.
        code = publisher.wait(timeout_s=WAIT_LIMIT_S)
        assert code != 0, "the publisher did not notice that the server went away"
    # the cut-short recording is marked finished and is readable
    (interrupted,) = rtmp_server.wait_for_recordings("live")
    assert probe_media(interrupted)["video"]["frames"] >= FPS // 2
    with pytest.raises(OSError):
        socket.create_connection((LOOPBACK, rtmp_server.port), timeout=1).close()


# -- SRT -------------------------------------------------------------------------------------------


def test_srt_listener_saves_each_connection_and_restarts(srt_listener):
    publish(srt_listener.url(), container="mpegts")
    first = srt_listener.wait_for_output(min_bytes=100_000)
    # the default latency (120 ms) is lost at the end when the caller closes
    assert_test_pattern(first, lost_tail_s=0.15)

    publish(srt_listener.url("camera-2"), seconds=1, container="mpegts")
    second = srt_listener.wait_for_output(min_bytes=10_000, count=2)
    assert srt_listener.outputs() == srt_listener.finished_outputs() == [first, second]
    assert_test_pattern(second, seconds=1, lost_tail_s=0.15)

    srt_listener.stop()
    assert not srt_listener.running
    srt_listener.start()
    publish(srt_listener.url(), seconds=1, container="mpegts")
    third = srt_listener.wait_for_output(min_bytes=10_000, count=3)
    assert srt_listener.finished_outputs() == [first, second, third]
    assert_test_pattern(third, seconds=1, lost_tail_s=0.15)


def test_srt_listener_without_tsbpd_keeps_every_frame(srt_listener_factory):
    listener = srt_listener_factory(tsbpd=False)
    publish(listener.url(), seconds=2, container="mpegts")
    media = assert_test_pattern(listener.wait_for_output(min_bytes=10_000), seconds=2)
    assert media["video"]["frames"] == 2 * FPS


# -- the throttling proxy --------------------------------------------------------------------------


class EchoServer:
    """A TCP server echoing every byte back, for the proxy's own checks."""

    def __init__(self) -> None:
        self.listener = socket.create_server((LOOPBACK, 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(connection,), daemon=True).start()

    @staticmethod
    def _echo(connection: socket.socket) -> None:
        with connection:
            try:
                while data := connection.recv(65536):
                    connection.sendall(data)
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def echo_server():
    server = EchoServer()
    yield server
    server.close()


def exchange(port: int, payload: bytes) -> bytes:
    with socket.create_connection((LOOPBACK, port), timeout=5) as connection:
        connection.sendall(payload)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def test_proxy_forwards_counts_cuts_and_restores(throttling_proxy_factory, echo_server):
    proxy: ThrottlingProxy = throttling_proxy_factory((LOOPBACK, echo_server.port))
    payload = bytes(range(256)) * 1000
    assert exchange(proxy.port, payload) == payload
    poll_until(lambda: proxy.bytes_to_client == len(payload), WAIT_LIMIT_S, "the counters")
    assert (proxy.bytes_to_server, proxy.connections) == (len(payload), 1)

    held = socket.create_connection((LOOPBACK, proxy.port), timeout=5)
    held.sendall(b"ping")
    assert held.recv(4) == b"ping"
    assert proxy.active_connections == 1
    proxy.cut()
    assert proxy.is_cut and proxy.active_connections == 0
    with held, pytest.raises(ConnectionResetError):  # the live connection was reset...
        held.recv(1)
    with pytest.raises(ConnectionRefusedError):  # ...and new ones are refused
        socket.create_connection((LOOPBACK, proxy.port), timeout=5)

    proxy.restore()
    assert exchange(proxy.port, b"again") == b"again"

    proxy.rate_kbps = 400  # 50 kB/s: 25 kB take about half a second
    started = time.monotonic()
    assert exchange(proxy.port, b"z" * 25_000) == b"z" * 25_000
    # The limit is a promise to take at least this long (the pacing lets 50 ms burst); a slower
    # machine only takes longer, so there is no upper bound here.
    assert time.monotonic() - started > 0.35, "25 kB passed a 400 kbit/s limit in under 0.35 s"


def test_rate_limit_slows_an_rtmp_publisher_and_a_cut_fails_it(rtmp_server, throttled_rtmp):
    """A 2 Mbit/s publish through a 500 kbit/s proxy: the proxy forwards ~500 kbit/s and FFmpeg
    is held back (speed well under 1x), because FFmpeg's send buffer is small
    (-send_buffer_size; without it loopback TCP buffers megabytes and FFmpeg runs at 1x)."""
    proxy = throttled_rtmp
    proxy.rate_kbps = 500
    command = publisher_command(
        rtmp_url_via(proxy, "slow"), seconds=30, video_bitrate="2M", progress=True,
        extra_output_args=("-send_buffer_size", "16384"),
    )
    with FfmpegProcess(command) as publisher:
        poll_until(lambda: proxy.bytes_to_server > 50_000, WAIT_LIMIT_S, "the publish to start")
        begin_t, begin_bytes = time.monotonic(), proxy.bytes_to_server
        window_bytes = 250_000  # 4 s at the limit
        # The proxy keeps forwarding (a bounded wait: however long the machine needs)...
        poll_until(lambda: proxy.bytes_to_server - begin_bytes >= window_bytes or publisher.poll() is not None,
                   WAIT_LIMIT_S, "250 kB through the proxy")
        assert publisher.poll() is None, publisher.stderr[-1500:]
        # ...but never faster than the limit. A slower machine only forwards less, so no lower bound.
        forwarded_kbps = (proxy.bytes_to_server - begin_bytes) * 8 / 1000 / (time.monotonic() - begin_t)
        assert forwarded_kbps < 600, f"forwarded {forwarded_kbps:.0f} kbit/s through a 500 kbit/s limit"
        assert publisher.speed is not None and publisher.speed < 0.6, f"FFmpeg speed {publisher.speed}"
        backlog = publisher.total_size - proxy.bytes_to_server
        assert backlog < 300_000, f"{backlog} bytes written by FFmpeg are buffered, not forwarded"

        proxy.cut()
        code = publisher.wait(timeout_s=WAIT_LIMIT_S)
        assert code != 0, "the publisher did not notice the cut"
    with FfmpegProcess(publisher_command(rtmp_url_via(proxy, "refused"), seconds=1)) as refused:
        assert refused.wait(timeout_s=WAIT_LIMIT_S) != 0
    assert "refused" in refused.stderr.lower(), refused.stderr[-1000:]
