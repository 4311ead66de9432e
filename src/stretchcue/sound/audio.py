"""Audio basics shared by speech, tones, music and the mix: pydub (imported once, quietly) and ffmpeg."""

from __future__ import annotations

import subprocess
import warnings
from functools import cache

import numpy as np

from stretchcue.errors import StretchcueError
from stretchcue.format import SAMPLE_RATE
from stretchcue.sound import meter

# pydub warns at import when no ffmpeg is on PATH; we hand it the one imageio-ffmpeg ships.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
    from pydub import AudioSegment as AudioSegment  # (re-exported: the others take it from here)
    from pydub import silence

SILENCE_DBFS = -50.0  # quieter than this counts as silence when trimming clips
# Every clip is brought to one loudness, so a whispered "three" and a long instruction sound equally
# loud, and the track lands at -16 LUFS (a mono file is weighed as dual-mono, +3 dB, as players do).
# Per clip: BS.1770 loudness of one channel, gated, over 100 ms blocks (so one-word cues count).
# Measured: the pauses between cues cost ~1 dB in the track's 400 ms blocks, the encoder 0.45 dB,
# and dual-mono adds 3 dB, so tracks of every voice and routine land at -16 LUFS +- 0.5.
SPEECH_LUFS = -17.2
MEASURE_BLOCK = 0.1  # seconds
PEAK_CEILING_DB = -2.0  # true peak, before encoding; the MP3's own overshoot stays under -1 dBTP
SAFE_BELOW_CEILING_DB = 3.0  # a sample peak this far under the ceiling cannot make a true peak over it


@cache
def ffmpeg_exe() -> str:
    """The ffmpeg binary from the imageio-ffmpeg package, checked once."""
    try:
        import imageio_ffmpeg

        exe: str = imageio_ffmpeg.get_ffmpeg_exe()
        subprocess.run([exe, "-version"], capture_output=True, check=True, timeout=30)
    except Exception as err:
        raise StretchcueError(
            f"ffmpeg is missing or broken ({err}); reinstall it with: pip install --force-reinstall imageio-ffmpeg"
        ) from None
    AudioSegment.converter = exe
    return exe


def to_timeline_format(clip: AudioSegment) -> AudioSegment:
    """Mono, 16-bit, at the timeline's sample rate."""
    return clip.set_channels(1).set_sample_width(2).set_frame_rate(SAMPLE_RATE)


def finish_clip(clip: AudioSegment) -> AudioSegment:
    """A clip as the timeline wants it: its format, silence trimmed at both ends, leveled (`level`)."""
    trimmed = trim(to_timeline_format(clip))
    samples = np.frombuffer(trimmed.raw_data, dtype="<i2").astype(np.float32) / 32768
    return AudioSegment(data=to_pcm(level(samples, SAMPLE_RATE)), sample_width=2, frame_rate=SAMPLE_RATE, channels=1)


def trim(clip: AudioSegment) -> AudioSegment:
    """The clip without the silence at its ends."""
    per_ms = clip.frame_rate / 1000  # pydub measures silence in milliseconds; cut at whole samples
    lead = silence.detect_leading_silence(clip, SILENCE_DBFS, chunk_size=5)
    tail = silence.detect_leading_silence(clip.reverse(), SILENCE_DBFS, chunk_size=5)
    start, end = round(lead * per_ms), int(clip.frame_count()) - round(tail * per_ms)
    if end <= start:
        raise StretchcueError("the speech engine returned only silence")
    return clip.get_sample_slice(start, end)


def loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770 loudness (LUFS), gated, over short blocks so that a one-word cue counts."""
    return meter.loudness(samples, rate, block=min(MEASURE_BLOCK, len(samples) / rate))


def level(samples: np.ndarray, rate: int, target: float = SPEECH_LUFS, measured: float | None = None) -> np.ndarray:
    """`samples` (mono, or (samples, channels)) brought to `target` loudness, their true peak held
    under PEAK_CEILING_DB by a look-ahead limiter. The limiter takes a little loudness off peaky
    clips, so the gain is measured again once after it. `measured`: their loudness, if known."""
    measured = loudness(samples, rate) if measured is None else measured
    if not np.isfinite(measured):  # nothing above the gate: leave it as it is
        return samples
    gain_db = target - measured
    for _ in range(2):
        gained = samples * np.float32(10 ** (gain_db / 20))
        if 20 * np.log10(np.abs(gained).max()) < PEAK_CEILING_DB - SAFE_BELOW_CEILING_DB:
            return gained  # far enough under the ceiling that no limiter is needed: exactly on target
        leveled = _limit(gained, rate)
        short_by = target - loudness(leveled, rate)
        if abs(short_by) < 0.2:
            break
        gain_db += short_by
    return leveled


def _limit(samples: np.ndarray, rate: int) -> np.ndarray:
    from pedalboard import BrickwallLimiter

    limiter = BrickwallLimiter(ceiling_db=PEAK_CEILING_DB, true_peak=True)
    # The limiter wants channels first; our stereo is (samples, channels).
    return limiter(samples.T, rate).T if samples.ndim == 2 else limiter(samples, rate)


def to_pcm(block: np.ndarray) -> bytes:
    """Floats to 16-bit little-endian samples: rounded, and clipped at full scale."""
    pcm: bytes = np.clip(np.rint(block * 32768), -32768, 32767).astype("<i2").tobytes()
    return pcm
