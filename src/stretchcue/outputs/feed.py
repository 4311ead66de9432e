"""A podcast feed of the tracks in a folder, so a phone's podcast app fetches them: RSS 2.0 with
the iTunes tags (made by feedgen) and the Podcasting 2.0 ones apps use (the show's guid, each
episode's transcript and chapters), and beside each track its cover (NAME.jpg) and its chapters
as JSON (NAME.chapters.json). Everything is read from the tracks' own tags, which were written
from their timelines, so the feed says what the tracks hold; it is written whole each run.
"""

from __future__ import annotations

import datetime
import json
import uuid
from pathlib import Path
from urllib.parse import quote

from stretchcue import __version__
from stretchcue.authoring import phrases
from stretchcue.authoring.yamlcheck import unfit_text
from stretchcue.disk.files import MARK, as_found, is_own_file
from stretchcue.disk.ours import BLANK_TEXT, seal_text
from stretchcue.errors import StretchcueError
from stretchcue.outputs.listing import Episode, Files, heading, main_language

FEED = "feed.xml"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
PAGE = "index.html"
SHOWS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # the podcast namespace's, for a show's guid


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
    port = None if port == {"http": 80, "https": 443}[parsed.scheme] else port  # one address, one show guid
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


def feed_files(folder: Path, base_url: str, title: str | None, author: str | None, page: bool = False) -> Files:
    """What the feed of `folder` writes: feed.xml, and the files beside each track it points at.
    Every argument is checked now. With `page` (the folder's page is about to be written), the
    feed links it, as it does a page of ours already there."""
    base = check_base_url(base_url)
    check_text(title, "--title")
    check_text(author, "--author")
    page = page or is_own_file(as_found(folder / PAGE))

    def files(found: list[Episode]) -> dict[Path, bytes]:
        name = heading(folder, found, title)
        feed = rss(found, base, name, author or MARK, base + quote(PAGE) if page else base)
        beside = {path: data for episode in found for path, data in sidecars(episode).items() if data}
        return {**beside, as_found(folder / FEED): feed.encode()}

    return files


def url(base: str, path: Path) -> str:
    return base + quote(path.name)


def versioned(base: str, episode: Episode, path: Path) -> str:
    """The address of the track or a file beside it, which changes when its audio does (podcast
    apps keep what they fetched from an address they know): the audio's checksum in the query,
    which static hosts ignore."""
    return f"{url(base, path)}?v={episode.version}" if episode.version else url(base, path)


def show_guid(feed_url: str) -> str:
    """The show's podcast:guid: a UUIDv5 of the feed's address without its scheme and trailing
    slashes, in the podcast namespace (https://podcasting2.org/docs/podcast-namespace/tags/guid)."""
    from yarl import URL

    address = URL(feed_url)
    bare = str(address.with_scheme("http"))[len("http://") :].rstrip("/")
    return str(uuid.uuid5(SHOWS, bare))


def in_order(found: list[Episode]) -> list[datetime.datetime]:
    """Each episode's date: when its track was made, but at least a second after the one before,
    so that apps sorting by date keep the album's order (tracks are made side by side, and an
    unchanged one keeps its date)."""
    dates: list[datetime.datetime] = []
    for episode in found:
        after = dates[-1] + datetime.timedelta(seconds=1) if dates else episode.published
        dates.append(max(episode.published, after))
    return dates


def rss(found: list[Episode], base: str, title: str, author: str, home: str | None = None) -> str:
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.load_extension("podcast")  # the iTunes tags
    feed.register_extension("extras", _Extras, _EntryExtras, atom=False)
    feed.title(title)
    feed.link(href=base + FEED, rel="self")  # (atom:link, as validators ask) ...
    feed.link(href=home or base)  # ... before the channel's own link: feedgen's RSS takes the last one
    book = phrases.book(main_language(found))
    feed.description(book.fill(book.feed_description, title=title))
    feed.language(book.language)
    feed.author({"name": author})
    feed.generator(MARK, __version__, "https://pypi.org/project/stretchcue/")
    dates = in_order(found)
    feed.lastBuildDate(max(dates))
    feed.extras.guid = show_guid(base + FEED)
    # (a cover's address keeps its own: Apple takes only one ending in .jpg or .png)
    cover = next((url(base, e.cover_file) for e in found if e.cover), None)
    if cover:
        feed.image(cover, title, home or base)
        feed.podcast.itunes_image(cover)
    feed.podcast.itunes_author(author)
    feed.podcast.itunes_category("Health & Fitness", "Fitness")
    feed.podcast.itunes_type("serial")
    guids = set()
    for number, (episode, date) in enumerate(zip(found, dates, strict=True), start=1):
        entry = feed.add_entry(order="append")
        entry.title(episode.title)
        guid = episode.guid if episode.guid not in guids else episode.guid_by_name  # (two tracks of one title)
        guids.add(guid)
        entry.guid(guid, permalink=False)
        entry.description(episode.description or episode.title)
        entry.enclosure(versioned(base, episode, episode.path), str(episode.path.stat().st_size), "audio/mpeg")
        entry.pubDate(date)
        entry.podcast.itunes_duration(round(episode.seconds))
        entry.podcast.itunes_episode(number)
        entry.podcast.itunes_episode_type("full")
        if episode.cover:
            entry.podcast.itunes_image(url(base, episode.cover_file))
        if episode.chapters:
            entry.extras.chapters = versioned(base, episode, episode.chapters_file)
        if is_own_file(episode.transcript_file):  # its WebVTT transcript, written beside it with the track
            entry.extras.transcript = (versioned(base, episode, episode.transcript_file), episode.language)
    rss_text = feed.rss_str(pretty=True).decode("utf-8")
    return seal_text(f"{rss_text}<!-- {BLANK_TEXT} -->\n")  # a comment after the document: who made it, proven


def _explicit_false(element: object) -> None:
    from feedgen.util import xml_elem

    xml_elem(f"{{{ITUNES}}}explicit", element).text = "false"  # Apple's current spelling; feedgen knows only yes/no


class _Extras:
    """feedgen extension for the channel: itunes:explicit false, the Podcasting 2.0 namespace and
    the show's podcast:guid."""

    def __init__(self) -> None:
        self.guid: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST}

    def extend_rss(self, feed: object) -> object:
        from feedgen.util import xml_elem

        channel = feed[0]  # type: ignore[index]
        _explicit_false(channel)
        if self.guid:
            xml_elem(f"{{{PODCAST}}}guid", channel).text = self.guid
        return feed

    def extend_atom(self, feed: object) -> object:
        return feed


class _EntryExtras(_Extras):
    """feedgen extension for an item: itunes:explicit false, podcast:chapters and podcast:transcript."""

    def __init__(self) -> None:
        self.chapters: str | None = None
        self.transcript: tuple[str, str] | None = None  # its address and language

    def extend_rss(self, entry: object) -> object:
        from feedgen.util import xml_elem

        _explicit_false(entry)
        if self.chapters:
            chapters = xml_elem(f"{{{PODCAST}}}chapters", entry)
            chapters.attrib.update({"url": self.chapters, "type": "application/json+chapters"})
        if self.transcript:
            address, language = self.transcript
            transcript = xml_elem(f"{{{PODCAST}}}transcript", entry)
            transcript.attrib.update({"url": address, "type": "text/vtt", "language": language, "rel": "captions"})
        return entry
