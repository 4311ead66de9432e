"""Measuring a track's sound: what the tests hold it to, and what scripts/soundcheck reports."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from stretchcue.format import SAMPLE_RATE
from stretchcue.sound.audio import ffmpeg_exe

QUIET = 10 ** (-45 / 20) * 32768  # below -45 dBFS counts as silence (16-bit samples)
SPEECH = 10 ** (-50 / 20) * 32768  # clips are trimmed to their first 5 ms louder than -50 dBFS
MARGIN = 1152  # an MP3 transform window at 22,050 Hz: the codec smears a cue's edges by up to this much


def loudness_and_true_peak(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS; a mono file weighed as dual-mono, as players do) and true peak
    (dBTP) of an MP3, measured by ffmpeg's ebur128 filter."""
    command = [ffmpeg_exe(), "-nostats", "-i", str(path), "-af", "ebur128=dualmono=true:peak=true", "-f", "null", "-"]
    report = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    summary = report[report.rindex("Summary:") :]
    loudness = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert loudness and peak, summary
    return float(loudness.group(1)), float(peak.group(1))


def cue_levels(pcm: np.ndarray, rate: int, plan: dict) -> dict[str, list[float]]:
    """Each spoken cue's active level (LUFS, one channel), by kind: BS.1770's K-weighting, then its
    gating (at -70 LUFS, then 10 LU under the cue's mean) over 100 ms blocks with 75% overlap, so
    pauses inside a cue do not count and a one-word cue is measured too. pyloudnorm's
    integrated_loudness with 100 ms blocks gives the same, cue by cue, 20 times slower."""
    import pyloudnorm  # (here: with scipy.signal it takes seconds to import, and few tests measure cues)

    meter = pyloudnorm.Meter(rate, block_size=0.1)
    weighted = pcm.astype(np.float64) / 32768
    for stage in meter._filters.values():  # the K-weighting filters
        weighted = stage.apply_filter(weighted)
    energy = np.concatenate([[0.0], np.cumsum(weighted**2)])
    block, step = round(0.1 * rate), round(0.025 * rate)
    levels: dict[str, list[float]] = {}
    for cue in plan["cues"]:
        start, end = round(cue["start"] * rate), round(cue["end"] * rate)
        if cue["tone"] is not None or end - start < block:
            continue
        starts = np.arange(start, end - block + 1, step)
        power = (energy[starts + block] - energy[starts]) / block
        with np.errstate(divide="ignore"):
            loud = -0.691 + 10 * np.log10(power)
        audible = loud > -70
        if not audible.any():
            continue
        gate = -0.691 + 10 * np.log10(power[audible].mean()) - 10
        kept = power[audible & (loud > gate)]
        levels.setdefault(cue["kind"], []).append(float(-0.691 + 10 * np.log10(kept.mean())))
    return levels


def decode_mono(path: Path, rate: int) -> np.ndarray:
    """The MP3 at `rate`, channels mixed to one, as floats."""
    command = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"]
    return np.frombuffer(subprocess.run(command, capture_output=True, check=True).stdout, "<i2") / 32768


def band_level(pcm: np.ndarray, pitch: float, rate: int) -> float:
    """dBFS of one pitch in a stretch of audio (a windowed FFT's peak near it)."""
    spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm)))) / (len(pcm) / 4)
    k = round(pitch * len(pcm) / rate)
    return float(20 * np.log10(spectrum[k - 2 : k + 3].max() + 1e-12))


def ducking_depth(pcm: np.ndarray, rate: int, plan: dict, pitch: float) -> tuple[float, list[float], list[float]]:
    """How far music of one steady pitch dips under speech: its level in the first second of each
    hold (after 1.5 s, before any countdown) against its loudest under any cue over 1.5 s long."""
    under = [
        band_level(pcm[round(c["start"] * rate) : round(c["end"] * rate)], pitch, rate)
        for c in plan["cues"]
        if c["end"] - c["start"] > 1.5 and c["tone"] is None
    ]
    held = []
    for cue in plan["cues"]:
        if cue["kind"] == "hold":
            start = round(cue["end"] * rate) + rate * 3 // 2
            held.append(band_level(pcm[start : start + rate], pitch, rate))
    return float(np.median(held) - max(under)), held, under


def assert_sounds_as_planned(pcm: np.ndarray, plan: dict, exact: bool = False) -> None:
    """Each cue sounds from where the plan starts it (to the sample when `exact`: the beep voice's
    words; else within 10 ms, for the quiet start of a word or a tone's attack), and outside every
    cue the track is silent. `pcm`: the decoded track, 16-bit values."""
    rate = SAMPLE_RATE
    quiet = np.ones(len(pcm), dtype=bool)
    for cue in plan["cues"]:
        start, end = round(cue["start"] * rate), round(cue["end"] * rate)
        quiet[max(0, start - MARGIN) : end + MARGIN] = False
        loud = np.abs(pcm[start:end]) > SPEECH
        said = cue["text"] or cue["tone"]
        assert loud.any(), f"{said!r} at {cue['start']:.2f} s is silent"
        onset = start + int(np.argmax(loud))
        tolerance = 1 if exact and not cue["tone"] else round(0.01 * rate)
        assert abs(onset - start) <= tolerance, f"{said!r} starts at {onset / rate:.4f} s, planned {start / rate:.4f} s"
    loud_at = np.flatnonzero(quiet & (np.abs(pcm) >= QUIET))
    assert loud_at.size == 0, f"sound where the plan has none, from {loud_at[:1] / rate} s"
