"""Errors the user can act on: each names the file, the field and what was expected."""

from __future__ import annotations

from pydantic import ValidationError


class StudioError(Exception):
    """Base for errors that are reported to the user as one clear line (no traceback)."""


class InputError(StudioError):
    """Bad user input: a show file, a script, a command-line value."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.field = field
        self.detail = message
        where = ": ".join(part for part in (file, field) if part)
        super().__init__(f"{where}: {message}" if where else message)


class SourceUnavailable(StudioError):
    """A source could not be opened or stopped delivering; the show goes on with a slate."""


def format_location(location: tuple[object, ...]) -> str:
    """A pydantic error location as a user reads it: scenes[2].layers[0].fit"""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def input_error_from_validation(error: ValidationError, *, file: str | None = None, prefix: str = "") -> InputError:
    """The first problem pydantic found, as one clear line; a value that may be secret is masked."""
    from studio.engine.secrets import shown_value

    first = error.errors()[0]
    field = format_location(first["loc"])
    if prefix:
        field = f"{prefix}.{field}" if field and not field.startswith("[") else f"{prefix}{field}"
    return InputError(f"{first['msg']} (got {shown_value(field, first.get('input'))})", file=file, field=field)
