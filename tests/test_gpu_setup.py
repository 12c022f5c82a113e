"""GPU set-up paths that run without a GPU: device choice, demucs weights import and fetch,
the CUDA 12 cuBLAS that faster-whisper needs, and what doctor reports about the GPU backends.

The demucs model here is a tiny random HTDemucs saved under the published htdemucs file name:
it proves the import -> resolution -> load path, never separation quality.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from voicekit import config
from voicekit.errors import ConfigError, DependencyError
from voicekit.models import doctor as model_doctor
from voicekit.models import registry
from voicekit.models.fetch import fetch_model
from voicekit.models.random_weights import TINY_HTDEMUCS, demucs_repo
from voicekit.models.resolve import import_model, info
from voicekit.pipeline.device import learned_backends, resolve
from voicekit.stages.separate.demucs_weights import find_weights, load_model

HTDEMUCS_FILE = registry.KNOWN["htdemucs"].patterns[0]


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOICEKIT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "models"


def test_device_choice():
    import torch

    assert resolve("cpu") == "cpu"
    assert resolve("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ConfigError):
        resolve("gpu")
    with pytest.raises(DependencyError, match="CUDA GPU"):
        resolve(f"cuda:{torch.cuda.device_count() + 3}")


def test_learned_backends_of_the_gpu_config():
    gpu = config.load(config.CONFIG_DIR / "gpu.yaml")
    assert learned_backends(gpu) == ["demucs separation (htdemucs)", "pyannote diarization",
                                     "Whisper large-v3"]
    assert learned_backends(config.load()) == []  # the embedded defaults suit a CPU


def test_imported_htdemucs_is_found_and_loads(tmp_path: Path, models: Path):
    folder = demucs_repo(tmp_path / "copy", "htdemucs", TINY_HTDEMUCS, file=HTDEMUCS_FILE)
    conf = config.load(config.CONFIG_DIR / "gpu.yaml")
    assert not info("htdemucs", conf, checksums=False).present
    row = next(c for c in model_doctor.gpu_backend_checks(conf) if "htdemucs" in c.name)
    assert not row.ok and "voicekit models import htdemucs" in row.fix
    dest = import_model("htdemucs", folder, conf)
    assert dest == models / "htdemucs"
    weights = find_weights(conf.separate.demucs, conf)
    assert weights.weights_dir == dest and weights.files[-1].name == HTDEMUCS_FILE
    # the random weights do not match the published file's hash: demucs's own check says so
    with pytest.raises(DependencyError, match="htdemucs is damaged") as err:
        load_model(weights)
    assert err.value.fix is not None and "voicekit models fetch htdemucs" in err.value.fix
    row = next(c for c in model_doctor.gpu_backend_checks(conf) if "htdemucs" in c.name)
    assert row.ok and row.detail == str(dest)


def test_import_refuses_an_incomplete_htdemucs(tmp_path: Path, models: Path):
    folder = demucs_repo(tmp_path / "copy", "htdemucs", TINY_HTDEMUCS)  # wrong file name
    with pytest.raises(Exception, match=HTDEMUCS_FILE):
        import_model("htdemucs", folder, config.load())
    assert not (models / "htdemucs").exists()


def test_demucs_fetch_failure_is_one_clear_error(models: Path, monkeypatch: pytest.MonkeyPatch):
    entry = registry.KNOWN["htdemucs"]
    monkeypatch.setitem(registry.KNOWN, "htdemucs",
                        registry.KnownModel(**{**entry.__dict__, "repo": "file:///nonexistent/"}))
    with pytest.raises(DependencyError, match="cannot download htdemucs") as err:
        fetch_model("htdemucs", config.load())
    assert err.value.fix is not None and "voicekit models import htdemucs" in err.value.fix
    assert not models.exists() or not any(models.iterdir())  # no partial copy left


def _has_cublas12() -> bool:
    from voicekit.stages.transcribe.cuda import load_cublas12

    try:
        load_cublas12()
    except DependencyError:
        return False
    return True


@pytest.mark.skipif(_has_cublas12(), reason="this machine has CUDA 12 cuBLAS")
def test_whisper_on_cuda_without_cublas12_falls_back_to_cpu(caplog: pytest.LogCaptureFixture):
    from voicekit.models.resolve import resolve as resolve_model
    from voicekit.stages.transcribe.whisper import WhisperBackend

    path = resolve_model("whisper-tiny.en", None)
    with caplog.at_level(logging.WARNING, logger="voicekit"):
        backend = WhisperBackend(path, device="cuda", compute_type="auto", threads=1)
    assert "nvidia-cublas-cu12" in caplog.text and "on the CPU" in caplog.text
    result = backend.transcribe(np.zeros(16000, np.float32), "en", beam_size=1, vad_filter=False)
    assert isinstance(result.text, str)  # it ran, on the CPU
    backend.close()
