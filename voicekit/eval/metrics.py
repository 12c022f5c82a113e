"""Time-interval and signal metrics for target-speaker extraction.

Intervals are (start, end) pairs in seconds. Precision and recall are measured by time: how
much of the kept audio lies in the target's ground-truth turns, and how much of the target's
speech was kept. Shares say what the rest of the kept audio is: another speaker or no speech.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

Interval = tuple[float, float]


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of intervals (empty ones dropped)."""
    merged: list[list[float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def total(intervals: Iterable[Interval]) -> float:
    return sum(e - s for s, e in union(intervals))


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Intersection of two interval sets."""
    left, right = union(a), union(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if end > start:
            out.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Parts of `a` not covered by `b`."""
    out: list[Interval] = []
    cuts = union(b)
    for start, end in union(a):
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                out.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def extraction_scores(
    kept: Iterable[Interval], target: Iterable[Interval], others: Iterable[Interval]
) -> dict[str, float]:
    """Time-based scores of kept audio against ground-truth speech.

    Args:
        kept: what the pipeline kept as the target.
        target: the target speaker's ground-truth turns.
        others: every other speaker's ground-truth turns.

    Returns:
        kept_s, target_s; precision (kept time inside target turns); recall (target time kept);
        recall_clean (kept share of the target's speech that overlaps nobody); other_share
        (kept time during which another speaker talks); nonspeech_share (kept time with no
        speaker); f1 of precision and recall.
    """
    kept_u, target_u, others_u = union(kept), union(target), union(others)
    kept_s = total(kept_u)
    target_s = total(target_u)
    hit = total(intersect(kept_u, target_u))
    clean = subtract(target_u, others_u)
    clean_s = total(clean)
    other_s = total(intersect(kept_u, others_u))
    speech = union([*target_u, *others_u])
    nonspeech_s = total(subtract(kept_u, speech))
    precision = hit / kept_s if kept_s > 0 else 0.0
    recall = hit / target_s if target_s > 0 else 0.0
    return {
        "kept_s": kept_s,
        "target_s": target_s,
        "precision": precision,
        "recall": recall,
        "recall_clean": total(intersect(kept_u, clean)) / clean_s if clean_s > 0 else 0.0,
        "other_share": other_s / kept_s if kept_s > 0 else 0.0,
        "nonspeech_share": nonspeech_s / kept_s if kept_s > 0 else 0.0,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0,
    }


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al. 2019).

    Both signals are 1-D, same rate; the shorter length is used. Means are removed first.
    """
    n = min(len(estimate), len(reference))
    est = np.asarray(estimate[:n], dtype=np.float64)
    ref = np.asarray(reference[:n], dtype=np.float64)
    est = est - est.mean()
    ref = ref - ref.mean()
    energy = float(np.dot(ref, ref))
    if n == 0 or energy == 0.0:
        return float("nan")
    scaled = (np.dot(est, ref) / energy) * ref
    noise = est - scaled
    return float(10 * np.log10((np.dot(scaled, scaled) + 1e-20) / (np.dot(noise, noise) + 1e-20)))
