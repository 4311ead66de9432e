"""One session, from routine to timeline: the script compiled, each sentence spoken (or read from
the cache) and laid out to the sample. `plan` prints it and `build` renders it, through the same
functions and one speech cache, so what `plan` prints is what `build` renders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stretchcue.authoring.compiler import Options, breathing_warnings, compile_routine, guidance_of
from stretchcue.authoring.routine import MusicChoice, Routine
from stretchcue.authoring.script import MEANINGS, Play, Step
from stretchcue.authoring.timeline import Layout, Timeline, fixed_seconds, spoken_texts
from stretchcue.errors import StretchcueError
from stretchcue.format import SPEECH_ONLY, Format
from stretchcue.sound.profiles import VoiceProfile
from stretchcue.sound.speech import Voice

MAX_TRACK_HOURS = 3

Progress = Callable[[int, int], None]  # (cues placed, cues in all)


@dataclass(frozen=True)
class Plan:
    """A session as `build` renders it: every cue and hold to the sample, and the track's format."""

    routine: Routine
    voice: str
    timeline: Timeline
    music: MusicChoice | None
    format: Format
    guidance: str = "full"

    def document(self) -> dict[str, object]:
        """The plan as `plan --json` prints it: every cue, and every hold, with its exact start and end."""
        timeline, fmt, under = self.timeline, self.format, self.music
        return {
            "title": self.routine.title,
            "guidance": self.guidance,
            "language": self.routine.language.value,
            "duration": timeline.seconds(timeline.length),
            "warnings": list(timeline.warnings),
            "format": {"sample_rate": fmt.rate, "channels": fmt.channels, "bitrate": fmt.bitrate},
            "music": {"file": str(under.path), "level": under.level} if under else None,
            "kinds": {str(kind): meaning for kind, meaning in MEANINGS.items()},
            "cues": [
                {
                    "start": timeline.seconds(p.start),
                    "end": timeline.seconds(p.end),
                    "kind": str(p.cue.kind),
                    "text": p.cue.text,
                    "tone": p.cue.tone.name if p.cue.tone else None,
                    "chapter": p.cue.chapter,
                    "exercise": p.cue.exercise,
                    "side": p.cue.side,
                    "rep": p.cue.rep,
                }
                for p in timeline.cues
            ],
            "holds": [
                {
                    "start": timeline.seconds(h.start),
                    "end": timeline.seconds(h.end),
                    "exercise": h.exercise,
                    "side": h.side,
                    "rep": h.rep,
                }
                for h in timeline.holds
            ],
        }

    def table(self) -> Iterator[str]:
        """The plan as `plan` prints it: a line per cue, and one per chapter."""
        timeline, under = self.timeline, self.music
        duration = timeline.seconds(timeline.length)
        count = len(timeline.cues)
        yield (
            f"{self.routine.title}: {clock(duration)} ({duration:.3f} s), {count} cues, voice {self.voice}, "
            f"guidance {self.guidance}, language {self.routine.language}"
        )
        music = f"music: {under.path} at {under.level:g} dB against the voice" if under else "no music"
        yield f"{music}; written as {self.format.describe()}"
        for placed in timeline:
            start, end, cue = timeline.seconds(placed.start), timeline.seconds(placed.end), placed.cue
            if cue.chapter:
                yield f"{clock(start):>10}  chapter: {cue.chapter}"
            text = cue.text or f"({cue.tone.name if cue.tone else None})"
            yield f"{clock(start):>10} {clock(end):>10}  {cue.kind:<12}  {text}"
        for warning in timeline.warnings:
            yield f"warning: {warning}"


def clock(seconds: float) -> str:
    """m:ss.sss"""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}"


def script(routine: Routine, options: Options, voice: VoiceProfile) -> tuple[Step, ...]:
    """The routine compiled, its intro announcing the session's length as estimated from the texts
    (engines.py fits each voice's pace), so it is known before a word is spoken and a build can
    encode the start of a track while the rest is being spoken. It depends on nothing but its
    inputs: `plan` and `build` always say the same. Two rounds: the announcement is itself spoken."""
    steps = check_length(routine, options)
    for _ in range(2):
        said = [step.cue.text for step in steps if isinstance(step, Play) and step.cue.tone is None]
        spoken = sum(voice.estimate(text) for text in said)
        steps = compile_routine(routine, options, max(1, round((fixed_seconds(steps) + spoken) / 60)))
    return steps


def check_length(routine: Routine, options: Options) -> tuple[Step, ...]:
    """The routine compiled, if its track would not last too long (its holds and silences alone)."""
    steps = compile_routine(routine, options)
    if fixed_seconds(steps) > MAX_TRACK_HOURS * 3600:
        raise StretchcueError(
            f"{routine.source}: the track would last over {MAX_TRACK_HOURS} hours; use shorter holds or fewer reps"
        )
    return steps


def placements(routine: Routine, options: Options, voice: Voice, progress: Progress | None = None) -> Layout:
    """The track's cues, placed as they are iterated; each clip is spoken (or read from the cache) when reached."""
    placed = 0

    def length_of(text: str) -> int:
        nonlocal placed
        length = voice.length(text)
        placed += 1
        if progress:
            progress(placed, len(placing))
        return length

    placing = Layout(script(routine, options, voice.profile), length_of, warnings=breathing_warnings(routine, options))
    return placing


def music_of(routine: Routine, options: Options) -> MusicChoice | None:
    """The music under a track: the command line's, else the routine's; at the level asked for."""
    choice = options.music or routine.music
    if choice is None:
        if options.music_level is not None:
            raise StretchcueError(f"--music-level: {routine.source} has no music; add --music FILE")
        return None
    return MusicChoice(choice.path, choice.level if options.music_level is None else options.music_level)


def make_plan(routine: Routine, options: Options, voice: Voice, progress: Progress | None = None) -> Plan:
    """Compile, speak and lay out the whole track: the timeline `build` renders, to the sample. A
    music file that `build` would refuse (one ffmpeg cannot read, one too short to loop) is refused
    the same way, before anything is spoken."""
    under = music_of(routine, options)
    if under:
        from stretchcue.sound.music import Music  # (numpy: only music needs it before anything is rendered)

        fmt = Music(under).format
    else:
        fmt = SPEECH_ONLY
    placing = placements(routine, options, voice, progress)
    with voice.prefetch(spoken_texts(placing.steps)):
        timeline = placing.place_all()
    return Plan(routine, voice.profile.name, timeline, under, fmt, guidance_of(routine, options).value)
