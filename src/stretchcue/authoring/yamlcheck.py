"""Reading YAML written by people: bytes to a node tree, and nodes to checked values.

Checks walk the YAML node tree (not loaded dicts) so every error can name the file, the line
and the field of the offending key or value.
"""

from __future__ import annotations

import difflib
import unicodedata
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stretchcue.disk.ours import read_regular
from stretchcue.errors import InputError

MAX_TEXT = 2000  # characters in one spoken text
MAX_TITLE = 200  # characters in a title or a name
MAX_FILE = 1_000_000  # bytes: routines and manifests are a few kB
MAX_NODES = 20_000  # expanded YAML nodes: stops alias bombs before they expand
MAX_DEPTH = 20  # nesting; routines need six levels
STANDARD = "tag:yaml.org,2002:"
MERGE = f"{STANDARD}merge"  # `<<: *base` merges another mapping's keys in (YAML 1.1 merge keys)
# Invisible characters that reorder text (bidi overrides and isolates): they make a title read
# other than it is. Others (zero-width joiners in emoji, variation selectors) are fine.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unfit_text(text: str) -> str | None:
    """What makes `text` unfit for a title or a line (tags, captions and XML carry every other
    character), or None: control characters, lone surrogates (bytes that were not UTF-8), Unicode's
    non-characters (U+FFFE, U+FFFF, ...), and invisible bidi controls."""
    for c in text:
        if unicodedata.category(c) == "Cs":
            return "contains bytes that are not UTF-8 text"
        if unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS:
            return f"contains a control character (U+{ord(c):04X})"
        if 0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE:
            return f"contains U+{ord(c):04X}, which is not a character"
    return None


def unknown_key(key: object, allowed: tuple[str, ...]) -> str:
    """What to say of a key that is not one of `allowed`: the one it is most like, else them all."""
    near = difflib.get_close_matches(str(key), allowed, n=1)
    return f"unknown key ({f'did you mean {near[0]!r}?' if near else 'expected one of: ' + ', '.join(allowed)})"


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
        return read_regular(path, MAX_FILE)  # (it may have become a pipe since: that is refused, not waited on)
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
        problem = err.problem or ""
        # A quote, [ or { never closed is named where it was opened.
        unclosed = "stream end" in problem or "end of stream" in problem
        bracket = "flow" in (err.context or "") and problem.startswith("expected ','")
        mark = (err.context_mark or err.problem_mark) if unclosed or bracket else (err.problem_mark or err.context_mark)
        at = mark.line + 1 if mark else None
        advice = _advice(problem)
        if bracket:
            advice = f"a [ or {{ is opened here and never closed ({problem})"
        elif "mapping values are not allowed" in problem and _indented_further(text, at):
            advice = f"this line is indented further than the line above it; line it up with its block ({problem})"
        raise InputError(source, at, _key_on(text, at), f"invalid YAML: {advice}") from None
    except yaml.YAMLError as err:
        raise InputError(source, None, "", f"invalid YAML: {err}") from None
    except RecursionError:
        raise InputError(source, None, "", f"is nested too deeply (at most {MAX_DEPTH} levels)") from None
    if root is None:
        raise InputError(source, None, "", "is empty")
    _check_size(root, source)
    return root


# What the YAML parser says, and what a person should do about it.
ADVICE = (
    ("mapping values are not allowed", "a value holding ': ' must be quoted, e.g. title: \"Hips: evening\""),
    ("found character '\\t'", "a tab: indent with spaces"),
    ("expected <block end>", "this line is not indented like the lines of its block; line it up with them"),
    ("did not find expected key", "this line is not indented like the lines of its block; line it up with them"),
    ("could not find expected ':'", "a line without 'key: value'; put ': ' after the key, or quote the text"),
    ("found unexpected end of stream", "a quote is opened here and never closed"),
    ("but got '<stream end>'", "a [ or { is opened here and never closed"),
    ("did not find expected '-' indicator", "a list item not lined up with the items above it"),
)


def _advice(problem: str) -> str:
    return next((f"{advice} ({problem})" for found, advice in ADVICE if found in problem), problem)


def _indented_further(text: str, line: int | None) -> bool:
    """Whether a `key: value` line is indented further than the `key: value` line above it (so the
    parser read it as more of that value), rather than holding a second ': ' of its own."""
    lines = text.splitlines()
    if line is None or not 1 < line <= len(lines):
        return False
    here = lines[line - 1]
    above = next((lines[n] for n in range(line - 2, -1, -1) if lines[n].strip()), "")
    indent = len(here) - len(here.lstrip(" "))
    above_indent = len(above) - len(above.lstrip(" "))
    own_value = here.split(": ", 1)[1] if ": " in here else ""
    return indent > above_indent and ": " not in own_value and ": " in above and not above.rstrip().endswith(":")


def _key_on(text: str, line: int | None) -> str:
    """The key written on a line (`  - title: ...` -> "title"), to name it in an error; "" if none."""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines):
        return ""
    key, colon, _ = lines[line - 1].strip().removeprefix("- ").partition(":")
    return key.strip() if colon and key.strip().isidentifier() else ""


def _check_size(root: Node, source: str) -> None:
    """Count nodes as if aliases were expanded (memoized, so counting is cheap)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    aliased = False  # a node met again: an alias

    def size(node: Node, depth: int = 0) -> int:
        nonlocal aliased
        key = id(node)
        if key in sizes:
            aliased = True
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
                what = "once YAML aliases are expanded" if aliased else f"(over {MAX_NODES:,} YAML values)"
                raise InputError(source, node.start_mark.line + 1, "", f"is too large {what}")
        active.discard(key)
        sizes[key] = total
        return total

    size(root)


class Reader:
    """Turns YAML nodes into checked values, raising InputError with the node's line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._loader = yaml.SafeLoader("")

    def fail(self, node: Node, field: str, message: str) -> InputError:
        return InputError(self.source, node.start_mark.line + 1, field, message)

    def _construct(self, node: ScalarNode, field: str) -> Any:
        """A scalar's value; tags YAML does not define (`!shout`) and bad tagged values (`!!int 9x`) are errors."""
        if node.tag not in self._loader.yaml_constructors:
            raise self.fail(node, field, f"unknown YAML tag {node.tag!r}")
        try:
            return self._loader.construct_object(node, deep=True)
        except Exception:  # PyYAML's constructors raise all kinds on bad values (`!!float ""`: IndexError)
            tag = node.tag.replace(STANDARD, "!!")
            raise self.fail(node, field, f"{node.value!r} is not a valid {tag}") from None

    def _check_tag(self, node: Node, field: str, expected: str) -> None:
        if node.tag != STANDARD + expected:
            raise self.fail(node, field, f"unknown YAML tag {node.tag!r}")

    def _pairs(self, node: MappingNode, field: str) -> list[tuple[Node, Node, bool]]:
        """(key, value, written here) with merge keys resolved: a key written in the mapping wins over
        a merged one, and an earlier merge over a later one. Nothing is changed in the node tree."""
        own: list[tuple[Node, Node, bool]] = []
        merged: list[tuple[Node, Node, bool]] = []
        for key, value in node.value:
            if key.tag != MERGE:
                own.append((key, value, True))
                continue
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in reversed(sources):  # later wins below, so the first source goes last
                if not isinstance(source, MappingNode):
                    raise self.fail(source, f"{field}.<<" if field else "<<", "expected a mapping (or a list of them)")
                self._check_tag(source, field, "map")
                merged += [(k, v, False) for k, v, _ in self._pairs(source, field)]
        return merged + own

    def mapping(
        self, node: Node, field: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, field, f"expected a mapping with keys {', '.join(allowed)}")
        self._check_tag(node, field, "map")
        found: dict[str, Node] = {}
        written: set[str] = set()
        for key_node, value_node, here in self._pairs(node, field):
            key = self._construct(key_node, field) if isinstance(key_node, ScalarNode) else None
            name = f"{field}.{key}" if field else str(key)
            if not isinstance(key, str) or key not in allowed:
                raise self.fail(key_node, name, unknown_key(key, allowed))
            if here:
                if key in written:
                    raise self.fail(key_node, name, "appears twice")
                written.add(key)
            found[key] = value_node
        for key in required:
            if key not in found:
                raise self.fail(node, f"{field}.{key}" if field else key, "is required")
        return found

    def sequence(self, node: Node, field: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, field, "expected a list")
        self._check_tag(node, field, "seq")
        if not node.value:
            raise self.fail(node, field, "must not be empty")
        return list(node.value)

    def scalar(self, node: Node, field: str, kind: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, field, f"expected {kind}")
        return self._construct(node, field)

    def text(self, node: Node, field: str, limit: int = MAX_TEXT, spoken: bool = True) -> str:
        """Text in one line; `spoken` text must have a word (a letter or digit) for the voice to say."""
        value = self.scalar(node, field, "text")
        if not isinstance(value, str):
            raise self.fail(node, field, f"expected text, got {value!r} (put it in quotes)")
        value = " ".join(value.split())
        if not value:
            raise self.fail(node, field, "must not be empty")
        if len(value) > limit:
            raise self.fail(node, field, f"is {len(value):,} characters long; at most {limit:,}")
        if problem := unfit_text(value):
            raise self.fail(node, field, problem)
        if spoken and not any(c.isalnum() for c in value):
            raise self.fail(node, field, f"{value!r} has no words to speak")
        return value

    def texts(self, node: Node, field: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode):
            return (self.text(node, field),)
        return tuple(self.text(item, f"{field}[{i}]") for i, item in enumerate(self.sequence(node, field)))

    def flag(self, node: Node, field: str) -> bool:
        value = self.scalar(node, field, "true or false")
        if not isinstance(value, bool):
            raise self.fail(node, field, f"expected true or false, got {value!r}")
        return value

    def number(
        self,
        node: Node,
        field: str,
        low: float,
        high: float,
        *,
        integer: bool = False,
        allow_low: bool = False,
        unit: str = "seconds",
    ) -> Any:
        kind = "a whole number" if integer else f"a number of {unit}" if unit else "a number"
        value = self.scalar(node, field, kind)
        ok_type = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type) or value != value:
            raise self.fail(node, field, f"expected {kind}, got {value!r}")
        if value < low or (value == low and not allow_low):
            bound = f"at least {low:g}" if allow_low else f"greater than {low:g}"
            raise self.fail(node, field, f"must be {bound}, got {value:.15g}")
        if value > high:
            raise self.fail(node, field, f"must be at most {high:g}, got {value:.15g}")
        return value
