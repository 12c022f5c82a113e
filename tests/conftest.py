"""Shared fixtures: small generated media files (no external data needed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf


def tone(
    seconds: float, rate: int, freq: float = 220.0, amp: float = 0.3, seed: int = 0
) -> np.ndarray:
    """A voiced-like harmonic tone with a little noise (not silent, deterministic)."""
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(seed)
    wave = sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, 6))
    return (amp * wave / 2 + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True
    )


def make_media(
    path: Path,
    channels: list[np.ndarray],
    rate: int,
    *,
    layout: str | None = None,
    extra: tuple[str, ...] = (),
) -> Path:
    """Encode channels (one array each) into `path` with ffmpeg (container from the suffix)."""
    wav = path.with_suffix(".src.wav")
    sf.write(wav, np.stack(channels, axis=1), rate, subtype="PCM_16")
    layout_args = ["-channel_layout", layout] if layout else []
    codec = (
        ["-c:a", "pcm_s16le"]
        if path.suffix == ".wav"
        else (["-c:a", "flac"] if path.suffix == ".flac" else ["-c:a", "aac", "-b:a", "192k"])
    )
    if path.suffix == ".mkv":
        codec = ["-c:a", "flac"]
    ffmpeg(*layout_args, "-i", str(wav), *extra, *codec, str(path))
    wav.unlink()
    return path


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "films"
    folder.mkdir()
    return folder


class Clock:
    """A monotonic clock the test moves by hand (``clock.now += 30``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
