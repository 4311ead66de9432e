"""Measuring a track's sound: what the tests hold it to, and what scripts/soundcheck reports."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm

from stretchcue.audio import ffmpeg_exe
from stretchcue.timeline import SAMPLE_RATE


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


def cue_level(pcm: np.ndarray, start: int, end: int, rate: int = SAMPLE_RATE) -> float:
    """A cue's active level (LUFS, one channel): BS.1770, gated, over 100 ms blocks, so pauses
    inside the cue do not count and a one-word cue is measured too."""
    segment = pcm[start:end].astype(np.float64) / 32768
    return float(pyloudnorm.Meter(rate, block_size=min(0.1, len(segment) / rate)).integrated_loudness(segment))


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
