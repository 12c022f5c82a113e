"""Configuration of the separate stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from voicekit.knob import knob


@dataclass(frozen=True)
class EmbeddedSeparateConfig:
    """Centre extraction + spectral noise suppression (no downloaded weights)."""

    centre: bool = knob(True, "for stereo input, keep what is common to both channels (dialogue)")
    centre_floor_db: float = knob(
        -18.0, "lowest gain of the centre mask in dB (deeper removes more music, more artefacts)"
    )
    centre_sharpness: float = knob(
        2.0, "exponent on the channels' phase agreement (higher rejects more off-centre sound)"
    )
    denoise: bool = knob(True, "suppress stationary noise (hiss, hum, rain) by spectral gating")
    noise_percentile: float = knob(
        30.0, "per-frequency percentile of power over a block taken as the noise floor"
    )
    denoise_floor_db: float = knob(-15.0, "lowest gain of the noise gate in dB")
    smooth_frames: int = knob(3, "frames of recursive smoothing of the cross-spectra (~ 3 = 48 ms)")
    block_s: float = knob(30.0, "seconds processed at a time (bounds memory on long films)")


@dataclass(frozen=True)
class DemucsConfig:
    """demucs (htdemucs family) vocals stem, in checkpointed chunks (needs weights)."""

    model: str = knob(
        "htdemucs", "demucs model: htdemucs, htdemucs_ft, or a bag (.yaml) / signature (.th) name"
    )
    repo: str = knob(
        "",
        "folder holding the model's .yaml and .th files (empty: <models dir>/demucs, "
        "<models dir>/<model>, then torch's hub cache)",
        output=False,
    )
    chunk_s: float = knob(
        60.0, "seconds separated per checkpointed chunk (bounds memory; a crash resumes there)"
    )
    crossfade_s: float = knob(2.0, "seconds by which chunks overlap, crossfaded linearly")
    overlap: float = knob(0.25, "overlap of demucs's own segments inside a chunk")
    batch: int = knob(
        0, "chunks separated at once (0 = from free GPU memory on CUDA, 1 on CPU)", output=False
    )
    half: bool = knob(
        True, "float16 autocast on CUDA (float32 if the model fails in it)", output=False
    )


@dataclass(frozen=True)
class SeparateConfig:
    backend: Literal["embedded", "demucs", "none"] = knob(
        "embedded",
        "separation backend: embedded (no weights), demucs (needs weights), or none "
        "(passes the recording through unchanged)",
    )
    embedded: EmbeddedSeparateConfig = field(default_factory=EmbeddedSeparateConfig)
    demucs: DemucsConfig = field(default_factory=DemucsConfig)
