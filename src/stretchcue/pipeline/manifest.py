"""Batch manifests: a list of tracks, each a routine plus overrides, built as one playlist.

title: Back series
voice: piper            # optional, for every track
hold: 15                # optional, for every track
music: calm.mp3         # optional, for every track (or {file: calm.mp3, level: -18})
tracks:
  - routine: lower-back-stretches    # a bundled name, or a path relative to this file
    title: Lower back                # optional overrides: title, hold, reps, voice, music, guidance, language
    hold: 20
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TypedDict

from yaml.nodes import Node

from stretchcue.authoring import routine as routines
from stretchcue.authoring.language import Language
from stretchcue.authoring.routine import Guidance, MusicChoice, Routine, SettingsReader
from stretchcue.authoring.yamlcheck import MAX_TITLE, bundled_names, parse_yaml, read_named
from stretchcue.errors import StretchcueError
from stretchcue.sound.profiles import VoiceProfile

BUNDLED = resources.files("stretchcue.pipeline") / "manifests"
MAX_TRACKS = 100


@dataclass(frozen=True)
class Entry:
    routine: Routine
    title: str | None = None
    hold: float | None = None
    reps: int | None = None
    voice: VoiceProfile | None = None
    music: MusicChoice | None = None  # over the routine's own
    guidance: Guidance | None = None  # over the routine's own


class Overrides(TypedDict, total=False):
    """What a manifest, or one of its tracks, sets over the routine."""

    hold: float
    reps: int
    voice: VoiceProfile
    music: MusicChoice
    guidance: Guidance
    language: Language


@dataclass(frozen=True)
class Manifest:
    title: str
    entries: tuple[Entry, ...]


def load(spec: str | Path) -> Manifest:
    """A manifest from a file path, or a bundled manifest's name."""
    data, source = read_named(spec, BUNDLED, "manifest")
    path = Path(spec)
    # Routines named in a file are found beside it; a bundled manifest names bundled routines.
    folder = path.parent if path.exists() else None
    return _ManifestReader(source, folder).manifest(parse_yaml(data, source))


class _ManifestReader(SettingsReader):
    def manifest(self, root: Node) -> Manifest:
        keys = ("title", "description", "voice", "hold", "reps", "music", "guidance", "language", "tracks")
        top = self.mapping(root, "", keys, ("title", "tracks"))
        shared = self.overrides(top, "")
        items = self.sequence(top["tracks"], "tracks")
        if len(items) > MAX_TRACKS:
            raise self.fail(top["tracks"], "tracks", f"has {len(items)} tracks; at most {MAX_TRACKS}")
        entries = []
        for i, item in enumerate(items):
            field = f"tracks[{i}]"
            own_keys = ("routine", "title", "hold", "reps", "voice", "music", "guidance", "language")
            found = self.mapping(item, field, own_keys, ("routine",))
            own = self.overrides(found, field)
            title = self.text(found["title"], f"{field}.title", MAX_TITLE, spoken=False) if "title" in found else None
            routine = self.routine(found["routine"], f"{field}.routine")
            language = own.get("language", shared.get("language"))
            if language and not routine.says_language:  # (a routine that says its language keeps it)
                routine = replace(routine, language=language)
            voice = own.get("voice", shared.get("voice"))
            if voice is not None and routine.language not in voice.languages:
                where, at = (found["voice"], f"{field}.voice") if "voice" in found else (top["voice"], "voice")
                try:
                    voice.speaking(routine.language)
                except StretchcueError as err:
                    raise self.fail(where, at, f"{err} (for {field}, in {routine.language})") from None
            entries.append(
                Entry(
                    routine=routine,
                    title=title,
                    hold=own.get("hold", shared.get("hold")),
                    reps=own.get("reps", shared.get("reps")),
                    voice=own.get("voice", shared.get("voice")),
                    music=own.get("music", shared.get("music")),
                    guidance=own.get("guidance", shared.get("guidance")),
                )
            )
        return Manifest(self.text(top["title"], "title", MAX_TITLE, spoken=False), tuple(entries))

    def overrides(self, found: dict[str, Node], field: str) -> Overrides:
        prefix = f"{field}." if field else ""
        values: Overrides = {}
        if "hold" in found:
            values["hold"] = self.hold(found["hold"], prefix + "hold")
        if "reps" in found:
            values["reps"] = self.reps(found["reps"], prefix + "reps")
        if "music" in found:
            values["music"] = self.music(found["music"], prefix + "music")
        if "guidance" in found:
            values["guidance"] = self.choice(found["guidance"], prefix + "guidance", Guidance)
        if "language" in found:  # (a routine written in it without saying so)
            values["language"] = self.choice(found["language"], prefix + "language", Language)
        if "voice" in found:
            try:
                values["voice"] = VoiceProfile.load(self.text(found["voice"], prefix + "voice"))
            except StretchcueError as err:
                raise self.fail(found["voice"], prefix + "voice", str(err)) from None
        return values

    def routine(self, node: Node, field: str) -> Routine:
        name = self.text(node, field)
        if self.folder is not None and (self.folder / name).exists():
            return routines.load(self.folder / name)
        if name in bundled_names(routines.BUNDLED):
            return routines.load(name)
        beside = "beside this manifest " if self.folder is not None else ""
        raise self.fail(node, field, f"no routine file {name!r} {beside}and no bundled routine of that name")
