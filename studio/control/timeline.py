"""Scripted timelines: a JSON list of timed commands, applied through the engine's public methods.

    [{"at": 2.0, "do": "cut", "scene": "SIDE"},
     {"at": 3.0, "do": "transition", "scene": "BACK", "kind": "mix", "duration_ms": 500}]

`at` is seconds from the show's start; each command lands on the tick nearest to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from studio.engine.clock import NS_PER_SECOND
from studio.engine.engine import Engine
from studio.engine.errors import InputError, input_error_from_validation
from studio.engine.show import TransitionKind


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: float = Field(ge=0, description="seconds from the show's start")


class CutStep(_Step):
    do: Literal["cut"]
    scene: str | None = None


class PreviewStep(_Step):
    do: Literal["preview"]
    scene: str


class TransitionStep(_Step):
    do: Literal["transition"]
    scene: str | None = None
    kind: TransitionKind | None = None
    duration_ms: int | None = Field(None, ge=0, le=10_000)


class TbarStep(_Step):
    do: Literal["tbar"]
    position: float = Field(ge=0, le=1)
    kind: TransitionKind | None = None


Step = Annotated[CutStep | PreviewStep | TransitionStep | TbarStep, Field(discriminator="do")]
_steps_adapter = TypeAdapter(list[Step])


def load_timeline(path: str | Path) -> list[Step]:
    file = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found; expected a script (JSON list of timed commands)", file=file) from None
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON at line {error.lineno} column {error.colno}: {error.msg}", file=file) from None
    try:
        return _steps_adapter.validate_python(data)
    except ValidationError as error:
        raise input_error_from_validation(error, file=file) from None


def schedule_timeline(engine: Engine, steps: list[Step], *, file: str = "<script>") -> None:
    """Hand every step to the engine, timed; unknown scene names are reported with their step."""
    for index, step in enumerate(steps):
        at_ns = round(step.at * NS_PER_SECOND)
        try:
            match step:
                case CutStep():
                    engine.cut(step.scene, at_ns=at_ns)
                case PreviewStep():
                    engine.set_preview(step.scene, at_ns=at_ns)
                case TransitionStep():
                    engine.transition(step.scene, kind=step.kind, duration_ms=step.duration_ms, at_ns=at_ns)
                case TbarStep():
                    engine.set_tbar(step.position, kind=step.kind, at_ns=at_ns)
        except InputError as error:
            raise InputError(error.detail, file=file, field=f"[{index}].{error.field or 'do'}") from None
