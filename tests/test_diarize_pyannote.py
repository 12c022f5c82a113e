"""The pyannote.audio diarization backend, offline, on a tiny randomly initialised pipeline.

The fixture builds a real pyannote pipeline folder (config.yaml + segmentation/ + embedding/ +
plda/, the layout of pyannote/speaker-diarization-community-1): a small PyanNet powerset
segmentation model, a WeSpeakerResNet34 embedding model and a made-up PLDA, all random. The
stage loads it through the same `Pipeline.from_pretrained` path the real weights use.

Random weights give meaningless speakers and boundaries: these tests check structure (the record
contract, overlaps, embeddings rows, caching, errors), never diarization quality. The
segmentation's output bias is set so that one-speaker and two-speaker classes compete, so the
overlap path is exercised by the real pipeline rather than left to chance.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from voices import RATE, conversation, write

from voicekit.config import Config, fingerprint, load
from voicekit.errors import ModelNotFoundError
from voicekit.manifest import Segment
from voicekit.models.random_weights import pyannote_pipeline
from voicekit.pipeline.runner import Runner
from voicekit.pipeline.stage import Context
from voicekit.stages.diarize import DiarizeStage
from voicekit.stages.diarize.pyannote import (
    OverlapSpan,
    build_spans,
    find_pipeline,
    import_pyannote,
    pipeline_fingerprint,
)
from voicekit.stages.diarize.turns import Span
from voicekit.workspace import Workspace


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pyannote_pipeline(tmp_path_factory.mktemp("pyannote") / "tiny-pipeline", full=False,
                             step=0.5)


def _config(path: Path | str, *extra: str) -> Config:
    return load(None, ["diarize.backend=pyannote", f"diarize.pyannote.path={path}", *extra])


@pytest.fixture(scope="module")
def run(tiny: Path, tmp_path_factory: pytest.TempPathFactory):
    """Two flite voices (~10 s) through the real stage and runner, then once more (cached)."""
    root = tmp_path_factory.mktemp("ws")
    wav, _ = conversation(turns=3)
    ws = Workspace(root / "ws")
    rel = "stages/separate/x/vocals.wav"
    write(ws.path(rel), wav)
    seconds = len(wav) / RATE
    rec = Segment("film", "film", 0.0, seconds, rel,
                  custom={"role": "recording", "recording_duration": seconds})
    config = _config(tiny, "diarize.pyannote.max_speakers=3")
    runner = Runner([DiarizeStage(config)], Context(ws, config))
    segments, report = runner.run_stage(runner.stages[0], [rec])
    again, cached = runner.run_stage(runner.stages[0], [rec])
    return ws, seconds, segments, report, again, cached


def test_metrics_are_off_after_import():
    import_pyannote()
    from pyannote.audio.telemetry.metrics import is_metrics_enabled

    assert os.environ["PYANNOTE_METRICS_ENABLED"] == "0"
    assert not is_metrics_enabled()


def test_record_contract_through_the_runner(run):
    ws, seconds, segments, report, _, _ = run
    assert report.computed == 1 and segments
    turns = [s for s in segments if s.custom["role"] == "turn"]
    overlaps = [s for s in segments if s.custom["role"] == "overlap"]
    assert turns and len(turns) + len(overlaps) == len(segments)
    assert overlaps, "the biased segmentation should produce overlapped frames"
    for s in turns:
        assert s.speaker is not None and s.speaker.startswith("S") and s.speaker[1:].isdigit()
    for s in overlaps:
        assert s.speaker is None and len(s.custom["speakers"]) >= 2
        assert s.custom["exclusive_speaker"] in s.custom["speakers"]
    for s in segments:  # inside the recording, in time order, not overlapping each other
        assert 0.0 <= s.start < s.end <= seconds + 0.01 and s.duration > 0
    for a, b in itertools.pairwise(segments):
        assert a.end <= b.start + 0.002
    rels = {s.custom["embedding"] for s in turns}
    assert len(rels) == 1
    embeddings = np.load(ws.path(rels.pop()))
    assert [s.custom["embedding_row"] for s in turns] == list(range(len(embeddings)))
    assert embeddings.shape == (len(turns), 256)
    norms = np.linalg.norm(embeddings, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-3)  # GE2E whole-turn embeddings, as identify expects


def test_second_run_is_cached(run):
    _, _, segments, _, again, cached = run
    assert cached.cached == 1 and cached.computed == 0 and again == segments


def test_fingerprint_covers_pipeline_files_not_device_knobs(tiny: Path, tmp_path: Path):
    base = DiarizeStage(_config(tiny)).fingerprint()
    assert base["weights"]["pipeline"] == "pyannote/speaker-diarization-community-1"
    assert "embedded" not in base
    assert DiarizeStage(_config(tiny, "diarize.pyannote.embedding_batch=4")).fingerprint() == base
    assert DiarizeStage(_config(tiny, "diarize.pyannote.min_speakers=2")).fingerprint() != base
    copy = Path(shutil.copytree(tiny, tmp_path / "copy"))
    assert DiarizeStage(_config(copy)).fingerprint() == base  # moving the folder keeps the key
    with open(copy / "config.yaml", "a", encoding="utf-8") as handle:
        handle.write("# changed\n")
    assert DiarizeStage(_config(copy)).fingerprint()["weights"] != base["weights"]


def test_embedded_fingerprint_is_unchanged():
    config = Config()
    assert DiarizeStage(config).fingerprint() == {
        "backend": "embedded", "embedded": fingerprint(config.diarize.embedded)}


def test_overlaps_and_exclusive_turns_from_annotations():
    import_pyannote()
    from pyannote.core import Annotation
    from pyannote.core import Segment as Seg

    full = Annotation()
    full[Seg(0.0, 4.0)] = "A"
    full[Seg(3.0, 6.0)] = "B"
    full[Seg(8.0, 9.0)] = "C"
    full[Seg(8.5, 9.5)] = "A"
    exclusive = Annotation()
    exclusive[Seg(0.0, 3.5)] = "A"
    exclusive[Seg(3.5, 6.0)] = "B"
    exclusive[Seg(8.0, 9.0)] = "C"
    exclusive[Seg(9.0, 9.5)] = "A"
    assert build_spans(full, exclusive) == [
        Span(0.0, 3.0, 0),
        OverlapSpan(3.0, 3.5, -1, (0, 1), 0),
        OverlapSpan(3.5, 4.0, -1, (0, 1), 1),
        Span(4.0, 6.0, 1),
        Span(8.0, 8.5, 2),
        OverlapSpan(8.5, 9.0, -1, (0, 2), 2),
        Span(9.0, 9.5, 0),
    ]


def test_missing_pipeline_names_where_it_looked_and_the_fix(tmp_path: Path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    config = load(None, ["diarize.backend=pyannote", f"models.dir={tmp_path / 'models'}"])
    with pytest.raises(ModelNotFoundError) as caught:
        find_pipeline(config.diarize.pyannote, config)
    err = caught.value
    assert err.model == "pyannote/speaker-diarization-community-1"
    assert str(tmp_path / "models" / "pyannote-community-1") in err.looked
    assert any(str(tmp_path / "hub") in where for where in err.looked)
    assert err.fix is not None
    for words in ("accept the model's terms", "HF_TOKEN",
                  "voicekit models fetch pyannote-community-1", "diarize.pyannote.path"):
        assert words in err.fix
    with pytest.raises(ModelNotFoundError):  # and the stage fails the same way before any work
        DiarizeStage(config).fingerprint()
    with pytest.raises(ModelNotFoundError, match="nowhere/pipe"):
        pipeline_fingerprint(_config(tmp_path / "nowhere" / "pipe").diarize.pyannote, None)


def test_spans_are_cut_at_the_end_of_the_audio():
    import_pyannote()
    from pyannote.core import Annotation
    from pyannote.core import Segment as Seg

    full = Annotation()
    full[Seg(1.0, 7.0)] = "A"
    full[Seg(5.0, 7.0)] = "B"
    exclusive = Annotation()
    exclusive[Seg(1.0, 7.0)] = "A"
    assert build_spans(full, exclusive, 6.0) == [Span(1.0, 5.0, 0),
                                                 OverlapSpan(5.0, 6.0, -1, (0, 1), 0)]
