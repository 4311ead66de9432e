"""Sounds without words: soft generated tones (no audio files). Their lengths are known to the
compiler (authoring/script.py); their samples are made here, when a track is rendered.

- chimes mark a hold's start (higher) and end (lower): a bell-like tone that fades away;
- breath tones pace the breath inside a hold: one rising for the in-breath, one falling for the
  out-breath, each as long as the breath leaves room for.
"""

from __future__ import annotations

import functools

import numpy as np

from stretchcue.authoring.script import Tone
from stretchcue.sound.audio import SPEECH_LUFS, level

NOTES = {  # the chimes, each its own pitches: a hold starts high and ends lower; a side, a new part
    "chime-start": (880.0,),
    "chime-end": (659.3,),
    "chime-side": (659.3, 880.0),
    "chime-next": (523.3, 659.3, 784.0),
}
CHIME_LUFS_BELOW_SPEECH = 8.0  # soft: under the voice, but clear in a quiet hold
BREATH_LUFS_BELOW_SPEECH = 12.0  # softer still: a guide to follow, not a signal


@functools.lru_cache(maxsize=32)
def samples(tone: Tone, rate: int) -> np.ndarray:
    """The tone as float32 samples at `rate`, leveled below the speech."""
    t = np.arange(round(tone.seconds * rate)) / rate
    if tone.name in NOTES:  # a chime of one note, or a short phrase of them
        notes = NOTES[tone.name]
        step = tone.seconds / (len(notes) + 1)
        wave = sum(_chime(np.clip(t - n * step, 0, None), pitch) * (t >= n * step) for n, pitch in enumerate(notes))
        wave, below = np.asarray(wave) * _edges(t, 0.01, 0.05), CHIME_LUFS_BELOW_SPEECH
    elif tone.name.startswith("breath"):
        low, high = 196.0, 293.7  # G3 to D4: low and calm
        glide = (low, high) if tone.name == "breath-in" else (high, low)
        wave, below = _glide(t, *glide, tone.seconds), BREATH_LUFS_BELOW_SPEECH
    else:
        raise ValueError(f"no tone named {tone.name!r}")
    return level(wave.astype(np.float32), rate, SPEECH_LUFS - below)


def _chime(t: np.ndarray, pitch: float) -> np.ndarray:
    """A small bell: a struck fundamental with two inharmonic partials, each dying away, the
    higher ones sooner; a 10 ms attack and a 50 ms fade at the end, so it never clicks."""
    partials = ((1.0, 1.0, 0.45), (2.76, 0.35, 0.2), (5.4, 0.12, 0.1))  # (ratio, level, decay seconds)
    wave = sum(level * np.exp(-t / decay) * np.sin(2 * np.pi * pitch * ratio * t) for ratio, level, decay in partials)
    return wave * _edges(t, 0.01, 0.05)


def _glide(t: np.ndarray, start: float, stop: float, seconds: float) -> np.ndarray:
    """A soft tone gliding from one pitch to another, swelling in and fading out over its length."""
    pitch = start + (stop - start) * t / seconds
    phase = 2 * np.pi * np.cumsum(pitch) / (len(t) / seconds)
    swell = np.sin(np.pi * t / seconds) ** 2
    return swell * (np.sin(phase) + 0.25 * np.sin(2 * phase))


def _edges(t: np.ndarray, attack: float, release: float) -> np.ndarray:
    return np.clip(np.minimum(t / attack, (t[-1] - t) / release), 0, 1) if len(t) else t
