"""The cards: what they say, their size and dimensions, the files `cards` writes, and the cover
and chapter images inside a built track (read back by mutagen and ffprobe)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from conftest import ffprobe, plan_json
from mutagen.id3 import ID3
from PIL import Image

from stretchcue import cards, phrases
from stretchcue.compiler import Options
from stretchcue.phrases import TIMES
from stretchcue.routine import BUNDLED, load

MAX_COVER_BYTES = 500_000


def jpeg_size(data: bytes, kind: str = "JPEG") -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    assert image.format == kind
    return image.size


def test_the_routine_card_lists_each_exercise_with_its_reps_hold_and_sides_and_the_safety_line() -> None:
    card = cards.routine_card(load("back-stretches"), Options(hold=20))
    assert card.title == "Back stretches" and card.heading == "7 stretches · 20 s holds"
    assert [(row.name, row.detail) for row in card.body][:4] == [
        ("Glute stretch", f"3 {TIMES} 20 s, each side"),
        ("Piriformis stretch", f"3 {TIMES} 20 s, each side"),
        ("Hamstring stretch", f"3 {TIMES} 20 s, each side"),
        ("Abdominal stretch", f"3 {TIMES} 20 s"),
    ]
    assert card.footer == phrases.SAFETY_LINE and "never to pain" in card.footer


@pytest.mark.parametrize("name", sorted(p.name.removesuffix(".yaml") for p in BUNDLED.iterdir()))
def test_every_bundled_routine_has_a_square_cover_of_1400_px_under_500_kb(name: str) -> None:
    routine = load(name)
    for hold in (5, 30):  # the details change with the hold
        data = cards.cover(routine, Options(hold=hold))
        assert jpeg_size(data) == (cards.COVER, cards.COVER)
        assert len(data) < MAX_COVER_BYTES, len(data)


def test_cards_writes_a_png_per_card_and_an_a6_pdf_of_them_all(cli, tmp_path: Path) -> None:
    out = tmp_path / "cards"
    run = cli("cards", "back-stretches", "--out", out)
    assert run.code == 0, run.err
    pngs = sorted(out.glob("*.png"))
    assert [p.name for p in pngs][:2] == ["00 - Back stretches.png", "01 - Glute stretch.png"]
    assert len(pngs) == 8  # the routine's card and seven exercises
    for png in pngs:
        with Image.open(png) as image:
            assert image.format == "PNG" and image.size == (cards.COVER, cards.COVER)
    pdf_path = out / "Back stretches - cards.pdf"
    assert run.out.splitlines() == [f"card: {p}" for p in [*pngs, pdf_path]]
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == 8
    for width, height in boxes:  # A6 is 105 x 148 mm: 297.6 x 419.5 points
        assert abs(float(width) / 72 * 25.4 - 105) < 0.5 and abs(float(height) / 72 * 25.4 - 148) < 0.5, boxes


def test_cards_refuses_a_file_it_did_not_write_and_writes_nothing(cli, tmp_path: Path) -> None:
    out = tmp_path / "cards"
    out.mkdir()
    (out / "03 - Hamstring stretch.png").write_bytes(b"someone's photo")
    run = cli("cards", "back-stretches", "--out", out)
    assert run.code == 2 and run.err.count("\n") == 1 and "not made by stretchcue" in run.err, run.err
    assert sorted(p.name for p in out.iterdir()) == [".stretchcue.lock", "03 - Hamstring stretch.png"]
    assert (out / "03 - Hamstring stretch.png").read_bytes() == b"someone's photo"


def test_the_track_carries_its_cover_and_each_chapter_its_exercise_card(
    cli, small_routine: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.code == 0, run.err
    track = out / "Quick check.mp3"
    tags = ID3(track)
    [cover] = tags.getall("APIC")
    assert cover.mime == "image/jpeg" and cover.type == 3  # the front cover
    assert jpeg_size(cover.data) == (cards.COVER, cards.COVER) and len(cover.data) < MAX_COVER_BYTES
    # ffprobe sees the same picture as the track's attached picture
    [picture] = [s for s in ffprobe(track)["streams"] if s["codec_type"] == "video"]
    assert picture["disposition"]["attached_pic"] == 1
    assert (picture["width"], picture["height"]) == (cards.COVER, cards.COVER)

    plan = plan_json(cli, small_routine, "--voice", "beep")
    exercise_of = {c["chapter"]: c["exercise"] for c in plan["cues"] if c["chapter"]}
    images = {}
    for chap in tags.getall("CHAP"):
        [art] = chap.sub_frames.getall("APIC")
        assert art.mime == "image/png"
        images[str(chap.sub_frames["TIT2"])] = art.data
    assert images.keys() == exercise_of.keys()
    for title, exercise in exercise_of.items():  # one image per exercise (None: the intro and finish)
        for other, other_exercise in exercise_of.items():
            assert (images[title] == images[other]) == (exercise == other_exercise), (title, other)
    assert images["Introduction"] == images["Finish"]  # the routine's card, smaller
    assert images["Side bend (right side)"] == images["Side bend (left side)"]  # one card per exercise
    assert len({images["Introduction"], images["Cat stretch"], images["Side bend (right side)"]}) == 3
    for image in images.values():
        assert jpeg_size(image, "PNG") == (cards.CHAPTER_ART, cards.CHAPTER_ART)
        assert len(image) < 30_000, len(image)


def test_text_too_long_for_a_card_is_cut_above_the_footer() -> None:
    words = " ".join(["Breathe slowly and let the stretch grow."] * 200)
    card = cards.Card("Stretch 1 of 1", "Wordy", (cards.Text(words),), footer="Long")
    image = cards.draw(card, 600, 600)
    margin = round(600 * 0.07)
    face = cards.font("Regular", round(600 * 0.034))
    rule = 600 - margin - cards.leading(face) - margin // 2  # the line above the footer
    assert {image.getpixel((x, rule)) for x in range(margin, 600 - margin)} == {cards.RULE}
    gap = {image.getpixel((x, y)) for x in range(margin, 600 - margin) for y in range(rule - margin // 2, rule - 2)}
    assert gap == {cards.PAPER}  # the text stops short of it
