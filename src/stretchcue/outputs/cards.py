"""The routine at a glance, as pictures: a card for the routine (the MP3's cover) and one per
exercise (its chapter's image), drawn with Pillow in the bundled Source Sans Pro (SIL OFL), so a
card looks the same on every machine. A card is laid out for any width and height: square for
covers, A6 for the printable PDF. Wording comes from the phrasebook.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from stretchcue.authoring import phrases
from stretchcue.authoring.compiler import Options, effective, guidance_of
from stretchcue.authoring.routine import Exercise, Guidance, Position, Routine
from stretchcue.disk.files import Listener, as_found, check_ours, describe, replacing, safe_name, writing_into
from stretchcue.errors import StretchcueError
from stretchcue.outputs.images import jpeg, pdf, png
from stretchcue.outputs.lettering import Color, Face, fit, font, leading, right_to_left, wrap

COVER = 1400  # px: podcast apps ask for square covers of 1400 to 3000 px
CHAPTER_ART = 600  # px: chapter images show small, and each one is carried in the MP3...
CHAPTER_COLORS = 48  # ...as a PNG of few colours: 12-15 kB for these flat cards, where a JPEG takes 50
A6 = (1240, 1748)  # 105 x 148 mm at 300 dpi (images.PRINT_DPI)

PAPER = (247, 244, 238)
INK = (31, 41, 51)
MUTED = (96, 108, 118)
ACCENT = (47, 111, 115)
RULE = (214, 208, 198)


@dataclass(frozen=True)
class Text:
    """A paragraph: its words, weight, size (a fraction of the card's width), colour, the space
    above it, and whether it reads right to left (None: as its first letter that says so)."""

    words: str
    weight: str = "Regular"
    size: float = 0.04
    color: tuple[int, int, int] = INK
    above: float = 0.0
    rtl: bool | None = None


@dataclass(frozen=True)
class Row:
    """A line of the routine card: a pictogram, then a name over its details."""

    position: Position | None
    name: str
    detail: str


Block = Text | Row


@dataclass(frozen=True)
class Card:
    heading: str  # small, above the title
    title: str
    body: tuple[Block, ...]
    position: Position | None = None  # drawn large beside the title's band
    footer: str = ""
    language: str = "en"  # of the words the card draws itself ("... and 3 more")


def routine_card(routine: Routine, options: Options) -> Card:
    exercises = [effective(e, options) for e in routine.exercises]
    holds = {e.hold for e in exercises}
    book = phrases.book(routine.language)
    rows = tuple(Row(e.position, e.name, book.dose_line(e.reps, e.hold, e.sides)) for e in exercises)
    heading = book.stretches_line(len(exercises), holds.pop() if len(holds) == 1 else None)
    level = guidance_of(routine, options)
    heading = heading if level is Guidance.FULL else f"{heading} · {book.guidance[level.value]}"
    return Card(heading, routine.title, rows, footer=book.safety_line, language=routine.language)


def exercise_card(routine: Routine, index: int, options: Options) -> Card:
    exercise, book = effective(routine.exercises[index], options), phrases.book(routine.language)
    body: list[Block] = [Text(_detail(exercise, book), "Semibold", 0.05, ACCENT)]
    body.append(Text(exercise.instructions, above=0.03))
    for n, way in enumerate(exercise.variations, start=1):
        body.append(Text(f"{n}. {way.name}", "Semibold", above=0.025))
        body.append(Text(way.instructions))
        if way.feel:
            body.append(_aside(book.fill(book.feel_it, where=way.feel), rtl=right_to_left(way.feel)))
    if exercise.feel:  # set as the place it names reads, whatever the label before it
        body.append(_aside(book.fill(book.feel_it, where=exercise.feel), above=0.03, rtl=right_to_left(exercise.feel)))
    body.extend(_aside(tip, above=0.015) for tip in exercise.tips)
    if exercise.about:
        body.append(_aside(exercise.about, above=0.015))
    heading = book.fill(book.card_heading, n=index + 1, total=len(routine.exercises))
    return Card(heading, exercise.name, tuple(body), exercise.position, routine.title, routine.language)


def _aside(words: str, above: float = 0.0, rtl: bool | None = None) -> Text:
    """Where to feel it, tips, and what the exercise works: beside the instructions, in grey."""
    return Text(words, color=MUTED, above=above, rtl=right_to_left(words) if rtl is None else rtl)


def _detail(exercise: Exercise, book: phrases.Phrasebook) -> str:
    where = book.where[exercise.position.value] if exercise.position else ""
    dose = book.dose_line(exercise.reps, exercise.hold, exercise.sides)
    return f"{dose} · {where}" if where else dose


# -- drawing ---------------------------------------------------------------------------------------


FOOTER_SIZE = 0.034  # of the card's width, at most: never larger than the body's text (0.04 of its unit)
MAX_SCALE, MIN_SCALE = 1.5, 0.5  # the body's size, relative to the card's width
FIGURE = 1.6  # a row's figure, as tall as this many lines of its name: large enough to make out in a thumbnail


def draw(card: Card, width: int, height: int, scale: float | None = None) -> Image.Image:
    """The card at this size: a band with the heading and title, the body below it at `scale`
    (by default as large as fits: covers are seen small), the footer at the foot."""
    scale = scale or fitting_scale(card, width, height)
    image = Image.new("RGB", (width, height), PAPER)
    pen = ImageDraw.Draw(image)
    margin = round(width * 0.07)
    inner = width - 2 * margin
    art = _art(card, width)
    title_font = font("Semibold", round(width * 0.075))
    title_width = inner - art - (margin // 2 if art else 0)
    title_lines = wrap(card.title, title_font, title_width, lines=3)
    band = _band(card, width)
    pen.rectangle((0, 0, width, band), fill=ACCENT)
    y = margin
    font("Semibold", round(width * 0.03)).draw(pen, (margin, y), card.heading, PAPER)
    y += round(width * 0.045)
    title_rtl = right_to_left(card.title)
    for line in title_lines:
        _line(pen, line, title_font, (255, 255, 255), margin, y, title_width, title_rtl)
        y += leading(title_font)
    if card.position:
        pictogram(pen, card.position, (width - margin - art, (band - art) // 2, art), PAPER)

    footer_top = height
    if card.footer:
        footer_font, footer_lines = _footer(card, width, scale)
        footer_top = height - margin - len(footer_lines) * leading(footer_font)
        pen.line((margin, footer_top - margin // 2, width - margin, footer_top - margin // 2), fill=RULE, width=3)
        footer_rtl = right_to_left(card.footer)
        for n, line in enumerate(footer_lines):
            _line(pen, line, footer_font, MUTED, margin, footer_top + n * leading(footer_font), inner, footer_rtl)
        footer_top -= margin
    _flow(pen, card.body, margin, band + margin, inner, width * scale, footer_top, card.language)
    return image


def draw_set(cards: Sequence[Card], width: int, height: int) -> list[Image.Image]:
    """A routine's cards at one size: the routine's card (its first) as large as it fits, and every
    exercise's card with its text at one size, the largest at which all of them fit, so text does
    not grow and shrink from card to card."""
    scale = min((fitting_scale(card, width, height) for card in cards[1:]), default=MAX_SCALE)
    return [draw(cards[0], width, height), *(draw(card, width, height, scale) for card in cards[1:])]


def fitting_scale(card: Card, width: int, height: int) -> float:
    """The largest size (relative to the width) at which the card's body fits above its footer."""
    margin = round(width * 0.07)
    scale = MAX_SCALE
    while scale > MIN_SCALE:
        room = height - _band(card, width) - 2 * margin
        if card.footer:
            footer_font, footer_lines = _footer(card, width, scale)
            room -= margin + len(footer_lines) * leading(footer_font)
        if _flow(None, card.body, margin, 0, width - 2 * margin, width * scale) <= room:
            break
        scale *= 0.93
    return max(scale, MIN_SCALE)


def _art(card: Card, width: int) -> int:
    return round(width * 0.22) if card.position else 0


def _band(card: Card, width: int) -> int:
    """The height of the coloured band: the heading, the title (up to three lines) and the figure."""
    margin = round(width * 0.07)
    art = _art(card, width)
    title_font = font("Semibold", round(width * 0.075))
    title_lines = wrap(card.title, title_font, width - 2 * margin - art - (margin // 2 if art else 0), lines=3)
    band = margin + round(width * 0.045) + len(title_lines) * leading(title_font) + round(width * 0.06)
    return max(band, margin + art + margin // 2) if art else band


def _footer(card: Card, width: int, scale: float) -> tuple[Face, list[str]]:
    face = font("Regular", round(width * min(FOOTER_SIZE, FOOTER_SIZE * scale)))
    return face, wrap(card.footer, face, width - 2 * round(width * 0.07), lines=2)


def _flow(
    pen: ImageDraw.ImageDraw | None,
    blocks: Sequence[Block],
    x: int,
    y: int,
    width: int,
    unit: float,
    bottom: int | None = None,
    language: str = "en",
) -> int:
    """Lay the blocks out from `y` down (drawing them when there is a pen); gives the height they
    take. Nothing is drawn below `bottom`: text too long even at the smallest size is cut there."""
    top = y
    name, detail = font("Semibold", round(unit * 0.045)), font("Regular", round(unit * 0.036))
    rows = [b for b in blocks if isinstance(b, Row)]
    # One layout for every row, so the list reads as a table: each row's details beside its name
    # when every row has room for them, else under it; the figure as tall as the row.
    beside = all(_fits_beside(row, name, detail, unit, width) for row in rows)
    size = round(leading(name) * FIGURE) if beside else leading(name) + leading(detail)
    text_x = x + size + round(unit * 0.03)
    gap = round(unit * 0.025)
    for n, block in enumerate(blocks):
        if isinstance(block, Text):
            face = font(block.weight, round(unit * block.size))
            y += round(unit * block.above)
            room = max(0, (bottom - y) // leading(face)) if bottom is not None else None
            lines = wrap(block.words, face, width, lines=room)  # cut with "…" where the card ends
            rtl = right_to_left(block.words) if block.rtl is None else block.rtl
            for line in lines:
                if pen:
                    _line(pen, line, face, block.color, x, y, width, rtl)
                y += leading(face)
            if room is not None and len(lines) >= room:
                return y - top
            continue
        rows_left = sum(isinstance(b, Row) for b in blocks[n:])
        more = gap + leading(detail) if rows_left > 1 else 0  # room to say how many rows did not fit
        if bottom is not None and y + size + more > bottom:
            if pen and y + leading(detail) <= bottom:
                book = phrases.book(language)
                detail.draw(pen, (text_x, y), book.fill(book.and_more, n=rows_left), MUTED)
            return y - top
        if pen:
            if block.position:
                pictogram(pen, block.position, (x, y, size), ACCENT)
            name_y = y + (size - leading(name)) // 2 if beside else y
            name.draw(pen, (text_x, name_y), fit(block.name, name, x + width - text_x), INK)
            if beside:  # right-aligned on the name's baseline
                detail.draw(pen, (x + width, name_y + name.size), block.detail, MUTED, anchor="rs")
            else:
                detail.draw(pen, (text_x, y + leading(name)), fit(block.detail, detail, x + width - text_x), MUTED)
        y += size + gap
    return y - top


def _fits_beside(row: Row, name: Face, detail: Face, unit: float, width: int) -> bool:
    text_width = width - round(leading(name) * FIGURE) - round(unit * 0.03)
    return name.getlength(row.name) + detail.getlength(row.detail) + unit * 0.04 <= text_width


def _line(pen: ImageDraw.ImageDraw, line: str, face: Face, fill: Color, x: int, y: int, width: int, rtl: bool) -> None:
    """A line of a paragraph: flush left, or flush right in a paragraph that reads right to left."""
    if rtl:
        face.draw(pen, (x + width, y), line, fill, anchor="ra", rtl=True)
    else:
        face.draw(pen, (x, y), line, fill, rtl=False)


# Stick figures in a unit box, (x, y) from the top left, the floor at y = 0.88: the head's centre,
# then the trunk and limbs as polylines.
Point = tuple[float, float]
_FIGURES: dict[Position, tuple[Point, tuple[tuple[Point, ...], ...]]] = {
    Position.LYING: (
        (0.14, 0.72),
        (((0.24, 0.79), (0.58, 0.79), (0.70, 0.52), (0.86, 0.80)), ((0.30, 0.79), (0.46, 0.79))),
    ),
    Position.FACE_DOWN: (
        (0.22, 0.34),
        (((0.28, 0.44), (0.50, 0.80), (0.92, 0.82)), ((0.32, 0.50), (0.32, 0.82))),
    ),
    Position.KNEELING: (
        (0.50, 0.12),
        (
            ((0.50, 0.22), (0.50, 0.52)),
            ((0.10, 0.82), (0.34, 0.82), (0.50, 0.52), (0.74, 0.54), (0.74, 0.85)),
            ((0.50, 0.30), (0.66, 0.46)),
        ),
    ),
    Position.SEATED: (
        (0.36, 0.26),
        (((0.38, 0.36), (0.40, 0.78), (0.88, 0.78)), ((0.39, 0.46), (0.66, 0.66))),
    ),
    Position.STANDING: (
        (0.50, 0.12),
        (
            ((0.42, 0.85), (0.50, 0.54), (0.58, 0.85)),
            ((0.50, 0.22), (0.50, 0.54)),
            ((0.36, 0.50), (0.50, 0.30), (0.64, 0.50)),
        ),
    ),
}


def pictogram(pen: ImageDraw.ImageDraw, position: Position, box: tuple[int, int, int], color: Color) -> None:
    """A simple figure in `position`, in the square box (left, top, size), on a floor line."""
    left, top, size = box
    stroke = max(2, round(size * 0.07))

    def at(point: tuple[float, float]) -> tuple[int, int]:
        return round(left + point[0] * size), round(top + point[1] * size)

    head, limbs = _FIGURES[position]
    floor = top + round(size * 0.88)
    pen.line((left, floor, left + size, floor), fill=color, width=max(1, stroke // 3))
    for limb in limbs:
        points = [at(p) for p in limb]
        pen.line(points, fill=color, width=stroke, joint="curve")
        for x, y in (points[0], points[-1]):  # round ends
            pen.ellipse((x - stroke // 2, y - stroke // 2, x + stroke // 2, y + stroke // 2), fill=color)
    cx, cy = at(head)
    r = round(size * 0.09)
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=color)


# -- files -----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)  # the tracks of a batch often share a routine and its holds
def cover(routine: Routine, options: Options) -> bytes:
    return jpeg(draw(routine_card(routine, options), COVER, COVER))  # (the routine's card is drawn on its own)


@functools.lru_cache(maxsize=16)
def chapter_art(routine: Routine, options: Options) -> tuple[bytes, ...]:
    """The routine's card (for the chapters about no one exercise: the introduction and the
    finish), then each exercise's card, as small PNGs."""

    images = draw_set(all_cards(routine, options), CHAPTER_ART, CHAPTER_ART)
    return tuple(png(image.convert("P", palette=Image.Palette.ADAPTIVE, colors=CHAPTER_COLORS)) for image in images)


def all_cards(routine: Routine, options: Options) -> list[Card]:
    exercises = [exercise_card(routine, n, options) for n in range(len(routine.exercises))]
    return [routine_card(routine, options), *exercises]


def card_files(routine: Routine, out: Path) -> list[Path]:
    """Where `write_cards` puts the routine's cards: a PNG each, then the PDF."""
    names = ["00 - " + safe_name(routine.title)]
    names += [f"{n:02d} - {safe_name(e.name)}" for n, e in enumerate(routine.exercises, start=1)]
    paths = [out / f"{name}.png" for name in names] + [out / f"{safe_name(routine.title)} - cards.pdf"]
    return [as_found(path) for path in paths]


def write_cards(routine: Routine, options: Options, paths: list[Path]) -> None:
    """The cards as square PNGs (COVER px), and all of them as a printable A6 PDF at 300 dpi. All
    are made first, then each is written to a temp file, and only when all are written are they
    renamed into place: a failure (a full disk) leaves none of them."""
    cards = all_cards(routine, options)
    contents = [png(image) for image in draw_set(cards, COVER, COVER)]
    contents.append(pdf(draw_set(cards, *A6), routine.title))
    with contextlib.ExitStack() as stack:
        for path, data in zip(paths, contents, strict=True):
            file = stack.enter_context(replacing(path))
            file.write(data)
            file.flush()  # so a full disk shows here, before any of them is renamed
            os.fsync(file.fileno())


def save_cards(routine: Routine, options: Options, out: Path, listener: Listener) -> list[Path]:
    """Write the routine's cards into `out`; a file of the same name that stretchcue did not write
    stops the run before anything is written."""
    paths = card_files(routine, out)
    for path in paths:  # before the folder's lock is taken (a refused run writes nothing)...
        check_ours(path)
    with writing_into(out, listener):
        for path in paths:  # ...and again once it is held
            check_ours(path)
        try:
            write_cards(routine, options, paths)
        except OSError as err:
            raise StretchcueError(f"cannot write the cards: {describe(err)}") from None
    return paths
