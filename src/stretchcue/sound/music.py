"""Music under the voice: any file ffmpeg reads, looped with crossfades to the session's length,
faded in and out, and ducked under every spoken cue.

The music sets the track's format: stereo when it is stereo, 44.1 kHz when it is at least that
(the timeline's rate doubles exactly), at a bitrate that suits music. It is leveled once,
relative to the voice; the ducking follows the timeline, which is known ahead of the audio, so the
music starts to dip before a cue starts rather than after.

Its default level (limits.MUSIC_LEVEL, 20 dB under the voice) is clearly audible in a quiet hold,
and stays under the loudness gate of BS.1770 (10 LU under the track's mean): at 14 dB under, the
holds' music counted with some voices and not others, and moved a track's loudness by 2 dB.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import numpy as np

from stretchcue.authoring.routine import MusicChoice
from stretchcue.disk.ours import open_regular
from stretchcue.errors import StretchcueError
from stretchcue.format import Format, choose_format
from stretchcue.sound.audio import SPEECH_LUFS, ffmpeg_exe, level, loudness

DUCK_DB = 18.0  # how far the music dips under speech (at least 12 dB, so words stay clear; measured 15+)
DUCK_DOWN = 0.4  # seconds the dip takes, ending as a cue starts
DUCK_UP = 1.0  # seconds the music takes to come back after a cue
BRIDGE = 2.0  # cues closer than this stay under one dip: the music does not pump between sentences
CROSSFADE = 3.0  # seconds where the end of one loop blends into the start of the next
FADE_IN = 3.0
FADE_OUT = 5.0
MAX_SECONDS = 300  # of the music file used (looped); keeps memory small for long files
MIN_SECONDS = 2 * CROSSFADE + 4
LOOKAHEAD = FADE_OUT + BRIDGE + DUCK_DOWN  # seconds of audio held back until the cues after it are known
# ffmpeg reads only the MAX_SECONDS it needs of a real music file, but may search all of one that
# holds no sound for a frame: files over MAX_FILE (3 hours of CD audio is 1.9 GB) are refused unread.
MAX_FILE = 2 << 30
FFMPEG_SECONDS = 120  # a decode of MAX_SECONDS takes a second or two; a file that keeps ffmpeg longer is refused


class Music:
    """A music file, decoded, leveled and ready to lay under a track as a bed."""

    def __init__(self, choice: MusicChoice) -> None:
        rate, channels = _probe(choice.path)
        self.format = choose_format(rate, channels)
        self.level = choice.level
        samples = _decode(choice.path, self.format)
        # What the track depends on: the samples used, as decoded (not the path, nor the rest of the file).
        self.digest = hashlib.sha256(samples.tobytes()).hexdigest()
        if len(samples) < MIN_SECONDS * self.format.rate:
            seconds = len(samples) / self.format.rate
            raise StretchcueError(f"music: {choice.path} lasts {seconds:.1f} s; at least {MIN_SECONDS:g} s to loop")
        # The voice measures 3 dB louder as a centred stereo source; the music is set against that.
        voice = SPEECH_LUFS + (3.01 if self.format.channels == 2 else 0)
        self.samples = _level_music(samples, self.format.rate, voice + choice.level)
        self.crossfade = round(CROSSFADE * self.format.rate)
        self.period = len(self.samples) - self.crossfade  # each loop after the first starts inside a crossfade

    def bed(self, start: int, stop: int, speech: list[tuple[int, int]], length: int | None) -> np.ndarray:
        """The music from sample `start` to `stop` of the track, looped, faded and ducked under
        `speech` (intervals in samples, in order). `length`: the track's, once known (for the fade-out)."""
        t = np.arange(start, stop)
        loop, offset = np.divmod(t, self.period)
        out = self.samples[offset].astype(np.float32)
        blend = (loop > 0) & (offset < self.crossfade)
        if blend.any():  # equal-power crossfade from the end of the previous pass
            angle = (np.pi / 2) * offset[blend] / self.crossfade
            tail = self.samples[offset[blend] + self.period]
            out[blend] = out[blend] * np.sin(angle)[:, None] + tail * np.cos(angle)[:, None]
        rate = self.format.rate
        gain = np.clip(t / (FADE_IN * rate), 0, 1)
        if length is not None:
            gain = np.minimum(gain, np.clip((length - t) / (FADE_OUT * rate), 0, 1))
        gain = gain * 10 ** (-DUCK_DB * _dips(t, speech, rate) / 20)
        return out * gain[:, None].astype(np.float32)

    def still_shaping(self, speech: list[tuple[int, int]], at: int) -> list[tuple[int, int]]:
        """The spoken intervals that can still shape the music from sample `at` on: a dip lasts
        DUCK_UP after its cue, and a cue less than BRIDGE later would join it."""
        reach = round((BRIDGE + DUCK_UP) * self.format.rate)
        return [(start, end) for start, end in speech if end + reach > at]


def dip_regions(speech: list[tuple[int, int]], rate: int) -> list[tuple[int, int]]:
    """Spoken cues joined where the gap between them is shorter than BRIDGE."""
    regions: list[tuple[int, int]] = []
    for start, end in speech:
        if regions and start - regions[-1][1] < BRIDGE * rate:
            regions[-1] = (regions[-1][0], max(end, regions[-1][1]))
        else:
            regions.append((start, end))
    return regions


def _dips(t: np.ndarray, speech: list[tuple[int, int]], rate: int) -> np.ndarray:
    """How far down the music is at each sample, from 0 (full) to 1 (ducked), with smooth
    (raised-cosine) ramps: down over DUCK_DOWN before each region, up over DUCK_UP after it."""
    depth = np.zeros(len(t), dtype=np.float32)
    down, up = DUCK_DOWN * rate, DUCK_UP * rate
    for start, end in dip_regions(speech, rate):
        if end + up <= t[0] or start - down >= t[-1] + 1:
            continue
        before = np.clip((t - (start - down)) / down, 0, 1)
        after = np.clip(((end + up) - t) / up, 0, 1)
        ramp = np.minimum(before, after)
        depth = np.maximum(depth, (0.5 - 0.5 * np.cos(np.pi * ramp)).astype(np.float32))
    return depth


def _probe(path: Path) -> tuple[int, int]:
    """The music's sample rate and channel count, from the WAV header ffmpeg writes for its first
    moment (read by pedalboard, which takes every WAV layout, 5.1 and 96 kHz included)."""
    from pedalboard.io import AudioFile

    header = _ffmpeg(path, ["-t", "0.1", "-f", "wav", "-acodec", "pcm_s16le"])
    try:
        with AudioFile(io.BytesIO(header)) as reader:
            return round(reader.samplerate), reader.num_channels
    except (ValueError, RuntimeError, OSError):
        raise StretchcueError(f"music: {path} has no sound ffmpeg can read") from None


def _decode(path: Path, fmt: Format) -> np.ndarray:
    """Up to MAX_SECONDS of the music as 16-bit samples, shape (samples, channels)."""
    args = ["-t", str(MAX_SECONDS), "-f", "s16le", "-ac", str(fmt.channels), "-ar", str(fmt.rate)]
    pcm = np.frombuffer(_ffmpeg(path, args), dtype="<i2")
    return pcm.reshape(-1, fmt.channels)


def _ffmpeg(path: Path, args: list[str]) -> bytes:
    """ffmpeg's output for a music file, which must be a regular file (a pipe or a device would
    keep it reading forever); a file that keeps it busy for minutes is refused."""
    try:
        open_regular(path, MAX_FILE).close()
    except OSError as err:
        raise StretchcueError(f"music: cannot read {path}: {err.strerror or err}") from None
    source = f"file:{path.absolute()}"  # a file, whatever its name: ffmpeg takes "pipe:0" or "http:..." as protocols
    command = [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", source, "-map", "0:a:0", "-vn", *args, "pipe:1"]
    try:
        result = subprocess.run(
            command, capture_output=True, stdin=subprocess.DEVNULL, check=False, timeout=FFMPEG_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise StretchcueError(f"music: {path} took ffmpeg over {FFMPEG_SECONDS} s to read") from None
    if result.returncode != 0 or not result.stdout:
        reason = result.stderr.decode(errors="replace").strip().splitlines()
        raise StretchcueError(f"music: cannot read {path}: {reason[-1] if reason else 'no sound in it'}")
    return result.stdout


def _level_music(samples: np.ndarray, rate: int, target: float) -> np.ndarray:
    """The music at `target` loudness, its peaks under the limiter's ceiling, as float32."""
    floats = samples.astype(np.float32) / 32768
    measured = loudness(floats, rate)
    if not np.isfinite(measured):
        raise StretchcueError("music: the file is silent")
    return level(floats, rate, target, measured)
