"""configs/gpu.yaml end to end on the CPU: demucs, pyannote and faster-whisper through the CLI.

No real weights exist on this machine (no model hub is reachable), so the fixtures build tiny
randomly initialised models of the real architectures (voicekit.models.random_weights) and the
run points the GPU config at them with --set. Random weights give meaningless stems, speakers
and transcripts: these tests check that every stage runs and writes records of the contract
(docs/architecture.md), never the quality of what the models produce.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf
from typer.testing import CliRunner
from voices import SENTENCES, conversation, speak, write

from voicekit.cli.app import app
from voicekit.errors import ModelNotFoundError
from voicekit.hashing import file_sha256
from voicekit.models.random_weights import (
    TINY_HTDEMUCS,
    demucs_repo,
    pyannote_pipeline,
    whisper_model,
)
from voicekit.stages.ingest import recording_id

DEMUCS = "tinyvox"
STAGES = ["ingest", "separate", "diarize", "identify", "transcribe", "segment", "filters",
          "export"]
runner = CliRunner()


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three tiny random models, in the folders the real weights would be given as."""
    root = tmp_path_factory.mktemp("weights")
    return {
        "demucs": demucs_repo(root / "demucs", DEMUCS, TINY_HTDEMUCS),
        # a coarse step: few segmentation windows on a short film
        "pyannote": pyannote_pipeline(root / "pyannote", full=False, step=0.5),
        "whisper": whisper_model(root / "whisper"),
    }


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A ~8 s two-voice 'film' (flite slt and rms taking turns) and an enrolment clip of slt."""
    folder = tmp_path_factory.mktemp("film")
    wav, _ = conversation(turns=2)
    ref = write(folder / "ref_slt.wav", speak(SENTENCES[6], "slt"))
    return write(folder / "film.wav", wav), ref


def _dataset(film: Path, who: list[str], ws: Path, *sets: str) -> Any:
    args = ["dataset", str(film), *who, "--config", "configs/gpu.yaml", "--device", "cpu",
            "--lang", "en", "--workspace", str(ws)]
    for item in sets:
        args += ["--set", item]
    return runner.invoke(app, args)


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def run(weights: dict[str, Path], film: tuple[Path, Path],
        tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    ws = tmp_path_factory.mktemp("run") / "ws"
    # the random segmentation labels every exclusive turn S0 (the other speaker only ever in
    # overlaps), so no cluster matches an enrolment clip: the target is given as the cluster
    rid = recording_id(film[0], file_sha256(film[0]))
    result = _dataset(
        film[0], ["--target", f"{rid}:S0"], ws,
        f"separate.demucs.model={DEMUCS}", f"separate.demucs.repo={weights['demucs']}",
        "separate.demucs.chunk_s=4", "separate.demucs.crossfade_s=0.5",
        "separate.demucs.overlap=0.1", f"diarize.pyannote.path={weights['pyannote']}",
        f"transcribe.model={weights['whisper']}", "transcribe.beam_size=1")
    assert result.exit_code == 0, result.output
    return ws, film[0]


def test_every_stage_ran(run: tuple[Path, Path]) -> None:
    ws, _ = run
    events = _read(ws / "logs/events.jsonl")
    assert {e["what"] for e in events} == {"computed"}
    assert [s for s in STAGES if any(e["stage"] == s for e in events)] == STAGES


def test_manifests_follow_the_record_contract(run: tuple[Path, Path]) -> None:
    ws, film = run
    seconds = sf.info(film).duration
    for stage in STAGES:
        segments = _read(ws / "manifests" / f"{stage}.jsonl")
        assert segments or stage == "export", stage  # export returns only the exported clips
        for seg in segments:
            assert seg["start"] >= 0 and seg["duration"] > 0, (stage, seg)
            assert seg["start"] + seg["duration"] <= seconds + 0.05, (stage, seg)
            assert (ws / seg["audio"]).is_file(), (stage, seg["audio"])

    [separated] = _read(ws / "manifests/separate.jsonl")
    assert separated["audio"].endswith("/vocals.wav")
    assert separated["custom"]["mix"].startswith("stages/ingest/")
    vocals = sf.info(ws / separated["audio"])
    assert vocals.channels == 1 and vocals.duration == pytest.approx(seconds, abs=0.01)

    diarized = _read(ws / "manifests/diarize.jsonl")
    turns = [s for s in diarized if s["custom"]["role"] == "turn"]
    assert turns and all(s["speaker"] and s["audio"] == separated["audio"] for s in turns)
    for seg in diarized:
        if seg["custom"]["role"] == "overlap":
            assert seg["speaker"] is None and len(seg["custom"]["speakers"]) >= 2

    identified = _read(ws / "manifests/identify.jsonl")
    assert any(s["speaker"] == "target" for s in identified)
    assert all("similarity" in s["scores"] for s in identified if s["custom"]["role"] == "turn")


def test_transcribe_recorded_whisper_fields(run: tuple[Path, Path],
                                            weights: dict[str, Path]) -> None:
    ws, _ = run
    targets = [s for s in _read(ws / "manifests/transcribe.jsonl") if s["speaker"] == "target"]
    assert targets
    # random weights: Whisper may hear nothing in a turn (empty text, no words), so content is
    # never checked; every target turn went through Whisper, and a turn it heard carries its
    # quality signals, its words inside the turn (plus the context Whisper was given)
    for seg in targets:
        assert seg["custom"]["text_source"] == "asr", seg
        assert seg["custom"]["asr_model"] == str(weights["whisper"])
        assert seg["language"] == "en" and isinstance(seg["text"], str)
        end = seg["start"] + seg["duration"]
        for word in seg["words"]:
            assert seg["start"] - 0.5 <= word["start"] <= word["end"] <= end + 0.5
        if seg["words"]:
            assert {"asr_logprob", "no_speech_prob", "compression_ratio"} <= set(seg["scores"])


def test_export_wrote_the_dataset(run: tuple[Path, Path]) -> None:
    ws, _ = run
    dataset = ws / "dataset"
    assert (dataset / "report.html").stat().st_size > 1000
    for name in ("README.txt", "manifest.jsonl", "metadata.csv", "rejected.jsonl"):
        assert (dataset / name).is_file(), name
    # random diarization cuts the target into fragments: clips may all be rejected (too short),
    # but every clip the filters saw is either exported or listed with its reason
    clips = [s for s in _read(ws / "manifests/filters.jsonl") if s["custom"]["role"] == "clip"]
    kept = _read(dataset / "manifest.jsonl")
    rejected = _read(dataset / "rejected.jsonl")
    assert len(kept) + len(rejected) >= len([c for c in clips if c["rejected"] is None])
    for clip in kept:
        assert (dataset / clip["audio"]).is_file()


def test_missing_demucs_weights_is_one_line(weights: dict[str, Path], film: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    empty = tmp_path / "no-demucs"
    empty.mkdir()
    result = _dataset(film[0], ["--ref", str(film[1])], tmp_path / "ws",
                      f"separate.demucs.model={DEMUCS}", f"separate.demucs.repo={empty}",
                      f"diarize.pyannote.path={weights['pyannote']}",
                      f"transcribe.model={weights['whisper']}")
    assert result.exit_code == ModelNotFoundError.exit_code, result.output
    assert "Traceback" not in result.output
    assert f"model '{DEMUCS}' not found" in result.output
    assert f"voicekit models fetch {DEMUCS}" in result.output
