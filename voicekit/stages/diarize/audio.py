"""Reading a recording as 16 kHz mono in blocks (bounded memory for long films)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from voicekit.errors import InputError

RATE = 16000


def load_mono(path: Path, rate: int = RATE, block_s: float = 60.0) -> np.ndarray:
    """The whole file as float32 mono at `rate`, read and resampled block by block.

    Only one block of the source (all its channels, at its own rate) is in memory at a time;
    the result is 16 kHz mono (230 MB for 1 hour, float32).
    """
    import soxr

    try:
        reader = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError) as err:
        raise InputError(f"cannot read audio {path}: {err}") from err
    with reader:
        src_rate = reader.samplerate
        out = np.zeros(int(np.ceil(reader.frames * rate / src_rate)) + rate, dtype=np.float32)
        stream = soxr.ResampleStream(src_rate, rate, 1, dtype="float32")
        pos = 0
        block = max(1, int(block_s * src_rate))
        while True:
            data = reader.read(block, dtype="float32", always_2d=True)
            last = len(data) < block
            chunk = stream.resample_chunk(data.mean(axis=1), last=last)
            out[pos : pos + len(chunk)] = chunk
            pos += len(chunk)
            if last:
                break
    return out[:pos]
