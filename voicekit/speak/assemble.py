"""Joining sentence audio into one narration: pauses, click-free joins, the synthetic-speech
watermark, loudness, peak limit."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from voicekit.audio.limit import limit
from voicekit.speak.config import AssemblyConfig
from voicekit.speak.mark import watermark

log = logging.getLogger("voicekit")

PASSES = 4  # loudness/limiter rounds: each makes up most of what limiting took off
LOUDNESS_TOLERANCE = 0.2  # LU under the target that is close enough


@dataclass(frozen=True)
class Placed:
    """Where one sentence landed in the narration, in seconds."""

    start: float
    end: float


def assemble(
    clips: list[np.ndarray], gaps: list[float], rate: int, conf: AssemblyConfig, tail: float = 0.0
) -> tuple[np.ndarray, list[Placed]]:
    """Concatenate clips with ``gaps[i]`` seconds of silence before clip i, ``tail`` after.

    Each clip fades in and out over ``conf.fade`` so the silence it meets never starts with a
    step (the join is a short crossfade into silence). Returns the normalised mix and where
    each clip starts and ends.
    """
    if len(clips) != len(gaps):
        raise ValueError("one gap per clip")
    pieces: list[np.ndarray] = []
    placed: list[Placed] = []
    cursor = 0
    for clip, gap in zip(clips, gaps, strict=True):
        silence = round(gap * rate)
        pieces.append(np.zeros(silence, dtype=np.float32))
        cursor += silence
        pieces.append(_faded(clip, round(conf.fade * rate)))
        placed.append(Placed(cursor / rate, (cursor + len(clip)) / rate))
        cursor += len(clip)
    pieces.append(np.zeros(round(tail * rate), dtype=np.float32))
    mix = np.concatenate(pieces)
    # marked before normalising: the limiter then also holds the ceiling over the mark
    return normalize(watermark(mix, rate), rate, conf), placed


def _faded(clip: np.ndarray, n: int) -> np.ndarray:
    out = clip.astype(np.float32, copy=True)
    n = min(n, len(out) // 2)
    if n > 0:
        ramp = np.sin(np.linspace(0.0, np.pi / 2, n, dtype=np.float32)) ** 2
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


def normalize(audio: np.ndarray, rate: int, conf: AssemblyConfig) -> np.ndarray:
    """Gain to ``conf.loudness`` LUFS with peaks limited to ``conf.peak`` dBFS.

    Limiting lowers the loudness a little; the gain is raised by what was lost and the limiter
    run again (up to ``PASSES`` times), so the result sits near the target with no sample over
    the ceiling.
    """
    import pyloudnorm

    meter = pyloudnorm.Meter(rate)
    loudness = meter.integrated_loudness(audio) if len(audio) > 0.5 * rate else -np.inf
    if not np.isfinite(loudness):  # too short or silent to measure: only the ceiling applies
        return limit(audio, rate, conf.peak, conf.lookahead, conf.release)
    gain_db = conf.loudness - loudness
    out = audio
    for _ in range(PASSES):
        out = limit(audio * np.float32(10 ** (gain_db / 20)), rate, conf.peak, conf.lookahead,
                    conf.release)  # fmt: skip
        reached = meter.integrated_loudness(out)
        if conf.loudness - reached < LOUDNESS_TOLERANCE:
            break
        gain_db += conf.loudness - reached
    log.info("narration loudness %.1f LUFS (target %g), ceiling %g dBFS",
             reached, conf.loudness, conf.peak)  # fmt: skip
    return out
