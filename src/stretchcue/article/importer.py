"""`import`: an article in, a routine file out, checked by the routine loader before it is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stretchcue.article.extract import documents
from stretchcue.article.fetch import read_page, shown
from stretchcue.article.reader import Draft, read
from stretchcue.article.writer import missing, routine_yaml
from stretchcue.authoring.routine import parse
from stretchcue.authoring.schema import ROUTINE, schema_uri
from stretchcue.authoring.starter import file_name
from stretchcue.disk.files import write_new
from stretchcue.errors import InputError, StretchcueError
from stretchcue.limits import MAX_EXERCISES


@dataclass(frozen=True)
class Imported:
    path: Path
    draft: Draft
    gaps: list[str]  # what the article did not say, left to the defaults


def draft_of(spec: str) -> tuple[Draft, str]:
    """The page's draft routine (of its readings, the one with the most exercises), and where it came from."""
    page = read_page(spec)
    drafts = [draft for draft in map(read, documents(page)) if draft.exercises]
    if not drafts:
        raise StretchcueError(f"{shown(spec)}: no exercises found (no section tells a body how to move)")
    # The HowTo data and the main text, whichever has more exercises; the page's whole text only
    # when neither has any (it may hold a sidebar's or a comment's exercises too).
    chosen = [draft for draft in drafts if draft.how != "the page's whole text"] or drafts
    return max(chosen, key=lambda draft: len(draft.exercises)), page.source


def import_article(spec: str, out: Path | None) -> Imported:
    draft, source = draft_of(spec)
    if len(draft.exercises) > MAX_EXERCISES:
        raise StretchcueError(
            f"{source}: {len(draft.exercises)} exercises found; a routine holds at most {MAX_EXERCISES}"
        )
    path = out or Path(file_name(draft.title or "imported routine"))
    text = f"# yaml-language-server: $schema={schema_uri(ROUTINE)}\n{routine_yaml(draft, source)}"
    try:  # it validates as written, or nothing is written
        parse(text.encode("utf-8"), str(path))
    except InputError as err:
        raise StretchcueError(f"{source}: the routine it holds cannot be written: {err.field}: {err.message}") from None
    write_new(path, text)
    return Imported(path, draft, missing(draft))
