"""Comments played on the show's clock: a JSONL file for the demo show and rehearsals, and the
comments a script injects. Each item is handed to the desk when the program reaches its time,
so on the virtual clock a replay lands at the same media time on every run.

A replay file has one JSON object per line, the API's fields plus `at` (seconds from the show's
start): {"at": 1.5, "user": "小美", "text": "3号多少钱？"}. `id` defaults to the line number;
`platform` to "replay". With loop, the file starts over after its last item (ids get the round).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from studio.comments.message import Comment, parse_message
from studio.engine.clock import NS_PER_SECOND
from studio.engine.engine import Engine
from studio.engine.errors import InputError

log = logging.getLogger(__name__)

LOOP_GAP_S = 5.0


@dataclass(frozen=True)
class TimedComment:
    at_ns: int  # media time, from the show's start
    comment: Comment


def load_replay(path: Path) -> list[TimedComment]:
    """Read a replay file; a bad line is reported with its number (the file is the user's)."""
    file = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError("file not found; expected a comment replay (JSON lines)", file=file) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the file: {error}", file=file) from None
    items: list[TimedComment] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            at_s = float(data.pop("at"))
            if at_s < 0:
                raise ValueError("at must be 0 or more seconds")
            data.setdefault("id", f"line-{number}")
            comment = parse_message(data, default_platform="replay")
        except KeyError:
            raise InputError(f"line {number}: at: missing (seconds from the show's start)", file=file) from None
        except ValueError as error:
            raise InputError(f"line {number}: {error}", file=file) from None
        items.append(TimedComment(round(at_s * NS_PER_SECOND), comment))
    return sorted(items, key=lambda item: item.at_ns)


class ReplayPlayer:
    """Hands timed comments to `ingest` when the show's clock reaches them, on its own thread."""

    def __init__(self, engine: Engine, ingest, items: list[TimedComment], *, loop: bool = False) -> None:
        self.engine = engine
        self._ingest = ingest
        self._items = list(items)
        self._loop = loop and bool(items)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="comment-replay", daemon=True)
        self.played = 0

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        offset_ns, round_number = 0, 1
        period_ns = (self._items[-1].at_ns + round(LOOP_GAP_S * NS_PER_SECOND)) if self._items else 0
        while not self._stop.is_set():
            for item in self._items:
                if not self.engine.wait_for_media_time(offset_ns + item.at_ns, self._stop):
                    return
                comment = item.comment
                if round_number > 1:
                    comment = replace(comment, id=f"{comment.id}-r{round_number}")
                try:
                    self._ingest([comment])
                    self.played += 1
                except Exception:
                    log.exception("replaying a comment failed")
            if not self._loop:
                return
            offset_ns += period_ns
            round_number += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():  # a session stopped before it started never started it
            self._thread.join(5.0)
