"""What a track says, and where: its chapters and its transcript, taken from the timeline (pure
code). The MP3's tags (tags.py) and the files beside it (WebVTT for players and
captions, LRC for music players) are written from these, so they all agree with the plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

from stretchcue.authoring.script import Kind
from stretchcue.authoring.timeline import Timeline
from stretchcue.disk.files import MARK
from stretchcue.disk.ours import BLANK_TEXT, seal_text
from stretchcue.outputs.tags import Chapter, Line


@dataclass(frozen=True)
class Span:
    """A chapter or a spoken line: its text, start and end in seconds."""

    text: str
    start: float
    end: float
    exercise: int | None = None  # for a chapter: the exercise it is about, by its place (None: the intro, the finish)


def chapters(timeline: Timeline) -> tuple[Span, ...]:
    """One per cue that starts a chapter, each lasting until the next (the last until the end). An
    exercise's first chapter starts with its name; a second side's chapter belongs to the same one
    (two exercises may share a name, so they are told apart by their place)."""
    starts = [p for p in timeline if p.cue.chapter]
    ends = [timeline.seconds(p.start) for p in starts[1:]] + [timeline.seconds(timeline.length)]
    spans, index = [], -1
    for placed, end in zip(starts, ends, strict=True):
        index += placed.cue.kind == Kind.EXERCISE
        about = index if placed.cue.exercise is not None else None
        spans.append(Span(placed.cue.chapter or "", timeline.seconds(placed.start), end, about))
    return tuple(spans)


def for_tags(timeline: Timeline, art: Sequence[bytes]) -> tuple[tuple[Chapter, ...], tuple[Line, ...]]:
    """The chapters and spoken lines as the tag stores them, in milliseconds; each chapter with its
    exercise's card (`art[0]`: the routine's, for the intro and the finish)."""
    chapter_spans = chapters(timeline)
    pictures = (art[0 if c.exercise is None else c.exercise + 1] for c in chapter_spans) if art else repeat(b"")
    tagged = tuple(Chapter(c.text, _ms(c.start), _ms(c.end), p) for c, p in zip(chapter_spans, pictures, strict=False))
    return tagged, tuple(Line(line.text, _ms(line.start)) for line in lines(timeline))


def holds(timeline: Timeline) -> tuple[tuple[int, int], ...]:
    """Each hold's start and end in milliseconds, as the tag stores them."""
    return tuple((_ms(timeline.seconds(h.start)), _ms(timeline.seconds(h.end))) for h in timeline.holds)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def lines(timeline: Timeline) -> tuple[Span, ...]:
    """Every spoken cue (tones have no words), as it sounds."""
    return tuple(Span(p.cue.text, timeline.seconds(p.start), timeline.seconds(p.end)) for p in timeline if p.cue.text)


def webvtt(spoken: tuple[Span, ...], title: str) -> str:
    """WebVTT captions (https://www.w3.org/TR/webvtt1/), sealed as ours in a closing NOTE. Cue text
    is escaped (&, <, >), so no text can end a cue or start a tag; the header's title, which is not
    parsed for tags, cannot hold "-->"."""
    cues = [f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}\n{_caption(s.text)}" for s in spoken]
    header = f"WEBVTT - {_one_line(title).replace('-->', '->')}"
    return seal_text("\n\n".join([header, f"NOTE Made by {MARK}", *cues, f"NOTE {BLANK_TEXT}"]) + "\n")


def lrc(spoken: tuple[Span, ...], title: str, album: str, length: float) -> str:
    """Timed lyrics in the LRC format music players show: [mm:ss.xx] per line; sealed as ours in
    a closing comment tag ([#:...])."""
    minutes, seconds = divmod(round(length), 60)
    head = [
        f"[ti:{_tag_value(title)}]",
        f"[al:{_tag_value(album)}]",
        f"[length:{minutes:02d}:{seconds:02d}]",
        f"[re:{MARK}]",
    ]
    lines = [f"[{_lrc_clock(s.start)}]{_one_line(s.text)}" for s in spoken]
    return seal_text("\n".join([*head, *lines, f"[#:{BLANK_TEXT}]"]) + "\n")  # the seal last, after any text


def _clock(seconds: float, point: str) -> str:
    ms = round(seconds * 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{point}{rest % 1000:03d}"


def _lrc_clock(seconds: float) -> str:
    hundredths = round(seconds * 100)
    minutes, rest = divmod(hundredths, 6000)
    return f"{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def _one_line(text: str) -> str:
    """On one line: a line break would end a cue, or an LRC line."""
    return " ".join(text.split())


def _caption(text: str) -> str:
    """WebVTT cue text: on one line, with &, < and > as character references."""
    return _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tag_value(text: str) -> str:
    """An LRC tag's value: a "]" would end it."""
    return _one_line(text).replace("]", ")").replace("[", "(")
