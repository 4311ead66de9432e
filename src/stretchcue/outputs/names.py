"""File names in the output folder: each track's and playlist's, chosen so that nothing belongs to
another track, and the transcripts beside each track."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

from stretchcue.disk.files import as_found, check_ours, safe_name, same_name
from stretchcue.disk.ours import Proof
from stretchcue.errors import NotOurs
from stretchcue.outputs import playlist
from stretchcue.outputs.track import Stamp, inspect


def base_name(title: str, number: int, total: int) -> str:
    """A safe file name without extension; numbered when there are several tracks, so they sort in order."""
    return f"{number:02d} - {safe_name(title)}" if total > 1 else safe_name(title)


def album_folder(album: str) -> str:
    """The folder an album goes to by default: its title in lower case ASCII with hyphens, easy to
    type in any shell (`Back stretches - 10, 20, 30 s holds` -> `back-stretches-10-20-30-s-holds`)."""
    from slugify import slugify

    return slugify(album, max_length=80, word_boundary=True) or "tracks"


TRANSCRIPTS = (".vtt", ".lrc")  # written beside each track


def transcripts(track: Path) -> list[Path]:
    """The files beside a track, under the names they have (in whatever case) if they are there."""
    return [as_found(track.with_suffix(suffix)) for suffix in TRANSCRIPTS]


Seen = dict[tuple[Path, int, int, int, int, int], tuple[Proof, Stamp | None]]  # see Places._inspect


class Places:
    """Chooses each output's file name in `out`, taking nothing that belongs to another track.

    A name is free, or holds this very track (same title and album: rebuilt or skipped), or holds
    another track of ours (the next name, "NAME (2)", is tried, and the user told), or holds a file
    stretchcue did not write (an error, before anything is written). Names are compared without
    regard to case, so the folder stays valid on case-blind disks.
    """

    def __init__(self, out: Path, notify: Callable[[str], None], seen: Seen | None = None) -> None:
        self.out = out
        self.notify = notify
        self.taken: set[str] = set()
        self.seen = {} if seen is None else seen

    def _inspect(self, path: Path) -> tuple[Proof, Stamp | None]:
        """`inspect`, once per state of the file: names are chosen twice (before and after the
        folder's lock is taken), and reading a track's every byte twice doubled a skip's time.
        A file written since has another change time, so it is read again."""
        try:
            status = path.lstat()
        except OSError:
            return inspect(path, follow=False, brief=True)
        state = (path, status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
        if state not in self.seen:
            self.seen[state] = inspect(path, follow=False, brief=True)
        return self.seen[state]

    def track(self, title: str, album: str, base: str) -> tuple[Path, Stamp | None]:
        """The track's path, and what is there now if it is this very track."""
        for name in self._candidates(base, ".mp3"):
            inspected = {path: self._inspect(path) for path in same_name(self.out / name)}
            for path, (proof, stamp) in inspected.items():
                if stamp is None:
                    raise NotOurs(path, changed=proof is Proof.CHANGED)
            found = {path: stamp for path, (_, stamp) in inspected.items()}
            if all((s.tags.title, s.tags.album) == (title, album) for s in found.values() if s):
                name = as_found(self.out / name).name  # this track keeps its name's case
                for transcript in transcripts(self.out / name):  # the files beside it must be ours too
                    check_ours(transcript)
                return self._take(name, base, ".mp3", title), found.get(self.out / name)
        raise AssertionError("unreachable")

    def playlist(self, album: str) -> Path | None:
        """The playlist's path, or None to leave an edited one alone."""
        base = safe_name(album)
        for name in self._candidates(base, ".m3u8"):
            inspected = [(path, playlist.inspect(path)) for path in same_name(self.out / name)]
            for path, found in inspected:
                if not found.ours:
                    raise NotOurs(path)
            if all(found.album in (None, playlist.label(album)) for _, found in inspected):
                if edited := [path for path, found in inspected if found.edited]:
                    self.notify(f"{edited[0]} was edited by hand, so it is left as it is (delete it to renew it)")
                    return None
                name = as_found(self.out / name).name  # it keeps its name's case
                return self._take(name, base, ".m3u8", album)
        raise AssertionError("unreachable")

    def _candidates(self, base: str, suffix: str) -> Iterator[str]:
        for n in itertools.count(1):
            name = f"{base}{suffix}" if n == 1 else f"{base} ({n}){suffix}"
            if name.lower() not in self.taken:
                yield name

    def _take(self, name: str, base: str, suffix: str, title: str) -> Path:
        self.taken.add(name.lower())
        if name.lower() != f"{base}{suffix}".lower():
            self.notify(f"{base}{suffix} holds another track, so {title!r} is saved as {name}")
        return self.out / name
