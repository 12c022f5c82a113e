"""Synthetic test audio: two clearly different flite voices, and film-like mixtures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

RATE = 16000
SENTENCES = [
    "The weather was calm when the boat left the harbour at dawn.",
    "Nobody expected the old bridge to hold for another winter.",
    "She counted the coins twice and put them back into the jar.",
    "A small dog barked at the postman every single morning.",
    "They planted seven rows of beans behind the stone wall.",
    "The library closes early on the first Friday of the month.",
    "He painted the fence green because the neighbours asked him to.",
    "Every train to the coast was late because of the storm.",
]


def speak(text: str, voice: str) -> np.ndarray:
    """Speech from flite's built-in voice (slt: female, rms: male) at 16 kHz mono."""
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed")
    out = subprocess.run(
        ["flite", "-voice", voice, "-t", text, "-o", "/dev/stdout"],
        check=True, capture_output=True,
    ).stdout
    import io

    wav, rate = sf.read(io.BytesIO(out), dtype="float32")
    if rate != RATE:
        import soxr

        wav = soxr.resample(wav, rate, RATE)
    return np.asarray(wav / (np.abs(wav).max() + 1e-9) * 0.5, dtype=np.float32)


def conversation(voices: tuple[str, str] = ("slt", "rms"), turns: int = 6, gap_s: float = 0.6
                 ) -> tuple[np.ndarray, list[tuple[str, float, float]]]:
    """Alternating sentences of two voices; returns audio and (voice, start, end) truth."""
    parts: list[np.ndarray] = [np.zeros(int(0.5 * RATE), np.float32)]
    truth = []
    t = 0.5
    for i in range(turns):
        voice = voices[i % 2]
        wav = speak(SENTENCES[i % len(SENTENCES)], voice)
        truth.append((voice, t, t + len(wav) / RATE))
        parts += [wav, np.zeros(int(gap_s * RATE), np.float32)]
        t += len(wav) / RATE + gap_s
    return np.concatenate(parts), truth


def write(path: Path, wav: np.ndarray, rate: int = RATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, wav, rate)
    return path


def hissy_line(path: Path, text: str = SENTENCES[2]) -> np.ndarray:
    """A stem holding 1 s of hiss (breath, room noise), `text` spoken, 1 s of hiss again, written
    to `path`; returns the spoken part."""
    rng = np.random.default_rng(0)
    speech = speak(text, "slt")
    hiss = (0.01 * rng.standard_normal(RATE)).astype(np.float32)
    write(path, np.concatenate([hiss, speech, hiss]))
    return speech
