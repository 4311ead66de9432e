"""The loader: the bundled routine's facts, and one clear located error for each kind of bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stretchcue.authoring.routine import BUNDLED, Sides, load, parse
from stretchcue.authoring.yamlcheck import bundled_names
from stretchcue.errors import InputError

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
        (GOOD + "    hold: -3\n", 5, "exercises[0].hold", "at least 0.1"),
        (GOOD + "    hold: 0\n", 5, "exercises[0].hold", "at least 0.1"),
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


# -- YAML as people write it, and as an adversary would -------------------------------------------

MERGED = """\
title: Merged
gentle: &gentle {hold: 5, reps: 2}
exercises:
  - &cat
    name: Cat stretch
    instructions: Kneel and round your back.
    <<: *gentle
  - <<: [*cat, {name: Never used, rest: 1}]
    name: Cow stretch
    hold: 7
"""
EXPANDED = """\
title: Merged
exercises:
  - {name: Cat stretch, instructions: Kneel and round your back., hold: 5, reps: 2}
  - {name: Cow stretch, instructions: Kneel and round your back., hold: 7, reps: 2, rest: 1}
"""


def test_merge_keys_work_as_yaml_says() -> None:
    # A key written in the mapping wins over a merged one; an earlier merge wins over a later one.
    assert parse(MERGED.replace("gentle: &gentle", "defaults: &gentle").encode(), "r.yaml").exercises == (
        parse(EXPANDED.replace("exercises:", "defaults: {hold: 5, reps: 2}\nexercises:").encode(), "r.yaml").exercises
    )


def test_merged_keys_still_get_their_own_line_in_errors() -> None:
    text = "base: &b {hodl: 3}\n" + GOOD
    assert (
        str(error_for(text.replace("base:", "defaults:")))
        == "r.yaml:1: defaults.hodl: unknown key (did you mean 'hold'?)"
    )
    merged = GOOD + "    <<: {hold: -1}\n"
    assert str(error_for(merged)) == "r.yaml:5: exercises[0].hold: must be at least 0.1, got -1"


def test_emoji_with_joiners_are_text() -> None:
    family = "Family \U0001f468\u200d\U0001f469\u200d\U0001f467 stretch"
    assert parse(GOOD.replace("title: T", f"title: {family}").encode(), "r.yaml").title == family


PIECES = [
    "<<: ", "<<: *a", "&a ", "*a", "!!float ", "!!int ", "!!timestamp ", "!!bool ", "!!binary ", "!!set ",
    "!!map ", "!!seq ", "!!str ", "!!null ", "!shout ", "!!python/object:os.system ", "? ", "- ", ": ",
    "{", "}", "[", "]", "'", '"', "\t", "\n", "\n  ", "#", "...", "---\n", "%YAML 1.1\n", "\u202e", "\x00",
    "\ufeff", "é", "9x", "-1", "1e999", ".nan", ".inf", "~", "null", "yes", "no", "0x1f", "0o7", "1_000",
    "2024-13-45", "hold: ", "reps: ", "sides: ", "variations: ", "tips: ",
]  # fmt: skip


@pytest.mark.slow
@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(PIECES), st.integers(0, 4)), max_size=6))
def test_any_edit_of_a_routine_loads_or_gives_one_located_line(edits: list[tuple[int, str, int]]) -> None:
    """Insert YAML fragments (tags, anchors, merges, odd scalars) into a real routine, and delete a
    few characters: the loader returns a routine or raises InputError naming the file; nothing else."""
    text = (BUNDLED / "back-stretches.yaml").read_text(encoding="utf-8")
    for at, piece, cut in edits:
        at %= len(text) + 1
        text = text[:at] + piece + text[at + cut :]
    try:
        parse(text.encode("utf-8", errors="surrogatepass"), "fuzz.yaml")
    except InputError as err:
        message = str(err)
        assert message.startswith("fuzz.yaml") and "\n" not in message.strip(), message


@pytest.mark.parametrize("value", ['!!float ""', "!!int ''", "!!timestamp ''", "!!bool ''", "!!binary '!'"])
def test_empty_and_broken_tagged_values_are_located_errors(value: str) -> None:
    assert str(error_for(GOOD + f"    hold: {value}\n")).startswith("r.yaml:5: exercises[0].hold: ")
