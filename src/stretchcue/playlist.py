"""M3U8 playlists that phones and desktop players open: UTF-8 without BOM, #EXTM3U, one #EXTINF
per track with whole seconds and a comma-free title, relative paths with forward slashes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .files import replacing

MARK = "# Made by stretchcue"  # a comment line: players skip it, and it marks the file as ours


@dataclass(frozen=True)
class Item:
    path: Path  # relative to the playlist's folder
    title: str
    seconds: float


def playlist_text(items: list[Item]) -> str:
    lines = ["#EXTM3U", MARK]
    for item in items:
        title = " ".join(item.title.replace(",", " ").split())  # a comma would end the duration field
        lines += [f"#EXTINF:{round(item.seconds)},{title}", item.path.as_posix()]
    return "\n".join(lines) + "\n"


def is_ours(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as file:
            return [file.readline().rstrip("\n") for _ in range(2)] == ["#EXTM3U", MARK]
    except (OSError, UnicodeDecodeError):
        return False


def write_playlist(path: Path, items: list[Item]) -> bool:
    """Write the playlist whole; False if it already said exactly this."""
    text = playlist_text(items)
    if path.is_file() and path.read_text(encoding="utf-8", errors="replace") == text:
        return False
    with replacing(path) as temp:
        temp.write_text(text, encoding="utf-8", newline="\n")
    return True
