"""Sound design, measured on the decoded MP3: chimes, breath tones and halfway cues sound where
the plan puts them, and nowhere else."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import decode, holds, plan_json, samples
from measure import QUIET

from stretchcue.format import SAMPLE_RATE

ROUTINE = """\
title: Long holds
defaults: {hold: 22, reps: 1, countdown: 3, breathing: {in: 2, out: 3}}
exercises:
  - name: Reach
    position: standing
    instructions: Reach up tall.
"""
EDGE = samples(0.06)  # the codec smears a sound's edges: look this far inside it


def dominant_pitch(pcm: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm))))
    return float(np.argmax(spectrum) * SAMPLE_RATE / len(pcm))


@pytest.fixture(scope="module")
def long_holds(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("long-holds")
    routine = folder / "long.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    return folder, routine


def test_chimes_breaths_and_halfway_sound_where_the_plan_puts_them(cli, long_holds) -> None:
    folder, routine = long_holds
    build = cli("build", routine, "--voice", "beep", "--chimes", "--out", folder / "out")
    assert build.code == 0, build.err
    plan = plan_json(cli, routine, "--voice", "beep", "--chimes")
    pcm = decode(folder / "out" / "Long holds.mp3").astype(np.float64)
    [(start, end, inside)] = holds(plan)
    assert end - start == samples(22)

    chimes = [c for c in plan["cues"] if c["kind"] == "chime"]
    assert [c["tone"] for c in chimes] == ["chime-start", "chime-end"] and all(c["text"] == "" for c in chimes)
    assert samples(chimes[0]["start"]) == start and samples(chimes[1]["start"]) == end
    speech = [c for c in plan["cues"] if c["tone"] is None]
    for chime in chimes:  # never over speech
        assert all(c["end"] <= chime["start"] or c["start"] >= chime["end"] for c in speech), chime

    sounds = [c for c in inside if c["tone"]] + [chimes[1]]
    assert [c["tone"] for c in sounds].count("breath-in") == 2  # before and after the halfway cue
    for cue in sounds:
        a, b = samples(cue["start"]) + EDGE, samples(cue["end"]) - EDGE
        rms = np.sqrt(np.mean(pcm[a:b] ** 2))
        assert 20 * np.log10(rms / 32768) > -40, (cue, rms)  # audible
        pitch = dominant_pitch(pcm[a:b])
        low, high = {"chime-start": (860, 900), "chime-end": (640, 680)}.get(cue["tone"], (190, 300))
        assert low <= pitch <= high, (cue, pitch)

    # The halfway cue starts at the hold's middle, to the sample: the beep is loud (here, over -20
    # dBFS) from its first sample; the codec's faint pre-echo stays under that.
    [halfway] = [c for c in inside if c["kind"] == "halfway"]
    planned = samples(halfway["start"])
    assert 2 * (planned - start) == end - start
    loud = np.abs(pcm[planned - EDGE : planned + EDGE]) > 10 ** (-20 / 20) * 32768
    assert abs(planned - EDGE + int(np.argmax(loud)) - planned) <= 1

    # Nothing else sounds in the hold.
    quiet = np.ones(end - start, dtype=bool)
    for cue in inside:
        quiet[max(0, samples(cue["start"]) - start - EDGE) : samples(cue["end"]) - start + EDGE] = False
    quiet[-EDGE:] = False
    assert np.abs(pcm[start:end][quiet]).max() < QUIET


def test_halfway_false_and_no_chimes(cli, long_holds) -> None:
    folder, _ = long_holds
    quiet = folder / "quiet.yaml"
    quiet.write_text(ROUTINE.replace("breathing: {in: 2, out: 3}", "halfway: false"), encoding="utf-8")
    plan = plan_json(cli, quiet, "--voice", "beep")
    kinds = {c["kind"] for c in plan["cues"]}
    assert not kinds & {"chime", "halfway", "breath"}
