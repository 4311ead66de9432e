"""Routine + options -> Script: what is said, in what order, and the silences between. Pure code.

Every sentence comes from the phrasebook (phrases.py); this module decides which, and when.
Repeated cues rotate through a few wordings (chosen by position, so a track rebuilds
identically) so twenty holds do not sound the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from . import phrases
from .routine import Exercise, Routine, Sides, Variation


class Kind(StrEnum):
    INTRO = "intro"
    EXERCISE = "exercise"
    INSTRUCTION = "instruction"
    INTENSITY = "intensity"
    HOLD = "hold"
    COUNTDOWN = "countdown"
    RELEASE = "release"
    REST = "rest"
    SWITCH_SIDES = "switch_sides"
    NEXT = "next"
    OUTRO = "outro"


@dataclass(frozen=True)
class Cue:
    kind: Kind
    text: str
    exercise: str | None = None
    side: str | None = None
    rep: int | None = None


@dataclass(frozen=True)
class Speak:
    """Say `cue`, then stay silent for `pause` seconds."""

    cue: Cue
    pause: float


@dataclass(frozen=True)
class Hold:
    """Exactly `seconds` of silence, except `countdown[i]`, which starts len(countdown) - i seconds before the end."""

    seconds: float
    countdown: tuple[Cue, ...]


Step = Speak | Hold


@dataclass(frozen=True)
class Options:
    """Command-line overrides; None keeps what the routine file says."""

    hold: float | None = None
    reps: int | None = None


# Silences, in seconds: room to breathe between sentences and to move between positions.
BETWEEN_SENTENCES = 0.6
AFTER_NAME = 0.8
GET_IN_POSITION = 4.0  # after the instructions, before the first rep
SETTLE = 2.0  # after "ease into it", before "hold"
SIDE_CHANGE = 3.0  # the least time given to move to the other side
BEFORE_NEXT = 3.0  # after "next up", to come out of one position and into the next
TAIL = 1.5  # silence at the very end, so players do not clip the last word

GOAL_HOLD = 30  # seconds: beginners start at 5-10 and work up to this

SIDE_NAMES = phrases.SIDES


def effective(exercise: Exercise, options: Options) -> Exercise:
    """The exercise with command-line overrides applied (option > routine file > defaults)."""
    changes: dict[str, object] = {}
    if options.hold is not None:
        changes["hold"] = options.hold
    if options.reps is not None:
        changes["reps"] = options.reps
    return replace(exercise, **changes)


def countdown_numbers(hold: float, countdown: int) -> range:
    """Numbers spoken at the end of a hold: at most `countdown`, and each must start inside it."""
    return range(min(countdown, math.ceil(hold) - 1), 0, -1)


def compile_routine(routine: Routine, options: Options = Options(), minutes: int | None = None) -> tuple[Step, ...]:
    """The whole session as steps. `minutes` is the length the intro announces (layout knows it)."""
    exercises = [effective(e, options) for e in routine.exercises]
    return tuple(_Writer(routine, exercises).session(minutes))


class _Writer:
    def __init__(self, routine: Routine, exercises: list[Exercise]) -> None:
        self.routine = routine
        self.exercises = exercises
        self.steps: list[Step] = []
        self.said: dict[tuple[str, ...], int] = {}

    def say(self, cue: Cue, pause: float = BETWEEN_SENTENCES) -> None:
        self.steps.append(Speak(cue, pause))

    def vary(self, words: tuple[str, ...]) -> str:
        """The next wording of a repeated cue, in turn."""
        count = self.said.get(words, 0)
        self.said[words] = count + 1
        return words[count % len(words)]

    def session(self, minutes: int | None) -> list[Step]:
        title = self.routine.title
        self.say(Cue(Kind.INTRO, phrases.welcome(title)))
        if minutes:  # a cue of its own: the one sentence to speak again when the length is known
            self.say(Cue(Kind.INTRO, phrases.length(minutes)))
        reps = {e.reps for e in self.exercises}
        self.say(Cue(Kind.INTRO, phrases.how_often(reps.pop() if len(reps) == 1 else None)))
        self.say(Cue(Kind.INTRO, phrases.SAFETY), AFTER_NAME)
        total = len(self.exercises)
        for number, exercise in enumerate(self.exercises, start=1):
            self.exercise(number, total, exercise)
            if number < total:
                following = self.exercises[number].name
                self.say(Cue(Kind.NEXT, phrases.next_up(following), exercise.name), BEFORE_NEXT)
        short = max(e.hold for e in self.exercises) < GOAL_HOLD
        self.say(Cue(Kind.OUTRO, phrases.outro(GOAL_HOLD if short else None)), TAIL)
        return self.steps

    def exercise(self, number: int, total: int, exercise: Exercise) -> None:
        name = exercise.name
        self.say(Cue(Kind.EXERCISE, phrases.announce(name, number, total), name), AFTER_NAME)
        ways = exercise.variations or (Variation(name="", instructions=""),)
        for index, way in enumerate(ways):
            text = [exercise.instructions] if index == 0 else []
            if way.name:
                text.append(phrases.way(index, way.name, way.instructions))
            feel = way.feel or exercise.feel
            if feel:
                text.append(phrases.feel(feel))
            if index == 0:
                text.extend(exercise.tips)
            self.say(
                Cue(Kind.INSTRUCTION, " ".join(text), name),
                GET_IN_POSITION if exercise.sides is Sides.NONE else BETWEEN_SENTENCES,
            )
            self.holds(exercise)
            if index + 1 < len(ways):
                self.say(Cue(Kind.REST, self.vary(phrases.REST), name), max(exercise.rest, SIDE_CHANGE))

    def holds(self, exercise: Exercise) -> None:
        name = exercise.name
        if exercise.sides is Sides.NONE:
            order = [(None, rep) for rep in range(1, exercise.reps + 1)]
        elif exercise.sides is Sides.EACH:
            order = [(side, rep) for side in SIDE_NAMES for rep in range(1, exercise.reps + 1)]
            self.say(Cue(Kind.INSTRUCTION, phrases.START_RIGHT, name, "right"), GET_IN_POSITION)
        else:
            order = [(side, rep) for rep in range(1, exercise.reps + 1) for side in SIDE_NAMES]
            self.say(
                Cue(Kind.INSTRUCTION, phrases.START_ALTERNATING, name, "right"),
                GET_IN_POSITION,
            )

        for index, (side, rep) in enumerate(order):
            if index > 0:
                previous_side = order[index - 1][0]
                if side != previous_side:
                    text = phrases.SWITCH_TO_LEFT if exercise.sides is Sides.EACH else phrases.to_side(side)
                    self.say(Cue(Kind.SWITCH_SIDES, text, name, side, rep), max(exercise.rest, SIDE_CHANGE))
                else:
                    self.say(Cue(Kind.REST, self.vary(phrases.REST), name, side, rep - 1), exercise.rest)
            self.rep(exercise, side, rep)

    def rep(self, exercise: Exercise, side: str | None, rep: int) -> None:
        name = exercise.name
        if rep == 1:
            intensity = self.vary(phrases.GENTLE)
        elif rep == exercise.reps and rep > 2:
            intensity = phrases.LAST_REP
        else:
            intensity = self.vary(phrases.DEEPER)
        self.say(Cue(Kind.INTENSITY, intensity, name, side, rep), SETTLE)
        self.say(Cue(Kind.HOLD, self.vary(phrases.HOLD), name, side, rep), 0.0)
        numbers = countdown_numbers(exercise.hold, self.routine.countdown)
        countdown = tuple(Cue(Kind.COUNTDOWN, phrases.count(k), name, side, rep) for k in numbers)
        self.steps.append(Hold(exercise.hold, countdown))
        self.say(Cue(Kind.RELEASE, self.vary(phrases.RELEASE), name, side, rep), BETWEEN_SENTENCES)
