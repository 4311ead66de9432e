"""An article's bytes, from a file or a web address, and what kind of text it is.

A web page is fetched with httpx: redirects followed, a timeout, a size limit and a user agent;
every way it can fail is one line naming the address. A file is read as every input is (a
regular file, up to a size limit, without blocking).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from stretchcue import __version__
from stretchcue.disk.ours import read_regular
from stretchcue.errors import StretchcueError

Kind = Literal["html", "markdown", "text"]
MAX_PAGE = 5_000_000  # bytes: articles are tens of kB; a larger answer is not an article
TIMEOUT = 20.0  # seconds to connect, and between two pieces of the answer
DEADLINE = 60.0  # seconds for the whole answer
USER_AGENT = f"stretchcue/{__version__} (turns stretching articles into guided audio)"
TEXT_TYPES: dict[str, Kind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
}
SUFFIXES: dict[str, Kind] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}


@dataclass(frozen=True)
class Page:
    data: bytes
    kind: Kind
    source: str  # the address or the path, as given: for messages and the routine's header
    encoding: str | None = None  # as the server declared it, if it did


def is_address(spec: str) -> bool:
    return spec.lower().startswith(("http://", "https://"))


def read_page(spec: str) -> Page:
    return fetch(spec) if is_address(spec) else read_file(Path(spec))


def read_file(path: Path) -> Page:
    said = shown(str(path))
    try:
        if not path.exists():
            raise StretchcueError(f"{said}: no such file")
        if not path.is_file():
            raise StretchcueError(f"{said}: not a regular file")
        size = path.stat().st_size
        if size > MAX_PAGE:
            raise StretchcueError(f"{said}: {size:,} bytes is too large for an article (at most {MAX_PAGE:,})")
        data = read_regular(path, MAX_PAGE)
    except OSError as err:
        raise StretchcueError(f"{said}: cannot read: {err.strerror or err}") from None
    kind = SUFFIXES.get(path.suffix.lower()) or sniff(data)
    return Page(data, kind, said)


def sniff(data: bytes) -> Kind:
    """HTML when it starts like a page, else text (markdown's structure is found in text too)."""
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "html" if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) else "text"


def fetch(address: str) -> Page:
    """The page at `address`, or one line saying why not; never longer than DEADLINE, however
    slowly a server answers (its headers a byte at a time, or its body)."""
    said = shown(address)
    result: list[Page | BaseException] = []
    worker = threading.Thread(target=lambda: result.append(_fetch(address, said)), daemon=True)
    worker.start()  # a daemon: one still waiting on a server when the deadline passes ends with the program
    worker.join(DEADLINE)
    if not result:
        raise StretchcueError(f"{said}: not all there after {DEADLINE:g} s")
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def _fetch(address: str, said: str) -> Page | BaseException:
    import httpx

    headers = {"User-Agent": USER_AGENT, "Accept": "text/html, text/markdown;q=0.9, text/plain;q=0.8"}
    try:
        with (
            httpx.Client(follow_redirects=True, timeout=TIMEOUT, headers=headers, max_redirects=10) as client,
            client.stream("GET", address) as answer,
        ):
            if answer.status_code >= 400:
                return StretchcueError(f"{said}: the server answered {answer.status_code} {answer.reason_phrase}")
            media = answer.headers.get("content-type", "").split(";")[0].strip().lower()
            kind = TEXT_TYPES.get(media)
            if kind is None and media:
                return StretchcueError(f"{said}: not a text page ({shown(media)})")
            declared = int(answer.headers.get("content-length") or 0)
            if declared > MAX_PAGE:
                return StretchcueError(f"{said}: {declared:,} bytes is too large for an article")
            data = bytearray()
            for piece in answer.iter_bytes():
                data += piece
                if len(data) > MAX_PAGE:
                    return StretchcueError(f"{said}: more than {MAX_PAGE:,} bytes is too large for an article")
            return Page(bytes(data), kind or sniff(bytes(data)), said, answer.charset_encoding)
    except httpx.InvalidURL as err:
        return StretchcueError(f"{said}: not a web address ({shown(str(err))})")
    except httpx.TooManyRedirects:
        return StretchcueError(f"{said}: too many redirects")
    except httpx.TimeoutException:
        return StretchcueError(f"{said}: no answer within {TIMEOUT:g} s")
    except httpx.ConnectError as err:
        return StretchcueError(f"{said}: cannot connect ({shown(_reason(err))})")
    except httpx.HTTPError as err:
        return StretchcueError(f"{said}: {shown(_reason(err))}")
    except (UnicodeError, ValueError) as err:  # a host name IDNA refuses, bytes that are not text
        return StretchcueError(f"{said}: not a web address ({shown(str(err))})")


def shown(text: str) -> str:
    """Text as it can be shown on one line or in a comment: line breaks, control characters and
    undecodable bytes escaped, and no password of an address."""
    text = re.sub(r"(?<=://)[^/@\s]*@", "", text)  # user:password@
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii") for c in text
    )


def _reason(err: Exception) -> str:
    """The innermost reason, as the system said it ("Name or service not known", "Connection refused")."""
    cause: BaseException = err
    while cause.__cause__ or cause.__context__:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    text = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
    return str(text).split("] ")[-1]
