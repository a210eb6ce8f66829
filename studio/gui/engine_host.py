"""Runs the session's engine life cycle off the GUI thread.

Building, starting and above all stopping an engine can take a while (a recording is finalized,
network senders are told to close, camera threads are joined), so the session does it on a
worker thread; the GUI learns the result from a queued signal and never freezes meanwhile.
Workers run one at a time, in the order asked; only the newest request's engine is handed to
the GUI.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from studio.engine.engine import Engine
from studio.engine.show import Show
from studio.session import StudioSession

log = logging.getLogger(__name__)


class EngineHost(QObject):
    engine_ready = Signal(object)  # the new, started Engine (GUI thread; self.engine is set)
    engine_failed = Signal(str)  # why it could not be built
    engine_stopped = Signal()

    _built = Signal(object, int)  # worker -> GUI thread: (engine or error text, request number)
    _stopped = Signal(int)

    def __init__(self, session: StudioSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.engine: Engine | None = None  # GUI thread's view: the engine to call, or None meanwhile
        self._worker_lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self._request = 0
        self._built.connect(self._on_built)
        self._stopped.connect(self._on_stopped)

    @property
    def busy(self) -> bool:
        return any(worker.is_alive() for worker in self._workers)

    def start(self, show: Show, show_reference: str | None = None) -> None:
        """Stop the current engine (if any) and start one on `show`."""
        self.engine = None
        self._request += 1
        request = self._request
        self._run_in_worker(lambda: self._replace(show, show_reference, request))

    def stop(self, *, everything: bool = True) -> None:
        """Stop the engine (and with `everything`, the session's servers); engine_stopped follows."""
        self.engine = None
        self._request += 1
        request = self._request
        self._run_in_worker(lambda: self._stop(request, everything))

    def wait_idle(self, timeout_s: float = 15.0) -> bool:
        """Join the workers (tests, and the last moment of shutdown)."""
        for worker in list(self._workers):
            worker.join(timeout_s)
        self._workers = [worker for worker in self._workers if worker.is_alive()]
        return not self._workers

    def _run_in_worker(self, job: Callable[[], None]) -> None:
        def serialized() -> None:
            with self._worker_lock:
                job()

        self._workers = [worker for worker in self._workers if worker.is_alive()]
        worker = threading.Thread(target=serialized, name="engine-host", daemon=True)
        self._workers.append(worker)
        worker.start()

    # -- worker thread ----------------------------------------------------------------------------

    def _stop(self, request: int, everything: bool) -> None:
        try:
            self.session.stop() if everything else self.session.stop_engine()
        except Exception:
            log.exception("stopping the engine failed")
        self._stopped.emit(request)

    def _replace(self, show: Show, show_reference: str | None, request: int) -> None:
        try:
            self.session.stop_engine()
            engine = self.session.load(show, show_reference)
        except Exception as error:
            log.exception("starting the engine failed")
            self._built.emit(str(error), request)
            return
        self._built.emit(engine, request)

    # -- GUI thread ---------------------------------------------------------------------------------

    def _on_built(self, result: object, request: int) -> None:
        if request != self._request:
            return  # a newer request is on its way; this engine is already being replaced
        if isinstance(result, str):
            self.engine_failed.emit(result)
            return
        self.engine = result
        self.engine_ready.emit(result)

    def _on_stopped(self, request: int) -> None:
        if request == self._request:
            self.engine_stopped.emit()
