"""Chapters and transcripts, read back from the built track by ffmpeg (the library ffprobe and
mpv use) and mutagen, and from the files beside it; all at the plan's times."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ffprobe, holds, plan_json, read_tags

from stretchcue.format import SAMPLE_RATE

TRACK = "Quick check.mp3"


@pytest.fixture
def built(cli, small_routine: Path, tmp_path: Path) -> tuple[dict, Path]:
    out = tmp_path / "out"
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.code == 0, run.err
    return plan_json(cli, small_routine, "--voice", "beep"), out


def ffprobe_chapters(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, title) of each chapter, in the order ffprobe lists them."""
    return [(float(c["start_time"]), float(c["end_time"]), c["tags"]["title"]) for c in ffprobe(path)["chapters"]]


def test_chapters_start_where_the_plan_announces_each_exercise_and_side(built) -> None:
    plan, out = built
    starts = [(c["start"], c["chapter"]) for c in plan["cues"] if c["chapter"]]
    assert [title for _, title in starts] == [
        "Introduction", "Cat stretch", "Side bend (right side)", "Side bend (left side)", "Finish",
    ]  # fmt: skip
    chapters = ffprobe_chapters(out / TRACK)
    assert [title for _, _, title in chapters] == [title for _, title in starts]  # in time order
    for (start, end, _), (planned, _), following in zip(
        chapters, starts, [*starts[1:], (plan["duration"], "")], strict=True
    ):
        assert abs(start - planned) < 0.0005 and abs(end - following[0]) < 0.0005, (start, planned)
    # mutagen reads the same, in milliseconds
    chapters_read = read_tags(out / TRACK).chapters
    assert [(c.start_ms, c.title) for c in chapters_read] == [(round(start * 1000), title) for start, title in starts]


def test_the_words_are_in_the_tags_and_beside_the_track(built) -> None:
    plan, out = built
    spoken = [c for c in plan["cues"] if c["text"]]
    lines = read_tags(out / TRACK).lines
    assert [(line.text, line.start_ms) for line in lines] == [(c["text"], round(c["start"] * 1000)) for c in spoken]
    assert ffprobe(out / TRACK)["format"]["tags"]["lyrics-eng"] == "\n".join(c["text"] for c in spoken)
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


@pytest.mark.slow
def test_a_missing_transcript_is_written_again_and_a_foreign_one_is_kept(cli, built, small_routine: Path) -> None:
    _, out = built
    (out / "Quick check.lrc").unlink()
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.out.startswith("built:") and (out / "Quick check.lrc").is_file(), run
    (out / "Quick check.vtt").write_text("WEBVTT\n\nmy own captions\n", encoding="utf-8")
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.code == 2 and "Quick check.vtt exists and was not made by stretchcue" in run.err, run.err
    assert (out / "Quick check.vtt").read_text(encoding="utf-8") == "WEBVTT\n\nmy own captions\n"


def test_the_session_picture_shows_each_cue_and_hold_where_the_plan_puts_them(cli, small_routine: Path, tmp_path):
    from PIL import Image

    from stretchcue.outputs import picture
    from stretchcue.outputs.cards import ACCENT, PAPER

    path = tmp_path / "pictures" / "quick.png"
    run = cli("plan", small_routine, "--voice", "beep", "--png", path)
    assert run.code == 0 and f"picture: {path}" in run.err, run.err
    plan = plan_json(cli, small_routine, "--voice", "beep")
    chapters = [c["start"] for c in plan["cues"] if c["chapter"]]
    bounds = list(zip(chapters, [*chapters[1:], plan["duration"]], strict=True))
    scale = (picture.WIDTH - 2 * picture.MARGIN - picture.LABEL) / max(end - start for start, end in bounds)
    top = picture.MARGIN + 150
    image = Image.open(path).convert("RGB")
    assert image.size == (picture.WIDTH, top + picture.ROW * len(chapters) + picture.MARGIN)

    def color_at(seconds: float) -> tuple[int, int, int]:
        row = max(n for n, start in enumerate(chapters) if start <= seconds)
        x = picture.MARGIN + picture.LABEL + (seconds - chapters[row]) * scale
        return image.getpixel((round(x), top + row * picture.ROW + picture.BAR // 2))

    spoken = [c for c in plan["cues"] if c["text"] and c["end"] - c["start"] > 0.3]
    for cue in spoken:
        want = picture.COUNTDOWN if cue["kind"] == "countdown" else ACCENT
        assert color_at((cue["start"] + cue["end"]) / 2) == want, cue
    found = []
    for hold_start, hold_end, inner in holds(plan):
        start, end = hold_start / SAMPLE_RATE, hold_end / SAMPLE_RATE
        first_inner = min([c["start"] for c in inner], default=end)
        assert color_at((start + first_inner) / 2) == picture.HOLD, (start, first_inner)
        found.append((start, end))
    assert found
    # between cues, outside holds: nothing drawn
    gaps = [(a["end"], b["start"]) for a, b in zip(plan["cues"], plan["cues"][1:], strict=False)]
    quiet = [(a, b) for a, b in gaps if b - a > 0.5 and not any(s <= a < e for s, e in found)]
    assert quiet
    for a, b in quiet:
        assert color_at((a + b) / 2) == PAPER, (a, b)
