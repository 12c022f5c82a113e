"""XTTS-v2 as the narrating voice: the xtts backend's fine-tuned GPT, or the base weights.

XTTS takes the voice from reference clips (its conditioning latents): here the target's clips
of the exported dataset, the held-out split first. It speaks either a checkpoint of
``voicekit train --backend xtts`` (with the base model's ``config.json`` and ``vocab.json``,
whose folder that run wrote into ``train/xtts/voicekit.json``) or a complete XTTS-v2 folder
(``model.pth``, ``config.json``, ``vocab.json``) passed with ``--model``: the base model cloning
the target without training. Licence of the weights: non-commercial (CPML).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.errors import InputError
from voicekit.speak.synth import ModelFiles, Sentence, check_speed
from voicekit.train.backends.xtts import LICENCE, MANIFEST, OUTPUT
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")

LANGUAGES = {"zh": "zh-cn", "en": "en"}  # voicekit's sentence language -> XTTS's
REFERENCES = 4  # the longest held-out clips XTTS takes the voice from (it uses up to 30 s)
TEMPERATURE = 0.75  # coqui's default sampling settings for XTTS-v2


def latest_checkpoint(ws: Workspace) -> Path | None:
    """The model of the xtts backend's newest run in the workspace, or None."""
    root = ws.path(OUTPUT)
    if not (root / MANIFEST).is_file():
        return None
    return _newest_run_model(root)


def _newest_run_model(folder: Path) -> Path | None:
    """The model of the newest run below ``folder``: its best model when it has one (as for
    VITS runs), else its newest checkpoint."""
    found = [p for p in folder.rglob("*.pth") if p.name.startswith(("best_model", "checkpoint_"))]
    if not found:
        return None
    newest = max(found, key=lambda p: p.stat().st_mtime)
    best = newest.parent / "best_model.pth"
    return best if best.is_file() else newest


def model_files(ws: Workspace, model: Path) -> ModelFiles | None:
    """XTTS files for ``model``, or None when it is not an XTTS model.

    Raises:
        InputError: an XTTS run whose base weights are gone, or no reference clips.
    """
    if model.is_dir() and _is_xtts_folder(model):
        checkpoint, config, vocab = model / "model.pth", model / "config.json", model / "vocab.json"
    else:
        root = ws.path(OUTPUT)
        if not model.resolve().is_relative_to(root.resolve()) or not (root / MANIFEST).is_file():
            return None
        if model.is_dir():
            chosen = _newest_run_model(model)
            if chosen is None:
                raise InputError(f"--model {model}: the folder holds no XTTS checkpoint")
            model = chosen
        weights = Path(json.loads((root / MANIFEST).read_text(encoding="utf-8"))["weights"])
        if not _is_xtts_folder(weights):
            raise InputError(
                f"the XTTS base model this run was trained from is gone: {weights}",
                "put model.pth, config.json and vocab.json of XTTS-v2 back in that folder",
            )
        checkpoint, config, vocab = model, weights / "config.json", weights / "vocab.json"
    return ModelFiles(checkpoint, config, "xtts", vocab, reference_clips(ws))


def _is_xtts_folder(folder: Path) -> bool:
    files = [folder / n for n in ("model.pth", "config.json", "vocab.json")]
    if not all(f.is_file() for f in files):
        return False
    return json.loads(files[1].read_text(encoding="utf-8")).get("model") == "xtts"


def reference_clips(ws: Workspace) -> tuple[Path, ...]:
    """The target clips XTTS takes the voice from: the longest of the dataset's held-out
    split, else of its validation clips, else of all its clips.

    Raises:
        InputError: the workspace has no exported clips.
    """
    import soundfile as sf

    from voicekit.train import data

    dataset = ws.path("dataset")
    clips = data.heldout(dataset / "manifest.jsonl")
    if not clips and (dataset / data.METADATA["val"]).is_file():
        clips = _listed(dataset, data.METADATA["val"])
    if not clips:
        clips = sorted((dataset / "wavs").rglob("*.wav"))
    if not clips:
        raise InputError(
            f"XTTS speaks in the voice of the target's clips: none in {dataset}",
            "run `voicekit dataset` on this workspace first",
        )
    return tuple(sorted(clips, key=lambda p: -sf.info(str(p)).duration)[:REFERENCES])


def _listed(dataset: Path, metadata: str) -> list[Path]:
    lines = (dataset / metadata).read_text(encoding="utf-8").splitlines()
    wavs = [dataset / "wavs" / f"{line.split('|', 1)[0]}.wav" for line in lines if line.strip()]
    return [w for w in wavs if w.is_file()]


class XttsVoice:
    """A loaded XTTS-v2 with the target's conditioning latents, on the CPU or GPU."""

    def __init__(self, files: ModelFiles) -> None:
        import torch
        from TTS.tts.configs.xtts_config import XttsConfig
        from TTS.tts.models.xtts import Xtts

        log.warning("speaking with XTTS-v2: %s", LICENCE)
        config = XttsConfig()
        config.load_json(str(files.config))
        self.files = files
        self.model: Any = Xtts(config)
        # a checkpoint of coqui's GPT trainer (keys "xtts.*") loads as well as a base model.pth
        self.model.load_checkpoint(
            config, checkpoint_path=str(files.checkpoint), vocab_path=str(files.vocab), eval=True
        )
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model.to(self.device)
        self.rate = int(config.audio.output_sample_rate)
        self.latent, self.speaker = self.model.get_conditioning_latents(
            audio_path=[str(p) for p in files.references]
        )

    def check(self, sentence: Sentence, context: str) -> None:
        if sentence.lang not in LANGUAGES:
            raise InputError(f"{context}: XTTS speaks zh or en here, not {sentence.lang!r}")
        if not sentence.spoken.strip():
            raise InputError(f"{context}: nothing to speak")

    def synthesize(self, sentence: Sentence, seed: int, speed: float = 1.0) -> np.ndarray:
        """Float32 mono audio at ``self.rate``; ``speed`` is XTTS's own speaking-rate factor."""
        import torch

        check_speed(speed)
        torch.manual_seed(seed)
        with torch.inference_mode():
            out = self.model.inference(
                sentence.spoken, LANGUAGES[sentence.lang], self.latent, self.speaker,
                temperature=TEMPERATURE, speed=speed, enable_text_splitting=False,
            )  # fmt: skip
        wav = out["wav"]
        wav = wav.float().cpu().numpy() if hasattr(wav, "cpu") else np.asarray(wav)
        return np.ascontiguousarray(wav.reshape(-1), dtype=np.float32)
