"""A lookahead peak limiter: smooth gain reduction that keeps every sample under a ceiling.

The gain at each sample is the smallest gain any sample within ``lookahead`` of it needs
(a sliding minimum), held and released slowly (an exponential rise, per ~1 ms block), then
smoothed with a Hann window no wider than the lookahead. A weighted average of gains that are
each low enough for sample ``n`` is low enough for ``n``, so the ceiling holds exactly while
the gain never steps (no clicks): it dips over ``lookahead`` before a peak and recovers over
``release`` after it.
"""

from __future__ import annotations

import math

import numpy as np

BLOCK_S = 0.001  # release runs per block: a per-sample Python loop would take seconds
SAFETY = 1.0 - 1e-5  # keeps float32 rounding of the product under the ceiling


def limiter_gain(
    audio: np.ndarray, rate: int, ceiling: float, lookahead: float = 0.005, release: float = 0.08
) -> np.ndarray:
    """Per-sample gain (0..1, float64) that keeps ``|audio * gain| <= ceiling``.

    Args:
        audio: mono samples.
        rate: sample rate in Hz.
        ceiling: linear peak ceiling (e.g. ``10 ** (-1 / 20)`` for -1 dBFS).
        lookahead: seconds over which the gain ramps down before a peak.
        release: time constant in seconds of the gain's return towards 1 after a peak.
    """
    from scipy.ndimage import maximum_filter1d, minimum_filter1d
    from scipy.signal import oaconvolve

    x = np.abs(np.asarray(audio, dtype=np.float64))
    n = len(x)
    if n == 0 or float(x.max()) <= ceiling:
        return np.ones(n)
    need = np.minimum(1.0, (ceiling * SAFETY) / np.maximum(x, 1e-12))
    radius = max(1, round(lookahead * rate))
    # lowest gain needed anywhere within +-radius of each sample
    held = minimum_filter1d(need, size=2 * radius + 1, mode="nearest")
    block = max(1, round(BLOCK_S * rate))
    blocks = math.ceil(n / block)
    padded = np.pad(held, (0, blocks * block - n), mode="edge")
    lows = padded.reshape(blocks, block).min(axis=1)
    rise = math.exp(-block / max(release * rate, 1.0))
    released = np.empty(blocks)
    level = 1.0
    for i, low in enumerate(lows.tolist()):
        # falls at once (already ahead of the peak), rises exponentially back towards 1
        level = min(low, rise * level + (1.0 - rise))
        released[i] = level
    drop = 1.0 - np.repeat(released, block)[:n]
    window = np.hanning(2 * radius + 3)[1:-1]  # 2 * radius + 1 positive weights
    window /= window.sum()
    gain = 1.0 - oaconvolve(np.pad(drop, radius, mode="edge"), window, mode="valid")
    # where nothing within reach is reduced the gain is exactly 1 (no FFT noise on untouched
    # audio), and the FFT's rounding must not lift a gain above what its sample needs
    touched = maximum_filter1d(drop > 0, size=2 * radius + 1)
    return np.where(touched, np.minimum(gain, need), 1.0)


def limit(
    audio: np.ndarray, rate: int, ceiling_db: float, lookahead: float = 0.005,
    release: float = 0.08,
) -> np.ndarray:  # fmt: skip
    """``audio`` with its peaks limited to ``ceiling_db`` dBFS (see ``limiter_gain``)."""
    gain = limiter_gain(audio, rate, 10 ** (ceiling_db / 20), lookahead, release)
    return (np.asarray(audio, dtype=np.float64) * gain).astype(np.float32)
