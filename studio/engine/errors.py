"""Errors the user can act on: each names the file, the field and what was expected."""

from __future__ import annotations


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
