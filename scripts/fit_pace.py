"""Refit the engines' speech-length estimates (engines.py) after a voice profile's pace changes.

Speaks every sentence of every bundled routine with each voice, then fits the seconds each clip
takes, less the set pauses between its sentences, per unit of pace (length_scale or 150/rate),
to its characters, sentence stops, commas and a constant. Prints the fit and how far it is off.
Usage: scripts/fit_pace.py [voice ...]   (default: piper system)
"""

from __future__ import annotations

import sys

import numpy as np

from stretchcue.authoring.compiler import Options
from stretchcue.authoring.routine import BUNDLED, load
from stretchcue.authoring.timeline import spoken_texts
from stretchcue.authoring.yamlcheck import bundled_names
from stretchcue.format import SAMPLE_RATE
from stretchcue.pipeline import session
from stretchcue.sound.cache import ClipCache, location
from stretchcue.sound.engines import sentences, spoken_features
from stretchcue.sound.profiles import VoiceProfile
from stretchcue.sound.speech import Voice


def pace_unit(profile: VoiceProfile) -> float:
    settings = profile.settings
    return float(settings.get("length_scale", 1.0)) if profile.engine == "piper" else 150 / settings.get("rate", 150)


def main(names: list[str]) -> None:
    cache = ClipCache(location(None)[0])
    for name in names:
        profile = VoiceProfile.load(name)
        voice = Voice(profile, cache)
        texts: dict[str, None] = {}
        for routine in bundled_names(BUNDLED):
            for hold in (10, 30):
                texts.update(dict.fromkeys(spoken_texts(session.script(load(routine), Options(hold), profile))))
        pause = float(profile.settings.get("sentence_silence", 0.0))
        rows, targets, lengths = [], [], []
        for text in texts:
            seconds = voice.length(text) / SAMPLE_RATE
            rows.append([*spoken_features(text), 1.0])
            targets.append((seconds - pause * (len(sentences(text)) - 1)) / pace_unit(profile))
            lengths.append(seconds)
        fit, *_ = np.linalg.lstsq(np.array(rows), np.array(targets), rcond=None)
        estimates = [profile.estimate(text) for text in texts]
        total, guessed = sum(lengths), sum(estimates)
        print(f"{name}: per character, stop, comma, constant = {', '.join(f'{c:.4f}' for c in fit)}")
        print(
            f"  {len(texts)} texts, {total:.1f} s of speech; the estimate in engines.py says {guessed:.1f} s "
            f"({100 * (guessed - total) / total:+.1f}%)"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["piper", "system"])
