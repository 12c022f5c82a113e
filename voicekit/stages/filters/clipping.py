"""Clipping: the share of samples at or near full scale (distortion in the source)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from voicekit.stages.filters.base import ClipAudio, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config


def check(clip: ClipAudio, conf: Config) -> Verdict:
    cfg = conf.filters
    share = float(np.mean(np.abs(clip.samples) >= cfg.clip_level)) if clip.samples.size else 0.0
    scores = {"clipped_fraction": round(share, 6)}
    if share > cfg.max_clipped_fraction:
        reason = (f"clipped: {100 * share:.2f} % of samples at full scale "
                  f"(limit {100 * cfg.max_clipped_fraction:.2f} %)")
        return Verdict(scores, reason, share)
    return Verdict(scores)
