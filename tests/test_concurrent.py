"""Several processes on one output folder and one speech cache at once: every track comes out
whole, one run builds what another would have, and `plan` still agrees with the track.

STRETCHCUE_STRESS_ROUNDS=10 repeats each case ten times (the suite runs two: cold, then warm)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import assert_whole, decode, samples
from filelock import FileLock

from stretchcue.outputs.track import read_stamp

ROUNDS = int(os.environ.get("STRETCHCUE_STRESS_ROUNDS", "2"))
TRACK = "Quick check.mp3"
# For Piper, slow to speak, one stretch is overlap enough: four processes start on a cold cache at once.
ONE_STRETCH = """\
title: Quick check
defaults: {hold: 3, reps: 1, rest: 1, countdown: 2}
exercises:
  - {name: Cat stretch, instructions: Kneel on all fours and round your back.}
"""


def start(*args: str | Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "stretchcue.cli", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("voice", ["beep", "piper"])
def test_two_builds_a_batch_and_a_plan_at_once(small_routine: Path, tmp_path: Path, voice: str) -> None:
    if voice == "piper":
        small_routine.write_text(ONE_STRETCH, encoding="utf-8")
    manifest = tmp_path / "pair.yaml"
    manifest.write_text(
        "title: Pair\ntracks:\n  - {routine: quick.yaml, hold: 2}\n  - {routine: quick.yaml, hold: 3}\n"
    )
    store = tmp_path / "cache"  # cold in the first round, warm after
    for round_ in range(ROUNDS):
        out = tmp_path / f"out{round_}"
        common = ["--voice", voice, "--cache", store]
        processes = [
            start("build", small_routine, *common, "--out", out),
            start("build", small_routine, *common, "--out", out),
            start("batch", manifest, *common, "--out", out),
            start("plan", small_routine, *common, "--json"),
        ]
        results = [(p.wait(timeout=300), *p.communicate()) for p in processes]
        for code, _, err in results:
            assert code == 0 and "Traceback" not in err, err
        # The two identical builds: one built the track, the other found it whole and skipped it.
        statuses = sorted(out_.split(":")[0] for _, out_, _ in results[:2])
        assert statuses == ["built", "skipped (unchanged)"], results[:2]
        assert sorted(p.name for p in out.iterdir() if p.suffix in (".mp3", ".m3u8")) == [
            "01 - Quick check - 2 s holds.mp3",
            "02 - Quick check - 3 s holds.mp3",
            "Pair.m3u8",
            TRACK,
        ]
        assert {p.suffix for p in out.iterdir()} == {".mp3", ".m3u8", ".vtt", ".lrc", ".lock"}
        for track in out.glob("*.mp3"):
            stamp = read_stamp(track)
            assert stamp is not None and stamp.whole, track
            assert_whole(track)
        plan = json.loads(results[3][1])
        assert len(decode(out / TRACK)) == samples(plan["duration"])  # plan and build used the same clips
        assert not [p for p in store.rglob("*") if "stretchcue-part" in p.name]


def test_a_run_waits_for_the_folder_and_says_so(small_routine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    lock = FileLock(out / ".stretchcue.lock")  # as another run holds it while it writes
    with lock:
        waiting = start("build", small_routine, "--voice", "beep", "--out", out)
        assert waiting.stderr is not None
        line = waiting.stderr.readline()  # blocks until it says something
        assert line == f"waiting: another stretchcue run is writing to {out}; this one goes on when it is done\n"
        assert waiting.poll() is None and not (out / TRACK).exists()  # it really waits
    assert waiting.wait(timeout=120) == 0, waiting.communicate()
    assert_whole(out / TRACK)
