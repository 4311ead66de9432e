"""Lay out: Script + clip lengths -> Timeline of cues at exact sample offsets. Pure code.

The timing contract lives here: a hold lasts from the end of its "hold" cue to the start of
its "release" cue, exactly; countdown number k starts exactly k seconds before the hold ends.
A countdown clip too long for its second is cut at the next mark and reported, never shifted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .compiler import Cue, Speak, Step

# Both engines speak at 22,050 Hz, and ffmpeg's MP3 at this rate decodes back sample-exact.
SAMPLE_RATE = 22_050
# ...provided the track ends on an MP3 frame boundary. At 22,050 Hz a frame is 576 samples and the
# encoder and decoder delay add up to 1,105; measured with ffmpeg 9: when (length + 1105) % 576 is
# 530..575, ffmpeg decodes 1 to 46 samples too many. So the track's final silence is stretched
# (by at most 575 samples, 26 ms) to end on a frame boundary, and every length decodes exactly.
MP3_FRAME = 576
MP3_DELAY = 1105


@dataclass(frozen=True)
class Placed:
    cue: Cue
    start: int  # samples from the start of the track
    end: int  # exclusive; earlier than start + clip length only if the clip was cut


@dataclass(frozen=True)
class Timeline:
    cues: tuple[Placed, ...]
    length: int  # samples
    warnings: tuple[str, ...] = ()
    sample_rate: int = SAMPLE_RATE

    def seconds(self, samples: int) -> float:
        return samples / self.sample_rate


def spoken_texts(steps: Iterable[Step]) -> list[str]:
    """Every distinct text the script speaks, in order of first use."""
    texts: dict[str, None] = {}
    for step in steps:
        for cue in (step.cue,) if isinstance(step, Speak) else step.countdown:
            texts[cue.text] = None
    return list(texts)


def to_samples(seconds: float, sample_rate: int = SAMPLE_RATE) -> int:
    return round(seconds * sample_rate)


def fixed_seconds(steps: Iterable[Step]) -> float:
    """Time the script spends in holds and pauses, known before any clip is spoken."""
    return sum(step.pause if isinstance(step, Speak) else step.seconds for step in steps)


def layout(steps: Iterable[Step], lengths: Mapping[str, int], sample_rate: int = SAMPLE_RATE) -> Timeline:
    """Place every cue. `lengths` gives each text's clip length in samples."""
    placed: list[Placed] = []
    warnings: list[str] = []
    cursor = 0
    for step in steps:
        if isinstance(step, Speak):
            end = cursor + lengths[step.cue.text]
            placed.append(Placed(step.cue, cursor, end))
            cursor = end + to_samples(step.pause, sample_rate)
            continue
        hold_end = cursor + to_samples(step.seconds, sample_rate)
        for i, cue in enumerate(step.countdown):
            k = len(step.countdown) - i
            start = hold_end - k * sample_rate
            limit = start + sample_rate  # the next number, or for "one" the end of the hold
            end = start + lengths[cue.text]
            if end > limit:
                warnings.append(
                    f"countdown cue {cue.text!r} ({_where(cue)}) lasts {(end - start) / sample_rate:.2f} s "
                    f"but has 1 s before the next cue; it is cut short"
                )
                end = limit
            placed.append(Placed(cue, start, end))
        cursor = hold_end
    return Timeline(tuple(placed), frame_aligned(cursor), tuple(warnings), sample_rate)


def frame_aligned(samples: int) -> int:
    """The least length >= samples that ends on an MP3 frame boundary (see MP3_FRAME)."""
    return samples + (-(samples + MP3_DELAY)) % MP3_FRAME


def _where(cue: Cue) -> str:
    parts = [cue.exercise or ""]
    if cue.side:
        parts.append(f"{cue.side} side")
    if cue.rep:
        parts.append(f"rep {cue.rep}")
    return ", ".join(p for p in parts if p)
