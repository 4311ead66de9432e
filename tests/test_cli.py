"""The command line: its listings, plan output, and one-line errors that write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import decode, plan_json, samples

from stretchcue import __version__


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_version_routines_and_voices(cli) -> None:
    assert cli("--version").out.strip() == f"stretchcue {__version__}"
    assert "back-stretches" in cli("routines").out
    voices = cli("voices").out
    assert all(name in voices for name in ("piper", "system", "beep")) and "(default)" in voices


def test_plan_table_and_json_agree(cli, small_routine: Path) -> None:
    doc = plan_json(cli, small_routine, "--voice", "beep")
    table = cli("plan", small_routine, "--voice", "beep")
    assert table.code == 0
    lines = table.out.splitlines()
    assert lines[0].startswith(f"Quick check: {int(doc['duration'] // 60)}:")
    assert len(lines) == 1 + len(doc["cues"])
    assert all(cue["text"] in line for cue, line in zip(doc["cues"], lines[1:], strict=True))


def test_build_renders_what_plan_prints_with_overrides(cli, small_routine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = cli("build", small_routine, "--voice", "beep", "--hold", "4", "--reps", "3", "--out", out)
    assert build.code == 0, build.err
    doc = plan_json(cli, small_routine, "--voice", "beep", "--hold", "4", "--reps", "3")
    holds = [c for c in doc["cues"] if c["kind"] == "hold"]
    assert len(holds) == 3 + 3 * 2  # cat stretch: 3 reps; side bend: 3 reps a side
    assert len(decode(out / "Quick check - 4 s holds.mp3")) == samples(doc["duration"])
    assert [p.name for p in out.iterdir() if p.is_file()] == ["Quick check - 4 s holds.mp3"]


def test_a_countdown_that_cannot_fit_is_a_warning_naming_the_cue(cli, small_routine: Path, tmp_path: Path) -> None:
    slow = tmp_path / "slow-beep.toml"
    slow.write_text('engine = "beep"\n[settings]\nseconds_per_character = 0.3\n', encoding="utf-8")
    doc = plan_json(cli, small_routine, "--voice", slow)
    assert doc["warnings"] and all("countdown cue" in w and "cut short" in w for w in doc["warnings"])
    assert any("'Two.'" in w and "Cat stretch" in w for w in doc["warnings"])
    build = cli("build", small_routine, "--voice", slow, "--out", tmp_path / "out")
    assert build.code == 0 and "warning: countdown cue" in build.err


@pytest.mark.parametrize(
    ("content", "args", "words"),
    [
        (
            "title: T\nexercises:\n  - name: A\n    instructions: x\n    hold: -1\n",
            [],
            "r.yaml:5: exercises[0].hold: must be greater than 0",
        ),
        ("title: T\nexercises:\n  - name: A\n    instrucions: x\n", [], "did you mean 'instructions'"),
        (None, ["--hold", "0"], "--hold"),
        (None, ["--hold", "abc"], "--hold"),
        (None, ["--reps", "0"], "--reps"),
        (None, ["--voice", "nobody"], "no voice profile 'nobody'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    cli, tmp_path: Path, small_routine: Path, content, args, words
) -> None:
    routine = small_routine
    if content is not None:
        routine = tmp_path / "r.yaml"
        routine.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    voice = [] if "--voice" in args else ["--voice", "beep"]
    for command in (["build", "--out", out], ["plan"]):
        run = cli(command[0], routine, *args, *voice, *command[1:])
        assert run.code == 2
        assert run.err.count("\n") == 1 and words in run.err and "Traceback" not in run.err, run.err
        assert run.out == ""
    assert files_in(out) == []


def test_missing_routine_lists_the_bundled_ones(cli, tmp_path: Path) -> None:
    run = cli("build", "back-strech", "--out", tmp_path)
    assert run.code == 2 and "bundled: back-stretches" in run.err and files_in(tmp_path) == []


def test_plan_json_is_plain_json(cli, small_routine: Path, tmp_path: Path) -> None:
    run = cli("plan", small_routine, "--voice", "beep", "--json")
    doc = json.loads(run.out)
    assert doc["title"] == "Quick check" and isinstance(doc["duration"], float)
