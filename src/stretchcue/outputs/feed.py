"""A podcast feed of the tracks in a folder, so a phone's podcast app fetches them: RSS 2.0 with
the iTunes tags (made by feedgen), and beside each track its cover (NAME.jpg) and its chapters as
Podcasting 2.0 JSON (NAME.chapters.json). Everything is read from the tracks' own tags, which were
written from their timelines, so the feed says what the tracks hold; it is written whole each run.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from stretchcue import __version__
from stretchcue.authoring import phrases
from stretchcue.authoring.yamlcheck import unfit_text
from stretchcue.disk.files import (
    MARK,
    Listener,
    as_found,
    check_folder,
    check_ours,
    write_bytes,
    write_text,
    writing_into,
)
from stretchcue.disk.ours import BLANK_TEXT, Proof, seal_text
from stretchcue.errors import StretchcueError
from stretchcue.outputs.tags import Tags
from stretchcue.outputs.track import inspect

FEED = "feed.xml"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
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

    @property
    def cover_file(self) -> Path:
        return beside(self.path)[0]

    @property
    def chapters_file(self) -> Path:
        return beside(self.path)[1]

    @property
    def guid(self) -> str:
        """Stays the same as long as the track is the same track (its album and title), however often it is rebuilt."""
        return f"urn:uuid:{uuid.uuid5(GUIDS, json.dumps([self.album, self.title]))}"


def beside(track: Path) -> tuple[Path, Path]:
    """The files the feed writes beside a track, for it to point at: its cover and its chapters."""
    cover = as_found(track.with_suffix(".jpg"))
    if cover.suffix != ".jpg":  # podcast apps (and feedgen) take only ".jpg": not "TINY.JPG"
        cover = track.with_suffix(".jpg")
    return cover, as_found(track.with_suffix(".chapters.json"))


def check_room(folder: Path, tracks: list[Path], found: list[Episode] | None = None) -> None:
    """Before a build writes `tracks` and then the feed of `folder`: every file the feed will
    write (feed.xml, and those beside each track of ours there (`found`, if they were just
    listed) and each of `tracks`) that is in the way must be ours."""
    found = episodes(folder, lambda _: None) if found is None else found
    paths = [as_found(folder / FEED), *(p for e in found for p in beside(e.path))]
    for path in paths + [p for track in tracks for p in beside(track)]:
        check_ours(path, "folder")


def check_base_url(url: str, option: str = "--base-url") -> str:
    """The address the folder is served at, normalised (IDNA host, quoted path ending in "/"):
    an http(s) address with a valid host, no user or password, no query or fragment."""
    from yarl import URL

    example = "e.g. https://example.com/stretch/"
    problem = unfit_text(url)
    try:
        parsed = URL(url.strip())
        port, host = parsed.explicit_port, parsed.host  # raise for a port out of range, a bad IDNA host
    except (ValueError, TypeError) as err:  # (UnicodeError is a ValueError)
        problem = problem or str(err) or "not a URL"
    else:
        if parsed.scheme not in ("http", "https") or not host:
            problem = problem or "not an http(s) address"
        elif port == 0:
            problem = problem or "port 0"
        elif parsed.user is not None or parsed.password is not None:
            problem = problem or "a published address must not hold a user name or password"
        elif parsed.query_string or parsed.fragment:
            problem = problem or "a folder's address has no ?query or #fragment"
        else:
            problem = problem or _host_problem(host)
    if problem:
        raise StretchcueError(f"{option}: {url!r} is not the address of a folder ({problem}); {example}")
    path = parsed.raw_path if parsed.raw_path.endswith("/") else parsed.raw_path + "/"
    site = URL.build(scheme=parsed.scheme, host=host or "", port=port, encoded=False)  # the host in IDNA
    return str(site.with_path(path, encoded=True))


def _host_problem(host: str) -> str | None:
    """None for a host name (IDNA 2008) or an IP address; else what is wrong with it."""
    import ipaddress

    import idna

    try:
        ipaddress.ip_address(host)
        return None if "%" not in host else f"host {host!r}: a zone index is local to one machine"
    except ValueError:
        pass
    if all(label.isdecimal() for label in host.rstrip(".").split(".")):  # 1.2.3, 256.1.1.1
        return f"host {host!r}: not an IP address, nor a name"
    try:
        idna.encode(host, uts46=True)
    except idna.IDNAError as err:
        return f"host {host!r}: {err}"
    return None


def check_text(value: str | None, option: str) -> None:
    """A title or author the feed's XML can carry, on one line."""
    if value is not None and (problem := unfit_text(value) or ("is empty" if not value.strip() else None)):
        raise StretchcueError(f"{option}: {value!r} {problem}")


def episodes(folder: Path, notify: Callable[[str], None]) -> list[Episode]:
    """The whole tracks stretchcue wrote in `folder`, their tags unchanged, in album order; other
    files are left out (a damaged or changed track is named)."""
    found = []
    for path in sorted(p for p in folder.glob("*") if p.suffix.lower() == ".mp3"):
        proof, stamp = inspect(path) if path.is_file() else (Proof.FOREIGN, None)
        if stamp is None:
            log.debug("%s: left out of the feed, not a track of ours", path)
            if proof is Proof.CHANGED:
                notify(f"{path} was changed since stretchcue made it, so it is left out of the feed")
            continue
        if not stamp.whole:
            notify(f"{path} is damaged, so it is left out of the feed (build it again)")
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
    )


def chapters_json(episode: Episode) -> str:
    """Podcasting 2.0 chapters (https://github.com/Podcastindex-org/podcast-namespace/blob/main/chapters/jsonChapters.md)."""
    doc = {
        "version": "1.2.0",
        "title": episode.title,
        "podcastName": episode.album,
        "chapters": [{"startTime": round(start, 3), "title": title} for start, title in episode.chapters],
        "generator": MARK,  # keys the spec does not name are ignored by readers: here, who made it ...
        "seal": BLANK_TEXT,  # ... and the proof (ours.py)
    }
    return seal_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def sidecars(episode: Episode) -> dict[Path, bytes]:
    """The files the feed points at beside the track: its cover and its chapters."""
    return {episode.cover_file: episode.cover, episode.chapters_file: chapters_json(episode).encode()}


def write_feed(
    folder: Path, base_url: str, title: str | None, author: str | None, listener: Listener
) -> tuple[Path, int]:
    """Write the feed, and the files beside each track it points at, into `folder`; gives the
    feed's path and the number of episodes. Every argument is checked, and every file in the way
    that is not ours stops the run, before anything is written."""
    if not folder.is_dir():
        raise StretchcueError(f"{folder}: {'not a folder' if folder.exists() else 'no such folder'}")
    base = check_base_url(base_url)
    check_text(title, "--title")
    check_text(author, "--author")
    check_folder(folder, "folder")
    found = episodes(folder, listener.note)  # before the folder's lock is taken, so that a refused run writes nothing
    _check_found(folder, found)
    check_room(folder, [], found)
    with writing_into(folder, listener, "folder"):
        found = episodes(folder, lambda _: None)  # (the notes were given)
        _check_found(folder, found)
        files = {path: data for episode in found for path, data in sidecars(episode).items() if data}
        for path in [as_found(folder / FEED), *files]:
            check_ours(path, "folder")
        name = title or _common_album(found) or folder.resolve().name or "stretchcue"
        feed = rss(found, base, name, author or MARK)
        for path, data in files.items():
            write_bytes(path, data, "folder")
        write_text(as_found(folder / FEED), feed, "folder")
    return as_found(folder / FEED), len(found)


def _check_found(folder: Path, found: list[Episode]) -> None:
    if not found:
        raise StretchcueError(f"{folder}: no tracks made by stretchcue here; build some first")


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
    languages = [e.language for e in found]  # the feed's: most of its episodes' (a feed has one)
    book = phrases.book(max(languages, key=languages.count))
    feed.description(book.fill(book.feed_description, title=title))
    feed.language(book.language)
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
    rss_text = feed.rss_str(pretty=True).decode("utf-8")
    return seal_text(f"{rss_text}<!-- {BLANK_TEXT} -->\n")  # a comment after the document: who made it, proven


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
