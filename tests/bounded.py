"""A call the test must see return, bounded so that a hang fails the test instead of stalling it.

Used where a test's claim is "this returns without waiting for X" and X is held by the test (a
device blocked on an Event, a server that never answers): the claim is that the call returns at
all while X is held, so the limit is generous and is no claim about the machine's speed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Far longer than any of these calls takes on a loaded machine; only a real hang reaches it.
GENEROUS_LIMIT_S = 30.0


def call_bounded(function: Callable[[], T], what: str, limit_s: float = GENEROUS_LIMIT_S) -> T:
    """`function()` run on a helper thread; its result, or its exception re-raised here. An
    AssertionError naming `what` if it has not returned within `limit_s` (the thread is left
    behind as a daemon: it is stuck, which is what the test found)."""
    outcome: dict[str, object] = {}
    finished = threading.Event()

    def run() -> None:
        try:
            outcome["result"] = function()
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            outcome["error"] = error
        finally:
            finished.set()

    threading.Thread(target=run, name=f"bounded: {what}", daemon=True).start()
    if not finished.wait(limit_s):
        raise AssertionError(f"{what} did not return within {limit_s:.0f} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]
