"""The phrasebooks: every language says everything English says, with the same fields, in every
plural form its language has (CLDR's, through Babel), with numbers in words (num2words)."""

from __future__ import annotations

import dataclasses
import string

import pytest
from babel.core import Locale
from num2words import num2words

from stretchcue.authoring import phrases
from stretchcue.authoring.phrases import LANGUAGES, Plural
from stretchcue.authoring.routine import Guidance, Position

ENGLISH = phrases.book("en")
OTHERS = [language for language in LANGUAGES if language != "en"]
ABOUT = ("language", "name", "plural", "forms", "decimal")  # what a book says of itself, not phrases
SAME_WORD = {"minimal", "Timer"}  # words other languages share with English


def fields(entry: object) -> set[str]:
    """The fields a phrase fills in (of all its wordings or forms)."""
    texts = entry.forms.values() if isinstance(entry, Plural) else entry if isinstance(entry, tuple) else [entry]
    return {name for text in texts if isinstance(text, str) for _, name, _, _ in string.Formatter().parse(text) if name}


def phrases_of(book: phrases.Phrasebook) -> dict[str, object]:
    return {f.name: getattr(book, f.name) for f in dataclasses.fields(book) if f.name not in ABOUT}


@pytest.mark.parametrize("language", OTHERS)
def test_every_phrase_is_there_with_the_same_fields(language) -> None:
    book = phrases.book(language)
    assert book.language == language
    for key, entry in phrases_of(book).items():
        english = getattr(ENGLISH, key)
        if isinstance(entry, Plural):  # a form may say its number in its own words ("eine Minute")
            assert fields(entry) - {"n"} == fields(english) - {"n"}, (key, entry)
        elif isinstance(entry, dict) and not isinstance(english, Plural):
            assert entry.keys() == english.keys(), key
        else:
            assert fields(entry) == fields(english), (key, entry)
        if isinstance(entry, tuple) and key != "ordinals":  # as many wordings, or near it, to rotate through
            assert len(entry) >= min(2, len(english)), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_count_has_each_form_its_language_has(language) -> None:
    """The book's gettext rule is CLDR's for every whole number up to 1000 (the counts said: minutes,
    reps, seconds, stretches), and each plural phrase has every form CLDR names for the language."""
    book, rule = phrases.book(language), Locale.parse(language).plural_form
    assert [book.form(n) for n in range(1001)] == [rule(n) for n in range(1001)]
    needed = {rule(n) for n in range(1001)}
    assert set(book.forms) == needed
    for key, entry in phrases_of(book).items():
        if isinstance(entry, Plural):
            assert needed <= entry.forms.keys() <= needed | {k for k in entry.forms if k.startswith("=")}, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_are_said_as_num2words_says_them(language) -> None:
    book = phrases.book(language)
    assert [book.words(n) for n in range(1000)] == [num2words(n, lang=language) for n in range(1000)]
    assert book.fill(book.count, n=3) not in ("3.", "3")


def test_numbers_agree_with_their_nouns() -> None:
    said = {
        language: [phrases.book(language).words(n, gender) for n in (1, 21, 31, 2) for gender in ("f", "m")]
        for language in OTHERS
    }
    assert said["de"] == ["eine", "ein"] + ["einundzwanzig"] * 2 + ["einunddreißig"] * 2 + ["zwei", "zwei"]
    assert said["es"] == ["una", "un", "veintiuna", "veintiún", "treinta y una", "treinta y un", "dos", "dos"]
    assert said["fr"] == ["une", "un", "vingt et une", "vingt et un", "trente et une", "trente et un", "deux", "deux"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_level_and_position_has_its_words(language) -> None:
    book = phrases.book(language)
    assert set(book.guidance) == {level.value for level in Guidance}
    assert set(book.where) == {position.value for position in Position}


@pytest.mark.parametrize("language", OTHERS)
def test_no_english_is_left(language) -> None:
    """Nothing said or shown is English's word for word (a name aside: the fields are filled in)."""
    book = phrases.book(language)
    for key, entry in phrases_of(book).items():
        english = getattr(ENGLISH, key)
        mine = entry.forms if isinstance(entry, Plural) else entry
        theirs = english.forms if isinstance(english, Plural) else english
        if isinstance(mine, tuple | list):
            assert not set(mine) & set(theirs), key
        elif isinstance(mine, dict):
            assert not (set(mine.values()) - SAME_WORD) & set(theirs.values()), key
        elif key not in ("count", "chapter_way", "dose", "named_where", "title_level"):  # (no words: "{n}.")
            assert mine != theirs, key
