"""The segment stage: the target's turns cut into 1-15 s clips at pauses or word boundaries.

The package is imported by `voicekit.config` for `SegmentConfig`; the stage itself lives in
`voicekit.stages.segment.stage` so that loading the configuration stays light.
"""

from voicekit.stages.segment.config import SegmentConfig

__all__ = ["SegmentConfig"]
