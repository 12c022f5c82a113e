"""A film with no dialogue at all (music and noise): `voicekit dataset` finishes, says that no
clip was found, and leaves an empty dataset, with and without enrolment clips."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner
from voices import SENTENCES, speak, write

from voicekit.cli.app import app

RATE = 48000
NOTES_HZ = (220.0, 277.2, 329.6, 440.0, 392.0, 349.2)


def music(seconds: float, seed: int = 0) -> np.ndarray:
    """Stereo music-like audio: decaying harmonic notes, a kick-like thump, hiss."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    mono = 0.01 * rng.standard_normal(n)
    for i, start in enumerate(np.arange(0.0, seconds - 1.2, 0.6)):
        a, b = int(start * RATE), int((start + 1.2) * RATE)
        local = t[a:b] - start
        f = NOTES_HZ[i % len(NOTES_HZ)]
        mono[a:b] += 0.15 * np.exp(-2 * local) * sum(
            np.sin(2 * np.pi * f * k * local) / k for k in (1, 2, 3))
        mono[a:b] += 0.3 * np.exp(-30 * local) * np.sin(2 * np.pi * 60 * local)  # thump
    return np.stack([mono, np.roll(mono, int(0.007 * RATE))], axis=1).astype(np.float32)


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("music")
    wav = folder / "music.wav"
    sf.write(wav, music(20.0), RATE)
    path = folder / "all_music.mkv"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-i", str(wav), "-c:a", "aac",
                    str(path)], check=True)
    wav.unlink()
    return path


@pytest.mark.parametrize("with_ref", [False, True])
def test_all_music_film_gives_an_empty_dataset_and_says_so(
        film: Path, tmp_path: Path, with_ref: bool) -> None:
    args = ["dataset", str(film), "--workspace", str(tmp_path / "ws")]
    if with_ref:
        args += ["--ref", str(write(tmp_path / "ref.wav", speak(SENTENCES[0], "slt")))]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "no clip of the target was found" in result.output
    assert "no speech was found" in " ".join(result.output.split())
    dataset = tmp_path / "ws" / "dataset"
    assert (dataset / "manifest.jsonl").read_text(encoding="utf-8").strip() == ""
    assert (dataset / "report.html").exists()
    # nothing was kept: no clip audio, no line in the training lists
    assert not list(dataset.rglob("*.wav"))
    assert (dataset / "metadata.csv").read_text(encoding="utf-8").strip() == ""
    events = [json.loads(x) for x in
              (tmp_path / "ws" / "logs" / "events.jsonl").read_text().splitlines()]
    # every stage that had an item computed it: none was skipped as failed
    assert {(e["stage"], e["what"]) for e in events} == {
        ("ingest", "computed"), ("separate", "computed"), ("diarize", "computed"),
        ("export", "computed")}
