"""The speech cache: finished clips on disk, one folder per user, shared by every output folder.

Each entry is one file named by a key that covers everything that changes the sound (see
`speech.Voice.key`). An entry is written whole under a unique temp name and renamed into place;
on reading it is verified (format, length, checksum), and a damaged entry counts as missing, so
it is spoken again, never rendered. Piper speaks a sentence a little differently every time, so
the first clip stored for a key is the one every later run uses: `plan` and `build` agree.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StretchcueError
from .files import LOCK, STALE_SECONDS, remove_stale_temp_files, replacing

if TYPE_CHECKING:
    from filelock import FileLock
    from pydub import AudioSegment

ENV_VAR = "STRETCHCUE_CACHE"
SUFFIX = ".clip"
MAGIC = b"stretchcue clip\n"
MAX_HEADER = 1024


def location(option: Path | None = None) -> tuple[Path, str]:
    """The cache folder and what chose it: --cache, else $STRETCHCUE_CACHE, else the platform's
    user cache folder (~/.cache/stretchcue on Linux)."""
    if option is not None:
        return option, "--cache"
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]), f"${ENV_VAR}"
    import platformdirs  # imported here: only runs that speak need it

    return platformdirs.user_cache_path("stretchcue", appauthor=False), "the speech cache"


def _format() -> dict[str, int]:
    """The only format stored: the timeline's (imported here: `stretchcue --help` needs none of it)."""
    from .timeline import SAMPLE_RATE

    return {"rate": SAMPLE_RATE, "channels": 1, "width": 2}


def encode(clip: AudioSegment) -> bytes:
    data = clip.raw_data
    header = dict(_format(), frames=len(data) // 2, sha256=hashlib.sha256(data).hexdigest())
    return MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + data


def decode(blob: bytes) -> AudioSegment | None:
    """The clip an entry holds, or None if the entry is damaged in any way."""
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
    if not isinstance(header.get("frames"), int) or header["frames"] <= 0 or len(data) != 2 * header["frames"]:
        return None
    if hashlib.sha256(data).hexdigest() != header.get("sha256"):
        return None
    from .audio import AudioSegment

    return AudioSegment(data=data, sample_width=2, frame_rate=_format()["rate"], channels=1)


class ClipCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.repaired: list[Path] = []  # damaged entries found, to be spoken again
        self._swept: set[Path] = set()

    def entry(self, engine: str, key: str) -> Path:
        return self.root / engine / f"{key}{SUFFIX}"

    def load(self, path: Path) -> AudioSegment | None:
        """The verified clip at `path`; None if absent or damaged (a damaged one is noted in `repaired`)."""
        try:
            blob = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:  # a folder or something else unreadable where the entry should be
            blob = b""
        clip = decode(blob)
        if clip is None:
            self.repaired.append(path)
        return clip

    def store(self, path: Path, clip: AudioSegment) -> AudioSegment:
        """Put `clip` at `path`, unless another run stored a good one there first: then that one
        wins, so that every run renders the same clip for the same key."""
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with self._lock():
                self._sweep_once(folder)
                if path.exists() and not path.is_symlink():
                    existing = decode(path.read_bytes()) if path.is_file() else None
                    if existing is not None:
                        return existing
                    if path.is_dir():
                        shutil.rmtree(path)  # a folder where an entry belongs: inside our cache, so ours
                with replacing(path, durable=False) as file:  # a torn entry fails verification instead
                    file.write(encode(clip))
        except OSError as err:
            raise _unwritable(err, path) from None
        return clip

    def scratch(self) -> Path:
        """A folder for engines that must write a file to speak; killed runs' leftovers are swept."""
        folder = self.root / "scratch"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._sweep_once(folder)
        except OSError as err:
            raise _unwritable(err, folder) from None
        return folder

    def usage(self) -> tuple[int, int]:
        """(entries, bytes) stored."""
        sizes = [p.stat().st_size for p in self._entries()]
        return len(sizes), sum(sizes)

    def clear(self) -> int:
        """Remove every entry and temp file (only ours: the folder may hold anything else). Returns the count."""
        if not self.root.is_dir():
            return 0
        with self._lock():
            entries = list(self._entries())
            for path in entries:
                path.unlink(missing_ok=True)
            for folder in self.root.iterdir():
                if folder.is_dir() and not folder.is_symlink():
                    remove_stale_temp_files(folder)
                    if not any(folder.iterdir()):
                        folder.rmdir()
        return len(entries)

    def _lock(self) -> FileLock:
        """Held while entries are stored or cleared (briefly: never while speaking)."""
        from filelock import FileLock

        return FileLock(self.root / LOCK, is_singleton=False)

    def _sweep_once(self, folder: Path) -> None:
        """Remove the temp files of runs killed long ago, the first time this run uses `folder`."""
        if folder not in self._swept:
            remove_stale_temp_files(folder, STALE_SECONDS)
            self._swept.add(folder)

    def _entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for p in self.root.glob(f"*/*{SUFFIX}") if p.is_file() and not p.is_symlink()]


def _unwritable(err: OSError, where: Path) -> StretchcueError:
    return StretchcueError(f"cannot write the speech cache: {err.filename or where}: {err.strerror or err}")
