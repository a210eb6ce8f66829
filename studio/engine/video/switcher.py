"""The switcher: preview and program (studio mode), cuts, timed transitions and the T-bar.

It only holds state and answers "what should tick N show?"; the program thread applies
commands to it between ticks, so a cut always lands on exactly one output frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.engine.show import TransitionKind


@dataclass(frozen=True, slots=True)
class RenderPlan:
    """What one tick shows: the program scene, or a transition from `scene` to `incoming`."""

    scene: str
    incoming: str | None = None
    kind: TransitionKind = TransitionKind.CUT
    progress: float = 0.0


@dataclass(slots=True)
class _RunningTransition:
    target: str
    kind: TransitionKind
    start_tick: int
    duration_ticks: int


class Switcher:
    def __init__(self, program_scene: str, preview_scene: str) -> None:
        self.program_scene = program_scene
        self.preview_scene = preview_scene
        self._running: _RunningTransition | None = None
        self._tbar_position = 0.0
        self._tbar_kind = TransitionKind.MIX

    @property
    def in_transition(self) -> bool:
        return self._running is not None or self._tbar_position > 0.0

    @property
    def tbar_position(self) -> float:
        return self._tbar_position

    def forget_scenes_except(self, scenes: set[str], fallback: str) -> None:
        """Scenes were removed from the show: whatever pointed at a removed one (program, preview,
        a transition's target) moves to `fallback` or is cancelled."""
        if self._running is not None and self._running.target not in scenes:
            self._running = None
        if self.program_scene not in scenes:
            self.program_scene = fallback
            self._running, self._tbar_position = None, 0.0
        if self.preview_scene not in scenes:
            self.preview_scene = self.program_scene
            self._tbar_position = 0.0

    def set_preview(self, scene: str) -> None:
        self.preview_scene = scene

    def cut(self, scene: str | None = None) -> None:
        """Put `scene` (or the preview) on program now; the old program goes to preview, as on a
        hardware switcher. A running transition is finished at once."""
        target = scene if scene is not None else (self._running.target if self._running else self.preview_scene)
        self._running = None
        self._tbar_position = 0.0
        if target != self.program_scene:
            self.preview_scene, self.program_scene = self.program_scene, target

    def start_transition(self, tick: int, kind: TransitionKind, duration_ticks: int, scene: str | None = None) -> None:
        target = scene if scene is not None else self.preview_scene
        if kind is TransitionKind.CUT or duration_ticks <= 1 or target == self.program_scene:
            self.cut(target)
            return
        self._tbar_position = 0.0
        self._running = _RunningTransition(target, kind, tick, duration_ticks)

    def set_tbar(self, position: float, kind: TransitionKind) -> None:
        """Manual transition to preview; reaching 1.0 completes it (and the bar is back at 0)."""
        self._running = None
        position = min(1.0, max(0.0, position))
        if position >= 1.0:
            self.cut()
            return
        self._tbar_position = position
        self._tbar_kind = kind

    def plan(self, tick: int) -> RenderPlan:
        running = self._running
        if running is not None:
            # Frame k of an n-frame transition shows progress (k+1)/n: the first frame already
            # moves, the last is fully the new scene.
            progress = (tick - running.start_tick + 1) / running.duration_ticks
            return RenderPlan(self.program_scene, running.target, running.kind, min(1.0, progress))
        if self._tbar_position > 0.0:
            return RenderPlan(self.program_scene, self.preview_scene, self._tbar_kind, self._tbar_position)
        return RenderPlan(self.program_scene)

    def end_tick(self, tick: int) -> bool:
        """Called after a tick is rendered; completes a transition that has reached its end.
        Returns True when program changed."""
        running = self._running
        if running is not None and tick - running.start_tick + 1 >= running.duration_ticks:
            self.cut(running.target)
            return True
        return False
