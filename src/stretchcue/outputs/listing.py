"""The tracks stretchcue made in a folder, as they say of themselves (their sealed tags, written
from their timelines): what the feed and the page are made of. Other files are left out."""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stretchcue.disk.files import Listener, as_found, check_folder, check_ours, write_bytes, writing_into
from stretchcue.disk.ours import Proof
from stretchcue.errors import StretchcueError
from stretchcue.outputs.tags import Line, Tags
from stretchcue.outputs.track import inspect

Files = Callable[[list["Episode"]], dict[Path, bytes]]  # what is written of a folder's tracks, and where

GUIDS = uuid.UUID("3f1c9a52-7a4e-4f4a-9a53-5b1e0c2d6e11")  # a namespace of our own for episode guids

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Episode:
    path: Path
    title: str
    album: str
    number: int  # the track's number in its album
    seconds: float
    description: str
    cover: bytes
    chapters: tuple[tuple[float, str], ...]  # (start in seconds, title)
    published: datetime.datetime
    language: str = "en"  # of its words
    guidance: str = ""  # full, brief, minimal or timer ("" in tracks from before guidance levels)
    lines: tuple[Line, ...] = ()  # what is said, when
    holds: tuple[tuple[int, int], ...] = ()  # each hold's start and end, in ms
    audio: str = ""  # the checksum of its audio

    @property
    def cover_file(self) -> Path:
        return beside(self.path)[0]

    @property
    def chapters_file(self) -> Path:
        return beside(self.path)[1]

    @property
    def transcript_file(self) -> Path:
        return as_found(self.path.with_suffix(".vtt"))

    @property
    def guid(self) -> str:
        """Stays the same as long as the track is the same track (its album and title), however often it is rebuilt."""
        return f"urn:uuid:{uuid.uuid5(GUIDS, json.dumps([self.album, self.title]))}"

    @property
    def guid_by_name(self) -> str:
        """A second track of one album and title (a manifest may list a routine twice): its file's name too."""
        return f"urn:uuid:{uuid.uuid5(GUIDS, json.dumps([self.album, self.title, self.path.name]))}"

    @property
    def version(self) -> str:
        """Tells this audio from any other of the same track: for addresses that change when it does."""
        return self.audio[:16]


def beside(track: Path) -> tuple[Path, Path]:
    """The files the feed and the page write beside a track, to point at: its cover and its chapters."""
    cover = as_found(track.with_suffix(".jpg"))
    if cover.suffix != ".jpg":  # podcast apps (and feedgen) take only ".jpg": not "TINY.JPG"
        cover = track.with_suffix(".jpg")
    return cover, as_found(track.with_suffix(".chapters.json"))


def episodes(folder: Path, notify: Callable[[str], None], what: str = "feed") -> list[Episode]:
    """The whole tracks stretchcue wrote in `folder`, their tags unchanged, in album and track
    order; other files are left out of `what` (a damaged or changed track is named)."""
    found = []
    for path in sorted(p for p in folder.glob("*") if p.suffix.lower() == ".mp3"):
        proof, stamp = inspect(path) if path.is_file() else (Proof.FOREIGN, None)
        if stamp is None:
            log.debug("%s: left out of the %s, not a track of ours", path, what)
            if proof is Proof.CHANGED:
                notify(f"{path} was changed since stretchcue made it, so it is left out of the {what}")
            continue
        if not stamp.whole:
            notify(f"{path} is damaged, so it is left out of the {what} (build it again)")
            continue
        found.append(_episode(path, stamp.tags))
    return sorted(found, key=lambda e: (e.album, e.number, e.path.name))


def _episode(path: Path, tags: Tags) -> Episode:
    return Episode(
        path=path,
        title=tags.title or path.stem,
        album=tags.album,
        number=tags.track,
        seconds=tags.length_ms / 1000,
        description=tags.comment,
        language=tags.language,
        cover=tags.cover,
        chapters=tuple((chapter.start_ms / 1000, chapter.title) for chapter in tags.chapters),
        published=datetime.datetime.fromtimestamp(int(path.stat().st_mtime), datetime.UTC),
        guidance=tags.guidance,
        lines=tags.lines,
        holds=tags.holds,
        audio=tags.audio.split(" ")[1] if tags.audio.count(" ") >= 1 else "",
    )


def common_album(found: list[Episode]) -> str:
    """The album all the tracks are of, or "" if they are of several."""
    albums = {e.album for e in found}
    return albums.pop() if len(albums) == 1 else ""


def heading(folder: Path, found: list[Episode], title: str | None) -> str:
    """What the feed and the page are called: `title`, else the tracks' album, else the folder's name."""
    return title or common_album(found) or folder.resolve().name or "stretchcue"


def check_room(folder: Path, tracks: list[Path], names: list[str], chapters: bool) -> None:
    """Before a build writes `tracks` into `folder` and then files of the whole folder (`names`:
    the feed, the page): each of those, and each file they write beside a track of ours there
    or one of `tracks` (its cover; with `chapters`, its chapters), that is in the way must be ours."""
    found = [e.path for e in episodes(folder, lambda _: None)] if folder.is_dir() else []
    paths = [as_found(folder / name) for name in names]
    paths += [p for track in found + tracks for p in beside(track)[: 2 if chapters else 1]]
    for path in paths:
        check_ours(path, "folder")


def publish(folder: Path, what: str, makers: list[Files], listener: Listener) -> list[Episode]:
    """Write the files made of the tracks in `folder` (by each of `makers`, given them) into it,
    for `what` (the feed, the page); gives the tracks. Every file in the way that is not ours
    stops the run before anything is written; one run at a time writes into a folder."""

    def files(found: list[Episode]) -> dict[Path, bytes]:
        return {path: data for make in makers for path, data in make(found).items()}

    if not folder.is_dir():
        raise StretchcueError(f"{folder}: {'not a folder' if folder.exists() else 'no such folder'}")
    check_folder(folder, "folder")
    found = episodes(folder, listener.note, what)  # before the folder's lock is taken: a refused run writes nothing
    for path in files(_some(folder, found)):
        check_ours(path, "folder")
    with writing_into(folder, listener, "folder"):
        found = _some(folder, episodes(folder, lambda _: None, what))  # (the notes were given)
        made = files(found)
        for path in made:
            check_ours(path, "folder")
        for path, data in made.items():
            write_bytes(path, data, "folder")
    return found


def _some(folder: Path, found: list[Episode]) -> list[Episode]:
    if not found:
        raise StretchcueError(f"{folder}: no tracks made by stretchcue here; build some first")
    return found


def main_language(found: list[Episode]) -> str:
    """The language most of the tracks speak: a feed's, a page's (each has one)."""
    languages = [e.language for e in found]
    return max(languages, key=languages.count)
