"""voicekit train --backend xtts for real: coqui's GPT trainer fine-tunes a tiny randomly
initialised XTTS (see xtts_helpers) on the exported clips for one epoch on the CPU, and
`voicekit speak` narrates with the checkpoint it wrote."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from test_speak import NO_GATE, _write
from test_train import _dataset
from xtts_helpers import tiny_xtts, training_files

from voicekit.speak.narrate import speak
from voicekit.speak.synth import find_model
from voicekit.train import backends
from voicekit.train.backends.xtts import MANIFEST, OUTPUT


def test_fine_tunes_the_gpt_and_speak_uses_the_checkpoint(tmp_path: Path) -> None:
    # clips of 2-3 s: room for their audio codes (1024 samples each) in the GPT
    weights = tiny_xtts(tmp_path / "XTTS-v2", max_audio_tokens=300)
    training_files(weights)
    ws = _dataset(tmp_path / "ws")
    options = backends.Options(init=weights, epochs=1)
    backend = backends.get("xtts")
    outcome = backend.run(ws, backend.prepare(ws, options), options)

    best = [m for m in outcome.models if m.name == "best_model.pth"]
    assert best, outcome.models
    tuned = torch.load(best[0], map_location="cpu", weights_only=False)["model"]
    base = torch.load(weights / "model.pth", map_location="cpu", weights_only=True)["model"]
    key = "gpt.text_embedding.weight"
    assert not torch.equal(tuned[f"xtts.{key}"], base[key])  # the optimiser moved the GPT
    ledger = {e.path for e in ws.ledger()}
    assert f"{OUTPUT}/{MANIFEST}" in ledger
    assert all(ws.rel(m) in ledger for m in outcome.models)

    # the final state is saved, and the next run continues it for one more epoch
    run = best[0].parent
    (first,) = run.glob("checkpoint_*.pth")
    backend.run(ws, backend.prepare(ws, options), options)
    steps = sorted(int(p.stem.split("_")[1]) for p in run.glob("checkpoint_*.pth"))
    assert steps[-1] > int(first.stem.split("_")[1])
    assert "Model restored from step" in (run / "trainer_0_log.txt").read_text(encoding="utf-8")
    assert [p for p in run.parent.iterdir() if p.is_dir()] == [run]  # no second run folder

    files = find_model(ws, None)
    assert files.kind == "xtts" and files.checkpoint == run / "best_model.pth"
    result = speak(ws, _write(tmp_path, "Good morning, everyone."), gate=NO_GATE)
    assert result.synthesized == 1 and result.duration > 0.2
    assert np.isfinite(result.sentences[0].end)
