"""Clip audio: read one span of a stem, resample, normalise loudness, limit peaks, fade.

Loudness is ITU-R BS.1770 integrated loudness (pyloudnorm) toward a target such as -20 LUFS
(Emilia-Pipe's level). A gain that would push peaks past the ceiling is not simply reduced
(that would leave peaky clips quieter than the rest); a short look-ahead limiter takes the
peaks down instead, and the gain is re-measured, so clips end up equally loud and never clip.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicekit.audio.limit import limit
from voicekit.errors import InputError

log = logging.getLogger("voicekit")

LIMITER_WINDOW_S = 0.005  # limiter lookahead = release: short enough to catch plosives
MIN_LOUDNESS_S = 0.4  # BS.1770 gating block; shorter clips are measured by RMS
SILENCE_LUFS = -70.0  # the BS.1770 absolute gate: below this there is nothing to normalise


@dataclass(frozen=True)
class ClipAudio:
    """A processed clip and what was done to it."""

    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    loudness_in: float  # LUFS before processing (or dB RMS for very short clips)
    loudness_out: float
    gain_db: float
    limited: bool  # the limiter touched at least one peak


def read_span(path: Path, start: float, duration: float) -> tuple[np.ndarray, int]:
    """Read [start, start + duration) of a sound file as float32 mono, nothing else.

    Raises:
        InputError: the file is missing, unreadable or the span lies outside it.
    """
    import soundfile as sf

    try:
        info = sf.info(str(path))
        first = max(0, round(start * info.samplerate))
        last = min(info.frames, round((start + duration) * info.samplerate))
        if last <= first:
            raise InputError(f"{path}: span {start:.2f}+{duration:.2f}s is outside the file")
        data, rate = sf.read(str(path), start=first, stop=last, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, OSError) as err:
        raise InputError(f"{path}: cannot read audio: {err}") from err
    return data.mean(axis=1).astype(np.float32), int(rate)


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    if rate_in == rate_out:
        return samples
    import soxr

    return np.asarray(soxr.resample(samples, rate_in, rate_out, quality="HQ"), dtype=np.float32)


def loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS; RMS in dBFS for clips shorter than one gating block."""
    if len(samples) < MIN_LOUDNESS_S * rate:
        rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
        return 20 * math.log10(rms) if rms > 0 else -math.inf
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))


def fade(samples: np.ndarray, rate: int, fade_s: float) -> np.ndarray:
    """Raised-cosine fade-in and fade-out (at most a quarter of the clip each)."""
    n = min(int(fade_s * rate), len(samples) // 4)
    if n <= 0:
        return samples
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, math.pi, n))).astype(np.float32)
    out = samples.copy()
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def process(
    samples: np.ndarray,
    rate: int,
    *,
    target_lufs: float,
    peak_dbfs: float,
    max_gain_db: float,
    fade_s: float,
) -> ClipAudio:
    """Normalise loudness toward `target_lufs`, limit peaks to `peak_dbfs`, fade the ends."""
    ceiling = 10 ** (peak_dbfs / 20)
    before = loudness(samples, rate)
    out = samples.astype(np.float32)
    total_db = 0.0
    limited = False
    if before > SILENCE_LUFS:
        level = before
        # limiting lowers loudness a little; re-measure and top up (converges in 2-3 rounds)
        for _ in range(4):
            step = min(target_lufs - level, max_gain_db - total_db)
            if abs(step) < 0.05:
                break
            out = (out * 10 ** (step / 20)).astype(np.float32)
            total_db += step
            peak = float(np.abs(out).max(initial=0.0))
            if peak > ceiling:
                out = limit(out, rate, peak_dbfs, LIMITER_WINDOW_S, LIMITER_WINDOW_S)
                limited = True
            level = loudness(out, rate)
    else:
        log.debug("clip too quiet to normalise (%.1f LUFS): left as is", before)
    out = limit(out, rate, peak_dbfs, LIMITER_WINDOW_S, LIMITER_WINDOW_S)
    out = fade(out, rate, fade_s)
    return ClipAudio(out, rate, before, loudness(out, rate), total_db, limited)


def write(path: Path, clip: ClipAudio, subtype: str) -> None:
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), clip.samples, clip.sample_rate, subtype=subtype)
