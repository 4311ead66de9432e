"""The script: what a track plays, in order, as the compiler writes it and the timeline places it.
Each cue is a spoken sentence or a generated tone (its length known here; its sound is made in
sound/tones.py); a hold is exact silence but for the cues inside it. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

BREATH_GAP = 0.3  # seconds of quiet between the in and out tones, so each is heard as one


@dataclass(frozen=True)
class Tone:
    name: str  # chime-start, chime-end, breath-in, breath-out
    seconds: float


CHIME_START = Tone("chime-start", 1.2)
CHIME_END = Tone("chime-end", 1.2)
CHIME_SIDE = Tone("chime-side", 1.6)  # timer guidance: the other side now (two notes)
CHIME_NEXT = Tone("chime-next", 2.0)  # timer guidance: a new part of the session (three notes)


def breath_in(seconds: float) -> Tone:
    return Tone("breath-in", max(0.5, seconds - BREATH_GAP))


def breath_out(seconds: float) -> Tone:
    return Tone("breath-out", max(0.5, seconds - BREATH_GAP))


class Kind(StrEnum):
    INTRO = "intro"
    EXERCISE = "exercise"
    INSTRUCTION = "instruction"
    REMINDER = "reminder"
    INTENSITY = "intensity"
    HOLD = "hold"
    CHIME = "chime"
    BREATH = "breath"
    HALFWAY = "halfway"
    COUNTDOWN = "countdown"
    RELEASE = "release"
    REST = "rest"
    SWITCH_SIDES = "switch_sides"
    NEXT = "next"
    OUTRO = "outro"


# What each kind of cue is, for people reading a plan (plan --json prints it).
MEANINGS = {
    Kind.INTRO: "welcome, the session's length, how the reps go, and the safety advice",
    Kind.EXERCISE: "the exercise's name and its place in the routine",
    Kind.INSTRUCTION: "how to get into the stretch, the first time (and which side to start on)",
    Kind.REMINDER: "a few words recalling the stretch, before later reps and the second side",
    Kind.INTENSITY: "how far to go this rep: gently first, then a little deeper",
    Kind.HOLD: "the word that starts the hold; the hold itself runs from its end to the release",
    Kind.CHIME: "a soft tone, no words (empty text): one as a hold starts, one as it ends",
    Kind.BREATH: "a soft tone paced for breathing inside a hold: rising to breathe in, falling to breathe out",
    Kind.HALFWAY: "a spoken cue starting exactly at the middle of a hold of 20 s or more",
    Kind.COUNTDOWN: "a number spoken in the last seconds of a hold; number k starts exactly k s before its end",
    Kind.RELEASE: "the end of the hold: ease out of the stretch",
    Kind.REST: "a rest between reps, or between the ways of doing an exercise",
    Kind.SWITCH_SIDES: "move to the other side",
    Kind.NEXT: "the next exercise's name, and how to move there when the position changes",
    Kind.OUTRO: "the end of the session",
}


@dataclass(frozen=True)
class Cue:
    kind: Kind
    text: str  # what is spoken; empty when the cue is a tone
    exercise: str | None = None
    side: str | None = None
    rep: int | None = None
    tone: Tone | None = None  # a generated sound instead of speech
    chapter: str | None = None  # the title of the chapter this cue starts


@dataclass(frozen=True)
class Play:
    """Play `cue` (speak its text, or sound its tone), then stay silent for `pause` seconds."""

    cue: Cue
    pause: float


@dataclass(frozen=True)
class Event:
    """A cue inside a hold, starting `at` seconds after the hold starts, or before it ends (`from_end`)."""

    cue: Cue
    at: float
    from_end: bool = False


@dataclass(frozen=True)
class Hold:
    """Exactly `seconds` of silence but for its events, in order of start; none outlasts the hold."""

    seconds: float
    events: tuple[Event, ...] = ()
    exercise: str | None = None  # what is held: the exercise, its side and rep
    side: str | None = None
    rep: int | None = None


Step = Play | Hold
