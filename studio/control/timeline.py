"""Scripted timelines: a JSON list of timed commands, applied through the engine's public methods.

    [{"at": 2.0, "do": "cut", "scene": "SIDE"},
     {"at": 3.0, "do": "transition", "scene": "BACK", "kind": "mix", "duration_ms": 500}]

`at` is seconds from the show's start; each command lands on the tick nearest to it.

Selling commands (they need the show's products):

    {"at": 1.0, "do": "select_product", "product": "tee-white"}
    {"at": 2.0, "do": "apply_preset"}                       # the current product's, or "product"
    {"at": 4.0, "do": "link_321"}                           # 3, 2, 1, then the card at 7.0
    {"at": 9.0, "do": "set_stock", "product": "tee-white", "stock": 12}
    {"at": 10.0, "do": "sold_out", "product": "tee-white"}  # "sold_out": false takes it back
    {"at": 12.0, "do": "dismiss_card"}

Comment commands (the local API's fields; the comment arrives when the show reaches `at`):

    {"at": 2.0, "do": "inject_comment", "id": "c1", "user": "小美", "text": "3号多少钱？"}
    {"at": 2.5, "do": "pin_comment", "id": "c1"}            # platform "script" unless given
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from studio.comments.comment_desk import CommentDesk
from studio.comments.message import parse_message
from studio.comments.replay import TimedComment
from studio.commerce.selling_desk import SellingDesk
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


class SelectProductStep(_Step):
    do: Literal["select_product"]
    product: str


class ApplyPresetStep(_Step):
    do: Literal["apply_preset"]
    product: str | None = None
    target: Literal["preview", "program"] | None = None


class Link321Step(_Step):
    do: Literal["link_321"]
    product: str | None = None


class DismissCardStep(_Step):
    do: Literal["dismiss_card"]


class SetStockStep(_Step):
    do: Literal["set_stock"]
    product: str
    stock: int | None = Field(ge=0)


class SoldOutStep(_Step):
    do: Literal["sold_out"]
    product: str
    sold_out: bool = True


class InjectCommentStep(_Step):
    """A comment arriving at `at`, with the local API's fields."""

    model_config = ConfigDict(extra="allow")
    do: Literal["inject_comment"]


class PinCommentStep(_Step):
    do: Literal["pin_comment"]
    id: str
    platform: str = "script"


SELLING_STEPS = (SelectProductStep, ApplyPresetStep, Link321Step, DismissCardStep, SetStockStep, SoldOutStep)
Step = Annotated[
    CutStep | PreviewStep | TransitionStep | TbarStep | SelectProductStep | ApplyPresetStep | Link321Step | DismissCardStep
    | SetStockStep | SoldOutStep | InjectCommentStep | PinCommentStep,
    Field(discriminator="do"),
]
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


def schedule_timeline(
    engine: Engine,
    steps: list[Step],
    *,
    file: str = "<script>",
    desk: SellingDesk | None = None,
    comments: CommentDesk | None = None,
) -> list[TimedComment]:
    """Hand every step to the engine (or a desk), timed, in time order; unknown scene, product
    or comment ids are reported with their step. Returns the comments the script injects, to be
    played on the show's clock (they reach the store when the show reaches their time)."""
    injected: list[TimedComment] = []
    for index, step in sorted(enumerate(steps), key=lambda item: item[1].at):
        at_ns = round(step.at * NS_PER_SECOND)
        if isinstance(step, SELLING_STEPS) and desk is None:
            raise InputError(f"{step.do} needs a show with products", file=file, field=f"[{index}].do")
        if isinstance(step, InjectCommentStep | PinCommentStep) and comments is None:
            raise InputError(f"{step.do} needs the comment desk", file=file, field=f"[{index}].do")
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
                case SelectProductStep():
                    desk.select_product(step.product, at_ns=at_ns)
                case ApplyPresetStep():
                    desk.apply_preset(step.product, target=step.target, at_ns=at_ns)
                case Link321Step():
                    desk.link_321(step.product, at_ns=at_ns)
                case DismissCardStep():
                    desk.dismiss_card(at_ns=at_ns)
                case SetStockStep():
                    desk.set_stock(step.product, step.stock, at_ns=at_ns)
                case SoldOutStep():
                    desk.set_sold_out(step.product, step.sold_out, at_ns=at_ns)
                case InjectCommentStep():
                    message = {key: value for key, value in step.model_dump().items() if key not in ("at", "do")}
                    try:
                        comment = parse_message(message, default_platform="script")
                    except ValueError as error:
                        raise InputError(str(error), field=getattr(error, "field", None) or "text") from None
                    injected.append(TimedComment(at_ns, comment))
                case PinCommentStep():
                    # A comment this script injects is pinned from its content, timed to the frame.
                    match = next((t.comment for t in injected if (t.comment.platform, t.comment.id) == (step.platform, step.id)), None)
                    if match is not None:
                        comments.pin_comment_content(match, at_ns=at_ns)
                    else:
                        stored = comments.store.get(step.platform, step.id)
                        if stored is None:
                            raise InputError(f"unknown comment {step.platform}:{step.id}; inject it earlier in the script", field="id")
                        comments.pin_comment(stored.rowid, at_ns=at_ns)
        except InputError as error:
            raise InputError(error.detail, file=file, field=f"[{index}].{error.field or 'do'}") from None
    return injected
