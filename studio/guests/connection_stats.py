"""One guest's connection figures, about once a second, from aiortc's getStats() and the frames.

What aiortc reports, and what each figure is made of:
- video/audio bitrate: the guest's own RTCP sender reports (remote-outbound-rtp: the octets it
  sent, stamped with its clock), as a rate between two reports; what arrives differs from it only
  by the loss. A sender that sends no reports (some WHIP encoders) is measured on the transport
  instead (all bytes received, less the audio's rate when that is known).
- loss: packets lost / expected, over the last interval, from our receivers' inbound-rtp.
- RTT: what aiortc measured on the return (remote-inbound-rtp, from the guest's receiver
  reports on our senders); None for a session that takes no return (a WHIP encoder).
- fps and resolution: the pictures decoded (counted by the session, not reported by aiortc).

uplink_limited, the rule: a browser session (its answer asked for start and cap bitrates, see
sdp.py) that has been live for UPLINK_AFTER_S, whose video bitrate over the last UPLINK_WINDOW
measurements averages under half of what it was allowed, while the link shows congestion, is
limited by the guest's uplink: the browser's congestion control holds it back.
- "Allowed" is the cap, or less when the picture is small: a browser never encodes a small
  picture at a high rate (libwebrtc's defaults cap 320x240 at 600 kbps, 640x480 at 1700, 960x540
  at 2000), and that is not the uplink's fault.
- "Congestion" is what the browser's estimate reacts to (it has no REMB or transport-cc from
  aiortc, see sdp.py): loss averaging UPLINK_LOSS_PERCENT or more over the window, or the RTT
  UPLINK_RTT_RISE_MS above the lowest seen in the session (a queue filling at the bottleneck).
  Without it a low bitrate is the picture's own doing: a still or simple scene encodes in a few
  hundred kbps whatever the cap (Chromium's fake camera at 960x540 sends about 500 kbps under a
  2500 cap with no loss).
The flag goes away once the average is back above 60% of the allowance, or the window shows no
congestion (so it does not blink at the boundary). A browser that also drops to a smaller picture
when squeezed lowers its own allowance: the rule reports only the clear case.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from studio.engine.sources.guest_feed import GuestStats

UPLINK_AFTER_S = 10.0
UPLINK_WINDOW = 5
UPLINK_LIMITED_BELOW = 0.5
UPLINK_CLEAR_ABOVE = 0.6
UPLINK_LOSS_PERCENT = 1.0
UPLINK_RTT_RISE_MS = 100.0
# With no new report for this long (or 2.5 of the sender's intervals) the stream has stopped.
STALE_REPORT_S = 3.0

# (largest picture in pixels, the most a browser encodes it at in kbps); larger: the cap only.
BROWSER_BITRATE_CEILINGS_KBPS = ((320 * 240, 600), (640 * 480, 1700), (960 * 540, 2000))


@dataclass(frozen=True, slots=True)
class FrameTally:
    """The session's count of decoded pictures and the size of the last one."""

    frames: int = 0
    width: int = 0
    height: int = 0


def allowed_video_kbps(cap_kbps: float, width: int, height: int) -> float:
    """What a browser may reach for this picture size under the cap (see the module's rule)."""
    pixels = width * height
    for largest, ceiling_kbps in BROWSER_BITRATE_CEILINGS_KBPS:
        if pixels <= largest:
            return min(cap_kbps, ceiling_kbps)
    return cap_kbps


class _SenderReportRate:
    """The rate between successive sender reports of one kind (video or audio). Senders report
    at their own pace (a browser about every second, FFmpeg every 5 s), so a rate is held until
    reports stop for well over the sender's own interval."""

    def __init__(self) -> None:
        self._last: tuple[int, datetime.datetime] | None = None
        self._last_change_s: float | None = None
        self._interval_s = 0.0
        self.kbps: float | None = None  # None until two reports arrived

    def update(self, bytes_sent: int, sent_at: datetime.datetime | None, now_s: float) -> None:
        if sent_at is None or (self._last is not None and sent_at <= self._last[1]):
            return
        if self._last is not None:
            elapsed_s = (sent_at - self._last[1]).total_seconds()
            self.kbps = max(0, bytes_sent - self._last[0]) * 8 / elapsed_s / 1000
            self._interval_s = elapsed_s
        self._last = (bytes_sent, sent_at)
        self._last_change_s = now_s

    def current(self, now_s: float) -> float | None:
        if self.kbps is not None and now_s - self._last_change_s > max(STALE_REPORT_S, 2.5 * self._interval_s):
            return 0.0  # the sender went quiet
        return self.kbps


class ConnectionMeter:
    """Turns successive stats reports into GuestStats (see the module's docstring)."""

    def __init__(self, *, cap_kbps: int, bitrate_was_asked: bool) -> None:
        self.cap_kbps = cap_kbps
        self.bitrate_was_asked = bitrate_was_asked
        self._video = _SenderReportRate()
        self._audio = _SenderReportRate()
        self._last_now_s: float | None = None
        self._last_transport_bytes: int | None = None
        self._last_packets: tuple[int, int] | None = None  # (received, lost)
        self._last_frames: int | None = None
        self._video_window: deque[float] = deque(maxlen=UPLINK_WINDOW)
        self._loss_window: deque[float] = deque(maxlen=UPLINK_WINDOW)
        self._rtt_window: deque[float] = deque(maxlen=UPLINK_WINDOW)
        self._lowest_rtt_ms: float | None = None
        self.uplink_limited = False

    def measure(self, report: Mapping[str, object], tally: FrameTally, *, live_for_s: float, now_s: float) -> GuestStats:
        received = lost = 0
        transport_bytes = 0
        round_trips: list[float] = []
        for entry in report.values():
            kind = getattr(entry, "type", "")
            if kind == "remote-outbound-rtp":
                rate = self._video if entry.kind == "video" else self._audio
                rate.update(entry.bytesSent, entry.remoteTimestamp, now_s)
            elif kind == "inbound-rtp":
                received += entry.packetsReceived
                lost += max(0, entry.packetsLost)
            elif kind == "remote-inbound-rtp" and entry.roundTripTime is not None:
                round_trips.append(entry.roundTripTime)
            elif kind == "transport":
                transport_bytes = max(transport_bytes, entry.bytesReceived)

        elapsed_s = now_s - self._last_now_s if self._last_now_s is not None else 0.0
        audio_kbps = self._audio.current(now_s)
        video_kbps = self._video.current(now_s)
        if video_kbps is None and elapsed_s > 0 and self._last_transport_bytes is not None:
            everything_kbps = max(0, transport_bytes - self._last_transport_bytes) * 8 / elapsed_s / 1000
            video_kbps = max(0.0, everything_kbps - (audio_kbps or 0.0)) if tally.frames else 0.0
        loss_percent = 0.0
        if self._last_packets is not None:
            new_received = received - self._last_packets[0]
            new_lost = max(0, lost - self._last_packets[1])
            if new_received + new_lost > 0:
                loss_percent = 100.0 * new_lost / (new_received + new_lost)
        fps = 0.0
        if self._last_frames is not None and elapsed_s > 0:
            fps = max(0, tally.frames - self._last_frames) / elapsed_s
        self._last_now_s = now_s
        self._last_transport_bytes = transport_bytes
        self._last_packets = (received, lost)
        self._last_frames = tally.frames

        rtt_ms = 1000 * sum(round_trips) / len(round_trips) if round_trips else None
        if video_kbps is not None:
            self._video_window.append(video_kbps)
        self._loss_window.append(loss_percent)
        if rtt_ms is not None:
            self._rtt_window.append(rtt_ms)
            self._lowest_rtt_ms = rtt_ms if self._lowest_rtt_ms is None else min(self._lowest_rtt_ms, rtt_ms)
        self._judge_uplink(tally, live_for_s)
        return GuestStats(
            video_bitrate_kbps=round(video_kbps or 0.0, 1),
            audio_bitrate_kbps=round(audio_kbps or 0.0, 1),
            fps=round(fps, 1),
            width=tally.width,
            height=tally.height,
            rtt_ms=round(rtt_ms, 1) if rtt_ms is not None else None,
            loss_percent=round(loss_percent, 2),
            uplink_limited=self.uplink_limited,
        )

    def _congested(self) -> bool:
        if sum(self._loss_window) / max(1, len(self._loss_window)) >= UPLINK_LOSS_PERCENT:
            return True
        return bool(self._rtt_window) and max(self._rtt_window) - (self._lowest_rtt_ms or 0.0) >= UPLINK_RTT_RISE_MS

    def _judge_uplink(self, tally: FrameTally, live_for_s: float) -> None:
        if not self.bitrate_was_asked or live_for_s < UPLINK_AFTER_S or len(self._video_window) < UPLINK_WINDOW:
            self.uplink_limited = False
            return
        average_kbps = sum(self._video_window) / len(self._video_window)
        allowed_kbps = allowed_video_kbps(self.cap_kbps, tally.width, tally.height)
        congested = self._congested()
        if average_kbps < UPLINK_LIMITED_BELOW * allowed_kbps and congested:
            self.uplink_limited = True
        elif average_kbps >= UPLINK_CLEAR_ABOVE * allowed_kbps or not congested:
            self.uplink_limited = False
