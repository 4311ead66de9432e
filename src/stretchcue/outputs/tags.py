"""A track's ID3 tag: each field declared once, with the frame that stores it, for writing and for
reading back (as mediafile declares its fields). Nothing else names a frame.

ID3v2.3, which every phone and car stereo reads. The tag ends in a PRIV frame that seals it
(disk/ours.py), so a tag edited by anyone else is told from ours.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PRIV,
    SYLT,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TLEN,
    TPE1,
    TRCK,
    TXXX,
    USLT,
    CTOCFlags,
    Frames,
    PictureType,
)

from stretchcue.disk.ours import BLANK, seal_region

SEAL = "stretchcue"  # owner of the PRIV frame that seals the tag: bytes, as written
SEALED_BY = SEAL.encode() + b"\0"  # what precedes the tag's own seal (not those of the images in it)
MAX_TAG = 64 << 20  # bytes: our tags hold a cover and a small image per chapter, well under 2 MB


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int
    art: bytes = b""  # PNG or JPEG: its exercise's card


@dataclass(frozen=True)
class Line:
    """A spoken line of the lyrics, and when it starts."""

    text: str
    start_ms: int


@dataclass(frozen=True)
class Tags:
    title: str = ""
    album: str = ""
    artist: str = "stretchcue"
    track: int = 1
    tracks: int = 1
    genre: str = "Fitness"
    year: str = ""
    comment: str = ""
    language: str = "en"  # of the words (ISO 639-1), written as ID3 wants it (ISO 639-2: TLAN, and in COMM, USLT, SYLT)
    length_ms: int = 0
    stamp: str = ""  # fingerprint of everything the track was made from; marks the file as ours
    audio: str = ""  # size and checksums of the MP3 frames after the tag: a cut file is not skipped
    cover: bytes = b""  # JPEG: the routine's card
    chapters: tuple[Chapter, ...] = ()
    lines: tuple[Line, ...] = ()  # what is said, when: the lyrics, plain and synchronized
    guidance: str = ""  # how much is said: full, brief, minimal or timer
    holds: tuple[tuple[int, int], ...] = ()  # each hold's start and end in ms: what the track's page counts down


Put = Callable[[ID3, "Tags"], None]
Get = Callable[[ID3], dict[str, object]]
LATIN_1, UTF_8 = 0, 3  # (UTF-8 becomes UTF-16 in v2.3)


def _encoding(text: str) -> int:
    """Latin-1 for ASCII text (checksums, numbers, most words): v2.3 has no UTF-8, and mutagen reads
    UTF-16 a character at a time (a track's 2,000-character audio checksum took longer to read
    than its audio took to hash)."""
    return LATIN_1 if text.isascii() else UTF_8


def _text(frame: type, field: str, parse: Callable[[str], object] = str) -> tuple[Put, Get]:
    """A text frame holding one field (left out when empty)."""

    def put(id3: ID3, tags: Tags) -> None:
        if value := getattr(tags, field):
            id3.add(frame(encoding=_encoding(str(value)), text=str(value)))

    return put, lambda id3: {field: parse(_string(id3, frame.__name__))}


def _user_text(description: str, field: str) -> tuple[Put, Get]:
    """A TXXX frame of ours, told apart by its description."""

    def put(id3: ID3, tags: Tags) -> None:
        if value := getattr(tags, field):
            id3.add(TXXX(encoding=_encoding(value), desc=description, text=value))

    return put, lambda id3: {field: _string(id3, f"TXXX:{description}")}


def _put_holds(id3: ID3, tags: Tags) -> None:
    if tags.holds:
        id3.add(TXXX(encoding=LATIN_1, desc="stretchcue-holds", text=" ".join(f"{s}-{e}" for s, e in tags.holds)))


def _get_holds(id3: ID3) -> dict[str, object]:
    spans = (span.partition("-") for span in _string(id3, "TXXX:stretchcue-holds").split())
    found = ((decimal(start), decimal(end)) for start, _, end in spans)
    return {"holds": tuple((s, e) for s, e in found if s is not None and e is not None and s < e)}


def _put_number(id3: ID3, tags: Tags) -> None:
    id3.add(TRCK(encoding=LATIN_1, text=f"{tags.track}/{tags.tracks}"))


def _get_number(id3: ID3) -> dict[str, object]:
    number, _, total = _string(id3, "TRCK").partition("/")
    return {"track": decimal(number) or 1, "tracks": decimal(total) or 1}


ISO_639_2 = {"en": "eng", "de": "deu", "es": "spa", "fr": "fra"}  # ID3's language codes


def _put_language(id3: ID3, tags: Tags) -> None:
    id3.add(TLAN(encoding=LATIN_1, text=ISO_639_2[tags.language]))


def _get_language(id3: ID3) -> dict[str, object]:
    found = {code: language for language, code in ISO_639_2.items()}.get(_string(id3, "TLAN"))
    return {"language": found or "en"}  # (tracks from before languages are English)


def _put_comment(id3: ID3, tags: Tags) -> None:
    if tags.comment:
        id3.add(COMM(encoding=_encoding(tags.comment), lang=ISO_639_2[tags.language], desc="", text=tags.comment))


def _get_comment(id3: ID3) -> dict[str, object]:
    comments = id3.getall("COMM")
    return {"comment": str(comments[0]) if comments else ""}


def _put_cover(id3: ID3, tags: Tags) -> None:
    if tags.cover:
        id3.add(_picture(tags.cover))


def _get_cover(id3: ID3) -> dict[str, object]:
    pictures = id3.getall("APIC")
    return {"cover": pictures[0].data if pictures else b""}


def _put_chapters(id3: ID3, tags: Tags) -> None:
    """ID3 chapters (CHAP, in milliseconds, each with its image if it has one) and their table of
    contents (CTOC), as podcast apps read them."""
    if not tags.chapters:
        return
    ids = [f"chp{n}" for n in range(len(tags.chapters))]
    for element, chapter in zip(ids, tags.chapters, strict=True):
        parts = [TIT2(encoding=_encoding(chapter.title), text=chapter.title)] + (
            [_picture(chapter.art)] if chapter.art else []
        )
        id3.add(CHAP(element_id=element, start_time=chapter.start_ms, end_time=chapter.end_ms, sub_frames=parts))
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    id3.add(
        CTOC(element_id="toc", flags=flags, child_element_ids=ids, sub_frames=[TIT2(encoding=LATIN_1, text="Chapters")])
    )


def _get_chapters(id3: ID3) -> dict[str, object]:
    def chapter(frame: Any) -> Chapter:  # (a CHAP frame: mutagen does not declare its attributes)
        art = frame.sub_frames.getall("APIC")
        title = _string(frame.sub_frames, "TIT2")
        return Chapter(title, frame.start_time, frame.end_time, art[0].data if art else b"")

    return {"chapters": tuple(sorted((chapter(f) for f in id3.getall("CHAP")), key=lambda c: c.start_ms))}


def _put_lines(id3: ID3, tags: Tags) -> None:
    if tags.lines:
        lang = ISO_639_2[tags.language]
        said = "\n".join(line.text for line in tags.lines)
        id3.add(USLT(encoding=_encoding(said), lang=lang, desc="", text=said))
        synced = [(line.text, line.start_ms) for line in tags.lines]
        # format 2: times in milliseconds
        id3.add(SYLT(encoding=_encoding(said), lang=lang, format=2, type=1, desc="", text=synced))


def _get_lines(id3: ID3) -> dict[str, object]:
    synced = id3.getall("SYLT")
    return {"lines": tuple(Line(text, start) for text, start in synced[0].text) if synced else ()}


# Every field, in the order written: how it is put into a tag, and read out of one.
FIELDS: tuple[tuple[Put, Get], ...] = (
    _text(TIT2, "title"),
    _text(TALB, "album"),
    _text(TPE1, "artist"),
    (_put_number, _get_number),
    _text(TCON, "genre"),
    _text(TDRC, "year"),  # written as TYER, v2.3's; mutagen reads it back as TDRC
    (_put_comment, _get_comment),
    (_put_language, _get_language),
    _text(TLEN, "length_ms", lambda text: decimal(text) or 0),
    _user_text("stretchcue", "stamp"),
    _user_text("stretchcue-audio", "audio"),
    _user_text("stretchcue-guidance", "guidance"),
    (_put_holds, _get_holds),
    (_put_cover, _get_cover),
    (_put_chapters, _get_chapters),
    (_put_lines, _get_lines),
)


def write(file: BinaryIO, tags: Tags) -> None:
    """Write the tag at the start of `file` (an MP3 being written) and seal it."""
    id3 = ID3()
    for put, _ in FIELDS:
        put(id3, tags)
    id3.add(PRIV(owner=SEAL, data=BLANK))
    id3.update_to_v23()  # the year as TYER (v2.3), where TDRC is v2.4's
    file.seek(0)
    try:
        id3.save(file, v2_version=3)
    except MutagenError as err:  # mutagen wraps the OSError of a full disk
        cause = err.args[0] if err.args and isinstance(err.args[0], OSError) else OSError(str(err))
        raise cause from None
    if tags.chapters:
        _chapters_in_time_order(file)
    file.seek(0)
    seal_region(file, 0, tag_size(file.read(10)))


# The frames `read(brief=True)` leaves unparsed: what is said and when, the chapters, the pictures.
# (mutagen reads UTF-16 text a character at a time: a long track's lines took 70 ms a read.)
_LONG_FRAMES = {"SYLT", "USLT", "CHAP", "CTOC", "APIC"}


def read(tag: bytes, brief: bool = False) -> Tags:
    """The fields of a tag (as `read_tag` gives it), as written; `brief`, all but its lines,
    chapters and cover (left empty), which a track's name and stamp do not need."""
    known = {name: frame for name, frame in Frames.items() if name not in _LONG_FRAMES} if brief else None
    id3 = ID3(io.BytesIO(tag), known_frames=known)
    fields: dict[str, object] = {}
    for _, get in FIELDS:
        fields.update(get(id3))
    return Tags(**fields)  # type: ignore[arg-type]


def read_tag(file: BinaryIO) -> bytes:
    """The ID3 tag at the start of an open file; b"" if there is none or it is too large to be ours."""
    header = file.read(10)
    size = tag_size(header)
    if not size or size > MAX_TAG:
        return b""
    tag = header + file.read(size - 10)
    return tag if len(tag) == size else b""


def tag_size(header: bytes) -> int:
    """The ID3v2 tag's size in bytes, its 10-byte header included (0: no tag)."""
    if len(header) < 10 or header[:3] != b"ID3":
        return 0
    return 10 + sum((header[6 + i] & 0x7F) << (7 * (3 - i)) for i in range(4))  # a syncsafe integer


def _picture(image: bytes) -> APIC:
    """A JPEG or PNG, as the front cover (of the track, or of a chapter)."""
    mime = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    return APIC(encoding=LATIN_1, mime=mime, type=PictureType.COVER_FRONT, desc="", data=image)


def _chapters_in_time_order(file: BinaryIO) -> None:
    """mutagen writes frames in order of size (quodlibet/mutagen#506), and ffmpeg (so ffprobe, and
    players built on it) lists chapters in the order of their frames: put the CHAP frames in time
    order, in the same tag. The frames stay the same, so the tag keeps its size."""
    file.seek(0)
    body = file.read(tag_size(file.read(10)) - 10)
    frames, at = [], 0
    while at + 10 <= len(body) and body[at] != 0:  # then the padding
        end = at + 10 + int.from_bytes(body[at + 4 : at + 8], "big")
        frames.append(body[at:end])
        at = end

    def start(frame: bytes) -> int:  # CHAP: its element id, a zero byte, then the start in ms
        data = frame[10:]
        after_id = data.index(b"\0") + 1
        return int.from_bytes(data[after_id : after_id + 4], "big")

    chapters = iter(sorted((f for f in frames if f[:4] == b"CHAP"), key=start))
    ordered = b"".join(next(chapters) if frame[:4] == b"CHAP" else frame for frame in frames)
    file.seek(10)
    file.write(ordered)


def _string(frames: object, key: str) -> str:
    frame = frames.get(key)  # type: ignore[attr-defined]
    return str(frame) if frame is not None else ""


def decimal(text: str) -> int | None:
    """A whole number written in ASCII digits, as we write them (not "²" or Arabic-Indic digits),
    and of a size we write (Python refuses to read numbers of over 4,300 digits)."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 20 else None
