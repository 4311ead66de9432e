"""A podcast feed of the tracks in a folder, so a phone's podcast app fetches them: RSS 2.0 with
the iTunes tags (made by feedgen), and beside each track its cover (NAME.jpg) and its chapters as
Podcasting 2.0 JSON (NAME.chapters.json). Everything is read from the tracks' own tags, which were
written from their timelines, so the feed says what the tracks hold; it is written whole each run.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from mutagen import MutagenError
from mutagen.id3 import ID3

from . import __version__
from .errors import StretchcueError
from .files import MARK, check_ours, write_bytes, write_text, writing_into
from .render import read_stamp

FEED = "feed.xml"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
GUIDS = uuid.UUID("3f1c9a52-7a4e-4f4a-9a53-5b1e0c2d6e11")  # a namespace of our own for episode guids


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

    @property
    def cover_file(self) -> Path:  # beside the track, for the feed to point at
        return self.path.with_suffix(".jpg")

    @property
    def chapters_file(self) -> Path:
        return self.path.with_suffix(".chapters.json")

    @property
    def guid(self) -> str:
        """Stays the same as long as the track is the same track (its album and title), however often it is rebuilt."""
        return f"urn:uuid:{uuid.uuid5(GUIDS, json.dumps([self.album, self.title]))}"


def check_base_url(url: str, option: str = "--base-url") -> str:
    """The address the folder is served at, ending in "/"."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise StretchcueError(
            f"{option}: {url!r} is not an http(s) address of a folder, e.g. https://example.com/stretch/"
        )
    path = quote(parts.path, safe="/%~!$&'()*+,;=:@")  # spaces and the like quoted; what is quoted already stays
    return urlunsplit((parts.scheme, parts.netloc, path if path.endswith("/") else path + "/", "", ""))


def episodes(folder: Path, notify: Callable[[str], None]) -> list[Episode]:
    """The whole tracks stretchcue wrote in `folder`, in album order; other files are left out (a
    damaged track is named)."""
    found = []
    for path in sorted(folder.glob("*.mp3")):
        stamp = read_stamp(path) if path.is_file() else None
        if stamp is None:
            continue
        if not stamp.whole:
            notify(f"note: {path} is damaged, so it is left out of the feed (build it again)")
            continue
        found.append(_episode(path, stamp.length_ms / 1000))
    return sorted(found, key=lambda e: (e.album, e.number, e.path.name))


def _episode(path: Path, seconds: float) -> Episode:
    try:
        tags = ID3(path)
    except MutagenError as err:
        raise StretchcueError(f"{path}: cannot read its tags: {err}") from None
    number = str(tags.get("TRCK", "1")).partition("/")[0]
    comments = tags.getall("COMM")
    pictures = tags.getall("APIC")
    chapters = sorted((chap.start_time / 1000, str(chap.sub_frames.get("TIT2", ""))) for chap in tags.getall("CHAP"))
    return Episode(
        path=path,
        title=str(tags.get("TIT2", path.stem)),
        album=str(tags.get("TALB", "")),
        number=int(number) if number.isdigit() else 1,
        seconds=seconds,
        description=str(comments[0]) if comments else "",
        cover=pictures[0].data if pictures else b"",
        chapters=tuple(chapters),
        published=datetime.datetime.fromtimestamp(int(path.stat().st_mtime), datetime.UTC),
    )


def chapters_json(episode: Episode) -> str:
    """Podcasting 2.0 chapters (https://github.com/Podcastindex-org/podcast-namespace/blob/main/chapters/jsonChapters.md)."""
    doc = {
        "version": "1.2.0",
        "title": episode.title,
        "podcastName": episode.album,
        "chapters": [{"startTime": round(start, 3), "title": title} for start, title in episode.chapters],
        "generator": MARK,  # not in the spec, which lets readers ignore other keys: marks the file as ours
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def sidecars(episode: Episode) -> dict[Path, bytes]:
    """The files the feed points at beside the track: its cover and its chapters."""
    return {episode.cover_file: episode.cover, episode.chapters_file: chapters_json(episode).encode()}


def write_feed(
    folder: Path, base_url: str, title: str | None, author: str | None, notify: Callable[[str], None]
) -> tuple[Path, int]:
    """Write the feed, and the files beside each track it points at, into `folder`; gives the
    feed's path and the number of episodes. A file in the way that is not ours stops the run
    before anything is written."""
    base = check_base_url(base_url)
    with writing_into(folder, notify, "folder"):
        found = episodes(folder, notify)
        if not found:
            raise StretchcueError(f"{folder}: no tracks made by stretchcue here; build some first")
        files = {path: data for episode in found for path, data in sidecars(episode).items() if data}
        for path in [folder / FEED, *files]:
            check_ours(path, "folder")
        for path, data in files.items():
            write_bytes(path, data)
        write_text(folder / FEED, rss(found, base, title or _common_album(found) or folder.name, author or MARK))
    return folder / FEED, len(found)


def _common_album(found: list[Episode]) -> str:
    albums = {e.album for e in found}
    return albums.pop() if len(albums) == 1 else ""


def url(base: str, path: Path) -> str:
    return base + quote(path.name)


def rss(found: list[Episode], base: str, title: str, author: str) -> str:
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.load_extension("podcast")  # the iTunes tags
    feed.register_extension("extras", _Extras, _EntryExtras, atom=False)
    feed.title(title)
    feed.link(href=base)
    feed.description(f"Voice-guided stretching sessions: {title}.")
    feed.language("en")
    feed.author({"name": author})
    feed.generator(MARK, __version__, "https://pypi.org/project/stretchcue/")
    feed.lastBuildDate(max(e.published for e in found))
    cover = next((url(base, e.cover_file) for e in found if e.cover), None)
    if cover:
        feed.image(cover, title, base)
        feed.podcast.itunes_image(cover)
    feed.podcast.itunes_author(author)
    feed.podcast.itunes_category("Health & Fitness", "Fitness")
    feed.podcast.itunes_type("serial")
    for number, episode in enumerate(found, start=1):
        entry = feed.add_entry(order="append")
        entry.title(episode.title)
        entry.guid(episode.guid, permalink=False)
        entry.description(episode.description or episode.title)
        entry.enclosure(url(base, episode.path), str(episode.path.stat().st_size), "audio/mpeg")
        entry.pubDate(episode.published)
        entry.podcast.itunes_duration(round(episode.seconds))
        entry.podcast.itunes_episode(number)
        entry.podcast.itunes_episode_type("full")
        if episode.cover:
            entry.podcast.itunes_image(url(base, episode.cover_file))
        if episode.chapters:
            entry.extras.chapters = url(base, episode.chapters_file)
    return feed.rss_str(pretty=True).decode("utf-8")


def _explicit_false(element: object) -> None:
    from feedgen.util import xml_elem

    xml_elem(f"{{{ITUNES}}}explicit", element).text = "false"  # Apple's current spelling; feedgen knows only yes/no


class _Extras:
    """feedgen extension for the channel: itunes:explicit false, and the Podcasting 2.0 namespace."""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST}

    def extend_rss(self, feed: object) -> object:
        _explicit_false(feed[0])  # type: ignore[index]  # the <channel>
        return feed

    def extend_atom(self, feed: object) -> object:
        return feed


class _EntryExtras(_Extras):
    """feedgen extension for an item: itunes:explicit false and podcast:chapters."""

    def __init__(self) -> None:
        self.chapters: str | None = None

    def extend_rss(self, entry: object) -> object:
        from feedgen.util import xml_elem

        _explicit_false(entry)
        if self.chapters:
            chapters = xml_elem(f"{{{PODCAST}}}chapters", entry)
            chapters.attrib.update({"url": self.chapters, "type": "application/json+chapters"})
        return entry
