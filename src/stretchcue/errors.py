"""The one error type users see: caught once in the CLI and printed as a single line."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 2  # bad input, or something the user can fix; one line on stderr says what
    STOPPED = 130  # Ctrl-C
    BROKEN_PIPE = 141  # the reader of our output went away
    TERMINATED = 143  # SIGTERM


class StretchcueError(Exception):
    """A problem the user can fix (bad input, a missing piece); never shown with a traceback."""


class InputError(StretchcueError):
    """Bad content in a file, located by file, line and field: `file:line: field: message`."""

    def __init__(self, file: str | Path, line: int | None, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = str(file), line, field, message
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class NotOurs(StretchcueError):
    """A file in the way that stretchcue did not write: it is never overwritten."""

    def __init__(self, path: Path, option: str = "--out", changed: bool = False) -> None:
        if path.is_symlink():
            what = "is a link (stretchcue replaces only files it made)"
        else:
            what = "was changed since stretchcue made it" if changed else "exists and was not made by stretchcue"
        super().__init__(f"{path} {what}; move it away or choose another {option}")
