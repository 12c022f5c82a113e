"""Detect the watermark: correlate whitened band energies with the keyed pattern.

The file is resampled to 16 kHz; log energies of the pattern's bands are averaged into 32 ms
cells for each of the BLOCK frame phases and whitened (each cell's loudness is removed, then its
neighbours' mean: the smooth speech envelope goes, the cell-to-cell mark stays). They are then
correlated with the pattern at every cyclic shift: crops and leading silence only move the
alignment, which the search covers. Each correlation is scaled to a z-score: for audio that is
independent of the key it has mean 0 and variance 1 exactly (the key's cells are independent
+-1), and is close to normal. The score is the best of the PERIOD * BLOCK alignments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicekit.watermark.key import (
    BANDS,
    BLOCK,
    HOP,
    PERIOD,
    RATE,
    THRESHOLD,
    band_of_bin,
    pattern,
)
from voicekit.watermark.stft import chunks

ACTIVE_DB = 40.0  # cells this far below the loudest one are silence and carry no mark


@dataclass(frozen=True)
class Detection:
    """The detector's answer for one signal."""

    score: float  # best z-score over alignments; for unmarked audio: the max of 128 ~N(0,1)
    marked: bool  # score >= threshold
    active_s: float  # seconds of audio loud enough to carry the mark


def band_energies(audio: np.ndarray) -> np.ndarray:
    """Energy per frame and pattern band, shape (frames, BANDS), computed in bounded chunks."""
    band = band_of_bin()
    onehot = np.zeros((len(band), BANDS))
    inside = np.flatnonzero(band >= 0)
    onehot[inside, band[inside]] = 1.0
    parts = [(np.abs(spectra) ** 2) @ onehot for _, spectra in chunks(audio)]
    return np.concatenate(parts)


def _cells(energy: np.ndarray, phase: int) -> tuple[np.ndarray, np.ndarray]:
    """Whitened log-energy cells for one frame phase, and which cells are active."""
    count = (len(energy) - phase) // BLOCK
    grouped = energy[phase : phase + count * BLOCK].reshape(count, BLOCK, BANDS).mean(axis=1)
    total = grouped.sum(axis=1)
    active = total > total.max(initial=0.0) * 10 ** (-ACTIVE_DB / 10)
    logs = np.log(grouped + 1e-12)
    logs -= logs.mean(axis=1, keepdims=True)  # loudness: speech onsets would leak into neighbours
    if active.any():
        logs -= logs[active].mean(axis=0)  # long-term spectrum
    # Whiten: subtract each cell's neighbours (two bands either side, one cell before and after).
    # Speech's log spectrum is smooth on that scale, the pattern is not, so this removes most of
    # the speech and keeps most of the mark.
    pad = np.pad(logs, ((1, 1), (2, 2)), mode="edge")
    around = (pad[1:-1, :-4] + pad[1:-1, 1:-3] + pad[1:-1, 3:-1] + pad[1:-1, 4:]
              + pad[:-2, 2:-2] + pad[2:, 2:-2])  # fmt: skip
    logs = logs - around / 6
    logs[~active] = 0.0
    return logs, active


def _z_scores(cells: np.ndarray) -> np.ndarray:
    """z-score of the correlation at every cyclic pattern shift, shape (PERIOD,)."""
    folded = np.zeros((PERIOD, BANDS))
    np.add.at(folded, np.arange(len(cells)) % PERIOD, cells)
    norm = np.sqrt((folded**2).sum())
    if norm == 0.0:
        return np.zeros(PERIOD)
    key = pattern()
    # shift s aligns cell k with pattern row (k + s) % PERIOD
    scores = np.array([(np.roll(key, -s, axis=0) * folded).sum() for s in range(PERIOD)])
    return scores / norm


def score(audio: np.ndarray, rate: int, threshold: float = THRESHOLD) -> Detection:
    """Watermark score of mono float `audio` at `rate`."""
    from voicekit.audio.io import resample

    low = resample(np.asarray(audio, dtype=np.float32), rate, RATE).astype(np.float64)
    energy = band_energies(low)
    best, active_s = 0.0, 0.0
    for phase in range(BLOCK):
        cells, active = _cells(energy, phase)
        if not len(cells):
            continue
        best = max(best, float(_z_scores(cells).max()))
        active_s = max(active_s, float(active.sum()) * BLOCK * HOP / RATE)
    return Detection(round(best, 2), best >= threshold, round(active_s, 2))
