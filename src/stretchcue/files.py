"""Writing output files safely: whole or not at all, under names that are safe everywhere."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pathvalidate import sanitize_filename

from .errors import StretchcueError

PART = ".part"  # suffix of files being written


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temp path beside `path`; renamed over `path` when the block succeeds, removed when it fails.

    The temp name is fixed for each target, so one left behind by a killed run is simply
    overwritten by the next run, and a name under its final form is always a whole file.
    """
    temp = path.with_name(f".{path.name}{PART}")
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def safe_name(title: str, limit: int = 120) -> str:
    """A file name from a title that is valid on Windows, macOS and Linux (no / \\ : * ? reserved names)."""
    name = sanitize_filename(title, platform="universal", replacement_text="-", max_len=limit)
    return name.strip(" .") or "track"


def check_output_folder(out: Path) -> None:
    """Fail early, writing nothing, if `out` cannot become a writable folder."""
    existing = out.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise StretchcueError(f"--out: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise StretchcueError(f"--out: {existing} is not writable")
