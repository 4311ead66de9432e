"""The one error type users see: caught once in the CLI and printed as a single line."""

from __future__ import annotations

from pathlib import Path


class StretchcueError(Exception):
    """A problem the user can fix (bad input, a missing piece); never shown with a traceback."""


class InputError(StretchcueError):
    """Bad content in a file, located by file, line and field: `file:line: field: message`."""

    def __init__(self, file: str | Path, line: int | None, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = str(file), line, field, message
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")
