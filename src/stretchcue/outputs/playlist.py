"""M3U8 playlists that phones and desktop players open: UTF-8 without BOM, #EXTM3U, one #EXTINF
per track with whole seconds and a comma-free title, relative paths with forward slashes.

The second line, a comment players skip, seals the file as ours (ours.py), so a playlist
someone edited by hand is recognised and left alone; `#PLAYLIST:` names the album, so two albums
whose names make one file name are told apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stretchcue.disk.files import replacing
from stretchcue.disk.ours import BLANK_TEXT, MAX_FILE, Proof, proof, read_regular, seal_text

MARK = "# Made by stretchcue"


@dataclass(frozen=True)
class Item:
    path: Path  # relative to the playlist's folder
    title: str
    seconds: float


@dataclass(frozen=True)
class Found:
    """What a playlist file already in the folder is."""

    album: str | None  # None: not written by stretchcue, or by a version that did not say
    ours: bool
    edited: bool  # ours, but changed since


def _one_line(text: str) -> str:
    return " ".join(text.replace(",", " ").split())  # a comma would end the EXTINF duration field


def label(album: str) -> str:
    """The album as the `#PLAYLIST:` line gives it, and as `inspect` reads it back: on one line."""
    return " ".join(album.split())


def playlist_text(album: str, items: list[Item]) -> str:
    lines = ["#EXTM3U", MARK, f"#PLAYLIST:{label(album)}"]
    for item in items:
        lines += [f"#EXTINF:{round(item.seconds)},{_one_line(item.title)}", item.path.as_posix()]
    return seal_text("\n".join([*lines, f"# {BLANK_TEXT}"]) + "\n")  # the seal last, after any title


def inspect(path: Path) -> Found:
    try:
        data = read_regular(path, MAX_FILE, follow=False)  # a link is the user's, wherever it points
    except OSError:
        return Found(None, ours=False, edited=False)
    found = proof(data)
    if found is Proof.FOREIGN:
        return Found(None, ours=False, edited=False)
    body = data.decode("utf-8", errors="replace").split("\n")
    album = body[2].removeprefix("#PLAYLIST:") if len(body) > 2 and body[2].startswith("#PLAYLIST:") else None
    return Found(album, ours=True, edited=found is Proof.CHANGED)


def write_playlist(path: Path, album: str, items: list[Item]) -> bool:
    """Write the playlist whole; False if it already said exactly this."""
    text = playlist_text(album, items).encode("utf-8")
    try:
        if not path.is_symlink() and read_regular(path, MAX_FILE) == text:
            return False
    except OSError:
        pass
    with replacing(path) as file:
        file.write(text)
    return True
