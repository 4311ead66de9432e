"""Checking routines and manifests without building anything: every error the schema finds, and
then, when it finds none, what the loader and the session refuse that a schema cannot see (a music
file that is not there, a track over 3 hours)."""

from __future__ import annotations

from pathlib import Path

from stretchcue.authoring import routine as routines
from stretchcue.authoring.compiler import Options
from stretchcue.authoring.schema import MANIFEST, kind_of, schema_errors
from stretchcue.authoring.yamlcheck import bundled_names, parse_yaml, read_named
from stretchcue.errors import InputError, StretchcueError
from stretchcue.pipeline import manifest as manifests
from stretchcue.pipeline.session import check_length


def problems(spec: str) -> list[StretchcueError]:
    """What is wrong with a routine or manifest file (or a bundled one's name); none when it is good."""
    try:
        data, source = _read(spec)
        root = parse_yaml(data, source)
        kind = kind_of(root)
        if errors := schema_errors(root, source, kind):
            return list(errors)
        if kind == MANIFEST:
            for entry in manifests.load(spec).entries:
                check_length(entry.routine, Options(entry.hold, entry.reps))
        else:
            check_length(routines.load(spec), Options())
    except StretchcueError as err:
        return [err]
    return []


def _read(spec: str) -> tuple[bytes, str]:
    """A file's bytes, or a bundled routine's or manifest's."""
    path = Path(spec)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return read_named(path, routines.BUNDLED, "routine")
    for folder, kind in ((routines.BUNDLED, "routine"), (manifests.BUNDLED, "manifest")):
        if spec in bundled_names(folder):
            return read_named(spec, folder, kind)
    names = ", ".join(bundled_names(routines.BUNDLED) + bundled_names(manifests.BUNDLED))
    raise InputError(spec, None, "", f"no such file, or bundled routine or manifest (bundled: {names})")
