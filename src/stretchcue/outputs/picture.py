"""A picture of a session (`plan --png`): one row per chapter, on one time scale, showing where
the voice speaks, where the holds are, the countdowns and the tones. Drawn from the timeline that
`build` renders, in the cards' typeface."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from stretchcue.authoring import phrases
from stretchcue.authoring.script import Kind
from stretchcue.authoring.timeline import Timeline
from stretchcue.disk.files import as_found, check_folder, check_ours, write_bytes
from stretchcue.errors import StretchcueError
from stretchcue.outputs.cards import ACCENT, INK, MUTED, PAPER, RULE
from stretchcue.outputs.images import png
from stretchcue.outputs.lettering import Color, fit, font, leading
from stretchcue.outputs.outline import chapters

WIDTH = 1800
MARGIN = 48
LABEL = 440  # px for the chapter titles
ROW = 74
BAR = 30

HOLD = (226, 216, 190)
COUNTDOWN = (214, 110, 52)
TONE = (122, 92, 168)
LEGEND: tuple[tuple[str, Color], ...] = (
    ("speech", ACCENT),
    ("hold", HOLD),
    ("countdown", COUNTDOWN),
    ("tone", TONE),
)  # (words: the book's)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def draw_plan(timeline: Timeline, title: str, voice: str, language: str = "en") -> Image.Image:
    parts = chapters(timeline)
    longest = max(part.end - part.start for part in parts)
    scale = (WIDTH - 2 * MARGIN - LABEL) / longest  # px per second, the same in every row
    top = MARGIN + 150
    image = Image.new("RGB", (WIDTH, top + ROW * len(parts) + MARGIN), PAPER)
    pen = ImageDraw.Draw(image)
    title_face, small = font("Semibold", 44), font("Regular", 24)
    title_face.draw(pen, (MARGIN, MARGIN), fit(title, title_face, WIDTH - 2 * MARGIN), INK)
    book = phrases.book(language)
    counts = [book.fill(book.picture_chapters, n=len(parts)), book.fill(book.picture_holds, n=len(timeline.holds))]
    summary = " · ".join([_clock(timeline.seconds(timeline.length)), *counts, voice])
    small.draw(pen, (MARGIN, MARGIN + leading(title_face)), summary, MUTED)
    x = MARGIN + LABEL
    for key, color in LEGEND:  # the key, top right of the rows
        name = book.picture_legend[key]
        pen.rectangle((x, MARGIN + 105, x + 26, MARGIN + 121), fill=color)
        small.draw(pen, (x + 34, MARGIN + 100), name, MUTED)
        x += 60 + round(small.getlength(name))
    small.draw(
        pen, (WIDTH - MARGIN, MARGIN + 100), book.fill(book.picture_width, length=_clock(longest)), MUTED, anchor="ra"
    )

    def span(start: int, end: int, row_top: int, chapter_start: float, color: Color, height: int = BAR) -> None:
        left = MARGIN + LABEL + (timeline.seconds(start) - chapter_start) * scale
        right = max(left + 2, MARGIN + LABEL + (timeline.seconds(end) - chapter_start) * scale)
        middle = row_top + BAR // 2
        pen.rectangle((round(left), middle - height // 2, round(right), middle + height // 2), fill=color)

    label, time_face = font("Semibold", 26), font("Regular", 20)
    for n, part in enumerate(parts):
        row_top = top + n * ROW
        first, last = round(part.start * timeline.sample_rate), round(part.end * timeline.sample_rate)
        label.draw(pen, (MARGIN, row_top - 4), fit(part.text, label, LABEL - 20), INK)
        time_face.draw(pen, (MARGIN, row_top + 28), f"{_clock(part.start)} - {_clock(part.end)}", MUTED)
        pen.line((MARGIN + LABEL, row_top + BAR + 12, WIDTH - MARGIN, row_top + BAR + 12), fill=RULE, width=1)
        for held in timeline.holds:
            if first <= held.start < last:
                span(held.start, held.end, row_top, part.start, HOLD)
        for placed in timeline:
            if first <= placed.start < last:
                kind = placed.cue.kind
                color = TONE if placed.cue.tone else COUNTDOWN if kind == Kind.COUNTDOWN else ACCENT
                span(placed.start, placed.end, row_top, part.start, color, BAR if placed.cue.text else BAR // 2)
    return image


def check_picture(path: Path) -> None:
    """A picture `plan --png` may write: a .png name, in a folder, not a file of anyone else's."""
    if path.suffix.lower() != ".png":  # (".png" alone is a name with no suffix)
        raise StretchcueError(f"--png: {path} should be a file name ending in .png, e.g. session.png")
    check_folder(path.parent, "--png")
    check_ours(path, "--png")


def save_picture(path: Path, timeline: Timeline, title: str, voice: str, language: str = "en") -> Path:
    """Draw the session and write it whole; checked again first (the plan took a while). Returns
    the path written (in the case the folder already has it)."""
    check_picture(path)
    path = as_found(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, png(draw_plan(timeline, title, voice, language)), "--png")
    return path
