"""Too short or too long: the segment stage's limits, applied to what it produced."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voicekit.stages.filters.base import ClipAudio, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config


def check(clip: ClipAudio, conf: Config) -> Verdict:
    seconds, cfg = clip.seg.duration, conf.segment
    if seconds < cfg.min_s:
        return Verdict({}, f"too short: {seconds:.2f} s (minimum {cfg.min_s:g} s)", seconds)
    if seconds > cfg.max_s:
        return Verdict(
            {}, f"too long: {seconds:.1f} s with no pause to cut at (maximum {cfg.max_s:g} s)",
            seconds,
        )
    return Verdict()
