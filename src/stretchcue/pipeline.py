"""The stages in order, for one track or a set of them.

`plan` and `build` share everything up to the timeline (`make_plan`) and one speech cache, so
what `plan` prints is what `build` renders. A set of tracks (hold variants, a progression, a
manifest) shares its voices, so each distinct sentence is spoken once; tracks whose inputs did
not change, and whose audio is whole, are skipped; each track is spoken, mixed and encoded as
one stream, on a thread per core.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

import numpy as np

from . import __version__, cards, mp3, outline, playlist, tones
from .cache import ClipCache
from .compiler import Cue, Options, Play, Step, compile_routine
from .errors import NotOurs, StretchcueError
from .files import as_found, check_folder, check_ours, is_own_file, safe_name, same_name, write_text, writing_into
from .manifest import Manifest
from .music import SPEECH_ONLY, Music
from .ours import Proof
from .profiles import VoiceProfile
from .render import Stamp, Tags, read_stamp, render, track_proof, write_mp3
from .routine import MusicChoice, Routine
from .speech import Voice
from .timeline import SAMPLE_RATE, Layout, Timeline, fixed_seconds

MAX_TRACK_HOURS = 3
MAX_SESSIONS = 50

Progress = Callable[[int, int], None]  # (cues placed, cues in all)
# report(track index, stage, done, total); stage is "building", "built" or "skipped"
Report = Callable[[int, str, int, int], None]


@dataclass(frozen=True)
class Plan:
    routine: Routine
    voice: str
    timeline: Timeline


def script(routine: Routine, options: Options, voice: VoiceProfile) -> tuple[Step, ...]:
    """The routine compiled, its intro announcing the session's length as estimated from the texts
    (engines.py fits each voice's pace), so it is known before a word is spoken and a build can
    encode the start of a track while the rest is being spoken. It depends on nothing but its
    inputs: `plan` and `build` always say the same. Two rounds: the announcement is itself spoken."""
    steps = compile_routine(routine, options)
    if fixed_seconds(steps) > MAX_TRACK_HOURS * 3600:
        raise StretchcueError(
            f"{routine.source}: the track would last over {MAX_TRACK_HOURS} hours; use shorter holds or fewer reps"
        )
    for _ in range(2):
        said = [step.cue.text for step in steps if isinstance(step, Play) and step.cue.tone is None]
        spoken = sum(voice.estimate(text) for text in said)
        steps = compile_routine(routine, options, max(1, round((fixed_seconds(steps) + spoken) / 60)))
    return steps


def placements(routine: Routine, options: Options, voice: Voice, progress: Progress | None = None) -> Layout:
    """The track's cues, placed as they are iterated; each clip is spoken (or read from the cache) when reached."""
    placed = 0

    def length_of(text: str) -> int:
        nonlocal placed
        clip = voice.clip(text)
        placed += 1
        if progress:
            progress(placed, len(placing))
        return int(clip.frame_count())

    placing = Layout(script(routine, options, voice.profile), length_of)
    return placing


def sounds(voice: Voice, rate: int = SAMPLE_RATE) -> Callable[[Cue], np.ndarray]:
    """What each cue sounds like at `rate` (the timeline's, or twice it): its text in the voice,
    or its tone; as floats in [-1, 1)."""
    resampled: dict[str, np.ndarray] = {}

    def sound(cue: Cue) -> np.ndarray:
        if cue.tone is not None:
            return tones.samples(cue.tone, rate)
        if cue.text not in resampled:
            speech = np.frombuffer(voice.clip(cue.text).raw_data, dtype="<i2").astype(np.float32) / 32768
            if rate != SAMPLE_RATE:
                from scipy.signal import resample_poly

                speech = resample_poly(speech, rate // SAMPLE_RATE, 1).astype(np.float32)
            resampled[cue.text] = speech
        return resampled[cue.text]

    return sound


def music_of(routine: Routine, options: Options) -> MusicChoice | None:
    """The music under a track: the command line's, else the routine's; at the level asked for."""
    choice = options.music or routine.music
    if choice is None:
        if options.music_level is not None:
            raise StretchcueError(f"--music-level: {routine.source} has no music; add --music FILE")
        return None
    return MusicChoice(choice.path, choice.level if options.music_level is None else options.music_level)


def make_plan(routine: Routine, options: Options, voice: Voice, progress: Progress | None = None) -> Plan:
    """Compile, speak and lay out the whole track: the timeline `build` renders, to the sample."""
    return Plan(routine, voice.profile.name, placements(routine, options, voice, progress).place_all())


# -- which tracks --------------------------------------------------------------------------------


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
        made_from = {
            "stretchcue": __version__,
            "routine": _plain(replace(self.routine, source="", music=None)),
            "options": _plain(replace(self.options, music=None, music_level=None)),
            "voice": [self.voice.name, self.voice.engine, _plain(self.voice.settings), self.voice.identity()],
            "track": [self.title, self.album, self.number, self.total],
            "music": [music.digest, music.level] if music else None,
        }
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


def _hold_title(title: str, hold: float | None) -> str:
    return title if hold is None else f"{title} - {hold:g} s holds"


def single(routine: Routine, options: Options, voice: VoiceProfile) -> list[TrackSpec]:
    return [TrackSpec(routine, options, voice, _hold_title(routine.title, options.hold), routine.title)]


def variants(routine: Routine, holds: list[float], options: Options, voice: VoiceProfile) -> list[TrackSpec]:
    """One track per hold length, as one album."""
    holds = list(dict.fromkeys(holds))
    return [
        TrackSpec(
            routine, replace(options, hold=hold), voice, _hold_title(routine.title, hold), routine.title, n, len(holds)
        )
        for n, hold in enumerate(holds, start=1)
    ]


def progression(
    routine: Routine, start: float, stop: float, step: float, options: Options, voice: VoiceProfile
) -> list[TrackSpec]:
    """Sessions whose hold steps up from `start` to `stop` (included, even if the last step is short)."""
    if stop < start:
        raise StretchcueError(f"--to ({stop:g}) must not be less than --from ({start:g})")
    steps = int((stop - start) / step + 1e-9)  # tolerate float error: 10 to 30 by 5 is 4 steps
    if steps + 1 > MAX_SESSIONS:
        raise StretchcueError(f"--step: that makes over {MAX_SESSIONS} sessions; use a larger step")
    holds = [round(start + i * step, 3) for i in range(steps + 1)]
    if holds[-1] < stop:
        holds.append(stop)
    album = f"{routine.title} - progression"
    return [
        TrackSpec(
            routine,
            replace(options, hold=hold),
            voice,
            f"{routine.title} - session {n} - {hold:g} s holds",
            album,
            n,
            len(holds),
        )
        for n, hold in enumerate(holds, start=1)
    ]


def from_manifest(manifest: Manifest, voice: str | None, default_voice: str, overrides: Options) -> list[TrackSpec]:
    """The manifest's tracks; a --voice, --chimes or --music given on the command line wins over the files."""
    total = len(manifest.entries)
    return [
        TrackSpec(
            entry.routine,
            replace(overrides, hold=entry.hold, reps=entry.reps, music=overrides.music or entry.music),
            VoiceProfile.load(voice) if voice else entry.voice or VoiceProfile.load(default_voice),
            entry.title or _hold_title(entry.routine.title, entry.hold),
            manifest.title,
            n,
            total,
        )
        for n, entry in enumerate(manifest.entries, start=1)
    ]


# -- building ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    path: Path
    title: str
    seconds: float
    skipped: bool
    warnings: tuple[str, ...] = ()


def base_names(specs: list[TrackSpec]) -> list[str]:
    """Safe file names without extension; numbered when there are several tracks, so they sort in order."""
    return [
        f"{spec.number:02d} - {safe_name(spec.title)}" if spec.total > 1 else safe_name(spec.title) for spec in specs
    ]


TRANSCRIPTS = (".vtt", ".lrc")  # written beside each track


def transcripts(track: Path) -> list[Path]:
    """The files beside a track, under the names they have (in whatever case) if they are there."""
    return [as_found(track.with_suffix(suffix)) for suffix in TRANSCRIPTS]


class _Places:
    """Chooses each output's file name in `out`, taking nothing that belongs to another track.

    A name is free, or holds this very track (same title and album: rebuilt or skipped), or holds
    another track of ours (the next name, "NAME (2)", is tried, and the user told), or holds a file
    stretchcue did not write (an error, before anything is written). Names are compared without
    regard to case, so the folder stays valid on case-blind disks.
    """

    def __init__(self, out: Path, notify: Callable[[str], None]) -> None:
        self.out = out
        self.notify = notify
        self.taken: set[str] = set()

    def track(self, spec: TrackSpec, base: str) -> tuple[Path, Stamp | None]:
        for name in self._candidates(base, ".mp3"):
            found = {path: read_stamp(path, follow=False) for path in self._existing(name)}
            for path, stamp in found.items():
                if stamp is None:
                    raise NotOurs(path, changed=track_proof(path, follow=False) is Proof.CHANGED)
            if all((s.title, s.album) == (spec.title, spec.album) for s in found.values() if s):
                name = as_found(self.out / name).name  # this track keeps its name's case
                for transcript in transcripts(self.out / name):  # the files beside it must be ours too
                    check_ours(transcript)
                return self._take(name, base, ".mp3", spec.title), found.get(self.out / name)
        raise AssertionError("unreachable")

    def playlist(self, album: str) -> Path | None:
        """The playlist's path, or None to leave an edited one alone."""
        base = safe_name(album)
        for name in self._candidates(base, ".m3u8"):
            inspected = [(path, playlist.inspect(path)) for path in self._existing(name)]
            for path, found in inspected:
                if not found.ours:
                    raise NotOurs(path)
            if all(found.album in (None, playlist.label(album)) for _, found in inspected):
                if edited := [path for path, found in inspected if found.edited]:
                    self.notify(f"note: {edited[0]} was edited by hand, so it is left as it is (delete it to renew it)")
                    return None
                name = as_found(self.out / name).name  # it keeps its name's case
                return self._take(name, base, ".m3u8", album)
        raise AssertionError("unreachable")

    def _existing(self, name: str) -> list[Path]:
        """What is at `name` now, in any case, links included."""
        return same_name(self.out / name)

    def _candidates(self, base: str, suffix: str) -> Iterator[str]:
        for n in itertools.count(1):
            name = f"{base}{suffix}" if n == 1 else f"{base} ({n}){suffix}"
            if name.lower() not in self.taken:
                yield name

    def _take(self, name: str, base: str, suffix: str, title: str) -> Path:
        self.taken.add(name.lower())
        if name.lower() != f"{base}{suffix}".lower():
            self.notify(f"note: {base}{suffix} holds another track, so {title!r} is saved as {name}")
        return self.out / name


def build_tracks(
    specs: list[TrackSpec],
    out: Path,
    cache: ClipCache,
    album: str | None = None,
    report: Report | None = None,
    notify: Callable[[str], None] | None = None,
    check_first: Callable[[list[Path]], None] | None = None,
) -> tuple[list[Track], Path | None]:
    """Build every track not already built whole from the same inputs; with `album`, write its playlist too.

    One run at a time writes into `out` (a second one waits, and says so); names are chosen, and
    checked for files that are not ours, before anything is written; `check_first` is given the
    tracks' paths then, to check what else the run will write (a feed and the files beside it).
    """
    check_folder(out)
    mp3.check_encoder()  # a missing encoder is reported before anything is written
    say: Report = report or (lambda *_: None)
    tell: Callable[[str], None] = notify or (lambda _: None)

    def choose(tell: Callable[[str], None]) -> tuple[list[tuple[Path, Stamp | None]], Path | None]:
        places = _Places(out, tell)
        targets = [places.track(spec, base) for spec, base in zip(specs, base_names(specs), strict=True)]
        playlist_path = places.playlist(album) if album else None
        if check_first:
            check_first([path for path, _ in targets])
        return targets, playlist_path

    if out.is_dir():  # a file in the way is found before the folder's lock is taken: nothing is written
        choose(lambda _: None)
    with writing_into(out, tell):
        targets, playlist_path = choose(tell)  # again, now that no other run can write here
        tracks = _build_all(specs, targets, cache, say, tell)
        if playlist_path and album:
            items = [playlist.Item(Path(t.path.name), t.title, t.seconds) for t in tracks]
            playlist.write_playlist(playlist_path, album, items)
    return tracks, playlist_path


class Stopped(Exception):
    """A track's build was asked to stop (the run is being interrupted)."""


def _build_all(
    specs: list[TrackSpec],
    targets: list[tuple[Path, Stamp | None]],
    cache: ClipCache,
    say: Report,
    tell: Callable[[str], None],
) -> list[Track]:
    """Each track is spoken, rendered and encoded in one stream, on a thread of its own: one per
    core, so while one track waits for speech another is encoded. Tracks share their voices."""
    voices: dict[str, Voice] = {}  # one per profile: each engine loads once, each text is spoken once
    choices = [music_of(spec.routine, spec.options) for spec in specs]
    # Each music file is decoded and leveled once, before anything is written: a bad file stops the run here.
    musics = {choice: Music(choice) for choice in choices if choice}
    results: dict[int, Track] = {}
    pending: dict[int, Future[Track]] = {}
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        try:
            for index, (spec, (path, existing), choice) in enumerate(zip(specs, targets, choices, strict=True)):
                music = musics[choice] if choice else None
                inputs = spec.stamp(music)
                if existing is not None and existing.inputs == inputs:
                    if existing.whole and all(is_own_file(p) for p in transcripts(path)):
                        results[index] = Track(path, spec.title, existing.length_ms / 1000, skipped=True)
                        say(index, "skipped", 1, 1)
                        continue
                    tell(f"note: {path} is damaged or lacks its transcripts, so it is built again")
                key = json.dumps([spec.voice.name, spec.voice.engine, spec.voice.settings], sort_keys=True)
                if key not in voices:
                    voices[key] = Voice(spec.voice, cache)
                progress: Progress = lambda d, t, i=index: say(i, "building", d, t)  # noqa: E731
                pending[index] = pool.submit(_build_track, spec, voices[key], music, path, inputs, progress, stop)
            for index, future in pending.items():
                results[index] = future.result()
                say(index, "built", 1, 1)
        except BaseException:
            stop.set()  # running builds stop at their next block, and remove their temp files
            for future in pending.values():
                future.cancel()
            raise
    return [results[i] for i in range(len(specs))]


def _build_track(
    spec: TrackSpec,
    voice: Voice,
    music: Music | None,
    path: Path,
    stamp: str,
    progress: Progress,
    stop: threading.Event,
) -> Track:
    placing = placements(spec.routine, spec.options, voice, progress)
    description = spec.routine.description or spec.routine.title
    tags = Tags(
        title=spec.title,
        album=spec.album,
        track=spec.number,
        tracks=spec.total,
        year=str(datetime.date.today().year),
        comment=f"{description}. Voice: {voice.profile.name}. Made with stretchcue {__version__}.",
        stamp=stamp,
    )

    def until_stopped(blocks: Iterator[bytes]) -> Iterator[bytes]:
        for block in blocks:
            if stop.is_set():
                raise Stopped(spec.title)
            yield block

    fmt = music.format if music else SPEECH_ONLY
    pcm = render(placing, sounds(voice, fmt.rate), fmt.rate // SAMPLE_RATE, music)

    def outlined() -> Tags:  # once the whole track is placed: its chapters and words, and their pictures
        timeline = placing.timeline()
        chapters = outline.chapters(timeline)
        cover = cards.cover(spec.routine, spec.options)
        art = cards.chapter_art(spec.routine, spec.options)
        pictures = tuple(art[0 if c.exercise is None else c.exercise + 1] for c in chapters)
        return replace(tags, chapters=chapters, lines=outline.lines(timeline), cover=cover, chapter_art=pictures)

    length = write_mp3(until_stopped(pcm), fmt, outlined, path)
    spoken, seconds = outline.lines(placing.timeline()), length / fmt.rate
    vtt, lrc = transcripts(path)
    write_text(vtt, outline.webvtt(spoken, spec.title))
    write_text(lrc, outline.lrc(spoken, spec.title, spec.album, seconds))
    return Track(path, spec.title, seconds, skipped=False, warnings=tuple(placing.warnings))
