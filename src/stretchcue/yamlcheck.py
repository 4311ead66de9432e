"""Reading YAML written by people: bytes to a node tree, and nodes to checked values.

Checks walk the YAML node tree (not loaded dicts) so every error can name the file, the line
and the field of the offending key or value.
"""

from __future__ import annotations

import difflib
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError

MAX_TEXT = 2000  # characters in one spoken text
MAX_TITLE = 200  # characters in a title or a name
MAX_FILE = 1_000_000  # bytes: routines and manifests are a few kB
MAX_NODES = 20_000  # expanded YAML nodes: stops alias bombs before they expand
MAX_DEPTH = 20  # nesting; routines need six levels


def bundled_names(folder: Traversable) -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def read_named(spec: str | Path, bundled: Traversable, kind: str) -> tuple[bytes, str]:
    """The bytes of a file given by path, or by the name of a bundled one; and how to name it in messages."""
    path = Path(spec)
    if path.suffix.lower() not in (".yaml", ".yml") and not path.exists():
        candidate = bundled / f"{spec}.yaml"
        if candidate.is_file():
            return candidate.read_bytes(), f"{spec} (bundled)"
        names = ", ".join(bundled_names(bundled))
        raise InputError(spec, None, "", f"no such {kind} file or bundled {kind} (bundled: {names})")
    return read_text_file(path), str(path)


def read_text_file(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise InputError(path, None, "", "is a directory, not a file")
        if not path.exists():
            raise InputError(path, None, "", "no such file")
        if not path.is_file():
            raise InputError(path, None, "", "is not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE:
            raise InputError(path, None, "", f"is {size:,} bytes; at most {MAX_FILE:,}")
        return path.read_bytes()
    except OSError as err:
        raise InputError(path, None, "", f"cannot read: {err.strerror}") from None


def parse_yaml(data: bytes, source: str) -> Node:
    """Bytes to a YAML node tree; refuses binary, non-UTF-8, empty and alias-bomb files."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, None, "", "is UTF-16 text; save it as UTF-8")
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
    except RecursionError:
        raise InputError(source, None, "", f"is nested too deeply (at most {MAX_DEPTH} levels)") from None
    if root is None:
        raise InputError(source, None, "", "is empty")
    _check_size(root, source)
    return root


def _check_size(root: Node, source: str) -> None:
    """Count nodes as if aliases were expanded (memoized, so counting is cheap)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node, depth: int = 0) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError(source, node.start_mark.line + 1, "", "recursive YAML alias")
        if depth > MAX_DEPTH:
            raise InputError(source, node.start_mark.line + 1, "", f"is nested too deeply (at most {MAX_DEPTH} levels)")
        active.add(key)
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        total = 1
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_NODES:
                raise InputError(
                    source, node.start_mark.line + 1, "", "file is too large once YAML aliases are expanded"
                )
        active.discard(key)
        sizes[key] = total
        return total

    size(root)


class Reader:
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

    def text(self, node: Node, field: str, limit: int = MAX_TEXT) -> str:
        value = self.scalar(node, field, "text")
        if not isinstance(value, str):
            raise self.fail(node, field, f"expected text, got {value!r} (put it in quotes)")
        value = " ".join(value.split())
        if not value:
            raise self.fail(node, field, "must not be empty")
        if len(value) > limit:
            raise self.fail(node, field, f"is {len(value):,} characters long; at most {limit:,}")
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
