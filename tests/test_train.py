"""voicekit train: a tiny VITS on espeak-ng clips trains, checkpoints, resumes and refuses bad text.

Runs coqui-tts for real on the CPU (about a minute); checkpoints (~190 MB each) are deleted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import soundfile as sf

from voicekit.errors import InputError
from voicekit.train import TrainConfig, train
from voicekit.train.loop import latest_run
from voicekit.workspace import Workspace

RATE = 22050
TEXTS = (
    "Hello there, how are you today?", "The weather is nice and warm.",
    "Please open the window.", "We walked along the river.", "This is a short test.",
    "Good morning, my friend.", "Three birds sat on the fence.", "She likes green apples.",
    "The train leaves at noon.", "Read the book again.", "It is raining outside.",
    "Thank you very much.",
)  # fmt: skip
TINY = TrainConfig(size="tiny", min_minutes=0.0, sample_every_epoch=False)


def _dataset(root: Path, texts: tuple[str, ...] = TEXTS) -> Workspace:
    """An exported dataset: wavs/target/*.wav, metadata.csv (10), metadata_val.csv (2)."""
    ws = Workspace(root)
    wavs = ws.path("dataset/wavs/target")
    wavs.mkdir(parents=True)
    rows, records = [], []
    for i, text in enumerate(texts):
        raw, wav = wavs / f"raw{i}.wav", wavs / f"clip{i:02d}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), text], check=True)
        subprocess.run(["sox", str(raw), "-r", str(RATE), str(wav)], check=True)
        raw.unlink()
        rows.append(f"target/clip{i:02d}|{text}|{text}\n")
        records.append({"audio": f"wavs/target/clip{i:02d}.wav", "language": "en"})
    ws.path("dataset/metadata.csv").write_text("".join(rows[:-2]), encoding="utf-8")
    ws.path("dataset/metadata_val.csv").write_text("".join(rows[-2:]), encoding="utf-8")
    ws.path("dataset/manifest.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    return ws


def test_tiny_vits_trains_checkpoints_and_resumes(tmp_path: Path) -> None:
    ws = _dataset(tmp_path / "ws")
    try:
        first = train(ws, TINY, steps=3)
        assert first.start_step == 0
        assert first.checkpoint.is_file() and first.checkpoint.stat().st_size > 10_000_000
        assert first.run_dir.is_relative_to(ws.root / "train" / "run")
        assert latest_run(ws) == first.run_dir

        second = train(ws, TINY, steps=2)
        assert second.run_dir == first.run_dir
        assert second.start_step >= first.end_step > 0  # restored, not restarted
        assert second.end_step == second.start_step + 2
        log = (first.run_dir / "trainer_0_log.txt").read_text(encoding="utf-8")
        assert "Model restored from step" in log

        # --init fine-tunes a new run from a checkpoint: weights loaded, steps from 0
        tuned = train(ws, TINY, steps=1, init=second.checkpoint, resume=False)
        assert tuned.run_dir != first.run_dir and tuned.start_step == 0
        tuned_log = (tuned.run_dir / "trainer_0_log.txt").read_text(encoding="utf-8")
        assert "Restoring from" in tuned_log

        # every file voicekit or coqui wrote is in the ledger
        ledger = {e.path for e in ws.ledger()}
        for path in (ws.root / "train").rglob("*"):
            rel = path.relative_to(ws.root).as_posix()
            assert path.is_dir() or rel in ledger or any(rel.startswith(p + "/") for p in ledger)
        codes = ws.path("train/data/metadata.csv").read_text(encoding="utf-8").splitlines()
        assert len(codes) == len(TEXTS) - 2
        assert all(0xE000 <= ord(c) < 0xF900 for c in codes[0].split("|")[2])
    finally:
        shutil.rmtree(ws.root / "train", ignore_errors=True)


def test_text_outside_the_inventory_is_refused_before_training(tmp_path: Path) -> None:
    ws = _dataset(tmp_path / "ws", TEXTS[:3])
    with ws.path("dataset/metadata.csv").open("a", encoding="utf-8") as handle:
        handle.write("target/clip02|Smile 🙂 please.|Smile 🙂 please.\n")
    with pytest.raises(InputError, match="clip target/clip02"):
        train(ws, TINY, steps=1)
    assert not ws.path("train/run").exists()


def test_clip_without_text_and_too_little_speech_are_refused(tmp_path: Path) -> None:
    ws = _dataset(tmp_path / "ws", TEXTS[:3])
    with pytest.raises(InputError, match="minimum 5"):
        train(ws, TrainConfig(size="tiny"), steps=1)
    ws.path("dataset/metadata.csv").write_text("target/clip00||\n", encoding="utf-8")
    with pytest.raises(InputError, match="no text"):
        train(ws, TINY, steps=1)
    assert sf.info(str(ws.path("dataset/wavs/target/clip00.wav"))).samplerate == RATE
