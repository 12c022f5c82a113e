"""Randomly initialised models of the real GPU-backend architectures, saved the way voicekit
loads real weights: a demucs repository bag and a pyannote pipeline folder.

No model hub is reachable where voicekit is developed, so the tests (tiny sizes) and the GPU
benchmark (full sizes, for honest timings) build these. Their outputs are meaningless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

PYANNOTE_RATE = 16000

# htdemucs as published (demucs's conf: 7.8 s segments, a 512-channel transformer bottom)
HTDEMUCS = dict(sources=["drums", "bass", "other", "vocals"], samplerate=44100, audio_channels=2,
                segment=7.8, bottom_channels=512)
# a tiny HTDemucs for tests: 8 channels, no transformer
TINY_HTDEMUCS = dict(sources=["drums", "bass", "other", "vocals"], samplerate=44100,
                     audio_channels=2, channels=8, t_layers=0, segment=2)


def demucs_repo(folder: Path, name: str, kwargs: dict[str, Any], seed: int = 0,
                file: str = "a1b2c3d4.th") -> Path:
    """Write a one-model bag `name` (`<name>.yaml` + `file`, named `<signature>.th` or
    `<signature>-<hash prefix>.th` as demucs names them) of a random HTDemucs."""
    import torch
    from demucs.htdemucs import HTDemucs
    from demucs.states import get_state

    torch.manual_seed(seed)
    model = HTDemucs(**kwargs)
    folder.mkdir(parents=True, exist_ok=True)
    package = {"klass": HTDemucs, "args": (), "kwargs": kwargs, "state": get_state(model, None)}
    torch.save(package, folder / file)
    signature = file.removesuffix(".th").split("-")[0]
    (folder / f"{name}.yaml").write_text(f"models: ['{signature}']\n", encoding="utf-8")
    return folder


def _save_lightning(model: Any, path: Path) -> None:
    """A checkpoint as pyannote's `Model.from_pretrained` reads it (lightning's layout)."""
    import lightning
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    ckpt = {"state_dict": model.state_dict(), "hyper_parameters": dict(model.hparams),
            "pytorch-lightning_version": lightning.__version__}
    model.on_save_checkpoint(ckpt)
    torch.save(ckpt, path)


def pyannote_pipeline(root: Path, full: bool, step: float) -> Path:
    """Write a random-weight pyannote pipeline folder in the layout of
    speaker-diarization-community-1 (config.yaml, segmentation/, embedding/, plda/).

    `full`: the published sizes (PyanNet with a 4-layer 128-unit LSTM over 10 s windows, a
    128-dimensional PLDA); else a small LSTM over 5 s windows. The segmentation classifier's
    bias makes speakers 1 and 2 active everywhere, so the embedding and clustering steps do
    their usual amount of work. `step`: the segmentation window step (share of a window).
    """
    import torch
    import yaml

    from voicekit.stages.diarize.pyannote import import_pyannote

    import_pyannote()
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from pyannote.audio.models.embedding import WeSpeakerResNet34
    from pyannote.audio.models.segmentation import PyanNet

    torch.manual_seed(0)
    if full:
        seg = PyanNet(sample_rate=PYANNOTE_RATE)
        duration, dim, lda = 10.0, 256, 128
    else:
        seg = PyanNet(sincnet={"stride": 10}, lstm={"hidden_size": 32, "num_layers": 1},
                      linear={"hidden_size": 32, "num_layers": 1}, sample_rate=PYANNOTE_RATE)
        duration, dim, lda = 5.0, 256, 16
    seg.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION, resolution=Resolution.FRAME, duration=duration,
        classes=["spk1", "spk2", "spk3"], powerset_max_classes=2, permutation_invariant=True)
    seg.build()
    with torch.no_grad():  # powerset classes: {}, {1}, {2}, {3}, {1,2}, {1,3}, {2,3}
        seg.classifier.bias.copy_(torch.tensor([-6.0, 1.0, 1.0, -6.0, 1.0, -6.0, -6.0]))
    _save_lightning(seg, root / "segmentation" / "pytorch_model.bin")
    emb = WeSpeakerResNet34(sample_rate=PYANNOTE_RATE)
    emb.specifications = Specifications(problem=Problem.REPRESENTATION,
                                        resolution=Resolution.CHUNK, duration=duration)
    _save_lightning(emb, root / "embedding" / "pytorch_model.bin")
    rng = np.random.default_rng(0)
    (root / "plda").mkdir(parents=True, exist_ok=True)
    np.savez(root / "plda" / "xvec_transform.npz", mean1=np.zeros(dim), mean2=np.zeros(lda),
             lda=rng.standard_normal((dim, lda)) * 0.1)
    np.savez(root / "plda" / "plda.npz", mu=np.zeros(lda), tr=np.eye(lda),
             psi=np.linspace(2.0, 0.5, lda))
    config = {
        "dependencies": {"pyannote.audio": "4.0.0"},
        "pipeline": {"name": "pyannote.audio.pipelines.SpeakerDiarization", "params": {
            "clustering": "VBxClustering", "embedding": "$model/embedding",
            "embedding_exclude_overlap": True, "plda": "$model/plda",
            "segmentation": "$model/segmentation", "segmentation_step": step}},
        "params": {"clustering": {"Fa": 0.07, "Fb": 0.8, "threshold": 0.6},
                   "segmentation": {"min_duration_off": 0.0}},
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root
