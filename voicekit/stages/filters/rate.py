"""Speaking rate out of the recording's range: characters per second outside a Tukey fence.

As Emilia-Pipe does, the fence is per source: [Q1 - k*IQR, Q3 + k*IQR] of the characters per
second of the recording's clips that are still kept and have text. A clip far outside it has
text that does not belong to its audio (a hallucination, a subtitle line for another moment,
a cut that lost words). Recordings with few clips with text are not fenced, and the fence
always spans at least `rate_min_spread` of the median either side: quartiles of a dozen clips
are noise (on the English test scenes fences like 7.9-10.9 chars/s rejected ordinary lines at
6.8 and 11.2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from voicekit.manifest import Segment
from voicekit.stages.filters.asr import letters
from voicekit.stages.filters.base import SetContext, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config


def chars_per_s(clip: Segment) -> float | None:
    if clip.text is None or clip.duration <= 0:
        return None
    return len(letters(clip.text)) / clip.duration


def check(clips: Sequence[Segment], conf: Config, ctx: SetContext) -> list[Verdict]:
    cfg = conf.filters
    rates = [chars_per_s(c) for c in clips]
    by_recording: dict[str, list[float]] = defaultdict(list)
    for clip, rate in zip(clips, rates, strict=True):
        if rate and clip.kept:
            by_recording[clip.recording_id].append(rate)
    fences = {}
    for recording, values in by_recording.items():
        if len(values) >= cfg.rate_min_clips:
            q1, median, q3 = np.percentile(values, [25, 50, 75])
            spread = cfg.rate_fence * (q3 - q1)
            lo = min(q1 - spread, median * (1 - cfg.rate_min_spread))
            hi = max(q3 + spread, median * (1 + cfg.rate_min_spread))
            fences[recording] = (max(0.0, float(lo)), float(hi))
    out = []
    for clip, rate in zip(clips, rates, strict=True):
        if rate is None:
            out.append(Verdict())
            continue
        scores = {"chars_per_s": round(rate, 2)}
        fence = fences.get(clip.recording_id)
        if fence is not None and not fence[0] <= rate <= fence[1]:
            reason = (f"speaking rate {rate:.1f} chars/s outside this recording's range "
                      f"{fence[0]:.1f}–{fence[1]:.1f}")
            out.append(Verdict(scores, reason, rate))
        else:
            out.append(Verdict(scores))
    return out
