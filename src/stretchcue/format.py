"""The track's format: its sample rate, channels and bitrate. Every stage may import it."""

from __future__ import annotations

from dataclasses import dataclass

# Both engines speak at 22,050 Hz, and an MP3 at this rate decodes back sample-exact. The timeline
# counts in these samples; under music of CD quality the track is written at twice the rate.
SAMPLE_RATE = 22_050
FULL_RATE = 2 * SAMPLE_RATE


@dataclass(frozen=True)
class Format:
    """What the track is written as."""

    rate: int
    channels: int
    bitrate: int  # kbit/s

    def describe(self) -> str:
        return f"{'stereo' if self.channels == 2 else 'mono'} {self.rate / 1000:g} kHz, {self.bitrate} kbit/s"


SPEECH_ONLY = Format(SAMPLE_RATE, 1, 64)  # mono speech


def choose_format(rate: int, channels: int) -> Format:
    """Stereo 44.1 kHz at 128 kbit/s for stereo music of CD quality or better (LAME's joint stereo
    is transparent for most music there); mono music keeps mono, lower rates keep 22,050 Hz."""
    full = rate >= FULL_RATE
    stereo = channels >= 2
    bitrate = {(True, True): 128, (True, False): 96, (False, True): 96, (False, False): SPEECH_ONLY.bitrate}
    return Format(FULL_RATE if full else SAMPLE_RATE, 2 if stereo else 1, bitrate[(full, stereo)])
