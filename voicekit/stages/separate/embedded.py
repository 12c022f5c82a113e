"""Dialogue isolation without learned weights: centre extraction and spectral gating.

Film dialogue is mixed to the centre: identical in left and right, while music, ambience and
reverberation are spread with inter-channel differences. In the STFT domain, with
L = C + Nl and R = C + Nr and the N uncorrelated with C and with each other, the real part of
the smoothed cross-spectrum E[L R*] estimates the centre's power, and the ratio to the mid
signal's power is a Wiener gain for the centre. Stationary noise (hiss, hum, rain) is then
removed by a gate against a per-frequency noise floor (a low percentile of the block's power).

Audio is processed in blocks with context on both sides, so memory stays bounded for a
3-hour film and the output does not depend on where blocks start.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from voicekit.stages.separate.config import EmbeddedSeparateConfig

CONTEXT_S = 1.0  # analysis context read on each side of a block, discarded on output
EPS = 1e-10


def fft_size(rate: int) -> int:
    """Power-of-two FFT length of about 40 ms: resolves speech harmonics at any rate."""
    return int(2 ** round(math.log2(0.04 * rate)))


def _smooth(x: np.ndarray, frames: int) -> np.ndarray:
    """Moving average over time (last axis) and +-1 frequency bin (first axis)."""
    from scipy.ndimage import uniform_filter

    size = (3, max(1, 2 * frames + 1))
    if np.iscomplexobj(x):
        return uniform_filter(x.real, size, mode="nearest") + 1j * uniform_filter(
            x.imag, size, mode="nearest"
        )
    return uniform_filter(x, size, mode="nearest")


def _smooth_power(power: np.ndarray, frames: int) -> np.ndarray:
    """`_smooth` of a power, kept >= 0: the filter's running sums leave tiny negative values
    after loud passages (float64), whose square roots would be NaN."""
    return np.maximum(_smooth(power, frames), 0.0)


def centre_gain(left: np.ndarray, right: np.ndarray, cfg: EmbeddedSeparateConfig) -> np.ndarray:
    """Wiener gain that keeps the centre of the mid signal (L + R) / 2, per STFT bin."""
    mid = 0.5 * (left + right)
    cross = _smooth(left * np.conj(right), cfg.smooth_frames).real
    # what L and R share, limited by the weaker channel: a hard-panned source has no centre
    p_left = _smooth_power(np.abs(left) ** 2, cfg.smooth_frames)
    p_right = _smooth_power(np.abs(right) ** 2, cfg.smooth_frames)
    centre = np.minimum(np.maximum(cross, 0.0), np.minimum(p_left, p_right))
    p_mid = _smooth_power(np.abs(mid) ** 2, cfg.smooth_frames)
    # phase agreement: a delayed (spaced-microphone) stereo source is coherent but out of phase,
    # its normalised cross-spectrum is cos(omega * delay) < 1; the centre's is 1
    agreement = np.clip(cross / (np.sqrt(p_left * p_right) + EPS), 0.0, 1.0) ** cfg.centre_sharpness
    floor = 10 ** (cfg.centre_floor_db / 20)
    return np.clip(agreement * centre / (p_mid + EPS), floor, 1.0)


def noise_gain(power: np.ndarray, cfg: EmbeddedSeparateConfig) -> np.ndarray:
    """Spectral-subtraction gain against a per-frequency noise floor of this block."""
    smoothed = _smooth_power(power, cfg.smooth_frames)
    noise = np.percentile(smoothed, cfg.noise_percentile, axis=1, keepdims=True)
    # over-subtract by 2: the percentile under-estimates the mean noise power
    gain = 1.0 - 2.0 * noise / (smoothed + EPS)
    floor = 10 ** (cfg.denoise_floor_db / 20)
    return np.clip(gain, floor, 1.0)


def separate_block(block: np.ndarray, rate: int, cfg: EmbeddedSeparateConfig) -> np.ndarray:
    """Dialogue estimate (mono) of one block, shape (samples, channels) -> (samples,)."""
    from scipy.signal import istft, stft

    n_fft = fft_size(rate)
    hop = n_fft // 4
    length = block.shape[0]
    if length < n_fft:
        return block.mean(axis=1)
    _, _, spec = stft(block.T, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
    if block.shape[1] >= 2 and cfg.centre:
        left, right = spec[0], spec[1]
        mid = 0.5 * (left + right)
        gain = centre_gain(left, right, cfg)
    else:
        mid = spec.mean(axis=0)
        gain = np.ones(mid.shape)
    if cfg.denoise:
        gain = gain * noise_gain(np.abs(gain * mid) ** 2, cfg)
    _, out = istft(gain * mid, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
    return np.asarray(out[:length], dtype=np.float32)


def separate_file(
    src: Path,
    dst: Path,
    cfg: EmbeddedSeparateConfig,
    progress: Callable[[float, float], None] | None = None,
) -> tuple[int, float]:
    """Write the mono dialogue stem of `src` to `dst` (16-bit wav at the source's rate).

    Returns:
        (sample rate, duration in seconds).
    """
    with sf.SoundFile(str(src)) as reader:
        rate = reader.samplerate
        total = reader.frames
        core = max(1, int(cfg.block_s * rate))
        context = int(CONTEXT_S * rate)
        with sf.SoundFile(str(dst), "w", samplerate=rate, channels=1, subtype="PCM_16") as writer:
            for start in range(0, total, core):
                lo = max(0, start - context)
                stop = min(total, start + core)
                hi = min(total, stop + context)
                reader.seek(lo)
                block = reader.read(hi - lo, dtype="float32", always_2d=True)
                estimate = separate_block(block, rate, cfg)
                writer.write(np.clip(estimate[start - lo : stop - lo], -1.0, 1.0))
                if progress is not None:
                    progress(stop / rate, total / rate)
    return rate, total / rate
