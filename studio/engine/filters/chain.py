"""A source's (or program's) filters, run in order on each frame, never stopping the show.

- Each filter can be bypassed. A filter that raises, or returns something that is not a valid
  frame, is bypassed from then on: the frame goes on unfiltered by it, and the failure is
  reported once through `on_failure` (and logged) naming the chain, the filter and the error.
- Filters get a read-only view of their input, so one that tries to write into a shared source
  frame fails loudly (and is bypassed) instead of corrupting what another canvas shows.
- Adjacent colour-map filters around a LUT are composed into one table (colour_map_run.py), and
  a luma-change filter right after them (skin smoothing) is added in the same pass.
- Filters whose settings change nothing are skipped.

A chain is used by one thread (the program thread). Building tables is slow (a LUT's: about a
second here), so whoever makes or edits a chain calls prepare() before handing it over; apply()
builds whatever prepare() did not, on the spot.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from studio.engine.filters.base import ColourMapFilter, VideoFilter
from studio.engine.filters.colour_map_run import ColourMapRun, RunMemberFailed
from studio.engine.filters.luma_change import LumaChangeFilter
from studio.engine.frames import Frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FilterFailure:
    """What is reported when a filter is bypassed because it failed."""

    owner: str  # the chain's owner, as the user knows it: a source name, "program"
    index: int  # position in the chain, from 0
    label: str
    kind: str
    error: str  # "ValueError: ..." as raised

    @property
    def message(self) -> str:
        where = f"{self.owner}: " if self.owner else ""
        return f"{where}filter {self.index + 1} '{self.label}' ({self.kind}) failed and is bypassed: {self.error}"


@dataclass
class FilterSlot:
    label: str
    filter: VideoFilter
    bypassed: bool = False
    failure: FilterFailure | None = None

    @property
    def active(self) -> bool:
        return not self.bypassed and self.failure is None and not self.filter.changes_nothing


@dataclass(frozen=True)
class _Single:
    index: int


@dataclass(frozen=True)
class _Run:
    indices: tuple[int, ...]  # the colour maps composed
    run: ColourMapRun
    follower: int | None = None  # a LumaChangeFilter added in the run's pass

    @property
    def all_indices(self) -> tuple[int, ...]:
        return self.indices if self.follower is None else (*self.indices, self.follower)


class FilterChain:
    """Filters in order. `filters` are filter instances or (label, filter) pairs; the label (the
    kind's title by default) is how failures name the filter. `owner` names the chain in them."""

    def __init__(
        self,
        filters: Iterable[VideoFilter | tuple[str, VideoFilter]] = (),
        *,
        owner: str = "",
        on_failure: Callable[[FilterFailure], None] | None = None,
    ) -> None:
        self.owner = owner
        self._on_failure = on_failure
        self._slots: list[FilterSlot] = []
        for item in filters:
            label, video_filter = item if isinstance(item, tuple) else (item.title, item)
            self._slots.append(FilterSlot(label, video_filter))
        self._plan: tuple[_Single | _Run, ...] | None = None
        self._unfused: set[int] = set()  # slots whose composed run failed: applied one by one

    @property
    def slots(self) -> tuple[FilterSlot, ...]:
        """Each filter's state, to show (bypassed, failed and why); change bypass with set_bypassed."""
        return tuple(self._slots)

    def set_bypassed(self, index: int, bypassed: bool) -> None:
        self._slots[index].bypassed = bypassed
        self._plan = None

    def prepare(self) -> None:
        """Build every table the current arrangement needs, now."""
        self._current_plan()

    def reset(self) -> None:
        for slot in self._slots:
            slot.filter.reset()

    def apply(self, frame: Frame) -> Frame:
        for step in self._current_plan():
            frame = self._apply_step(step, frame)
        return frame

    # -- plan -------------------------------------------------------------------------------

    def _current_plan(self) -> tuple[_Single | _Run, ...]:
        while self._plan is None:
            failures = sum(slot.failure is not None for slot in self._slots)
            try:
                plan = self._build_plan()
            except RunMemberFailed:
                continue  # the culprit is marked failed; plan again without it
            # A filter that failed while preparing is marked failed: plan again without it. This
            # ends: every round either keeps its plan or bypasses one more filter.
            if sum(slot.failure is not None for slot in self._slots) == failures:
                self._plan = plan
        return self._plan

    def _build_plan(self) -> tuple[_Single | _Run, ...]:
        previous_runs = {step.run.members: step.run for step in (self._plan or ()) if isinstance(step, _Run)}
        steps: list[_Single | _Run] = []
        pending: list[int] = []  # a stretch of adjacent active colour maps

        def flush(follower: int | None) -> bool:
            """Close the stretch; True if `follower` (a luma-change filter just after it) joined."""
            members = tuple(self._colour_map(i) for i in pending)
            # Composing pays off only around a table lookup (a LUT) that is paid for anyway.
            composed = any(member.tabulated for member in members) and (len(members) >= 2 or follower is not None)
            if composed:
                run = previous_runs.get(members) or ColourMapRun(members)
                try:
                    run.build()
                except RunMemberFailed as failure:
                    self._fail(pending[failure.position], failure.error)
                    raise
                steps.append(_Run(tuple(pending), run, follower))
            else:
                steps.extend(_Single(i) for i in pending)
            pending.clear()
            return composed and follower is not None

        for index, slot in enumerate(self._slots):
            if not slot.active:
                continue
            fusable = index not in self._unfused
            if isinstance(slot.filter, ColourMapFilter) and fusable:
                pending.append(index)
                continue
            follows_maps = fusable and bool(pending) and isinstance(slot.filter, LumaChangeFilter)
            if flush(index if follows_maps else None):
                self._prepare_single(index)
            else:
                steps.append(_Single(index))
        flush(None)
        for step in steps:
            if isinstance(step, _Single):
                self._prepare_single(step.index)
        return tuple(steps)

    def _colour_map(self, index: int) -> ColourMapFilter:
        member = self._slots[index].filter
        assert isinstance(member, ColourMapFilter)
        return member

    def _prepare_single(self, index: int) -> None:
        try:
            self._slots[index].filter.prepare()
        except Exception as error:
            self._fail(index, error)

    # -- running ----------------------------------------------------------------------------

    def _apply_step(self, step: _Single | _Run, frame: Frame) -> Frame:
        if isinstance(step, _Single):
            return self._apply_single(step.index, frame)
        view = _read_only(frame)
        follower = None if step.follower is None else self._slots[step.follower].filter
        try:
            luma_change = follower.luma_change if isinstance(follower, LumaChangeFilter) else None
            return _checked(step.run.apply(view, luma_change), frame, may_resize=False, source=view)
        except Exception as error:
            # Which member is at fault is not known here: run them one by one from now on, so a
            # culprit is found and bypassed alone.
            log.warning("%s: composed filters failed (%s); running them one by one", self.owner or "chain", error)
            self._unfused.update(step.all_indices)
            self._plan = None
            for index in step.all_indices:
                frame = self._apply_single(index, frame)
            return frame

    def _apply_single(self, index: int, frame: Frame) -> Frame:
        slot = self._slots[index]
        if not slot.active:
            return frame
        view = _read_only(frame)
        try:
            out = slot.filter.apply(view)
            return _checked(out, frame, may_resize=slot.filter.changes_size, source=view)
        except Exception as error:
            self._fail(index, error)
            return frame

    def _fail(self, index: int, error: BaseException) -> None:
        slot = self._slots[index]
        failure = FilterFailure(self.owner, index, slot.label, slot.filter.kind, f"{type(error).__name__}: {error}")
        slot.failure = failure
        self._plan = None
        log.warning("%s", failure.message)
        if self._on_failure is not None:
            try:
                self._on_failure(failure)
            except Exception:  # a broken listener must not stop the picture either
                log.exception("filter failure listener raised")


def _read_only(frame: Frame) -> Frame:
    i420 = frame.i420.view()
    i420.flags.writeable = False
    alpha = None
    if frame.alpha is not None:
        alpha = frame.alpha.view()
        alpha.flags.writeable = False
    return dataclasses.replace(frame, i420=i420, alpha=alpha)


def _checked(out: object, original: Frame, *, may_resize: bool, source: Frame) -> Frame:
    """The filter's output if it is a frame the compositor can use; raises otherwise."""
    if out is source:
        return original  # "nothing to do": hand on the caller's own (writable-view-free) frame
    if not isinstance(out, Frame):
        raise TypeError(f"returned {type(out).__name__}, not a Frame")
    width, height = out.width, out.height
    if width < 2 or height < 2 or width % 2 or height % 2:
        raise ValueError(f"returned a {width}x{height} frame; I420 needs even sizes of at least 2")
    if not may_resize and (width, height) != (original.width, original.height):
        raise ValueError(f"changed the frame size from {original.width}x{original.height} to {width}x{height}")
    if out.i420.dtype != "uint8" or out.i420.shape != (height * 3 // 2, width):
        expected = f"({height * 3 // 2}, {width}) uint8"
        raise ValueError(f"returned pixels of shape {out.i420.shape} {out.i420.dtype}; expected {expected}")
    if out.alpha is not None and (out.alpha.dtype != "uint8" or out.alpha.shape != (height, width)):
        raise ValueError(f"returned alpha of shape {out.alpha.shape} {out.alpha.dtype}; expected ({height}, {width}) uint8")
    return out
