"""Routines in German, Spanish and French: the bundled back-stretch routine in each, built with the
system voice (espeak-ng's voice of the language), held to its plan on the decoded audio; nothing
English left in what is said or shown; the feed and the cards in the language."""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import shutil
import string
from pathlib import Path

import feedparser
import numpy as np
import pytest
from conftest import decode, holds, read_tags, run_cli, samples
from measure import assert_sounds_as_planned

import stretchcue
from stretchcue.authoring import phrases
from stretchcue.authoring.compiler import Options
from stretchcue.authoring.routine import load
from stretchcue.cli import main
from stretchcue.outputs.cards import all_cards
from stretchcue.outputs.tags import Tags
from stretchcue.sound.profiles import default_voice

LANGUAGES = ("de", "es", "fr")
SHORTER = ("--reps", "1", "--hold", "4")  # the whole routine, one rep of each: the track stays short
ENGLISH = phrases.book("en")


def plan_of(*args: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["plan", *args, "--json"]) == 0
    return json.loads(out.getvalue())


def english_words() -> set[str]:
    """Every run of words the English phrasebook says (its templates split at their fields)."""
    found: set[str] = set()
    for field in ENGLISH.__dataclass_fields__:
        value = getattr(ENGLISH, field)
        texts = value.forms.values() if isinstance(value, phrases.Plural) else value
        for text in [texts] if isinstance(texts, str) else texts:
            for literal, *_ in string.Formatter().parse(text):
                found.update(part.strip() for part in re.split(r"[.:,;]", literal) if len(part.split()) > 1)
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[dict, np.ndarray, Tags, Path]]:
    """Each language's routine built in one batch with the system voice; its plan, audio, tags and file."""
    folder = tmp_path_factory.mktemp("languages")
    entries = "".join(f"  - {{routine: back-stretches-{language}}}\n" for language in LANGUAGES)
    (folder / "set.yaml").write_text(f"title: Languages\nreps: 1\nhold: 4\ntracks:\n{entries}", encoding="utf-8")
    batch = run_cli("batch", folder / "set.yaml", "--voice", "system", "--out", folder / "out")  # (as SHORTER)
    assert batch.returncode == 0, batch.stderr
    found = {}
    for n, language in enumerate(LANGUAGES, start=1):
        [mp3] = (folder / "out").glob(f"{n:02d} - *.mp3")
        plan = plan_of(f"back-stretches-{language}", "--voice", "system", *SHORTER)
        found[language] = plan, decode(mp3).astype(np.float64), read_tags(mp3), mp3
    return found


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_track_is_its_plan(built, language) -> None:
    """Every hold exact and silent but for its count, every cue where the plan puts it."""
    plan, pcm, tags, _ = built[language]
    assert len(pcm) == samples(plan["duration"])
    spans = holds(plan)
    assert len(spans) == 15 and all(end - start == samples(4) for start, end, _ in spans)  # 6 x 2 sides, 1, 2 ways
    assert_sounds_as_planned(pcm, plan)
    assert [c.title for c in tags.chapters] == [c["chapter"] for c in plan["cues"] if c.get("chapter")]


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_english_is_said_and_the_count_is_in_the_language(built, language) -> None:
    plan, _, tags, _ = built[language]
    book = phrases.book(language)
    said = " ".join(c["text"] for c in plan["cues"] if c["text"])
    left = sorted(words for words in english_words() if words in said)
    assert not left, left
    counts = [c["text"] for c in plan["cues"] if c["kind"] == "countdown"]
    assert counts[:3] == [book.countdown(k) for k in (3, 2, 1)] and counts[:3] != ["Three.", "Two.", "One."]
    intro = [c["text"] for c in plan["cues"] if c["kind"] == "intro"]
    assert intro[0] == book.fill(book.welcome, title=load(f"back-stretches-{language}").title)
    minutes = plan["duration"] / 60  # the length it says is the length it has, within a minute
    assert intro[1] in {book.fill(book.length, n=n) for n in (math.floor(minutes), math.ceil(minutes))}, intro[1]
    loaded = load(f"back-stretches-{language}")
    level, version = book.levels["full"], stretchcue.__version__
    assert tags.language == language
    assert tags.comment == book.fill(
        book.comment, description=loaded.description, level=level, voice="system", version=version
    )


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_feed_and_the_cards_are_in_the_language(built, tmp_path, language) -> None:
    book, (_, _, tags, mp3) = phrases.book(language), built[language]
    shutil.copy(mp3, tmp_path)  # a folder of this language's track alone (a feed has one language)
    run = run_cli("feed", tmp_path, "--base-url", "https://example.com/s/")
    assert run.returncode == 0, run.stderr
    parsed = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == language
    assert parsed.feed.subtitle == book.fill(book.feed_description, title=parsed.feed.title)
    [episode] = parsed.entries
    assert episode.summary == tags.comment  # (in the language: the test above)

    loaded = load(f"back-stretches-{language}")
    cover, *exercises = all_cards(loaded, Options())
    assert cover.heading == book.stretches_line(7, 10) and cover.footer == book.safety_line
    assert [card.heading for card in exercises] == [book.fill(book.card_heading, n=n, total=7) for n in range(1, 8)]
    details = [card.body[0].words for card in exercises]  # the dose and the position
    assert all(book.where[e.position] in d for e, d in zip(loaded.exercises, details, strict=True) if e.position)


def test_a_voice_that_does_not_speak_the_language_is_refused_in_one_line() -> None:
    run = run_cli("plan", "back-stretches-fr", "--voice", "piper")
    assert run.returncode == 2 and not run.stdout
    assert run.stderr == "error: the piper voice does not speak French (fr); voices that do: system\n"
    assert default_voice("fr") == "system"  # (without --voice, one that does)


def test_language_in_a_routine_and_in_a_manifest(tmp_path, cli) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text("title: Kurz\nexercises:\n  - {name: Strecken, instructions: Streck dich.}\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text("title: M\ntracks:\n  - {routine: r.yaml, language: de}\n", encoding="utf-8")
    from stretchcue.pipeline import manifest

    assert manifest.load(tmp_path / "m.yaml").entries[0].routine.language == "de"  # a track says what it is in
    (tmp_path / "m2.yaml").write_text("title: M\nlanguage: fr\ntracks:\n  - routine: back-stretches-de\n")
    assert manifest.load(tmp_path / "m2.yaml").entries[0].routine.language == "de"  # a routine that says keeps it
    (tmp_path / "m3.yaml").write_text("title: M\nvoice: piper\ntracks:\n  - routine: back-stretches-es\n")
    refused = cli("validate", tmp_path / "m3.yaml")
    assert (
        refused.code == 2 and f"{tmp_path / 'm3.yaml'}:2: voice: the piper voice does not speak Spanish" in refused.err
    )
    from stretchcue.pipeline.tracks import variants
    from stretchcue.sound.profiles import VoiceProfile

    albums = {
        spec.album for spec in variants(load("back-stretches-de"), [2.5, 3], Options(), VoiceProfile.load("beep"))
    }
    assert albums == {"Rückendehnung - 2,5; 3 s Haltezeit"}  # (not "2,5, 3": holds of 2, 5 and 3)
    routine.write_text(routine.read_text() + "language: xx\n", encoding="utf-8")
    bad = cli("plan", routine, "--voice", "beep")
    assert bad.code == 2 and bad.err == f"error: {routine}:4: language: expected one of en, de, es, fr; got 'xx'\n"
