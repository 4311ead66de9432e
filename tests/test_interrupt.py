"""Stopping a build or a batch at several points, by SIGINT, SIGTERM and SIGKILL: no file under
a final name is ever partial, temp files go (or, after SIGKILL, are replaced by the next run),
and running the same command again finishes the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import assert_whole

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
# Four tracks of the quick routine with longer holds: two are built at a time, so once the first
# is done the others are still being encoded for a second or more.
SLOW_MANIFEST = "title: Slow\ntracks:\n" + "".join(
    f"  - routine: quick.yaml\n    hold: {h}\n" for h in (12, 16, 20, 24)
)


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if ".stretchcue-part" in p.name]


def speaking(out: Path) -> bool:
    """Some sentences are in the (fresh) speech cache beside `out`, and the track is not finished."""
    return len(list(out.parent.glob("cache/system/*.clip"))) >= 10 and not list(out.glob("*.mp3"))


def encoding_after_one_track(out: Path) -> bool:
    return bool(temp_files(out) and list(out.glob("*.mp3")))


def encoding(out: Path) -> bool:
    return bool(temp_files(out))


CASES = {
    # a routine with the system voice: ~30 sentences give time to stop it while speaking
    "build-while-speaking": (
        ["build", "lower-back-stretches", "--reps", "1", "--hold", "2", "--voice", "system"],
        speaking,
        1,
    ),
    "build-while-encoding": (["build", "{dir}/quick.yaml", "--hold", "30", "--voice", "beep"], encoding, 1),
    "batch-while-encoding": (["batch", "{dir}/slow.yaml", "--voice", "beep"], encoding_after_one_track, 4),
}


QUICK = ("build-while-encoding", signal.SIGINT)  # the one case in the quick lane: Ctrl-C while encoding
# SIGTERM stops as Ctrl-C does (cli._stop), so it is sent while encoding but not while speaking too.
LEFT_OUT = ("build-while-speaking", signal.SIGTERM)


@pytest.mark.parametrize(
    ("case", "how"),
    [
        pytest.param(case, how, id=f"{case}-{how.name}", marks=() if (case, how) == QUICK else pytest.mark.slow)
        for case in CASES
        for how in SIGNALS
        if (case, how) != LEFT_OUT
    ],
)
def test_stopped_runs_leave_whole_files_and_a_rerun_finishes(
    small_routine: Path, tmp_path: Path, case: str, how: signal.Signals
) -> None:
    (tmp_path / "slow.yaml").write_text(SLOW_MANIFEST)
    args, stop_when, tracks = CASES[case]
    out = tmp_path / "out"
    command = [sys.executable, "-m", "stretchcue.cli", *(a.replace("{dir}", str(tmp_path)) for a in args)]
    command += ["--out", str(out), "--cache", str(tmp_path / "cache")]  # a cold cache: it has to speak
    # Ctrl-C as a terminal sends it: a shell that starts jobs in the background (as CI may) leaves
    # SIGINT ignored in them, and Python then rightly keeps ignoring it; the test wants the default.
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while not stop_when(out):
        if process.poll() is not None or time.monotonic() > deadline:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"it ended (status {process.poll()}) before it could be stopped: {stderr}")
        time.sleep(0.005)
    os.kill(process.pid, how)
    code = process.wait(timeout=120)
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert code == {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}[how], stderr
    assert "Traceback" not in stderr, stderr
    if how != signal.SIGKILL:
        assert stderr.endswith("stopped\n"), stderr
    for track in out.glob("*.mp3"):
        assert_whole(track)  # whatever carries a final name is complete
    if how != signal.SIGKILL:
        assert temp_files(out) == [] and temp_files(tmp_path / "cache") == []

    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert len(list(out.glob("*.mp3"))) == tracks
    assert temp_files(out) == []  # a SIGKILL's leftovers were swept by the re-run
    for track in out.glob("*.mp3"):
        assert_whole(track)


def test_a_second_signal_while_stopping_does_not_cut_the_clean_up_short(tmp_path: Path, small_routine: Path) -> None:
    """Ctrl-C pressed again (or SIGTERM) while the run stops: still one "stopped", 130, no temp file."""
    out = tmp_path / "out"
    args = ["build", small_routine, "--hold", "30", "--voice", "beep", "--out", out, "--cache", tmp_path / "cache"]
    process = subprocess.Popen(
        [sys.executable, "-m", "stretchcue.cli", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # (as in the test above)
    )
    deadline = time.monotonic() + 120
    while not encoding(out):
        assert process.poll() is None and time.monotonic() < deadline, "it ended before it could be stopped"
        time.sleep(0.005)
    for how in (signal.SIGINT, signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        os.kill(process.pid, how)
        time.sleep(0.01)
    code = process.wait(timeout=120)
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert code == 130 and stderr == "stopped\n", (code, stderr)
    assert temp_files(out) == [] and not list(out.glob("*.mp3"))
