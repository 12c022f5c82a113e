"""The short-time Fourier transform both sides of the watermark share (numpy, 16 kHz grid)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from voicekit.watermark.key import HOP, N_FFT, window

CHUNK = 4096  # frames per STFT batch (~65 s, ~70 MB of working arrays)


def frames(audio: np.ndarray) -> np.ndarray:
    """Windowed spectra, shape (frames, N_FFT // 2 + 1); frame t starts at sample t * HOP."""
    if len(audio) < N_FFT:
        audio = np.pad(audio, (0, N_FFT - len(audio)))
    count = 1 + (len(audio) - N_FFT) // HOP
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    return np.fft.rfft(audio[index] * window(), axis=1)


def chunks(audio: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """`frames` of `audio` in batches of CHUNK frames: (index of the first frame, spectra), so a
    film or a long narration never sits in memory as one STFT."""
    count = 1 + max(0, len(audio) - N_FFT) // HOP
    for first in range(0, count, CHUNK):
        last = min(count, first + CHUNK)
        yield first, frames(audio[first * HOP : (last - 1) * HOP + N_FFT])


def overlap_add(spectra: np.ndarray) -> np.ndarray:
    """Inverse of `frames` (sqrt-Hann synthesis window): HOP * (frames - 1) + N_FFT samples."""
    pieces = np.fft.irfft(spectra, n=N_FFT, axis=1) * window()
    out = np.zeros(HOP * (len(pieces) - 1) + N_FFT)
    for t, piece in enumerate(pieces):
        out[t * HOP : t * HOP + N_FFT] += piece
    return out
