"""Recording to Matroska, written so that a killed process still leaves a playable file.

Matroska is written cluster by cluster; short clusters (cluster_time_limit) and flushing each
packet to the OS keep what is on disk at most about half a second behind the program.
Optional remux to MP4 when the recording stops (the MKV is kept: it is the safe copy).
"""

from __future__ import annotations

import json
import logging
import os
from fractions import Fraction
from pathlib import Path

import av

from studio.engine.outputs.encoder import ProgramEncoder
from studio.engine.sources.base import AUDIO_SAMPLE_RATE_HZ

log = logging.getLogger(__name__)

CLUSTER_TIME_LIMIT_MS = 500


class MatroskaRecording:
    def __init__(self, path: Path, encoder: ProgramEncoder, origin_frame_index: int = 0) -> None:
        """origin_frame_index: the encoder's frame index this recording starts at (0 when the
        encoder starts with it; later when it joins a running stream encode). Writing begins at
        the first keyframe from there and timestamps are shifted so the file starts at zero."""
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(
            str(path),
            "w",
            format="matroska",
            options={"cluster_time_limit": str(CLUSTER_TIME_LIMIT_MS), "flush_packets": "1"},
        )
        self._video = self._container.add_stream_from_template(encoder.video_stream)
        self._audio = self._container.add_stream_from_template(encoder.audio_stream)
        self.bytes_written = 0
        self.video_packets = 0
        fps = encoder.canvas.fps
        self._video_origin = origin_frame_index
        self._audio_origin = origin_frame_index * AUDIO_SAMPLE_RATE_HZ // fps
        self._started = origin_frame_index == 0
        self._fps = fps
        self.chapters: list[tuple[int, str]] = []  # (start ms in this file, title)

    def write_video(self, packet: av.Packet) -> None:
        if not self._started:
            if not packet.is_keyframe or packet.pts < self._video_origin:
                return
            self._started = True
        self.video_packets += 1
        self._write(packet, self._video, self._video_origin)

    def write_audio(self, packet: av.Packet) -> None:
        if self._audio_origin and (not self._started or packet.pts < self._audio_origin):
            return
        self._write(packet, self._audio, self._audio_origin)

    def _write(self, packet: av.Packet, stream, origin: int) -> None:
        if origin:
            packet.pts -= origin
            packet.dts -= origin
        self.bytes_written += packet.size
        packet.stream = stream
        self._container.mux(packet)

    def add_chapter(self, title: str, frame_index: int) -> None:
        """A chapter mark at an encoder frame index. Kept in a JSON file beside the recording at
        once (written atomically), so a crash keeps them; written into the file when it closes."""
        start_ms = max(0, frame_index - self._video_origin) * 1000 // self._fps
        self.chapters.append((start_ms, title))
        sidecar = self.path.with_name(self.path.name + ".chapters.json")
        temporary = sidecar.with_name(f".{sidecar.name}.partial")
        temporary.write_text(
            json.dumps([{"start_ms": start, "title": text} for start, text in self.chapters], ensure_ascii=False)
        )
        os.replace(temporary, sidecar)

    def close(self, end_frame_index: int | None = None) -> None:
        if self.chapters:
            end_ms = (
                max(0, end_frame_index - self._video_origin) * 1000 // self._fps
                if end_frame_index is not None
                else self.chapters[-1][0] + 1
            )
            starts = [start for start, _ in self.chapters] + [max(end_ms, self.chapters[-1][0] + 1)]
            try:
                self._container.set_chapters(
                    [
                        {"id": index + 1, "start": start, "end": starts[index + 1], "time_base": Fraction(1, 1000),
                         "metadata": {"title": title}}
                        for index, (start, title) in enumerate(self.chapters)
                    ]
                )
            except Exception:  # the marks are safe in the JSON file beside it
                log.exception("writing chapters into %s failed", self.path)
        self._container.close()


def remux_to_mp4(source: Path, target: Path) -> None:
    """Copy the streams of a finished recording into an MP4 (index at the front for web players).
    Written to a temp name and renamed, so a failed remux never leaves a broken target."""
    temporary = target.with_name(f".{target.name}.partial")
    with av.open(str(source)) as reader, av.open(
        str(temporary), "w", format="mp4", options={"movflags": "+faststart"}
    ) as writer:
        mapping = {stream.index: writer.add_stream_from_template(stream) for stream in reader.streams if stream.type in ("video", "audio")}
        for packet in reader.demux(*[s for s in reader.streams if s.index in mapping]):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            writer.mux(packet)
    os.replace(temporary, target)
