"""Routine + options -> Script: what is said, in what order, and the silences between. Pure code.

Every sentence the tool speaks is written here. Repeated cues rotate through a few wordings
(chosen by position, so a track rebuilds identically) so twenty holds do not sound the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

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

SIDE_NAMES = ("right", "left")

HOLD_WORDS = ("Hold.", "And hold it there.", "Stay here.", "Hold, and breathe.")
RELEASE_WORDS = ("And release.", "Release.", "Let it go.", "Slowly ease out.")
REST_WORDS = ("Relax.", "Rest for a moment.", "Breathe out, and relax.", "Take a breath.")
DEEPER_WORDS = (
    "A little deeper this time.",
    "Ease a bit further, still without pain.",
    "Go a little further if it feels fine.",
)
GENTLE_WORDS = ("Gently now, ease into the stretch.", "Ease in gently.")
ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")

_ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = (
    "",
    "",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)


def spoken_number(n: int) -> str:
    """0..999 in words, so both engines read numbers the same way; larger numbers stay digits."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return f"{_ONES[n // 100]} hundred" + ("" if rest == 0 else " and " + spoken_number(rest))
    return str(n)


def spoken_seconds(seconds: float) -> str:
    if seconds == int(seconds):
        whole = int(seconds)
        return f"{spoken_number(whole)} second" + ("" if whole == 1 else "s")
    return f"{seconds:g} seconds"


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
        self.say(Cue(Kind.INTRO, f"Welcome to {title}."))
        if minutes:  # a cue of its own: the one sentence to speak again when the length is known
            self.say(
                Cue(
                    Kind.INTRO,
                    f"This session takes about {spoken_number(minutes)} minute{'s' if minutes != 1 else ''}.",
                )
            )
        reps = {e.reps for e in self.exercises}
        plan = "Each stretch is done"
        plan += f" {spoken_number(reps.pop())} times" if len(reps) == 1 and min(reps, default=1) > 1 else " a few times"
        self.say(Cue(Kind.INTRO, f"{plan}: gently the first time, then a little deeper."))
        self.say(
            Cue(
                Kind.INTRO,
                "Stretch only to a gentle tension, never to pain. "
                "If you catch yourself waiting for a hold to end, you are pushing too hard: ease off a little.",
            ),
            AFTER_NAME,
        )
        total = len(self.exercises)
        for number, exercise in enumerate(self.exercises, start=1):
            self.exercise(number, total, exercise)
            if number < total:
                following = self.exercises[number].name
                self.say(Cue(Kind.NEXT, f"Well done. Next up: {following}.", exercise.name), BEFORE_NEXT)
        outro = "That is the end of the routine. Well done. Take a moment before you get up."
        if max(e.hold for e in self.exercises) < GOAL_HOLD:
            outro += f" As it gets easier, build up your holds, bit by bit, to about {spoken_seconds(GOAL_HOLD)}."
        outro += " Stretching like this every other day or more keeps your back comfortable."
        self.say(Cue(Kind.OUTRO, outro), TAIL)
        return self.steps

    def exercise(self, number: int, total: int, exercise: Exercise) -> None:
        name = exercise.name
        announce = f"Stretch {spoken_number(number)} of {spoken_number(total)}: {name}." if total > 1 else f"{name}."
        self.say(Cue(Kind.EXERCISE, announce, name), AFTER_NAME)
        ways = exercise.variations or (Variation(name="", instructions=""),)
        for index, way in enumerate(ways):
            text = [exercise.instructions] if index == 0 else []
            if way.name:
                text.append(
                    f"{ORDINALS[index] if index < len(ORDINALS) else 'Next'} way: {way.name}. {way.instructions}"
                )
            feel = way.feel or exercise.feel
            if feel:
                text.append(f"You should feel it {feel}.")
            if index == 0:
                text.extend(exercise.tips)
            self.say(
                Cue(Kind.INSTRUCTION, " ".join(text), name),
                GET_IN_POSITION if exercise.sides is Sides.NONE else BETWEEN_SENTENCES,
            )
            self.holds(exercise)
            if index + 1 < len(ways):
                self.say(Cue(Kind.REST, self.vary(REST_WORDS), name), max(exercise.rest, SIDE_CHANGE))

    def holds(self, exercise: Exercise) -> None:
        name = exercise.name
        if exercise.sides is Sides.NONE:
            order = [(None, rep) for rep in range(1, exercise.reps + 1)]
        elif exercise.sides is Sides.EACH:
            order = [(side, rep) for side in SIDE_NAMES for rep in range(1, exercise.reps + 1)]
            self.say(Cue(Kind.INSTRUCTION, "Start with your right side.", name, "right"), GET_IN_POSITION)
        else:
            order = [(side, rep) for rep in range(1, exercise.reps + 1) for side in SIDE_NAMES]
            self.say(
                Cue(Kind.INSTRUCTION, "Start to the right, then switch sides each time.", name, "right"),
                GET_IN_POSITION,
            )

        for index, (side, rep) in enumerate(order):
            if index > 0:
                previous_side = order[index - 1][0]
                if side != previous_side:
                    text = "Switch sides. Now the left side." if exercise.sides is Sides.EACH else f"Now to the {side}."
                    self.say(Cue(Kind.SWITCH_SIDES, text, name, side, rep), max(exercise.rest, SIDE_CHANGE))
                else:
                    self.say(Cue(Kind.REST, self.vary(REST_WORDS), name, side, rep - 1), exercise.rest)
            self.rep(exercise, side, rep)

    def rep(self, exercise: Exercise, side: str | None, rep: int) -> None:
        name = exercise.name
        if rep == 1:
            intensity = self.vary(GENTLE_WORDS)
        elif rep == exercise.reps and rep > 2:
            intensity = "Last one. Go a little deeper, to a moderate stretch."
        else:
            intensity = self.vary(DEEPER_WORDS)
        self.say(Cue(Kind.INTENSITY, intensity, name, side, rep), SETTLE)
        self.say(Cue(Kind.HOLD, self.vary(HOLD_WORDS), name, side, rep), 0.0)
        numbers = countdown_numbers(exercise.hold, self.routine.countdown)
        countdown = tuple(Cue(Kind.COUNTDOWN, f"{spoken_number(k).capitalize()}.", name, side, rep) for k in numbers)
        self.steps.append(Hold(exercise.hold, countdown))
        self.say(Cue(Kind.RELEASE, self.vary(RELEASE_WORDS), name, side, rep), BETWEEN_SENTENCES)
