"""Synthesized music and sound effects (numpy only), stereo arrays shaped (2, samples).

Music is a chord progression of harmonic tones over a kick/hi-hat pulse; effects are door-slam
transients, noise bursts and rain-like filtered noise. All randomness comes from the caller's
`numpy.random.Generator`, so a seed fixes every sample.
"""

from __future__ import annotations

import numpy as np

EFFECT_KINDS = ("door", "burst", "rain")

# Semitone offsets of a I-vi-IV-V progression (root, third, fifth of each chord).
_PROGRESSION = ((0, 4, 7), (9, 12, 16), (5, 9, 12), (7, 11, 14))


def _tone(freq: float, seconds: float, sr: int, harmonics: int = 4) -> np.ndarray:
    """A soft harmonic tone with attack and exponential decay."""
    t = np.arange(int(seconds * sr)) / sr
    wave = sum(np.sin(2 * np.pi * freq * k * t) / k**1.5 for k in range(1, harmonics + 1))
    envelope = np.minimum(1.0, t / 0.05) * np.exp(-t * 1.2)
    return np.asarray(wave * envelope, dtype=np.float64)


def _kick(sr: int) -> np.ndarray:
    t = np.arange(int(0.25 * sr)) / sr
    phase = 2 * np.pi * (50 * t + 60 * (1 - np.exp(-t * 30)) / 30)  # 110 Hz sliding down to 50
    return np.asarray(np.sin(phase) * np.exp(-t * 18), dtype=np.float64)


def music(seconds: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A loopable-looking music bed, peak-normalised to 1, shape (2, n)."""
    n = int(seconds * sr)
    root = 110.0 * 2 ** (int(rng.integers(0, 12)) / 12)
    beat = 60.0 / float(rng.uniform(84, 112))
    chord_len = beat * 4
    out = np.zeros((2, n + int((chord_len + 2.0) * sr)))  # room for the last chord's ring
    for index, start in enumerate(np.arange(0.0, seconds, chord_len)):
        chord = _PROGRESSION[index % len(_PROGRESSION)]
        for voice, semis in enumerate(chord):
            tone = _tone(root * 2 ** (semis / 12), chord_len + 1.0, sr)
            pan = (0.2, 0.5, 0.8)[voice]  # spread the chord across the stereo field
            begin = int(start * sr)
            out[0, begin : begin + len(tone)] += tone * (1 - pan)
            out[1, begin : begin + len(tone)] += tone * pan
    kick = _kick(sr) * 1.5
    hat_len = int(0.04 * sr)
    for k, start in enumerate(np.arange(0.0, seconds, beat / 2)):
        begin = int(start * sr)
        if k % 2 == 0:
            out[:, begin : begin + len(kick)] += kick
        hat = rng.standard_normal((2, hat_len)) * np.exp(-np.arange(hat_len) / (0.006 * sr)) * 0.3
        out[:, begin : begin + hat_len] += np.diff(hat, axis=1, prepend=0.0)  # crude high-pass
    out = out[:, :n]
    return out / (np.abs(out).max() + 1e-9)


def effect(kind: str, sr: int, rng: np.random.Generator) -> np.ndarray:
    """One effect, peak-normalised to 1, shape (2, n); `kind` in `EFFECT_KINDS`."""
    if kind == "door":
        t = np.arange(int(0.6 * sr)) / sr
        thump = np.sin(2 * np.pi * 70 * t) * np.exp(-t * 14)
        click = rng.standard_normal(len(t)) * np.exp(-t * 60)
        mono = thump + 0.6 * click
        pan = float(rng.uniform(0.2, 0.8))
        sound = np.stack([mono * (1 - pan), mono * pan])
    elif kind == "burst":
        seconds = float(rng.uniform(0.3, 0.9))
        t = np.arange(int(seconds * sr)) / sr
        noise = rng.standard_normal((2, len(t)))
        smooth = np.cumsum(noise, axis=1)  # brown-ish noise, then remove drift
        smooth -= np.linspace(smooth[:, :1], smooth[:, -1:], len(t), axis=1)[..., 0]
        sound = smooth * np.sin(np.pi * t / seconds) ** 2
    elif kind == "rain":
        seconds = float(rng.uniform(6.0, 10.0))
        n = int(seconds * sr)
        noise = rng.standard_normal((2, n))
        kernel = np.ones(8) / 8  # soft low-pass: hiss without harsh highs
        hiss = np.stack([np.convolve(ch, kernel, mode="same") for ch in noise])
        drops = (rng.random((2, n)) < 40 / sr) * rng.uniform(1.0, 3.0, (2, n))
        drop_shape = np.exp(-np.arange(int(0.005 * sr)) / (0.001 * sr))
        hiss += np.stack([np.convolve(ch, drop_shape, mode="same") for ch in drops])
        fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / sr)
        sound = hiss * fade
    else:
        raise ValueError(f"unknown effect '{kind}', expected one of {EFFECT_KINDS}")
    return np.asarray(sound / (np.abs(sound).max() + 1e-9), dtype=np.float64)
