"""Which tracks to build: one, one per hold length, a progression of sessions, or a manifest's
list; each as a `TrackSpec` that says everything the track is made from."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, replace
from enum import Enum

from stretchcue import __version__
from stretchcue.authoring import phrases
from stretchcue.authoring.compiler import Options, effective, guidance_of
from stretchcue.authoring.routine import Guidance, Routine
from stretchcue.errors import StretchcueError
from stretchcue.pipeline.manifest import Manifest
from stretchcue.sound.music import Music
from stretchcue.sound.profiles import VoiceProfile, voice_for

MAX_SESSIONS = 50


@dataclass(frozen=True)
class TrackSpec:
    """Everything a track is made from: equal specs make equal tracks."""

    routine: Routine
    options: Options
    voice: VoiceProfile
    title: str
    album: str
    number: int = 1
    total: int = 1

    def stamp(self, music: Music | None) -> str:
        """A fingerprint of what the track (its audio and its tags) is made from, and nothing else:
        not where the routine or the music file is, only what is in them; `music` is the track's
        (from `music_of`), decoded. Settings at their defaults are left out, so a setting added
        in a later version leaves the tracks made without it as they are."""
        # The guidance each part is said at, not how it was asked for (--guidance full on a routine
        # of full guidance makes the same track); left out when all is full, as it was before levels.
        levels = [guidance_of(self.routine, self.options)]
        levels += [effective(e, self.options).guidance for e in self.routine.exercises]
        made_from = {
            "stretchcue": __version__,
            "routine": _plain(replace(self.routine, source="", music=None)),
            "options": _plain(replace(self.options, music=None, music_level=None, guidance=None)),
            "voice": [self.voice.name, self.voice.engine, _plain(self.voice.settings), self.voice.identity()],
            "track": [self.title, self.album, self.number, self.total],
            "music": [music.digest, music.level] if music else None,
            "phrasebook": phrases.digest(self.routine.language),
        }
        if set(levels) != {Guidance.FULL}:
            made_from["guidance"] = [level.value for level in levels]
        return hashlib.sha256(json.dumps(made_from, sort_keys=True).encode()).hexdigest()


def _plain(value: object) -> object:
    """Settings as JSON: dataclasses as the fields that differ from their defaults, enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ((f, getattr(value, f.name)) for f in dataclasses.fields(value))
        return {f.name: _plain(v) for f, v in fields if f.default is dataclasses.MISSING or v != f.default}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _hold_title(routine: Routine, hold: float | None) -> str:
    book = phrases.book(routine.language)
    return routine.title if hold is None else book.fill(book.title_holds, title=routine.title, hold=hold)


def _level(routine: Routine, options: Options, title: str) -> str:
    """The title with " - brief" and the like, so a track of less talk is a track of its own."""
    level, book = guidance_of(routine, options), phrases.book(routine.language)
    return title if level is Guidance.FULL else book.fill(book.title_level, title=title, level=book.levels[level])


def by_holds(
    routine: Routine, holds: list[float], options: Options, voice: VoiceProfile
) -> tuple[list[TrackSpec], str | None]:
    """`build`'s tracks: one (no --hold, or one length), or one per hold length as an album; and
    the album's name when there are several tracks (for their playlist)."""
    distinct = list(dict.fromkeys(holds))
    if len(distinct) > 1:
        specs = variants(routine, distinct, options, voice)
        return specs, specs[0].album
    return single(routine, replace(options, hold=distinct[0]) if distinct else options, voice), None


def single(routine: Routine, options: Options, voice: VoiceProfile) -> list[TrackSpec]:
    """One track, an album of its own: tracks of other hold lengths are other albums."""
    title = track_title(routine, options)
    return [TrackSpec(routine, options, voice, title, title)]


def track_title(routine: Routine, options: Options) -> str:
    """A single track's title, which is also its album's: the routine's, the hold when one is asked
    for, and the guidance when it is not full."""
    return _level(routine, options, _hold_title(routine, options.hold))


def variants(routine: Routine, holds: list[float], options: Options, voice: VoiceProfile) -> list[TrackSpec]:
    """One track per hold length, as one album named by its holds (so another set is another album)."""
    holds, book = list(dict.fromkeys(holds)), phrases.book(routine.language)
    total = len(holds)
    listed = ("; " if book.decimal == "," else ", ").join(book.digits(hold) for hold in holds)  # (not 2,5, 3)
    album = _level(routine, options, book.fill(book.album_holds, title=routine.title, holds=listed))
    return [
        TrackSpec(
            routine,
            replace(options, hold=hold),
            voice,
            track_title(routine, replace(options, hold=hold)),
            album,
            n,
            total,
        )
        for n, hold in enumerate(holds, start=1)
    ]


def progression(
    routine: Routine,
    start: float,
    stop: float,
    step: float,
    options: Options,
    voice: VoiceProfile,
    fade: bool = False,
) -> list[TrackSpec]:
    """Sessions whose hold steps up from `start` to `stop` (included, even if the last step is short);
    with `fade`, the guidance steps down as the holds step up: full the first time, minimal the
    last, brief between (a course coaches less as the listener learns)."""
    if stop < start:
        raise StretchcueError(f"--to ({stop:g}) must not be less than --from ({start:g})")
    if fade and stop == start:
        raise StretchcueError("--fade: a course of one session has nothing to fade; give a --to beyond --from")
    steps = int((stop - start) / step + 1e-9)  # tolerate float error: 10 to 30 by 5 is 4 steps
    if steps + 1 > MAX_SESSIONS:
        raise StretchcueError(f"--step: that makes over {MAX_SESSIONS} sessions; use a larger step")
    holds = [round(start + i * step, 3) for i in range(steps + 1)]
    if holds[-1] < stop:
        holds.append(stop)
    book = phrases.book(routine.language)  # another course is another album:
    album = book.fill(book.album_progression, title=routine.title, start=start, stop=stop, step=step)
    levels = [faded(n, len(holds)) if fade else options.guidance for n in range(len(holds))]
    album = book.fill(book.album_fading, album=album) if fade else _level(routine, options, album)
    return [
        TrackSpec(
            routine,
            replace(options, hold=hold, guidance=level),
            voice,
            _level(
                routine,
                replace(options, guidance=level),
                book.fill(book.title_session, title=routine.title, n=n, hold=hold),
            ),
            album,
            n,
            len(holds),
        )
        for n, (hold, level) in enumerate(zip(holds, levels, strict=True), start=1)
    ]


def faded(index: int, count: int) -> Guidance:
    """A course's guidance, session by session: full first, minimal last (of three or more), brief between."""
    if index == 0:
        return Guidance.FULL
    return Guidance.MINIMAL if index == count - 1 and count > 2 else Guidance.BRIEF


def from_manifest(manifest: Manifest, voice: str | None, overrides: Options) -> list[TrackSpec]:
    """The manifest's tracks; a --voice, --chimes or --music given on the command line wins over the
    files; each voice speaks its track's language (without one, the best voice for it)."""
    total = len(manifest.entries)
    specs = []
    for n, entry in enumerate(manifest.entries, start=1):
        options = replace(
            overrides,
            hold=entry.hold,
            reps=entry.reps,
            music=overrides.music or entry.music,
            guidance=overrides.guidance or entry.guidance,
        )
        voiced = voice_for(entry.routine.language, voice or entry.voice)
        title = entry.title or track_title(entry.routine, options)
        specs.append(TrackSpec(entry.routine, options, voiced, title, _album(manifest, overrides), n, total))
    return specs


def _album(manifest: Manifest, options: Options) -> str:
    """The manifest's title, and the level when the command line asks for one for the whole set
    (in the first track's language)."""
    if options.guidance is None:
        return manifest.title
    return _level(manifest.entries[0].routine, options, manifest.title)
