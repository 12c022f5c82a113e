"""The synthetic-speech watermark on generated speech: survives MP3, spares clean audio, CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import typer
from conftest import ffmpeg
from typer.testing import CliRunner
from voices import SENTENCES, speak

from voicekit.audio.io import resample
from voicekit.cli.detect import detect
from voicekit.speak import mark
from voicekit.watermark.detect import score
from voicekit.watermark.embed import watermark_signal
from voicekit.watermark.files import check, load, metadata_mark
from voicekit.watermark.key import THRESHOLD

RATE = 24000  # a TTS-like rate, not the detector's 16 kHz, so resampling is exercised too


@pytest.fixture(scope="module")
def narration() -> np.ndarray:
    """About 10 s of two flite voices at 24 kHz with pauses, like a short speak output."""
    gap = np.zeros(8000, dtype=np.float32)
    parts = [x for i in range(3) for x in (speak(SENTENCES[i], ("slt", "rms")[i % 2]), gap)]
    return resample(np.concatenate(parts), 16000, RATE)


def _mp3(tmp: Path, name: str, audio: np.ndarray) -> Path:
    """`audio` through an MP3 128 kbps re-encode, with no metadata carried over."""
    wav = tmp / f"{name}.src.wav"
    sf.write(wav, audio, RATE)
    out = tmp / f"{name}.mp3"
    ffmpeg("-i", str(wav), "-map_metadata", "-1", "-c:a", "libmp3lame", "-b:a", "128k", str(out))
    return out


def test_mark_survives_mp3_and_clean_audio_is_not_flagged(
    narration: np.ndarray, tmp_path: Path
) -> None:
    marked = mark.watermark(narration, RATE)
    assert marked.shape == narration.shape and marked.dtype == np.float32
    assert np.array_equal(marked, mark.watermark(narration, RATE))  # deterministic
    snr = 20 * np.log10(np.std(narration) / np.std(marked - narration))
    assert snr > 20  # the mark is a small change to the signal, not added noise on top
    found = score(load(_mp3(tmp_path, "marked", marked)), 16000)
    clean = score(load(_mp3(tmp_path, "clean", narration)), 16000)
    assert found.marked and found.score >= THRESHOLD + 2, found
    assert not clean.marked and clean.score < THRESHOLD - 1, clean
    assert found.active_s > 5


def test_mark_survives_crop_resample_and_music(narration: np.ndarray) -> None:
    marked = mark.watermark(narration, RATE)
    cropped = marked[int(0.37 * RATE) : -int(0.21 * RATE)]  # alignment is off the cell grid
    assert score(resample(cropped, RATE, 44100), 44100).marked
    rng = np.random.default_rng(1)
    bed = np.cumsum(rng.standard_normal(len(marked))).astype(np.float32)  # brown noise
    bed -= np.convolve(bed, np.ones(200) / 200, mode="same")  # ...without the drift
    bed *= np.std(narration) / np.std(bed) * 10 ** (-10 / 20)
    assert score(marked + bed, RATE).marked
    assert not score(narration + bed, RATE).marked


def test_silence_and_a_stranger_key_score_nothing(narration: np.ndarray) -> None:
    assert score(np.zeros(RATE * 3, dtype=np.float32), RATE).score == 0.0
    wrong = narration + watermark_signal(narration[::-1].copy(), RATE)[::-1]  # a time-reversed mark
    assert not score(wrong, RATE).marked


def test_long_narration_is_marked_in_chunks_with_bounded_memory(
    narration: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    from voicekit.watermark import stft

    long = np.tile(narration, 15)  # ~2.5 min: three STFT chunks
    chunked = watermark_signal(long, RATE)
    monkeypatch.setattr(stft, "CHUNK", 10**9)  # one STFT over the whole file
    assert np.array_equal(chunked, watermark_signal(long, RATE))
    monkeypatch.undo()

    ten_minutes = np.tile(narration, 60)
    tracemalloc.start()
    try:
        marked = mark.watermark(ten_minutes, RATE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 400e6  # one STFT over the whole file peaked at 1.04 GB
    assert score(marked[: 60 * RATE], RATE).marked and score(marked[-60 * RATE :], RATE).marked


def test_metadata_mark_in_wav_and_flac(narration: np.ndarray, tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    sf.write(wav, narration[:RATE], RATE)
    assert metadata_mark(wav) is None
    mark.mark_wav(wav)
    assert metadata_mark(wav) == mark.COMMENT
    flac = tmp_path / "a.flac"
    ffmpeg("-i", str(wav), *mark.ffmpeg_tags(), str(flac))
    assert metadata_mark(flac) == mark.COMMENT
    assert check(flac).marked  # the label alone is a mark


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("detect")(detect)

    @app.callback()
    def root() -> None:
        """Test app: the lead registers `detect` in voicekit/cli/app.py."""

    return app


def test_detect_command_exit_codes(narration: np.ndarray, tmp_path: Path) -> None:
    marked = _mp3(tmp_path, "marked", mark.watermark(narration, RATE))
    clean = tmp_path / "clean.wav"
    sf.write(clean, narration, RATE)
    runner = CliRunner()
    ok = runner.invoke(_cli(), ["detect", str(marked)])
    assert ok.exit_code == 0, ok.output
    assert "absent" in ok.output and "synthetic (watermark)" in ok.output
    mixed = runner.invoke(_cli(), ["detect", str(marked), str(clean)])
    assert mixed.exit_code == 1 and "no mark found" in mixed.output
    missing = runner.invoke(_cli(), ["detect", str(tmp_path / "nope.wav")])
    assert missing.exit_code == 2


def test_detect_module_does_not_import_numpy() -> None:
    code = "import sys, voicekit.cli.detect; assert 'numpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
