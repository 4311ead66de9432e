"""The compiler and the layout: what is said in what order, and the timing contract to the sample."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from stretchcue.authoring import phrases
from stretchcue.authoring.compiler import (
    GET_IN_POSITION,
    Options,
    breathing_warnings,
    compile_routine,
    countdown_numbers,
    move_seconds,
)
from stretchcue.authoring.routine import Breathing, Exercise, Position, Routine, Sides, Variation, load
from stretchcue.authoring.script import MEANINGS, Hold, Kind, Play
from stretchcue.authoring.timeline import MP3_FRAME, frame_aligned, layout, spoken_texts, to_samples
from stretchcue.format import SAMPLE_RATE

ENGLISH = phrases.book("en")


def exercise(**changes) -> Exercise:
    values = dict(name="Reach", instructions="Reach up.", hold=5.0, reps=2, rest=1.0, sides=Sides.NONE)
    values.update(changes)
    return Exercise(**values)


def routine(*exercises: Exercise, countdown: int = 3) -> Routine:
    return Routine(title="T", exercises=exercises, countdown=countdown)


def lengths_by_words(steps) -> dict[str, int]:
    """A stand-in for clip lengths: 0.3 s per word."""
    return {text: to_samples(0.3 * len(text.split())) for text in spoken_texts(steps)}


def cues(steps, kind: Kind | None = None):
    found = [s.cue for s in steps if isinstance(s, Play)]
    return [c for c in found if kind is None or c.kind == kind]


def test_session_shape_for_one_symmetric_exercise() -> None:
    steps = compile_routine(routine(exercise()))
    kinds = [s.cue.kind if isinstance(s, Play) else "HOLD" for s in steps]
    assert kinds == [
        Kind.INTRO, Kind.INTRO, Kind.INTRO, Kind.EXERCISE, Kind.INSTRUCTION,
        Kind.INTENSITY, Kind.HOLD, "HOLD", Kind.RELEASE, Kind.REST,
        Kind.REMINDER, Kind.INTENSITY, Kind.HOLD, "HOLD", Kind.RELEASE, Kind.OUTRO,
    ]  # fmt: skip
    first, second = cues(steps, Kind.INTENSITY)
    assert "gentl" in first.text.lower() and "gentl" not in second.text.lower()
    assert cues(steps, Kind.EXERCISE)[0].text == "Reach."
    two = compile_routine(routine(exercise(), exercise(name="Bend")))
    # the second is named by "next up" just before, so its name is not said twice in a row
    assert [c.text for c in cues(two, Kind.EXERCISE)] == ["Stretch one of two: Reach.", "Stretch two of two."]


def test_intro_says_length_and_safety() -> None:
    intro = " ".join(c.text for c in cues(compile_routine(routine(exercise()), minutes=12), Kind.INTRO))
    assert "twelve minutes" in intro and "never to pain" in intro


def test_outro_suggests_longer_holds_until_thirty_seconds() -> None:
    short = cues(compile_routine(routine(exercise(hold=10))), Kind.OUTRO)[0].text
    full = cues(compile_routine(routine(exercise(hold=10)), Options(hold=30)), Kind.OUTRO)[0].text
    assert "about thirty seconds" in short and "thirty" not in full


def test_each_side_does_all_reps_then_switches() -> None:
    steps = compile_routine(routine(exercise(sides=Sides.EACH, reps=3)))
    holds = [(c.side, c.rep) for c in cues(steps, Kind.HOLD)]
    assert holds == [("right", 1), ("right", 2), ("right", 3), ("left", 1), ("left", 2), ("left", 3)]
    assert len(cues(steps, Kind.SWITCH_SIDES)) == 1


def test_alternate_sides_switch_every_rep() -> None:
    steps = compile_routine(routine(exercise(sides=Sides.ALTERNATE, reps=2)))
    holds = [(c.side, c.rep) for c in cues(steps, Kind.HOLD)]
    assert holds == [("right", 1), ("left", 1), ("right", 2), ("left", 2)]
    assert len(cues(steps, Kind.SWITCH_SIDES)) == 3


def test_variations_each_get_instructions_and_all_reps() -> None:
    ways = (Variation("arms up", "Arms up."), Variation("arms aside", "Arms aside."))
    steps = compile_routine(routine(exercise(variations=ways, reps=3)))
    assert len(cues(steps, Kind.HOLD)) == 6
    instructions = " ".join(c.text for c in cues(steps, Kind.INSTRUCTION))
    assert "First way: arms up." in instructions and "Second way: arms aside." in instructions


def test_next_up_between_exercises_only() -> None:
    steps = compile_routine(routine(exercise(name="A"), exercise(name="B"), exercise(name="C")))
    assert [c.text for c in cues(steps, Kind.NEXT)] == ["Well done. Next up: B.", "Well done. Next up: C."]


def test_options_override_the_routine() -> None:
    steps = compile_routine(routine(exercise(hold=5, reps=2)), Options(hold=20, reps=4))
    holds = [s for s in steps if isinstance(s, Hold)]
    assert len(holds) == 4 and {h.seconds for h in holds} == {20}


def test_repeated_cues_vary_but_rebuild_identically() -> None:
    steps = compile_routine(load("back-stretches"))
    hold_texts = [c.text for c in cues(steps, Kind.HOLD)]
    assert len(set(hold_texts)) > 1
    assert compile_routine(load("back-stretches")) == steps


def test_countdown_never_starts_before_the_hold() -> None:
    assert list(countdown_numbers(10, 3)) == [3, 2, 1]
    assert list(countdown_numbers(3, 3)) == [2, 1]
    assert list(countdown_numbers(2.5, 5)) == [2, 1]
    assert list(countdown_numbers(1, 3)) == []
    assert list(countdown_numbers(10, 0)) == []


def test_layout_holds_are_exact_and_countdown_is_anchored_to_the_end() -> None:
    steps = compile_routine(routine(exercise(hold=7.5, reps=1)))
    timeline = layout(steps, lengths_by_words(steps))
    placed = list(timeline.cues)
    hold = next(i for i, p in enumerate(placed) if p.cue.kind == Kind.HOLD)
    three, two, one, release = placed[hold + 1 : hold + 5]
    assert release.start - placed[hold].end == to_samples(7.5)
    assert [release.start - c.start for c in (three, two, one)] == [3 * SAMPLE_RATE, 2 * SAMPLE_RATE, SAMPLE_RATE]
    assert timeline.warnings == ()


def test_a_countdown_clip_too_long_is_cut_and_reported() -> None:
    steps = compile_routine(routine(exercise(hold=5, reps=1), countdown=2))
    lengths = lengths_by_words(steps) | {"Two.": to_samples(1.4)}
    timeline = layout(steps, lengths)
    two = next(p for p in timeline.cues if p.cue.text == "Two.")
    assert two.end - two.start == SAMPLE_RATE
    assert len(timeline.warnings) == 1 and "'Two.'" in timeline.warnings[0] and "Reach" in timeline.warnings[0]


exercises = st.builds(
    exercise,
    hold=st.floats(0.5, 60).map(lambda x: round(x, 2)),
    reps=st.integers(1, 4),
    rest=st.floats(0, 10).map(lambda x: round(x, 2)),
    sides=st.sampled_from(Sides),
    variations=st.lists(st.builds(Variation, st.sampled_from(["up", "aside"]), st.just("Do it.")), max_size=2).map(
        tuple
    ),
    position=st.none() | st.sampled_from(Position),
    halfway=st.booleans(),
    breathing=st.none() | st.builds(Breathing, st.floats(1, 6), st.floats(1, 8)),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(exercises, min_size=1, max_size=4), st.integers(0, 5), st.integers(1, 30_000), st.booleans())
def test_timing_contract_holds_for_any_routine(items, countdown, word_samples, chimes) -> None:
    steps = compile_routine(routine(*items, countdown=countdown), Options(chimes=chimes))
    lengths = {text: word_samples * len(text.split()) for text in spoken_texts(steps)}
    timeline = layout(steps, lengths)
    placed = list(timeline.cues)
    # In order, never overlapping (so no tone sounds over speech), inside the track.
    assert all(a.end <= b.start for a, b in itertools.pairwise(placed))
    assert placed[0].start == 0 and placed[-1].end <= timeline.length
    # Every hold is exact, and each cue inside it starts where its event says. The total is the sum
    # of the parts: what is played between holds, its pauses, and the holds.
    played, parts = 0, 0
    for step in steps:
        if isinstance(step, Play):
            assert placed[played].cue == step.cue
            parts += placed[played].end - placed[played].start + to_samples(step.pause)
            played += 1
            continue
        begin, inside, after = (
            placed[played - 1].end,
            placed[played : played + len(step.events)],
            placed[played + len(step.events)],
        )
        assert after.start - begin == to_samples(step.seconds)
        assert after.cue.kind == (Kind.CHIME if chimes else Kind.RELEASE)
        for event, cue in zip(step.events, inside, strict=True):
            assert cue.cue == event.cue
            assert cue.start == (after.start - to_samples(event.at) if event.from_end else begin + to_samples(event.at))
            if cue.cue.kind == Kind.COUNTDOWN:
                assert after.start - cue.start == int(event.at) * SAMPLE_RATE
            if cue.cue.kind == Kind.HALFWAY:
                assert step.seconds >= 20 and abs(2 * (cue.start - begin) - (after.start - begin)) <= 1
        played += len(step.events)
        parts += to_samples(step.seconds)
    assert played == len(placed)
    assert timeline.length == frame_aligned(parts) and parts <= timeline.length < parts + MP3_FRAME


def events(steps, kind: Kind):
    return [(hold, e) for hold in steps if isinstance(hold, Hold) for e in hold.events if e.cue.kind == kind]


def test_holds_of_twenty_seconds_or_more_get_a_halfway_cue_at_their_middle() -> None:
    for seconds, expected in ((19.9, 0), (20, 1), (45.5, 1)):
        steps = compile_routine(routine(exercise(hold=seconds, reps=1)))
        assert [e.at for _, e in events(steps, Kind.HALFWAY)] == [seconds / 2] * expected
    assert events(compile_routine(routine(exercise(hold=30, halfway=False))), Kind.HALFWAY) == []
    # ...and the layout puts it at the hold's middle, to the sample.
    steps = compile_routine(routine(exercise(hold=25, reps=1)))
    placed = list(layout(steps, lengths_by_words(steps)).cues)
    hold = next(i for i, p in enumerate(placed) if p.cue.kind == Kind.HOLD)
    halfway = next(p for p in placed if p.cue.kind == Kind.HALFWAY)
    release = next(p for p in placed if p.cue.kind == Kind.RELEASE)
    assert halfway.start - placed[hold].end == release.start - halfway.start == to_samples(12.5)


def test_chimes_mark_each_hold_start_and_end_without_touching_its_length() -> None:
    steps = compile_routine(routine(exercise(hold=5, reps=2), countdown=5), Options(chimes=True))
    placed = list(layout(steps, lengths_by_words(steps)).cues)
    chimes = [p for p in placed if p.cue.kind == Kind.CHIME]
    assert [c.cue.tone.name for c in chimes] == ["chime-start", "chime-end"] * 2
    assert all(c.cue.text == "" for c in chimes)
    for start, end in zip(chimes[::2], chimes[1::2], strict=True):
        hold = placed[placed.index(start) - 1]
        assert hold.cue.kind == Kind.HOLD and start.start == hold.end
        assert end.start - hold.end == to_samples(5)  # the hold: from "hold" to the end chime
        assert placed[placed.index(end) + 1].cue.kind == Kind.RELEASE
    # The countdown starts after the start chime has rung: from five seconds, only "three" to "one".
    assert [c.cue.text for c in placed if c.cue.kind == Kind.COUNTDOWN][:3] == ["Three.", "Two.", "One."]
    assert "chime" in " ".join(c.text for c in cues(steps, Kind.INTRO))
    assert not [c for c in cues(compile_routine(routine(exercise()))) if c.kind == Kind.CHIME]


def test_breath_tones_fill_the_hold_around_the_spoken_cues() -> None:
    steps = compile_routine(routine(exercise(hold=30, reps=1, breathing=Breathing(3, 4))))
    breaths = [e for _, e in events(steps, Kind.BREATH)]
    assert [e.cue.tone.name for e in breaths[:2]] == ["breath-in", "breath-out"]
    # Whole breaths: two before the halfway cue (at 15 s), one after it (from 18 s) that ends before
    # the countdown (from 27 s).
    assert [e.at for e in breaths] == [0, 3, 7, 10, 18, 21]
    assert breaths[0].cue.tone.seconds == 3 - 0.3 and breaths[1].cue.tone.seconds == 4 - 0.3
    assert "breath" in " ".join(c.text for c in cues(steps, Kind.INTRO))


def test_breathing_too_slow_for_the_holds_is_a_warning_and_no_promise() -> None:
    """4 s in, 6 s out at 10 s holds (3 s countdown) leaves 7 s: no breath fits, so no tone sounds;
    the intro does not promise tones and a warning says which exercise, and why."""
    slow = routine(exercise(hold=10, breathing=Breathing(4, 6)))
    steps = compile_routine(slow)
    assert not events(steps, Kind.BREATH) and "breath" not in " ".join(c.text for c in cues(steps, Kind.INTRO))
    [warning] = breathing_warnings(slow)
    assert warning.startswith("Reach: a breath (4 s in, 6 s out) needs 10 s of quiet") and "7.0 s" in warning
    longer = Options(hold=13)  # 10 s of quiet before the countdown: one whole breath
    assert events(compile_routine(slow, longer), Kind.BREATH) and breathing_warnings(slow, longer) == []


@settings(max_examples=80, deadline=None)
@given(st.lists(exercises, min_size=1, max_size=4), st.integers(0, 5), st.booleans())
def test_breath_tones_are_promised_exactly_when_they_sound(items, countdown, chimes) -> None:
    built = routine(*(replace(e, name=f"Stretch {n}") for n, e in enumerate(items)), countdown=countdown)
    options = Options(chimes=chimes)
    steps = compile_routine(built, options)
    promised = any("breath" in c.text for c in cues(steps, Kind.INTRO))
    assert promised == bool(events(steps, Kind.BREATH))
    # a warning for each exercise asking for breathing whose holds got no breath tone, and no other
    breathed = {e.cue.exercise for _, e in events(steps, Kind.BREATH)}
    silent = [e.name for e in built.exercises if e.breathing and e.name not in breathed]
    assert [w.split(":")[0] for w in breathing_warnings(built, options)] == silent


def test_a_change_of_position_gets_more_time_to_move() -> None:
    assert move_seconds(Position.LYING, Position.LYING) == GET_IN_POSITION
    assert move_seconds(None, Position.KNEELING) == GET_IN_POSITION
    turn = move_seconds(Position.LYING, Position.FACE_DOWN)
    up = move_seconds(Position.LYING, Position.KNEELING)
    stand = move_seconds(Position.LYING, Position.STANDING)
    assert GET_IN_POSITION < turn == up < stand == move_seconds(Position.STANDING, Position.FACE_DOWN)
    steps = compile_routine(
        routine(
            exercise(name="A", position=Position.LYING),
            exercise(name="B", position=Position.LYING),
            exercise(name="C", position=Position.FACE_DOWN),
        )
    )
    pauses = {s.cue.exercise: s.pause for s in steps if isinstance(s, Play) and s.cue.kind == Kind.INSTRUCTION}
    assert pauses == {"A": GET_IN_POSITION, "B": GET_IN_POSITION, "C": turn}
    assert [c.text for c in cues(steps, Kind.NEXT)] == [
        "Well done. Next up: B.",
        "Well done. Next up: C. Take your time to change position.",  # (C's instructions say how)
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(exercises, min_size=1, max_size=4), st.booleans())
def test_last_one_is_said_only_of_the_last_hold(items, chimes) -> None:
    """ "Last one" (the exercise's, or a way's) only before its final hold; "last one on this side"
    only before a side's last rep when the other side still follows."""
    named = routine(*(replace(e, name=f"Stretch {n}") for n, e in enumerate(items)))
    steps = compile_routine(named, Options(chimes=chimes))
    intensity = cues(steps, Kind.INTENSITY)
    for n, cue in enumerate(intensity):
        later = [c for c in intensity[n + 1 :] if c.exercise == cue.exercise]
        following = intensity[n + 1] if n + 1 < len(intensity) else None
        if cue.text in ENGLISH.last_rep:  # nothing more of this exercise before a rest between ways or the next one
            assert not later or (following is not None and following.rep == 1), (cue, later)
        if cue.text in ENGLISH.last_on_side:
            assert later and all(c.side != cue.side for c in later[:1]), (cue, later)


def test_the_script_does_not_repeat_itself() -> None:
    """In the bundled back-stretches (15 last reps, seven exercises): no intensity sentence is said
    more than a third of the times its kind is, no name twice in a row, "twice" for two."""
    steps = compile_routine(load("back-stretches"))
    said = [c.text for c in cues(steps)]
    last = [c.text for c in cues(steps, Kind.INTENSITY) if c.text in ENGLISH.last_rep + ENGLISH.last_on_side]
    assert last and max(last.count(text) for text in last) <= len(last) / 3 + 1, last
    for before, after in itertools.pairwise(said):
        name = before.removeprefix("Well done. Next up: ").split(".")[0] if "Next up" in before else None
        assert not name or name not in after, (before, after)
    assert "twice" in ENGLISH.how_often_line(2) and "two times" not in ENGLISH.how_often_line(2)


def test_tips_are_spoken_and_what_an_exercise_works_is_not() -> None:
    """`about` (muscle names, sources) is for the card: nothing of it is read out while the
    listener gets into position; a tip is advice, said after the instructions."""
    steps = compile_routine(routine(exercise(tips=("Keep breathing.",), about="Works the latissimus dorsi.")))
    said = " ".join(c.text for c in cues(steps))
    assert "Keep breathing." in said and "latissimus" not in said
    bundled = " ".join(c.text for c in cues(compile_routine(load("back-stretches"))))
    assert "lumborum" not in bundled and "dorsi" not in bundled


def test_later_reps_get_a_short_reminder() -> None:
    steps = compile_routine(routine(exercise(reps=3, reminder="Arms high."), exercise(name="Bend", sides=Sides.EACH)))
    reminders = [(c.exercise, c.side, c.rep, c.text) for c in cues(steps, Kind.REMINDER)]
    assert reminders[:2] == [("Reach", None, 2, "Arms high."), ("Reach", None, 3, "Arms high.")]
    assert reminders[2:] == [("Bend", "right", 2, "Bend, again."), ("Bend", "left", 1, "Bend, again."),
                             ("Bend", "left", 2, "Bend, again.")]  # fmt: skip


def test_every_kind_of_cue_is_explained_for_the_plan() -> None:
    assert set(MEANINGS) == set(Kind) and all(MEANINGS.values())
