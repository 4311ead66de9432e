"""Chapters and transcripts, read back from the built track by ffmpeg (the library ffprobe and
mpv use) and mutagen, and from the files beside it; all at the plan's times."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import plan_json
from mutagen.id3 import ID3

from stretchcue.audio import ffmpeg_exe

TRACK = "Quick check.mp3"


@pytest.fixture
def built(cli, small_routine: Path, tmp_path: Path) -> tuple[dict, Path]:
    out = tmp_path / "out"
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.code == 0, run.err
    return plan_json(cli, small_routine, "--voice", "beep"), out


def ffmpeg_chapters(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, title) of each chapter, in the order ffmpeg lists them."""
    dump = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    found = re.findall(r"Chapter #\d+:\d+: start ([\d.]+), end ([\d.]+)\s+Metadata:\s+title\s+: (.*)", dump)
    return [(float(a), float(b), title.strip()) for a, b, title in found]


def test_chapters_start_where_the_plan_announces_each_exercise_and_side(built) -> None:
    plan, out = built
    starts = [(c["start"], c["chapter"]) for c in plan["cues"] if c["chapter"]]
    assert [title for _, title in starts] == [
        "Introduction", "Cat stretch", "Side bend (right side)", "Side bend (left side)", "Finish",
    ]  # fmt: skip
    chapters = ffmpeg_chapters(out / TRACK)
    assert [title for _, _, title in chapters] == [title for _, title in starts]  # in time order
    for (start, end, _), (planned, _), following in zip(
        chapters, starts, [*starts[1:], (plan["duration"], "")], strict=True
    ):
        assert abs(start - planned) < 0.0005 and abs(end - following[0]) < 0.0005, (start, planned)
    # mutagen reads the same: a table of contents in order, and chapters in milliseconds
    tags = ID3(out / TRACK)
    [toc] = tags.getall("CTOC")
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    ordered = [chaps[element] for element in toc.child_element_ids]
    assert [(c.start_time, str(c.sub_frames["TIT2"])) for c in ordered] == [
        (round(start * 1000), title) for start, title in starts
    ]


def test_the_words_are_in_the_tags_and_beside_the_track(built) -> None:
    plan, out = built
    spoken = [c for c in plan["cues"] if c["text"]]
    tags = ID3(out / TRACK)
    assert str(tags.getall("USLT")[0]) == "\n".join(c["text"] for c in spoken)
    assert tags.getall("SYLT")[0].text == [(c["text"], round(c["start"] * 1000)) for c in spoken]
    vtt = (out / "Quick check.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    times = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.+)", vtt)
    assert len(times) == len(spoken)
    for (h, m, s, ms, h2, m2, s2, ms2, text), cue in zip(times, spoken, strict=True):
        assert text == cue["text"]
        assert int(h) * 3600000 + int(m) * 60000 + int(s) * 1000 + int(ms) == round(cue["start"] * 1000)
        assert int(h2) * 3600000 + int(m2) * 60000 + int(s2) * 1000 + int(ms2) == round(cue["end"] * 1000)
    lrc = re.findall(r"^\[(\d\d):(\d\d)\.(\d\d)\](.+)$", (out / "Quick check.lrc").read_text(encoding="utf-8"), re.M)
    assert [(round(int(m) * 60 + int(s) + int(cs) / 100, 2), text) for m, s, cs, text in lrc] == [
        (round(c["start"], 2), c["text"]) for c in spoken
    ]


def test_a_missing_transcript_is_written_again_and_a_foreign_one_is_kept(cli, built, small_routine: Path) -> None:
    _, out = built
    (out / "Quick check.lrc").unlink()
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.out.startswith("built:") and (out / "Quick check.lrc").is_file(), run
    (out / "Quick check.vtt").write_text("WEBVTT\n\nmy own captions\n", encoding="utf-8")
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.code == 2 and "Quick check.vtt exists and was not made by stretchcue" in run.err, run.err
    assert (out / "Quick check.vtt").read_text(encoding="utf-8") == "WEBVTT\n\nmy own captions\n"
