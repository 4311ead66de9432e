"""Guidance levels: less talk, the same session. Measured on the plan with the beep voice (its
lengths are exact); the audio is held to the plan by the build tests."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import feedparser
import numpy as np
import pytest
from conftest import decode, plan_json, read_tags, run_cli, samples
from measure import assert_sounds_as_planned

from stretchcue.authoring import phrases
from stretchcue.authoring.routine import load
from stretchcue.cli import main
from stretchcue.format import SAMPLE_RATE
from stretchcue.sound.tones import NOTES

ENGLISH = phrases.book("en")

LEVELS = ("full", "brief", "minimal", "timer")


def plan_of(*args: str | Path) -> dict:
    """`plan ... --json` run in this process (the plans of a module fixture; the CLI's own
    process is run_cli's to test)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["plan", *map(str, args), "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def plans() -> dict[str, dict]:
    return {level: plan_of("back-stretches", "--voice", "beep", "--guidance", level) for level in LEVELS}


def spoken(plan: dict) -> float:
    return sum(c["end"] - c["start"] for c in plan["cues"] if c["text"])


def test_every_level_keeps_the_holds_and_the_chapters(plans) -> None:
    full = plans["full"]
    for level in LEVELS[1:]:
        plan = plans[level]
        assert [(samples(h["end"] - h["start"]), h["exercise"], h["side"], h["rep"]) for h in plan["holds"]] == [
            (samples(h["end"] - h["start"]), h["exercise"], h["side"], h["rep"]) for h in full["holds"]
        ], level
        assert [c["chapter"] for c in plan["cues"] if c.get("chapter")] == [
            c["chapter"] for c in full["cues"] if c.get("chapter")
        ], level


def test_less_talk_as_the_issue_asks(plans) -> None:
    """back-stretches at 10 s holds: spoken time brief <= 0.5 x full, minimal <= 0.25 x; length
    brief <= 0.75 x, minimal <= 0.6 x, timer <= 0.55 x."""
    full = plans["full"]
    ratios = {
        level: (spoken(plans[level]) / spoken(full), plans[level]["duration"] / full["duration"]) for level in LEVELS
    }
    assert ratios["brief"][0] <= 0.5 and ratios["minimal"][0] <= 0.25, ratios
    assert ratios["brief"][1] <= 0.75 and ratios["minimal"][1] <= 0.6 and ratios["timer"][1] <= 0.55, ratios


def test_timer_says_only_the_names_and_chimes_every_hold(plans) -> None:
    plan = plans["timer"]
    names = {f"{h['exercise']}." for h in plan["holds"]}
    ways = {f"{w.name[:1].upper()}{w.name[1:]}." for e in load("back-stretches").exercises for w in e.variations}
    ends = {"Back stretches.", ENGLISH.outro_short}  # the title, and that it is over
    assert {c["text"] for c in plan["cues"] if c["text"]} == names | ways | ends
    chimes = [c for c in plan["cues"] if c["kind"] == "chime"]
    assert len([c for c in chimes if c["tone"] == "chime-start"]) == len(plan["holds"])
    assert len([c for c in chimes if c["tone"] == "chime-end"]) == len(plan["holds"])


def test_minimal_says_the_calls_only(plans) -> None:
    """Names (of the exercises, and of the ways of doing one), "hold", the count, "release", the sides."""
    said = {c["text"] for c in plans["minimal"]["cues"] if c["text"]}
    ways = {f"{w.name.capitalize()}." for e in load("back-stretches").exercises for w in e.variations}
    names = (
        {f"{h['exercise']}." for h in plans["minimal"]["holds"]} | ways | {ENGLISH.to_side(s) for s in phrases.SIDES}
    )
    calls = {
        "Hold.",
        "Release.",
        "Switch sides.",
        "One.",
        "Two.",
        "Three.",
        "Back stretches.",
        "That's the routine. Well done.",
    }
    assert said <= names | calls, said - names - calls


def test_a_routine_says_its_guidance_and_the_command_line_wins(cli, tmp_path) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text(
        "title: T\ndefaults: {guidance: minimal, hold: 2, reps: 1}\n"
        "exercises:\n  - {name: Reach, instructions: Reach up high.}\n"
    )
    said = {c["text"] for c in plan_json(cli, routine, "--voice", "beep")["cues"]}
    assert "Reach up high." not in said and "Hold." in said
    assert "Reach up high." in {
        c["text"] for c in plan_json(cli, routine, "--voice", "beep", "--guidance", "full")["cues"]
    }
    bad = cli("plan", routine, "--voice", "beep", "--guidance", "loud")
    assert bad.code == 2 and "--guidance: expected one of full, brief, minimal, timer" in bad.err


# --- The decoded audio, every voice, every level of less talk -----------------------------------

SHORT = """\
title: Short guide
defaults: {hold: 3, reps: 1, rest: 2, countdown: 2}
exercises:
  - name: Neck tilt
    sides: each
    instructions: Tilt your ear toward your shoulder. Keep your shoulders low.
    reminder: Ear to shoulder.
  - name: Cat stretch
    reps: 2
    instructions: On hands and knees, round your back up.
  - name: Twist
    sides: alternate
    instructions: Sit tall and turn.
"""
VOICES = ("beep", "system", "piper")
QUIETER = ("brief", "minimal", "timer")  # (full is test_build's)


@pytest.fixture(scope="module")
def tracks(tmp_path_factory) -> dict[tuple[str, str], tuple[dict, np.ndarray, Path]]:
    """One batch: the short routine at each level of less talk with each voice; each track's plan
    (asked for separately, as a user would) and its decoded audio."""
    folder = tmp_path_factory.mktemp("guidance")
    (folder / "short.yaml").write_text(SHORT, encoding="utf-8")
    order = [(voice, level) for voice in VOICES for level in QUIETER]
    entries = "".join(f"  - {{routine: short.yaml, voice: {v}, guidance: {g}}}\n" for v, g in order)
    (folder / "set.yaml").write_text(f"title: Less talk\ntracks:\n{entries}", encoding="utf-8")
    batch = run_cli("batch", folder / "set.yaml", "--out", folder / "out")
    assert batch.returncode == 0, batch.stderr
    found = {}
    for n, (voice, level) in enumerate(order, start=1):
        [mp3] = (folder / "out").glob(f"{n:02d} - *.mp3")
        plan = plan_of(folder / "short.yaml", "--voice", voice, "--guidance", level)
        found[voice, level] = plan, decode(mp3).astype(np.float64), mp3
    return found


def held(plan: dict) -> list[tuple[int, int, list[dict]]]:
    """(start, end, cues inside) of every hold the plan lists, in samples (a timer's hold has no
    "hold" cue to find it by)."""
    spans = [(samples(h["start"]), samples(h["end"])) for h in plan["holds"]]
    return [(a, b, [c for c in plan["cues"] if a <= samples(c["start"]) < b]) for a, b in spans]


def dominant_pitch(pcm: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm))))
    return float(np.argmax(spectrum) * SAMPLE_RATE / len(pcm))


@pytest.mark.slow
@pytest.mark.parametrize("level", QUIETER)
@pytest.mark.parametrize("voice", VOICES)
def test_the_audio_holds_exactly_and_sounds_only_where_the_plan_says(tracks, voice, level) -> None:
    plan, pcm, mp3 = tracks[voice, level]
    assert len(pcm) == samples(plan["duration"])
    assert f"Guidance: {level}." in read_tags(mp3).comment
    spans = held(plan)
    assert [end - start for start, end, _ in spans] == [samples(3)] * 6, "2 sides, 2 reps, 2 alternating"
    assert_sounds_as_planned(pcm, plan, exact=voice == "beep")
    for _, _, inside in spans:  # in a hold, only its count (or its start chime): nothing else
        kinds = {c["tone"] or c["kind"] for c in inside}
        assert kinds == ({"chime-start"} if level == "timer" else {"countdown"}), kinds


@pytest.mark.slow
@pytest.mark.parametrize("voice", VOICES)
def test_timer_says_the_names_and_chimes_every_hold_and_marks_sides_and_parts(tracks, voice) -> None:
    plan, pcm, _ = tracks[voice, "timer"]
    said = [c["text"] for c in plan["cues"] if c["text"]]
    assert said == ["Short guide.", "Neck tilt.", "Cat stretch.", "Twist.", ENGLISH.outro_short]
    for start, end, _ in held(plan):  # a high chime as the hold starts, a lower one as it ends
        assert 860 <= dominant_pitch(pcm[start + 300 : start + samples(0.5)]) <= 900
        assert 640 <= dominant_pitch(pcm[end + 300 : end + samples(0.5)]) <= 680
    tones = [c for c in plan["cues"] if c["tone"] in ("chime-side", "chime-next")]
    parts = ["chime-next", "chime-side", "chime-next", "chime-next", "chime-side"]
    assert [c["tone"] for c in tones] == parts  # each part, and the switch on the neck and on the twist
    for cue in tones:  # each note of the phrase where it belongs
        notes = NOTES[cue["tone"]]
        start, step = samples(cue["start"]), samples(cue["end"] - cue["start"]) // (len(notes) + 1)
        heard = [dominant_pitch(pcm[start + k * step + 300 : start + (k + 1) * step]) for k in range(len(notes))]
        assert all(abs(h - n) < 15 for h, n in zip(heard, notes, strict=True)), (cue, heard)


@pytest.mark.slow
def test_a_fading_course_coaches_less_as_the_holds_grow(cli, tmp_path) -> None:
    routine = tmp_path / "short.yaml"
    routine.write_text(SHORT, encoding="utf-8")
    course = ("--from", "2", "--to", "4", "--step", "1", "--fade")
    run = cli("progression", routine, *course, "--voice", "beep", "--out", tmp_path, "--feed", "https://example.com/s/")
    assert run.code == 0, run.err
    parsed = feedparser.parse((tmp_path / "feed.xml").read_bytes())  # a podcast app shows each episode's level
    assert not parsed.bozo, parsed.get("bozo_exception")
    described = sorted((e.itunes_episode, e.summary) for e in parsed.entries)
    assert [text.split("Guidance: ")[1].split(".")[0] for _, text in described] == ["full", "brief", "minimal"]
    tracks = sorted(tmp_path.glob("*.mp3"))
    said = [read_tags(mp3) for mp3 in tracks]
    assert [t.comment.split("Guidance: ")[1].split(".")[0] for t in said] == ["full", "brief", "minimal"]
    assert [t.title.removeprefix("Short guide - ") for t in said] == [
        "session 1 - 2 s holds",
        "session 2 - 3 s holds - brief",
        "session 3 - 4 s holds - minimal",
    ]
    assert {t.album for t in said} == {"Short guide - progression 2-4 s by 1 s fading"}
    for mp3, level, hold in zip(tracks, ("full", "brief", "minimal"), (2, 3, 4), strict=True):
        plan = plan_of(routine, "--voice", "beep", "--guidance", level, "--hold", str(hold))
        assert len(decode(mp3)) == samples(plan["duration"]), mp3.name  # each track is its level's plan
    both = cli("progression", routine, *course, "--guidance", "brief")
    assert both.code == 2, both.err
    assert both.err == "error: --fade steps the guidance down itself; give --fade or --guidance, not both\n"


def test_the_cover_card_says_the_level(tmp_path) -> None:
    from stretchcue.authoring.compiler import Options
    from stretchcue.authoring.routine import Guidance
    from stretchcue.outputs.cards import routine_card

    routine = load("back-stretches")
    assert "guidance" not in routine_card(routine, Options()).heading  # full is the usual: not said
    for level in QUIETER:
        heading = routine_card(routine, Options(guidance=Guidance(level))).heading
        assert heading.endswith(f" · {ENGLISH.guidance[level]}"), heading
