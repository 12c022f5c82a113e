"""Mixing: reverb, dialogue/background balance and channel layouts.

Channel conventions (these define how the stems relate to the film):

- stereo: L = dialogue + bg_L, R = dialogue + bg_R, so (L + R) / 2 = dialogue + background.
- 5.1 (FL FR FC LFE SL SR): FC = dialogue (+ `centre_bg` * background, music mixed into the
  centre as well, 0 by default); FL/FR = bg_L/bg_R; SL/SR = 0.7 * bg_L/bg_R; LFE = low-passed
  background. So FC = dialogue (+ bleed) and (FL + FR) / 2 = background.
- mono: dialogue + background.

The background stem is the mono mean (bg_L + bg_R) / 2 of the stereo music and effects bed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LAYOUT_CHANNELS = {"mono": 1, "stereo": 2, "5.1": 6}
PEAK = 0.89  # headroom below full scale after lossy encoding


def reverb_ir(sr: int, rng: np.random.Generator, rt60: float = 0.45) -> np.ndarray:
    """A synthetic room impulse response: direct path, sparse early reflections, noise tail."""
    n = int(rt60 * sr)
    t = np.arange(n) / sr
    tail = rng.standard_normal(n) * np.exp(-6.91 * t / rt60) * 0.25  # -60 dB at rt60
    tail[: int(0.01 * sr)] = 0.0  # a short pre-delay before the diffuse tail
    for _ in range(6):
        tap = int(rng.uniform(0.003, 0.04) * sr)
        tail[tap] += float(rng.uniform(0.2, 0.5)) * (1 if rng.random() < 0.5 else -1)
    tail[0] = 1.0
    return tail


def apply_reverb(audio: np.ndarray, ir: np.ndarray) -> np.ndarray:
    """Convolve, keep the tail, and match the dry signal's RMS."""
    from scipy.signal import fftconvolve

    wet = fftconvolve(audio, ir)
    return np.asarray(wet * (_rms(audio) / (_rms(wet) + 1e-12)), dtype=np.float64)


def normalize(audio: np.ndarray, rms_db: float) -> np.ndarray:
    """Scale `audio` to an RMS of `rms_db` dBFS (speakers recorded or synthesized at any level)."""
    rms = _rms(audio)
    return audio * (10 ** (rms_db / 20) / rms) if rms > 0 else audio


def _rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio)))) if audio.size else 0.0


def add_at(track: np.ndarray, clip: np.ndarray, start: float, sr: int) -> None:
    """Add `clip` into `track` (last axis is time) from `start` seconds, cut at the end."""
    begin = round(start * sr)
    length = min(clip.shape[-1], track.shape[-1] - begin)
    if length > 0:
        track[..., begin : begin + length] += clip[..., :length]


def background_gain(dialogue: np.ndarray, background: np.ndarray, snr_db: float) -> float:
    """Gain for the stereo `background` so that the dialogue sits `snr_db` above it.

    SNR is measured as 20*log10(rms(dialogue) / rms(mono background)) over the whole film.
    """
    bg = _rms(background.mean(axis=0))
    return _rms(dialogue) / (bg * 10 ** (snr_db / 20)) if bg > 0 else 0.0


@dataclass
class Mix:
    """A finished track: channels for the film plus the mono stems, all on one timeline."""

    channels: np.ndarray  # (C, n)
    dialogue: np.ndarray  # (n,)
    target: np.ndarray  # (n,)
    background: np.ndarray  # (n,)


def lay_out(
    layout: str,
    dialogue: np.ndarray,
    target: np.ndarray,
    background: np.ndarray,
    sr: int,
    centre_bg: float = 0.0,
) -> Mix:
    """Build the film's channels for `layout` and peak-normalise channels and stems together.

    Args:
        layout: `mono`, `stereo` or `5.1`.
        dialogue: mono dialogue (all voices), (n,).
        target: mono target voice alone, (n,).
        background: stereo music + effects, already at its final level, (2, n).
        sr: sample rate (for the LFE low-pass).
        centre_bg: share of the (mono) background mixed into the 5.1 centre channel, where
            the dialogue is: music that no channel extraction can remove.
    """
    bg_l, bg_r = background
    bg = (bg_l + bg_r) / 2
    if layout == "stereo":
        chans = np.stack([dialogue + bg_l, dialogue + bg_r])
    elif layout == "mono":
        chans = (dialogue + bg)[None, :]
    elif layout == "5.1":
        width = max(1, sr // 200)  # ~200 Hz moving-average low-pass for the LFE
        lfe = np.convolve(bg, np.ones(width) / width, mode="same")
        centre = dialogue + centre_bg * bg
        chans = np.stack([bg_l, bg_r, centre, lfe, 0.7 * bg_l, 0.7 * bg_r])
    else:
        raise ValueError(f"unknown layout '{layout}', expected one of {list(LAYOUT_CHANNELS)}")
    gain = PEAK / max(float(np.abs(chans).max()), 1e-9)
    return Mix(chans * gain, dialogue * gain, target * gain, bg * gain)
