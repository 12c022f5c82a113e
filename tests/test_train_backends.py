"""voicekit train --backend: plans, commands and licences of xtts, gptsovits and f5tts.

The external tools are fake executables that record their argv and environment: voicekit
really runs them as subprocesses, so the tests check which files it hands each tool. Nothing
is trained.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from voicekit.cli.app import app
from voicekit.errors import InputError, ModelNotFoundError
from voicekit.train import backends, consent
from voicekit.train.backends import f5tts, gptsovits, xtts
from voicekit.workspace import Workspace

TEXTS = [f"This is sentence number {i}." for i in range(12)]

# records argv and the GPT-SoVITS variables; fakes the part files the real scripts write
RECORDER = """#!/bin/sh
{ echo "$(basename "$0")"; printf '%s\\n' "$@"; echo "inp_text=$inp_text"; echo "opt_dir=$opt_dir";
  echo "cwd=$(pwd)"; echo ---; } >> "$VK_RECORD"
case "$*" in
  *1-get-text.py*) mkdir -p "$opt_dir"
    printf 'clip00.wav\\tp h\\t[1]\\tx\\n' > "$opt_dir/2-name2text-0.txt";;
  *3-get-semantic.py*) printf 'clip00.wav\\t1 2 3\\n' > "$opt_dir/6-name2semantic-0.tsv";;
esac
"""


def _dataset(root: Path) -> Workspace:
    """The export's files: wavs, metadata*.csv, gptsovits.list and f5tts/metadata.csv."""
    ws = Workspace(root)
    data = ws.path("dataset")
    (data / "wavs" / "target").mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows, listing, f5 = [], [], ["audio_file|text\n"]
    for i, text in enumerate(TEXTS):
        wav = f"wavs/target/clip{i:02d}.wav"
        sf.write(data / wav, 0.1 * rng.standard_normal(22050).astype("float32"), 22050)
        rows.append(f"target/clip{i:02d}|{text}|{text}\n")
        listing.append(f"{data / wav}|target|en|{text}\n")
        f5.append(f"{wav}|{text}\n")
    (data / "metadata.csv").write_text("".join(rows[:10]), encoding="utf-8")
    (data / "metadata_val.csv").write_text("".join(rows[10:]), encoding="utf-8")
    (data / "gptsovits.list").write_text("".join(listing), encoding="utf-8")
    (data / "f5tts").mkdir()
    (data / "f5tts" / "metadata.csv").write_text("".join(f5), encoding="utf-8")
    (data / "f5tts" / "wavs").symlink_to(Path("..") / "wavs", target_is_directory=True)
    consent.record(ws, consent.FLAG)
    return ws


def _tool(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RECORDER, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _calls(record: Path) -> list[list[str]]:
    blocks = record.read_text(encoding="utf-8").split("---\n")
    return [b.splitlines() for b in blocks if b.strip()]


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No tool installed: an empty PATH folder plus the system's, no tool variables."""
    for var in (f5tts.DIR_VARIABLE, f5tts.PYTHON_VARIABLE, gptsovits.DIR_VARIABLE,
                gptsovits.PYTHON_VARIABLE):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("VOICEKIT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("VK_RECORD", str(tmp_path / "record.txt"))
    return tmp_path


def test_f5tts_runs_prepare_and_finetune_on_the_exported_list(
    bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _dataset(bare / "ws")
    checkout = bare / "F5-TTS"
    (checkout / f5tts.PREPARE).parent.mkdir(parents=True)
    (checkout / f5tts.PREPARE).write_text("# stands in for F5-TTS's script\n")
    _tool(bare / "bin" / "python")
    _tool(bare / "bin" / f5tts.CLI)
    monkeypatch.setenv(f5tts.DIR_VARIABLE, str(checkout))
    monkeypatch.setenv("PATH", f"{bare / 'bin'}{os.pathsep}{os.environ['PATH']}")

    result = CliRunner().invoke(app, ["train", "--workspace", str(ws.root), "--backend", "f5tts",
                                      "--epochs", "3"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "f5tts fine-tunes from: F5-TTS pretrained weights" in result.output
    assert "CC-BY-NC" in result.output
    prepare, finetune = _calls(bare / "record.txt")
    assert prepare[:3] == ["python", f5tts.PREPARE, str(ws.path("dataset/f5tts"))]
    assert prepare[-1] == f"cwd={checkout}"
    data = Path(prepare[3])
    assert data.is_relative_to(ws.path("train/f5tts")) and data.name.endswith("_pinyin")
    name = data.name.removesuffix("_pinyin")
    assert finetune[0] == f5tts.CLI
    args = finetune[1 : finetune.index("inp_text=")]
    assert args[args.index("--dataset_name") + 1] == name
    assert args[args.index("--epochs") + 1] == "3" and "--finetune" in args
    assert finetune[-1] == f"cwd={ws.path('train/f5tts')}"
    # F5-TTS reads <checkout>/data/<name>_pinyin and writes <checkout>/ckpts/<name>
    assert (checkout / "data" / data.name).resolve() == data.resolve()
    assert (checkout / "ckpts" / name).resolve() == ws.path(f"train/f5tts/ckpts/{name}").resolve()
    ledger = {(e.path, e.kind) for e in ws.ledger()}
    assert ("train/f5tts", "checkpoint") in ledger
    assert (str(checkout / "data" / data.name), "weights") in ledger
    assert any(p.startswith("train/f5tts/logs/") for p, _ in ledger)


def test_f5tts_absent_prints_the_commands_and_exits_0(bare: Path) -> None:
    ws = _dataset(bare / "ws")
    result = CliRunner().invoke(app, ["train", "--workspace", str(ws.root), "--backend", "f5tts"])
    assert result.exit_code == 0, result.output
    assert "f5tts is not run here" in result.output
    assert f"{f5tts.PREPARE} {ws.path('dataset/f5tts')}" in result.output
    assert f"{f5tts.CLI} --exp_name F5TTS_v1_Base --dataset_name voicekit_" in result.output
    assert "ln -s" in result.output and "CC-BY-NC" in result.output
    assert not ws.path("train/f5tts").exists()  # nothing runs, nothing is written


def test_gptsovits_runs_the_webui_steps_with_the_list(
    bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _dataset(bare / "ws")
    checkout = bare / "GPT-SoVITS"
    (checkout / "GPT_SoVITS" / "configs").mkdir(parents=True)
    (checkout / "GPT_SoVITS" / "s2_train.py").write_text("")
    (checkout / gptsovits.S2_TEMPLATE).write_text('{"train": {"fp16_run": true}, "data": {}}')
    (checkout / gptsovits.S1_TEMPLATE).write_text("train:\n  seed: 1234\n")
    python = _tool(bare / "gsv-env" / "python")
    monkeypatch.setenv(gptsovits.DIR_VARIABLE, str(checkout))
    monkeypatch.setenv(gptsovits.PYTHON_VARIABLE, str(python))

    result = CliRunner().invoke(app, ["train", "--workspace", str(ws.root), "--backend",
                                      "gptsovits"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "gptsovits fine-tunes from: GPT-SoVITS v2 pretrained weights" in result.output
    calls = _calls(bare / "record.txt")
    scripts = [c[2] for c in calls]
    assert scripts == ["GPT_SoVITS/prepare_datasets/1-get-text.py",
                       "GPT_SoVITS/prepare_datasets/2-get-hubert-wav32k.py",
                       "GPT_SoVITS/prepare_datasets/3-get-semantic.py",
                       "GPT_SoVITS/s2_train.py", "GPT_SoVITS/s1_train.py"]  # fmt: skip
    opt = ws.path("train/gptsovits/logs/voicekit")
    for call in calls[:3]:
        assert f"inp_text={ws.path('dataset/gptsovits.list')}" in call
        assert f"opt_dir={opt}" in call and f"cwd={checkout}" in call
    # the merge voicekit runs between the prepare scripts and training, as the webui does
    assert (opt / "6-name2semantic.tsv").read_text().startswith("item_name\tsemantic_audio\n")
    assert (opt / "2-name2text.txt").is_file()
    s2 = json.loads(ws.path("train/gptsovits/s2.json").read_text())
    assert s2["data"]["exp_dir"] == s2["s2_ckpt_dir"] == str(opt)
    assert s2["train"]["pretrained_s2G"].startswith(str(checkout))
    assert calls[3][4] == str(ws.path("train/gptsovits/s2.json"))
    s1 = ws.path("train/gptsovits/s1.yaml").read_text()
    assert f"train_semantic_path: {opt / '6-name2semantic.tsv'}" in s1 and "seed: 1234" in s1
    ledger = {e.path for e in ws.ledger()}
    assert {"train/gptsovits/s2.json", "train/gptsovits/logs/voicekit/2-name2text.txt"} <= ledger


def test_gptsovits_absent_prints_commands(bare: Path) -> None:
    ws = _dataset(bare / "ws")
    result = CliRunner().invoke(app, ["train", "--workspace", str(ws.root), "--backend",
                                      "gptsovits"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"inp_text={ws.path('dataset/gptsovits.list')}" in result.output
    assert "GPT_SoVITS/prepare_datasets/1-get-text.py" in result.output
    assert "GPT_SoVITS/s1_train.py --config_file" in result.output
    assert "MIT" in result.output


def test_missing_export_file_is_an_input_error(bare: Path) -> None:
    ws = _dataset(bare / "ws")
    ws.path("dataset/gptsovits.list").unlink()
    with pytest.raises(InputError, match=r"gptsovits\.list"):
        backends.get("gptsovits").prepare(ws, backends.Options())


def test_xtts_without_weights_names_the_files_and_where_it_looked(bare: Path) -> None:
    ws = _dataset(bare / "ws")
    with pytest.raises(ModelNotFoundError) as err:
        backends.get("xtts").prepare(ws, backends.Options())
    assert all(name in str(err.value) for name in xtts.FILES)
    assert str(bare / "models" / "xtts-v2") in err.value.looked
    result = CliRunner().invoke(app, ["train", "--workspace", str(ws.root), "--backend", "xtts"])
    assert result.exit_code == 1
    assert "dvae.pth" in result.output and "huggingface.co/coqui/XTTS-v2" in result.output


def test_xtts_config_and_samples_from_the_export(bare: Path) -> None:
    """Up to the weights: the recipe's config on voicekit's LJSpeech files, read by coqui."""
    from TTS.tts.datasets import load_tts_samples

    ws = _dataset(bare / "ws")
    weights = bare / "xtts-v2"
    weights.mkdir()
    for name in xtts.FILES:
        (weights / name).write_bytes(b"")  # present, never loaded here
    (weights / "config.json").write_text('{"model": "xtts", "model_args": {"gpt_layers": 3}}')
    options = backends.Options(init=weights)
    plan = backends.get("xtts").prepare(ws, options)
    assert plan.missing is None and "Coqui Public Model License" in plan.licence
    config = xtts.gpt_config(ws.path("dataset"), weights, bare / "out", options)
    assert config.model_args.xtts_checkpoint == str(weights / "model.pth")
    assert config.model_args.dvae_checkpoint == str(weights / "dvae.pth")
    assert config.model_args.gpt_layers == 3  # the shape of the weights' own config
    assert config.model_args.gpt_n_model_channels == 1024  # XTTS-v2's, where it says nothing
    assert config.datasets[0].language == "en"
    train, val = load_tts_samples(config, eval_split=True)
    assert len(train) == 10 and len(val) == 2
    assert all(Path(s["audio_file"]).is_file() for s in train + val)


def test_vits_stays_default_and_unknown_backend_is_refused(bare: Path) -> None:
    ws = _dataset(bare / "ws")
    plan = backends.get("vits").prepare(ws, backends.Options())
    assert plan.backend == "vits" and plan.missing is None and "from your data only" in plan.licence
    result = CliRunner().invoke(
        app, ["train", "--workspace", str(ws.root), "--backend", "tacotron"]
    )
    assert result.exit_code == 2
    assert "unknown backend 'tacotron'" in result.output and "gptsovits" in result.output


def test_soundfile_readers_match_coquis_torchaudio_readers(tmp_path: Path) -> None:
    """The readers voicekit puts into coqui return what coqui's own (torchaudio) ones do."""
    import numpy as np
    import soundfile as sf
    from TTS.tts.models import vits, xtts

    from voicekit.train.clips import vits_load_audio, xtts_load_audio

    t = np.arange(24000) / 24000
    path = tmp_path / "clip.wav"
    sf.write(path, (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 24000,
             subtype="PCM_16")
    ours, rate = vits_load_audio(str(path))
    theirs, their_rate = vits.load_audio(str(path))
    assert rate == their_rate == 24000 and ours.shape == theirs.shape == (1, 24000)
    assert float((ours - theirs).abs().max()) < 1e-4
    ours = xtts_load_audio(str(path), 22050)
    theirs = xtts.load_audio(str(path), 22050)
    assert ours.shape == theirs.shape
    middle = slice(200, -200)  # the resamplers differ at the edges
    assert float((ours[0, middle] - theirs[0, middle]).abs().max()) < 0.01
