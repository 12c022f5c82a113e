"""Reading and writing audio with soundfile, in bounded blocks where files may be long."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from voicekit.errors import InputError


def info(path: Path) -> tuple[int, int, float]:
    """(sample_rate, channels, duration_s) of a file soundfile can read."""
    import soundfile as sf

    try:
        meta = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as err:
        raise InputError(f"{path}: cannot read audio: {err}") from err
    return int(meta.samplerate), int(meta.channels), float(meta.frames) / float(meta.samplerate)


def read(
    path: Path,
    start: float = 0.0,
    end: float | None = None,
    *,
    sr: int | None = None,
    mono: bool = True,
) -> tuple[np.ndarray, int]:
    """Read [start, end) seconds as float32 (mono: shape (n,), else (n, channels)).

    With `sr`, the audio is resampled to that rate.
    """
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as handle:
            rate = handle.samplerate
            first = max(0, round(start * rate))
            last = handle.frames if end is None else min(handle.frames, round(end * rate))
            handle.seek(first)
            data = handle.read(max(0, last - first), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as err:
        raise InputError(f"{path}: cannot read audio: {err}") from err
    audio = data.mean(axis=1) if mono else data
    if sr is not None and sr != rate:
        audio = resample(audio, rate, sr)
        rate = sr
    return np.ascontiguousarray(audio, dtype=np.float32), rate


def blocks(
    path: Path, seconds: float, *, overlap: float = 0.0
) -> Iterator[tuple[float, np.ndarray, int]]:
    """Yield (start_s, block (n, channels) float32, rate) so long files never load whole."""
    import soundfile as sf

    with sf.SoundFile(str(path)) as handle:
        rate = handle.samplerate
        size = int(seconds * rate)
        hop = size - int(overlap * rate)
        position = 0
        while position < handle.frames:
            handle.seek(position)
            block = handle.read(size, dtype="float32", always_2d=True)
            yield position / rate, block, rate
            if position + size >= handle.frames:
                break
            position += hop


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """High-quality resampling (soxr)."""
    import soxr

    if rate_in == rate_out:
        return audio
    return np.asarray(soxr.resample(audio, rate_in, rate_out), dtype=np.float32)


def write(path: Path, audio: np.ndarray, rate: int, *, subtype: str = "PCM_16") -> None:
    """Write atomically: to `<name>.tmp` then rename, so a crash never leaves half a file."""
    import soundfile as sf

    tmp = path.with_name(path.name + ".tmp")
    sf.write(str(tmp), audio, rate, subtype=subtype, format="WAV")
    os.replace(tmp, path)
