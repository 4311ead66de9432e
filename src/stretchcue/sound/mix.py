"""The mix: every cue's sound laid at its exact sample on one timeline, with the music under the
voice, given out as 16-bit PCM block by block while the cues are still being placed."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

import numpy as np

from stretchcue.authoring.script import Cue
from stretchcue.authoring.timeline import Placed
from stretchcue.format import SAMPLE_RATE
from stretchcue.sound import tones
from stretchcue.sound.audio import to_pcm
from stretchcue.sound.music import LOOKAHEAD, Music
from stretchcue.sound.speech import Voice

FADE_SAMPLES = 110  # 5 ms fade where a clip had to be cut, so the cut does not click
BLOCK = 1 << 16  # samples mixed and handed to the encoder at a time (3 s)
QUEUED = 32  # blocks the mixer may be ahead of the encoder (4 MB)


class Placements(Protocol):
    """Cues in order of start (a `Timeline`, or a `Layout` still placing them); `length` is known once
    they have all been given."""

    length: int | None

    def __iter__(self) -> Iterator[Placed]: ...


def sounds(voice: Voice, rate: int = SAMPLE_RATE) -> Callable[[Cue], np.ndarray]:
    """What each cue sounds like at `rate` (the timeline's, or twice it): its text in the voice,
    or its tone; as floats in [-1, 1). Only resampled speech is kept (resampling is slow; turning
    16-bit samples into floats is not, and keeping them would hold every clip twice over)."""
    resampled: dict[str, np.ndarray] = {}

    def floats(text: str) -> np.ndarray:
        return np.frombuffer(voice.samples(text), dtype="<i2") * np.float32(1 / 32768)

    def sound(cue: Cue) -> np.ndarray:
        if cue.tone is not None:
            return tones.samples(cue.tone, rate)
        if rate == SAMPLE_RATE:
            return floats(cue.text)
        if cue.text not in resampled:
            import soxr

            resampled[cue.text] = soxr.resample(floats(cue.text), SAMPLE_RATE, rate, quality="VHQ")
        return resampled[cue.text]

    return sound


def render(
    cues: Placements, sound_of: Callable[[Cue], np.ndarray], scale: int = 1, music: Music | None = None
) -> Iterator[bytes]:
    """The track as 16-bit PCM (interleaved when the music is stereo), block by block, while its cues
    are still being placed: they come in order of start, so every block that ends before the latest
    start (less the music's lookahead) is final. Each block is mixed in float from the sounds that
    play in it, and the music under them, and converted once. Memory stays flat however long the
    track is. `scale`: output samples per timeline sample (2 at 44.1 kHz); `sound_of` gives sounds
    at the output rate."""
    playing: list[tuple[int, np.ndarray]] = []
    speech: list[tuple[int, int]] = []  # where the voice speaks, for the music to dip under
    held = round(LOOKAHEAD * music.format.rate) if music else 0
    done = 0  # samples given out so far

    def blocks(until: int, length: int | None) -> Iterator[bytes]:
        nonlocal done, playing
        while until - done >= BLOCK or (length is not None and done < until):
            end = min(done + BLOCK, until)
            block = np.zeros(end - done, dtype=np.float32)
            for start, sound in playing:
                first, stop = max(start, done), min(start + len(sound), end)
                if first < stop:
                    block[first - done : stop - done] += sound[first - start : stop - start]
            playing = [(start, sound) for start, sound in playing if start + len(sound) > end]
            if music:
                block = block[:, None] + music.bed(done, end, speech, length)  # the voice, centred
                speech[:] = music.still_shaping(speech, end)
            done = end
            yield to_pcm(block)

    for placed in cues:
        start = placed.start * scale
        yield from blocks(start - held, None)
        playing.append((start, _cut(placed, sound_of(placed.cue), scale)))
        if placed.cue.tone is None:
            speech.append((start, placed.end * scale))
    assert cues.length is not None, "the placements ended without a length"
    yield from blocks(cues.length * scale, cues.length * scale)


def _cut(placed: Placed, samples: np.ndarray, scale: int) -> np.ndarray:
    """The sound cut short (with a fade, so it does not click) where the timeline cut it."""
    count = (placed.end - placed.start) * scale
    if count < len(samples):
        samples = samples[:count].copy()
        fade = min(FADE_SAMPLES * scale, count)
        samples[count - fade :] *= np.linspace(1, 0, fade, dtype=np.float32)
    return samples


_END = object()


def ahead(blocks: Iterable[bytes], depth: int = QUEUED) -> Iterator[bytes]:
    """The same blocks, made on a thread of their own up to `depth` ahead: while the encoder works
    on one block, the mixer (and the voice it may be waiting for) goes on with the next. An error
    in making them is raised here, in the consumer."""
    made: queue.Queue[object] = queue.Queue(maxsize=depth)
    quit = threading.Event()  # the consumer stopped early: make no more

    def make() -> None:
        try:
            for block in blocks:
                if quit.is_set():
                    return
                made.put(block)
            made.put(_END)
        except BaseException as err:  # handed over, raised by the consumer
            made.put(err)

    maker = threading.Thread(target=make, daemon=True)
    maker.start()
    try:
        while (item := made.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        quit.set()
        while maker.is_alive():  # let it finish the block in hand, taking what it puts
            with contextlib.suppress(queue.Empty):
                made.get(timeout=0.05)
        maker.join()
