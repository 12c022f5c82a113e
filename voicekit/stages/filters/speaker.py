"""Not the target's voice: similarity below identify's calibrated threshold.

Clips carry their turn's `similarity` (to the pooled target profile) and the run's calibrated
`similarity_threshold`; a clip made of several turns carries the lowest similarity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voicekit.stages.filters.base import ClipAudio, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config


def check(clip: ClipAudio, conf: Config) -> Verdict:
    similarity = clip.seg.scores.get("similarity")
    threshold = clip.seg.scores.get("similarity_threshold")
    if similarity is None or threshold is None:
        return Verdict()  # identify did not score this clip: nothing to judge by
    bar = threshold + conf.filters.similarity_margin
    if similarity < bar:
        reason = f"speaker similarity {similarity:.2f} below the calibrated threshold {bar:.2f}"
        return Verdict({}, reason, similarity)
    return Verdict()
