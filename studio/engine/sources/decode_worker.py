"""DecodeWorker: decodes a captured source's pictures on a thread of its own, and only while
the source is shown somewhere.

A camera that sends compressed pictures (MJPEG) hands each one over as it arrives (the
SourceRunner's capture thread keeps reading the device, so its buffer stays drained and the
newest picture is always at hand). The worker holds the newest one and decodes it when the
source is demanded, at the size it is shown (the demand). When nobody shows the source it only
keeps the newest picture; the moment a cut or a monitor demands it again, that held picture is
decoded at once, without waiting for the device's next one, so the program has it a tick later.
A demand that grows (from a multiview cell to full screen) re-decodes the held picture too.

One slot, newest wins: if decoding falls behind the camera, older pictures are skipped (counted),
never queued. Decoded frames are published in order, from this one thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from studio.engine.frames import Frame
from studio.engine.sources.base import EncodedPicture, ShownSize

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 2.0


@dataclass(slots=True)
class DecodeCounts:
    decoded: int = 0  # pictures decoded and published
    cpu_ns: int = 0  # this thread's CPU time in decode(), all pictures
    skipped: int = 0  # replaced by a newer picture before their decode began (decoding fell behind)
    failed: int = 0
    consecutive_failures: int = 0


def _covers(decoded_for: ShownSize | None, wanted: ShownSize) -> bool:
    return decoded_for is not None and decoded_for[0] >= wanted[0] and decoded_for[1] >= wanted[1]


class DecodeWorker:
    """`decode(picture, shown_size)` makes the frame, `publish(frame)` delivers it,
    `on_failure(error, counts)` hears of a picture that would not decode."""

    def __init__(
        self,
        name: str,
        decode: Callable[[EncodedPicture, ShownSize], Frame],
        publish: Callable[[Frame], None],
        on_failure: Callable[[Exception, DecodeCounts], None],
        demand: ShownSize | None = None,
    ) -> None:
        self._decode = decode
        self._publish = publish
        self._on_failure = on_failure
        self.counts = DecodeCounts()
        self._changed = threading.Condition()
        self._held: EncodedPicture | None = None
        self._demand = demand
        self._pending = False  # the held picture is to be decoded (again)
        self._busy = False
        # What the held picture was last decoded for: a demand it already covers needs no re-decode.
        self._decoded_picture: EncodedPicture | None = None
        self._decoded_for: ShownSize | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"decode:{name}", daemon=True)
        self._thread.start()

    # -- the capture thread's side ---------------------------------------------------------------

    def offer(self, picture: EncodedPicture) -> None:
        """The newest picture from the device; decoded if the source is shown."""
        with self._changed:
            if self._pending and self._held is not None and self._held is not self._decoded_picture:
                self.counts.skipped += 1
            self._held = picture
            self._pending = self._demand is not None
            if self._pending:
                self._changed.notify_all()

    # -- the program thread's side (never waits) ---------------------------------------------------

    def set_demand(self, shown_size: ShownSize | None) -> None:
        with self._changed:
            self._demand = shown_size
            if shown_size is None or self._held is None:
                return
            already_decoded = self._held is self._decoded_picture and _covers(self._decoded_for, shown_size)
            if not already_decoded:
                # Shown again (or larger): the held picture now, not the device's next one.
                self._pending = True
                self._changed.notify_all()

    # -- any thread ------------------------------------------------------------------------------

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until every picture offered so far is decoded or skipped; True if it is."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending and not self._busy, timeout_s)

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(JOIN_TIMEOUT_S)

    # -- the decode thread -------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending or self._stopping)
                if self._stopping:
                    return
                picture, demand = self._held, self._demand
                self._pending, self._busy = False, True
            assert picture is not None and demand is not None  # _pending implies both
            started_ns = time.thread_time_ns()
            failure: Exception | None = None
            try:
                frame = self._decode(picture, demand)
            except Exception as error:  # a corrupt picture costs that picture, never the thread
                failure = error
            cpu_ns = time.thread_time_ns() - started_ns
            if failure is None:
                self._publish(frame)
            with self._changed:
                self.counts.cpu_ns += cpu_ns
                if failure is None:
                    self.counts.decoded += 1
                    self.counts.consecutive_failures = 0
                    self._decoded_picture, self._decoded_for = picture, demand
                else:
                    self.counts.failed += 1
                    self.counts.consecutive_failures += 1
                self._busy = False
                self._changed.notify_all()
            if failure is not None:
                try:
                    self._on_failure(failure, self.counts)
                except Exception:
                    log.exception("reporting a decode failure failed")
