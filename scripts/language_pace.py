"""The system voice's pace in each language: words per minute and syllables per second while
talking (the pauses between sentences left out), over the long instructions of each language's
back-stretch routine. voices/system.toml sets each language's rate from these figures.
Usage: scripts/language_pace.py   (after scripts/run has set up .venv; extra arguments go to plan)
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys

from stretchcue.cli import main
from stretchcue.sound.profiles import VoiceProfile

VOWELS = re.compile(r"[aeiouyäöüáéíóúàèìòùâêîôûëïœæ]+", re.IGNORECASE)  # a syllable: a run of vowels


def syllables(word: str, language: str) -> int:
    if language == "fr" and len(word) > 3:  # a final e (es, ent) after a consonant is not said
        word = re.sub(r"(?<=[^aeiouyéè])e(s|nt)?$", "", word)
    return len(VOWELS.findall(word))


ROUTINES = {"en": "back-stretches", "de": "back-stretches-de", "es": "back-stretches-es", "fr": "back-stretches-fr"}

for language, name in ROUTINES.items():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["plan", name, "--voice", "system", "--json", *sys.argv[1:]]) == 0
    plan = json.loads(out.getvalue())
    pause = VoiceProfile.load("system").speaking(language).settings["sentence_silence"]
    cues = [c for c in plan["cues"] if c["kind"] == "instruction" and len(c["text"]) > 80]
    talk = sum(c["end"] - c["start"] - pause * len(re.findall(r"[.!?]\s", c["text"])) for c in cues)
    words = sum(len(c["text"].split()) for c in cues)
    said = sum(syllables(w, language) for c in cues for w in re.findall(r"\w+", c["text"]))
    print(f"{name:<20} {words / talk * 60:4.0f} wpm  {said / talk:4.2f} syllables/s  ({said / words:.2f} a word)")
