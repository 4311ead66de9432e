"""End to end with every engine: build the real MP3, decode it with ffmpeg, hold it to the plan."""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import EVERY_CUE_ROUTINE, decode, holds, read_tags, run_cli, samples
from measure import MARGIN, QUIET, SPEECH, cue_levels, loudness_and_true_peak

from stretchcue.authoring import phrases
from stretchcue.format import SAMPLE_RATE

# The quick lane (scripts/test --quick) hears the beep and the system voice; Piper only the full suite.
ENGINES = ["beep", "system", pytest.param("piper", marks=pytest.mark.slow)]


def stretchcue(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module", params=ENGINES)
def built(request, tmp_path_factory) -> tuple[str, dict, Path, np.ndarray]:
    """A routine of every cue kind built with one engine, its plan, and the decoded audio."""
    voice = request.param
    out = tmp_path_factory.mktemp(voice)
    routine = out / "every-cue.yaml"
    routine.write_text(EVERY_CUE_ROUTINE, encoding="utf-8")
    build = stretchcue("build", routine, "--voice", voice, "--out", out)
    mp3 = out / "Every cue.mp3"
    assert re.fullmatch(rf"built: {re.escape(str(mp3))}  \(\d+:\d\d\.\d{{3}}\)\n", build.stdout)  # no engine chatter
    plan = json.loads(stretchcue("plan", routine, "--voice", voice, "--json").stdout)
    return voice, plan, mp3, decode(mp3)


def test_decoded_length_equals_the_plan(built) -> None:
    _, plan, _, pcm = built
    assert len(pcm) == samples(plan["duration"])
    assert 2 * 60 < plan["duration"] < 4 * 60


def test_every_hold_is_silent_but_for_its_countdown(built) -> None:
    _, plan, _, pcm = built
    spans = holds(plan)
    assert len(spans) == 6  # 2 reps: the knee hug to each side, the back arch
    for start, end, countdown in spans:
        assert end - start == samples(4)
        assert [samples(c["start"]) for c in countdown] == [end - k * samples(1) for k in (3, 2, 1)]
        quiet = np.ones(end - start, dtype=bool)
        quiet[:MARGIN] = quiet[-MARGIN:] = False
        for cue in countdown:
            quiet[max(0, samples(cue["start"]) - start - MARGIN) : samples(cue["end"]) - start + MARGIN] = False
        assert np.abs(pcm[start:end][quiet]).max() < QUIET, f"sound inside the hold at {start / 22050:.2f} s"


def test_the_plan_lists_every_hold_exactly_where_the_audio_holds(built) -> None:
    """`holds` in the plan: each from the end of its "hold" cue to what ends it, with what is held;
    the audio is silent there (the test above) and the listed spans are those same spans."""
    _, plan, _, _ = built
    listed = plan["holds"]
    assert [(samples(h["start"]), samples(h["end"])) for h in listed] == [(s, e) for s, e, _ in holds(plan)]
    said = [c for c in plan["cues"] if c["kind"] == "hold"]
    held = [(h["exercise"], h["side"], h["rep"]) for h in listed]
    assert held == [(c["exercise"], c["side"], c["rep"]) for c in said]
    assert {h["rep"] for h in listed} == {1, 2} and {h["side"] for h in listed} == {None, "right", "left"}


def test_speech_starts_where_the_plan_says(built) -> None:
    voice, plan, _, pcm = built
    for cue in plan["cues"]:
        start, end = samples(cue["start"]), samples(cue["end"])
        before = pcm[max(0, start - 3 * MARGIN) : max(0, start - MARGIN)]
        assert before.size == 0 or np.abs(before).max() < QUIET, f"sound before {cue['text']!r}"
        loud = np.abs(pcm[start:end]) > SPEECH
        assert loud.any(), f"{cue['text']!r} is silent"
        onset = start + int(np.argmax(loud))
        # The beep is loud from its first sample: exact but for the codec's 1-sample smear.
        # Speech starts at its first chunk above -50 dBFS; allow 10 ms for the quiet start of a word.
        tolerance = 1 if voice == "beep" else samples(0.01)
        assert abs(onset - start) <= tolerance, f"{cue['text']!r} starts at {onset}, planned {start}"


def test_tags_read_back(built) -> None:
    voice, _, mp3, _ = built
    tags = read_tags(mp3)
    assert tags.title == "Every cue" and tags.album == "Every cue"
    assert tags.artist == "stretchcue" and (tags.track, tags.tracks) == (1, 1) and tags.genre == "Fitness"
    assert tags.year.isdigit() and voice in tags.comment


def test_plan_has_no_warnings_and_names_every_field(built) -> None:
    _, plan, _, _ = built
    assert plan["warnings"] == []
    assert set(plan) == {
        "title",
        "guidance",
        "language",
        "duration",
        "warnings",
        "format",
        "music",
        "kinds",
        "cues",
        "holds",
    }
    assert plan["guidance"] == "full" and plan["language"] == "en"
    assert plan["format"] == {"sample_rate": 22050, "channels": 1, "bitrate": 64} and plan["music"] is None
    kinds = {c["kind"] for c in plan["cues"]}
    assert kinds == {
        "intro", "exercise", "instruction", "reminder", "intensity", "hold", "countdown",
        "release", "rest", "switch_sides", "next", "outro",
    }  # fmt: skip
    assert kinds < set(plan["kinds"]) and all(plan["kinds"].values())  # chime, breath, halfway: not in this plan
    fields = {"start", "end", "kind", "text", "tone", "chapter", "exercise", "side", "rep"}
    assert all(set(c) == fields and c["tone"] is None for c in plan["cues"])


def test_the_intro_announces_the_length_within_a_minute(built) -> None:
    # The length is estimated from the texts (so it is known before anything is spoken): "about N minutes".
    _, plan, _, _ = built
    minutes = plan["duration"] / 60
    said = next(c["text"] for c in plan["cues"] if "This session takes about" in c["text"])
    near = {phrases.book("en").words(n) for n in (math.floor(minutes), math.ceil(minutes))}
    assert any(f"about {word} minutes" in said for word in near), (said, minutes)


@pytest.mark.slow  # (ffmpeg reads the whole track; cue levels through the reference meter)
def test_loudness_is_even_and_at_podcast_level(built) -> None:
    """-16 LUFS +- 1 integrated, true peak <= -1 dBTP; every cue within 3 dB (5th to 95th
    percentile), and the countdown within 1.5 dB of the instructions."""
    voice, plan, mp3, pcm = built
    loudness, peak = loudness_and_true_peak(mp3)
    assert abs(loudness + 16) <= 1 and peak <= -1, (voice, loudness, peak)
    levels = cue_levels(pcm, SAMPLE_RATE, plan)
    every = np.concatenate(list(levels.values()))
    spread = np.percentile(every, 95) - np.percentile(every, 5)
    countdown = np.median(levels["countdown"]) - np.median(levels["instruction"])
    assert spread <= 3 and abs(countdown) <= 1.5, (voice, spread, countdown)


def test_instructions_run_at_a_calm_pace(built) -> None:
    """130-160 words a minute over the instructions (pauses between sentences included); short
    cues such as "Start with your right side." may be brisker."""
    voice, plan, _, _ = built
    instructions = [c for c in plan["cues"] if c["kind"] == "instruction" and len(c["text"].split()) >= 10]
    words = sum(len(c["text"].split()) for c in instructions)
    minutes = sum(c["end"] - c["start"] for c in instructions) / 60
    assert 130 <= words / minutes <= 160, (voice, words / minutes)
