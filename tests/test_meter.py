"""Our BS.1770 meter (numpy alone, so that a cold build does not wait seconds for scipy) measures
what pyloudnorm measures: on real speech, and on any signal, rate, length and channel count."""

from __future__ import annotations

import subprocess
import sys
import wave

import numpy as np
import pytest
from conftest import TINY_ROUTINE
from hypothesis import given, settings
from hypothesis import strategies as st

from stretchcue.format import SAMPLE_RATE
from stretchcue.sound import meter
from stretchcue.sound.audio import to_timeline_format
from stretchcue.sound.engines import SystemEngine

TOLERANCE = 0.001  # LU


def reference(samples: np.ndarray, rate: int, block: float) -> float:
    import pyloudnorm  # (here: with scipy.signal it takes seconds to import)

    with np.errstate(divide="ignore"):
        return float(pyloudnorm.Meter(rate, block_size=block).integrated_loudness(samples.astype(np.float64)))


def assert_same(samples: np.ndarray, rate: int, block: float) -> None:
    ours, theirs = meter.loudness(samples, rate, block), reference(samples, rate, block)
    if np.isinf(theirs):
        assert ours == theirs, (ours, theirs)
    else:
        assert abs(ours - theirs) <= TOLERANCE, (ours, theirs, len(samples), rate, block)


def test_real_speech_measures_the_same() -> None:
    engine = SystemEngine()
    for text in ("Three.", "Breathe out slowly and let your shoulders drop away from your ears."):
        clip = to_timeline_format(engine.synthesize(text))
        speech = np.frombuffer(clip.raw_data, dtype="<i2").astype(np.float32) / 32768
        for block in (0.1, 0.4):
            assert_same(speech, SAMPLE_RATE, min(block, len(speech) / SAMPLE_RATE))


def test_silence_and_near_silence_are_under_the_gate() -> None:
    assert meter.loudness(np.zeros(SAMPLE_RATE), SAMPLE_RATE, 0.1) == float("-inf")
    assert_same(np.full(SAMPLE_RATE, 1e-6), SAMPLE_RATE, 0.1)


def test_music_longer_than_one_fft_block() -> None:
    """Stereo at 44.1 kHz longer than the meter's FFT block: the blocks join without a seam."""
    rate = 44100
    seconds = (meter.FFT_BLOCK / rate) * 2.5
    t = np.arange(int(seconds * rate)) / rate
    left = 0.3 * np.sin(2 * np.pi * 55 * t) * (1 + np.sin(2 * np.pi * 0.3 * t))
    right = 0.2 * np.sin(2 * np.pi * 2500 * t) * (t % 2 < 1.3)
    assert_same(np.stack([left, right], axis=1), rate, 0.1)


@st.composite
def signals(draw: st.DrawFn) -> tuple[np.ndarray, int, float]:
    rate = draw(st.sampled_from([8000, 16000, 22050, 44100, 48000]))
    block = draw(st.sampled_from([0.1, 0.4]))
    length = draw(st.integers(round(block * rate), 4 * rate))
    channels = draw(st.sampled_from([1, 2]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (length,) if channels == 1 else (length, channels)
    kind = draw(st.sampled_from(["noise", "tone", "bursts", "clicks", "offset"]))
    t = np.arange(length) / rate
    if kind == "noise":
        wave = rng.standard_normal(shape) * draw(st.floats(1e-4, 0.5))
    elif kind == "tone":
        pitch = draw(st.floats(20, rate / 2 - 100))
        wave = np.sin(2 * np.pi * pitch * t) * draw(st.floats(1e-4, 1))
        wave = wave if channels == 1 else np.stack([wave, -0.5 * wave], axis=1)
    elif kind == "bursts":  # words between pauses, some far under the relative gate
        gain = np.repeat(rng.choice([0.0, 0.002, 0.3], size=length // 500 + 1), 500)[:length]
        wave = rng.standard_normal(shape) * (gain if channels == 1 else gain[:, None])
    elif kind == "clicks":
        wave = np.zeros(shape)
        wave[rng.integers(0, length, size=5)] = 0.9
    else:  # a DC offset, which the high pass takes away
        wave = np.full(shape, 0.4) + rng.standard_normal(shape) * 0.01
    return wave.astype(np.float32), rate, block


@settings(max_examples=60, deadline=None)
@given(signals())
def test_any_signal_measures_the_same(signal: tuple[np.ndarray, int, float]) -> None:
    samples, rate, block = signal
    assert_same(samples, rate, block)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_the_filter_is_k_weighting(rate: int) -> None:
    """At 1 kHz the K-weighting is within 0.7 dB of flat, at 20 Hz it cuts over 10 dB, and at
    10 kHz it lifts 3.5-4.5 dB (BS.1770's curve)."""
    t = np.arange(rate) / rate

    def gain(pitch: float) -> float:
        tone = np.sin(2 * np.pi * pitch * t)
        out = meter._k_weighted(tone, rate)[rate // 4 :]
        return float(10 * np.log10(np.mean(out**2) / np.mean(tone[rate // 4 :] ** 2)))

    assert abs(gain(1000)) < 0.7 and gain(20) < -10
    if rate > 20000:
        assert 3.5 < gain(10000) < 4.5


@pytest.mark.slow
def test_a_build_with_a_cold_cache_and_music_never_imports_scipy(tmp_path) -> None:
    """scipy.signal takes seconds to import (it pulls in scipy.stats): speech is leveled and
    resampled under music without it."""
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY_ROUTINE, encoding="utf-8")
    music = tmp_path / "music.wav"
    tones = (0.2 * np.sin(2 * np.pi * 220 * np.arange(44100 * 11) / 44100) * 32767).astype("<i2")
    with wave.open(str(music), "wb") as file:
        file.setnchannels(1), file.setsampwidth(2), file.setframerate(44100), file.writeframes(tones.tobytes())
    program = (
        "import sys\nfrom stretchcue.cli import main\n"
        f"code = main(['build', {str(routine)!r}, '--voice', 'system', '--music', {str(music)!r},"
        f" '--out', {str(tmp_path / 'out')!r}, '--cache', {str(tmp_path / 'cache')!r}])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'pyloudnorm')))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.stdout.endswith("\n0 []\n"), (result.stdout, result.stderr)
