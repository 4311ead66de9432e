"""The speech cache: finished clips on disk, one folder per user, shared by every output folder.

Each entry is one file, `ENGINE/KEY.clip`, named by a key that covers everything that changes the
sound (see `speech.Voice.key`), and holding its own key, format, length and checksum: an entry
proves itself. It is written whole under a unique temp name and renamed into place; on reading it
is verified, and an entry that fails (damaged, of another key, a link, a pipe, far too large)
counts as missing, so it is spoken again and replaced, never rendered. Piper speaks a sentence a
little differently every time, so the first clip stored for a key is the one every later run
uses: `plan` and `build` agree.

The cache folder may be shared with anything else (`--cache` a shared folder): clearing it
removes only entries that prove themselves, our own temp files, and folders the cache made (each
holds a FOLDER_MARK file) once they are empty; it never follows a link.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from stretchcue.disk.files import LOCK, STALE_SECONDS, remove_stale_temp_files, replacing
from stretchcue.disk.ours import read_regular
from stretchcue.errors import StretchcueError
from stretchcue.limits import CACHE_VARIABLE

if TYPE_CHECKING:
    from filelock import FileLock
    from pydub import AudioSegment

log = logging.getLogger(__name__)

SUFFIX = ".clip"
MAGIC = b"stretchcue clip\n"
MAX_HEADER = 1024
MAX_ENTRY = 64 << 20  # bytes: 25 minutes of speech in one clip; a spoken text is at most 2,000 characters
ENTRY_NAME = re.compile(r"[0-9a-f]{64}" + re.escape(SUFFIX))
FOLDER_MARK = ".stretchcue-cache-folder"  # in each folder the cache made: it may remove it when empty
FOLDER_NOTE = b"Made by stretchcue's speech cache; `stretchcue cache --clear` removes this folder once it is empty.\n"


def location(option: Path | None = None) -> tuple[Path, str]:
    """The cache folder and what chose it: --cache, else $STRETCHCUE_CACHE, else the platform's
    user cache folder (~/.cache/stretchcue on Linux)."""
    if option is not None:
        return option, "--cache"
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE]), f"${CACHE_VARIABLE}"
    import platformdirs  # imported here: only runs that speak need it

    return platformdirs.user_cache_path("stretchcue", appauthor=False), "the speech cache"


def _format() -> dict[str, int]:
    """The only format stored: the timeline's (imported here: `stretchcue --help` needs none of it)."""
    from stretchcue.format import SAMPLE_RATE

    return {"rate": SAMPLE_RATE, "channels": 1, "width": 2}


def encode(clip: AudioSegment, key: str) -> bytes:
    data: bytes = clip.raw_data
    header = dict(_format(), key=key, frames=len(data) // 2, sha256=hashlib.sha256(data).hexdigest())
    return MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + data


def _verified(blob: bytes, key: str | None) -> bytes | None:
    """The samples of an entry that proves itself (of `key`, unless None: any key); else None."""
    if not blob.startswith(MAGIC):
        return None
    end = blob.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
    if end < 0:
        return None
    try:
        header = json.loads(blob[len(MAGIC) : end])
    except ValueError:
        return None
    data = blob[end + 1 :]
    if not isinstance(header, dict) or any(header.get(k) != v for k, v in _format().items()):
        return None
    if key is not None and header.get("key") != key:  # an entry copied over another one's name
        return None
    if not isinstance(header.get("frames"), int) or header["frames"] <= 0 or len(data) != 2 * header["frames"]:
        return None
    if hashlib.sha256(data).hexdigest() != header.get("sha256"):
        return None
    return data


def decode(blob: bytes, key: str) -> AudioSegment | None:
    """The clip an entry of `key` holds, or None if the entry is damaged in any way."""
    data = _verified(blob, key)
    if data is None:
        return None
    from stretchcue.sound.audio import AudioSegment

    return AudioSegment(data=data, sample_width=2, frame_rate=_format()["rate"], channels=1)


def _read_entry(path: Path) -> bytes | None:
    """An entry's bytes (b"" if something unreadable is there: a link, a pipe, a huge file); None if absent."""
    try:
        return read_regular(path, MAX_ENTRY, follow=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        log.debug("speech cache: %s cannot be read (%s): it is spoken again", path, err)
        return b""


class ClipCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.repaired: list[Path] = []  # damaged entries found, to be spoken again
        self._swept: set[Path] = set()

    def entry(self, engine: str, key: str) -> Path:
        return self.root / engine / f"{key}{SUFFIX}"

    def load(self, path: Path) -> bytes | None:
        """The verified samples of the clip at `path`; None if absent or damaged (a damaged one is
        noted in `repaired`)."""
        blob = _read_entry(path)
        if blob is None:
            return None
        samples = _verified(blob, _key_of(path))
        if samples is None:
            self.repaired.append(path)
        return samples

    def store(self, path: Path, clip: AudioSegment) -> AudioSegment:
        """Put `clip` at `path`, unless another run stored a good one there first: then that one
        wins, so that every run renders the same clip for the same key. A folder at `path` is not
        ours to remove: the clip is then used without being stored."""
        try:
            self._folder(path.parent)
            with self._lock():
                self._sweep_once(path.parent)
                existing = decode(_read_entry(path) or b"", _key_of(path))
                if existing is not None:
                    return existing
                if path.is_dir() and not path.is_symlink():
                    return clip
                with replacing(path, durable=False, check=None) as file:  # a torn entry fails verification instead
                    file.write(encode(clip, _key_of(path)))
        except OSError as err:
            raise _unwritable(err, path) from None
        return clip

    def scratch(self) -> Path:
        """A folder for engines that must write a file to speak; killed runs' leftovers are swept."""
        folder = self.root / "scratch"
        try:
            self._folder(folder)
            self._sweep_once(folder)
        except OSError as err:
            raise _unwritable(err, folder) from None
        return folder

    def usage(self) -> tuple[int, int]:
        """(entries, bytes) stored."""
        sizes = [size for _, size in self._entries()]
        return len(sizes), sum(sizes)

    def clear(self) -> int:
        """Remove every entry that proves itself, our temp files, and the folders the cache made
        once they are empty; nothing else. Returns the count of entries removed."""
        if not self.root.is_dir():
            return 0
        with self._lock():
            entries = [path for path, _ in self._entries()]
            for path in entries:
                path.unlink(missing_ok=True)
            for folder in self._folders():
                remove_stale_temp_files(folder, STALE_SECONDS)  # (a newer one may be a running build's)
                marker = folder / FOLDER_MARK
                if _is_folder_mark(marker) and [p.name for p in folder.iterdir()] == [FOLDER_MARK]:
                    marker.unlink()
                    folder.rmdir()
        return len(entries)

    def _folder(self, folder: Path) -> None:
        """Make one of the cache's folders (marked as made by it), unless it is there already."""
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            return
        with replacing(folder / FOLDER_MARK, durable=False, check=None) as file:
            file.write(FOLDER_NOTE)

    def _lock(self) -> FileLock:
        """Held while entries are stored or cleared (briefly: never while speaking)."""
        from filelock import FileLock

        return FileLock(self.root / LOCK, is_singleton=False)

    def _sweep_once(self, folder: Path) -> None:
        """Remove the temp files of runs killed long ago, the first time this run uses `folder`."""
        if folder not in self._swept:
            remove_stale_temp_files(folder, STALE_SECONDS)
            self._swept.add(folder)

    def _folders(self) -> list[Path]:
        """The folders right under the root (never through a link)."""
        try:
            return [Path(e.path) for e in os.scandir(self.root) if e.is_dir(follow_symlinks=False)]
        except OSError as err:
            log.debug("speech cache: %s cannot be listed: %s", self.root, err)
            return []

    def _entries(self) -> list[tuple[Path, int]]:
        """(path, size) of every entry that proves itself: named as entries are, a regular file
        (not a link), and verified."""
        found = []
        for folder in self._folders():
            try:
                items = list(os.scandir(folder))
            except OSError as err:  # not ours to read
                log.debug("speech cache: %s left alone: %s", folder, err)
                continue
            for item in items:
                if ENTRY_NAME.fullmatch(item.name) and item.is_file(follow_symlinks=False):
                    blob = _read_entry(Path(item.path))
                    if blob and _verified(blob, None) is not None:  # (of any key: an older entry too)
                        found.append((Path(item.path), len(blob)))
        return found


def _key_of(path: Path) -> str:
    return path.name.removesuffix(SUFFIX)


def _is_folder_mark(path: Path) -> bool:
    try:
        return read_regular(path, len(FOLDER_NOTE), follow=False) == FOLDER_NOTE
    except OSError:
        return False


def _unwritable(err: OSError, where: Path) -> StretchcueError:
    return StretchcueError(f"cannot write the speech cache: {err.filename or where}: {err.strerror or err}")
