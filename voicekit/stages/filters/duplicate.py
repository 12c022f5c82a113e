"""Duplicates: near-identical text or audio as an earlier kept clip; the first one is kept.

Films repeat themselves (flashbacks, recaps, the same scene in two cuts of a film). Text alone
would also catch an actor saying a short line twice, which is two real recordings, so short
texts are compared by audio only. Audio is compared by a coarse spectral fingerprint (log band
energies every 50 ms), correlated at the best of a few small time shifts.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from voicekit.manifest import Segment
from voicekit.stages.filters.asr import letters
from voicekit.stages.filters.base import SetContext, Verdict
from voicekit.stages.filters.snr import power_spectrogram

if TYPE_CHECKING:
    from voicekit.config import Config

BANDS = 24
LOW_HZ, HIGH_HZ = 100.0, 6000.0
HOP_S = 0.05
FLOOR_DB = 40.0
MAX_SHIFT = 4  # frames (0.2 s): clips of the same audio cut a little differently
MAX_LENGTH_DIFF_S = 0.5


def fingerprint(samples: np.ndarray, rate: int) -> np.ndarray | None:
    """(frames, BANDS) log band energies, standardised; None for tiny clips."""
    power = power_spectrogram(samples, rate, frame_s=2 * HOP_S)
    if power.shape[0] < 2 * MAX_SHIFT + 2:
        return None
    freqs = np.linspace(0, rate / 2, power.shape[1])
    edges = np.geomspace(LOW_HZ, min(HIGH_HZ, rate / 2), BANDS + 1)
    band = np.stack([power[:, (freqs >= lo) & (freqs < hi)].sum(axis=1)
                     for lo, hi in itertools.pairwise(edges)], axis=1)
    # a floor FLOOR_DB under the loudest cell: hiss and quiet bands, which differ between two
    # copies of the same line, all read as the floor instead of as random detail
    logs = np.log10(band + band.max() * 10 ** (-FLOOR_DB / 10) + 1e-20)
    return (logs - logs.mean()) / (logs.std() + 1e-9)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Best mean correlation of two fingerprints over small time shifts."""
    best = -1.0
    for shift in range(-MAX_SHIFT, MAX_SHIFT + 1):
        x, y = (a[shift:], b) if shift >= 0 else (a, b[-shift:])
        n = min(len(x), len(y))
        if n < MAX_SHIFT:
            continue
        best = max(best, float(np.mean(x[:n] * y[:n])))
    return best


def _text_key(clip: Segment, min_chars: int) -> str | None:
    text = letters(clip.text or "").lower()
    return text if len(text) >= min_chars else None


def check(clips: Sequence[Segment], conf: Config, ctx: SetContext) -> list[Verdict]:
    cfg = conf.filters
    prints = list(ctx.fingerprints) or [None] * len(clips)
    texts = [_text_key(c, cfg.duplicate_min_chars) for c in clips]
    kept: list[int] = []
    out = []
    for i, clip in enumerate(clips):
        verdict = _text_duplicate(i, kept, texts, clips, cfg.duplicate_text_similarity)
        if verdict is None:
            verdict = _audio_duplicate(i, kept, prints, clips, cfg.duplicate_audio_similarity)
        out.append(verdict)
        if clip.kept and verdict.reason is None:
            kept.append(i)
    return out


def _text_duplicate(i: int, kept: Sequence[int], texts: Sequence[str | None],
                    clips: Sequence[Segment], threshold: float) -> Verdict | None:
    text = texts[i]
    if text is None:
        return None
    for j in kept:
        other = texts[j]
        # the length ratio bounds the similarity: skip the matcher when it cannot reach it
        if other is None or 2 * min(len(text), len(other)) < threshold * (len(text) + len(other)):
            continue
        ratio = 1.0 if text == other else difflib.SequenceMatcher(
            None, text, other, autojunk=False).ratio()
        if ratio >= threshold:
            return Verdict({}, f"duplicate of {clips[j].id} (same text)", round(ratio, 4))
    return None


def _audio_duplicate(i: int, kept: Sequence[int], prints: Sequence[np.ndarray | None],
                     clips: Sequence[Segment], threshold: float) -> Verdict:
    mine = prints[i]
    best, best_j = -1.0, -1
    for j in kept:
        other = prints[j]
        if mine is None or other is None:
            continue
        if abs(clips[i].duration - clips[j].duration) > MAX_LENGTH_DIFF_S:
            continue
        value = similarity(mine, other)
        if value > best:
            best, best_j = value, j
    if best_j < 0:
        return Verdict()
    scores = {"duplicate_similarity": round(best, 4)}
    if best >= threshold:
        reason = f"duplicate of {clips[best_j].id} (audio similarity {best:.2f})"
        return Verdict(scores, reason, best)
    return Verdict(scores)
