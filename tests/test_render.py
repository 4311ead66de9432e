"""The encoder path on its own: any timeline length decodes back to the sample; tags; whole files."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import decode, ffprobe
from mutagen.mp3 import MP3, BitrateMode
from PIL import Image

from stretchcue.authoring.script import Cue, Kind
from stretchcue.authoring.timeline import MP3_DELAY, MP3_FRAME, Placed, Timeline, frame_aligned
from stretchcue.disk.files import replacing
from stretchcue.format import SAMPLE_RATE, SPEECH_ONLY
from stretchcue.outputs import tags as id3
from stretchcue.outputs.tags import Chapter, Line, Tags
from stretchcue.outputs.track import read_stamp, write_mp3
from stretchcue.sound.audio import ffmpeg_exe
from stretchcue.sound.mix import BLOCK, FADE_SAMPLES, render


def tone(length: int) -> bytes:
    """Silence with a 0.1 s tone at 0.2 s and another ending 0.05 s before the end."""
    pcm = np.zeros(length, dtype=np.int16)
    burst = (12_000 * np.cos(2 * np.pi * 440 * np.arange(2205) / SAMPLE_RATE)).astype(np.int16)
    pcm[4410 : 4410 + 2205] = burst
    pcm[length - 1102 - 2205 : length - 1102] = burst
    return pcm.tobytes()


@pytest.mark.parametrize("residue", [0, 1, 100, 529, 530, 540, 560, 575])
def test_frame_aligned_lengths_decode_exactly(tmp_path: Path, residue: int) -> None:
    # Raw lengths with (length + delay) % frame == residue; 530..575 decode long unless aligned.
    raw = 30_000 + (residue - 30_000 - MP3_DELAY) % MP3_FRAME
    assert (raw + MP3_DELAY) % MP3_FRAME == residue
    length = frame_aligned(raw)
    assert raw <= length < raw + MP3_FRAME
    pcm = tone(length)
    path = tmp_path / "t.mp3"
    write_mp3([pcm], SPEECH_ONLY, lambda: Tags("t", "a", length_ms=round(length * 1000 / SAMPLE_RATE), stamp="x"), path)
    decoded = decode(path)
    assert len(decoded) == length
    original = np.frombuffer(pcm, dtype=np.int16).astype(float)
    # Aligned to the sample: cross-correlation of the two tones peaks at lag 0.
    window = slice(4000, 7000)
    lags = range(-20, 21)
    scores = [float(np.dot(original[window], decoded[4000 + lag : 7000 + lag].astype(float))) for lag in lags]
    assert list(lags)[int(np.argmax(scores))] == 0


def _image(kind: str, color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), color).save(buffer, kind)
    return buffer.getvalue()


def test_every_tag_field_round_trips_through_mutagen_and_ffprobe(tmp_path: Path) -> None:
    """Every field of `Tags` is written, then read back as written by the tag module (through
    mutagen) and by ffprobe, which knows nothing of our code."""
    path = tmp_path / "t.mp3"
    length = frame_aligned(30_000)
    written = Tags(
        title="Title, with comma · é",
        album="Album",
        artist="someone",
        track=2,
        tracks=5,
        genre="Fitness",
        year="2026",
        comment="made from a routine",
        stamp="abc",
        cover=_image("JPEG", "red"),
        chapters=(
            Chapter("Intro", 0, 600, _image("PNG", "blue")),
            Chapter("Stretch ü", 600, 1360, _image("PNG", "green")),
        ),
        lines=(Line("Welcome.", 0), Line("Hold.", 700)),
        holds=((700, 1200),),
    )
    write_mp3([tone(length)], SPEECH_ONLY, lambda: written, path)
    stamp = read_stamp(path)
    assert stamp is not None and stamp.whole
    read = stamp.tags
    audio_bytes = path.stat().st_size - len(id3.read_tag(path.open("rb")))
    assert read.length_ms == round(length * 1000 / SAMPLE_RATE) and read.audio.split()[0] == str(audio_bytes)
    assert read == replace(written, length_ms=read.length_ms, audio=read.audio)  # every other field as written
    probed = ffprobe(path)
    tags = probed["format"]["tags"]
    expected = {
        "title": read.title,
        "album": read.album,
        "artist": read.artist,
        "track": "2/5",
        "genre": read.genre,
        "date": read.year,
        "comment": read.comment,
        "TLEN": str(read.length_ms),
        "stretchcue": read.stamp,
        "stretchcue-audio": read.audio,
        "lyrics-eng": "Welcome.\nHold.",
    }
    assert {key: tags.get(key) for key in expected} == expected, tags
    chapters = [(float(c["start_time"]), float(c["end_time"]), c["tags"]["title"]) for c in probed["chapters"]]
    assert chapters == [(0.0, 0.6, "Intro"), (0.6, 1.36, "Stretch ü")], chapters
    [picture] = [s for s in probed["streams"] if s["codec_type"] == "video"]
    assert picture["codec_name"] == "mjpeg" and picture["disposition"]["attached_pic"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["t.mp3"]
    with path.open("rb") as file:
        brief = id3.read(id3.read_tag(file), brief=True)  # what choosing a name and skipping read
    assert brief == replace(read, cover=b"", chapters=(), lines=())


def test_files_not_made_by_stretchcue_have_no_stamp(tmp_path: Path) -> None:
    other = tmp_path / "other.mp3"
    other.write_bytes(b"not an mp3")
    assert read_stamp(other) is None
    assert read_stamp(tmp_path / "absent.mp3") is None


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.mp3"
    with pytest.raises(RuntimeError), replacing(target) as file:
        file.write(b"half")
        raise RuntimeError("stopped")
    assert list(tmp_path.iterdir()) == []


def test_render_mixes_every_cue_at_its_offset_block_by_block() -> None:
    ramp = np.arange(1, 3001) * 10  # distinct values, to see every sample land where it belongs
    a, b = Cue(Kind.HOLD, "a"), Cue(Kind.COUNTDOWN, "b")
    length = 2 * BLOCK + 5000
    starts = [BLOCK - 1000, 2 * BLOCK + 100]  # the first straddles a block boundary; the second is cut
    cut = 1500
    timeline = Timeline((Placed(a, starts[0], starts[0] + 3000), Placed(b, starts[1], starts[1] + cut)), length)
    pcm = np.frombuffer(b"".join(render(timeline, {a: ramp / 32768, b: -ramp / 32768}.__getitem__)), dtype="<i2")
    expected = np.zeros(length, dtype=np.int64)
    expected[starts[0] : starts[0] + 3000] = ramp
    expected[starts[1] : starts[1] + cut] = -ramp[:cut]
    assert len(pcm) == length
    assert np.array_equal(pcm[: starts[1] + cut - FADE_SAMPLES], expected[: starts[1] + cut - FADE_SAMPLES])
    fade = pcm[starts[1] + cut - FADE_SAMPLES : starts[1] + cut]  # the cut fades out instead of clicking
    assert fade[0] < 0 and fade[-1] == 0 and np.all(np.diff(np.abs(fade.astype(int))) <= 0)
    assert not pcm[starts[1] + cut :].any()


def test_the_info_tag_is_read_by_ffmpeg_and_mutagen(tmp_path: Path) -> None:
    """The LAME Info tag we write (lameenc writes none): ffmpeg trusts its delay and padding only
    when it says LAME, and shows the encoder only when the tag's CRC is right."""
    length = 22050 * 7 + 333
    path = tmp_path / "t.mp3"
    write_mp3([tone(length)], SPEECH_ONLY, lambda: Tags("t", "a"), path)
    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", path], capture_output=True, text=True).stderr
    assert "encoder         : LAME3.100" in probe, probe
    info = MP3(path).info
    assert info.bitrate_mode == BitrateMode.CBR and round(info.bitrate, -3) == 64000
    assert abs(info.length - length / SAMPLE_RATE) < 1e-6  # mutagen reads the delay and padding too
    assert len(decode(path)) == length


def test_a_tag_with_numbers_no_one_writes_reads_as_no_number() -> None:
    """Track numbers and lengths are read as the ASCII digits we write: "²", Arabic-Indic digits and
    numbers of thousands of digits (which Python would refuse to read, with a traceback) read as none."""
    for odd in ("²", "٣", "9" * 5000, "-1", ""):
        file = io.BytesIO()
        id3.write(file, Tags("t", "a", length_ms=odd))  # type: ignore[arg-type]  # (what another tool could write)
        read = id3.read(id3.read_tag(io.BytesIO(file.getvalue())))
        assert (read.title, read.length_ms) == ("t", 0), odd
