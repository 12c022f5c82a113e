"""voicekit speak with XTTS-v2: a tiny randomly initialised XTTS (the real architecture, 2 GPT
layers of width 64) built here, spoken from as a base-model folder (cloning the target from the
dataset's clips) and as a checkpoint of coqui's GPT trainer found through the xtts backend's
run folder. Its audio is noise: these tests check loading, conditioning, determinism and the
narration around it, not speech.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from test_speak import NO_GATE, _write
from test_train import _dataset
from xtts_helpers import tiny_xtts

from voicekit.errors import InputError
from voicekit.speak.config import AssemblyConfig
from voicekit.speak.narrate import plan, speak
from voicekit.speak.script import read_script
from voicekit.speak.synth import find_model, open_voice
from voicekit.train.backends.xtts import MANIFEST, OUTPUT


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_xtts(tmp_path_factory.mktemp("xtts") / "XTTS-v2")


def test_base_model_clones_the_target_and_narrates(base: Path, tmp_path: Path) -> None:
    ws = _dataset(tmp_path / "ws")
    files = find_model(ws, base)
    assert files.kind == "xtts" and files.checkpoint == base / "model.pth"
    # the voice comes from the validation clips (this dataset has no held-out split)
    val = {ws.path(f"dataset/wavs/{line.split('|')[0]}.wav")
           for line in ws.path("dataset/metadata_val.csv").read_text().splitlines()}  # fmt: skip
    assert set(files.references) == val

    voice = open_voice(files)
    said = plan(read_script(_write(tmp_path, "今天是2025年。")), AssemblyConfig())[0][0].sentence
    assert said.lang == "zh" and "二零二五" in said.spoken  # XTTS gets the spoken form
    first = voice.synthesize(said, 3)
    assert voice.rate == 24000 and len(first) > 0.2 * voice.rate and np.abs(first).max() > 0
    assert np.array_equal(first, voice.synthesize(said, 3))
    assert not np.array_equal(first, voice.synthesize(said, 4))
    assert len(voice.synthesize(said, 3, 0.5)) > len(first)  # XTTS's own speed factor

    script = _write(tmp_path, "Hello there.\n今天天气很好。\n")
    result = speak(ws, script, model=base, gate=NO_GATE)
    audio, rate = sf.read(str(result.audio))
    assert rate == 24000 and [t.line for t in result.sentences] == [1, 2]
    assert result.synthesized == 2 and np.abs(audio).max() > 0
    assert speak(ws, script, model=base, gate=NO_GATE).synthesized == 0  # from the cache
    # the weights folder is only read
    assert sorted(p.name for p in base.iterdir()) == ["config.json", "model.pth", "vocab.json"]


def test_fine_tuned_checkpoint_of_the_xtts_backend_is_found_and_loaded(
    base: Path, tmp_path: Path
) -> None:
    import torch

    ws = _dataset(tmp_path / "ws")
    with pytest.raises(InputError, match="no trained model"):
        find_model(ws, None)
    # what `voicekit train --backend xtts` leaves: its manifest and coqui's GPT-trainer
    # checkpoint, whose keys carry the trainer's "xtts." prefix and its DVAE
    ws.path(f"{OUTPUT}/{MANIFEST}").parent.mkdir(parents=True)
    ws.path(f"{OUTPUT}/{MANIFEST}").write_text(json.dumps({"weights": str(base)}))
    weights = torch.load(base / "model.pth", weights_only=True)["model"]
    tuned = {f"xtts.{k}": v for k, v in weights.items()}
    tuned["dvae.codebook.embed"] = torch.zeros(4, 4)
    run = ws.path(f"{OUTPUT}/GPT_XTTS_FT-run")
    run.mkdir()
    torch.save({"model": tuned}, run / "best_model_10.pth")

    files = find_model(ws, None)
    assert files.kind == "xtts" and files.checkpoint == run / "best_model_10.pth"
    assert files.config == base / "config.json" and files.vocab == base / "vocab.json"
    said = plan(read_script(_write(tmp_path, "Good morning.")), AssemblyConfig())[0][0].sentence
    # the same weights through the trainer's checkpoint: the same audio as the base model
    assert np.array_equal(open_voice(files).synthesize(said, 7),
                          open_voice(find_model(ws, base)).synthesize(said, 7))  # fmt: skip

    shutil.rmtree(base.parent / "gone", ignore_errors=True)
    ws.path(f"{OUTPUT}/{MANIFEST}").write_text(json.dumps({"weights": str(base.parent / "gone")}))
    with pytest.raises(InputError, match="base model this run was trained from is gone"):
        find_model(ws, None)
