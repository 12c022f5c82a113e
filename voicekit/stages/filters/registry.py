"""The filters, in the order they are applied (the first failure is the clip's reason).

Clip filters run first, one clip at a time with its audio; set filters then see every clip of
the run together and only count clips still kept when they build a reference (a fence, the main
language, the first of duplicates).
"""

from __future__ import annotations

from collections.abc import Sequence

from voicekit.errors import ConfigError
from voicekit.stages.filters import (
    asr,
    clipping,
    duplicate,
    duration,
    language,
    overlap,
    quiet,
    rate,
    snr,
    speaker,
    subtitles,
)
from voicekit.stages.filters.base import ClipFilter, SetFilter

CLIP_FILTERS: tuple[tuple[str, ClipFilter], ...] = (
    ("duration", duration.check),
    ("overlap", overlap.check),
    ("speaker", speaker.check),
    ("quiet", quiet.check),
    ("clipping", clipping.check),
    ("snr", snr.check),
    ("asr", asr.check),
    ("subtitles", subtitles.check),
)

SET_FILTERS: tuple[tuple[str, SetFilter], ...] = (
    ("language", language.check),
    ("rate", rate.check),
    ("duplicate", duplicate.check),
)

NAMES = tuple(name for name, _ in CLIP_FILTERS + SET_FILTERS)


def enabled(
    disable: Sequence[str],
) -> tuple[list[tuple[str, ClipFilter]], list[tuple[str, SetFilter]]]:
    """The clip and set filters left after `filters.disable`; an unknown name is an error."""
    unknown = sorted(set(disable) - set(NAMES))
    if unknown:
        raise ConfigError(f"filters.disable: unknown filter '{unknown[0]}'",
                          f"filters are: {', '.join(NAMES)}")
    return ([(n, f) for n, f in CLIP_FILTERS if n not in disable],
            [(n, f) for n, f in SET_FILTERS if n not in disable])
