"""Every bad input: exit status 2, one line naming the file, line and field (or the option),
no traceback, and nothing written. Cases run through the real command line, in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

OK = "title: T\nexercises:\n  - name: A\n    instructions: Do it.\n"


def routine_with(line: str) -> str:
    """The minimal routine with one more line in its exercise."""
    return OK + f"    {line}\n"


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcde", "bcdef", strict=True)
)
TOO_LONG = (
    "title: T\ndefaults: {hold: 600, reps: 20, rest: 600, sides: each}\nexercises:\n  - {name: A, instructions: x}\n"
)
BEEP = ["--voice", "beep"]

# (id, files to create, arguments, what the one line must say). {in} is the folder of the files.
CASES = [
    # -- routine files: syntax and encoding
    (
        "yaml-unclosed",
        {"r.yaml": "title: [oops\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:1: title: invalid YAML: a [ or { is opened here and never closed",
    ),
    (
        "yaml-tab",
        {"r.yaml": "title: T\nexercises:\n\t- name: A\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:3: name: invalid YAML: a tab: indent with spaces",
    ),
    (
        "yaml-colon-in-a-value",
        {"r.yaml": "title: Hips: evening\nexercises:\n  - {name: A, instructions: B.}\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:1: title: invalid YAML: a value holding ': ' must be quoted",
    ),
    (
        "yaml-indented-out-of-line",
        {"r.yaml": "title: T\nexercises:\n  - name: A\n    instructions: B.\n   hold: 5\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: hold: invalid YAML: this line is not indented like the lines of its block",
    ),
    (
        "yaml-indented-further",  # the parser reads it as more of the value above: not a colon to quote
        {"r.yaml": "title: T\ndefaults:\n  hold: 5\n   reps: 2\nexercises:\n  - {name: A, instructions: B.}\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:4: reps: invalid YAML: this line is indented further than the line above it",
    ),
    (
        "yaml-unclosed-list",  # named where the [ opens, not at the next key
        {"r.yaml": "title: T\nexercises:\n  - name: A\n    instructions: B.\n    tips: [Relax.\n    sides: each\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: tips: invalid YAML: a [ or { is opened here and never closed",
    ),
    (
        "yaml-unclosed-mapping",
        {
            "r.yaml": "title: T\ndefaults:\n  breathing: {in: 4, out: 6\n  hold: 3\n"
            "exercises:\n  - {name: A, instructions: B.}\n"
        },
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:3: breathing: invalid YAML: a [ or { is opened here and never closed",
    ),
    (
        "yaml-unclosed-quote",
        {"r.yaml": 'title: T\nexercises:\n  - name: "A\n    instructions: B.\n'},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:3: name: invalid YAML: a quote is opened here and never closed",
    ),
    (
        "breathing-a-number",
        {"r.yaml": "title: T\nexercises:\n  - {name: A, instructions: B., breathing: 4}\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:3: exercises[0].breathing: expected the seconds of each breath, e.g. {in: 4, out: 6}, or false",
    ),
    ("yaml-empty", {"r.yaml": ""}, ["build", "{in}/r.yaml"], "{in}/r.yaml: is empty"),
    ("yaml-comment-only", {"r.yaml": "# nothing\n"}, ["build", "{in}/r.yaml"], "{in}/r.yaml: is empty"),
    ("not-utf8", {"r.yaml": b"title: caf\xe9\n"}, ["build", "{in}/r.yaml"], "{in}/r.yaml:1: is not UTF-8"),
    ("utf16", {"r.yaml": OK.encode("utf-16")}, ["build", "{in}/r.yaml"], "{in}/r.yaml: is UTF-16"),
    ("binary", {"r.yaml": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"}, ["build", "{in}/r.yaml"], "{in}/r.yaml: is a binary file"),
    ("alias-bomb", {"r.yaml": BOMB}, ["build", "{in}/r.yaml"], "too large once YAML aliases are expanded"),
    ("deep-nesting", {"r.yaml": "title: " + "[" * 3000 + "]" * 3000}, ["build", "{in}/r.yaml"], "nested too deeply"),
    ("huge-file", {"r.yaml": OK + "#" * 1_100_000}, ["build", "{in}/r.yaml"], "{in}/r.yaml: is 1,100,"),
    (
        "duplicate-key",
        {"r.yaml": "title: T\ntitle: U\nexercises: []\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:2: title: appears twice",
    ),
    # -- routine files: shape
    ("top-list", {"r.yaml": "- a\n- b\n"}, ["build", "{in}/r.yaml"], "{in}/r.yaml:1: expected a mapping"),
    (
        "unknown-top",
        {"r.yaml": OK.replace("title", "titel")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:1: titel: unknown key (did you mean 'title'?)",
    ),
    (
        "unknown-exercise-key",
        {"r.yaml": routine_with("instruction: x")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].instruction: unknown key (did you mean 'instructions'?)",
    ),
    (
        "unknown-default",
        {"r.yaml": OK + "defaults: {hodl: 3}\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: defaults.hodl: unknown key (did you mean 'hold'?)",
    ),
    (
        "missing-title",
        {"r.yaml": OK.replace("title: T\n", "")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:1: title: is required",
    ),
    ("missing-exercises", {"r.yaml": "title: T\n"}, ["build", "{in}/r.yaml"], "{in}/r.yaml:1: exercises: is required"),
    (
        "missing-name",
        {"r.yaml": "title: T\nexercises:\n  - instructions: x\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:3: exercises[0].name: is required",
    ),
    (
        "missing-instructions",
        {"r.yaml": "title: T\nexercises:\n  - name: A\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:3: exercises[0].instructions: is required",
    ),
    (
        "empty-exercises",
        {"r.yaml": "title: T\nexercises: []\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:2: exercises: must not be empty",
    ),
    (
        "empty-variations",
        {"r.yaml": routine_with("variations: []")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].variations: must not be empty",
    ),
    (
        "exercises-mapping",
        {"r.yaml": "title: T\nexercises: {a: 1}\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:2: exercises: expected a list",
    ),
    (
        "exercise-string",
        {"r.yaml": "title: T\nexercises:\n  - just a name\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:3: exercises[0]: expected a mapping",
    ),
    (
        "title-list",
        {"r.yaml": OK.replace("title: T", "title: [a, b]")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:1: title: expected text",
    ),
    (
        "name-number",
        {"r.yaml": OK.replace("name: A", "name: 12")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:3: exercises[0].name: expected text, got 12",
    ),
    (
        "title-null",
        {"r.yaml": OK.replace("title: T", "title:")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:1: title: expected text, got None",
    ),
    # -- routine files: values and limits
    (
        "hold-zero",
        {"r.yaml": routine_with("hold: 0")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].hold: must be at least 0.1, got 0",
    ),
    (
        "hold-negative",
        {"r.yaml": routine_with("hold: -5")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].hold: must be at least 0.1",
    ),
    (
        "hold-text",
        {"r.yaml": routine_with("hold: ten")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].hold: expected a number of seconds, got 'ten'",
    ),
    (
        "hold-absurd",
        {"r.yaml": routine_with("hold: 100000")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].hold: must be at most 600",
    ),
    (
        "hold-nan",
        {"r.yaml": routine_with("hold: .nan")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].hold: expected a number",
    ),
    (
        "hold-infinite",
        {"r.yaml": routine_with("hold: .inf")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].hold: must be at most 600",
    ),
    (
        "reps-zero",
        {"r.yaml": routine_with("reps: 0")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].reps: must be at least 1",
    ),
    (
        "reps-fraction",
        {"r.yaml": routine_with("reps: 2.5")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].reps: expected a whole number",
    ),
    (
        "reps-absurd",
        {"r.yaml": routine_with("reps: 1000")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].reps: must be at most 20",
    ),
    (
        "reps-boolean",
        {"r.yaml": routine_with("reps: yes")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].reps: expected a whole number, got True",
    ),
    (
        "rest-negative",
        {"r.yaml": routine_with("rest: -1")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].rest: must be at least 0",
    ),
    (
        "rest-absurd",
        {"r.yaml": routine_with("rest: 99999")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].rest: must be at most 600",
    ),
    (
        "countdown-absurd",
        {"r.yaml": OK + "defaults: {countdown: 99}\n"},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: defaults.countdown: must be at most 10",
    ),
    (
        "sides-unknown",
        {"r.yaml": routine_with("sides: both")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:5: exercises[0].sides: expected one of none, each, alternate",
    ),
    (
        "instructions-empty",
        {"r.yaml": OK.replace("Do it.", "''")},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:4: exercises[0].instructions: must not be empty",
    ),
    (
        "instructions-100kB",
        {"r.yaml": OK.replace("Do it.", "word " * 20_000)},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:4: exercises[0].instructions: is 99,999 characters long; at most 2,000",
    ),
    (
        "instructions-control",
        {"r.yaml": OK.replace("Do it.", '"Ring \\a bell"')},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:4: exercises[0].instructions: contains a control character (U+0007)",
    ),
    (
        "title-control",
        {"r.yaml": OK.replace("title: T", 'title: "A\\x1b[31m"')},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:1: title: contains a control character (U+001B)",
    ),
    (
        "title-500",
        {"r.yaml": OK.replace("title: T", "title: " + "x" * 500)},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml:1: title: is 500 characters long; at most 200",
    ),
    (
        "track-too-long",
        {"r.yaml": TOO_LONG},
        ["build", "{in}/r.yaml"],
        "{in}/r.yaml: the track would last over 3 hours",
    ),
    # -- the routine argument
    ("routine-directory", {"d/x": "x"}, ["build", "{in}/d"], "{in}/d: is a directory, not a file"),
    ("routine-missing", {}, ["build", "{in}/missing.yaml"], "{in}/missing.yaml: no such file"),
    (
        "routine-unknown-name",
        {},
        ["build", "back-strech"],
        "back-strech: no such routine file or bundled routine (bundled: ",
    ),
    ("routine-device", {}, ["build", "/dev/zero"], "/dev/zero: is not a regular file"),
    # -- manifests
    (
        "manifest-unknown-key",
        {"m.yaml": "title: M\ntrack:\n  - routine: back-stretches\n"},
        ["batch", "{in}/m.yaml"],
        "{in}/m.yaml:2: track: unknown key (did you mean 'tracks'?)",
    ),
    (
        "manifest-routine-missing",
        {"m.yaml": "title: M\ntracks:\n  - routine: nowhere.yaml\n"},
        ["batch", "{in}/m.yaml"],
        "{in}/m.yaml:3: tracks[0].routine: no routine file 'nowhere.yaml'",
    ),
    (
        "manifest-hold",
        {"m.yaml": "title: M\ntracks:\n  - routine: back-stretches\n    hold: 0\n"},
        ["batch", "{in}/m.yaml"],
        "{in}/m.yaml:4: tracks[0].hold: must be at least 0.1",
    ),
    (
        "manifest-reps",
        {"m.yaml": "title: M\nreps: many\ntracks:\n  - routine: back-stretches\n"},
        ["batch", "{in}/m.yaml"],
        "{in}/m.yaml:2: reps: expected a whole number",
    ),
    (
        "manifest-voice",
        {"m.yaml": "title: M\ntracks:\n  - routine: back-stretches\n    voice: nobody\n"},
        ["batch", "{in}/m.yaml"],
        "{in}/m.yaml:4: tracks[0].voice: no voice profile 'nobody'",
    ),
    (
        "manifest-no-tracks",
        {"m.yaml": "title: M\ntracks: []\n"},
        ["batch", "{in}/m.yaml"],
        "{in}/m.yaml:2: tracks: must not be empty",
    ),
    (
        "manifest-bad-routine",
        {"m.yaml": "title: M\ntracks:\n  - routine: r.yaml\n", "r.yaml": routine_with("reps: 0")},
        ["batch", "{in}/m.yaml"],
        "{in}/r.yaml:5: exercises[0].reps: must be at least 1",
    ),
    ("manifest-missing", {}, ["batch", "{in}/none.yaml"], "{in}/none.yaml: no such file"),
    (
        "manifest-track-title",
        {"m.yaml": 'title: M\ntracks:\n  - routine: back-stretches\n    title: "\\t"\n'},
        ["batch", "{in}/m.yaml"],
        "{in}/m.yaml:4: tracks[0].title: must not be empty",
    ),
    # -- command-line options
    ("option-hold-zero", {}, ["build", "back-stretches", "--hold", "0"], "'--hold'"),
    ("option-hold-negative", {}, ["build", "back-stretches", "--hold", "-3"], "'--hold'"),
    ("option-hold-text", {}, ["build", "back-stretches", "--hold", "abc"], "'--hold'"),
    ("option-hold-absurd", {}, ["build", "back-stretches", "--hold", "100000"], "'--hold'"),
    ("option-reps-zero", {}, ["build", "back-stretches", "--reps", "0"], "'--reps'"),
    ("option-reps-fraction", {}, ["build", "back-stretches", "--reps", "2.5"], "'--reps'"),
    ("option-reps-absurd", {}, ["plan", "back-stretches", "--reps", "100"], "'--reps'"),
    ("option-unknown", {}, ["build", "back-stretches", "--hodl", "3"], "--hodl"),
    ("option-missing-argument", {}, ["build"], "Missing argument 'ROUTINE'"),
    (
        "progression-backwards",
        {},
        ["progression", "back-stretches", "--from", "30", "--to", "10"],
        "--to (10) must not be less than --from (30)",
    ),
    ("progression-step-zero", {}, ["progression", "back-stretches", "--step", "0"], "'--step'"),
    (
        "progression-too-many",
        {},
        ["progression", "back-stretches", "--from", "1", "--to", "600", "--step", "1"],
        "--step: that makes over 50 sessions",
    ),
    (
        "voice-unknown",
        {},
        ["build", "back-stretches", "--voice", "nobody"],
        "no voice profile 'nobody' (there are: beep, piper, system)",
    ),
    (
        "voice-bad-toml",
        {"v.toml": "engine = \n"},
        ["build", "back-stretches", "--voice", "{in}/v.toml"],
        "{in}/v.toml: invalid voice profile",
    ),
    (
        "voice-unknown-engine",
        {"v.toml": 'engine = "festival"\n'},
        ["build", "back-stretches", "--voice", "{in}/v.toml"],
        "{in}/v.toml: engine: unknown engine 'festival'",
    ),
    (
        "voice-unknown-key",
        {"v.toml": 'engine = "beep"\nspeed = 2\n'},
        ["build", "back-stretches", "--voice", "{in}/v.toml"],
        "{in}/v.toml: speed: unknown key",
    ),
    (
        "voice-bad-setting",
        {"v.toml": 'engine = "beep"\n[settings]\npitch = 2\n'},
        ["build", "back-stretches", "--voice", "{in}/v.toml"],
        "{in}/v.toml: settings.pitch: unknown setting for engine 'beep'",
    ),
    (
        "voice-setting-type",
        {"v.toml": 'engine = "piper"\n[settings]\nlength_scale = "slow"\n'},
        ["build", "back-stretches", "--voice", "{in}/v.toml"],
        "{in}/v.toml: settings.length_scale: expected a number >= 0, got 'slow'",
    ),
    (
        "voice-setting-negative",
        {"v.toml": 'engine = "system"\n[settings]\nrate = -150\n'},
        ["build", "back-stretches", "--voice", "{in}/v.toml"],
        "{in}/v.toml: settings.rate: expected a number >= 0, got -150",
    ),
    (
        "voice-setting-text",
        {"v.toml": 'engine = "system"\n[settings]\nvoice = 3\n'},
        ["build", "back-stretches", "--voice", "{in}/v.toml"],
        "{in}/v.toml: settings.voice: expected str, got 3",
    ),
    (
        "voice-corrupt-model",
        {
            "v.toml": 'engine = "piper"\n[settings]\nmodel = "{in}/bad.onnx"\n',
            "bad.onnx": b"\x08\x01garbage",
            "bad.onnx.json": "{}",
        },
        ["build", "back-stretches", "--voice", "{in}/v.toml"],
        "could not be loaded",
    ),
    ("out-is-a-file", {"f": "x"}, ["build", "back-stretches", "--out", "{in}/f"], "--out: {in}/f is not a folder"),
    (
        "out-under-a-file",
        {"f": "x"},
        ["build", "back-stretches", "--out", "{in}/f/sub"],
        "--out: {in}/f is not a folder",
    ),
    ("plan-cache-is-a-file", {"f": "x"}, ["plan", "back-stretches", "--cache", "{in}/f"], "--cache: {in}/f is not"),
    ("build-cache-under-a-file", {"f": "x"}, ["build", "back-stretches", "--cache", "{in}/f/c"], "--cache: {in}/f is"),
    # -- YAML that PyYAML itself cannot construct: tags, tagged values, merge keys
    (
        "tag-unknown",
        {"r.yaml": OK.replace("title: T", "title: !shout T")},
        ["plan", "{in}/r.yaml"],
        ":1: title: unknown YAML tag '!shout'",
    ),
    (
        "tag-float",
        {"r.yaml": routine_with("hold: !!float ten")},
        ["plan", "{in}/r.yaml"],
        ":5: exercises[0].hold: 'ten' is not a valid !!float",
    ),
    (
        "tag-int",
        {"r.yaml": routine_with("reps: !!int 9x")},
        ["plan", "{in}/r.yaml"],
        ":5: exercises[0].reps: '9x' is not a valid !!int",
    ),
    (
        "tag-timestamp",
        {"r.yaml": routine_with("feel: !!timestamp 2024-13-45")},
        ["plan", "{in}/r.yaml"],
        ":5: exercises[0].feel: '2024-13-45' is not a valid !!timestamp",
    ),
    (
        "tag-bool",
        {"r.yaml": routine_with("sides: !!bool maybe")},
        ["plan", "{in}/r.yaml"],
        ":5: exercises[0].sides: 'maybe' is not a valid !!bool",
    ),
    (
        "tag-python",
        {"r.yaml": routine_with("feel: !!python/name:os.system x")},
        ["plan", "{in}/r.yaml"],
        "exercises[0].feel: unknown YAML tag",
    ),
    (
        "tag-on-mapping",
        {"r.yaml": "title: T\nexercises:\n  - !ex {name: A, instructions: Go.}\n"},
        ["plan", "{in}/r.yaml"],
        ":3: exercises[0]: unknown YAML tag '!ex'",
    ),
    (
        "tag-set",
        {"r.yaml": "title: T\nexercises: !!set {a, b}\n"},
        ["plan", "{in}/r.yaml"],
        ":2: exercises: expected a list",
    ),
    (
        "merge-scalar",
        {"r.yaml": routine_with("<<: 5")},
        ["plan", "{in}/r.yaml"],
        ":5: exercises[0].<<: expected a mapping",
    ),
    ("merge-unknown-key", {"r.yaml": "base: &b {hodl: 3}\n" + OK}, ["plan", "{in}/r.yaml"], ":1: base: unknown key"),
    (
        "merge-brings-typo",
        {"r.yaml": "title: T\nexercises:\n  - name: A\n    instructions: Go.\n    <<: {hodl: 3}\n"},
        ["plan", "{in}/r.yaml"],
        ":5: exercises[0].hodl: unknown key (did you mean 'hold'?)",
    ),
    ("merge-bad-value", {"r.yaml": "x: &x {hold: -1}\ntitle: T\n"}, ["plan", "{in}/r.yaml"], ":1: x: unknown key"),
    # -- text with nothing to say, and characters that make text read other than it is
    (
        "text-dots",
        {"r.yaml": routine_with('feel: "..."')},
        ["plan", "{in}/r.yaml"],
        ":5: exercises[0].feel: '...' has no words to speak",
    ),
    (
        "text-bangs",
        {"r.yaml": OK.replace("Do it.", '"!!!"')},
        ["plan", "{in}/r.yaml"],
        ":4: exercises[0].instructions: '!!!' has no words",
    ),
    (
        "title-emoji-only",
        {"r.yaml": OK.replace("title: T", "title: 🧘")},
        ["plan", "{in}/r.yaml"],
        ":1: title: '🧘' has no words to speak",
    ),
    (
        "title-bidi-override",
        {"r.yaml": OK.replace("title: T", 'title: "abc\u202edef"')},
        ["plan", "{in}/r.yaml"],
        ":1: title: contains a control character (U+202E)",
    ),
]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("files", "args", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(cli, tmp_path: Path, files: dict[str, str | bytes], args: list[str], says: str) -> None:
    given = tmp_path / "in"
    given.mkdir()
    for name, content in files.items():
        path = given / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.replace("{in}", str(given)) if isinstance(content, str) else content
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    before = snapshot(given)
    args = [a.replace("{in}", str(given)) for a in args]
    if "--out" not in args and args[0] in ("build", "batch", "progression"):
        args += ["--out", str(tmp_path / "out")]
    if "--voice" not in args and args[0] in ("build", "plan", "batch", "progression") and len(args) > 1:
        args += BEEP
    run = cli(*args)
    assert run.code == 2, (run.out, run.err)
    assert run.err.startswith("error: ") and run.err.count("\n") == 1, run.err
    assert says.replace("{in}", str(given)) in run.err
    assert "Traceback" not in run.err and run.out == ""
    assert not (tmp_path / "out").exists() and snapshot(given) == before


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40 and len({c[0] for c in CASES}) == len(CASES)


def test_debug_shows_the_traceback(cli, tmp_path: Path) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text(routine_with("hold: 0"))
    run = cli("--debug", "build", routine, "--out", tmp_path / "out")
    assert run.code == 2 and "Traceback" in run.err and run.err.strip().endswith("must be at least 0.1, got 0")
