"""The compiler and the layout: what is said in what order, and the timing contract to the sample."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from stretchcue.compiler import Hold, Kind, Options, Speak, compile_routine, countdown_numbers
from stretchcue.phrases import number as spoken_number
from stretchcue.routine import Exercise, Routine, Sides, Variation, load
from stretchcue.timeline import MP3_FRAME, SAMPLE_RATE, frame_aligned, layout, spoken_texts, to_samples


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
    found = [s.cue for s in steps if isinstance(s, Speak)]
    return [c for c in found if kind is None or c.kind == kind]


def test_session_shape_for_one_symmetric_exercise() -> None:
    steps = compile_routine(routine(exercise()))
    kinds = [s.cue.kind if isinstance(s, Speak) else "HOLD" for s in steps]
    assert kinds == [
        Kind.INTRO, Kind.INTRO, Kind.INTRO, Kind.EXERCISE, Kind.INSTRUCTION,
        Kind.INTENSITY, Kind.HOLD, "HOLD", Kind.RELEASE, Kind.REST,
        Kind.INTENSITY, Kind.HOLD, "HOLD", Kind.RELEASE, Kind.OUTRO,
    ]  # fmt: skip
    first, second = cues(steps, Kind.INTENSITY)
    assert "gentl" in first.text.lower() and "gentl" not in second.text.lower()
    assert cues(steps, Kind.EXERCISE)[0].text == "Reach."
    two = compile_routine(routine(exercise(), exercise(name="Bend")))
    assert [c.text for c in cues(two, Kind.EXERCISE)] == ["Stretch one of two: Reach.", "Stretch two of two: Bend."]


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


def test_spoken_numbers() -> None:
    assert [spoken_number(n) for n in (0, 7, 13, 20, 42, 100, 115)] == [
        "zero", "seven", "thirteen", "twenty", "forty-two", "one hundred", "one hundred and fifteen",
    ]  # fmt: skip


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
    hold=st.floats(0.5, 40).map(lambda x: round(x, 2)),
    reps=st.integers(1, 4),
    rest=st.floats(0, 10).map(lambda x: round(x, 2)),
    sides=st.sampled_from(Sides),
    variations=st.lists(st.builds(Variation, st.sampled_from(["up", "aside"]), st.just("Do it.")), max_size=2).map(
        tuple
    ),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(exercises, min_size=1, max_size=4), st.integers(0, 5), st.integers(1, 30_000))
def test_timing_contract_holds_for_any_routine(items, countdown, word_samples) -> None:
    steps = compile_routine(routine(*items, countdown=countdown))
    lengths = {text: word_samples * len(text.split()) for text in spoken_texts(steps)}
    timeline = layout(steps, lengths)
    placed = timeline.cues
    # In order, never overlapping, inside the track.
    assert all(a.end <= b.start for a, b in itertools.pairwise(placed))
    assert placed[0].start == 0 and placed[-1].end <= timeline.length
    # Every hold is exact and its countdown sits k seconds before its end.
    holds = [s for s in steps if isinstance(s, Hold)]
    starts = [i for i, p in enumerate(placed) if p.cue.kind == Kind.HOLD]
    assert len(holds) == len(starts)
    for hold, i in zip(holds, starts, strict=True):
        n = len(hold.countdown)
        release = placed[i + 1 + n]
        assert release.cue.kind == Kind.RELEASE
        assert release.start - placed[i].end == to_samples(hold.seconds)
        for k, cue in zip(range(n, 0, -1), placed[i + 1 : i + 1 + n], strict=True):
            assert cue.cue.kind == Kind.COUNTDOWN and release.start - cue.start == k * SAMPLE_RATE
    # The total is the sum of the parts: spoken clips (cut countdowns as cut), pauses and holds.
    spoken = sum(p.end - p.start for p in placed if p.cue.kind != Kind.COUNTDOWN)
    pauses = sum(to_samples(s.pause) for s in steps if isinstance(s, Speak))
    parts = spoken + pauses + sum(to_samples(h.seconds) for h in holds)
    assert timeline.length == frame_aligned(parts) and parts <= timeline.length < parts + MP3_FRAME
