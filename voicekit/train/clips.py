"""Training clips read with soundfile inside coqui.

coqui reads clips with `torchaudio.load` (VITS's dataset, XTTS's GPT-trainer dataset). Since
torch 2.9 that decodes through torchcodec, which needs FFmpeg's shared libraries in versions
matching the torch build; the exported clips are WAV files that soundfile reads with neither.
The replacements keep coqui's contracts: VITS gets `(tensor [channels, n], rate)`, XTTS a mono
`[1, n]` tensor at the rate it asks for, clipped to [-1, 1]. Data-loader workers are forked and
inherit them.
"""

from __future__ import annotations

from typing import Any


def _read(path: str) -> tuple[Any, int]:
    import soundfile as sf

    samples, rate = sf.read(path, dtype="float32", always_2d=True)
    return samples, int(rate)


def vits_load_audio(path: str) -> tuple[Any, int]:
    """coqui VITS's `load_audio`: all channels, the file's rate."""
    import torch

    samples, rate = _read(path)
    return torch.from_numpy(samples.T.copy()), rate


def xtts_load_audio(path: str, sampling_rate: int) -> Any:
    """coqui XTTS's `load_audio`: mono at `sampling_rate`, clipped to [-1, 1]."""
    import numpy as np
    import torch

    from voicekit.audio.io import resample

    samples, rate = _read(path)
    mono = samples.mean(axis=1)
    if rate != sampling_rate:
        mono = resample(mono, rate, sampling_rate)
    return torch.from_numpy(np.clip(mono, -1.0, 1.0).astype(np.float32)[None].copy())


def read_clips_with_soundfile() -> None:
    """Point coqui's VITS and XTTS datasets at the soundfile readers."""
    from TTS.tts.layers.xtts.trainer import dataset as xtts_dataset
    from TTS.tts.models import vits

    vits.load_audio = vits_load_audio
    xtts_dataset.load_audio = xtts_load_audio
