"""Disagreement with the subtitles: the transcribe stage's `subtitle_agreement` (0-1) is low.

Subtitles are condensed, not verbatim, so only a low agreement says something: a hallucinated
transcript or another speaker's line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voicekit.stages.filters.base import ClipAudio, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config


def check(clip: ClipAudio, conf: Config) -> Verdict:
    agreement = clip.seg.scores.get("subtitle_agreement")
    zh = (clip.seg.language or "").startswith("zh")
    floor = conf.filters.min_subtitle_agreement_zh if zh else conf.filters.min_subtitle_agreement
    if agreement is not None and agreement < floor:
        reason = f"disagrees with the subtitles: agreement {agreement:.2f} (minimum {floor:g})"
        return Verdict({}, reason, agreement)
    return Verdict()
