"""What a filter receives and returns.

A clip filter judges one clip from its own audio and the recording's other speakers; a set filter
judges all clips together (speaking-rate fences, majority language, duplicates). Either returns a
`Verdict` per clip: scores to record on the clip, and a reason when the clip fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from voicekit.manifest import Segment

if TYPE_CHECKING:
    from voicekit.config import Config


@dataclass(frozen=True)
class Verdict:
    """Scores for a clip and, when it fails, the reason and the score that decided it."""

    scores: dict[str, float] = field(default_factory=dict)
    reason: str | None = None
    score: float | None = None


@dataclass(frozen=True)
class ClipAudio:
    """A clip with its samples (mono float32) and where others speak in its recording.

    Attributes:
        seg: the clip.
        samples: the clip's audio.
        rate: sample rate of `samples`.
        others: sorted (start, end) of other speakers' turns and overlap regions.
        speech: sorted (start, end) of all speech in the recording: every turn, overlap and clip.
        read: reads the clip's audio file (mono, at `rate`) over any (start, end) of the
            recording's timeline, clamped to the file; None when only the clip is at hand.
        mix: reads the recording before separation (`custom["mix"]`; channels averaged, at
            `rate`) the same way; None when the clip's audio is not a separated stem.
        fronts: reads the front left and right channels of a film whose dialogue came from its
            centre (`custom["fronts"]`; (samples, 2) at `rate`) the same way; None otherwise.
    """

    seg: Segment
    samples: np.ndarray
    rate: int
    others: Sequence[tuple[float, float]] = ()
    speech: Sequence[tuple[float, float]] = ()
    read: Callable[[float, float], np.ndarray] | None = None
    mix: Callable[[float, float], np.ndarray] | None = None
    fronts: Callable[[float, float], np.ndarray] | None = None


@dataclass(frozen=True)
class SetContext:
    """What set filters know besides the clips: the run's language and audio fingerprints."""

    lang: str = "auto"
    fingerprints: Sequence[np.ndarray | None] = ()


ClipFilter = Callable[[ClipAudio, "Config"], Verdict]
SetFilter = Callable[[Sequence[Segment], "Config", SetContext], list[Verdict]]
