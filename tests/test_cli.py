"""The command line: its listings, plan output, and one-line errors that write nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import decode, plan_json, read_tags, run_cli, samples

from stretchcue import __version__


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_version_routines_and_voices(cli) -> None:
    assert cli("--version").out.strip() == f"stretchcue {__version__}"
    listed = cli("routines")
    assert listed.code == 0 and listed.err == "", listed.err
    assert "back-stretches " in listed.out and "back-series " in listed.out and " manifest " in listed.out
    voices = cli("voices").out
    assert all(name in voices for name in ("piper", "system", "beep")) and "(default)" in voices


# What a command imports, from its own process: the quick ones stay quick (scripts/bench.py times
# them; a test only checks what they load, which does not depend on the machine's load).
LOADED = (
    "import sys\n"
    "from stretchcue.cli import main\n"
    "code = main(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(' '.join(sys.modules))\n"
    "sys.exit(code)\n"
)
SLOW_TO_IMPORT = {"numpy", "pydub", "rich", "jsonschema", "PIL", "mutagen", "fontTools"}


def loaded(tmp_path: Path, *args: str | Path) -> set[str]:
    record = tmp_path / "modules.txt"
    run = subprocess.run([sys.executable, "-c", LOADED, record, *map(str, args)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return set(record.read_text().split())


def test_quick_commands_import_only_what_they_need(tmp_path: Path, small_routine: Path) -> None:
    for args in (["--help"], ["--version"], ["voices", "--help"]):  # typer, and what declares the commands
        assert not loaded(tmp_path, *args) & (SLOW_TO_IMPORT | {"yaml", "pydantic", "stretchcue.sound.cache"})
    assert not loaded(tmp_path, "voices") & (SLOW_TO_IMPORT | {"yaml", "pydantic"})  # (typer checks values with it)
    assert not loaded(tmp_path, "routines") & (SLOW_TO_IMPORT | {"pydantic"})
    plan = ("plan", small_routine, "--voice", "beep", "--cache", tmp_path / "cache")
    assert "numpy" in loaded(tmp_path, *plan)  # the beep voice speaks (into the cache)...
    assert not loaded(tmp_path, *plan) & SLOW_TO_IMPORT  # ...and then plan only reads the clips' lengths


def test_plan_table_and_json_agree(cli, small_routine: Path) -> None:
    doc = plan_json(cli, small_routine, "--voice", "beep")
    table = cli("plan", small_routine, "--voice", "beep")
    assert table.code == 0
    lines = table.out.splitlines()
    assert lines[0].startswith(f"Quick check: {int(doc['duration'] // 60)}:")
    chapters = [line.split("chapter: ")[1] for line in lines if "  chapter: " in line]
    assert chapters == [c["chapter"] for c in doc["cues"] if c["chapter"]]
    fmt = doc["format"]  # the track's format, with or without music
    assert lines[1] == f"no music; written as mono {fmt['sample_rate'] / 1000:g} kHz, {fmt['bitrate']} kbit/s"
    lines = [line for line in lines[2:] if "  chapter: " not in line]
    assert all(cue["text"] in line for cue, line in zip(doc["cues"], lines, strict=True))


@pytest.mark.slow
def test_build_renders_what_plan_prints_with_overrides(cli, small_routine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = cli("build", small_routine, "--voice", "beep", "--hold", "4", "--reps", "3", "--out", out)
    assert build.code == 0, build.err
    doc = plan_json(cli, small_routine, "--voice", "beep", "--hold", "4", "--reps", "3")
    holds = [c for c in doc["cues"] if c["kind"] == "hold"]
    assert len(holds) == 3 + 3 * 2  # cat stretch: 3 reps; side bend: 3 reps a side
    assert len(decode(out / "Quick check - 4 s holds.mp3")) == samples(doc["duration"])
    names = sorted(p.name for p in out.iterdir() if p.is_file())
    tracks = [f"Quick check - 4 s holds.{kind}" for kind in ("lrc", "mp3", "vtt")]
    assert names == [".stretchcue.lock", *tracks]  # the track and its words, and the folder's lock


@pytest.mark.slow
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
            "r.yaml:5: exercises[0].hold: must be at least 0.1",
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


@pytest.mark.slow
def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    # `stretchcue plan ... | head -1`: the reader is gone before plan writes a word.
    command = [sys.executable, "-m", "stretchcue.cli", "plan", "back-stretches", "--voice", "beep"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    assert process.wait(timeout=60) == 141  # as a program killed by SIGPIPE: the shell's usual status
    assert process.stderr.read() == b""


@pytest.mark.slow
def test_an_ascii_only_locale_still_builds_non_ascii_titles(tmp_path: Path) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text("title: Café für Rücken\nexercises:\n  - {name: Dehnung, instructions: Los geht's.}\n")
    env = dict(os.environ, LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    run = run_cli("build", routine, "--voice", "beep", "--hold", "1", "--reps", "1", "--out", tmp_path / "out", env=env)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    (track,) = (tmp_path / "out").glob("*.mp3")
    assert track.name == "Cafe fur Rucken - 1 s holds.mp3"  # what an ASCII-only file system can hold
    assert read_tags(track).title == "Café für Rücken - 1 s holds"  # the tags keep every letter
    plan = run_cli("plan", routine, "--voice", "beep", env=env)
    assert plan.returncode == 0 and "Traceback" not in plan.stderr, plan.stderr


@pytest.mark.slow
def test_piper_leaves_nothing_in_the_home_folder(tmp_path: Path, small_routine: Path) -> None:
    # onnxruntime writes a device id under ~/.cache/Microsoft unless its telemetry is off.
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
    env["HOME"] = str(home)
    run = run_cli("plan", small_routine, "--voice", "piper", "--cache", tmp_path / "cache", env=env)
    assert run.returncode == 0, run.stderr
    assert list(home.rglob("*")) == []


@pytest.mark.slow
def test_the_system_voice_leaves_nothing_in_the_temp_folder(tmp_path: Path, small_routine: Path) -> None:
    before = set(Path(tempfile.gettempdir()).iterdir())
    run = run_cli("plan", small_routine, "--voice", "system", "--cache", tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    assert [p for p in set(Path(tempfile.gettempdir()).iterdir()) - before if "stretchcue" in p.name] == []
    assert [p.name for p in (tmp_path / "cache" / "scratch").iterdir()] == [".stretchcue-cache-folder"]


@pytest.mark.slow
def test_quiet_keeps_results_and_errors_and_drops_notes(cli, small_routine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", small_routine, "--voice", "beep", "--out", out).code == 0
    (out / "Quick check.vtt").unlink()  # the track is built again, and a note says why...
    loud = cli("build", small_routine, "--voice", "beep", "--out", out)
    assert loud.code == 0 and loud.err.startswith("note: ") and "lacks its transcripts" in loud.err, loud.err
    (out / "Quick check.vtt").unlink()
    quiet = cli("--quiet", "build", small_routine, "--voice", "beep", "--out", out)  # ...unless --quiet
    assert quiet.code == 0 and quiet.err == "" and quiet.out == loud.out, (quiet.out, quiet.err)
    failed = cli("-q", "build", tmp_path / "absent.yaml", "--out", out)
    assert failed.code == 2 and failed.err.startswith("error: "), failed.err
    after = cli("build", small_routine, "--voice", "beep", "--out", out)  # the next run is not quiet by inheritance
    assert after.code == 0 and "skipped (unchanged)" in after.out


@pytest.mark.slow
def test_debug_logs_what_a_bug_report_needs(cli, small_routine: Path, tmp_path: Path) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    first = cli("--debug", "build", small_routine, "--voice", "beep", "--out", out, "--cache", cache)
    assert first.code == 0, first.err
    lines = first.err.splitlines()
    assert lines[0].startswith(f"debug: stretchcue: stretchcue {__version__}, Python "), lines[0]
    assert "lameenc " in lines[1] and "mutagen " in lines[1] and "(not installed)" not in lines[1], lines[1]
    assert any("voice beep: engine beep, identity" in line for line in lines), first.err
    assert any(f"{out / 'Quick check.mp3'}: built, new" in line for line in lines), first.err
    misses = [line for line in lines if "cache miss: " in line]
    assert misses and all(" spoken in " in line for line in misses) and not any("cache hit" in x for x in lines)
    again = cli("--debug", "plan", small_routine, "--voice", "beep", "--cache", cache)
    hits = [line for line in again.err.splitlines() if "cache hit: " in line]
    assert len(hits) == len(misses) and "cache miss" not in again.err, again.err  # each text is spoken once
    skipped = cli("--debug", "build", small_routine, "--voice", "beep", "--out", out, "--cache", cache)
    assert "Quick check.mp3: skipped, made from the same inputs and whole" in skipped.err, skipped.err
    plain = cli("build", small_routine, "--voice", "beep", "--out", out, "--cache", cache)
    assert plain.code == 0 and "debug:" not in plain.err, plain.err  # the log ends with the command
    failed = cli("--debug", "build", tmp_path / "absent.yaml")
    assert failed.code == 2 and "Traceback" in failed.err and failed.err.splitlines()[-1].startswith("error: ")


def test_help_reads_as_people_expect(cli) -> None:
    bare = cli()
    assert bare.code == 0 and bare.out.startswith("Usage: stretchcue") and bare.err == "", bare.err
    assert "..." not in bare.out.split("Commands:")[1], bare.out  # every command's line said whole
    short = cli("build", "-h")
    assert short.code == 0 and "--hold SECONDS" in short.out and "--out DIR" in short.out, short.out
    assert "<list[float]>" not in short.out and "<path>" not in short.out and "<int range>" not in short.out
    assert "Usage: stretchcue build [OPTIONS] ROUTINE\n" in short.out and "{" not in short.out, short.out
    assert "\n  ROUTINE  A routine file" in short.out and "<str>" not in short.out, short.out


def test_debug_and_quiet_work_anywhere_on_the_line(cli) -> None:
    after = cli("voices", "--debug")
    assert after.code == 0 and after.err.startswith("debug: stretchcue: stretchcue "), after.err
    assert cli("voices", "-q").code == 0


@pytest.mark.slow
def test_scripts_run_takes_paths_from_the_callers_folder(small_routine: Path, tmp_path: Path) -> None:
    """`path/to/scripts/run plan mine.yaml --png session.png`, from the routine's own folder: both
    paths are that folder's, as in any command a person runs."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "mine.yaml").write_bytes(small_routine.read_bytes())
    script = Path(__file__).resolve().parents[1] / "scripts" / "run"
    command = [str(script), "plan", "mine.yaml", "--voice", "beep", "--png", "session.png"]
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert (folder / "session.png").is_file() and "Quick check" in run.stdout


def test_the_command_line_and_a_file_refuse_the_same_holds(cli, tmp_path: Path) -> None:
    """A hold too short for --hold is too short in a file too (both 0.1 s at least)."""
    routine = tmp_path / "r.yaml"
    routine.write_text("title: T\nexercises:\n  - {name: A, instructions: Go., hold: 0.05}\n")
    in_file = cli("plan", routine, "--voice", "beep")
    assert in_file.code == 2 and "hold: must be at least 0.1, got 0.05" in in_file.err, in_file.err
    routine.write_text("title: T\nexercises:\n  - {name: A, instructions: Go.}\n")
    given = cli("plan", routine, "--voice", "beep", "--hold", "0.05")
    assert given.code == 2 and "0.1" in given.err, given.err
    assert cli("plan", routine, "--voice", "beep", "--hold", "0.1").code == 0
