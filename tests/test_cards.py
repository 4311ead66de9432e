"""The cards: what they say, their size and dimensions, the files `cards` writes, and the cover
and chapter images inside a built track (read back by mutagen and ffprobe)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from conftest import ffprobe, plan_json, read_tags, routine_of
from PIL import Image, ImageDraw

from stretchcue.authoring import phrases
from stretchcue.authoring.compiler import Options
from stretchcue.authoring.routine import BUNDLED, Routine, load
from stretchcue.outputs import cards, lettering

ENGLISH = phrases.book("en")
TIMES = "\u00d7"  # the multiplication sign, as printed: 3 x 10 s

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
    assert card.footer == ENGLISH.safety_line and "never to pain" in card.footer


@pytest.mark.parametrize("name", sorted(p.name.removesuffix(".yaml") for p in BUNDLED.iterdir()))
def test_every_bundled_routine_has_a_square_cover_of_1400_px_under_500_kb(name: str) -> None:
    routine = load(name)
    for hold in (5, 30):  # the details change with the hold
        data = cards.cover(routine, Options(hold=hold))
        assert jpeg_size(data) == (cards.COVER, cards.COVER)
        assert len(data) < MAX_COVER_BYTES, len(data)


@pytest.mark.slow
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
    assert sorted(p.name for p in out.iterdir()) == ["03 - Hamstring stretch.png"]  # not even a lock file
    assert (out / "03 - Hamstring stretch.png").read_bytes() == b"someone's photo"


def test_the_track_carries_its_cover_and_each_chapter_its_exercise_card(
    cli, small_routine: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert run.code == 0, run.err
    track = out / "Quick check.mp3"
    tags = read_tags(track)
    cover = tags.cover
    assert jpeg_size(cover) == (cards.COVER, cards.COVER) and len(cover) < MAX_COVER_BYTES
    # ffprobe sees the same picture as the track's attached picture
    [picture] = [s for s in ffprobe(track)["streams"] if s["codec_type"] == "video"]
    assert picture["disposition"]["attached_pic"] == 1
    assert (picture["width"], picture["height"]) == (cards.COVER, cards.COVER)

    plan = plan_json(cli, small_routine, "--voice", "beep")
    exercise_of = {c["chapter"]: c["exercise"] for c in plan["cues"] if c["chapter"]}
    images = {chapter.title: chapter.art for chapter in tags.chapters}
    assert all(art.startswith(b"\x89PNG") for art in images.values())
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


@pytest.mark.slow
def test_text_too_long_for_a_card_is_cut_above_the_footer() -> None:
    words = " ".join(["Breathe slowly and let the stretch grow."] * 200)
    card = cards.Card("Stretch 1 of 1", "Wordy", (cards.Text(words),), footer="Long")
    image = cards.draw(card, 600, 600)
    margin = round(600 * 0.07)
    face, _ = cards._footer(card, 600, cards.fitting_scale(card, 600, 600))  # (as small as the body's text)
    rule = 600 - margin - lettering.leading(face) - margin // 2  # the line above the footer
    assert {image.getpixel((x, rule)) for x in range(margin, 600 - margin)} == {cards.RULE}
    gap = {image.getpixel((x, y)) for x in range(margin, 600 - margin) for y in range(rule - margin // 2, rule - 2)}
    assert gap == {cards.PAPER}  # the text stops short of it


LONG_WORDS = [
    "Oberschenkelrückseitendehnungsübung",
    "Hüftbeugermobilisationsübungsreihenfolge",
    "Supercalifragilisticexpialidociousstretch",
    "Lendenwirbelsäulenentlastungshaltung im Vierfüßlerstand",
]


def ink_in_margin(image: Image.Image, margin: int) -> bool:
    """Whether anything but the card's paper or band colour is in its right margin."""
    strip = image.convert("RGB").crop((image.width - margin + 4, 0, image.width, image.height))
    return any(color not in (cards.PAPER, cards.ACCENT) for _, color in strip.getcolors(1 << 16) or [])


@pytest.mark.parametrize("word", LONG_WORDS)
def test_a_word_too_long_for_a_line_is_broken_inside_the_card(tmp_path: Path, word: str) -> None:
    exercise = {"name": word, "instructions": f"Sehr {word} und {word}.", "position": "seated"}
    routine = routine_of(tmp_path, {"title": f"{word} {word}", "exercises": [exercise]})
    margin = round(cards.COVER * 0.07)
    for card in (cards.routine_card(routine, Options()), cards.exercise_card(routine, 0, Options())):
        image = cards.draw(card, cards.COVER, cards.COVER)
        assert not ink_in_margin(image, margin), card.title
    assert all(
        lettering.font("Semibold", 105).getlength(line) <= 1000
        for line in lettering.wrap(word * 3, lettering.font("Semibold", 105), 1000)
    )


@pytest.mark.parametrize("count", [13, 40, 100])
def test_a_cover_too_small_for_every_exercise_says_how_many_more(tmp_path: Path, count: int) -> None:
    path = tmp_path / "r.yaml"
    items = "".join(f"  - {{name: 'Stretch number {n}', instructions: Go.}}\n" for n in range(count))
    path.write_text(f"title: Many\nexercises:\n{items}", encoding="utf-8")
    card = cards.routine_card(load(path), Options())
    drawn: list[str] = []

    class Pen:  # records the text the card draws
        def text(self, xy, text, **kwargs) -> None:
            drawn.append(text)

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    cards._flow(Pen(), card.body, 0, 0, 1200, 1400 * 0.5, bottom=700)  # type: ignore[arg-type]
    listed = [t for t in drawn if t.startswith("Stretch number")]
    assert 0 < len(listed) < count
    assert drawn[-1] == ENGLISH.fill(ENGLISH.and_more, n=count - len(listed)), drawn[-3:]


def test_two_exercises_of_one_name_each_have_their_own_chapter_image(cli, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "title: Twice\ndefaults: {hold: 1, reps: 1, countdown: 0}\nexercises:\n"
        "  - {name: Reach, instructions: Reach up high.}\n"
        "  - {name: Reach, instructions: Reach out to the side., sides: each}\n",
        encoding="utf-8",
    )
    assert cli("build", path, "--voice", "beep", "--out", tmp_path / "out").code == 0
    art = {chapter.title: chapter.art for chapter in read_tags(tmp_path / "out" / "Twice.mp3").chapters}
    assert list(art) == ["Introduction", "Reach", "Reach (right side)", "Reach (left side)", "Finish"], list(art)
    assert art["Reach"] != art["Reach (right side)"] == art["Reach (left side)"]  # the second card, not the first


class Recorder:
    """An ImageDraw that also notes each line of text (its words, size and baseline) and each figure."""

    def __init__(self, real: ImageDraw.ImageDraw, log: list[list[tuple[str, int, float]]]) -> None:
        self.real = real
        self.texts: list[tuple[str, int, float]] = []
        log.append(self.texts)

    def text(self, xy, text, font, **kwargs) -> None:
        self.texts.append((text, font.size, xy[1]))
        self.real.text(xy, text, font=font, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


def drawn_set(monkeypatch, routine: Routine, size: tuple[int, int]) -> list[list[tuple[str, int, float]]]:
    """The lines of text on each card of the routine, as `cards` draws them at this size."""
    log: list[list[tuple[str, int, float]]] = []
    real = ImageDraw.Draw
    monkeypatch.setattr(cards.ImageDraw, "Draw", lambda image: Recorder(real(image), log))
    cards.draw_set(cards.all_cards(routine, Options()), *size)
    return log


def uneven_routine(folder: Path) -> Routine:
    """One exercise with a page of instructions and long names, others of a line: the hard case for a set."""
    long = " ".join(["Lower yourself slowly, keep the spine long and let the shoulders fall."] * 5)
    return routine_of(
        folder,
        {
            "title": "Uneven",
            "exercises": [
                {"name": "Reach", "instructions": "Reach up.", "position": "standing", "tips": "Breathe out."},
                {"name": "A stretch with a rather long name indeed", "instructions": long, "position": "lying"},
                {"name": "Fold", "instructions": "Fold forward.", "about": "Works the erector spinae."},
            ],
        },
    )


@pytest.mark.parametrize("size", [(cards.COVER, cards.COVER), cards.A6, (cards.CHAPTER_ART, cards.CHAPTER_ART)])
@pytest.mark.parametrize("which", ["back-stretches", "uneven"])
def test_a_sets_cards_share_one_text_size_and_no_footer_outgrows_the_text(
    monkeypatch, tmp_path: Path, size: tuple[int, int], which: str
) -> None:
    routine = load(which) if which != "uneven" else uneven_routine(tmp_path)
    every = drawn_set(monkeypatch, routine, size)
    routine_card, *exercise_cards = every
    bodies = []
    for texts, exercise in zip(exercise_cards, routine.exercises, strict=True):
        instructions = {s for t, s, _ in texts if t in exercise.instructions and t not in exercise.name}
        footer = [s for t, s, _ in texts if t == routine.title]
        assert len(instructions) == 1 and footer and footer[-1] <= min(instructions), (exercise.name, texts)
        bodies.append(instructions.pop())
    assert len(set(bodies)) == 1, bodies  # one size for every exercise's instructions
    footer = [s for t, s, _ in routine_card if t == ENGLISH.safety_line]
    details = [s for t, s, _ in routine_card if TIMES in t]
    assert footer and details and footer[0] <= min(details), routine_card


@pytest.mark.parametrize("size", [(cards.COVER, cards.COVER), cards.A6])
@pytest.mark.parametrize("which", ["back-stretches", "uneven"])
def test_the_routine_cards_rows_are_laid_out_alike_with_figures_of_one_size(
    monkeypatch, tmp_path: Path, size: tuple[int, int], which: str
) -> None:
    """Each row's details sit beside its name in every row or under it in every row, never some of
    each; every figure is as tall as the row (here 1.6 of the name's lines)."""
    routine = load(which) if which != "uneven" else uneven_routine(tmp_path)
    figures: list[int] = []
    real = cards.pictogram
    monkeypatch.setattr(
        cards, "pictogram", lambda pen, p, box, color: figures.append(box[2]) or real(pen, p, box, color)
    )
    texts = drawn_set(monkeypatch, routine, size)[0]
    rows = [n for n, (t, _, _) in enumerate(texts) if TIMES in t]  # each row's details follow its name
    assert len(rows) == len(routine.exercises), texts
    offsets = {texts[n][2] - texts[n - 1][2] for n in rows}
    assert len(offsets) == 1, offsets
    if which == "uneven":  # its long name leaves no room beside it, so no row has its details beside
        assert offsets.pop() > 0
    row_figures = figures[: len([e for e in routine.exercises if e.position])]
    assert len(set(row_figures)) == 1 and row_figures[0] >= 0.05 * size[0], row_figures


def test_the_heading_is_written_as_it_reads_and_tips_and_notes_are_on_the_card(monkeypatch, tmp_path: Path) -> None:
    routine = uneven_routine(tmp_path)
    every = drawn_set(monkeypatch, routine, (cards.COVER, cards.COVER))
    assert every[0][0][0] == "3 stretches · 10 s holds"  # not "10 S HOLDS"
    assert every[1][0][0] == "Stretch 1 of 3"
    assert "Breathe out." in [t for t, _, _ in every[1]] and "Works the erector spinae." in [t for t, _, _ in every[3]]
