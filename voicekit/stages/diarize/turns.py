"""From window labels to speaker turns and overlap regions on a fine time grid.

Each window votes, for every grid step it covers, with its similarity to each speaker's
centroid. A step goes to the speaker with the highest mean vote; where the two best speakers
are close, the windows covering it disagree (a speaker change, or two voices at once) and the
step is marked as overlap rather than silently given to one of them. Close is relative to the
pair: under `gap_share` of the gap their own windows show (the median, over the windows nearest
each of the two, of the similarity to its own centroid less the other's; the smaller of the
two). Two similar voices (their centroids close) have small gaps even where one speaks alone,
and two distinct ones large gaps even at a change, so one fixed margin marked much of the
clean speech of similar voices overlap and let changes between distinct ones through. Measured
on window embeddings of 17 benchmark scenes and a 57-minute film (`docs/benchmarks.md`): the
pair-relative share kept more of the target's clean speech in its turns with no more other
speech in them, on every set.

Where one speaker's turn runs straight into another's (no pause between), the change point is
uncertain by about a window and, in films, the second voice often starts before the first
ends: a little of each turn next to such a change is marked overlap too (`change_trim_s`).
On real scenes this removed most of the other speakers' audio from kept target turns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_S = 0.05
MIN_WINDOWS = 3  # a speaker with fewer nearest windows has no typical gap of its own


@dataclass(frozen=True)
class Span:
    """A turn (speaker >= 0) or an overlap region (speaker = -1, speakers = candidates)."""

    start: float
    end: float
    speaker: int
    speakers: tuple[int, ...] = ()


def _runs(values: np.ndarray) -> list[tuple[int, int, int]]:
    """(value, first index, end index) of constant runs."""
    if len(values) == 0:
        return []
    edges = np.flatnonzero(np.diff(values)) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [len(values)]])
    return [(int(values[s]), int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def pair_gaps(similarities: np.ndarray) -> np.ndarray:
    """(k, k): the typical similarity gap between two speakers, symmetric, inf on the diagonal.

    For speakers i and j: the median, over the windows nearest i, of their similarity to i less
    that to j; the smaller of the i and j readings. Speakers with under `MIN_WINDOWS` nearest
    windows take the median gap of the measured pairs (1.0 when none is measured).
    """
    k = similarities.shape[1]
    nearest = similarities.argmax(axis=1)
    gaps = np.full((k, k), np.nan)
    for i in range(k):
        own = similarities[nearest == i]
        if len(own) >= MIN_WINDOWS:
            gaps[i] = np.median(own[:, [i]] - own, axis=0)
    np.fill_diagonal(gaps, np.nan)
    pair = np.fmin(gaps, gaps.T)
    measured = pair[np.isfinite(pair)]
    pair[~np.isfinite(pair)] = np.median(measured) if measured.size else 1.0
    np.fill_diagonal(pair, np.inf)
    return pair


def build_spans(
    regions: list[tuple[float, float]],
    spans: np.ndarray,
    similarities: np.ndarray,
    gap_share: float,
    min_turn_s: float,
    change_trim_s: float,
) -> list[Span]:
    """Turns and overlaps inside speech regions.

    Args:
        regions: speech regions (seconds).
        spans: (n, 2) window start/end times.
        similarities: (n, k) cosine of each window to each speaker centroid.
        gap_share: steps whose two best mean similarities differ less than this share of the
            pair's typical gap (`pair_gaps`) are overlap.
        min_turn_s: shorter runs merge into their neighbour's overlap (too short to trust).
        change_trim_s: turn edges touching another speaker or an overlap lose this much, marked
            overlap (see the module docstring).
    """
    if len(spans) == 0 or not regions:
        return []
    k = similarities.shape[1]
    end_s = max(r[1] for r in regions)
    n = int(np.ceil(end_s / STEP_S)) + 1
    votes = np.zeros((n, k))
    weight = np.zeros(n)
    for (a, b), sims in zip(spans, similarities, strict=True):
        i, j = int(a / STEP_S), int(np.ceil(b / STEP_S))
        votes[i:j] += sims
        weight[i:j] += 1
    speech = np.zeros(n, dtype=bool)
    for a, b in regions:
        speech[int(a / STEP_S) : int(np.ceil(b / STEP_S))] = True
    mean = votes / np.maximum(weight, 1)[:, None]
    best = mean.argmax(axis=1)
    if k > 1:
        order = np.argsort(-mean, axis=1)
        rows = np.arange(n)
        second = order[:, 1]
        gap = mean[rows, best] - mean[rows, second]
        label = np.where(gap < gap_share * pair_gaps(similarities)[best, second], -1, best)
    else:
        label = best
    label[(~speech) | (weight == 0)] = -2
    out: list[Span] = []
    for value, a, b in _runs(label):
        if value == -2:
            continue
        start, end = a * STEP_S, b * STEP_S
        if value >= 0 and end - start < min_turn_s:
            value = -1
        if value == -1:
            near = np.argsort(-mean[a:b].mean(axis=0))[:2]
            if out and out[-1].speaker == -1 and abs(out[-1].end - start) < 1e-6:
                start = out.pop().start
            out.append(Span(start, end, -1, tuple(sorted(int(s) for s in near))))
        else:
            out.append(Span(start, end, value))
    return _trim_changes(out, change_trim_s, min_turn_s)


def _trim_changes(spans: list[Span], trim: float, min_turn_s: float) -> list[Span]:
    """Move `trim` seconds of each turn edge that touches another span into overlap."""
    pieces: list[Span] = []
    for i, s in enumerate(spans):
        if s.speaker < 0 or trim <= 0:
            pieces.append(s)
            continue
        before = spans[i - 1] if i > 0 and abs(spans[i - 1].end - s.start) < 1e-6 else None
        after = spans[i + 1] if i + 1 < len(spans) and abs(spans[i + 1].start - s.end) < 1e-6 \
            else None
        start = s.start + (trim if before else 0.0)
        end = s.end - (trim if after else 0.0)
        if end - start < min_turn_s:
            pieces.append(Span(s.start, s.end, -1, _pair(s, before, after)))
            continue
        if before:
            pieces.append(Span(s.start, start, -1, _pair(s, before)))
        pieces.append(Span(start, end, s.speaker))
        if after:
            pieces.append(Span(end, s.end, -1, _pair(s, after)))
    merged: list[Span] = []
    for p in pieces:
        if merged and p.speaker == -1 and merged[-1].speaker == -1 \
                and abs(merged[-1].end - p.start) < 1e-6:
            last = merged.pop()
            p = Span(last.start, p.end, -1, tuple(sorted(set(last.speakers) | set(p.speakers))))
        merged.append(p)
    return merged


def _pair(turn: Span, *neighbours: Span | None) -> tuple[int, ...]:
    """The speakers an overlap piece may hold: the turn's and its neighbours'."""
    found = {turn.speaker}
    for n in neighbours:
        if n is not None:
            found |= {n.speaker} if n.speaker >= 0 else set(n.speakers)
    return tuple(sorted(found))
