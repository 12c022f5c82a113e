"""Too quiet: the clip's RMS level in dBFS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from voicekit.stages.filters.base import ClipAudio, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config

FLOOR_DBFS = -120.0  # digital silence is reported as this rather than -inf


def rms_dbfs(samples: np.ndarray) -> float:
    if samples.size == 0:
        return FLOOR_DBFS
    power = float(np.mean(np.square(samples, dtype=np.float64)))
    return max(FLOOR_DBFS, 10 * np.log10(power) if power > 0 else FLOOR_DBFS)


def check(clip: ClipAudio, conf: Config) -> Verdict:
    level = round(rms_dbfs(clip.samples), 2)
    floor = conf.filters.min_rms_dbfs
    if level < floor:
        return Verdict({"rms_dbfs": level},
                       f"too quiet: {level:.1f} dBFS RMS (minimum {floor:g} dBFS)", level)
    return Verdict({"rms_dbfs": level})
