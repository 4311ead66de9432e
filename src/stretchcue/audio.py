"""Audio basics shared by speech and render: pydub (imported once, quietly) and ffmpeg."""

from __future__ import annotations

import subprocess
import warnings
from functools import cache

from .errors import StretchcueError
from .timeline import SAMPLE_RATE

# pydub warns at import when no ffmpeg is on PATH; we hand it the one imageio-ffmpeg ships.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
    from pydub import AudioSegment, effects, silence

SILENCE_DBFS = -50.0  # quieter than this counts as silence when trimming clips
HEADROOM_DB = 3.0  # clip peaks sit this far below full scale, so the MP3 never clips


@cache
def ffmpeg_exe() -> str:
    """The ffmpeg binary from the imageio-ffmpeg package, checked once."""
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
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
    """A clip as the timeline wants it: its format, silence trimmed at both ends, peak with headroom."""
    clip = to_timeline_format(clip)
    per_ms = SAMPLE_RATE / 1000  # pydub measures silence in milliseconds; cut at whole samples
    lead = silence.detect_leading_silence(clip, SILENCE_DBFS, chunk_size=5)
    tail = silence.detect_leading_silence(clip.reverse(), SILENCE_DBFS, chunk_size=5)
    start, end = round(lead * per_ms), int(clip.frame_count()) - round(tail * per_ms)
    if end <= start:
        raise StretchcueError("the speech engine returned only silence")
    return effects.normalize(clip.get_sample_slice(start, end), headroom=HEADROOM_DB)
