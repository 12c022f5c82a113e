"""Language mismatch: the clip's language against the run's `--lang`, or the dataset's main one.

With `--lang auto` the main language is the one holding most clip seconds among clips still
kept; a bilingual actor (no language above `language_majority`) is left alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from voicekit.manifest import Segment
from voicekit.stages.filters.base import SetContext, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config


def check(clips: Sequence[Segment], conf: Config, ctx: SetContext) -> list[Verdict]:
    if ctx.lang != "auto":
        expected, why = ctx.lang, f"the expected '{ctx.lang}'"
    else:
        seconds: dict[str, float] = defaultdict(float)
        for clip in clips:
            if clip.kept and clip.language:
                seconds[clip.language] += clip.duration
        if not seconds:
            return [Verdict() for _ in clips]
        expected, held = max(seconds.items(), key=lambda kv: kv[1])
        share = held / sum(seconds.values())
        if share < conf.filters.language_majority:
            return [Verdict() for _ in clips]
        why = f"the dataset's main language '{expected}' ({100 * share:.0f} % of clip time)"
    return [
        Verdict({}, f"language '{c.language}' differs from {why}")
        if c.language and c.language != expected else Verdict()
        for c in clips
    ]
