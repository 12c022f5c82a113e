"""The trained coqui VITS voice: find its checkpoint, load it, synthesise one sentence.

Each sentence is synthesised under its own ``torch.manual_seed`` (derived from the seed and
the sentence's codes), so a sentence's audio depends only on the model, its text and the seed:
not on its neighbours, on batching, or on which other lines were re-taken.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.errors import InputError
from voicekit.hashing import file_sha256
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")

# beyond these the duration predictor's output is unintelligible (phones of 1-2 frames or
# drawn out several-fold)
MIN_SPEED, MAX_SPEED = 0.5, 2.0


@dataclass(frozen=True)
class ModelFiles:
    checkpoint: Path
    config: Path

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the checkpoint's and config's bytes: part of every cache key.

        A content hash, so a copied or touched checkpoint keeps its cache and a checkpoint
        overwritten in place (same size, same second) does not reuse stale audio. Hashing
        reads the file once per run (~0.5 s for a 190 MB tiny checkpoint here).
        """
        weights = file_sha256(self.checkpoint)
        return hashlib.sha256(f"{weights}|{file_sha256(self.config)}".encode()).hexdigest()[:16]


def find_model(ws: Workspace, model: Path | None) -> ModelFiles:
    """The checkpoint to speak with: ``model`` (a .pth or a run folder) or the latest run.

    A run folder gives its ``best_model.pth`` when there is one, else its newest checkpoint;
    the coqui ``config.json`` must sit next to the checkpoint.

    Raises:
        InputError: no trained model, or a checkpoint without its config.json.
    """
    from voicekit.train.loop import latest_run

    if model is None:
        run = latest_run(ws)
        if run is None:
            raise InputError(
                f"no trained model in {ws.path('train/run')}",
                "run `voicekit train` first, or pass a checkpoint with --model",
            )
        model = run
    if model.is_dir():
        best = model / "best_model.pth"
        checkpoints = sorted(model.glob("checkpoint_*.pth"), key=_step_of)
        if not best.is_file() and not checkpoints:
            raise InputError(f"--model {model}: the folder holds no checkpoint (*.pth)")
        checkpoint = best if best.is_file() else checkpoints[-1]
    elif model.is_file():
        checkpoint = model
    else:
        raise InputError(f"--model {model}: no such checkpoint file or run folder")
    config = checkpoint.parent / "config.json"
    if not config.is_file():
        raise InputError(
            f"--model {checkpoint}: no config.json next to it",
            "pass a checkpoint inside a `voicekit train` run folder",
        )
    return ModelFiles(checkpoint, config)


def _step_of(path: Path) -> int:
    tail = path.stem.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else -1


class Voice:
    """A loaded VITS model on the CPU or GPU."""

    def __init__(self, files: ModelFiles) -> None:
        import torch
        from TTS.tts.configs.vits_config import VitsConfig
        from TTS.tts.models.vits import Vits

        config = VitsConfig()
        config.load_json(str(files.config))
        self.files = files
        self.model: Any = Vits(config)
        self.model.load_checkpoint(config, str(files.checkpoint), eval=True)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model.to(self.device)
        self.length_scale = float(self.model.length_scale)
        self.rate = int(config.audio.sample_rate)
        self.vocab = set(self.model.tokenizer.characters.vocab)

    def check(self, codes: str, context: str) -> None:
        """Raise InputError for any code point the model's tokenizer would silently drop."""
        from voicekit.text import INVENTORY

        INVENTORY.validate_codes(codes, context=context)
        missing = sorted(set(codes) - self.vocab)
        if missing:
            shown = ", ".join(f"U+{ord(c):04X}" for c in missing)
            raise InputError(
                f"{context}: symbols the model was not trained with: {shown}",
                "train the model with the current voicekit symbol inventory",
            )

    def synthesize(self, codes: str, seed: int, speed: float = 1.0) -> np.ndarray:
        """Float32 mono audio at ``self.rate`` for one encoded sentence (checked first).

        ``speed`` scales the speaking rate (1.2: 20 % faster) through VITS's duration
        predictor (``length_scale``), so the pitch and timbre stay as they are.
        """
        import torch

        check_speed(speed)
        ids = self.model.tokenizer.text_to_ids(codes)
        x = torch.tensor([ids], dtype=torch.long, device=self.device)
        torch.manual_seed(seed)
        self.model.length_scale = self.length_scale / speed
        out = self.model.inference(x)["model_outputs"]
        return np.ascontiguousarray(out[0, 0].float().cpu().numpy(), dtype=np.float32)


def check_speed(speed: float) -> None:
    """Raise InputError for a speaking rate VITS cannot use (0 or negative, or absurd)."""
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise InputError(
            f"--speed {speed:g}: outside {MIN_SPEED:g}..{MAX_SPEED:g}", "e.g. --speed 1.1"
        )


def sentence_seed(seed: int, codes: str, attempt: int = 0) -> int:
    """The per-sentence torch seed: stable for the same base seed, text and attempt.

    ``attempt`` > 0 gives the quality gate's extra takes their own seeds, distinct from the
    takes of neighbouring base seeds (which ``--only`` moves to).
    """
    ident = f"{seed}|{codes}" if attempt == 0 else f"{seed}|{attempt}|{codes}"
    digest = hashlib.sha256(ident.encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF
