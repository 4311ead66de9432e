"""Routine files: YAML in, a validated `Routine` out, or an `InputError` naming file, line and field."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from yaml.nodes import Node, ScalarNode

from stretchcue.authoring.language import Language
from stretchcue.authoring.yamlcheck import MAX_TITLE, Reader, parse_yaml, read_named
from stretchcue.limits import (
    MAX_BREATH,
    MAX_COUNTDOWN,
    MAX_EXERCISES,
    MAX_HOLD,
    MAX_MUSIC_LEVEL,
    MAX_REPS,
    MAX_REST,
    MIN_BREATH,
    MIN_HOLD,
    MIN_MUSIC_LEVEL,
    MUSIC_LEVEL,
)

BUNDLED = resources.files("stretchcue.authoring") / "routines"
E = TypeVar("E", bound=StrEnum)


class Sides(StrEnum):
    NONE = "none"  # a symmetric stretch: reps only
    EACH = "each"  # all reps on one side, "switch sides", all reps on the other
    ALTERNATE = "alternate"  # right, left, right, left, ... rep by rep


class Guidance(StrEnum):
    """How much the coach says: everything, a reminder, only the calls, or tones and names."""

    FULL = "full"
    BRIEF = "brief"
    MINIMAL = "minimal"
    TIMER = "timer"


class Position(StrEnum):
    LYING = "lying"  # on the back
    FACE_DOWN = "face-down"
    KNEELING = "kneeling"
    SEATED = "seated"
    STANDING = "standing"

    @property
    def stage(self) -> int:
        """How far up from the floor: each stage between two positions takes time to move through."""
        return {"lying": 0, "face-down": 0, "kneeling": 1, "seated": 1, "standing": 2}[self.value]


@dataclass(frozen=True)
class Breathing:
    """Paced breathing inside holds: seconds to breathe in, and out."""

    inhale: float
    exhale: float


@dataclass(frozen=True)
class Defaults:
    hold: float = 10.0
    reps: int = 3
    rest: float = 3.0
    countdown: int = 3
    sides: Sides = Sides.NONE
    halfway: bool = True  # a halfway cue in holds of 20 s or more
    breathing: Breathing | None = None
    chimes: bool = False  # a chime as each hold starts and ends
    guidance: Guidance = Guidance.FULL


@dataclass(frozen=True)
class Variation:
    """One way of doing an exercise (e.g. arms straight up / arms to the side)."""

    name: str
    instructions: str
    feel: str | None = None


@dataclass(frozen=True)
class Exercise:
    name: str
    instructions: str
    hold: float
    reps: int
    rest: float
    sides: Sides
    tips: tuple[str, ...] = ()
    feel: str | None = None
    about: str | None = None  # for the card only (what it works, where it comes from): never spoken
    variations: tuple[Variation, ...] = ()
    position: Position | None = None
    reminder: str | None = None  # a few words before later reps, instead of the full instructions
    halfway: bool = True
    breathing: Breathing | None = None
    guidance: Guidance = Guidance.FULL


@dataclass(frozen=True)
class MusicChoice:
    """A music file to lay under the voice, and its level in dB against the voice. What a track
    takes from the file (its decoded samples) is read when the track is made (music.Music)."""

    path: Path
    level: float = MUSIC_LEVEL


@dataclass(frozen=True)
class Routine:
    title: str
    exercises: tuple[Exercise, ...]
    countdown: int = 3
    chimes: bool = False
    music: MusicChoice | None = None
    description: str | None = None
    guidance: Guidance = Guidance.FULL  # the intro's and the finish's (each exercise has its own)
    language: Language = Language.EN
    says_language: bool = False  # whether its file says its language (a manifest may say it, if not)
    source: str = ""  # where it was read from, for messages and tags


def load(spec: str | Path) -> Routine:
    """Load a routine from a file path, or from a bundled routine's name."""
    data, source = read_named(spec, BUNDLED, "routine")
    path = Path(spec)
    # Files a routine names (its music) are found beside it.
    return _parse_cached(data, source, path.resolve().parent if path.exists() else None)


def parse(data: bytes, source: str, folder: Path | None = None) -> Routine:
    return _RoutineReader(source, folder).routine(parse_yaml(data, source))


@functools.lru_cache(maxsize=16)
def _parse_cached(data: bytes, source: str, folder: Path | None) -> Routine:
    """A batch names the same routine again and again; the same bytes parse to the same (frozen) Routine."""
    return parse(data, source, folder)


class SettingsReader(Reader):
    """Checks the settings a routine and a manifest share, within the limits above. Paths in the
    file are taken from `folder` (the file's own), else from the working folder."""

    def __init__(self, source: str, folder: Path | None = None) -> None:
        super().__init__(source)
        self.folder = folder

    def music(self, node: Node, field: str) -> MusicChoice:
        """`music: FILE` or `music: {file: FILE, level: DB}`."""
        level, file_node, file_field = MUSIC_LEVEL, node, field
        if not isinstance(node, ScalarNode):
            found = self.mapping(node, field, ("file", "level"), ("file",))
            file_node, file_field = found["file"], f"{field}.file"
            if "level" in found:
                level = float(
                    self.number(
                        found["level"], f"{field}.level", MIN_MUSIC_LEVEL, MAX_MUSIC_LEVEL, allow_low=True, unit="dB"
                    )
                )
        path = Path(self.text(file_node, file_field, spoken=False)).expanduser()
        path = path if path.is_absolute() else (self.folder or Path.cwd()) / path
        if not path.is_file():
            raise self.fail(file_node, file_field, f"no music file {path}")
        return MusicChoice(path, level)  # read when a track is made: it may change between builds

    def hold(self, node: Node, field: str) -> float:
        return float(self.number(node, field, MIN_HOLD, MAX_HOLD, allow_low=True))

    def reps(self, node: Node, field: str) -> int:
        return int(self.number(node, field, 1, MAX_REPS, integer=True, allow_low=True))

    def rest(self, node: Node, field: str) -> float:
        return float(self.number(node, field, 0, MAX_REST, allow_low=True))

    def countdown(self, node: Node, field: str) -> int:
        return int(self.number(node, field, 0, MAX_COUNTDOWN, integer=True, allow_low=True))

    def breathing(self, node: Node, field: str) -> Breathing | None:
        if isinstance(node, ScalarNode):  # `breathing: false` turns it off for one exercise
            if self.scalar(node, field, "{in: 4, out: 6} or false") is not False:
                raise self.fail(node, field, "expected the seconds of each breath, e.g. {in: 4, out: 6}, or false")
            return None
        found = self.mapping(node, field, ("in", "out"), ("in", "out"))
        inhale, exhale = (
            float(self.number(found[key], f"{field}.{key}", MIN_BREATH, MAX_BREATH, allow_low=True))
            for key in ("in", "out")
        )
        return Breathing(inhale, exhale)

    def choice(self, node: Node, field: str, options: type[E]) -> E:
        value = self.scalar(node, field, f"one of {', '.join(options)}")
        names = [option.value for option in options]
        if value is False and "none" in names:  # YAML reads a bare `no` (or `off`) as false
            value = "none"
        try:
            return options(str(value).lower())
        except ValueError:
            written = node.value if isinstance(value, bool) else value  # (`off` as typed, not False)
            raise self.fail(node, field, f"expected one of {', '.join(names)}; got {written!r}") from None


ROUTINE_WIDE = ("countdown", "chimes")  # settings of `defaults` that exercises cannot change


class _RoutineReader(SettingsReader):
    def settings(self, found: dict[str, Node], field: str, base: Defaults) -> dict[str, Any]:
        """The settings of `Defaults` present in `found`, checked; the others as in `base`."""
        prefix = f"{field}." if field else ""
        checks: dict[str, Callable[[Node, str], Any]] = {
            "hold": self.hold,
            "reps": self.reps,
            "rest": self.rest,
            "countdown": self.countdown,
            "sides": lambda node, name: self.choice(node, name, Sides),
            "halfway": self.flag,
            "breathing": self.breathing,
            "chimes": self.flag,
            "guidance": lambda node, name: self.choice(node, name, Guidance),
        }
        values = {k: getattr(base, k) for k in checks}
        for key, check in checks.items():
            if key in found:
                values[key] = check(found[key], prefix + key)
        return values

    def routine(self, root: Node) -> Routine:
        keys = ("title", "description", "language", "defaults", "music", "exercises")
        top = self.mapping(root, "", keys, ("title", "exercises"))
        defaults = Defaults()
        if "defaults" in top:
            names = tuple(f.name for f in dataclasses.fields(Defaults))
            defaults = Defaults(**self.settings(self.mapping(top["defaults"], "defaults", names), "defaults", defaults))
        items = self.sequence(top["exercises"], "exercises")
        if len(items) > MAX_EXERCISES:
            raise self.fail(top["exercises"], "exercises", f"has {len(items)} exercises; at most {MAX_EXERCISES}")
        return Routine(
            title=self.text(top["title"], "title", MAX_TITLE),
            description=self.text(top["description"], "description") if "description" in top else None,
            countdown=defaults.countdown,
            chimes=defaults.chimes,
            guidance=defaults.guidance,
            language=self.choice(top["language"], "language", Language) if "language" in top else Language.EN,
            says_language="language" in top,
            music=self.music(top["music"], "music") if "music" in top else None,
            exercises=tuple(self.exercise(item, f"exercises[{i}]", defaults) for i, item in enumerate(items)),
            source=self.source,
        )

    def exercise(self, node: Node, field: str, defaults: Defaults) -> Exercise:
        own = ("name", "instructions", "tips", "feel", "about", "position", "reminder", "variations")
        shared = tuple(f.name for f in dataclasses.fields(Defaults) if f.name not in ROUTINE_WIDE)
        found = self.mapping(node, field, own + shared, ("name", "instructions"))
        settings = self.settings(found, field, defaults)
        for key in ROUTINE_WIDE:
            del settings[key]
        variations: tuple[Variation, ...] = ()
        if "variations" in found:
            variations = tuple(
                self.variation(item, f"{field}.variations[{i}]")
                for i, item in enumerate(self.sequence(found["variations"], f"{field}.variations"))
            )
        return Exercise(
            name=self.text(found["name"], f"{field}.name", MAX_TITLE),
            instructions=self.text(found["instructions"], f"{field}.instructions"),
            tips=self.texts(found["tips"], f"{field}.tips") if "tips" in found else (),
            feel=self.text(found["feel"], f"{field}.feel") if "feel" in found else None,
            about=self.text(found["about"], f"{field}.about") if "about" in found else None,
            position=self.choice(found["position"], f"{field}.position", Position) if "position" in found else None,
            reminder=self.text(found["reminder"], f"{field}.reminder") if "reminder" in found else None,
            variations=variations,
            **settings,
        )

    def variation(self, node: Node, field: str) -> Variation:
        found = self.mapping(node, field, ("name", "instructions", "feel"), ("name", "instructions"))
        return Variation(
            name=self.text(found["name"], f"{field}.name", MAX_TITLE),
            instructions=self.text(found["instructions"], f"{field}.instructions"),
            feel=self.text(found["feel"], f"{field}.feel") if "feel" in found else None,
        )
