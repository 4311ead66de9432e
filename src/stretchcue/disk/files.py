"""Writing files safely: whole or not at all, never through a link, one run per folder at a time,
under names that are safe everywhere."""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from stretchcue.disk.ours import Proof, proof_of
from stretchcue.errors import NotOurs, StretchcueError

log = logging.getLogger(__name__)

MARK = "stretchcue"  # names us where a file says who made it (its proof is its seal: ours.py)
PART = ".stretchcue-part"  # suffix of files being written; only ever created under a unique name
# What `replacing` (and an engine's scratch file, which adds an extension) names its temp files.
TEMP_NAME = re.compile(r"\..+\.[A-Za-z0-9_]{8}" + re.escape(PART) + r"(\.[a-z0-9]{1,4})?")
LOCK = ".stretchcue.lock"  # held while a run writes into a folder (the file stays: see folder_lock)
STALE_SECONDS = 3600  # a temp file this old belongs to a run that was killed
_UMASK = os.umask(0o22)  # read it once, at import, while only one thread runs
os.umask(_UMASK)


def check_ours(path: Path, option: str = "--out") -> None:
    """A file about to be replaced, and any under its name in another case, must be one stretchcue
    wrote, as its seal proves (ours.py); a link is the user's, wherever it points, if anywhere."""
    for found in same_name(path):
        if (proof := proof_of(found, follow=False)) is not Proof.OURS:
            raise NotOurs(found, option, changed=proof is Proof.CHANGED)


def same_name(path: Path) -> list[Path]:
    """What is at `path`, and at its name in any other case or Unicode form ("Café" typed as one
    letter or as e and an accent): one name on a case-blind disk where the folder may be copied,
    a phone, a stick, a Mac. Links and dangling links included."""
    try:
        with os.scandir(path.parent) as entries:
            return [path.parent / e.name for e in entries if _folded(e.name) == _folded(path.name)]
    except (FileNotFoundError, NotADirectoryError):
        return []


def as_found(path: Path) -> Path:
    """`path`, or the name in another case or form that is there instead (a file of ours renamed
    so is replaced under its name, not doubled)."""
    found = same_name(path)
    return path if path in found or not found else found[0]


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


@contextmanager
def replacing(
    path: Path, durable: bool = True, check: Callable[[Path], None] | None = check_ours
) -> Iterator[BinaryIO]:
    """An open, empty temp file beside `path`, renamed over `path` when the block succeeds and
    removed when it fails, so `path` is always whole or absent.

    The temp file is created exclusively under a unique name (never through a link planted there)
    and written only through the open file, never reopened by name. The rename replaces a link at
    `path` instead of writing through it. Just before it, `check` looks at what is at `path` again:
    a file put there while this one was written (other programs do not take our lock) is kept.
    """
    fd, temp = _temp_beside(path)
    try:
        with os.fdopen(fd, "r+b") as file:
            yield file
            file.flush()
            if durable:  # the data reaches the disk before the name does
                os.fsync(file.fileno())
        if check:
            check(path)
        os.replace(temp, path)
    except OSError as err:  # a full disk, say: name the file it was for
        raise _naming(err, path) from None
    finally:
        temp.unlink(missing_ok=True)


def _temp_beside(path: Path) -> tuple[int, Path]:
    """A new temp file beside `path`, created exclusively under a unique name (never through a link
    planted there), with the usual permissions (mkstemp makes it private): its open descriptor and path."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART)
    except OSError as err:
        raise _naming(err, path) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o666 & ~_UMASK)
    except OSError as err:
        os.close(fd)
        Path(name).unlink(missing_ok=True)
        raise _naming(err, path) from None
    return fd, Path(name)


def _naming(err: OSError, path: Path) -> OSError:
    """`err`, saying which file it was about if it did not."""
    return err if err.filename else OSError(err.errno, err.strerror or str(err), str(path))


def remove_stale_temp_files(folder: Path, older_than: float = 0) -> None:
    """Remove our temp files left by killed runs: regular files named as `replacing` names them
    (never a link, a folder or anything else, which we never make there)."""
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError as err:
        log.debug("%s: not swept for temp files: %s", folder, err)
        return
    for entry in entries:
        try:
            stale = now - entry.stat(follow_symlinks=False).st_mtime >= older_than
            if TEMP_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False) and stale:
                os.unlink(entry.path)
        except OSError as err:  # gone already, or not ours to remove: either way nothing to do
            log.debug("%s: left as it is: %s", entry.path, err)


@contextmanager
def folder_lock(folder: Path, waiting: Callable[[str], None], made: bool = False) -> Iterator[None]:
    """Hold `folder`'s lock while writing into it. Another run that wants it waits, and says so.

    The lock file stays when the lock is released: deleting it while another run waits on it
    would let a third run lock a new file of that name, and two runs write at once (filelock
    itself stopped deleting it for this reason). Only a run that `made` the folder and fails
    removes it, so that the folder it made can go too.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(folder / LOCK, is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        waiting(f"another stretchcue run is writing to {folder}; this one goes on when it is done")
        lock.acquire()
    try:
        remove_stale_temp_files(folder)  # nobody else writes here while we hold the lock
        yield
    except BaseException:
        if made:  # (a run that came to the new folder meanwhile finds it gone, and fails writing)
            (folder / LOCK).unlink(missing_ok=True)
        raise
    finally:
        lock.release()


class Listener(Protocol):
    """Who hears what a run says as it goes: notes, and that it waits for another run (the console)."""

    def note(self, text: str) -> None: ...

    def waiting(self, text: str) -> None: ...


class Silent:
    """A listener that hears nothing."""

    def note(self, text: str) -> None:
        pass

    def waiting(self, text: str) -> None:
        pass


@contextmanager
def writing_into(folder: Path, listener: Listener, what: str = "--out") -> Iterator[None]:
    """Write into `folder` (made if need be) holding its lock; a run that fails before writing
    anything leaves no empty folder behind."""
    check_folder(folder, what)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with folder_lock(folder, listener.waiting, made=created):
            yield
    except BaseException:
        if created:
            try:
                folder.rmdir()
            except OSError as err:  # another run's files are in it by now
                log.debug("%s: the folder this run made stays: %s", folder, err)
        raise


def is_own_file(path: Path) -> bool:
    """Whether `path` is itself a file stretchcue wrote (not a link to one)."""
    return proof_of(path, follow=False) is Proof.OURS


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
    while not os.path.lexists(existing) and existing != existing.parent:  # (a link to nowhere is there)
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


def write_bytes(path: Path, data: bytes, option: str = "--out") -> None:
    """A file of ours, whole or not at all, where no one else's is (`option` names where it goes)."""
    with replacing(path, check=lambda path: check_ours(path, option)) as file:
        file.write(data)


def write_text(path: Path, text: str, option: str = "--out") -> None:
    """`write_bytes` for UTF-8 text."""
    write_bytes(path, text.encode("utf-8"), option)


def write_new(path: Path, text: str) -> None:
    """A new file of UTF-8 text, whole or not at all, never in place of anything at `path`: it is
    written under a temp name, then linked to its name (which fails if the name is taken)."""
    if os.path.lexists(path):
        raise StretchcueError(f"{path} exists; move it away or choose another --out")
    if not path.parent.is_dir():
        raise StretchcueError(f"{path.parent} is not a folder")
    fd, temp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            raise StretchcueError(f"{path} exists; move it away or choose another --out") from None
        except OSError:  # a disk without links (FAT): look once more, then rename
            if os.path.lexists(path):
                raise StretchcueError(f"{path} exists; move it away or choose another --out") from None
            os.replace(temp, path)
    except OSError as err:
        raise _naming(err, path) from None
    finally:
        temp.unlink(missing_ok=True)
