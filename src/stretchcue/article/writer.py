"""A draft routine as a routine file: YAML a person can check against the article in a minute,
each value read from it with the article's words beside it, and a header that names the source
and lists what the article did not say (left to the defaults)."""

from __future__ import annotations

import datetime
import textwrap
from typing import Any

import yaml

from stretchcue import __version__
from stretchcue.article.facts import Fact, quote
from stretchcue.article.reader import Draft, Exercise
from stretchcue.authoring.routine import Defaults
from stretchcue.authoring.yamlcheck import MAX_TEXT, MAX_TITLE

WIDTH = 100
DEFAULTS = Defaults()


def missing(draft: Draft) -> list[str]:
    """What the article does not say, each with the default used: "Cat stretch: no hold given, 10 s used"."""
    found = []
    for exercise in draft.exercises:
        lacks = []
        if not (exercise.hold or draft.hold):
            lacks.append(f"no hold given, {DEFAULTS.hold:g} s used")
        if not (exercise.reps or draft.reps):
            lacks.append(f"no reps given, {DEFAULTS.reps} used")
        if lacks:
            found.append(f"{exercise.name}: {'; '.join(lacks)}")
    return found


def routine_yaml(draft: Draft, source: str, today: datetime.date | None = None) -> str:
    made = (today or datetime.date.today()).isoformat()
    how = f" ({draft.how})" if draft.how else ""
    lines = [
        f"# Imported by stretchcue {__version__} from {source}{how} on {made}.",
        "# Beside each value read from the article are its words: check them against it.",
    ]
    if gaps := missing(draft):
        lines.append("# Not in the article, so stretchcue's defaults are used:")
        lines += [f"#   {gap}" for gap in gaps]
    lines.append(f"title: {_scalar(_cut(draft.title or 'Imported routine', MAX_TITLE))}")
    settings = [(key, fact) for key, fact in (("hold", draft.hold), ("reps", draft.reps)) if fact]
    if settings:
        lines.append("defaults:")
        lines += [_line(f"  {key}: {_scalar(fact.value)}", fact) for key, fact in settings]
    lines.append("exercises:")
    for exercise in draft.exercises:
        lines += _exercise(exercise)
    return "\n".join(lines) + "\n"


def _exercise(exercise: Exercise) -> list[str]:
    lines = [f"  - name: {_scalar(_cut(exercise.name, MAX_TITLE))}"]
    if exercise.position:
        lines.append(_line(f"    position: {exercise.position.value}", exercise.position))
    said, left = _within(exercise.sentences, MAX_TEXT)
    lines += _folded("    instructions", " ".join(said))
    if left:
        more = f"{left} sentence{'s' if left != 1 else ''} more"
        lines.append(f"    # (the article says {more}: a routine's instructions hold {MAX_TEXT} characters)")
    for key in ("hold", "reps", "sides"):
        fact: Fact[Any] | None = getattr(exercise, key)
        if fact:
            lines.append(_line(f"    {key}: {_scalar(fact.value)}", fact))
    if exercise.feel:
        lines.append(_line(f"    feel: {_scalar(exercise.feel.value)}", exercise.feel))
    if exercise.tips:
        lines.append("    tips:")
        lines += [f"      - {_scalar(tip)}" for tip in exercise.tips]
    return lines


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


def _within(sentences: list[str], limit: int) -> tuple[list[str], int]:
    """The first sentences that fit in `limit` characters, and how many are left out."""
    kept: list[str] = []
    for sentence in sentences:
        if len(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return kept, len(sentences) - len(kept)


def _line(text: str, fact: Fact[Any]) -> str:
    note = f" ({fact.note})" if fact.note else ""
    return f'{text}  # "{quote(fact.words)}"{note}'


def _folded(key: str, text: str) -> list[str]:
    """A long text as a folded block, wrapped to be read in an editor."""
    indent = " " * (len(key) - len(key.lstrip()) + 2)
    body = textwrap.wrap(text, WIDTH - len(indent), break_long_words=False, break_on_hyphens=False)
    return [f"{key}: >-", *(indent + line for line in body)]


def _scalar(value: object) -> str:
    """One value as YAML writes it on one line (quoted when it must be); 5.0 as 5."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10**6, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()
