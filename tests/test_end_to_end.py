"""The whole flow through the CLI on demo films: dataset, resume, re-tune, report, purge."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicekit.cli.app import app
from voicekit.demo.scenes import build_tts_set

runner = CliRunner()


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    build_tts_set(folder, seed=0)
    return folder


def _events(ws: Path) -> list[dict[str, str]]:
    return [json.loads(x) for x in (ws / "logs/events.jsonl").read_text().splitlines()]


def _dataset(films: Path, ws: Path, *extra: str) -> list[dict[str, str]]:
    before = len(_events(ws)) if (ws / "logs/events.jsonl").exists() else 0
    sources = sorted(str(p) for p in films.iterdir() if p.suffix in (".mkv", ".mp4"))
    result = runner.invoke(app, ["dataset", *sources, "--ref-dir", str(films / "refs/piper-joe"),
                                 "--workspace", str(ws), *extra])
    assert result.exit_code == 0, result.output
    return _events(ws)[before:]


def test_dataset_resume_retune_report_purge(films: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    first = _dataset(films, ws)
    assert {e["what"] for e in first} == {"computed"}
    dataset = ws / "dataset"
    manifest = [json.loads(x) for x in (dataset / "manifest.jsonl").read_text().splitlines()]
    assert manifest, "no clip kept from three films"
    for clip in manifest:
        assert (dataset / clip["audio"]).exists()
    with open(dataset / "metadata.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="|", quoting=csv.QUOTE_NONE))
    assert rows and all(len(r) == 3 and r[1] for r in rows)
    assert (dataset / "report.html").stat().st_size > 1000

    # the same command again: every stage comes from the cache
    again = _dataset(films, ws)
    assert {e["what"] for e in again} == {"cached"}
    # a filter threshold: only filters and export run again
    retuned = _dataset(films, ws, "--set", "filters.min_snr_db=40")
    computed = {e["stage"] for e in retuned if e["what"] == "computed"}
    assert computed == {"filters", "export"}
    rejected = (dataset / "rejected.jsonl").read_text(encoding="utf-8")
    assert "SNR" in rejected

    result = runner.invoke(app, ["report", str(ws)])
    assert result.exit_code == 0, result.output

    # checkpoints and narration a later train/speak would leave, then purge everything
    (ws / "train/checkpoints").mkdir(parents=True)
    (ws / "train/checkpoints/best.pth").write_bytes(os.urandom(1000))
    (ws / "speak").mkdir()
    (ws / "speak/narration.wav").write_bytes(os.urandom(1000))
    receipt = tmp_path / "receipt.json"
    dry = runner.invoke(app, ["purge", "--workspace", str(ws), "--dry-run"])
    assert dry.exit_code == 0 and (ws / "dataset/metadata.csv").exists()
    result = runner.invoke(app, ["purge", "--workspace", str(ws), "--yes", "--receipt",
                                 str(receipt)])
    assert result.exit_code == 0, result.output
    assert not ws.exists()
    info = json.loads(receipt.read_text())
    assert info["verification"]["ok"] is True and info["verification"]["remaining_count"] == 0
    assert sorted(p.name for p in films.iterdir() if p.suffix in (".mkv", ".mp4")) == [
        "scene01.mkv", "scene02.mp4", "scene03.mkv"]
