"""Joining sentence audio into one narration: pauses, click-free joins, loudness, peak limit."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger("voicekit")


@dataclass(frozen=True)
class AssemblyConfig:
    sentence_pause: float = 0.35  # seconds between sentences of one paragraph
    paragraph_pause: float = 0.9  # seconds between paragraphs
    fade: float = 0.01  # seconds of fade at each sentence edge, so joins never click
    loudness: float = -16.0  # LUFS target (narration)
    peak: float = -1.0  # dBFS ceiling after loudness normalisation


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
    return normalize(mix, rate, conf), placed


def _faded(clip: np.ndarray, n: int) -> np.ndarray:
    out = clip.astype(np.float32, copy=True)
    n = min(n, len(out) // 2)
    if n > 0:
        ramp = np.sin(np.linspace(0.0, np.pi / 2, n, dtype=np.float32)) ** 2
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


def normalize(audio: np.ndarray, rate: int, conf: AssemblyConfig) -> np.ndarray:
    """Gain to ``conf.loudness`` LUFS, then down to the ``conf.peak`` ceiling if it clips.

    The ceiling is a plain gain (no compression): a narration that would peak over it ends up
    quieter than the target, which is logged.
    """
    import pyloudnorm

    ceiling = 10 ** (conf.peak / 20)
    meter = pyloudnorm.Meter(rate)
    loudness = meter.integrated_loudness(audio) if len(audio) > 0.5 * rate else -np.inf
    out = audio
    if np.isfinite(loudness):
        out = audio * np.float32(10 ** ((conf.loudness - loudness) / 20))
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > ceiling:
        out = out * np.float32(ceiling / peak)
        log.info("peak limit: %.1f dB of gain taken off to stay under %g dBFS",
                 20 * np.log10(peak / ceiling), conf.peak)  # fmt: skip
    return out.astype(np.float32)
