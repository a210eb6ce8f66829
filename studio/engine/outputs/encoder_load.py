"""When is the encoder overloaded, and when should it step down to a faster preset?

The encode queue absorbs a slow encoder (nothing recorded is dropped), so its depth is the
measure: how far the recording is behind real time. Decisions count encoded frames, not wall
time, so the same queue history always gives the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EncoderLoad(StrEnum):
    NORMAL = "normal"
    OVERLOADED = "overloaded"  # OBS's "encoding overloaded": the recording is falling behind


class LoadAction(StrEnum):
    NONE = "none"
    WARN = "warn"  # it just became overloaded: tell the user once
    STEP_DOWN = "step down"  # still behind: ask for a faster preset
    RECOVERED = "recovered"  # the queue emptied again


@dataclass(slots=True)
class EncoderLoadGovernor:
    fps: int
    warn_lag_ms: int = 500
    step_down_lag_ms: int = 1000
    # After a step the queue needs time to drain before the next step is judged.
    settle_s: int = 5
    state: EncoderLoad = EncoderLoad.NORMAL
    _frames_since_step: int = 10**9

    def lag_ms(self, queued_frames: int) -> int:
        return queued_frames * 1000 // self.fps

    def observe(self, queued_frames: int) -> LoadAction:
        """Called once per encoded frame with the number of frames still waiting."""
        self._frames_since_step += 1
        lag_ms = self.lag_ms(queued_frames)
        if self.state is EncoderLoad.NORMAL:
            if lag_ms >= self.warn_lag_ms:
                self.state = EncoderLoad.OVERLOADED
                return LoadAction.WARN
            return LoadAction.NONE
        if queued_frames == 0:
            self.state = EncoderLoad.NORMAL
            return LoadAction.RECOVERED
        if lag_ms >= self.step_down_lag_ms and self._frames_since_step >= self.settle_s * self.fps:
            self._frames_since_step = 0
            return LoadAction.STEP_DOWN
        return LoadAction.NONE
