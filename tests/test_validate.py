"""validate, new and schema: every error of every file at its line, a starter routine that builds
as written, and JSON Schemas that agree with the loaders (and with limits.py, so they cannot drift)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from jsonschema import Draft202012Validator
from test_bad_input import CASES

from stretchcue.authoring import routine as routines
from stretchcue.authoring.routine import Defaults, Position, Sides
from stretchcue.authoring.schema import MANIFEST, ROUTINE, schema_errors, schema_file, schema_text, schema_uri
from stretchcue.authoring.yamlcheck import MAX_TEXT, MAX_TITLE, bundled_names, parse_yaml
from stretchcue.errors import InputError
from stretchcue.limits import (
    MAX_BREATH,
    MAX_COUNTDOWN,
    MAX_EXERCISES,
    MAX_HOLD,
    MAX_MUSIC_LEVEL,
    MAX_REPS,
    MAX_REST,
    MIN_BREATH,
    MIN_HOLD,
    MIN_MUSIC_LEVEL,
    MUSIC_LEVEL,
)
from stretchcue.pipeline import manifest as manifests

GOOD = "title: T\nexercises:\n  - name: A\n    instructions: Do it.\n"
BAD = """\
titel: Evening
defaults: {hold: 0, reps: 2.5, sides: both}
exercises:
  - name: 12
    instructions: ""
    hodl: 3
    breathing: {in: 0, out: 6}
  - instructions: Lean.
    position: upside-down
    tips: [Breathe., 5]
    variations: []
"""
BAD_SAYS = """\
{f}:1: titel: unknown key (did you mean 'title'?)
{f}:1: title: is required
{f}:2: defaults.hold: must be at least 0.1, got 0
{f}:2: defaults.reps: expected a whole number, got 2.5
{f}:2: defaults.sides: expected one of none, each, alternate; got 'both'
{f}:4: exercises[0].name: expected text, got 12
{f}:5: exercises[0].instructions: must not be empty
{f}:6: exercises[0].hodl: unknown key (did you mean 'hold'?)
{f}:7: exercises[0].breathing.in: must be at least 1, got 0
{f}:8: exercises[1].name: is required
{f}:9: exercises[1].position: expected one of lying, face-down, kneeling, seated, standing; got 'upside-down'
{f}:10: exercises[1].tips[1]: expected text, got 5
{f}:11: exercises[1].variations: must not be empty
"""


def errors_of(run) -> list[str]:
    assert all(line.startswith("error: ") for line in run.err.splitlines()), run.err
    assert "Traceback" not in run.err
    return [line.removeprefix("error: ") for line in run.err.splitlines()]


def test_validate_lists_every_error_of_a_file_at_its_line(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    run = cli("validate", bad)
    assert run.code == 2 and run.out == ""
    assert errors_of(run) == BAD_SAYS.format(f=bad).splitlines()


def test_validate_checks_every_file(cli, tmp_path: Path) -> None:
    good, bad, manifest = tmp_path / "good.yaml", tmp_path / "bad.yaml", tmp_path / "m.yaml"
    good.write_text(GOOD)
    bad.write_text(GOOD.replace("Do it.", "Do it.\n    reps: 0\n    sides: both"))
    manifest.write_text("title: M\nhold: -1\ntracks:\n  - routine: good.yaml\n    voice: 3\n")
    run = cli("validate", good, "back-stretches", bad, manifest, tmp_path / "none.yaml", "back-series")
    assert run.code == 2
    assert run.out == f"{good}: ok\nback-stretches: ok\nback-series: ok\n"
    assert errors_of(run) == [
        f"{bad}:5: exercises[0].reps: must be at least 1, got 0",
        f"{bad}:6: exercises[0].sides: expected one of none, each, alternate; got 'both'",
        f"{manifest}:2: hold: must be at least 0.1, got -1",
        f"{manifest}:5: tracks[0].voice: expected text, got 3",
        f"{tmp_path / 'none.yaml'}: no such file",
    ]


def test_validate_good_files(cli, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "m.yaml").write_text(
        "title: M\ntracks:\n  - routine: good.yaml\n  - {routine: back-stretches, hold: 20}\n"
    )
    names = [*bundled_names(routines.BUNDLED), *bundled_names(manifests.BUNDLED)]
    run = cli("validate", tmp_path / "good.yaml", tmp_path / "m.yaml", *names)
    assert run.code == 0 and run.err == ""
    assert run.out.splitlines() == [f"{tmp_path / 'good.yaml'}: ok", f"{tmp_path / 'm.yaml'}: ok"] + [
        f"{name}: ok" for name in names
    ]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        # YAML syntax: one error, at its line, as every command gives it
        ("title: Hips: evening\nexercises: []\n", ":1: title: invalid YAML: a value holding ': ' must be quoted"),
        # what only the loader sees, once the schema finds nothing
        (GOOD + "music: calm.mp3\n", ":5: music: no music file "),
        (GOOD + "defaults: {hold: 600, reps: 20, rest: 600, sides: each}\n", ": the track would last over 3 hours"),
        (GOOD.replace("title: T", "title: !shout T"), ":1: title: unknown YAML tag '!shout'"),
        ("title: T\ntracks:\n  - routine: nowhere.yaml\n", ":3: tracks[0].routine: no routine file 'nowhere.yaml'"),
    ],
    ids=["yaml-syntax", "music-missing", "track-too-long", "yaml-tag", "manifest-routine-missing"],
)
def test_validate_gives_one_error_where_the_schema_cannot_look(cli, tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(content)
    run = cli("validate", path)
    assert run.code == 2 and run.out == ""
    assert len(errors_of(run)) == 1 and errors_of(run)[0].startswith(f"{path}{says}"), run.err


def test_new_writes_a_starter_that_validates_and_plans(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = cli("new", "Morning stretch: easy")
    path = tmp_path / "morning-stretch-easy.yaml"
    assert run.code == 0 and run.out == "routine: morning-stretch-easy.yaml\n" and run.err == ""
    assert os.listdir(tmp_path) == [path.name]  # and no temp file left
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == f"# yaml-language-server: $schema={schema_uri(ROUTINE)}"
    assert Path(url2pathname(urlparse(schema_uri(ROUTINE)).path)).read_text() == schema_text(ROUTINE)
    # Every field of the schema is written with a comment on its line (music's line is itself a
    # comment), or shown in one ({in: 4, out: 6}).
    commented = {m[1] for m in re.finditer(r"^[#\s-]*(\w+): .*#", text, re.MULTILINE)}
    shown = set(re.findall(r"(?:\{|, )(\w+): ", text))
    assert set(field_names(json.loads(schema_text(ROUTINE)))) <= commented | shown
    loaded = routines.load(path)
    assert loaded.title == "Morning stretch: easy"
    assert [e.sides for e in loaded.exercises if not e.variations] == [Sides.EACH]
    assert [len(e.variations) for e in loaded.exercises if e.variations] == [2]
    assert cli("validate", path).out == f"{path}: ok\n"
    assert cli("plan", path, "--voice", "beep").code == 0


def test_new_never_replaces_a_file(cli, tmp_path: Path) -> None:
    mine, link = tmp_path / "mine.yaml", tmp_path / "link.yaml"
    mine.write_text("my own\n")
    link.symlink_to(tmp_path / "nowhere.yaml")
    for path in (mine, link):
        run = cli("new", "Evening", "--out", path)
        assert run.code == 2 and run.out == ""
        assert run.err == f"error: {path} exists; move it away or choose another --out\n"
    assert mine.read_text() == "my own\n" and link.is_symlink() and not link.exists()
    assert sorted(os.listdir(tmp_path)) == ["link.yaml", "mine.yaml"]


@pytest.mark.parametrize(
    ("title", "says"),
    [("🧘", "TITLE: '🧘' has no words to speak"), ("x" * 201, "TITLE: is 201 characters long; at most 200")],
)
def test_new_refuses_a_title_the_loader_would(cli, tmp_path: Path, title: str, says: str) -> None:
    run = cli("new", title, "--out", tmp_path / "r.yaml")
    assert run.code == 2 and run.err == f"error: {says}\n" and os.listdir(tmp_path) == []


@pytest.mark.parametrize("kind", [ROUTINE, MANIFEST])
def test_schema_prints_a_draft_2020_12_schema(cli, kind: str) -> None:
    run = cli("schema", *(["--manifest"] if kind == MANIFEST else []))
    assert run.code == 0 and run.err == ""
    schema = json.loads(run.out)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:stretchcue:{kind}.schema.json" and schema == json.loads(schema_text(kind))


def resolve(schema: dict, part: dict) -> dict:
    """A part of a schema with its $ref's keywords merged in (its own win)."""
    if "$ref" in part:
        return {**resolve(schema, schema["$defs"][part["$ref"].removeprefix("#/$defs/")]), **part}
    return part


def fields(schema: dict, part: dict, prefix: str = "") -> dict[str, dict]:
    """Every field a schema describes, by name (exercises[].hold), each resolved."""
    part = resolve(schema, part)
    found = {}
    for choice in [part, *part.get("anyOf", ())]:
        choice = resolve(schema, choice)
        for name, field in choice.get("properties", {}).items():
            found[prefix + name] = resolve(schema, field)
            found |= fields(schema, field, f"{prefix}{name}.")
        if "items" in choice:
            found |= fields(schema, choice["items"], f"{prefix.removesuffix('.')}[].")
    return found


def field_names(schema: dict) -> set[str]:
    return {name.rpartition(".")[2] for name in fields(schema, schema)}


@pytest.mark.parametrize("kind", [ROUTINE, MANIFEST])
def test_every_field_has_a_description_and_a_type(kind: str) -> None:
    schema = json.loads(schema_text(kind))
    for name, field in fields(schema, schema).items():
        assert field.get("description"), name
        choices = [resolve(schema, c) for c in field.get("anyOf", [field])]
        assert all("type" in c or "const" in c or "enum" in c for c in choices), name
        assert "properties" not in field or field["additionalProperties"] is False, name


def test_the_schemas_numbers_are_the_loaders() -> None:
    routine, manifest = (json.loads(schema_text(kind)) for kind in (ROUTINE, MANIFEST))
    for schema in (routine, manifest):
        of = fields(schema, schema)
        defs = schema["$defs"]
        assert (defs["hold"]["minimum"], defs["hold"]["maximum"]) == (MIN_HOLD, MAX_HOLD)
        assert (defs["reps"]["minimum"], defs["reps"]["maximum"]) == (1, MAX_REPS)
        level = of["music.level"]
        assert (level["minimum"], level["maximum"], level["default"]) == (MIN_MUSIC_LEVEL, MAX_MUSIC_LEVEL, MUSIC_LEVEL)
        assert defs["name"]["maxLength"] == MAX_TITLE and defs["text"]["maxLength"] == MAX_TEXT
        assert defs["file"]["maxLength"] == MAX_TEXT
    defs, of = routine["$defs"], fields(routine, routine)
    assert (defs["rest"]["minimum"], defs["rest"]["maximum"]) == (0, MAX_REST)
    assert (defs["breath"]["minimum"], defs["breath"]["maximum"]) == (MIN_BREATH, MAX_BREATH)
    assert (of["defaults.countdown"]["minimum"], of["defaults.countdown"]["maximum"]) == (0, MAX_COUNTDOWN)
    assert routine["properties"]["exercises"]["maxItems"] == MAX_EXERCISES
    assert manifest["properties"]["tracks"]["maxItems"] == manifests.MAX_TRACKS
    built_in = Defaults()
    assert {name: field["default"] for name, field in routine["properties"]["defaults"]["properties"].items()} == {
        "hold": built_in.hold,
        "reps": built_in.reps,
        "rest": built_in.rest,
        "countdown": built_in.countdown,
        "sides": built_in.sides.value,
        "chimes": built_in.chimes,
        "halfway": built_in.halfway,
        "breathing": built_in.breathing or False,  # (no breathing tones)
        "guidance": built_in.guidance.value,
    }
    assert defs["sides"]["anyOf"][0]["enum"] == [side.value for side in Sides]
    assert defs["position"]["anyOf"][0]["enum"] == [position.value for position in Position]


def schema_says(path: Path, kind: str) -> list[InputError]:
    return schema_errors(parse_yaml(path.read_bytes(), str(path)), str(path), kind)


BUNDLED = [(ROUTINE, routines.BUNDLED, name) for name in bundled_names(routines.BUNDLED)]
BUNDLED += [(MANIFEST, manifests.BUNDLED, name) for name in bundled_names(manifests.BUNDLED)]


@pytest.mark.parametrize(("kind", "folder", "name"), BUNDLED, ids=[b[2] for b in BUNDLED])
def test_bundled_files_pass_the_schema_and_the_loader_and_name_their_schema(kind, folder, name: str) -> None:
    path = Path(str(folder / f"{name}.yaml"))
    assert schema_says(path, kind) == []
    (routines.load if kind == ROUTINE else manifests.load)(name)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    relative = first.removeprefix("# yaml-language-server: $schema=")
    assert relative != first and not relative.startswith("/")
    assert (path.parent / relative).resolve() == Path(str(schema_file(kind))).resolve()


@pytest.mark.parametrize(
    "line",
    ["sides: Each", "sides: no", "sides: ALTERNATE", "position: Face-Down", "breathing: false", "tips: One."],
)
def test_forms_the_loader_takes_pass_the_schema(tmp_path: Path, line: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(f"{GOOD}    {line}\n")
    routines.load(path)
    assert schema_says(path, ROUTINE) == []


# The cases of test_bad_input.py whose routine or manifest file has a problem a schema expresses
# (types, ranges, lengths, enums, unknown, missing and empty keys and lists): the schema and the
# loader both refuse each, and at the same line and field.
SCHEMA_CASES = [
    *("breathing-a-number", "top-list", "unknown-top", "unknown-exercise-key", "unknown-default"),
    *("missing-title", "missing-exercises", "missing-name", "missing-instructions"),
    *("empty-exercises", "empty-variations", "exercises-mapping", "exercise-string"),
    *("title-list", "name-number", "title-null", "tag-set"),
    *("hold-zero", "hold-negative", "hold-text", "hold-absurd", "hold-infinite"),
    *("reps-zero", "reps-fraction", "reps-absurd", "reps-boolean", "rest-negative", "rest-absurd"),
    *("countdown-absurd", "sides-unknown", "instructions-empty", "instructions-100kB", "title-500"),
    *("manifest-unknown-key", "manifest-hold", "manifest-reps", "manifest-no-tracks", "manifest-track-title"),
    *("merge-unknown-key", "merge-brings-typo", "merge-bad-value"),
]
# The other cases with a routine or manifest file, and why a schema cannot see what is wrong.
# (validate still reports each: the loader runs when the schema finds nothing.)
SYNTAX = "no YAML tree to check: syntax errors, empty, binary, UTF-16 or not UTF-8"
TOO_BIG = "over the limits the reader applies before anything else (size, nesting, expanded aliases)"
DUPLICATE = "a duplicate key: YAML data keeps only the last one, so the schema never sees two"
TAGS = "a YAML tag the schema never sees: an unknown one, a value that is not what it claims, a bad merge"
NAN = "NaN: JSON has no NaN, and every comparison with it is false, so no bound refuses it"
CHARACTERS = "which characters a text holds (control and bidi characters, a letter or digit to speak)"
OUTSIDE = "outside the file: files and voices it names, another file's errors, the whole track's length"
EXCLUDED = {
    **dict.fromkeys(["yaml-unclosed", "yaml-tab", "yaml-colon-in-a-value", "yaml-indented-out-of-line"], SYNTAX),
    **dict.fromkeys(["yaml-indented-further", "yaml-unclosed-list", "yaml-unclosed-mapping"], SYNTAX),
    **dict.fromkeys(["yaml-unclosed-quote", "yaml-empty", "yaml-comment-only", "not-utf8", "utf16", "binary"], SYNTAX),
    **dict.fromkeys(["alias-bomb", "deep-nesting", "huge-file"], TOO_BIG),
    "duplicate-key": DUPLICATE,
    **dict.fromkeys(["tag-unknown", "tag-float", "tag-int", "tag-timestamp", "tag-bool", "tag-python"], TAGS),
    **dict.fromkeys(["tag-on-mapping", "merge-scalar"], TAGS),
    "hold-nan": NAN,
    **dict.fromkeys(["instructions-control", "title-control", "title-bidi-override"], CHARACTERS),
    **dict.fromkeys(["text-dots", "text-bangs", "title-emoji-only"], CHARACTERS),
    **dict.fromkeys(["track-too-long", "manifest-routine-missing", "manifest-voice", "manifest-bad-routine"], OUTSIDE),
}
FILE_CASES = {  # (id, files, args, says) of the cases whose argument is a file they write
    c[0]: c
    for c in CASES
    if len(c[2]) > 1 and c[2][0] in ("build", "plan", "batch") and c[2][1].removeprefix("{in}/") in c[1]
}


def test_every_file_case_is_sorted() -> None:
    assert set(SCHEMA_CASES) | set(EXCLUDED) == set(FILE_CASES) and not set(SCHEMA_CASES) & set(EXCLUDED)


@pytest.mark.parametrize("case", SCHEMA_CASES)
def test_the_schema_and_the_loader_refuse_alike(cli, tmp_path: Path, case: str) -> None:
    _, files, args, _ = FILE_CASES[case]
    for name, content in files.items():
        (tmp_path / name).write_text(content.replace("{in}", str(tmp_path)))
    path = tmp_path / args[1].removeprefix("{in}/")
    kind = MANIFEST if args[0] == "batch" else ROUTINE
    with pytest.raises(InputError) as refused:
        (manifests.load if kind == MANIFEST else routines.load)(path)
    found = schema_says(path, kind)
    assert (refused.value.line, refused.value.field) in [(e.line, e.field) for e in found], (refused.value, found)
    run = cli("validate", path)
    assert run.code == 2 and errors_of(run) == [str(e) for e in found]
