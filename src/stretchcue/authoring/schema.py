"""The JSON Schemas of routines and manifests (shipped in schemas/), and every error they find in a
file, each at its YAML line.

The loaders stop at a file's first error; a schema lists them all, so `validate` can say everything
that is wrong at once. Errors are said in the loaders' words where the two check the same thing.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stretchcue.authoring.yamlcheck import unknown_key
from stretchcue.errors import InputError

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

SCHEMAS = resources.files("stretchcue.authoring") / "schemas"
ROUTINE, MANIFEST = "routine", "manifest"
NOT_BLANK = "\\S"  # the pattern of text that must say something
KINDS = {"string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false"}
KINDS |= {"object": "a mapping", "array": "a list", "null": "nothing"}


def schema_file(kind: str) -> Traversable:
    return SCHEMAS / f"{kind}.schema.json"


def schema_text(kind: str) -> str:
    return schema_file(kind).read_text(encoding="utf-8")


def schema_uri(kind: str) -> str:
    """The schema's file:// address on this machine, for an editor's `$schema=` line."""
    return Path(str(schema_file(kind))).resolve().as_uri()


def kind_of(root: Node) -> str:
    """A manifest is a mapping with `tracks`, or without `exercises` and with a key a typo away from
    `tracks` (`track:`); anything else is read as a routine."""
    keys = [str(k.value) for k, _ in root.value if isinstance(k, ScalarNode)] if isinstance(root, MappingNode) else []
    if "tracks" in keys or "exercises" in keys:
        return MANIFEST if "tracks" in keys else ROUTINE
    return MANIFEST if difflib.get_close_matches("tracks", keys) else ROUTINE


def schema_errors(root: Node, source: str, kind: str) -> list[InputError]:
    """Every error the schema finds in a file's YAML tree, in the order of its lines; none when the
    tree cannot become data (an unknown tag, a bad merge): the loader names that problem itself."""
    from jsonschema import Draft202012Validator

    try:
        data = yaml.SafeLoader("").construct_document(root)  # (merge keys are resolved in the tree too)
    except Exception:  # PyYAML's constructors raise all kinds on bad values
        return []
    validator = Draft202012Validator(json.loads(schema_text(kind)))
    found = {str(e): e for error in validator.iter_errors(data) for e in _located(error, root, source)}
    return sorted(found.values(), key=lambda e: (e.line or 0, e.field))


def _located(error: ValidationError, root: Node, source: str) -> Iterator[InputError]:
    """A jsonschema error as InputErrors at the YAML line of the value (or key) it is about."""
    path = list(error.absolute_path)
    node, field = _node_at(root, path), _field(path)
    rule, value = error.validator_value, error.instance
    if error.validator == "required":  # one error per missing key, each at its mapping
        for key in rule:
            if key not in value:
                yield InputError(source, _line(node), _join(field, key), "is required")
    elif error.validator == "additionalProperties":  # one error per unknown key, each at its key
        allowed = tuple(error.schema.get("properties", ()))
        for key in value:
            if key not in allowed:
                yield InputError(
                    source, _line(_key_node(node, key) or node), _join(field, key), unknown_key(key, allowed)
                )
    elif error.validator == "anyOf" and (fitting := _fitting(error)):
        for inner in fitting:
            yield from _located(inner, root, source)
    else:
        yield InputError(source, _line(node), field, _message(error.validator, rule, value, error))


def _fitting(error: ValidationError) -> list[ValidationError]:
    """The errors inside the choices of an anyOf whose kind the value has ({in: 0, out: 6} is a mapping
    with a bad number, not a wrong `false`), unless a choice lists the values allowed."""
    if any("enum" in choice for choice in error.validator_value):
        return []
    branches: dict[int, list[ValidationError]] = {}
    for inner in error.context:
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    return [
        inner
        for errors in branches.values()
        if not any(e.validator in ("type", "const") and not e.relative_path for e in errors)
        for inner in errors
    ]


def _message(validator: str, rule: Any, value: Any, error: ValidationError) -> str:
    if validator == "type":
        return f"expected {KINDS.get(rule, rule)}, got {value!r}"
    if validator == "minimum":
        return f"must be at least {rule:g}, got {value:.15g}"
    if validator == "exclusiveMinimum":
        return f"must be greater than {rule:g}, got {value:.15g}"
    if validator == "maximum":
        return f"must be at most {rule:g}, got {value:.15g}"
    if (validator, rule) in (("minItems", 1), ("pattern", NOT_BLANK)):
        return "must not be empty"
    if validator == "maxItems":
        return f"has {len(value)} items; at most {rule}"
    if validator == "maxLength":
        return f"is {len(value):,} characters long; at most {rule:,}"
    if validator == "anyOf":
        allowed = [str(v) for choice in rule for v in choice.get("enum", ())]
        if allowed:
            return f"expected one of {', '.join(allowed)}; got {value!r}"
        return f"expected {' or '.join(_kinds(error))}, got {value!r}"
    return str(error.message)


def _kinds(error: ValidationError) -> list[str]:
    """What the choices of an anyOf take (text, a mapping, false), from why each refused the value."""
    kinds: list[str] = []
    for inner in error.context:
        if not inner.relative_path and inner.validator in ("type", "const"):
            rule = inner.validator_value
            kind = KINDS.get(rule, str(rule)) if inner.validator == "type" else json.dumps(rule)
            kinds += [kind] if kind not in kinds else []
    return kinds


def _node_at(root: Node, path: Sequence[object]) -> Node:
    """The node the error's path leads to in the YAML tree; as far as it goes, if it stops early."""
    node = root
    for step in path:
        if isinstance(node, MappingNode) and (value := _value_node(node, step)) is not None:
            node = value
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
        else:
            break
    return node


def _value_node(node: MappingNode, key: object) -> Node | None:
    values = [v for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(key)]
    return values[-1] if values else None  # (the last one: a key written after a merge wins)


def _key_node(node: Node, key: object) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    keys = [k for k, _ in node.value if isinstance(k, ScalarNode) and k.value == str(key)]
    return keys[-1] if keys else None


def _field(path: Sequence[object]) -> str:
    """A path as the loaders name fields: exercises[0].hold."""
    field = ""
    for step in path:
        field = f"{field}[{step}]" if isinstance(step, int) and not isinstance(step, bool) else _join(field, step)
    return field


def _join(field: str, key: object) -> str:
    return f"{field}.{key}" if field else str(key)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1
