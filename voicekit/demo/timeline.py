"""Turn timing: who speaks next, when each turn starts, and where speech overlaps.

Overlap model: a turn either follows the previous one after a short gap, or cuts in before it
ends (an interjection). Interjections never reach back past the turn before, so at most two
people talk at once, and each overlap region is exactly one pair of turns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Turn:
    """One utterance on the film timeline (seconds)."""

    speaker: str
    start: float
    end: float
    text: str
    language: str

    def as_json(self) -> dict[str, object]:
        return {
            "speaker": self.speaker,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "language": self.language,
        }


def next_speaker(
    previous: str | None,
    target: str,
    others: Sequence[str],
    target_seconds: float,
    total_seconds: float,
    share: float,
    rng: np.random.Generator,
) -> str:
    """Pick who talks next: the target while it is under `share` of the speech so far.

    Never the same speaker twice in a row, so every turn change is a speaker change.
    """
    behind = total_seconds == 0 or target_seconds / total_seconds < share
    if previous != target and (behind or rng.random() < 0.15):
        return target
    choices = [o for o in others if o != previous]
    if not choices:  # the only other speaker left just spoke: the target answers
        return target
    return str(choices[int(rng.integers(0, len(choices)))])


def start_times(
    durations: Sequence[float],
    rng: np.random.Generator,
    overlap_ratio: float = 0.2,
    lead_in: float = 1.0,
    gap: tuple[float, float] = (0.2, 0.9),
    overlap: tuple[float, float] = (0.5, 1.4),
) -> list[float]:
    """Start time of each turn; about `overlap_ratio` of turns (after the first) cut in early.

    The interjecting turns are chosen exactly (round(ratio * (n - 1))) so every scene gets its
    share, then each overlap is bounded so it stays a two-speaker overlap.
    """
    n = len(durations)
    n_cut = round(overlap_ratio * (n - 1)) if n > 1 else 0
    cut_in = (
        set(rng.choice(np.arange(1, n), size=n_cut, replace=False).tolist()) if n_cut else set()
    )
    starts: list[float] = []
    prev_free = 0.0  # end of the overlap the previous turn already had with the one before
    end = lead_in
    for i, duration in enumerate(durations):
        if i in cut_in:
            room = 0.7 * min(end - max(starts[-1], prev_free), duration)
            amount = min(float(rng.uniform(*overlap)), room)
            start = end - amount
            prev_free = end
        else:
            start = end + float(rng.uniform(*gap))
            prev_free = start
        starts.append(start)
        end = start + duration
    return starts


def overlap_regions(turns: Sequence[Turn]) -> list[list[float]]:
    """Merged regions where two or more turns are active, as [start, end] pairs."""
    # At equal times ends sort before starts, so turns that merely touch do not overlap.
    events = sorted([(t.start, 1) for t in turns] + [(t.end, -1) for t in turns])
    regions: list[list[float]] = []
    active = 0
    opened = 0.0
    for time, step in events:
        active += step
        if step > 0 and active == 2:
            opened = time
        elif step < 0 and active == 1 and time > opened:
            regions.append([round(opened, 3), round(time, 3)])
    return regions
