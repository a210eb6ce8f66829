"""The thread body shared by the studio's network servers (the comments API, the remote control):
each runs its own asyncio loop on its own thread, so nothing they do can stall the engine or the
GUI, and start() can report a port that cannot be used."""

from __future__ import annotations

import asyncio
import errno
import threading
from concurrent.futures import Executor

# How long start() waits for the loop to listen: far more than binding ever takes.
START_TIMEOUT_S = 15.0


class AsyncioServerThread:
    """Mixin. The server provides `_open()` (a coroutine that listens and may set `_runner`),
    `port_in_use_hint` (who may hold its port, what to change), and the attributes `_ready` (an Event start() waits on),
    `_runner`, `_start_error`, `_loop`, `_loop_thread_id`, `_thread`, `host` and
    `_requested_port`."""

    _ready: threading.Event
    #: Said after "is already in use": who may hold the port and which setting to change.
    port_in_use_hint = "(another studio or program listens there); choose another port"

    def _start_listening(self, thread_name: str, what: str, error_type: type[Exception], executor: Executor | None) -> None:
        """Start the loop's thread and wait until it listens. `what` names the server in the
        error (error_type) when it does not start in time; a start error from _open() is raised
        as it is. `executor` (the server's worker pool, made before) is shut down on failure."""
        self._server_name, self._start_error_type = what, error_type
        self._thread = threading.Thread(target=self._thread_main, name=thread_name, daemon=True)
        self._thread.start()
        try:
            if not self._ready.wait(START_TIMEOUT_S):
                raise error_type(f"{what}: {self.host}:{self._requested_port} did not start listening in time")
            if self._start_error is not None:
                self._thread.join(5.0)
                raise self._start_error
        except BaseException:
            if executor is not None:
                executor.shutdown(wait=False)
            raise

    def _explain_start_error(self, error: BaseException) -> Exception:
        """Why _open() failed, as the server's own error naming host and port."""
        what, error_type = self._server_name, self._start_error_type
        where = f"{self.host}:{self._requested_port}"
        if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
            return error_type(f"{what}: {where}: port {self._requested_port} on {self.host} is already in use {self.port_in_use_hint}")
        if isinstance(error, OSError):
            return error_type(f"{what}: cannot listen on {where}: {error.strerror or error}")
        return error_type(f"{what}: cannot start on {where}: {type(error).__name__}: {error}")

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._loop_thread_id = threading.get_ident()
        asyncio.set_event_loop(loop)
        try:
            try:
                loop.run_until_complete(self._open())
            except BaseException as error:  # noqa: BLE001 - reported to start()
                self._start_error = self._explain_start_error(error)
                if self._runner is not None:
                    loop.run_until_complete(self._runner.cleanup())
                return
            finally:
                self._ready.set()
            loop.run_forever()
        finally:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
