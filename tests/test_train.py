"""voicekit train: a tiny VITS on espeak-ng clips trains, checkpoints, resumes and refuses bad text.

Runs coqui-tts for real on the CPU (about a minute); checkpoints (~190 MB each) are deleted.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from voicekit.cli import train as train_cli
from voicekit.cli.app import app
from voicekit.errors import InputError, StageError
from voicekit.train import TrainConfig, checkpoints, consent, train
from voicekit.train.checkpoints import BYTES_PER_PARAMETER
from voicekit.train.gpu import GIB, auto_batch
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
TINY = TrainConfig(size="tiny", min_minutes=0.0, eval_every=0)


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
    consent.record(ws, "test")
    return ws


def test_tiny_vits_trains_checkpoints_and_resumes(tmp_path: Path) -> None:
    ws = _dataset(tmp_path / "ws")
    try:
        # evaluation at step 2 and at the end (step 3): samples, scores, report, and the
        # model of the lowest validation loss so far kept as the best one
        conf = TrainConfig(size="tiny", min_minutes=0.0, eval_every=2, best_after=0)
        first = train(ws, conf, steps=3)
        _check_evaluations(first.eval_dir, steps=[2, 3])
        best = first.run_dir / "best_model.pth"  # one file on disk: linked, not copied
        assert best.is_file() and best.samefile(max(first.run_dir.glob("best_model_*.pth")))
        # the same seed without evaluation trains to the same losses: runs are deterministic
        # on the CPU and evaluating leaves the random state of training alone (a disturbed
        # state draws other noise: losses a percent apart). Equal up to the last float bits:
        # after the scorers ran (Whisper, the GE2E encoder) later CPU sums can round
        # differently; an evaluation without them gives bit-equal losses.
        twin = _dataset(tmp_path / "twin")
        quiet = TrainConfig(size="tiny", min_minutes=0.0, eval_every=0, best_after=0)
        assert train(twin, quiet, steps=3).losses == pytest.approx(first.losses, rel=1e-5)
        # validation (and with it the best model) only at evaluations, not after every epoch
        assert not list(twin.path("train/run").glob("*/best_model*.pth"))
        shutil.rmtree(twin.root / "train")
        assert first.start_step == 0
        assert first.checkpoint.is_file() and first.checkpoint.stat().st_size > 10_000_000
        assert first.run_dir.is_relative_to(ws.root / "train" / "run")
        assert latest_run(ws) == first.run_dir

        second = train(ws, TINY, steps=2)
        assert second.run_dir == first.run_dir
        # restored, not restarted, at the steps done (coqui's restore counts one more)
        assert second.start_step == first.end_step == 3
        assert first.checkpoint.name == "checkpoint_3.pth"
        assert second.end_step == 5 and second.checkpoint.name == "checkpoint_5.pth"
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


def test_cli_config_file_and_hours_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    ws = _dataset(tmp_path / "ws")
    runner = CliRunner()
    tiny = Path(__file__).parents[1] / "configs" / "train" / "tiny.yaml"
    monkeypatch.chdir(tmp_path)  # outside any git repository
    base = ["train", "--workspace", str(ws.root), "--config", str(tiny),
            "--set", "train.min_minutes=0", "--set", "train.eval_every=0"]
    try:
        # 50 steps asked, but 0.5 s of training allowed: stops after the first step or two,
        # with a checkpoint at the step reached
        done = runner.invoke(app, [*base, "--steps", "50", "--hours", str(0.5 / 3600)])
        assert done.exit_code == 0, done.output
        run = latest_run(ws)
        assert run is not None
        steps = sorted(int(p.stem.rsplit("_", 1)[1]) for p in run.glob("checkpoint_*.pth"))
        assert steps and 1 <= steps[-1] < 10, steps
        assert f"trained to step {steps[-1]} " in done.output
        assert "training tiny VITS on CPU from step 0 for 50 steps" in done.output  # shown first
        model = json.loads((run / "config.json").read_text(encoding="utf-8"))["model_args"]
        assert model["hidden_channels"] == 64  # the tiny preset from configs/train/tiny.yaml
        log = (run / "trainer_0_log.txt").read_text(encoding="utf-8")
        # coqui's headers of every epoch (an epoch can be seconds long) are left out
        assert "EPOCH:" not in log and "EVAL PERFORMANCE" not in log and "TRAINING (" not in log
        assert "GLOBAL_STEP: 0" in log  # its loss table every print_step steps stays
        assert "not a git repository" not in capfd.readouterr().err  # coqui ran no git here

        other = runner.invoke(app, [*base, "--backend", "f5tts", "--hours", "1"])
        assert other.exit_code == 2 and "--hours applies to the vits backend" in other.output
    finally:
        shutil.rmtree(ws.root / "train", ignore_errors=True)


def test_sigterm_saves_a_checkpoint_and_the_next_run_resumes_from_it(tmp_path: Path) -> None:
    ws = _dataset(tmp_path / "ws")
    command = [sys.executable, "-m", "voicekit", "train", "--workspace", str(ws.root),
               "--config", "configs/train/tiny.yaml", "--set", "train.min_minutes=0",
               "--set", "train.eval_every=0", "--set", "train.save_step=100000"]  # fmt: skip
    try:
        proc = subprocess.Popen([*command, "--steps", "1000"], stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while not list(ws.path("train/eval").glob("*/losses.jsonl")):  # a step has finished
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "training interrupted at step" in err and "run the same command to resume" in err
        run = latest_run(ws)  # no periodic checkpoint was due: this one is the interrupt's
        assert run is not None
        saved = max(int(p.stem.rsplit("_", 1)[1]) for p in run.glob("checkpoint_*.pth"))
        assert saved >= 1

        resumed = subprocess.run([*command, "--steps", "1"], capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        # it continues at the steps saved (see the resume test above)
        assert f"resumed at step {saved}, trained to step {saved + 1} " in resumed.stdout
        assert "it/s]" not in resumed.stderr  # no tqdm bar of coqui's datasets
    finally:
        shutil.rmtree(ws.root / "train", ignore_errors=True)


def test_a_full_gpu_saves_a_checkpoint_and_names_a_smaller_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    from TTS.tts.models.vits import Vits

    ws = _dataset(tmp_path / "ws")
    model_step = Vits.train_step
    halves: list[int] = []

    def step(self: Vits, batch: dict, criterion: object, optimizer_idx: int) -> object:
        halves.append(optimizer_idx)
        if len(halves) == 4:  # the generator's half of the second step, as CUDA reports it
            raise torch.OutOfMemoryError(
                "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity "
                "of 79.19 GiB of which 1.05 GiB is free.\nIncluding non-PyTorch memory ..."
            )
        return model_step(self, batch, criterion, optimizer_idx)

    monkeypatch.setattr(Vits, "train_step", step)
    try:
        with pytest.raises(StageError) as raised:
            train(ws, TINY, steps=5)
        assert raised.value.message.startswith(
            "the GPU ran out of memory at step 1 with batch 4 (CUDA out of memory. Tried to "
            "allocate 2.00 GiB); checkpoint saved in "
        )
        assert raised.value.fix == "run the same command with --batch-size 2 to resume"
        run = latest_run(ws)
        assert run is not None and (run / "checkpoint_1.pth").is_file()
        ledger = {e.path for e in ws.ledger()}
        saved = ws.rel(run / "checkpoint_1.pth")
        assert any(saved == p or saved.startswith(p + "/") for p in ledger)

        monkeypatch.setattr(Vits, "train_step", model_step)
        resumed = train(ws, dataclasses.replace(TINY, batch_size=2), steps=1)
        assert resumed.run_dir == run and resumed.start_step == 1 and resumed.batch_size == 2
    finally:
        shutil.rmtree(ws.root / "train", ignore_errors=True)


def test_an_unfinished_save_is_dropped_and_the_run_resumes_before_it(tmp_path: Path) -> None:
    # (coqui finds step numbers anywhere in a checkpoint's path: the test's name, and with it
    # its folder, must not contain the word checkpoint)
    import torch

    ws = _dataset(tmp_path / "ws")
    try:
        first = train(ws, TINY, steps=2)
        whole = first.checkpoint
        # 12 bytes a parameter: the weights and AdamW's two moments (what check_space assumes)
        weights = torch.load(whole, map_location="cpu", weights_only=False)["model"]
        params = sum(t.numel() for t in weights.values() if t.is_floating_point())
        assert whole.stat().st_size == pytest.approx(BYTES_PER_PARAMETER * params, rel=0.02)
        # the disk filled while a later one was written
        cut = first.run_dir / f"checkpoint_{first.end_step + 5}.pth"
        cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
        resumed = train(ws, TINY, steps=1)
        assert not cut.exists()  # dropped; coqui would have resumed from it and failed
        assert resumed.run_dir == first.run_dir and resumed.start_step == first.end_step
        assert zipfile.is_zipfile(resumed.checkpoint)
    finally:
        shutil.rmtree(ws.root / "train", ignore_errors=True)


def test_the_disk_filling_mid_save_stops_with_one_line_and_the_next_run_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from trainer import io

    ws = _dataset(tmp_path / "ws")
    save = io.save_fsspec

    def full_at_step_4(state: object, path: str, **kwargs: object) -> None:
        if not Path(path).name.endswith("_4.pth"):
            save(state, path, **kwargs)
            return
        Path(path).write_bytes(b"PK\x03\x04" + bytes(1000))  # what fitted before it filled
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(io, "save_fsspec", full_at_step_4)
    try:
        with pytest.raises(StageError) as full:
            train(ws, dataclasses.replace(TINY, save_step=2), steps=6)
        assert full.value.message.startswith("the disk filled at step 4 (writing ")
        assert full.value.message.endswith("checkpoint_4.pth)")
        assert "resumes from the last whole checkpoint" in str(full.value.fix)

        monkeypatch.setattr(io, "save_fsspec", save)
        resumed = train(ws, TINY, steps=1)
        assert resumed.start_step == 2  # from checkpoint_2; the cut checkpoint_4 was dropped
    finally:
        shutil.rmtree(ws.root / "train", ignore_errors=True)


def test_resume_reads_step_numbers_from_file_names_only(tmp_path: Path) -> None:
    # coqui's own search reads "checkpoint_9" anywhere in the path: every file was step 9
    ws = _dataset(tmp_path / "checkpoint_9" / "ws")
    try:
        first = train(ws, dataclasses.replace(TINY, save_step=1, keep_checkpoints=2), steps=2)
        assert sorted(p.name for p in first.run_dir.glob("checkpoint_*.pth")) == [
            "checkpoint_1.pth", "checkpoint_2.pth"
        ]
        resumed = train(ws, TINY, steps=1)
        assert resumed.start_step == 2  # restored from checkpoint_2
    finally:
        shutil.rmtree(ws.root / "train", ignore_errors=True)


def test_space_of_a_resumed_run_counts_a_linked_best_model_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "best_model_5.pth").write_bytes(bytes(1000))
    os.link(tmp_path / "best_model_5.pth", tmp_path / "best_model.pth")
    real = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(checkpoints.shutil, "disk_usage", lambda path: real._replace(free=2500))
    checkpoints.check_space(tmp_path, 700, 3, tmp_path)  # needs 3500: 2500 free + 1000 reused
    with pytest.raises(InputError):
        checkpoints.check_space(tmp_path, 800, 3, tmp_path)  # 4000: the link is no space


def test_the_newest_checkpoint_by_step_and_the_best_model_when_newer(tmp_path: Path) -> None:
    for name in ("checkpoint_8.pth", "checkpoint_10.pth", "best_model_3.pth", "best_model_12.pth",
                 "best_model.pth", "checkpoint_9.pth.link"):  # fmt: skip
        (tmp_path / name).write_bytes(b"")
    best = str(tmp_path / "best_model_12.pth")
    assert checkpoints.newest(tmp_path) == (best, best)
    (tmp_path / "checkpoint_20.pth").write_bytes(b"")
    assert checkpoints.newest(tmp_path) == (str(tmp_path / "checkpoint_20.pth"), best)


def test_too_little_disk_for_the_checkpoints_is_refused_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _dataset(tmp_path / "ws")
    real = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(
        checkpoints.shutil, "disk_usage", lambda path: real._replace(free=100_000_000)
    )
    with pytest.raises(InputError) as refused:
        train(ws, TINY, steps=1)
    # the tiny model: ~0.19 GB a checkpoint, 1 + 1 kept and 2 being written
    assert refused.value.message.startswith("training needs about 0.8 GB for its checkpoints")
    assert "has 0.1 GB free" in refused.value.message
    assert not list(ws.path("train/run").glob("*/*.pth"))


def test_fetch_a_pretrained_vits_archive_and_fine_tune_from_it_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses
    import zipfile

    from voicekit.models import fetch_model
    from voicekit.models.registry import KNOWN

    # a coqui-style release archive (one folder: model_file.pth + config.json), served from a
    # file:// URL in place of github.com
    source = _dataset(tmp_path / "source")
    made = train(source, TINY, steps=1)
    releases = tmp_path / "releases"
    releases.mkdir()
    entry = KNOWN["vits-ljspeech"]
    with zipfile.ZipFile(releases / entry.patterns[0], "w") as archive:
        folder = entry.patterns[0].removesuffix(".zip")
        archive.write(made.checkpoint, f"{folder}/model_file.pth")
        archive.write(made.run_dir / "config.json", f"{folder}/config.json")
    shutil.rmtree(source.root / "train")
    monkeypatch.setitem(KNOWN, entry.name, dataclasses.replace(entry, repo=releases.as_uri() + "/"))
    monkeypatch.setenv("VOICEKIT_MODELS", str(tmp_path / "models"))

    home = fetch_model("vits-ljspeech", None)
    assert sorted(p.name for p in home.iterdir() if not p.name.startswith("voicekit")) == [
        "config.json", "model_file.pth"]  # fmt: skip

    ws = _dataset(tmp_path / "ws")
    base = ["train", "--workspace", str(ws.root), "--config", "configs/train/tiny.yaml",
            "--set", "train.min_minutes=0", "--set", "train.eval_every=0", "--steps", "1"]
    try:
        done = CliRunner().invoke(app, [*base, "--init", "vits-ljspeech"])
        assert done.exit_code == 0, done.output
        assert "Apache-2.0" in done.output  # the licence of what it fine-tunes from
        run = latest_run(ws)
        assert run is not None
        log = (run / "trainer_0_log.txt").read_text(encoding="utf-8")
        assert "Restoring from model_file.pth" in log  # coqui logs the file name
        missing = CliRunner().invoke(app, [*base, "--no-resume", "--init", "vits-vctk"])
        assert missing.exit_code == 1 and "voicekit models fetch vits-vctk" in missing.output
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


def _check_evaluations(folder: Path, steps: list[int]) -> None:
    results = [json.loads((folder / f"step_{s:07d}.json").read_text()) for s in steps]
    for result in results:
        assert set(result["validation_loss"]) >= {"loss_0", "loss_1", "loss_mel"}
        assert all(np.isfinite(v) for v in result["validation_loss"].values())
        assert [s["lang"] for s in result["samples"]] == ["en", "zh"]
        for sample in result["samples"]:
            audio, rate = sf.read(folder.parents[2] / sample["audio"])
            assert rate == RATE and len(audio) > 0.1 * RATE and np.abs(audio).max() > 0
        # the scores are there and consistent with each other
        assert -1 <= result["similarity"] <= 1 and 0.5 < result["heldout_self_similarity"] <= 1
        others = result["nontarget_similarity"]
        assert set(others) == {"flite-slt", "flite-awb"}
        assert result["margin"] == pytest.approx(result["similarity"] - max(others.values()))
        assert result["wer"] >= 0 and result["cer"] >= 0 and len(result["transcripts"]) == 2
        assert result["unavailable"] == {}
    rows = [json.loads(line) for line in (folder / "losses.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3]
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.count("<polyline") >= 4  # train and val losses, similarity, CER/WER
    assert "step_0000003/en.wav" in html


def test_batch_size_from_free_gpu_memory() -> None:
    # full: 5 GiB fixed + 26 MiB per clip-second; 80 % of the free memory is planned for
    assert auto_batch(24 * GIB, "full", 15.0) == 32  # (19.2 - 5) GiB / 0.381 GiB = 37 -> 32
    assert auto_batch(78 * GIB, "full", 5.0) == 64  # capped
    assert auto_batch(16 * GIB, "full", 15.0) == 16  # (12.8 - 5) / 0.381 = 20 -> 16
    assert auto_batch(8 * GIB, "full", 15.0) == 2  # 1.4 / 0.381 = 3 -> 2
    assert auto_batch(4 * GIB, "full", 15.0) == 1  # nothing fits: still try one clip
    assert auto_batch(24 * GIB, "tiny", 10.0) == 64
    assert TrainConfig(batch_size=12).batch(80 * GIB, 10.0) == 12  # --batch-size wins
    assert TrainConfig(size="tiny").batch(None, 10.0) == 4  # CPU: the preset


def test_consent_is_asked_once_and_required_without_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    runner = CliRunner()
    args = ["train", "--workspace", str(ws.root), "--size", "tiny", "--steps", "1"]

    refused = runner.invoke(app, args)  # CliRunner's stdin is not a terminal
    assert refused.exit_code == 2
    assert "--i-have-consent" in refused.output and len(refused.output.strip().splitlines()) == 1
    assert not consent.acknowledged(ws)

    monkeypatch.setattr(train_cli, "_interactive", lambda: True)
    declined = runner.invoke(app, args, input="n\n")
    assert declined.exit_code == 1 and "permission" in declined.output
    assert not consent.acknowledged(ws)

    # accepted: recorded, then training goes on and refuses the missing dataset
    accepted = runner.invoke(app, args, input="y\n")
    assert accepted.exit_code == 2 and "no exported dataset" in accepted.output
    record = json.loads(ws.path(consent.RECORD).read_text(encoding="utf-8"))
    assert record["how"] == "prompt" and record["notice_sha256"] == consent.notice_hash()
    assert consent.RECORD in {e.path for e in ws.ledger()}

    # once recorded, no question is asked again
    monkeypatch.setattr(train_cli, "_interactive", lambda: False)
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "no exported dataset" in again.output

    other = Workspace(tmp_path / "other")
    flagged = runner.invoke(app, [*args[:2], str(other.root), *args[3:], "--i-have-consent"])
    assert flagged.exit_code == 2 and "no exported dataset" in flagged.output
    assert consent.acknowledged(other)


def test_init_trained_at_another_rate_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from voicekit.train.loop import _check_init_rate

    (tmp_path / "model_file.pth").write_bytes(b"")
    (tmp_path / "config.json").write_text('{"audio": {"sample_rate": 22050}}', encoding="utf-8")
    with caplog.at_level("WARNING", logger="voicekit"):
        _check_init_rate(tmp_path / "model_file.pth", 22050)
        assert not caplog.records
        _check_init_rate(tmp_path / "model_file.pth", 24000)
    assert "export.sample_rate=22050" in caplog.text


def test_a_run_is_not_continued_on_clips_of_another_rate(tmp_path: Path) -> None:
    ws = _dataset(tmp_path / "ws")  # 22050 Hz clips
    run = ws.path("train/run/vits001")
    run.mkdir(parents=True)
    (run / "config.json").write_text('{"audio": {"sample_rate": 24000}}', encoding="utf-8")
    with zipfile.ZipFile(run / "checkpoint_5.pth", "w") as saved:
        saved.writestr("data.pkl", b"")
    with pytest.raises(InputError) as refused:
        train(ws, TINY, steps=1)
    assert refused.value.message == (
        "the run vits001 was trained on 24000 Hz clips and the dataset is now 22050 Hz"
    )
    assert "export.sample_rate=24000" in str(refused.value.fix)
    assert "--no-resume" in str(refused.value.fix)


def test_best_models_keep_k_and_the_link_never_writes_into_an_older_best(tmp_path: Path) -> None:
    from functools import partial

    from voicekit.train.loop import _save_best

    def coqui_saves(step: int) -> None:
        """What coqui's save_best_model does on an improvement (keep_all_best): write the new
        best, then copy it onto best_model.pth."""
        new = tmp_path / f"best_model_{step}.pth"
        new.write_bytes(f"weights of step {step}".encode())
        shutil.copyfile(new, tmp_path / "best_model.pth")

    for step in (10, 20, 30):
        _save_best(tmp_path, 2, partial(coqui_saves, step))
    _save_best(tmp_path, 2, lambda: None)  # an evaluation that did not improve
    kept = sorted(p.name for p in tmp_path.glob("best_model_*.pth"))
    assert kept == ["best_model_20.pth", "best_model_30.pth"]
    assert (tmp_path / "best_model_20.pth").read_bytes() == b"weights of step 20"  # untouched
    best = tmp_path / "best_model.pth"
    assert best.samefile(tmp_path / "best_model_30.pth")  # a link, not a second file


def test_the_model_is_built_without_coquis_english_default_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from TTS.tts.models.vits import Vits

    from voicekit.train.model import vits, vits_config

    def config() -> object:
        return vits_config(TINY, sample_rate=RATE, output=str(tmp_path), gpu=False,
                           has_val=False, batch=4)  # fmt: skip

    with caplog.at_level("WARNING"):
        vits(config())
        assert "English" not in caplog.text
        Vits(config())  # coqui's own: the warning left out
        assert "Initializing with English" in caplog.text
