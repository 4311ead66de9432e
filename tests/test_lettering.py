# ruff: noqa: RUF001  (letters of other scripts are the point of these tests)
"""Cards draw every script: each letter in a face that has it (never the empty box of a missing
glyph), Arabic joined, right-to-left text in visual order, emoji, and text with no spaces wrapped."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import routine_of
from PIL import Image, ImageChops, ImageDraw, ImageFont

from stretchcue.authoring.compiler import Options
from stretchcue.outputs import cards, lettering

SIZE = 48

# A sentence or name in each script, as a routine in that language might carry it.
SAMPLES = {
    "arabic": "استلقِ على ظهرك ومدّ ذراعيك",
    "persian": "زانوها را به آرامی به سینه بکشید",
    "hebrew": "שכבו על הגב ונשמו עמוק",
    "chinese": "慢慢把膝盖拉向胸口，保持呼吸。",
    "japanese": "ゆっくり息を吐きながら前屈します",
    "korean": "천천히 숨을 내쉬며 몸을 숙이세요",
    "greek": "Τέντωμα της πλάτης",
    "cyrillic": "Растяжка спины, медленно",
    "vietnamese": "Duỗi lưng nhẹ nhàng, thở đều",
    "thai": "ยืดหลังช้าๆ หายใจลึก",
    "devanagari": "धीरे धीरे साँस लें",
    "armenian": "Դանդաղ ձգվեք",
    "georgian": "ნელა გაიწელეთ",
    "emoji": "🧘🙂👍💪🔥⏱️✅❤️",
    "symbols": "→ ← ✓ ☯ ♥ ★",
}


def ink(image: Image.Image) -> Image.Image:
    return image.convert("L").point(lambda v: 255 if v < 128 else 0)


def drawn(face: lettering.Face, text: str) -> Image.Image:
    image = Image.new("RGB", (round(face.getlength(text)) + 2 * SIZE, 3 * SIZE), "white")
    face.draw(ImageDraw.Draw(image), (SIZE, SIZE // 2), text, (0, 0, 0))
    return image


def missing_box(face: lettering.Face) -> Image.Image:
    """What a character no face has looks like: the own face's .notdef box."""
    return drawn(face, "\U000e0080")  # an unassigned code point


@pytest.mark.parametrize("weight", ["Regular", "Semibold"])
@pytest.mark.parametrize("script", sorted(SAMPLES))
def test_every_letter_of_every_script_is_drawn_and_none_is_the_missing_box(script: str, weight: str) -> None:
    face = lettering.font(weight, SIZE)
    box = ink(missing_box(face)).getbbox()
    assert box is not None
    for char in set(SAMPLES[script]) - {" ", "\ufe0f"}:
        image = drawn(face, char)
        mark = ink(image)
        assert mark.getbbox() is not None or lettering._unseen(char), f"{char!r} (U+{ord(char):04X}) drew nothing"
        if mark.getbbox() is not None and mark.getbbox() == box:  # same place and size: compare the pixels
            same = ImageChops.difference(mark, ink(missing_box(face))).getbbox() is None
            assert not same, f"{char!r} (U+{ord(char):04X}) in {script} is drawn as the missing-glyph box"


def test_the_missing_box_is_what_the_check_above_would_catch() -> None:
    face = lettering.font("Regular", SIZE)
    assert ImageChops.difference(ink(drawn(face, "\U000e0081")), ink(missing_box(face))).getbbox() is None
    assert ImageChops.difference(ink(drawn(face, "A")), ink(missing_box(face))).getbbox() is not None


def noto(name: str, weight: int = 400) -> ImageFont.FreeTypeFont:
    face = ImageFont.truetype(str(lettering._NOTO / f"{name}[wght].ttf"), SIZE, layout_engine=ImageFont.Layout.BASIC)
    face.set_variation_by_axes([weight])
    return face


def same_pixels(ours: lettering.Face, text: str, reference: ImageFont.FreeTypeFont, expected: str) -> bool:
    """Whether `text` as we draw it is, pixel for pixel, `expected` drawn as it stands in `reference`."""
    image = drawn(ours, text)
    model = Image.new("RGB", image.size, "white")
    ImageDraw.Draw(model).text((SIZE, SIZE // 2 + ours.ascent), expected, font=reference, fill=(0, 0, 0), anchor="ls")
    return ImageChops.difference(image, model).getbbox() is None


@pytest.mark.parametrize(
    ("word", "visual"),
    [
        ("كتب", "\ufe90\ufe98\ufedb"),  # kaf initial, teh medial, beh final: joined, right to left
        ("بيت", "\ufe96\ufef4\ufe91"),
        ("سلام", "\ufee1\ufefc\ufeb3"),  # lam and alef become one letter
        ("و", "\ufeed"),  # alone: its isolated form
    ],
)
def test_arabic_is_joined_and_set_right_to_left(word: str, visual: str) -> None:
    face = lettering.font("Regular", SIZE)
    assert same_pixels(face, word, noto("NotoSansArabic"), visual)
    if len(word) > 1:  # as typed, unjoined and left to right, is not what is drawn
        assert not same_pixels(face, word, noto("NotoSansArabic"), word)


def test_hebrew_reads_right_to_left_and_numbers_inside_it_left_to_right() -> None:
    face = lettering.font("Semibold", SIZE)
    assert same_pixels(face, "שלום", noto("NotoSansHebrew", 600), "םולש")
    assert "".join(part for _, part in face.runs("שלום 30 שניות")) == "תוינש 30 םולש"


def test_a_mixed_line_keeps_each_script_in_its_own_face_on_one_baseline() -> None:
    face = lettering.font("Regular", SIZE)
    runs = face.runs("Cat 猫 🐈 قطة")
    assert [text for _, text in runs] == ["Cat ", "猫", " ", "🐈", " ", "\ufe94\ufec4\ufed7"]  # Arabic joined
    assert runs[0][0] is runs[2][0] is runs[4][0]  # Latin and spaces: the cards' own face
    assert len({id(f) for f, _ in runs}) == 4


@pytest.mark.parametrize("text", ["👍🏽", "👨\u200d👩\u200d👧", "❤️", "\u200fשלום\u200e"])
def test_marks_that_only_steer_their_neighbours_are_not_drawn_as_boxes(text: str) -> None:
    face = lettering.font("Regular", SIZE)
    drawn_chars = "".join(part for _, part in face.runs(text))
    assert all(not lettering._unseen(c) for c in drawn_chars), drawn_chars
    assert ImageChops.difference(ink(drawn(face, text)), ink(missing_box(face))).getbbox() is not None


@pytest.mark.parametrize("script", ["chinese", "japanese", "korean", "thai", "arabic"])
def test_a_long_paragraph_in_any_script_wraps_inside_its_width(script: str) -> None:
    face = lettering.font("Regular", SIZE)
    text = SAMPLES[script] * 6
    lines = lettering.wrap(text, face, 500)
    assert len(lines) > 2
    assert all(face.getlength(line) <= 500 for line in lines), [face.getlength(line) for line in lines]
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost or added


def test_a_right_to_left_paragraph_is_set_flush_right_on_the_card(tmp_path) -> None:
    exercises = [
        {"name": "قطة", "instructions": SAMPLES["arabic"]},
        {"name": "Cat", "instructions": "Round your back."},
    ]
    routine = routine_of(tmp_path, {"title": SAMPLES["arabic"], "exercises": exercises})
    margin = round(600 * 0.07)

    def body_ink(index: int) -> tuple[int, int, int, int]:
        image = cards.draw(cards.exercise_card(routine, index, Options()), 600, 600)
        band = image.crop((0, 300, 600, 420)).convert("L").point(lambda v: 255 if v < 128 else 0)
        box = band.getbbox()
        assert box is not None
        return box

    arabic, english = body_ink(0), body_ink(1)
    assert arabic[2] >= 600 - margin - 3 and arabic[0] > margin + 20, arabic  # flush right
    assert english[0] <= margin + 3 and english[2] < 600 - margin - 20, english  # flush left


def test_a_right_to_left_paragraph_keeps_its_direction_on_a_line_that_starts_in_latin() -> None:
    face = lettering.font("Regular", SIZE)
    assert "".join(part for _, part in face.runs("style עם ה-iPhone.", rtl=True)) == ".iPhone-ה םע style"
    assert "".join(part for _, part in face.runs("style עם", rtl=False)) == "style םע"


@pytest.mark.parametrize(
    ("typed", "composed"), [("e\u0301", "é"), ("n\u0303", "ñ"), ("A\u030a", "Å"), ("e\u0323\u0302", "ệ")]
)
def test_an_accent_typed_apart_is_drawn_on_its_letter(typed: str, composed: str) -> None:
    face = lettering.font("Regular", SIZE)
    assert "".join(part for _, part in face.runs(f"x{typed}y")) == f"x{composed}y"
    assert ImageChops.difference(drawn(face, typed), drawn(face, composed)).getbbox() is None


@pytest.mark.parametrize("script", ["chinese", "japanese", "arabic", "thai"])
def test_long_text_without_spaces_is_wrapped_in_few_measurements(script: str, monkeypatch) -> None:
    face = lettering.font("Regular", SIZE)
    text = (SAMPLES[script].replace(" ", "") * 200)[:2000]  # the longest instructions a routine may have
    calls = []
    measure = lettering.Face.getlength
    monkeypatch.setattr(lettering.Face, "getlength", lambda self, t: calls.append(len(t)) or measure(self, t))
    lines = lettering.wrap(text, face, 900)
    assert "".join(lines) == unicodedata.normalize("NFC", text)
    assert all(measure(face, line) <= 900 for line in lines)
    assert sum(calls) < 60 * len(text), (len(calls), sum(calls))  # characters measured: linear, not quadratic


@pytest.mark.parametrize("text", ["Hamstring stretch with a strap " * 12, "膝を胸に引き寄せるストレッチ" * 20])
@pytest.mark.parametrize("lines", [1, 2, 3])
def test_text_cut_to_a_number_of_lines_ends_in_an_ellipsis(text: str, lines: int) -> None:
    face = lettering.font("Semibold", SIZE)
    cut = lettering.wrap(text, face, 700, lines=lines)
    assert len(cut) == lines and cut[-1].endswith("…"), cut
    assert all(face.getlength(line) <= 700 for line in cut)
    assert lettering.wrap("Short.", face, 700, lines=lines) == ["Short."]


def test_a_long_routine_title_leaves_room_for_the_exercise_on_its_card(tmp_path) -> None:
    title = "背中と腰と肩と首のための毎朝のやさしいストレッチ" * 8  # the card's footer
    exercise = {"name": "Cat", "instructions": "Round your back slowly, then let it sag."}
    routine = routine_of(tmp_path, {"title": title, "exercises": [exercise]})
    image = cards.draw(cards.exercise_card(routine, 0, Options()), 600, 600)
    band = max(y for y in range(600) if image.getpixel((5, y)) == cards.ACCENT)
    margin = round(600 * 0.07)
    rule = min(y for y in range(band, 600) if image.getpixel((margin + 1, y)) == cards.RULE)
    assert rule > 400, rule  # the footer takes two lines at most
    body = image.crop((0, band + 1, 600, rule)).convert("L")
    assert body.point(lambda v: 255 if v < 80 else 0).getbbox() is not None  # the instructions are drawn


@pytest.mark.parametrize(
    ("logical", "visual"),
    [
        ("(שלום)", "(םולש)"),
        ("שלום [Shoulder] 1", "1 [Shoulder] םולש"),
        ("קרא (עוד (כאן)) ו", "ו ((ןאכ) דוע) ארק"),
        ("a [b] (c)", "a [b] (c)"),
        ("«שלום»", "«םולש»"),
    ],
)
def test_brackets_in_right_to_left_text_face_the_way_they_are_read(logical: str, visual: str) -> None:
    face = lettering.font("Regular", SIZE)
    assert "".join(part for _, part in face.runs(logical)) == visual


def test_a_feeling_written_right_to_left_is_set_right_to_left_after_its_label(tmp_path) -> None:
    exercise = {"name": "Cat", "instructions": "Round your back.", "feel": "מתיחה בגב התחתון"}
    routine = routine_of(tmp_path, {"title": "Back", "exercises": [exercise]})
    feel = cards.exercise_card(routine, 0, Options()).body[-1]
    assert isinstance(feel, cards.Text) and feel.rtl is True and exercise["feel"] in feel.words
