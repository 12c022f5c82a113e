"""Embed the watermark: modulate the magnitude of the 1-5 kHz band with the keyed pattern.

Each STFT cell (32 ms x 125 Hz) of the signal is scaled by 1 +- STRENGTH following the public
+-1 pattern, which repeats every 2.05 s. The change is proportional to the signal's own spectrum,
so the mark is loudest where speech is loud (and masks it) and absent in silence; it acts like
a fast +-1 dB equaliser rather than added noise. Only the 1-5 kHz difference is added to the
original samples, so the file keeps its own rate and everything outside the band is untouched.
"""

from __future__ import annotations

import numpy as np

from voicekit.watermark.key import BLOCK, HOP, PERIOD, RATE, STRENGTH, band_of_bin, pattern
from voicekit.watermark.stft import chunks, overlap_add


def gains(first: int, count: int) -> np.ndarray:
    """Per-frame, per-bin +-1 (0 outside the band) for `count` frames from frame `first`."""
    cells = pattern()[((first + np.arange(count)) // BLOCK) % PERIOD]
    band = band_of_bin()
    mask = np.zeros((count, len(band)))
    mask[:, band >= 0] = cells[:, band[band >= 0]]
    return mask


def watermark_signal(audio: np.ndarray, rate: int, strength: float = STRENGTH) -> np.ndarray:
    """The additive watermark for mono float `audio` at `rate` (same length and rate)."""
    from voicekit.audio.io import resample

    if audio.ndim != 1:
        raise ValueError("watermark_signal expects mono audio, shape (n,)")
    low = resample(np.asarray(audio, dtype=np.float32), rate, RATE).astype(np.float64)
    padded = np.pad(low, (HOP, HOP + (-len(low)) % HOP))  # first sample is fully reconstructed
    delta = np.zeros(len(padded))
    for first, spectra in chunks(padded):
        piece = overlap_add(spectra * (strength * gains(first, len(spectra))))
        delta[first * HOP : first * HOP + len(piece)] += piece
    delta = resample(delta[HOP : HOP + len(low)].astype(np.float32), RATE, rate)
    out = np.zeros(len(audio), dtype=np.float32)
    out[: min(len(out), len(delta))] = delta[: len(out)]
    return out


def embed(audio: np.ndarray, rate: int, strength: float = STRENGTH) -> np.ndarray:
    """`audio` (mono float, any rate) with the synthetic-speech watermark, clipped to [-1, 1]."""
    marked = np.asarray(audio, dtype=np.float32) + watermark_signal(audio, rate, strength)
    return np.clip(marked, -1.0, 1.0)
