"""Lay out: Script + clip lengths -> Timeline of cues at exact sample offsets. Pure code.

The timing contract lives here: a hold lasts exactly its seconds, from the end of its "hold" cue
to the start of what follows it (the end chime, or "release"); each cue inside it starts exactly
where its event says (countdown number k exactly k seconds before the hold ends, the halfway cue
at its middle). A clip too long for its place is cut where the next cue starts and reported,
never shifted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from stretchcue.authoring.script import Cue, Hold, Play, Step
from stretchcue.format import SAMPLE_RATE

# An MP3 at SAMPLE_RATE decodes back sample-exact provided the track ends on an MP3 frame
# boundary. At 22,050 Hz a frame is 576 samples and the
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
class Held:
    """A hold: from the end of its "hold" cue to the start of what ends it, exactly its seconds."""

    start: int  # samples
    end: int
    exercise: str | None
    side: str | None
    rep: int | None


@dataclass(frozen=True)
class Timeline:
    cues: tuple[Placed, ...]
    length: int  # samples
    warnings: tuple[str, ...] = ()
    sample_rate: int = SAMPLE_RATE
    holds: tuple[Held, ...] = ()

    def seconds(self, samples: int) -> float:
        return samples / self.sample_rate

    def __iter__(self) -> Iterator[Placed]:
        return iter(self.cues)


def cues_of(step: Step) -> tuple[Cue, ...]:
    return (step.cue,) if isinstance(step, Play) else tuple(event.cue for event in step.events)


def spoken_texts(steps: Iterable[Step]) -> list[str]:
    """Every distinct text the script speaks, in order of first use."""
    return list(dict.fromkeys(cue.text for step in steps for cue in cues_of(step) if cue.tone is None))


def to_samples(seconds: float, sample_rate: int = SAMPLE_RATE) -> int:
    return round(seconds * sample_rate)


def fixed_seconds(steps: Iterable[Step]) -> float:
    """Time the script spends in holds, pauses and tones between cues, known before any clip is spoken."""
    return sum(
        step.seconds if isinstance(step, Hold) else step.pause + (step.cue.tone.seconds if step.cue.tone else 0)
        for step in steps
    )


class Layout:
    """Places a script's cues one by one, in order of start, asking for each clip's length only when
    it gets there: a build renders and encodes the start of a track while the rest is still being
    spoken. No cue ever starts before one placed earlier, so everything before the latest start is
    final. When iteration ends, `length` (frame-aligned) and `warnings` are known."""

    def __init__(
        self,
        steps: Iterable[Step],
        length_of: Callable[[str], int],
        sample_rate: int = SAMPLE_RATE,
        warnings: Iterable[str] = (),  # the compiler's, to go with the layout's own
    ) -> None:
        self.steps = tuple(steps)
        self.count = sum(len(cues_of(step)) for step in self.steps)  # (asked for after each cue: counted once)
        self.length_of = length_of
        self.sample_rate = sample_rate
        self.length: int | None = None
        self.warnings: list[str] = list(warnings)
        self.placed: list[Placed] = []  # every cue given so far
        self.holds: list[Held] = []

    def place_all(self) -> Timeline:
        """Place every cue now, and give the whole timeline."""
        for _ in self:
            pass
        return self.timeline()

    def timeline(self) -> Timeline:
        """The whole timeline, once every cue has been placed."""
        assert self.length is not None, "not placed yet"
        return Timeline(tuple(self.placed), self.length, tuple(self.warnings), self.sample_rate, tuple(self.holds))

    def __len__(self) -> int:
        """How many cues it places."""
        return self.count

    def _length(self, cue: Cue) -> int:
        return to_samples(cue.tone.seconds, self.sample_rate) if cue.tone else self.length_of(cue.text)

    def __iter__(self) -> Iterator[Placed]:
        for placed in self._place():
            self.placed.append(placed)
            yield placed

    def _place(self) -> Iterator[Placed]:
        rate = self.sample_rate
        cursor = 0
        for step in self.steps:
            if isinstance(step, Play):
                end = cursor + self._length(step.cue)
                yield Placed(step.cue, cursor, end)
                cursor = end + to_samples(step.pause, rate)
                continue
            hold_end = cursor + to_samples(step.seconds, rate)
            self.holds.append(Held(cursor, hold_end, step.exercise, step.side, step.rep))
            starts = [
                hold_end - to_samples(e.at, rate) if e.from_end else cursor + to_samples(e.at, rate)
                for e in step.events
            ]
            assert starts == sorted(starts) and all(cursor <= s < hold_end for s in starts), "events out of order"
            limits = [*starts[1:], hold_end]  # each cue may last until the next starts, the last until the end
            for event, start, limit in zip(step.events, starts, limits, strict=False):
                end = start + self._length(event.cue)
                if end > limit:
                    if event.cue.tone is None:
                        self.warnings.append(
                            f"{event.cue.kind} cue {event.cue.text!r} ({_where(event.cue)}) lasts "
                            f"{(end - start) / rate:.2f} s but has {(limit - start) / rate:.2f} s before the next "
                            "cue; it is cut short"
                        )
                    end = limit
                yield Placed(event.cue, start, end)
            cursor = hold_end
        self.length = frame_aligned(cursor)


def layout(steps: Iterable[Step], lengths: Mapping[str, int], sample_rate: int = SAMPLE_RATE) -> Timeline:
    """Place every cue at once. `lengths` gives each text's clip length in samples."""
    return Layout(steps, lengths.__getitem__, sample_rate).place_all()


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
