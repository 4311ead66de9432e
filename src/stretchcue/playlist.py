"""M3U8 playlists that phones and desktop players open: UTF-8 without BOM, #EXTM3U, one #EXTINF
per track with whole seconds and a comma-free title, relative paths with forward slashes.

The second line marks the file as ours and carries a checksum of the lines after it, so a
playlist someone edited by hand is recognised and left alone; `#PLAYLIST:` names the album, so
two albums whose names make one file name are told apart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .files import replacing

MARK = "# Made by stretchcue"  # a comment line: players skip it, and it marks the file as ours


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


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def playlist_text(album: str, items: list[Item]) -> str:
    lines = [f"#PLAYLIST:{label(album)}"]
    for item in items:
        lines += [f"#EXTINF:{round(item.seconds)},{_one_line(item.title)}", item.path.as_posix()]
    body = "\n".join(lines) + "\n"
    return f"#EXTM3U\n{MARK} (checksum {_checksum(body)})\n{body}"


def inspect(path: Path) -> Found:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Found(None, ours=False, edited=False)
    head, _, rest = text.partition("\n")
    mark, _, body = rest.partition("\n")
    if head != "#EXTM3U" or not mark.startswith(MARK):
        return Found(None, ours=False, edited=False)
    album = body.partition("\n")[0].removeprefix("#PLAYLIST:") if body.startswith("#PLAYLIST:") else None
    checksum = mark.removeprefix(MARK).strip().removeprefix("(checksum ").removesuffix(")")
    edited = bool(checksum) and checksum != _checksum(body)  # no checksum: an older stretchcue wrote it
    return Found(album, ours=True, edited=edited)


def write_playlist(path: Path, album: str, items: list[Item]) -> bool:
    """Write the playlist whole; False if it already said exactly this."""
    text = playlist_text(album, items)
    try:
        if path.is_file() and not path.is_symlink() and path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    with replacing(path) as file:
        file.write(text.encode("utf-8"))
    return True
