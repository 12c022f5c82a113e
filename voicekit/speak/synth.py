"""The trained voice: find its model, load it, synthesise one sentence.

Two kinds of model speak: voicekit's coqui VITS (``voicekit train``, the default) and XTTS-v2
(``voicekit train --backend xtts``, or the base XTTS-v2 weights cloning the target from the
dataset's clips; see ``voicekit.speak.xtts``). Each sentence is synthesised under its own
``torch.manual_seed`` (derived from the seed and the sentence's codes), so a sentence's audio
depends only on the model, its text and the seed: not on its neighbours, on batching, or on
which other lines were re-taken.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol

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
    kind: Literal["vits", "xtts"] = "vits"
    vocab: Path | None = None  # xtts: the tokenizer
    references: tuple[Path, ...] = ()  # xtts: the target's clips it takes the voice from

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the model's files' bytes: part of every cache key.

        A content hash, so a copied or touched checkpoint keeps its cache and a checkpoint
        overwritten in place (same size, same second) does not reuse stale audio. Hashing
        reads the file once per run (~0.5 s for a 190 MB tiny checkpoint here).
        """
        extra = (self.vocab,) if self.vocab else ()
        parts = [file_sha256(p) for p in (self.checkpoint, self.config, *extra, *self.references)]
        if self.kind != "vits":
            parts.insert(0, self.kind)
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Sentence:
    """What a voice speaks: the symbol codes (VITS; also the sentence's identity in caches)
    or the spoken form of the text in its language (XTTS)."""

    codes: str
    spoken: str
    lang: str


class Voice(Protocol):
    files: ModelFiles
    rate: int

    def check(self, sentence: Sentence, context: str) -> None:
        """Raise InputError for a sentence the model cannot speak."""

    def synthesize(self, sentence: Sentence, seed: int, speed: float = 1.0) -> np.ndarray:
        """Float32 mono audio at ``rate``."""
        ...


def open_voice(files: ModelFiles) -> Voice:
    """Load the model ``files`` describe."""
    if files.kind == "xtts":
        from voicekit.speak.xtts import XttsVoice

        return XttsVoice(files)
    return VitsVoice(files)


def open_model(ws: Workspace, model: Path | None, tries: int = 3) -> Voice:
    """`open_voice` of `find_model`, with the fingerprint taken from the same file as the
    weights. A training running beside ``voicekit speak`` rotates old checkpoints away and
    replaces its best model (a new file each time) while they may be read: then the model is
    chosen again.

    Raises:
        InputError: as `find_model`.
        StageError: the model changed under every one of ``tries`` loads.
    """
    from voicekit.errors import StageError

    for _ in range(tries):
        files = find_model(ws, model)
        try:
            before = files.checkpoint.stat().st_ino
            voice = open_voice(files)
            _ = files.fingerprint  # hashed now, while it is still the file just loaded
            if files.checkpoint.stat().st_ino == before:
                return voice
        except FileNotFoundError:
            pass
        log.info("%s changed while it was loaded (a training runs beside): again", files.checkpoint)
    raise StageError(
        f"the model changed while it was loaded, {tries} times in a row",
        "run speak again, or pass a checkpoint that stays put with --model",
    )


def find_model(ws: Workspace, model: Path | None) -> ModelFiles:
    """The model to speak with: ``model`` (a .pth or a run folder, or an XTTS-v2 folder) or
    the workspace's newest trained model (a VITS run or the xtts backend's output).

    A VITS run folder gives its ``best_model.pth`` when there is one, else its newest
    checkpoint; the coqui ``config.json`` must sit next to the checkpoint.

    Raises:
        InputError: no trained model, or a checkpoint without its config.json.
    """
    from voicekit.speak import xtts
    from voicekit.train.loop import latest_run

    if model is None:
        trained = [p for p in (latest_run(ws), xtts.latest_checkpoint(ws)) if p is not None]
        if not trained:
            raise InputError(
                f"no trained model in {ws.path('train/run')} or {ws.path(xtts.OUTPUT)}",
                "run `voicekit train` first, or pass a checkpoint with --model",
            )
        model = max(trained, key=_newest_mtime)
    found = xtts.model_files(ws, model)
    if found is not None:
        return found
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


def _newest_mtime(path: Path) -> float:
    """Modification time of ``path`` or of the newest checkpoint in the folder."""
    files = list(path.glob("*.pth")) if path.is_dir() else [path]
    return max((f.stat().st_mtime for f in files), default=path.stat().st_mtime)


class VitsVoice:
    """A loaded VITS model on the CPU or GPU."""

    def __init__(self, files: ModelFiles) -> None:
        import torch
        from TTS.tts.configs.vits_config import VitsConfig

        from voicekit.train.model import vits

        config = VitsConfig()
        config.load_json(str(files.config))
        self.files = files
        self.model: Any = vits(config)
        self.model.load_checkpoint(config, str(files.checkpoint), eval=True)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model.to(self.device)
        self.length_scale = float(self.model.length_scale)
        self.rate = int(config.audio.sample_rate)
        self.vocab = set(self.model.tokenizer.characters.vocab)

    def check(self, sentence: Sentence, context: str) -> None:
        """Raise InputError for any code point the model's tokenizer would silently drop."""
        from voicekit.text import INVENTORY

        codes = sentence.codes
        INVENTORY.validate_codes(codes, context=context)
        missing = sorted(set(codes) - self.vocab)
        if missing:
            shown = ", ".join(f"U+{ord(c):04X}" for c in missing)
            raise InputError(
                f"{context}: symbols the model was not trained with: {shown}",
                "train the model with the current voicekit symbol inventory",
            )

    def synthesize(self, sentence: Sentence, seed: int, speed: float = 1.0) -> np.ndarray:
        """Float32 mono audio at ``self.rate`` for one encoded sentence (checked first).

        ``speed`` scales the speaking rate (1.2: 20 % faster) through VITS's duration
        predictor (``length_scale``), so the pitch and timbre stay as they are.
        """
        import torch

        check_speed(speed)
        ids = self.model.tokenizer.text_to_ids(sentence.codes)
        x = torch.tensor([ids], dtype=torch.long, device=self.device)
        torch.manual_seed(seed)
        self.model.length_scale = self.length_scale / speed
        out = self.model.inference(x)["model_outputs"]
        return np.ascontiguousarray(out[0, 0].float().cpu().numpy(), dtype=np.float32)


def check_speed(speed: float) -> None:
    """Raise InputError for a speaking rate the models cannot use (0 or negative, or absurd)."""
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
