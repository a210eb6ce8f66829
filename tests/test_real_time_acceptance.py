"""Real time while comments pour in: `studio run` records 10 s in the GRID scene while 1,000
comments a second arrive through the comments API. The recording has exactly the frames the
summary says it recorded, one per tick of the show, with no hole in its timing, and the encoder
dropped nothing. Counts come from the program's own summary, never from the wall clock."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading

import aiohttp
import av
import pytest

from tests.conftest import REPO_ROOT, ffprobe, run_summary

FPS = 30
SECONDS = 10
COMMENTS_PER_SECOND = 1000
BATCH = 100
COMMENTS_LINE = re.compile(r"studio: comments API on http://127\.0\.0\.1:(\d+) ")
STARTUP_LIMIT_S = 60  # a bounded wait; it ends as soon as the line is out


class StderrReader:
    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self.port: int | None = None
        self.announced = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)
            if match := COMMENTS_LINE.match(line):
                self.port = int(match.group(1))
                self.announced.set()
        self.announced.set()

    def text(self) -> str:
        self._thread.join(timeout=STARTUP_LIMIT_S)
        return "".join(self.lines)


@pytest.mark.slow
def test_ten_seconds_of_grid_with_a_thousand_comments_a_second_records_every_tick(tmp_path):
    token = "acceptance-token-1000"
    script = tmp_path / "grid.json"
    script.write_text('[{"at": 0, "do": "cut", "scene": "GRID"}]')
    recording = tmp_path / "grid.mkv"
    app = subprocess.Popen(
        [sys.executable, "-m", "studio", "run", "--duration", str(SECONDS), "--record", str(recording),
         "--script", str(script), "--comments-port", "0", "--comments-db", str(tmp_path / "c.sqlite")],
        cwd=REPO_ROOT, env={**os.environ, "STUDIO_COMMENTS_TOKEN": token},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    reader = StderrReader(app.stderr)
    acknowledged = 0

    async def pour() -> None:
        nonlocal acknowledged
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{reader.port}/ws?token={token}") as socket:
                for second in range(SECONDS + 5):  # until the show ends and the server closes
                    for batch in range(COMMENTS_PER_SECOND // BATCH):
                        messages = [
                            {"id": f"s{second}-b{batch}-{n}", "platform": "bridge", "user": f"viewer{n % 50}",
                             "text": f"想要 {n % 3 + 1} 号，尺码多少？ {second}-{batch}-{n}"}
                            for n in range(BATCH)
                        ]
                        await socket.send_str(json.dumps(messages, ensure_ascii=False))
                        reply = await socket.receive(timeout=STARTUP_LIMIT_S)
                        if reply.type != aiohttp.WSMsgType.TEXT:
                            return  # the show ended and took its server with it
                        acknowledged += sum(1 for result in json.loads(reply.data)["results"] if result["ok"])
                    await asyncio.sleep(1.0)  # pacing: the load is a thousand a second, not as fast as possible

    try:
        assert reader.announced.wait(STARTUP_LIMIT_S) and reader.port, reader.text()
        try:
            asyncio.run(pour())
        except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
            pass  # the connection ends with the show
        app.wait(timeout=STARTUP_LIMIT_S + SECONDS)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
    errors = reader.text()
    assert app.returncode == 0, errors
    assert acknowledged >= COMMENTS_PER_SECOND * 3, f"only {acknowledged} comments went in"  # the load was real
    summary = run_summary(errors)
    assert summary.recorded == SECONDS * FPS and summary.encoder_dropped == 0, errors
    video = next(s for s in ffprobe(recording)["streams"] if s["codec_type"] == "video")
    assert int(video["nb_read_frames"]) == summary.recorded
    with av.open(str(recording)) as container:
        ticks = [round(frame.time * FPS) for frame in container.decode(video=0)]
    assert ticks == list(range(SECONDS * FPS))  # no pts gap
