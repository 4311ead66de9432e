"""Building tracks: each track not already built whole from the same inputs is spoken, mixed and
encoded as one stream, on a thread per core (or on a cluster's workers: cluster.py); the tracks
of a set share their voices, so each distinct sentence is spoken once. One run at a time writes
into a folder."""

from __future__ import annotations

import datetime
import functools
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Protocol

from stretchcue import __version__
from stretchcue.authoring import phrases
from stretchcue.authoring.compiler import breathing_warnings, guidance_of
from stretchcue.authoring.timeline import spoken_texts
from stretchcue.disk.files import Listener, Silent, check_folder, is_own_file, write_text, writing_into
from stretchcue.format import SAMPLE_RATE, SPEECH_ONLY
from stretchcue.outputs import cards, outline, playlist
from stretchcue.outputs.names import Places, Seen, base_name, transcripts
from stretchcue.outputs.tags import Tags
from stretchcue.outputs.track import Stamp, encode_mp3, put_mp3
from stretchcue.pipeline.session import Progress, music_of, placements
from stretchcue.pipeline.tracks import TrackSpec
from stretchcue.sound import mp3
from stretchcue.sound.cache import ClipCache
from stretchcue.sound.mix import render, sounds
from stretchcue.sound.music import Music
from stretchcue.sound.profiles import VoiceProfile
from stretchcue.sound.speech import Voice

log = logging.getLogger(__name__)

# report(track index, stage, done, total); stage is "building", "built", "skipped", or "sent" (to a cluster)
Report = Callable[[int, str, int, int], None]


@dataclass(frozen=True)
class Track:
    path: Path
    title: str
    seconds: float
    skipped: bool
    warnings: tuple[str, ...] = ()


def build_tracks(
    specs: list[TrackSpec],
    out: Path,
    builder: Builder,
    album: str | None = None,
    report: Report | None = None,
    listener: Listener | None = None,
    check_first: Callable[[list[Path]], None] | None = None,
) -> tuple[list[Track], Path | None]:
    """Build every track not already built whole from the same inputs, through `builder`
    (`LocalBuilder`, or `ClusterBuilder`); with `album`, write its playlist too.

    One run at a time writes into `out` (a second one waits, and says so); names are chosen, and
    checked for files that are not ours, before anything is written; `check_first` is given the
    tracks' paths then, to check what else the run will write (a feed and the files beside it).
    """
    check_folder(out)
    mp3.check_encoder()  # a missing encoder is reported before anything is written
    say: Report = report or (lambda *_: None)
    hears = listener or Silent()

    seen: Seen = {}  # each track in the folder is read once, unless it changes in between

    def choose(tell: Callable[[str], None]) -> tuple[list[tuple[Path, Stamp | None]], Path | None]:
        places = Places(out, tell, seen)
        targets = [places.track(s.title, s.album, base_name(s.title, s.number, s.total)) for s in specs]
        playlist_path = places.playlist(album) if album else None
        if check_first:
            check_first([path for path, _ in targets])
        return targets, playlist_path

    if out.is_dir():  # a file in the way is found before the folder's lock is taken: nothing is written
        choose(lambda _: None)
    with writing_into(out, hears):
        targets, playlist_path = choose(hears.note)  # again, now that no other run can write here
        tracks = _build_all(specs, targets, builder, say, hears.note)
        if playlist_path and album:
            items = [playlist.Item(Path(t.path.name), t.title, t.seconds) for t in tracks]
            playlist.write_playlist(playlist_path, album, items)
    return tracks, playlist_path


@dataclass(frozen=True)
class Job:
    """A track to build: what it is made from, its music decoded, where it goes and its stamp."""

    index: int
    spec: TrackSpec
    music: Music | None
    path: Path
    stamp: str


class Builder(Protocol):
    """Builds tracks into their paths, each whole or not at all, saying each one's progress and
    "built"; gives each track by its job's index. Stopped (any exception), it leaves no temp file."""

    def build(self, jobs: list[Job], say: Report) -> dict[int, Track]: ...


class Stopped(Exception):
    """A track's build was asked to stop (the run is being interrupted)."""


def _build_all(
    specs: list[TrackSpec],
    targets: list[tuple[Path, Stamp | None]],
    builder: Builder,
    say: Report,
    tell: Callable[[str], None],
) -> list[Track]:
    """Each track made from the same inputs as the one in its place, and whole, is skipped; the
    others are built by `builder`."""
    choices = [music_of(spec.routine, spec.options) for spec in specs]
    # Each music file is decoded and leveled once, before anything is written: a bad file stops the run here.
    musics = {choice: Music(choice) for choice in choices if choice}
    results: dict[int, Track] = {}
    jobs: list[Job] = []
    for index, (spec, (path, existing), choice) in enumerate(zip(specs, targets, choices, strict=True)):
        music = musics[choice] if choice else None
        inputs = spec.stamp(music)
        reason = "new" if existing is None else "its inputs changed"
        if existing is not None and existing.tags.stamp == inputs:
            if existing.whole and all(is_own_file(p) for p in transcripts(path)):
                log.debug("%s: skipped, made from the same inputs and whole", path)
                seconds = existing.tags.length_ms / 1000
                # What the routine itself warns of is said again (what speaking it showed is not).
                said = tuple(breathing_warnings(spec.routine, spec.options))
                results[index] = Track(path, spec.title, seconds, skipped=True, warnings=said)
                say(index, "skipped", 1, 1)
                continue
            reason = "damaged" if not existing.whole else "a transcript missing or not ours"
            tell(f"{path} is damaged or lacks its transcripts, so it is built again")
        log.debug("%s: built, %s", path, reason)
        jobs.append(Job(index, spec, music, path, inputs))
    if jobs:
        results.update(builder.build(jobs, say))
    return [results[i] for i in range(len(specs))]


class Voices:
    """One voice per profile, each speaking into `cache`: each engine loads once, each text is
    spoken once (by whichever thread asks first)."""

    def __init__(self, cache: ClipCache) -> None:
        self.cache = cache
        self._voices: dict[str, Voice] = {}
        self._lock = threading.Lock()

    def of(self, profile: VoiceProfile) -> Voice:
        key = json.dumps([profile.name, profile.engine, profile.settings], sort_keys=True)
        with self._lock:
            if key not in self._voices:
                self._voices[key] = Voice(profile, self.cache)
            return self._voices[key]


class LocalBuilder:
    """Builds on this machine, each track spoken, rendered and encoded in one stream on a thread of
    its own: one per core, so while one track waits for speech another is encoded. Tracks share
    their voices."""

    def __init__(self, cache: ClipCache) -> None:
        self.voices = Voices(cache)

    def build(self, jobs: list[Job], say: Report) -> dict[int, Track]:
        results: dict[int, Track] = {}
        pending: dict[int, Future[Track]] = {}
        stop = threading.Event()
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            try:
                for job in jobs:
                    progress = functools.partial(say, job.index, "building")
                    voice = self.voices.of(job.spec.voice)
                    pending[job.index] = pool.submit(
                        build_track, job.spec, voice, job.music, job.path, job.stamp, progress, stop
                    )
                for index, future in pending.items():
                    results[index] = future.result()
                    say(index, "built", 1, 1)
            except BaseException:
                stop.set()  # running builds stop at their next block, and remove their temp files
                for future in pending.values():
                    future.cancel()
                raise
        return results


def build_track(
    spec: TrackSpec,
    voice: Voice,
    music: Music | None,
    path: Path,
    stamp: str,
    progress: Progress,
    stop: threading.Event,
) -> Track:
    """One track at `path` (and its transcripts beside it), each whole or absent; `stop` set, it
    stops at its next block."""
    made = put_mp3(path, functools.partial(make_track, spec, voice, music, stamp, progress, stop))
    return finish(path, spec.title, made)


@dataclass(frozen=True)
class Made:
    """A track encoded into its file: its length, what speaking it warned of, its transcripts."""

    seconds: float
    warnings: tuple[str, ...]
    vtt: str
    lrc: str


def finish(path: Path, title: str, made: Made) -> Track:
    """The transcripts written beside the track at `path`, each whole or absent (after the track:
    a track is skipped only with its transcripts, so a run stopped in between builds it again)."""
    vtt, lrc = transcripts(path)
    write_text(vtt, made.vtt)
    write_text(lrc, made.lrc)
    return Track(path, title, made.seconds, skipped=False, warnings=made.warnings)


def make_track(
    spec: TrackSpec,
    voice: Voice,
    music: Music | None,
    stamp: str,
    progress: Progress,
    stop: threading.Event,
    file: BinaryIO,
) -> Made:
    """The track spoken, mixed and encoded into `file` (empty, seekable) in one stream; `stop`
    set, it stops at its next block."""
    placing = placements(spec.routine, spec.options, voice, progress)
    description = spec.routine.description or spec.routine.title
    book = phrases.book(spec.routine.language)
    guidance = guidance_of(spec.routine, spec.options)
    level = book.levels[guidance]
    tags = Tags(
        title=spec.title,
        album=spec.album,
        track=spec.number,
        tracks=spec.total,
        year=str(datetime.date.today().year),
        comment=book.fill(
            book.comment, description=description, level=level, voice=voice.profile.name, version=__version__
        ),
        language=spec.routine.language,
        guidance=guidance.value,
        stamp=stamp,
    )

    def until_stopped(blocks: Iterator[bytes]) -> Iterator[bytes]:
        for block in blocks:
            if stop.is_set():
                raise Stopped(spec.title)
            yield block

    fmt = music.format if music else SPEECH_ONLY
    pcm = render(placing, sounds(voice, fmt.rate), fmt.rate // SAMPLE_RATE, music)

    with ThreadPoolExecutor(1, thread_name_prefix="drawing") as drawing, voice.prefetch(spoken_texts(placing.steps)):
        # The pictures are drawn while the audio is encoded (the encoder releases the GIL, as Pillow does).
        art = drawing.submit(cards.chapter_art, spec.routine, spec.options)
        cover = drawing.submit(cards.cover, spec.routine, spec.options)

        def outlined() -> Tags:  # once the whole track is placed: its chapters and words, and their pictures
            timeline = placing.timeline()
            chapters, lines = outline.for_tags(timeline, art.result())
            holds = outline.holds(timeline)
            return replace(tags, chapters=chapters, lines=lines, holds=holds, cover=cover.result())

        seconds = encode_mp3(until_stopped(pcm), fmt, outlined, file) / fmt.rate
    spoken = outline.lines(placing.timeline())
    vtt, lrc = outline.webvtt(spoken, spec.title), outline.lrc(spoken, spec.title, spec.album, seconds)
    return Made(seconds, tuple(placing.warnings), vtt, lrc)
