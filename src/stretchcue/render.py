"""Render a timeline to PCM, encode it as MP3 with ffmpeg, tag it, and put it in place whole."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import COMM, ID3, TALB, TCON, TDRC, TIT2, TLEN, TPE1, TRCK, TXXX

from .audio import AudioSegment, ffmpeg_exe
from .errors import StretchcueError
from .files import replacing
from .timeline import Timeline

FADE_SAMPLES = 110  # 5 ms fade where a countdown clip had to be cut, so the cut does not click
BITRATE = "64k"  # mono speech at 22,050 Hz
STAMP = "stretchcue"  # the TXXX frame that marks our files and says what they were made from


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


def render(timeline: Timeline, clips: Mapping[str, AudioSegment]) -> bytes:
    """16-bit mono PCM of the whole track: clips copied to their offsets in one buffer (linear time)."""
    buffer = bytearray(2 * timeline.length)
    for placed in timeline.cues:
        clip = clips[placed.cue.text]
        count = placed.end - placed.start
        if count < clip.frame_count():
            clip = clip.get_sample_slice(0, count).fade_out(duration=FADE_SAMPLES * 1000 // timeline.sample_rate)
        buffer[2 * placed.start : 2 * placed.end] = clip.raw_data[: 2 * count]
    return bytes(buffer)


def write_mp3(pcm: bytes, sample_rate: int, tags: Tags, path: Path) -> None:
    """Encode and tag into a temp file beside `path`, then rename: `path` is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as temp:
        encode(pcm, sample_rate, temp)
        write_tags(temp, tags)


def encode(pcm: bytes, sample_rate: int, path: Path) -> None:
    """ffmpeg's LAME writes the Xing/LAME header (needs a seekable file, not a pipe), so players
    skip the encoder delay and padding and the track decodes back to the sample."""
    command = [
        ffmpeg_exe(), "-v", "error", "-nostdin", "-y",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", BITRATE, "-write_xing", "1", "-id3v2_version", "0",
        "-f", "mp3", str(path),
    ]  # fmt: skip
    result = subprocess.run(command, input=pcm, capture_output=True)
    if result.returncode != 0:
        raise StretchcueError(f"ffmpeg could not encode the MP3: {result.stderr.decode(errors='replace').strip()}")


def write_tags(path: Path, tags: Tags) -> None:
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
    id3.save(path, v2_version=3)


def read_stamp(path: Path) -> tuple[str, int] | None:
    """(stamp, length in ms) of an MP3 that stretchcue wrote; None for any other file."""
    try:
        id3 = ID3(path)
    except (MutagenError, OSError):
        return None
    stamp, length = id3.get(f"TXXX:{STAMP}"), id3.get("TLEN")
    if stamp is None or length is None or not str(length).isdigit():
        return None
    return str(stamp), int(str(length))
