"""The public key and parameters of voicekit's synthetic-speech watermark.

The mark is a label, not a secret: the seed below is published so that anyone can check
voicekit's output with `voicekit detect`. Everything is defined on a 16 kHz analysis grid, so
the mark does not depend on the sample rate of the file that carries it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SEED = 0x766F6963  # "voic": the published key; changing it unmarks every earlier output
RATE = 16000  # analysis rate: every file is resampled to it before embedding or detecting
N_FFT = 512  # 32 ms frames, 31.25 Hz bins
HOP = 256  # 50 % overlap: sqrt-Hann analysis + synthesis windows reconstruct exactly
BLOCK = 2  # frames per pattern cell in time (32 ms): many cells, and MP3/AAC keep them
LOW_HZ, HIGH_HZ = 1000.0, 5000.0  # marked band: speech is strong, 128k codecs keep it
BANDS = 32  # pattern cells across the marked band (125 Hz each)
PERIOD = 64  # pattern cells in time before it repeats (2.05 s): the detector searches this
STRENGTH = 0.15  # relative magnitude change (+-1.2 dB): a fast fluctuating EQ, not added noise
THRESHOLD = 5.0  # z-score; unmarked max of 128 alignments: P(>= 5) < 128 * 2.9e-7 (measured: docs)


@lru_cache(maxsize=1)
def pattern() -> np.ndarray:
    """The keyed +-1 pattern, shape (PERIOD, BANDS)."""
    rng = np.random.default_rng(SEED)
    return rng.choice(np.array([-1.0, 1.0]), size=(PERIOD, BANDS))


@lru_cache(maxsize=1)
def band_of_bin() -> np.ndarray:
    """For each STFT bin, its pattern band (0..BANDS-1), or -1 outside the marked band."""
    freqs = np.arange(N_FFT // 2 + 1) * RATE / N_FFT
    edges = np.linspace(LOW_HZ, HIGH_HZ, BANDS + 1)
    band = np.searchsorted(edges, freqs, side="right") - 1
    band[(freqs < LOW_HZ) | (freqs >= HIGH_HZ)] = -1
    return band


def window() -> np.ndarray:
    """Periodic sqrt-Hann: its square overlap-adds to one at 50 % overlap."""
    n = np.arange(N_FFT)
    return np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT))
