"""The output folder as a web page (index.html): every track of ours in it with its cover, a
player, its chapters to jump to, its words (the line being said shown as it plays) and its holds
counted down; links to the playlists, the cards and the feed. One static file with its style and
script inline, made of the tracks' own tags (written from their timelines, like the WebVTT files
beside them), so it works from any static host and from the disk (where a browser refuses to
load a WebVTT file into a page: the words are in the page itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from stretchcue import __version__
from stretchcue.authoring import phrases
from stretchcue.disk.files import MARK, as_found, is_own_file
from stretchcue.disk.ours import BLANK_TEXT, seal_text
from stretchcue.outputs.feed import FEED, PAGE, check_text
from stretchcue.outputs.listing import Episode, Files, heading, main_language

CARDS = "cards"  # the folder `cards` writes into, beside a track's default folder's tracks


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    type: str = ""


def page_files(folder: Path, title: str | None, feed: bool = False) -> Files:
    """What the page of `folder` writes: index.html and each track's cover. With `feed` (the feed
    is about to be written), the page links it, as it does a feed of ours already there."""
    check_text(title, "--title")

    def files(found: list[Episode]) -> dict[Path, bytes]:
        covers = {e.cover_file: e.cover for e in found if e.cover}
        name = heading(folder, found, title)
        return {**covers, as_found(folder / PAGE): page(found, name, links(folder, feed)).encode()}

    return files


def links(folder: Path, feed: bool) -> list[Link]:
    """The files of ours in the folder that the page points at: playlists, cards to print, the feed."""
    found = [Link(_href(p, folder), p.stem, "audio/x-mpegurl") for p in _ours(folder, "*.m3u8")]
    found += [Link(_href(p, folder), f"{p.stem}.pdf", "application/pdf") for p in _ours(folder, "*.pdf")]
    found += [Link(_href(p, folder), f"{p.stem}.pdf", "application/pdf") for p in _ours(folder / CARDS, "*.pdf")]
    if feed or is_own_file(as_found(folder / FEED)):
        found.append(Link(quote(FEED), FEED, "application/rss+xml"))
    return found


def _ours(folder: Path, pattern: str) -> Iterator[Path]:
    return (p for p in sorted(folder.glob(pattern)) if is_own_file(p)) if folder.is_dir() else iter(())


def _href(path: Path, folder: Path) -> str:
    return "/".join(quote(part) for part in path.relative_to(folder).parts)


def page(found: list[Episode], title: str, linked: list[Link]) -> str:
    """The page's HTML, sealed as ours in a comment after the document."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    language = main_language(found)
    book = phrases.book(language)
    albums: dict[str, list[dict[str, object]]] = {}
    for number, episode in enumerate(found):
        albums.setdefault(episode.album, []).append(_track(episode, number))
    feed = next((link.href for link in linked if link.type == "application/rss+xml"), None)
    web = Environment(loader=PackageLoader("stretchcue.outputs", "web"), autoescape=select_autoescape(["html"]))
    html = web.get_template("page.html").render(
        language=language,
        title=title,
        albums=albums,
        links=linked,
        feed=feed,
        words=book.page,
        style=_asset("page.css"),
        script=_asset("page.js"),
        mark=MARK,
        version=__version__,
    )
    return seal_text(f"{html.rstrip()}\n<!-- {BLANK_TEXT} -->\n")


def _track(episode: Episode, number: int) -> dict[str, object]:
    """What the page shows of a track."""
    book = phrases.book(episode.language)
    lengths = sorted({round((end - start) / 1000, 1) for start, end in episode.holds})  # (as titles give them: 2.5 s)
    holds = ""
    if len(lengths) == 1:
        holds = book.fill(book.holds_of, hold=lengths[0])
    elif lengths:
        holds = book.fill(book.page["holds_range"], low=lengths[0], high=lengths[-1])
    version = f"?v={episode.version}" if episode.version else ""
    return {
        "id": f"track-{number + 1}",
        "words": book.page,  # its labels, in its language
        "title": episode.title,
        "language": episode.language,
        "seconds": f"{episode.seconds:.3f}",
        "length": clock(episode.seconds),
        "duration": f"PT{episode.seconds:.3f}S",
        "guidance": book.guidance.get(episode.guidance, ""),
        "holds": holds,
        "audio": quote(episode.path.name) + version,
        "download": quote(episode.path.name),
        "cover": quote(episode.cover_file.name) + version if episode.cover else "",
        "cover_alt": book.fill(book.page["cover"], title=episode.title),
        "transcript": quote(episode.transcript_file.name) if is_own_file(episode.transcript_file) else "",
        "chapters": [_moment(start, text) for start, text in episode.chapters],
        "lines": [_moment(line.start_ms / 1000, line.text) for line in episode.lines],
        "holds_data": json.dumps([[start / 1000, end / 1000] for start, end in episode.holds]),
    }


def _moment(start: float, text: str) -> dict[str, str]:
    """A chapter or a line: where it starts (for the script, and as shown) and what it says."""
    return {"start": f"{start:.3f}", "clock": clock(start), "duration": f"PT{start:.3f}S", "text": text}


def clock(seconds: float) -> str:
    """m:ss, or h:mm:ss: as a player shows a time."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _asset(name: str) -> str:
    return (resources.files("stretchcue.outputs") / "web" / name).read_text("utf-8")
