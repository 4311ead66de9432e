"""Writing files safely: whole or not at all, never through a link, one run per folder at a time,
under names that are safe everywhere."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import NotOurs, StretchcueError

MARK = "stretchcue"  # in every file we write that others might also write, so a rerun knows ours
PART = ".stretchcue-part"  # suffix of files being written; only ever created under a unique name
LOCK = ".stretchcue.lock"  # held while a run writes into a folder; removed before it is released
STALE_SECONDS = 3600  # a temp file this old belongs to a run that was killed
_UMASK = os.umask(0o22)  # read it once, at import, while only one thread runs
os.umask(_UMASK)


@contextmanager
def replacing(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """An open, empty temp file beside `path`, renamed over `path` when the block succeeds and
    removed when it fails, so `path` is always whole or absent.

    The temp file is created exclusively under a unique name (never through a link planted there)
    and written only through the open file, never reopened by name. The rename replaces a link at
    `path` instead of writing through it.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART)
    temp = Path(name)
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes it private; the file gets the usual permissions
            os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "r+b") as file:
            yield file
            file.flush()
            if durable:  # the data reaches the disk before the name does
                os.fsync(file.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def remove_stale_temp_files(folder: Path, older_than: float = 0) -> None:
    """Remove our temp files left by killed runs (a link is removed, never followed)."""
    now = time.time()
    for path in folder.glob(f".*{PART}*"):
        try:
            info = path.lstat()
            if not path.is_dir() and now - info.st_mtime >= older_than:
                path.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: either way nothing to do


@contextmanager
def folder_lock(folder: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold `folder`'s lock while writing into it. Another run that wants it waits, and says so."""
    from filelock import FileLock, Timeout

    lock = FileLock(folder / LOCK, is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        waiting(f"waiting: another stretchcue run is writing to {folder}; this one goes on when it is done")
        lock.acquire()
    try:
        remove_stale_temp_files(folder)  # nobody else writes here while we hold the lock
        yield
    finally:
        # Unlinked while still held, so the folder is left tidy: a run that opened the old file
        # sees it unlinked once it gets the lock, and filelock then retries on a new one.
        (folder / LOCK).unlink(missing_ok=True)
        lock.release()


@contextmanager
def writing_into(folder: Path, waiting: Callable[[str], None], what: str = "--out") -> Iterator[None]:
    """Write into `folder` (made if need be) holding its lock; a run that fails before writing
    anything leaves no empty folder behind."""
    check_folder(folder, what)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with folder_lock(folder, waiting):
            yield
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def is_marked(path: Path, mark: bytes, span: int = 4096) -> bool:
    """Whether `mark` is in the first or last `span` bytes of the file: how our binary files
    (images, PDFs) are told from anyone else's."""
    try:
        with path.open("rb") as file:
            head = file.read(span)
            file.seek(max(0, os.fstat(file.fileno()).st_size - span))
            return mark in head or mark in file.read()
    except OSError:
        return False


def check_ours(path: Path, option: str = "--out") -> None:
    """A file about to be replaced must be one stretchcue wrote (its mark near its start or end)."""
    if path.exists() and not is_marked(path, MARK.encode()):
        raise NotOurs(path, option)


def safe_name(title: str, limit: int = 120) -> str:
    """A file name from a title that is valid on Windows, macOS and Linux (no / \\ : * ? reserved names),
    and that this system can store (under LC_ALL=C, Python may only write ASCII names)."""
    from pathvalidate import sanitize_filename

    encoding = sys.getfilesystemencoding()
    try:
        title.encode(encoding)
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", title)
        plain = "".join(c for c in plain if not unicodedata.combining(c))  # Café -> Cafe
        title = plain.encode(encoding, errors="replace").decode(encoding).replace("?", "-")
    name = sanitize_filename(title, platform="universal", replacement_text="-", max_len=limit)
    return name.strip(" .") or "track"


def check_folder(folder: Path, what: str = "--out") -> None:
    """Fail early, writing nothing, if `folder` cannot become a writable folder; `what` names it."""
    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise StretchcueError(f"{what}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise StretchcueError(f"{what}: {existing} is not writable")


def describe(err: OSError) -> str:
    """An OSError as `path: cause`, the way the command line reports it."""
    where = err.filename or ""
    cause = err.strerror or str(err)
    return f"{where}: {cause}" if where else cause


def write_bytes(path: Path, data: bytes) -> None:
    """A file, whole or not at all."""
    with replacing(path) as file:
        file.write(data)


def write_text(path: Path, text: str) -> None:
    """A UTF-8 text file, whole or not at all."""
    write_bytes(path, text.encode("utf-8"))
