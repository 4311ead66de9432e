"""The phrasebooks: every sentence the coach speaks and every word shown to the listener, one file
per language (phrasebooks/LANG.toml, written as a coach of that language would say it), read and
checked here. The compiler decides what is said when; the phrasebook how it is worded.

Numbers are said in words, so every engine reads them alike: num2words spells them (English is
spelled here, to keep the common case from importing num2words' hundred languages at every start),
and each book's gettext plural rule (Python's gettext evaluates it; the tests hold it to CLDR's
rules through Babel) picks the form a count takes.
"""

from __future__ import annotations

import dataclasses
import functools
import gettext
import hashlib
import re
import string
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources

from stretchcue.authoring.language import LANGUAGES

SIDES = ("right", "left")


@dataclass(frozen=True)
class Plural:
    """One phrase in each of the language's plural forms, chosen by its field n; a key "=N" is
    what is said for that number exactly (English "twice")."""

    forms: Mapping[str, str]


@dataclass(frozen=True)
class Phrasebook:
    language: str
    name: str
    plural: str
    forms: tuple[str, ...]
    decimal: str
    # spoken
    welcome: str
    begin: str
    length: Plural
    how_often: Plural
    how_often_varies: str
    chimes: str
    breathing: str
    safety_line: str
    safety: str
    stretch_of: str
    stretch_of_named: str
    named_where: str
    next_up: str
    next_up_moving: str
    ordinals: tuple[str, ...]
    way: str
    way_more: str
    feel: str
    start_right: str
    start_alternating: str
    gentle: tuple[str, ...]
    deeper: tuple[str, ...]
    last_rep: tuple[str, ...]
    last_on_side: tuple[str, ...]
    hold: tuple[str, ...]
    halfway: tuple[str, ...]
    count: str
    release: tuple[str, ...]
    rest: tuple[str, ...]
    again: str
    switch_to_left: str
    switch_short: str
    to_right: str
    to_left: str
    outro: str
    outro_build_up: Plural
    outro_end: str
    outro_short: str
    # shown
    chapter_intro: str
    chapter_end: str
    chapter_way: str
    chapter_right: str
    chapter_left: str
    guidance: Mapping[str, str]
    where: Mapping[str, str]
    dose: str
    dose_each: str
    dose_alternate: str
    stretches: Plural
    holds_of: str
    and_more: str
    card_heading: str
    feel_it: str
    # titles, tags, the feed, the session picture
    levels: Mapping[str, str]
    title_level: str
    title_holds: str
    album_holds: str
    album_progression: str
    album_fading: str
    title_session: str
    comment: str
    feed_description: str
    picture_chapters: Plural
    picture_holds: Plural
    picture_legend: Mapping[str, str]
    picture_width: str
    # the folder's web page
    page: Mapping[str, str]

    def fill(self, phrase: str | Plural, **values: object) -> str:
        """The phrase with its fields filled in, numbers in this language (a Plural in the form n takes)."""
        if isinstance(phrase, Plural):
            n = values["n"]
            assert isinstance(n, int | float)
            phrase = phrase.forms.get(f"={n:g}") or phrase.forms[self.form(n)]
        filled = string.Formatter().vformat(
            phrase, (), {k: _Number(v, self) if isinstance(v, int | float) else v for k, v in values.items()}
        )
        return _DOUBLED_STOP.sub(r"\1", filled)  # a title or text that ends a sentence itself: "Bouge!." is "Bouge!"

    def form(self, n: float) -> str:
        """The plural category a count takes (a fraction takes the last, "other")."""
        if n != int(n):
            return self.forms[-1]
        return self.forms[_rule(self.plural)(int(n))]

    def digits(self, n: float) -> str:
        """A number as printed: 2.5 in English, 2,5 in German."""
        return f"{n:g}".replace(".", self.decimal)

    def words(self, n: float, gender: str = "") -> str:
        """A number as said: in words (0..999 in English; num2words' range elsewhere), a fraction in digits.
        `gender`: "f" for the feminine form, "m" for the form before a masculine noun."""
        if n != int(n):
            return self.digits(n)
        if self.language == "en":
            return _english(int(n))
        from num2words import num2words  # (only for other languages: it takes a while to import)

        said = str(num2words(int(n), lang=self.language))
        return _AGREEMENT[self.language](said, gender) if gender else said

    # -- phrases made of parts -----------------------------------------------------------------------

    def announce(self, name: str, number: int, total: int, named: bool = False) -> str:
        """`named`: its name was just said ("next up"), so only its place in the routine is."""
        if total == 1:
            return title_only(name)
        return self.fill(self.stretch_of_named if named else self.stretch_of, n=number, total=total, name=name)

    def how_often_line(self, reps: int | None) -> str:
        """`reps`: the same for every exercise, or None when they differ."""
        return self.fill(self.how_often, n=reps) if reps else self.how_often_varies

    def way_line(self, index: int, name: str, instructions: str) -> str:
        """One of several ways of doing an exercise (index from 0)."""
        if index < len(self.ordinals):
            return self.fill(self.way, ordinal=self.ordinals[index], name=name, instructions=instructions)
        return self.fill(self.way_more, name=name, instructions=instructions)

    def chapter(self, name: str, way: str = "", side: str | None = None) -> str:
        """A chapter's title: the exercise, the way it is done (when there are several), the side."""
        title = self.fill(self.chapter_way, name=name, way=way) if way else name
        return self.fill(self.chapter_right if side == "right" else self.chapter_left, title=title) if side else title

    def to_side(self, side: str) -> str:
        return self.to_right if side == "right" else self.to_left

    def countdown(self, k: int) -> str:
        said = self.fill(self.count, n=k)
        return said[:1].upper() + said[1:]

    def outro_line(self, build_up_to: float | None) -> str:
        """`build_up_to`: the hold to work up to, when the track's holds are shorter."""
        parts = [self.outro]
        if build_up_to is not None:
            parts.append(self.fill(self.outro_build_up, n=build_up_to))
        return " ".join([*parts, self.outro_end])

    def dose_line(self, reps: int, hold: float, sides: str) -> str:
        """Reps times hold, and the sides: "3 x 10 s, each side" (with the multiplication sign)."""
        phrase = {"each": self.dose_each, "alternate": self.dose_alternate}.get(sides, self.dose)
        return self.fill(phrase, reps=reps, hold=hold)

    def stretches_line(self, count: int, hold: float | None) -> str:
        """`hold`: the one hold of every exercise, if they share it."""
        text = self.fill(self.stretches, n=count)
        return f"{text} · {self.fill(self.holds_of, hold=hold)}" if hold is not None else text


class _Number:
    """A number in a phrase: `{n}` in words, `{n:f}` / `{n:m}` agreeing with its noun, `{n:d}` in digits."""

    def __init__(self, value: float, book: Phrasebook) -> None:
        self.value, self.book = value, book

    def __format__(self, spec: str) -> str:
        if spec == "d":
            return self.book.digits(self.value)
        return self.book.words(self.value, spec)


_DOUBLED_STOP = re.compile(r"(?<!\.)([.!?…])\.(?=\s|$)")  # (not an ellipsis: "Wait..." stays)


@functools.cache
def digest(language: str) -> str:
    """The phrasebook's file as a checksum: a track made with other wording is another track."""
    return hashlib.sha256(_source(language).encode()).hexdigest()


def _source(language: str) -> str:
    return (resources.files("stretchcue.authoring") / "phrasebooks" / f"{language}.toml").read_text("utf-8")


@functools.cache
def _rule(expression: str) -> Callable[[int], int]:
    return gettext.c2py(expression)


_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _english(n: int) -> str:
    """0..999 in words (as num2words says them: the tests compare); larger numbers stay digits."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return f"{_ONES[n // 100]} hundred" + ("" if rest == 0 else " and " + _english(rest))
    return str(n)


def _german(said: str, gender: str) -> str:
    return {"f": "eine", "m": "ein"}[gender] if said == "eins" else said


def _spanish(said: str, gender: str) -> str:
    if not said.endswith("uno"):
        return said
    if gender == "f":
        return said[:-1] + "a"  # una, veintiuna, treinta y una
    return said[:-3] + ("ún" if said.endswith("iuno") else "un")  # un, veintiún, treinta y un


def _french(said: str, gender: str) -> str:
    return said + "e" if gender == "f" and said.endswith("un") else said  # une, vingt et une


_AGREEMENT: dict[str, Callable[[str, str], str]] = {"de": _german, "es": _spanish, "fr": _french}


@functools.cache
def book(language: str = "en") -> Phrasebook:
    """The phrasebook of a language (one of LANGUAGES), read and checked."""
    if language not in LANGUAGES:
        raise ValueError(f"no phrasebook for {language!r} (there are: {', '.join(LANGUAGES)})")
    data = tomllib.loads(_source(language))
    hints = typing.get_type_hints(Phrasebook)
    fields = [f.name for f in dataclasses.fields(Phrasebook)]
    missing, unknown = set(fields) - set(data), set(data) - set(fields)
    if missing or unknown:
        raise ValueError(f"{language}.toml: missing {sorted(missing)}, unknown {sorted(unknown)}")
    values = {name: _entry(language, name, hints[name], data[name]) for name in fields}
    return Phrasebook(**values)  # type: ignore[arg-type]  # (each checked against its field's type)


def _entry(language: str, name: str, kind: object, value: object) -> object:
    """A phrasebook's entry, checked to be of its field's kind."""
    where = f"{language}.toml: {name}"
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{where}: expected a string")
        return value
    if kind == tuple[str, ...]:
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise ValueError(f"{where}: expected a list of strings")
        return tuple(value)
    if not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
        raise ValueError(f"{where}: expected a table of strings")
    return Plural(value) if kind is Plural else dict(value)


def title_only(name: str) -> str:
    """A name said on its own, as a sentence: "Glute stretch." """
    return name if name.endswith((".", "!", "?")) else f"{name}."


def capitalized(name: str) -> str:
    """A name as a sentence starts: its first letter upper case, the others as written (TRX stays TRX)."""
    return name[:1].upper() + name[1:]


# A sentence ends at . ! ? before a space and a capital (or the end), but not after one letter
# or a dotted abbreviation ("i.e.", "e.g.", "approx."): those are followed by more of the sentence.
_SENTENCE_END = re.compile(r"(?<!\b\w)(?<!\.\w)(?<!\bapprox)[.!?](?=\s+[\"'(¿¡]?[A-ZÀ-ÖØ-Þ]|\s*$)", re.IGNORECASE)


def first_sentence(text: str) -> str:
    """The first sentence of an exercise's instructions: brief guidance's reminder when it has none."""
    found = _SENTENCE_END.search(text)
    return title_only(text[: found.end() if found else len(text)].strip())
