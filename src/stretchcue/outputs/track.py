"""A track on disk: the MP3 encoded from the mix and tagged, put in place whole; and what a track
found in the output folder says of itself, and whether it is ours, whole or changed."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from mutagen import MutagenError

from stretchcue.disk.files import replacing, same_name
from stretchcue.disk.ours import Proof, open_regular, proof
from stretchcue.errors import NotOurs, StretchcueError
from stretchcue.format import Format
from stretchcue.outputs import tags as id3
from stretchcue.outputs.tags import Tags
from stretchcue.sound import mp3
from stretchcue.sound.mix import ahead

log = logging.getLogger(__name__)

PROOF_BLOCK = 1 << 16  # bytes of audio per block checksum: what a copy cut short still has is proven ours
MAX_TRACK = 1 << 31  # bytes: a 3-hour track at 128 kbit/s is 173 MB

T = TypeVar("T")


def put_mp3(path: Path, write: Callable[[BinaryIO], T]) -> T:
    """`write` a track into a temp file beside `path`, then rename it into place, so `path` is whole
    or absent; a file already there must be a track of ours (unchanged but for damage)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with replacing(path, check=check_track) as file:
            return write(file)
    except OSError as err:  # a full disk, a vanished folder: say where and why
        raise StretchcueError(f"cannot write {path}: {err.strerror or err}") from None


def encode_mp3(pcm: Iterable[bytes], fmt: Format, tags: Callable[[], Tags], file: BinaryIO) -> int:
    """Encode PCM blocks as they come into `file` (empty, seekable) and tag the result (its length
    is what was encoded; `tags` is asked for once the audio is done, when the chapters are known).
    Returns the length in samples."""
    samples = mp3.encode(ahead(pcm), fmt.rate, fmt.channels, file, fmt.bitrate)
    length_ms = round(samples * 1000 / fmt.rate)
    id3.write(file, dataclasses.replace(tags(), length_ms=length_ms, audio=_audio_digest(file, 0)))
    return samples


def write_mp3(pcm: Iterable[bytes], fmt: Format, tags: Callable[[], Tags], path: Path) -> int:
    """`encode_mp3` into a track at `path`, whole or absent. Returns the length in samples."""
    return put_mp3(path, functools.partial(encode_mp3, pcm, fmt, tags))


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
    shorter = int(size) < (id3.decimal(size_written) or 0)
    return Proof.OURS if shorter and blocks_written.startswith(blocks) and blocks_written else Proof.CHANGED


@dataclass(frozen=True)
class Stamp:
    """What an MP3 that stretchcue wrote says of itself, in a tag proven ours by its seal."""

    tags: Tags
    whole: bool  # its audio is exactly the audio it was written with: not cut, not damaged


def track_proof(path: Path, follow: bool = True) -> Proof:
    """Whether the file is a track stretchcue wrote (its tag sealed), one it wrote that was
    changed since (CHANGED), or anything else (FOREIGN; a link too, unless `follow`)."""
    return inspect(path, follow)[0]


def check_track(path: Path) -> None:
    """A track about to be replaced must be one stretchcue wrote, unchanged but for damage."""
    for found in same_name(path):
        if (proof := track_proof(found, follow=False)) is not Proof.OURS:
            raise NotOurs(found, changed=proof is Proof.CHANGED)


def read_stamp(path: Path, follow: bool = True) -> Stamp | None:
    """The stamp of an MP3 that stretchcue wrote and no one changed since; None for any other
    file (and for a link, unless `follow`)."""
    return inspect(path, follow)[1]


def inspect(path: Path, follow: bool = True, brief: bool = False) -> tuple[Proof, Stamp | None]:
    """A track's proof and, if it is ours, its stamp (see `examine`); a link is FOREIGN unless `follow`."""
    try:
        with open_regular(path, MAX_TRACK, follow) as file:
            return examine(file, brief)
    except OSError as err:
        log.debug("%s: not a track of ours: %s", path, err)
        return Proof.FOREIGN, None


def examine(file: BinaryIO, brief: bool = False) -> tuple[Proof, Stamp | None]:
    """An open MP3's proof and, if it is ours, its stamp (`brief`: its tags without lines, chapters
    and cover: `tags.read`). Its audio may be cut short, each whole block left as written (a copy
    that failed: `whole` is False, and it is built again); any other change to it (a gain tool's,
    a tagger's ID3v1 or APE tag added) is CHANGED, like an edited tag."""
    try:
        tag = id3.read_tag(file)
        if (found := proof(tag, id3.SEALED_BY)) is not Proof.OURS:
            return found, None
        tags = id3.read(tag, brief)
        state = _audio_state(_audio_digest(file, len(tag)), tags.audio)
    except (MutagenError, OSError) as err:
        log.debug("not a track of ours: %s", err)
        return Proof.FOREIGN, None
    if state is Proof.CHANGED:
        return Proof.CHANGED, None
    return Proof.OURS, Stamp(tags, whole=state is None)
