"""Configuration of the export stage: clip audio, text normalisation and the split."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from voicekit.knob import knob


@dataclass(frozen=True)
class ExportConfig:
    sample_rate: int = knob(24000, "sample rate of exported clips")
    subtype: Literal["PCM_16", "PCM_24", "FLOAT"] = knob(
        "PCM_16", "WAV sample format of exported clips"
    )
    loudness_lufs: float = knob(-20.0, "integrated loudness each clip is normalised toward")
    peak_dbfs: float = knob(-1.0, "sample peaks are limited to this level (no clipping)")
    max_gain_db: float = knob(30.0, "never amplify a clip by more than this (keeps hiss quiet)")
    fade_ms: float = knob(10.0, "fade-in and fade-out length so cuts do not click")
    zh_script: Literal["keep", "simplified"] = knob(
        "simplified", "convert traditional Chinese characters to simplified ('keep' leaves them)"
    )
    val_fraction: float = knob(0.05, "share of clip seconds in the validation split")
    heldout_fraction: float = knob(
        0.05, "share of clip seconds held out of training to evaluate the trained voice"
    )
    split_gap_s: float = knob(
        3.0, "clips of one recording closer than this stay in the same split (no leakage)"
    )
    keep_rejected_audio: bool = knob(False, "also write rejected clips under dataset/rejected/")
