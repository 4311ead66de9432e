"""Routine files: YAML in, a validated `Routine` out, or an `InputError` naming file, line and field.

Validation walks the YAML node tree (not the loaded dicts) so every error can point at the
line of the offending key or value.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError

# Limits that keep a track sane (a few hours at most) and a file small enough to speak.
MAX_HOLD = 600.0
MAX_REST = 600.0
MAX_REPS = 20
MAX_COUNTDOWN = 10
MAX_TEXT = 2000
MAX_EXERCISES = 100
MAX_NODES = 20_000  # expanded YAML nodes: stops alias bombs before they expand

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


def bundled_names() -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in BUNDLED.iterdir() if p.name.endswith(".yaml"))


def load(spec: str | Path) -> Routine:
    """Load a routine from a file path, or from a bundled routine's name."""
    path = Path(spec)
    if path.suffix.lower() not in (".yaml", ".yml") and not path.exists():
        bundled = BUNDLED / f"{spec}.yaml"
        if bundled.is_file():
            return parse(bundled.read_bytes(), f"{spec} (bundled)")
        names = ", ".join(bundled_names())
        raise InputError(spec, None, "", f"no such routine file or bundled routine (bundled: {names})")
    return parse(read_text_file(path), str(path))


def read_text_file(path: Path) -> bytes:
    if path.is_dir():
        raise InputError(path, None, "", "is a directory, not a routine file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "", "no such file") from None
    except OSError as err:
        raise InputError(path, None, "", f"cannot read: {err.strerror}") from None


def parse(data: bytes, source: str) -> Routine:
    root = parse_yaml(data, source)
    return _Reader(source).routine(root)


def parse_yaml(data: bytes, source: str) -> Node:
    """Bytes to a YAML node tree; refuses binary, non-UTF-8, empty and alias-bomb files."""
    if b"\0" in data:
        raise InputError(source, None, "", "is a binary file, not YAML text")
    try:
        text = data.decode("utf-8-sig")  # a BOM is harmless: accept it
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(source, line, "", "is not UTF-8 text (save the file as UTF-8)") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise InputError(source, mark.line + 1 if mark else None, "", f"invalid YAML: {err.problem}") from None
    except yaml.YAMLError as err:
        raise InputError(source, None, "", f"invalid YAML: {err}") from None
    if root is None:
        raise InputError(source, None, "", "is empty")
    _check_size(root, source)
    return root


def _check_size(root: Node, source: str) -> None:
    """Count nodes as if aliases were expanded (memoized, so counting is cheap)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError(source, node.start_mark.line + 1, "", "recursive YAML alias")
        active.add(key)
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise InputError(
                    source, node.start_mark.line + 1, "", "file is too large once YAML aliases are expanded"
                )
        active.discard(key)
        sizes[key] = total
        return total

    size(root)


class _Reader:
    """Turns YAML nodes into checked values, raising InputError with the node's line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._construct = yaml.SafeLoader("").construct_object

    def fail(self, node: Node, field: str, message: str) -> InputError:
        return InputError(self.source, node.start_mark.line + 1, field, message)

    def mapping(
        self, node: Node, field: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, field, f"expected a mapping with keys {', '.join(allowed)}")
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self._construct(key_node) if isinstance(key_node, ScalarNode) else None
            name = f"{field}.{key}" if field else str(key)
            if not isinstance(key, str) or key not in allowed:
                near = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else f" (expected one of: {', '.join(allowed)})"
                raise self.fail(key_node, name, f"unknown key{hint}")
            if key in found:
                raise self.fail(key_node, name, "appears twice")
            found[key] = value_node
        for key in required:
            if key not in found:
                raise self.fail(node, f"{field}.{key}" if field else key, "is required")
        return found

    def sequence(self, node: Node, field: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, field, "expected a list")
        if not node.value:
            raise self.fail(node, field, "must not be empty")
        return list(node.value)

    def scalar(self, node: Node, field: str, kind: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, field, f"expected {kind}")
        return self._construct(node)

    def text(self, node: Node, field: str) -> str:
        value = self.scalar(node, field, "text")
        if not isinstance(value, str):
            raise self.fail(node, field, f"expected text, got {value!r} (put it in quotes)")
        value = " ".join(value.split())
        if not value:
            raise self.fail(node, field, "must not be empty")
        if len(value) > MAX_TEXT:
            raise self.fail(node, field, f"is {len(value)} characters long; at most {MAX_TEXT} are spoken")
        if not value.isprintable():
            raise self.fail(node, field, "contains control characters")
        return value

    def texts(self, node: Node, field: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode):
            return (self.text(node, field),)
        return tuple(self.text(item, f"{field}[{i}]") for i, item in enumerate(self.sequence(node, field)))

    def number(
        self, node: Node, field: str, low: float, high: float, *, integer: bool = False, allow_low: bool = False
    ) -> Any:
        kind = "a whole number" if integer else "a number of seconds"
        value = self.scalar(node, field, kind)
        ok_type = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type) or value != value:
            raise self.fail(node, field, f"expected {kind}, got {value!r}")
        if value < low or (value == low and not allow_low):
            bound = f"at least {low:g}" if allow_low else f"greater than {low:g}"
            raise self.fail(node, field, f"must be {bound}, got {value:g}")
        if value > high:
            raise self.fail(node, field, f"must be at most {high:g}, got {value:g}")
        return value

    def sides(self, node: Node, field: str) -> Sides:
        value = self.scalar(node, field, "one of none, each, alternate")
        try:
            return Sides(str(value).lower() if value is not False else "none")
        except ValueError:
            raise self.fail(node, field, f"expected one of none, each, alternate; got {value!r}") from None

    # -- the schema ----------------------------------------------------------------------------

    def settings(self, found: dict[str, Node], field: str, base: Defaults) -> dict[str, Any]:
        """hold/reps/rest/sides (and countdown, for defaults) present in `found`, checked."""
        prefix = f"{field}." if field else ""
        checks: dict[str, Callable[[Node, str], Any]] = {
            "hold": lambda n, f: float(self.number(n, f, 0, MAX_HOLD)),
            "reps": lambda n, f: self.number(n, f, 1, MAX_REPS, integer=True, allow_low=True),
            "rest": lambda n, f: float(self.number(n, f, 0, MAX_REST, allow_low=True)),
            "countdown": lambda n, f: self.number(n, f, 0, MAX_COUNTDOWN, integer=True, allow_low=True),
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
            title=self.text(top["title"], "title"),
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
            name=self.text(found["name"], f"{field}.name"),
            instructions=self.text(found["instructions"], f"{field}.instructions"),
            tips=self.texts(found["tips"], f"{field}.tips") if "tips" in found else (),
            feel=self.text(found["feel"], f"{field}.feel") if "feel" in found else None,
            variations=variations,
            **settings,
        )

    def variation(self, node: Node, field: str) -> Variation:
        found = self.mapping(node, field, ("name", "instructions", "feel"), ("name", "instructions"))
        return Variation(
            name=self.text(found["name"], f"{field}.name"),
            instructions=self.text(found["instructions"], f"{field}.instructions"),
            feel=self.text(found["feel"], f"{field}.feel") if "feel" in found else None,
        )
