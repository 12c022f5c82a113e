"""The trained coqui VITS voice: find its checkpoint, load it, synthesise one sentence.

Each sentence is synthesised under its own ``torch.manual_seed`` (derived from the seed and
the sentence's codes), so a sentence's audio depends only on the model, its text and the seed:
not on its neighbours, on batching, or on which other lines were re-taken.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.errors import InputError
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")


@dataclass(frozen=True)
class ModelFiles:
    checkpoint: Path
    config: Path

    @property
    def fingerprint(self) -> str:
        """Identifies the weights cheaply (path, size, mtime): part of every cache key."""
        stat = self.checkpoint.stat()
        ident = f"{self.checkpoint.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        return hashlib.sha256(ident.encode()).hexdigest()[:16]


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

    def synthesize(self, codes: str, seed: int) -> np.ndarray:
        """Float32 mono audio at ``self.rate`` for one encoded sentence (checked first)."""
        import torch

        ids = self.model.tokenizer.text_to_ids(codes)
        x = torch.tensor([ids], dtype=torch.long, device=self.device)
        torch.manual_seed(seed)
        out = self.model.inference(x)["model_outputs"]
        return np.ascontiguousarray(out[0, 0].float().cpu().numpy(), dtype=np.float32)


def sentence_seed(seed: int, codes: str) -> int:
    """The per-sentence torch seed: stable for the same base seed and text."""
    digest = hashlib.sha256(f"{seed}|{codes}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF
