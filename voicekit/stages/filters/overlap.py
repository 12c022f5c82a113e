"""Another voice in the clip: time covered by other speakers' turns or overlap regions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from voicekit.stages.filters.base import ClipAudio, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config


def covered(start: float, end: float, ranges: Sequence[tuple[float, float]]) -> float:
    """Seconds of [start, end] inside the union of `ranges` (sorted by start)."""
    total, reach = 0.0, start
    for r0, r1 in ranges:
        if r1 <= reach:
            continue
        if r0 >= end:
            break
        lo, hi = max(r0, reach), min(r1, end)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


def check(clip: ClipAudio, conf: Config) -> Verdict:
    seg = clip.seg
    seconds = covered(seg.start, seg.end, clip.others)
    share = seconds / seg.duration if seg.duration > 0 else 0.0
    scores = {"overlap_s": round(seconds, 3), "overlap_fraction": round(share, 4)}
    if seconds > conf.filters.max_overlap_s:
        reason = f"overlaps another speaker for {seconds:.2f} s ({100 * share:.0f} %)"
        return Verdict(scores, reason, seconds)
    return Verdict(scores)
