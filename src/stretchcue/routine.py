"""Routine files: YAML in, a validated `Routine` out, or an `InputError` naming file, line and field."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from yaml.nodes import Node

from .limits import MAX_COUNTDOWN, MAX_EXERCISES, MAX_HOLD, MAX_REPS, MAX_REST
from .yamlcheck import MAX_TITLE, Reader, parse_yaml, read_named

BUNDLED = resources.files("stretchcue") / "routines"


class Sides(StrEnum):
    NONE = "none"  # a symmetric stretch: reps only
    EACH = "each"  # all reps on one side, "switch sides", all reps on the other
    ALTERNATE = "alternate"  # right, left, right, left, ... rep by rep


@dataclass(frozen=True)
class Defaults:
    hold: float = 10.0
    reps: int = 3
    rest: float = 3.0
    countdown: int = 3
    sides: Sides = Sides.NONE


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
    variations: tuple[Variation, ...] = ()


@dataclass(frozen=True)
class Routine:
    title: str
    exercises: tuple[Exercise, ...]
    countdown: int = 3
    description: str | None = None
    source: str = ""  # where it was read from, for messages and tags


def load(spec: str | Path) -> Routine:
    """Load a routine from a file path, or from a bundled routine's name."""
    return _parse_cached(*read_named(spec, BUNDLED, "routine"))


def parse(data: bytes, source: str) -> Routine:
    return _RoutineReader(source).routine(parse_yaml(data, source))


@functools.lru_cache(maxsize=16)
def _parse_cached(data: bytes, source: str) -> Routine:
    """A batch names the same routine again and again; the same bytes parse to the same (frozen) Routine."""
    return parse(data, source)


class SettingsReader(Reader):
    """Checks the settings a routine and a manifest share, within the limits above."""

    def hold(self, node: Node, field: str) -> float:
        return float(self.number(node, field, 0, MAX_HOLD))

    def reps(self, node: Node, field: str) -> int:
        return self.number(node, field, 1, MAX_REPS, integer=True, allow_low=True)

    def rest(self, node: Node, field: str) -> float:
        return float(self.number(node, field, 0, MAX_REST, allow_low=True))

    def countdown(self, node: Node, field: str) -> int:
        return self.number(node, field, 0, MAX_COUNTDOWN, integer=True, allow_low=True)

    def sides(self, node: Node, field: str) -> Sides:
        value = self.scalar(node, field, "one of none, each, alternate")
        try:
            return Sides(str(value).lower() if value is not False else "none")  # YAML reads a bare `no` as false
        except ValueError:
            raise self.fail(node, field, f"expected one of none, each, alternate; got {value!r}") from None


class _RoutineReader(SettingsReader):
    def settings(self, found: dict[str, Node], field: str, base: Defaults) -> dict[str, Any]:
        """hold/reps/rest/sides (and countdown, for defaults) present in `found`, checked."""
        prefix = f"{field}." if field else ""
        checks: dict[str, Callable[[Node, str], Any]] = {
            "hold": self.hold,
            "reps": self.reps,
            "rest": self.rest,
            "countdown": self.countdown,
            "sides": self.sides,
        }
        values = {k: getattr(base, k) for k in checks}
        for key, check in checks.items():
            if key in found:
                values[key] = check(found[key], prefix + key)
        return values

    def routine(self, root: Node) -> Routine:
        top = self.mapping(root, "", ("title", "description", "defaults", "exercises"), ("title", "exercises"))
        defaults = Defaults()
        if "defaults" in top:
            keys = ("hold", "reps", "rest", "countdown", "sides")
            defaults = Defaults(**self.settings(self.mapping(top["defaults"], "defaults", keys), "defaults", defaults))
        items = self.sequence(top["exercises"], "exercises")
        if len(items) > MAX_EXERCISES:
            raise self.fail(top["exercises"], "exercises", f"has {len(items)} exercises; at most {MAX_EXERCISES}")
        return Routine(
            title=self.text(top["title"], "title", MAX_TITLE),
            description=self.text(top["description"], "description") if "description" in top else None,
            countdown=defaults.countdown,
            exercises=tuple(self.exercise(item, f"exercises[{i}]", defaults) for i, item in enumerate(items)),
            source=self.source,
        )

    def exercise(self, node: Node, field: str, defaults: Defaults) -> Exercise:
        keys = ("name", "instructions", "tips", "feel", "sides", "reps", "hold", "rest", "variations")
        found = self.mapping(node, field, keys, ("name", "instructions"))
        settings = self.settings(found, field, defaults)
        del settings["countdown"]
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
