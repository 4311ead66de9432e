"""Render a timeline to PCM block by block, stream it into the MP3 encoder (mp3.py), tag the
result, and put it in place whole."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np
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
    TLEN,
    TPE1,
    TRCK,
    TXXX,
    USLT,
    CTOCFlags,
    PictureType,
)

from . import mp3
from .audio import to_pcm
from .compiler import Cue
from .errors import NotOurs, StretchcueError
from .files import replacing, same_name
from .music import LOOKAHEAD, Format, Music
from .ours import BLANK, Proof, open_regular, proof, seal_region
from .outline import Span
from .timeline import Placed

FADE_SAMPLES = 110  # 5 ms fade where a clip had to be cut, so the cut does not click
BLOCK = 1 << 16  # samples mixed and handed to the encoder at a time (3 s)
QUEUED = 32  # blocks the mixer may be ahead of the encoder (4 MB)
STAMP = "stretchcue"  # the TXXX frame that says what the track was made from
AUDIO = "stretchcue-audio"  # the TXXX frame with the audio's size, checksum, and each block's
PROOF_BLOCK = 1 << 16  # bytes of audio per block checksum: what a copy cut short still has is proven ours
SEAL = "stretchcue"  # owner of the PRIV frame that seals the tag (ours.py): bytes, as written
SEALED_BY = SEAL.encode() + b"\0"  # what precedes the tag's own seal (not those of the images in it)
MAX_TAG = 64 << 20  # bytes: our tags hold a cover and a small image per chapter, well under 2 MB
MAX_TRACK = 1 << 31  # bytes: a 3-hour track at 128 kbit/s is 173 MB


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str = "stretchcue"
    track: int = 1
    tracks: int = 1
    genre: str = "Fitness"
    year: str = ""
    comment: str = ""
    length_ms: int = 0
    stamp: str = ""  # fingerprint of everything the track was made from; marks the file as ours
    audio: str = ""  # byte count and checksum of the MP3 frames after the tag: a cut file is not skipped
    chapters: tuple[Span, ...] = ()
    lines: tuple[Span, ...] = ()  # what is said, when: the lyrics, plain and synchronized
    cover: bytes = b""  # JPEG: the routine's card
    chapter_art: tuple[bytes, ...] = ()  # an image per chapter (PNG or JPEG): its exercise's card


class Placements(Protocol):
    """Cues in order of start (a `Timeline`, or a `Layout` still placing them); `length` is known once
    they have all been given."""

    length: int | None

    def __iter__(self) -> Iterator[Placed]: ...


def render(
    cues: Placements, sound_of: Callable[[Cue], np.ndarray], scale: int = 1, music: Music | None = None
) -> Iterator[bytes]:
    """The track as 16-bit PCM (interleaved when the music is stereo), block by block, while its cues
    are still being placed: they come in order of start, so every block that ends before the latest
    start (less the music's lookahead) is final. Each block is mixed in float from the sounds that
    play in it, and the music under them, and converted once. Memory stays flat however long the
    track is. `scale`: output samples per timeline sample (2 at 44.1 kHz); `sound_of` gives sounds
    at the output rate."""
    playing: list[tuple[int, np.ndarray]] = []
    speech: list[tuple[int, int]] = []  # where the voice speaks, for the music to dip under
    held = round(LOOKAHEAD * music.format.rate) if music else 0
    done = 0  # samples given out so far

    def blocks(until: int, length: int | None) -> Iterator[bytes]:
        nonlocal done, playing
        while until - done >= BLOCK or (length is not None and done < until):
            end = min(done + BLOCK, until)
            block = np.zeros(end - done, dtype=np.float32)
            for start, sound in playing:
                first, stop = max(start, done), min(start + len(sound), end)
                if first < stop:
                    block[first - done : stop - done] += sound[first - start : stop - start]
            playing = [(start, sound) for start, sound in playing if start + len(sound) > end]
            if music:
                block = block[:, None] + music.bed(done, end, speech, length)  # the voice, centred
                speech[:] = music.still_shaping(speech, end)
            done = end
            yield to_pcm(block)

    for placed in cues:
        start = placed.start * scale
        yield from blocks(start - held, None)
        playing.append((start, _cut(placed, sound_of(placed.cue), scale)))
        if placed.cue.tone is None:
            speech.append((start, placed.end * scale))
    assert cues.length is not None, "the placements ended without a length"
    yield from blocks(cues.length * scale, cues.length * scale)


def _cut(placed: Placed, samples: np.ndarray, scale: int) -> np.ndarray:
    """The sound cut short (with a fade, so it does not click) where the timeline cut it."""
    count = (placed.end - placed.start) * scale
    if count < len(samples):
        samples = samples[:count].copy()
        fade = min(FADE_SAMPLES * scale, count)
        samples[count - fade :] *= np.linspace(1, 0, fade, dtype=np.float32)
    return samples


def write_mp3(pcm: Iterable[bytes], fmt: Format, tags: Callable[[], Tags], path: Path) -> int:
    """Encode PCM blocks as they come and tag the result (its length is what was encoded; `tags` is
    asked for once the audio is done, when the chapters are known), in a temp file beside `path`,
    then rename: `path` is whole or absent. Returns the length in samples."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with replacing(path, check=check_track) as file:
            samples = mp3.encode(ahead(pcm), fmt.rate, fmt.channels, file, fmt.bitrate)
            length_ms = round(samples * 1000 / fmt.rate)
            write_tags(file, dataclasses.replace(tags(), length_ms=length_ms, audio=_audio_digest(file, 0)))
    except OSError as err:  # a full disk, a vanished folder: say where and why
        raise StretchcueError(f"cannot write {path}: {err.strerror or err}") from None
    return samples


_END = object()


def ahead(blocks: Iterable[bytes], depth: int = QUEUED) -> Iterator[bytes]:
    """The same blocks, made on a thread of their own up to `depth` ahead: while the encoder works
    on one block, the mixer (and the voice it may be waiting for) goes on with the next. An error
    in making them is raised here, in the consumer."""
    made: queue.Queue[object] = queue.Queue(maxsize=depth)
    quit = threading.Event()  # the consumer stopped early: make no more

    def make() -> None:
        try:
            for block in blocks:
                if quit.is_set():
                    return
                made.put(block)
            made.put(_END)
        except BaseException as err:  # handed over, raised by the consumer
            made.put(err)

    maker = threading.Thread(target=make, daemon=True)
    maker.start()
    try:
        while (item := made.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        quit.set()
        while maker.is_alive():  # let it finish the block in hand, taking what it puts
            with contextlib.suppress(queue.Empty):
                made.get(timeout=0.05)
        maker.join()


def write_tags(file: BinaryIO, tags: Tags) -> None:
    """ID3v2.3, which every phone and car stereo reads."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TRCK(encoding=3, text=f"{tags.track}/{tags.tracks}"))
    id3.add(TCON(encoding=3, text=tags.genre))
    if tags.year:
        id3.add(TDRC(encoding=3, text=tags.year))
    if tags.comment:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.comment))
    if tags.length_ms:
        id3.add(TLEN(encoding=3, text=str(tags.length_ms)))
    if tags.stamp:
        id3.add(TXXX(encoding=3, desc=STAMP, text=tags.stamp))
    if tags.audio:
        id3.add(TXXX(encoding=3, desc=AUDIO, text=tags.audio))
    if tags.cover:
        id3.add(_picture(tags.cover))
    _add_chapters(id3, tags.chapters, tags.chapter_art)
    if tags.lines:
        id3.add(USLT(encoding=3, lang="eng", desc="", text="\n".join(line.text for line in tags.lines)))
        synced = [(line.text, round(line.start * 1000)) for line in tags.lines]
        id3.add(SYLT(encoding=3, lang="eng", format=2, type=1, desc="", text=synced))  # format 2: milliseconds
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
    seal_region(file, 0, _tag_size(file.read(10)))


def _picture(image: bytes) -> APIC:
    """A JPEG or PNG, as the front cover (of the track, or of a chapter)."""
    mime = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    return APIC(encoding=3, mime=mime, type=PictureType.COVER_FRONT, desc="", data=image)


def _add_chapters(id3: ID3, chapters: tuple[Span, ...], art: tuple[bytes, ...]) -> None:
    """ID3 chapters (CHAP, in milliseconds, each with its image when there is `art`) and their table
    of contents (CTOC), as podcast apps read them."""
    if not chapters:
        return
    ids = [f"chp{n}" for n in range(len(chapters))]
    for n, (element, chapter) in enumerate(zip(ids, chapters, strict=True)):
        start, end = round(chapter.start * 1000), round(chapter.end * 1000)
        parts = [TIT2(encoding=3, text=chapter.text)] + ([_picture(art[n])] if art else [])
        id3.add(CHAP(element_id=element, start_time=start, end_time=end, sub_frames=parts))
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    id3.add(CTOC(element_id="toc", flags=flags, child_element_ids=ids, sub_frames=[TIT2(encoding=3, text="Chapters")]))


def _chapters_in_time_order(file: BinaryIO) -> None:
    """mutagen writes frames in order of size (quodlibet/mutagen#506), and ffmpeg (so ffprobe, and
    players built on it) lists chapters in the order of their frames: put the CHAP frames in time
    order, in the same tag. The frames stay the same, so the tag keeps its size."""
    file.seek(0)
    body = file.read(_tag_size(file.read(10)) - 10)
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


def _audio_digest(file: BinaryIO, offset: int) -> str:
    """The MP3 frames from `offset` (the end of the ID3 tag) to the end: their byte count, their
    SHA-256, and the first 12 digits of the SHA-256 of each PROOF_BLOCK bytes, all in one line."""
    file.seek(offset)
    whole, size, blocks = hashlib.sha256(), 0, []
    while block := file.read(PROOF_BLOCK):
        whole.update(block)
        size += len(block)
        if len(block) == PROOF_BLOCK:
            blocks.append(hashlib.sha256(block).hexdigest()[:12])
    return f"{size} {whole.hexdigest()} {''.join(blocks)}"


def _audio_state(found: str, written: str) -> Proof | None:
    """How audio whose digest is `found` stands to the audio written (`written`): None when whole;
    OURS when cut short, every whole block still as written (a copy that failed); else CHANGED."""
    size, digest, blocks = found.split(" ")
    size_written, digest_written, blocks_written = [*written.split(" "), "", ""][:3]  # (older tags: no blocks)
    if (size, digest) == (size_written, digest_written):
        return None
    shorter = int(size) < (_decimal(size_written) or 0)
    return Proof.OURS if shorter and blocks_written.startswith(blocks) and blocks_written else Proof.CHANGED


def _tag_size(header: bytes) -> int:
    """The ID3v2 tag's size in bytes, its 10-byte header included (0: no tag)."""
    if len(header) < 10 or header[:3] != b"ID3":
        return 0
    return 10 + sum((header[6 + i] & 0x7F) << (7 * (3 - i)) for i in range(4))  # a syncsafe integer


@dataclass(frozen=True)
class Stamp:
    """What an MP3 that stretchcue wrote says of itself, in a tag proven ours by its seal."""

    inputs: str  # fingerprint of everything it was made from
    length_ms: int
    title: str
    album: str
    whole: bool  # its audio is exactly the audio it was written with: not cut, not damaged
    number: int = 1  # in its album
    comment: str = ""
    cover: bytes = b""
    chapters: tuple[tuple[float, str], ...] = ()  # (start in seconds, title)


def track_proof(path: Path, follow: bool = True) -> Proof:
    """Whether the file is a track stretchcue wrote (its tag sealed), one it wrote that was
    changed since (CHANGED), or anything else (FOREIGN; a link too, unless `follow`)."""
    return _inspect(path, follow)[0]


def check_track(path: Path) -> None:
    """A track about to be replaced must be one stretchcue wrote, unchanged but for damage."""
    for found in same_name(path):
        if (proof := track_proof(found, follow=False)) is not Proof.OURS:
            raise NotOurs(found, changed=proof is Proof.CHANGED)


def read_stamp(path: Path, follow: bool = True) -> Stamp | None:
    """The stamp of an MP3 that stretchcue wrote and no one changed since; None for any other
    file (and for a link, unless `follow`)."""
    return _inspect(path, follow)[1]


def _inspect(path: Path, follow: bool) -> tuple[Proof, Stamp | None]:
    """A track's proof and, if it is ours, its stamp. Its audio may be cut short, each whole block
    left as written (a copy that failed: `whole` is False, and it is built again); any other
    change to it (a gain tool's, a tagger's ID3v1 or APE tag added) is CHANGED, like an edited tag."""
    try:
        with open_regular(path, MAX_TRACK, follow) as file:
            tag = _read_tag(file)
            if (found := proof(tag, SEALED_BY)) is not Proof.OURS:
                return found, None
            id3 = ID3(io.BytesIO(tag))
            stamp, length, audio = (_text(id3, key) for key in (f"TXXX:{STAMP}", "TLEN", f"TXXX:{AUDIO}"))
            state = _audio_state(_audio_digest(file, len(tag)), audio)
            if state is Proof.CHANGED:
                return Proof.CHANGED, None
            whole = state is None
    except (MutagenError, OSError):
        return Proof.FOREIGN, None
    chapters = sorted((c.start_time / 1000, _text(c.sub_frames, "TIT2")) for c in id3.getall("CHAP"))
    pictures, comments = id3.getall("APIC"), id3.getall("COMM")
    return Proof.OURS, Stamp(
        inputs=stamp,
        length_ms=_decimal(length) or 0,
        title=_text(id3, "TIT2"),
        album=_text(id3, "TALB"),
        whole=whole,
        number=_decimal(_text(id3, "TRCK").partition("/")[0]) or 1,
        comment=str(comments[0]) if comments else "",
        cover=pictures[0].data if pictures else b"",
        chapters=tuple(chapters),
    )


def _read_tag(file: BinaryIO) -> bytes:
    """The ID3 tag at the start of an open file; b"" if there is none or it is too large to be ours."""
    header = file.read(10)
    size = _tag_size(header)
    if not size or size > MAX_TAG:
        return b""
    tag = header + file.read(size - 10)
    return tag if len(tag) == size else b""


def _text(frames: object, key: str) -> str:
    frame = frames.get(key)  # type: ignore[attr-defined]
    return str(frame) if frame is not None else ""


def _decimal(text: str) -> int | None:
    """A whole number written in ASCII digits, as we write them (not "²" or Arabic-Indic digits)."""
    return int(text) if text.isascii() and text.isdecimal() else None
