"""Routine + options -> Script: what sounds, in what order, and the silences between. Pure code.

Every sentence comes from the phrasebook of the routine's language (phrases.py), every tone from
the script (script.py); this module decides which, and when. Repeated cues rotate through a few
wordings (chosen by position, so a track rebuilds identically) so twenty holds do not sound the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from stretchcue.authoring import phrases, script
from stretchcue.authoring.routine import (
    Breathing,
    Exercise,
    Guidance,
    MusicChoice,
    Position,
    Routine,
    Sides,
    Variation,
)
from stretchcue.authoring.script import Cue, Event, Hold, Kind, Play, Step


@dataclass(frozen=True)
class Options:
    """Command-line overrides; None keeps what the routine file says."""

    hold: float | None = None
    reps: int | None = None
    chimes: bool | None = None
    music: MusicChoice | None = None  # rendered under the voice; the script does not change
    music_level: float | None = None
    guidance: Guidance | None = None  # for every exercise, over what the routine says


# Silences, in seconds: room to breathe between sentences and to move between positions.
BETWEEN_SENTENCES = 0.6
AFTER_NAME = 0.8
GET_IN_POSITION = 4.0  # after the instructions, before the first rep, when the position stays the same
# A change of position takes longer: about 4 s for each stage of getting down or up (standing,
# kneeling or sitting, lying) for someone stiff with eyes closed, and 4 s to turn over on the floor.
MOVE_STAGE = 4.0
SETTLE = 2.0  # after "ease into it", before "hold"
SIDE_CHANGE = 3.0  # the least time given to move to the other side
BEFORE_NEXT = 3.0  # after "next up", to come out of one position and into the next
TAIL = 1.5  # silence at the very end, so players do not clip the last word

AFTER_CHIME = 0.3  # between the end-of-hold chime and "release"
HALFWAY_FROM = 20.0  # holds at least this long get a halfway cue...
HALFWAY_ROOM = 3.0  # ...if it has this long before the countdown starts
GOAL_HOLD = 30  # seconds: beginners start at 5-10 and work up to this

SIDE_NAMES = phrases.SIDES


def effective(exercise: Exercise, options: Options) -> Exercise:
    """The exercise with command-line overrides applied (option > routine file > defaults)."""
    hold = exercise.hold if options.hold is None else options.hold
    reps = exercise.reps if options.reps is None else options.reps
    return replace(exercise, hold=hold, reps=reps, guidance=options.guidance or exercise.guidance)


def guidance_of(routine: Routine, options: Options) -> Guidance:
    """The session's own level (its intro and finish): the command line's, else its exercises' when
    they all have one (a routine of timer exercises is a timer session), else the routine's."""
    levels = {exercise.guidance for exercise in routine.exercises}
    return options.guidance or (levels.pop() if len(levels) == 1 else routine.guidance)


def countdown_numbers(hold: float, countdown: int, after: float = 0.0) -> range:
    """Numbers spoken at the end of a hold: at most `countdown`, each starting after `after` seconds
    into it (the start chime), and inside it."""
    return range(min(countdown, math.ceil(hold - after) - 1), 0, -1)


def move_seconds(before: Position | None, after: Position | None) -> float:
    """Time to get into `after` from `before` (None: not known, so no more than staying put)."""
    if before is None or after is None or before == after:
        return GET_IN_POSITION
    stages = abs(before.stage - after.stage)
    turning = before.stage == after.stage  # e.g. from the back onto the stomach
    return GET_IN_POSITION + MOVE_STAGE * (stages + turning)


def compile_routine(routine: Routine, options: Options = Options(), minutes: int | None = None) -> tuple[Step, ...]:
    """The whole session as steps. `minutes` is the length the intro announces (layout knows it)."""
    exercises = [effective(e, options) for e in routine.exercises]
    writer = _Writer(routine, exercises, _chimes(routine, options), guidance_of(routine, options))
    return tuple(writer.session(minutes))


def breathing_warnings(routine: Routine, options: Options = Options()) -> list[str]:
    """The exercises that ask for breath tones whose holds leave no room for a whole breath."""
    exercises = [effective(e, options) for e in routine.exercises]
    writer = _Writer(routine, exercises, _chimes(routine, options), guidance_of(routine, options))
    warnings = []
    for exercise in writer.exercises:
        if exercise.breathing and not writer.breathes(exercise):
            pace, room = exercise.breathing, max(stop - start for start, stop in writer.quiet(exercise)[0])
            warnings.append(
                f"{exercise.name}: a breath ({pace.inhale:g} s in, {pace.exhale:g} s out) needs "
                f"{pace.inhale + pace.exhale:g} s of quiet, and its {exercise.hold:g} s holds leave "
                f"{max(room, 0):.1f} s between their cues, so they have no breath tones; hold longer, or breathe faster"
            )
    return warnings


def _chimes(routine: Routine, options: Options) -> bool:
    """Chimes as asked (a timer exercise has them whatever is asked: see _Writer.chimes_for)."""
    return routine.chimes if options.chimes is None else options.chimes


class _Writer:
    """Writes the session at each exercise's guidance level. Every level keeps the same holds, rests,
    chapters and time to change position; the talk, and the pauses that belong to it, are what go:
    full says everything; brief names the exercise and its reminder, eases into the first rep of
    each side, then says only the calls; minimal says the name, "hold", the count, "release" and "switch sides"; timer
    says the names only, and chimes the rest."""

    def __init__(self, routine: Routine, exercises: list[Exercise], chimes: bool, level: Guidance) -> None:
        self.routine = routine
        self.exercises = exercises
        self.chimes = chimes
        self.level = level  # the session's own: its intro and finish
        self.book = phrases.book(routine.language)
        self.steps: list[Step] = []
        self.said: dict[tuple[str, ...], int] = {}

    def say(self, cue: Cue, pause: float = BETWEEN_SENTENCES) -> None:
        self.steps.append(Play(cue, pause))

    def wait(self, seconds: float, more: bool = False) -> None:
        """Quiet after the last cue of at least `seconds` (a time that is not talk's: to move, to
        rest), or `more` seconds on top of what it had."""
        last = self.steps[-1]
        if isinstance(last, Play):
            self.steps[-1] = replace(last, pause=last.pause + seconds if more else max(last.pause, seconds))

    def chimes_for(self, exercise: Exercise) -> bool:
        """Chimes as asked; a timer exercise always has them (its holds are marked by nothing else)."""
        return self.chimes or exercise.guidance is Guidance.TIMER

    def tone(self, tone: script.Tone, cue: Cue, pause: float = BETWEEN_SENTENCES) -> None:
        self.say(replace(cue, kind=Kind.CHIME, text="", tone=tone), pause)

    def vary(self, words: tuple[str, ...]) -> str:
        """The next wording of a repeated cue, in turn."""
        count = self.said.get(words, 0)
        self.said[words] = count + 1
        return words[count % len(words)]

    def session(self, minutes: int | None) -> list[Step]:
        title, level, book = self.routine.title, self.level, self.book
        opening = Cue(Kind.INTRO, book.fill(book.welcome, title=title), chapter=book.chapter_intro)
        if level in (Guidance.MINIMAL, Guidance.TIMER):  # the title; not the first exercise's name twice
            named = phrases.title_only(title) != phrases.title_only(self.exercises[0].name)
            self.say(replace(opening, text=phrases.title_only(title) if named else book.begin), AFTER_NAME)
        else:
            self.say(opening)
        if level is Guidance.FULL:
            if minutes:  # a cue of its own: the one sentence to speak again when the length is known
                self.say(Cue(Kind.INTRO, book.fill(book.length, n=minutes)))
            reps = {e.reps for e in self.exercises}
            self.say(Cue(Kind.INTRO, book.how_often_line(reps.pop() if len(reps) == 1 else None)))
            if self.chimes:
                self.say(Cue(Kind.INTRO, book.chimes))
        if level in (Guidance.FULL, Guidance.BRIEF):
            if any(self.breathes(e) for e in self.exercises):  # promised only where the tones will sound
                self.say(Cue(Kind.INTRO, book.breathing))
            self.say(Cue(Kind.INTRO, book.safety if level is Guidance.FULL else book.safety_line), AFTER_NAME)
        total = len(self.exercises)
        position: Position | None = None  # where the listener is: not known at the start
        for number, exercise in enumerate(self.exercises, start=1):
            self.exercise(number, total, exercise, move_seconds(position, exercise.position))
            position = exercise.position or position
            if number < total:
                following = self.exercises[number]
                if following.guidance is Guidance.FULL:
                    moving = following.position not in (None, position)
                    said = book.fill(book.next_up_moving if moving else book.next_up, name=following.name)
                    self.say(Cue(Kind.NEXT, said, exercise.name), BEFORE_NEXT)
                else:  # the next name is said at once: the time to come out of this position stays
                    self.wait(BEFORE_NEXT)
        short = max(e.hold for e in self.exercises) < GOAL_HOLD
        closing = Cue(Kind.OUTRO, book.outro_line(GOAL_HOLD if short else None), chapter=book.chapter_end)
        self.say(closing if level is Guidance.FULL else replace(closing, text=book.outro_short), TAIL)
        return self.steps

    def exercise(self, number: int, total: int, exercise: Exercise, move: float) -> None:
        name, level = exercise.name, exercise.guidance
        ways = exercise.variations or (Variation(name="", instructions=""),)
        each = exercise.sides is Sides.EACH  # a chapter per side
        first_way = ways[0].name if len(ways) > 1 else ""
        chapter: str | None = self.book.chapter(name, first_way, SIDE_NAMES[0] if each else None)
        announced = self.book.announce(name, number, total, named=number > 1)
        if level is Guidance.TIMER:
            self.tone(script.CHIME_NEXT, Cue(Kind.EXERCISE, "", name, chapter=chapter), 0.0)
        if level is Guidance.BRIEF and exercise.position and (number == 1 or move > GET_IN_POSITION):
            announced = self.book.fill(self.book.named_where, name=name, where=self.book.where[exercise.position])
        elif level is not Guidance.FULL:
            announced = phrases.title_only(name)
        self.say(Cue(Kind.EXERCISE, announced, name, chapter=None if level is Guidance.TIMER else chapter), AFTER_NAME)
        for index, way in enumerate(ways):
            chapter = None if index == 0 else self.book.chapter(name, way.name, SIDE_NAMES[0] if each else None)
            text = self.instructions(exercise, index, way)
            after = (move if index == 0 else GET_IN_POSITION) if exercise.sides is Sides.NONE else BETWEEN_SENTENCES
            if text and chapter and level is Guidance.TIMER:
                self.tone(script.CHIME_NEXT, Cue(Kind.INSTRUCTION, "", name, chapter=chapter), 0.0)
                self.say(Cue(Kind.INSTRUCTION, text, name), after)
            elif text:
                self.say(Cue(Kind.INSTRUCTION, text, name, chapter=chapter), after)
            elif chapter:  # a way's chapter starts on a tone when nothing is said
                self.tone(script.CHIME_NEXT, Cue(Kind.INSTRUCTION, "", name, chapter=chapter), after)
            else:
                self.wait(after if exercise.sides is Sides.NONE else 0.0)
            self.holds(exercise, move if index == 0 else GET_IN_POSITION, way.name if len(ways) > 1 else "")
            if index + 1 < len(ways):
                if level is Guidance.FULL:
                    self.say(Cue(Kind.REST, self.vary(self.book.rest), name), max(exercise.rest, SIDE_CHANGE))
                else:
                    self.wait(max(exercise.rest, SIDE_CHANGE))

    def instructions(self, exercise: Exercise, index: int, way: Variation) -> str:
        """What the exercise's instructions say at its level (empty: nothing)."""
        level = exercise.guidance
        if level is Guidance.FULL:
            text = [exercise.instructions] if index == 0 else []
            if way.name:
                text.append(self.book.way_line(index, way.name, way.instructions))
            feel = way.feel or exercise.feel
            if feel:
                text.append(self.book.fill(self.book.feel, where=feel))
            if index == 0:
                text.extend(exercise.tips)
            return " ".join(text)
        if level is Guidance.BRIEF:
            text = [exercise.reminder or phrases.first_sentence(exercise.instructions)] if index == 0 else []
            if way.name:
                text.append(phrases.title_only(phrases.capitalized(way.name)))
            return " ".join(text)
        return phrases.title_only(phrases.capitalized(way.name)) if way.name else ""  # (minimal, timer)

    def holds(self, exercise: Exercise, move: float, way: str) -> None:
        name, level = exercise.name, exercise.guidance
        talks = level in (Guidance.FULL, Guidance.BRIEF)
        order: list[tuple[str | None, int]]
        if exercise.sides is Sides.NONE:
            order = [(None, rep) for rep in range(1, exercise.reps + 1)]
        elif exercise.sides is Sides.EACH:
            order = [(side, rep) for side in SIDE_NAMES for rep in range(1, exercise.reps + 1)]
            if talks:
                self.say(Cue(Kind.INSTRUCTION, self.book.start_right, name, "right"), move)
            else:
                self.wait(move)
        else:
            order = [(side, rep) for rep in range(1, exercise.reps + 1) for side in SIDE_NAMES]
            if talks:
                self.say(Cue(Kind.INSTRUCTION, self.book.start_alternating, name, "right"), move)
            else:
                self.wait(move)

        for index, (side, rep) in enumerate(order):
            if index > 0:
                previous_side = order[index - 1][0]
                if side != previous_side and side is not None:  # (a side changes only when there are sides)
                    each = exercise.sides is Sides.EACH
                    text = self.book.switch_to_left if each else self.book.to_side(side)
                    chapter = self.book.chapter(name, way, side) if each else None
                    cue = Cue(Kind.SWITCH_SIDES, text, name, side, rep, chapter=chapter)
                    if level is Guidance.TIMER:
                        self.tone(script.CHIME_SIDE, cue, max(exercise.rest, SIDE_CHANGE))
                    else:
                        if level is Guidance.MINIMAL or (level is Guidance.BRIEF and each):
                            cue = replace(cue, text=self.book.switch_short)
                        self.say(cue, max(exercise.rest, SIDE_CHANGE))
                elif level is Guidance.FULL:
                    self.say(Cue(Kind.REST, self.vary(self.book.rest), name, side, rep - 1), exercise.rest)
                elif level is Guidance.TIMER:  # as an interval timer: the rest starts as the hold ends, the chime in it
                    self.wait(max(exercise.rest - script.CHIME_END.seconds, AFTER_CHIME))
                else:
                    self.wait(exercise.rest)
                if level is Guidance.FULL:
                    reminder = exercise.reminder or self.book.fill(self.book.again, name=name)
                    self.say(Cue(Kind.REMINDER, reminder, name, side, rep))
            moved = index == 0 or side != order[index - 1][0]
            self.rep(exercise, side, rep, final=index == len(order) - 1, moved=moved)

    def rep(self, exercise: Exercise, side: str | None, rep: int, final: bool, moved: bool) -> None:
        """`final`: the last hold of this way of doing the exercise ("last one" is said only when true);
        `moved`: it follows a move or a switch of sides, not a rest."""
        name, level = exercise.name, exercise.guidance
        if level is Guidance.FULL or (level is Guidance.BRIEF and rep == 1):
            if rep == 1:
                intensity = self.vary(self.book.gentle)
            elif rep == exercise.reps and rep > 2:
                intensity = self.vary(self.book.last_rep if final else self.book.last_on_side)
            else:
                intensity = self.vary(self.book.deeper)
            self.say(Cue(Kind.INTENSITY, intensity, name, side, rep), SETTLE)
        else:  # after a move or a switch, the time to ease in stays though nothing says so; between reps the rest is it
            self.wait(SETTLE, more=moved)
        if level is not Guidance.TIMER:  # (a timer's hold starts on its chime)
            hold = self.vary(self.book.hold) if level is Guidance.FULL else self.book.hold[0]
            self.say(Cue(Kind.HOLD, hold, name, side, rep), 0.0)
        self.steps.append(Hold(exercise.hold, tuple(self.hold_events(exercise, side, rep)), name, side, rep))
        if self.chimes_for(exercise):
            self.say(Cue(Kind.CHIME, "", name, side, rep, script.CHIME_END), AFTER_CHIME)
        if level is not Guidance.TIMER:
            release = self.vary(self.book.release) if level is Guidance.FULL else self.book.release[1]
            self.say(Cue(Kind.RELEASE, release, name, side, rep), BETWEEN_SENTENCES)

    def quiet(self, exercise: Exercise) -> tuple[list[tuple[float, float]], float | None, range]:
        """A hold's quiet spans (seconds from its start, between the start chime, the halfway cue
        and the countdown), where its halfway cue starts (None: it has none), and the countdown."""
        seconds = exercise.hold
        free = script.CHIME_START.seconds if self.chimes_for(exercise) else 0.0  # the time not yet given to a cue
        numbers = countdown_numbers(seconds, self.routine.countdown, free)
        counting_from = seconds - len(numbers)  # where the countdown starts
        halfway = seconds / 2
        if exercise.halfway and seconds >= HALFWAY_FROM and halfway + HALFWAY_ROOM <= counting_from:
            return [(free, halfway), (halfway + HALFWAY_ROOM, counting_from)], halfway, numbers
        return [(free, counting_from)], None, numbers

    def breathes(self, exercise: Exercise) -> bool:
        """Whether the exercise's holds have room for a whole breath, at its pace, between their cues."""
        pace = exercise.breathing
        return pace is not None and any(
            stop - start >= pace.inhale + pace.exhale - 1e-9 for start, stop in self.quiet(exercise)[0]
        )

    def hold_events(self, exercise: Exercise, side: str | None, rep: int) -> list[Event]:
        """What sounds inside a hold, in order: the start chime, breath tones, the halfway cue, the countdown."""
        name = exercise.name
        spans, halfway, numbers = self.quiet(exercise)
        events: list[Event] = []
        if self.chimes_for(exercise):
            events.append(Event(Cue(Kind.CHIME, "", name, side, rep, script.CHIME_START), 0.0))
        talks = exercise.guidance in (Guidance.FULL, Guidance.BRIEF)
        for n, (start, stop) in enumerate(spans):
            if n == 1 and halfway is not None and talks:
                events.append(Event(Cue(Kind.HALFWAY, self.vary(self.book.halfway), name, side, rep), halfway))
            if exercise.breathing:
                events.extend(self.breaths(exercise.breathing, start, stop, name, side, rep))
        if exercise.guidance is not Guidance.TIMER:
            events.extend(
                Event(Cue(Kind.COUNTDOWN, self.book.countdown(k), name, side, rep), k, from_end=True) for k in numbers
            )
        return events

    @staticmethod
    def breaths(pace: Breathing, start: float, stop: float, name: str, side: str | None, rep: int) -> list[Event]:
        """Whole breaths (a rising tone in, a falling tone out) from `start`, as many as end by `stop`."""
        events: list[Event] = []
        inhale, exhale = script.breath_in(pace.inhale), script.breath_out(pace.exhale)
        while start + pace.inhale + pace.exhale <= stop + 1e-9:
            events.append(Event(Cue(Kind.BREATH, "", name, side, rep, inhale), start))
            events.append(Event(Cue(Kind.BREATH, "", name, side, rep, exhale), start + pace.inhale))
            start += pace.inhale + pace.exhale
        return events
