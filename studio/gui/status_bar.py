"""The status bar: program fps, dropped and lagged frames, CPU, each destination's state, kind
(RTMP, SRT, WHIP) and bitrate, recording time and free disk, and how many guests are live.
Updated once a second from the engine's stats event (the guests from the Guests dock's refresh).
An SRT destination adds its round trip and dropped packets; its tooltip has SRT's other figures."""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from studio.engine.events import ProgramStats
from studio.engine.outputs.stream import DestinationStats, OutputState
from studio.engine.sources.guest_feed import GuestState, GuestStats

STATE_COLOURS = {
    OutputState.LIVE: "#3c3",
    OutputState.CONNECTING: "#fc3",
    OutputState.RECONNECTING: "#f93",
    OutputState.FAILED: "#f44",
    OutputState.OFF: "#999",
}


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class StudioStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.program_label = QLabel(self)
        self.cpu_label = QLabel(self)
        self.outputs_label = QLabel(self)
        self.recording_label = QLabel(self)
        self.disk_label = QLabel(self)
        self.guests_label = QLabel(self)
        labels = (self.program_label, self.cpu_label, self.outputs_label, self.guests_label, self.recording_label, self.disk_label)
        for label in labels:
            self.addPermanentWidget(label)
        self._last_frames = 0
        self._last_wall_s = time.monotonic()
        self._last_cpu_s = time.process_time()
        self._recording_started_s: float | None = None
        self.recording_folder = Path.home()
        self.reset()

    def reset(self) -> None:
        self.program_label.setText(self.tr("Program: starting"))
        self.cpu_label.setText("")
        self.outputs_label.setText("")
        self.recording_label.setText(self.tr("REC off"))
        self.disk_label.setText("")

    @property
    def recording(self) -> bool:
        return self._recording_started_s is not None

    def recording_started(self) -> None:
        self._recording_started_s = time.monotonic()

    def recording_stopped(self) -> None:
        self._recording_started_s = None

    def update_stats(self, stats: ProgramStats) -> None:
        now_s, cpu_s = time.monotonic(), time.process_time()
        elapsed_s = max(1e-3, now_s - self._last_wall_s)
        fps = max(0, stats.frames_produced - self._last_frames) / elapsed_s
        cpu_percent = 100.0 * (cpu_s - self._last_cpu_s) / elapsed_s
        self._last_frames, self._last_wall_s, self._last_cpu_s = stats.frames_produced, now_s, cpu_s
        self.program_label.setText(
            self.tr("Program {fps:.1f} fps, dropped {dropped}, lagged {lagged}").format(
                fps=fps, dropped=stats.frames_dropped + stats.encoder_dropped, lagged=stats.lagged_ticks
            )
        )
        self.cpu_label.setText(self.tr("CPU {percent:.0f}%").format(percent=cpu_percent))
        if stats.encoder_load == "overloaded":  # OBS's "encoding overloaded": nothing lost yet, but behind
            self.cpu_label.setText(
                self.cpu_label.text()
                + "  <span style='color:#fa0'>"
                + self.tr("Encoding overloaded: {lag_ms} ms behind ({preset})").format(
                    lag_ms=stats.encoder_lag_ms, preset=stats.encoder_preset
                )
                + "</span>"
            )
        self.outputs_label.setText("  ".join(self.destination_line(output) for output in stats.outputs))
        self.outputs_label.setToolTip("\n".join(self.destination_details(output) for output in stats.outputs))
        if self._recording_started_s is not None:
            self.recording_label.setText(
                "<span style='color:#f44'>\u25cf</span> " + self.tr("REC {time}").format(time=format_duration(now_s - self._recording_started_s))
            )
        else:
            self.recording_label.setText(self.tr("REC off"))
        self.disk_label.setText(self.tr("Disk {gb:.1f} GB free").format(gb=free_disk_gb(self.recording_folder)))

    def destination_line(self, output: DestinationStats) -> str:
        """"● Douyin LIVE 5980 kbps SRT, RTT 32 ms, 0 dropped" (rich text)."""
        colour = STATE_COLOURS.get(output.state, "#ccc")
        line = (
            f"<span style='color:{colour}'>\u25cf</span> {html.escape(output.name)} {output.state.value} "
            f"{output.bitrate_kbps:.0f} kbps {output.kind.upper()}"
            + ("" if output.canvas == "main" else f" {html.escape(output.canvas)}")
        )
        if output.srt is not None:
            line += ", " + self.tr("RTT {rtt_ms:.0f} ms, {dropped} dropped").format(
                rtt_ms=output.srt.rtt_ms, dropped=output.srt.dropped_packets
            )
        return line

    def destination_details(self, output: DestinationStats) -> str:
        """One plain line for the tooltip, with SRT's own figures for an SRT connection."""
        line = f"{output.name} ({output.kind.upper()}{'' if output.canvas == 'main' else ', ' + output.canvas})"
        link = output.srt
        if link is None:
            return line
        return line + ": " + self.tr(
            "RTT {rtt_ms:.0f} ms, latency {latency_ms} ms, {retransmitted} retransmitted, {dropped} dropped, "
            "send buffer {buffer_ms} ms, bandwidth estimate {bandwidth_kbps:.0f} kbps"
        ).format(
            rtt_ms=link.rtt_ms,
            latency_ms=link.latency_ms,
            retransmitted=link.retransmitted_packets,
            dropped=link.dropped_packets,
            buffer_ms=link.send_buffer_ms,
            bandwidth_kbps=link.bandwidth_kbps,
        )

    def update_guests(self, stats: dict[str, GuestStats]) -> None:
        """"● Guests 1/2 live": green when one is live, red when one is lost; nothing without guests."""
        if not stats:
            self.guests_label.setText("")
            return
        states = [guest.state for guest in stats.values()]
        live, lost = states.count(GuestState.LIVE), states.count(GuestState.LOST)
        colour = "#f44" if lost else "#3c3" if live else "#999"
        text = self.tr("Guests {live}/{total} live").format(live=live, total=len(states))
        if lost:
            text += ", " + self.tr("{lost} lost").format(lost=lost)
        self.guests_label.setText(f"<span style='color:{colour}'>\u25cf</span> {text}")


def free_disk_gb(folder: Path) -> float:
    # The folder may not exist yet (first recording creates it): measure its nearest parent.
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free / 1e9
    return 0.0
