"""The demucs separation backend, run through the real runner and demucs's own loading code.

No real demucs weights exist on this machine (no model hub is reachable), so these tests build
a tiny randomly initialised `HTDemucs` (channels=8, no transformer layers) and save it as a
local repository bag (`<sig>.th` + `<name>.yaml`), the layout demucs loads pretrained models
from. Its "vocals" are meaningless: the tests check lengths, chunk stitching, resume after a
crash and the missing-weights error, never separation quality.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voicekit import config
from voicekit.errors import ModelNotFoundError, StageError
from voicekit.models.random_weights import TINY_HTDEMUCS, demucs_repo
from voicekit.pipeline.runner import Runner
from voicekit.pipeline.stage import Context
from voicekit.stages.ingest import IngestStage
from voicekit.stages.separate import SeparateStage
from voicekit.stages.separate.demucs import chunk_spans
from voicekit.workspace import Workspace

NAME = "tinyvox"
RATE = 24000  # ingest's sample rate
FRAMES = int(6.5 * RATE)  # 4 full chunks: 0-2, 1.5-3.5, 3-5, 4.5-6.5 s
CROSSFADE = RATE // 2
CHUNKED = ("separate.demucs.chunk_s=2", "separate.demucs.crossfade_s=0.5")
SPANS = chunk_spans(FRAMES, 2 * RATE, CROSSFADE)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local demucs repository holding the bag `tinyvox` of one tiny random HTDemucs."""
    return demucs_repo(tmp_path_factory.mktemp("demucs_repo"), NAME, TINY_HTDEMUCS)


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6.5 s of stereo 'film': a voice-like harmonic tone in the centre, noise in the sides."""
    rate = 44100  # ingest resamples to RATE
    t = np.arange(round(FRAMES / RATE * rate)) / rate
    voice = 0.3 * np.sin(2 * np.pi * 180 * t * (1 + 0.05 * np.sin(2 * np.pi * 0.5 * t)))
    noise = np.random.default_rng(0).standard_normal((len(t), 2)) * 0.05
    path = tmp_path_factory.mktemp("film") / "film.wav"
    sf.write(path, (voice[:, None] + noise).astype(np.float32), rate)
    return path


def _run(ws: Path, film: Path, repo: Path, *sets: str) -> np.ndarray:
    conf = config.load(config.CONFIG_DIR / "gpu.yaml", [
        f"separate.demucs.model={NAME}", f"separate.demucs.repo={repo}", *sets])
    ctx = Context(Workspace(ws), conf, sources=[film])
    segments, _ = Runner([IngestStage(conf), SeparateStage(conf)], ctx).run()
    [seg] = segments
    assert seg.audio.endswith("/vocals.wav") and seg.custom["mix"].startswith("stages/ingest/")
    assert sf.info(ctx.workspace.path(seg.custom["mix"])).frames == FRAMES
    vocals, rate = sf.read(ctx.workspace.path(seg.audio), dtype="float32")
    assert rate == RATE
    return vocals


@pytest.fixture(scope="module")
def chunked(tmp_path_factory: pytest.TempPathFactory, film: Path, repo: Path) -> np.ndarray:
    """The vocals of `film` separated in 4 chunks (an uninterrupted run)."""
    return _run(tmp_path_factory.mktemp("chunked"), film, repo, *CHUNKED)


def test_chunk_spans_overlap_and_cover():
    assert chunk_spans(100, 30, 5) == [(0, 30), (25, 55), (50, 80), (75, 100)]
    assert chunk_spans(20, 30, 5) == [(0, 20)]
    assert len(SPANS) == 4


def test_chunked_equals_unchunked(tmp_path: Path, film: Path, repo: Path, chunked: np.ndarray):
    whole = _run(tmp_path, film, repo, "separate.demucs.chunk_s=60")
    assert chunked.ndim == 1 and len(chunked) == len(whole) == FRAMES
    assert np.sqrt(np.mean(whole**2)) > 1e-3  # the model produced something to compare
    # Chunk hops are a multiple of demucs's segment stride (1.5 s here) and every chunk is full,
    # so its segments fall at the same times in both runs and the overlap-free middles agree
    # (measured: identical 16-bit samples); in the crossfades the segments differ (a random
    # model is far from shift-invariant), which is what the crossfade hides.
    middle = np.zeros(FRAMES, dtype=bool)
    for start, stop in SPANS:
        middle[start + CROSSFADE : stop - CROSSFADE] = True
    error = chunked[middle] - whole[middle]
    snr = 10 * np.log10(np.sum(whole[middle] ** 2) / np.sum(error**2))
    assert snr > 60, snr
    # no jump at the chunk borders: sample-to-sample steps there are like everywhere else
    steps = np.abs(np.diff(chunked))
    borders = [edge for span in SPANS[1:] for edge in span] + [SPANS[0][1]]
    worst = max(steps[max(0, b - 3) : b + 3].max() for b in borders if b < FRAMES - 3)
    assert worst <= 1.5 * np.percentile(steps, 99.9)


def test_crash_resumes_at_last_finished_chunk(tmp_path: Path, film: Path, repo: Path,
                                              chunked: np.ndarray,
                                              monkeypatch: pytest.MonkeyPatch):
    import demucs.apply

    real = demucs.apply.apply_model
    calls: list[int] = []
    crash_after = 2

    def counting(model, mix, **kwargs):
        if isinstance(model, demucs.apply.BagOfModels):  # not demucs's own inner calls
            if crash_after and len(calls) == crash_after:
                raise RuntimeError("simulated crash")
            calls.append(mix.shape[0])  # chunks in this call (batch 1 on the CPU)
        return real(model, mix, **kwargs)

    monkeypatch.setattr(demucs.apply, "apply_model", counting)
    with pytest.raises(StageError, match="simulated crash"):
        _run(tmp_path, film, repo, *CHUNKED)
    assert sum(calls) == 2
    crash_after = 0
    resumed = _run(tmp_path, film, repo, *CHUNKED)
    assert sum(calls) == len(SPANS)  # only the 2 unfinished chunks ran again
    np.testing.assert_array_equal(resumed, chunked)
    calls.clear()
    _run(tmp_path, film, repo, *CHUNKED)  # a rerun is cached: nothing is separated
    assert calls == []
    assert not list(tmp_path.rglob("*.npy"))  # chunk checkpoints are gone once published


def test_missing_model_names_it_and_the_fix(tmp_path: Path, film: Path, repo: Path,
                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VOICEKIT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    conf = config.load(config.CONFIG_DIR / "gpu.yaml", ["separate.demucs.model=htdemucs_ft"])
    ctx = Context(Workspace(tmp_path / "ws"), conf, sources=[film])
    with pytest.raises(ModelNotFoundError) as err:
        Runner([IngestStage(conf), SeparateStage(conf)], ctx).run()
    assert err.value.model == "htdemucs_ft"
    assert str(tmp_path / "models" / "demucs") in err.value.looked
    assert err.value.fix is not None and "voicekit models fetch htdemucs_ft" in err.value.fix


def test_other_weights_invalidate_the_cache(tmp_path: Path, repo: Path):
    other = tmp_path / "other"
    other.mkdir()
    for path in repo.iterdir():
        (other / path.name).write_bytes(path.read_bytes())
    stage = SeparateStage(config.load(config.CONFIG_DIR / "gpu.yaml", [
        f"separate.demucs.model={NAME}", f"separate.demucs.repo={repo}"]))
    moved = SeparateStage(config.load(config.CONFIG_DIR / "gpu.yaml", [
        f"separate.demucs.model={NAME}", f"separate.demucs.repo={other}"]))
    assert stage.fingerprint() == moved.fingerprint()  # same weights elsewhere: same key
    with open(other / "a1b2c3d4.th", "ab") as handle:
        handle.write(b"\0")
    assert stage.fingerprint() != SeparateStage(moved.config).fingerprint()
    assert "demucs" not in SeparateStage(config.load(None)).fingerprint()
