"""The stages in order. `plan` and `build` share everything up to the timeline, so what `plan`
prints is what `build` renders."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pathvalidate import sanitize_filename

from . import __version__
from .audio import AudioSegment
from .compiler import Options, Step, compile_routine
from .errors import StretchcueError
from .render import Tags, render, write_mp3
from .routine import Routine
from .speech import Voice
from .timeline import Timeline, fixed_seconds, layout, spoken_texts

MAX_TRACK_HOURS = 3
CACHE_FOLDER = ".stretchcue-cache"  # inside the output folder: the tool writes nowhere else

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Plan:
    routine: Routine
    options: Options
    voice: str
    steps: tuple[Step, ...]
    timeline: Timeline
    clips: dict[str, AudioSegment]

    @property
    def title(self) -> str:
        return self.routine.title


def make_plan(routine: Routine, options: Options, voice: Voice, progress: Progress | None = None) -> Plan:
    """Compile, speak and lay out. The intro announces the length, which depends on the clips,
    so compile again with the measured length until the two agree (one extra round in practice)."""
    minutes: int | None = None
    clips: dict[str, AudioSegment] = {}
    for _ in range(3):
        steps = compile_routine(routine, options, minutes)
        if fixed_seconds(steps) > MAX_TRACK_HOURS * 3600:
            raise StretchcueError(
                f"{routine.source}: the track would last over {MAX_TRACK_HOURS} hours; use shorter holds or fewer reps"
            )
        missing = [text for text in spoken_texts(steps) if text not in clips]
        clips.update(voice.speak(missing, progress))
        timeline = layout(steps, {text: int(clip.frame_count()) for text, clip in clips.items()})
        measured = max(1, round(timeline.length / timeline.sample_rate / 60))
        if measured == minutes:
            break
        minutes = measured
    used = set(spoken_texts(steps))
    return Plan(routine, options, voice.profile.name, steps, timeline, {t: c for t, c in clips.items() if t in used})


def track_name(plan: Plan) -> str:
    """A file name from the title that is safe on Windows, macOS and Linux."""
    return sanitize_filename(plan.title, platform="universal", replacement_text="-").strip(" .") or "track"


def build(plan: Plan, out_dir: Path) -> Path:
    path = out_dir / f"{track_name(plan)}.mp3"
    tags = Tags(
        title=plan.title,
        album=plan.title,
        year=str(datetime.date.today().year),
        comment=f"{plan.routine.description or plan.title}. Voice: {plan.voice}. Made with stretchcue {__version__}.",
    )
    write_mp3(render(plan.timeline, plan.clips), plan.timeline.sample_rate, tags, path)
    return path
