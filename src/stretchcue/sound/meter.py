"""BS.1770 loudness, measured as pyloudnorm measures it (the tests hold the two to 0.001 LU), in
numpy alone: pyloudnorm filters with scipy.signal, whose import takes seconds (it pulls in
scipy.stats), and every cold build levels its clips before it can say anything."""

from __future__ import annotations

from functools import cache

import numpy as np

ABSOLUTE_GATE = -70.0  # LUFS
RELATIVE_GATE = -10.0  # LU under the loudness of the blocks over the absolute gate
OVERLAP = 0.75  # of each block with the next
FFT_BLOCK = 1 << 18  # samples filtered per FFT (12 s at 22.05 kHz: a clip in one): memory stays small for long music


def loudness(samples: np.ndarray, rate: int, block: float) -> float:
    """Integrated, gated loudness (LUFS) of mono `samples` or (samples, channels), channels summed
    with weight 1 (left, right, centre), over blocks of `block` seconds; -inf when all is under
    the gate."""
    weighted = _k_weighted(samples.astype(np.float64), rate)
    power = np.square(weighted) if weighted.ndim == 1 else np.square(weighted).sum(axis=1)
    total = np.concatenate(([0.0], np.cumsum(power)))
    # Blocks as pyloudnorm counts and bounds them (its eq. 3: the last block may run past the end).
    count = int(np.round((len(power) / rate - block) / (block * (1 - OVERLAP)))) + 1
    starts = np.arange(count) * (1 - OVERLAP)
    lower = np.minimum((block * starts * rate).astype(np.int64), len(power))
    upper = np.minimum((block * (starts + 1) * rate).astype(np.int64), len(power))
    mean_square = (total[upper] - total[lower]) / (block * rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        levels = -0.691 + 10 * np.log10(mean_square)
        loud = mean_square[levels >= ABSOLUTE_GATE]
        if loud.size == 0:
            return float("-inf")
        gate = -0.691 + 10 * np.log10(loud.mean()) + RELATIVE_GATE
        kept = mean_square[(levels > gate) & (levels > ABSOLUTE_GATE)]
        return float(-0.691 + 10 * np.log10(kept.mean())) if kept.size else float("-inf")


def _k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """The K-weighting filter (a high shelf, then a high pass) run over the samples from rest, as
    scipy.signal.lfilter would: each FFT block is followed by room for the filter's response to
    die away (an eighth of a second: 30 time constants of the high pass at 38 Hz), so what wraps
    around the FFT's circle is nothing."""
    step = min(len(samples), FFT_BLOCK)
    size = _fast_length(step + rate // 8)
    response = _response(rate, size)
    if samples.ndim == 2:
        response = response[:, None]
    out = np.zeros((len(samples) + size, *samples.shape[1:]))
    for start in range(0, len(samples), step):
        piece = np.fft.irfft(np.fft.rfft(samples[start : start + step], size, axis=0) * response, size, axis=0)
        out[start : start + size] += piece
    return out[: len(samples)]


def _fast_length(least: int) -> int:
    """The smallest length of the form 2^a 3^b at least `least`: quick for the FFT."""
    return min(three << max(0, (least - 1) // three).bit_length() for three in (1, 3, 9, 27))


@cache
def _response(rate: int, size: int) -> np.ndarray:
    """The filter's frequency response at the bins of an FFT of `size`."""
    z = np.exp(-2j * np.pi * np.arange(size // 2 + 1) / size)  # e^-jw at each bin
    response = np.ones(len(z), dtype=complex)
    for b, a in _stages(rate):
        response *= np.polyval(b[::-1], z) / np.polyval(a[::-1], z)
    response.flags.writeable = False  # (kept by @cache: shared by every later call)
    return response


def _stages(rate: int) -> list[tuple[list[float], list[float]]]:
    """(b, a) of BS.1770's two biquads at `rate`, designed by the RBJ cookbook as pyloudnorm does:
    a high shelf of +4 dB at 1500 Hz (Q 1/sqrt 2), then a high pass at 38 Hz (Q 0.5)."""
    gain, cos, alpha = 10 ** (4 / 40), np.cos(2 * np.pi * 1500 / rate), np.sin(2 * np.pi * 1500 / rate) * np.sqrt(2) / 2
    up, down, root = gain + 1, gain - 1, 2 * np.sqrt(gain) * alpha
    shelf = (
        [gain * (up + down * cos + root), -2 * gain * (down + up * cos), gain * (up + down * cos - root)],
        [up - down * cos + root, 2 * (down - up * cos), up - down * cos - root],
    )
    cos, alpha = np.cos(2 * np.pi * 38 / rate), np.sin(2 * np.pi * 38 / rate)  # alpha = sin w0 / (2 Q), Q = 0.5
    high_pass = ([(1 + cos) / 2, -(1 + cos), (1 + cos) / 2], [1 + alpha, -2 * cos, 1 - alpha])
    return [shelf, high_pass]
