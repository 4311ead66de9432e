"""Which files are ours, by proof rather than by a word in them.

Every file stretchcue writes where someone else's file could be (tracks, transcripts, playlists,
the feed and the files beside it, cards, pictures) carries a seal: `stretchcue-sha256:` and 64 hex
digits, the SHA-256 of the sealed bytes as they are with those digits all "0". No file gets one
by accident, and a file edited since stretchcue wrote it no longer matches its seal. What is
sealed is the whole file, except in an MP3, where it is the ID3 tag (which holds the audio's own
checksum, so a track cut short is still known as ours, and as damaged).

Checking a seal reads a bounded amount, without blocking: only a regular file (after links) no
larger than its kind's limit can be ours; the seal is looked for near the start and the end.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import zlib
from enum import Enum
from pathlib import Path
from typing import BinaryIO

TOKEN = b"stretchcue-sha256:"
BLANK = TOKEN + b"0" * 64  # where a writer puts the seal; `seal` fills in the digits
BLANK_TEXT = BLANK.decode()
_SEAL = re.compile(re.escape(TOKEN) + b"[0-9a-f]{64}")
WINDOW = 1 << 16  # bytes at each end of a file where its seal can be
MAX_FILE = 1 << 30  # the largest file besides a track that can be ours (a PDF of many cards is a few MB)
PNG = b"\x89PNG\r\n\x1a\n"


class Proof(Enum):
    OURS = "ours"  # sealed, and the seal matches
    CHANGED = "changed"  # sealed, but changed since (edited by hand, or damaged)
    FOREIGN = "foreign"  # no seal of ours: someone else's


class Refused(OSError):
    """A path that is not a regular file, or is too large, to read."""


def open_regular(path: Path, limit: int, follow: bool = True) -> BinaryIO:
    """`path` opened for reading, if it is a regular file (after links, unless not `follow`) of at
    most `limit` bytes. Opened without blocking, so a named pipe or a device is refused at once."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(0, "is not a regular file", str(path))
        if info.st_size > limit:
            raise Refused(0, f"is {info.st_size:,} bytes; at most {limit:,}", str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int, follow: bool = True) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (see `open_regular`); reading stops
    at the limit even if the file grows meanwhile."""
    with open_regular(path, limit, follow) as file:
        size = os.fstat(file.fileno()).st_size
        data = file.read(size + 1)  # a file may say 0 bytes and never end (as /proc's do)
    if len(data) > size:
        raise Refused(0, "grows while it is read", str(path))
    return data


def seal(data: bytes) -> bytes:
    """`data` with its seal (the last BLANK in it) filled in."""
    at = data.rindex(BLANK)
    sealed = data[:at] + TOKEN + _digest(data, at) + data[at + len(BLANK) :]
    return _fix_png_crc(sealed, at) if sealed.startswith(PNG) else sealed


def seal_text(text: str) -> str:
    """`seal` for text, written as UTF-8."""
    return seal(text.encode("utf-8")).decode("utf-8")


def seal_region(file: BinaryIO, start: int, size: int) -> None:
    """Fill in the seal of `size` bytes of an open file from `start` (an MP3's tag), in place."""
    file.seek(start)
    region = file.read(size)
    sealed = seal(region)
    file.seek(start)
    file.write(sealed)


def proof(data: bytes, before: bytes = b"") -> Proof:
    """Whether bytes that are a whole sealed thing (a file, or an MP3's tag) carry our seal; with
    `before`, only a seal right after those bytes counts (an MP3's tag also holds the sealed
    images it carries)."""
    found = False
    for match in _seals(data, before):
        found = True
        at = match.start() + len(before)
        if _digest(data, at) == match.group()[-64:]:
            return Proof.OURS
    return Proof.CHANGED if found else Proof.FOREIGN


def proof_of(path: Path, limit: int = MAX_FILE, follow: bool = True) -> Proof:
    """The proof of a file on disk: FOREIGN for anything that is not a regular file within `limit`
    (nor for a link, unless `follow`). The seal is looked for in the first and last WINDOW bytes,
    where each format puts it; the file is hashed as it streams, at most twice."""
    try:
        with open_regular(path, limit, follow) as file:
            size = os.fstat(file.fileno()).st_size
            if size <= 2 * WINDOW:
                data = file.read(size + 1)  # not to the limit: a file may say 0 bytes and never end
                return proof(data) if len(data) == size else Proof.FOREIGN
            head = file.read(WINDOW)
            file.seek(size - WINDOW)
            tail = file.read(WINDOW)
            first, last = _SEAL.search(head), _seals(tail)[:1]  # where an image's, and a text's, seal is
            found = [(first.start(), first.group())] if first else []
            found += [(size - WINDOW + m.start(), m.group()) for m in last]
            for at, mark in found:
                if _streamed_digest(file, at, size) == mark[len(TOKEN) :]:
                    return Proof.OURS
            return Proof.CHANGED if found else Proof.FOREIGN
    except OSError:
        return Proof.FOREIGN


def _seals(data: bytes, before: bytes = b"") -> list[re.Match[bytes]]:
    """The seals in `data` (after `before`), last first (a writer puts its own last), at most a few."""
    pattern = re.compile(re.escape(before) + _SEAL.pattern) if before else _SEAL
    return list(pattern.finditer(data))[::-1][:8]


def _digest(data: bytes, at: int) -> bytes:
    """The digits of the seal at `at`: the SHA-256 of what it covers (`_view`)."""
    return hashlib.sha256(_view(data, at)).hexdigest().encode()


def _view(data: bytes, at: int) -> bytes:
    """The bytes the seal at `at` covers: its digits as "0", and in a PNG, its chunk's CRC as zeros
    (the CRC covers the digits, so it cannot also be covered by them)."""
    end = at + len(BLANK)
    crc = 4 if data.startswith(PNG) else 0
    return data[: at + len(TOKEN)] + b"0" * 64 + bytes(crc) + data[end + crc :]


def _streamed_digest(file: BinaryIO, at: int, size: int) -> bytes:
    """`_view`'s digest for a file too large to hold, read in blocks."""
    file.seek(0)
    crc = 4 if file.read(len(PNG)) == PNG else 0
    digits, after = at + len(TOKEN), at + len(BLANK) + crc
    digest = hashlib.sha256()
    _hash_range(file, 0, digits, digest)
    digest.update(b"0" * 64 + bytes(crc))
    _hash_range(file, after, size, digest)
    return digest.hexdigest().encode()


def _hash_range(file: BinaryIO, start: int, stop: int, digest: hashlib._Hash) -> int:
    """Feed bytes `start` to `stop` of an open file to `digest`, a block at a time; gives the count."""
    file.seek(start)
    first = start
    while start < stop and (block := file.read(min(1 << 20, stop - start))):
        digest.update(block)
        start += len(block)
    return start - first


def _fix_png_crc(data: bytes, at: int) -> bytes:
    """A PNG's seal ends its chunk's data: recompute that chunk's CRC, which follows the digits."""
    end = at + len(BLANK)
    position = len(PNG)
    while position + 8 <= at:
        length = struct.unpack(">I", data[position : position + 4])[0]
        if position + 8 + length == end:
            crc = zlib.crc32(data[position + 4 : end])
            return data[:end] + struct.pack(">I", crc) + data[end + 4 :]
        position += 12 + length
    raise ValueError("the seal must end a PNG chunk")
