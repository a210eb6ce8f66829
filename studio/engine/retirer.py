"""Retirer: stops what the program has let go of (source runners, audio inputs) on its own thread.

Stopping a camera joins its capture thread (up to two seconds) and closing a microphone waits on
PortAudio: neither may happen on the program thread, nor on the GUI thread that made the edit.
The program hands retired parts over without waiting; one worker stops them in order.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

RETIRE_QUEUE_LIMIT = 256


class Retirer:
    def __init__(self) -> None:
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=RETIRE_QUEUE_LIMIT)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def retire(self, stop: Callable[[], None]) -> None:
        """Run `stop` soon on the retirer's thread; never blocks the caller."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="retirer", daemon=True)
                self._thread.start()
        try:
            self._jobs.put_nowait(stop)
        except queue.Full:  # hundreds of edits at once: stop this one on a thread of its own
            threading.Thread(target=self._run_one, args=(stop,), name="retirer-extra", daemon=True).start()

    def close(self, timeout_s: float = 10.0) -> None:
        """Finish what is queued, then end the thread (the engine's stop)."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return
        try:
            self._jobs.put(None, timeout=timeout_s)
        except queue.Full:
            log.warning("retirer: queue still full at close")
            return
        thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            self._run_one(job)

    @staticmethod
    def _run_one(job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:
            log.exception("stopping a retired part failed")
