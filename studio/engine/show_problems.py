"""Every problem of a show file at once: where each one is, what was found and what was expected.

A show with a bad canvas width, an unknown source kind and a layer pointing at a missing source
is reported with all three, one per line in the order they appear in the file, so the user fixes
the file in one pass instead of one error per run.

pydantic finds every field error in one go, but the links between fields (a layer's source, the
starting scene) can only be checked on a validated show. So when some fields are bad, the show is
validated once more from what is good (`validate_what_is_good`): each bad value is left out (its
default is taken), or when that is not enough, the list item or object holding it, and the links
of the rest are checked too. Locations are always given as they are in the file, even though a
left-out list item shifts the ones after it in the salvaged show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from studio.engine.errors import InputError, format_location
from studio.engine.secrets import shown_value

Location = tuple[str | int, ...]

# A quoted value longer than this is cut: a 1 MB string must not become a 1 MB error line.
SHOWN_VALUE_MAX_CHARS = 80
# Each round of validate_what_is_good leaves out at least one more node; real files settle in two
# or three, this only bounds a pathological one.
SALVAGE_MAX_ROUNDS = 25


@dataclass(frozen=True, slots=True)
class ShowProblem:
    """One thing wrong with a show: its location in the file (("scenes", 1, "layers", 0,
    "source")) and a message with the value found and what was expected."""

    location: Location
    message: str

    @property
    def field(self) -> str:
        return format_location(self.location)


class ShowProblems(InputError):
    """A show file with one or more problems. One problem reads as any InputError does
    ("show.json: canvas.width: ..."); several are listed one per line under
    "show.json: 3 problems:". `problems` holds them all, in file order; `field` is the first's."""

    def __init__(self, problems: Sequence[ShowProblem], *, file: str) -> None:
        if not problems:
            raise ValueError("ShowProblems needs at least one problem")
        self.problems = tuple(problems)
        first = self.problems[0]
        if len(self.problems) == 1:
            super().__init__(first.message, file=file or None, field=first.field or None)
            return
        listing = "\n".join(f"  {problem.field or '(the whole show)'}: {problem.message}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} problems:\n{listing}", file=file or None)
        self.field = first.field or None


def quoted(field_path: str, value: object) -> str:
    """A user's value as a message may quote it: masked when it may be secret, and cut when long."""
    text = shown_value(field_path, value)
    return text if len(text) <= SHOWN_VALUE_MAX_CHARS else text[: SHOWN_VALUE_MAX_CHARS - 1] + "…"


def problems_from_validation(error: ValidationError, prefix: Location = ()) -> list[ShowProblem]:
    """Every error pydantic found, each with the value it got (masked when it may be secret).
    `prefix` places the errors of a nested model (a source's settings) in the whole file."""
    problems = []
    for item in error.errors():
        location = prefix + tuple(item["loc"])
        if item["type"] == "missing":
            # pydantic's input for a missing field is the whole object holding it: not worth quoting.
            message = f"{item['msg']}; expected a value here"
        else:
            message = f"{item['msg']} (got {quoted(format_location(location), item.get('input'))})"
        problems.append(ShowProblem(location, message))
    return problems


def in_file_order(problems: Iterable[ShowProblem], data: Any) -> list[ShowProblem]:
    """The problems sorted by where they are in the file, top to bottom (a missing field sorts
    after its object's present ones); problems at the same place keep their order."""
    return sorted(problems, key=lambda problem: _document_position(data, problem.location))


def _document_position(data: Any, location: Location) -> tuple[int, ...]:
    position: list[int] = []
    node = data
    for part in location:
        if isinstance(node, dict) and part in node:
            position.append(list(node).index(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            position.append(part)
            node = node[part]
        else:  # not in the file (a missing field, or a part pydantic adds for a union)
            position.append(len(node) if isinstance(node, (dict, list)) else 0)
            break
    return tuple(position)


# -- the show from what is good ---------------------------------------------------------------------


class _LeftOut:
    """Marks a list item left out, so the file's indices stay put in the working copy."""


_LEFT_OUT = _LeftOut()


@dataclass
class Salvaged:
    """A model validated from the good parts of a file, and how to read its locations as the
    file's. `left_out_refs[list_field]` holds the ids and names of the items left out of a
    top-level list ("sources" -> {"cam", "Camera"}): a link to one of them is not reported as
    unknown, as that item's own problem already is; a list left out entirely is in
    `left_out_lists`."""

    instance: BaseModel
    _kept_indices: dict[Location, list[int]]
    left_out_refs: dict[str, set[str]] = field(default_factory=dict)
    left_out_lists: set[str] = field(default_factory=set)

    def location_in_file(self, location: Location) -> Location:
        """A location in the salvaged model as it is in the file (items left out before an
        index shift it)."""
        return _to_file(location, self._kept_indices)

    def is_left_out(self, list_field: str, ref: str) -> bool:
        """Whether `ref` may name an item of the top-level `list_field` that was left out."""
        return list_field in self.left_out_lists or ref in self.left_out_refs.get(list_field, set())


def validate_what_is_good(model: type[BaseModel], data: dict[str, Any], error: ValidationError) -> Salvaged | None:
    """`model` validated from `data` without the values `error` found bad (see the module
    docstring); None when nothing sensible is left (a required top-level field is bad)."""
    working = _copy(data)
    left_out_refs: dict[str, set[str]] = {}
    left_out_lists: set[str] = set()
    # The first round's locations are the file's own: nothing is left out yet.
    locations = [tuple(item["loc"]) for item in error.errors()]
    for _round in range(SALVAGE_MAX_ROUNDS):
        left_out_now: list[Location] = []
        for location in locations:
            if any(location[: len(done)] == done for done in left_out_now):
                continue  # inside what this round already left out
            target = _longest_present_prefix(working, location)
            if not target:
                return None  # the show itself is the problem (a required top-level field)
            _note_left_out(working, target, left_out_refs, left_out_lists)
            _leave_out(working, target)
            left_out_now.append(target)
        compacted, kept_indices = _compact(working, ())
        try:
            instance = model.model_validate(compacted)
        except ValidationError as next_error:
            locations = [_to_file(tuple(item["loc"]), kept_indices) for item in next_error.errors()]
        else:
            return Salvaged(instance, kept_indices, left_out_refs, left_out_lists)
    return None


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _copy(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_copy(value) for value in node]
    return node


def _compact(node: Any, location: Location) -> tuple[Any, dict[Location, list[int]]]:
    """The working copy without its left-out items, and for each list the file indices kept."""
    kept_indices: dict[Location, list[int]] = {}
    if isinstance(node, dict):
        compacted = {}
        for key, value in node.items():
            compacted[key], inner = _compact(value, (*location, key))
            kept_indices.update(inner)
        return compacted, kept_indices
    if isinstance(node, list):
        kept = [index for index, value in enumerate(node) if value is not _LEFT_OUT]
        kept_indices[location] = kept
        items = []
        for index in kept:
            item, inner = _compact(node[index], (*location, index))
            items.append(item)
            kept_indices.update(inner)
        return items, kept_indices
    return node, kept_indices


def _to_file(location: Location, kept_indices: dict[Location, list[int]]) -> Location:
    in_file: list[str | int] = []
    for part in location:
        kept = kept_indices.get(tuple(in_file))
        if isinstance(part, int) and kept is not None and 0 <= part < len(kept):
            part = kept[part]
        in_file.append(part)
    return tuple(in_file)


def _longest_present_prefix(working: Any, location: Location) -> Location:
    """The deepest node of `location` that is in the working copy. A missing field, or a part
    pydantic adds for a union, makes it the object that holds the bad value."""
    node, present = working, []
    for part in location:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node) and node[part] is not _LEFT_OUT:
            node = node[part]
        else:
            break
        present.append(part)
    return tuple(present)


def _note_left_out(working: Any, target: Location, refs: dict[str, set[str]], lists: set[str]) -> None:
    top_field = str(target[0])
    if len(target) == 1:
        lists.add(top_field)  # a whole top-level value: links into it cannot be checked
        return
    if isinstance(target[1], int):
        # Part of a top-level list's item (or all of it): links to that item are not reported
        # as unknown even if it ends up left out, since its own problem already is.
        item = _node_at(working, target[:2])
        if isinstance(item, dict):
            refs.setdefault(top_field, set()).update(
                str(item[key]) for key in ("id", "name") if isinstance(item.get(key), (str, int))
            )


def _node_at(working: Any, location: Location) -> Any:
    node = working
    for part in location:
        node = node[part]
    return node


def _leave_out(working: Any, target: Location) -> None:
    parent = _node_at(working, target[:-1])
    if isinstance(parent, list):
        parent[target[-1]] = _LEFT_OUT
    else:
        del parent[target[-1]]
