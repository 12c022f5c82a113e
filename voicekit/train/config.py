"""Knobs of ``voicekit train``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from voicekit.errors import ConfigError
from voicekit.knob import knob


@dataclass(frozen=True)
class TrainConfig:
    size: Literal["tiny", "full"] = knob(
        "full", "model size: 'full' = coqui's VITS defaults, 'tiny' = a CPU smoke-test model"
    )
    batch_size: int = knob(
        0, "clips per step (0: from free GPU memory on CUDA, else 32 for full, 4 for tiny)"
    )
    loader_workers: int = knob(-1, "data loader processes (-1: 4 on a GPU, 0 on the CPU)")
    save_step: int = knob(1000, "save a checkpoint every this many steps (a killed run resumes)")
    keep_checkpoints: int = knob(
        1, "checkpoint_<step>.pth files kept (each full-size one is ~1 GB)", output=False
    )
    keep_best: int = knob(
        1, "best_model_<step>.pth files kept: the K lowest validation losses so far", output=False
    )
    best_after: int = knob(
        10000,
        "keep best models (lowest validation loss, judged at each evaluation; keep_best of "
        "them) only after this many steps",
    )
    mixed_precision: bool = knob(
        False,
        "fp16 autocast on a GPU (ignored on the CPU); off: VITS at batch 32 measured 3.0 "
        "steps/s in float32 against 2.5 with autocast on an H200, at 14 GB instead of 8",
    )
    cudnn_benchmark: bool = knob(
        False,
        "cuDNN times kernels per input shape on a GPU; clip lengths vary: 3x slower on an H200",
        output=False,
    )
    seed: int = knob(54321, "training seed (same seed, data and device: same losses on CPU)")
    min_minutes: float = knob(5.0, "refuse to train on less speech than this (minutes)")
    sample_every_epoch: bool = knob(
        False, "also let coqui synthesise its test sentences after every epoch (tensorboard)"
    )
    eval_every: int = knob(
        1000, "evaluate every this many steps and at the end (0: never): samples, scores, report"
    )
    eval_asr_model: str = knob(
        "base", "Whisper model that scores the samples' CER/WER ('' to skip)", output=False
    )
    eval_others: tuple[str, ...] = knob(
        ("flite-slt", "flite-awb"),
        "non-target reference voices (voicekit.demo.voices) for the similarity margin",
        output=False,
    )

    def __post_init__(self) -> None:
        lowest = {
            "batch_size": 0, "loader_workers": -1, "save_step": 1, "keep_checkpoints": 1,
            "keep_best": 1, "best_after": 0, "seed": 0, "min_minutes": 0, "eval_every": 0,
        }  # fmt: skip
        for name, low in lowest.items():
            value = getattr(self, name)
            if value < low:
                raise ConfigError(f"train.{name} {value}: must be {low} or more")
        if self.seed >= 2**32:  # torch's and numpy's seeds are 32-bit
            raise ConfigError(f"train.seed {self.seed}: must be under 2**32 ({2**32})")

    def batch(self, free_gpu_bytes: int | None, longest_clip_s: float) -> int:
        """``batch_size``, else sized to the free GPU memory, else the preset's CPU batch."""
        from voicekit.train.gpu import auto_batch

        if self.batch_size:
            return self.batch_size
        if free_gpu_bytes is not None:
            return auto_batch(free_gpu_bytes, self.size, longest_clip_s)
        return 4 if self.size == "tiny" else 32
