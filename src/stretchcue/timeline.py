"""Lay out: Script + clip lengths -> Timeline of cues at exact sample offsets. Pure code.

The timing contract lives here: a hold lasts from the end of its "hold" cue to the start of
its "release" cue, exactly; countdown number k starts exactly k seconds before the hold ends.
A countdown clip too long for its second is cut at the next mark and reported, never shifted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from .compiler import Cue, Speak, Step

# Both engines speak at 22,050 Hz, and an MP3 at this rate decodes back sample-exact.
SAMPLE_RATE = 22_050
# ...provided the track ends on an MP3 frame boundary. At 22,050 Hz a frame is 576 samples and the
# encoder and decoder delay add up to 1,105; measured with ffmpeg 9: when (length + 1105) % 576 is
# 530..575, ffmpeg decodes 1 to 46 samples too many of the files its own encoder wrote. So the
# track's final silence is stretched (by at most 575 samples, 26 ms) to end on a frame boundary.
# (With lameenc and the Info tag mp3.py writes, every length decodes exactly; the stretch stays,
# as it costs nothing and keeps every track's length what it was.)
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

    def __iter__(self) -> Iterator[Placed]:
        return iter(self.cues)


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


class Layout:
    """Places a script's cues one by one, in order of start, asking for each clip's length only when
    it gets there: a build renders and encodes the start of a track while the rest is still being
    spoken. No cue ever starts before one placed earlier, so everything before the latest start is
    final. When iteration ends, `length` (frame-aligned) and `warnings` are known."""

    def __init__(self, steps: Iterable[Step], length_of: Callable[[str], int], sample_rate: int = SAMPLE_RATE) -> None:
        self.steps = tuple(steps)
        self.length_of = length_of
        self.sample_rate = sample_rate
        self.length: int | None = None
        self.warnings: list[str] = []

    def __len__(self) -> int:
        """How many cues it places."""
        return sum(1 if isinstance(step, Speak) else len(step.countdown) for step in self.steps)

    def __iter__(self) -> Iterator[Placed]:
        rate = self.sample_rate
        cursor = 0
        for step in self.steps:
            if isinstance(step, Speak):
                end = cursor + self.length_of(step.cue.text)
                yield Placed(step.cue, cursor, end)
                cursor = end + to_samples(step.pause, rate)
                continue
            hold_end = cursor + to_samples(step.seconds, rate)
            for i, cue in enumerate(step.countdown):
                k = len(step.countdown) - i
                start = hold_end - k * rate
                limit = start + rate  # the next number, or for "one" the end of the hold
                end = start + self.length_of(cue.text)
                if end > limit:
                    self.warnings.append(
                        f"countdown cue {cue.text!r} ({_where(cue)}) lasts {(end - start) / rate:.2f} s "
                        f"but has 1 s before the next cue; it is cut short"
                    )
                    end = limit
                yield Placed(cue, start, end)
            cursor = hold_end
        self.length = frame_aligned(cursor)


def layout(steps: Iterable[Step], lengths: Mapping[str, int], sample_rate: int = SAMPLE_RATE) -> Timeline:
    """Place every cue at once. `lengths` gives each text's clip length in samples."""
    placing = Layout(steps, lengths.__getitem__, sample_rate)
    cues = tuple(placing)
    assert placing.length is not None
    return Timeline(cues, placing.length, tuple(placing.warnings), sample_rate)


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
