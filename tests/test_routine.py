"""The loader: the bundled routine's facts, and one clear located error for each kind of bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from stretchcue.errors import InputError
from stretchcue.routine import BUNDLED, Sides, load, parse
from stretchcue.yamlcheck import bundled_names

GOOD = """\
title: T
exercises:
  - name: A
    instructions: Do it.
"""


def error_for(text: str | bytes) -> InputError:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(InputError) as caught:
        parse(data, "r.yaml")
    return caught.value


def test_bundled_back_stretches_follows_the_seed() -> None:
    routine = load("back-stretches")
    names = [e.name for e in routine.exercises]
    assert names == [
        "Glute stretch",
        "Piriformis stretch",
        "Hamstring stretch",
        "Abdominal stretch",
        "Back rotator stretch",
        "Side stretch",
        "Psoas stretch",
    ]
    assert all(e.reps == 3 for e in routine.exercises)
    assert all(5 <= e.hold <= 30 for e in routine.exercises)
    by_name = {e.name: e for e in routine.exercises}
    assert by_name["Abdominal stretch"].sides is Sides.NONE
    assert by_name["Psoas stretch"].sides is Sides.EACH
    rotator = by_name["Back rotator stretch"]
    assert rotator.sides is Sides.ALTERNATE and len(rotator.variations) == 2
    assert "back-stretches" in bundled_names(BUNDLED)


def test_defaults_apply_and_exercise_values_win() -> None:
    routine = parse(
        b"title: T\ndefaults: {hold: 7, reps: 2, rest: 0, countdown: 1, sides: each}\n"
        b"exercises:\n  - {name: A, instructions: x}\n  - {name: B, instructions: y, hold: 12.5, sides: none}\n",
        "r.yaml",
    )
    a, b = routine.exercises
    assert (a.hold, a.reps, a.rest, a.sides) == (7.0, 2, 0.0, Sides.EACH)
    assert (b.hold, b.sides) == (12.5, Sides.NONE)
    assert routine.countdown == 1


def test_tips_take_a_string_or_a_list() -> None:
    one = parse(GOOD.replace("Do it.", "Do it.\n    tips: Breathe.").encode(), "r.yaml")
    many = parse(GOOD.replace("Do it.", "Do it.\n    tips: [Breathe., Relax.]").encode(), "r.yaml")
    assert one.exercises[0].tips == ("Breathe.",)
    assert many.exercises[0].tips == ("Breathe.", "Relax.")


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (GOOD.replace("name: A", "nmae: A"), 3, "exercises[0].nmae", "did you mean 'name'"),
        (GOOD + "    hold: -3\n", 5, "exercises[0].hold", "greater than 0"),
        (GOOD + "    hold: 0\n", 5, "exercises[0].hold", "greater than 0"),
        (GOOD + "    hold: ten\n", 5, "exercises[0].hold", "expected a number"),
        (GOOD + "    reps: 2.5\n", 5, "exercises[0].reps", "whole number"),
        (GOOD + "    reps: true\n", 5, "exercises[0].reps", "whole number"),
        (GOOD + "    sides: both\n", 5, "exercises[0].sides", "none, each, alternate"),
        (GOOD + "    hold: 100000\n", 5, "exercises[0].hold", "at most 600"),
        ("title: T\nexercises: []\n", 2, "exercises", "must not be empty"),
        ("title: T\n", 1, "exercises", "is required"),
        ("exercises:\n  - {name: A, instructions: x}\n", 1, "title", "is required"),
        (GOOD.replace("Do it.", "''"), 4, "exercises[0].instructions", "must not be empty"),
        (GOOD.replace("name: A", "name: 12"), 3, "exercises[0].name", "expected text"),
        ("title: T\ntitle: U\nexercises: []\n", 2, "title", "appears twice"),
        ("- a\n- b\n", 1, "", "expected a mapping"),
        ("title: T\ndefaults: {countdown: 11}\nexercises: []\n", 2, "defaults.countdown", "at most 10"),
    ],
)
def test_bad_values_name_line_and_field(text: str, line: int, field: str, words: str) -> None:
    err = error_for(text)
    assert (err.line, err.field) == (line, field)
    assert words in err.message
    assert str(err).startswith(f"r.yaml:{line}: ")
    assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"title: [unclosed\n", "invalid YAML"),
        (b"", "is empty"),
        (b"title: caf\xe9\n", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "binary"),
        (
            b"a: &a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            b"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
            b"f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
            "aliases",
        ),
    ],
)
def test_unreadable_files_get_one_line(data: bytes, words: str) -> None:
    err = error_for(data)
    assert words in str(err) and "\n" not in str(err)


def test_a_byte_order_mark_is_accepted() -> None:
    assert parse(b"\xef\xbb\xbf" + GOOD.encode(), "r.yaml").title == "T"


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "absent.yaml")
    with pytest.raises(InputError, match="directory"):
        load(tmp_path)
    with pytest.raises(InputError, match="bundled: back-stretches"):
        load("no-such-routine")
