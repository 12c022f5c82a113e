"""Music or noise under the speech: a speech-to-noise ratio estimated from the clip alone.

Speech stops between syllables and words, a music or noise bed does not: the 10th percentile of
the clip's frame energies (32 ms frames) is taken as the noise floor, and what rises above it
as speech. Measured on 40 real read English utterances (../shared/data) mixed with the music
tracks: true SNR 20 / 15 / 10 / 5 / 0 dB read as 23 / 20 / 15 / 12 / 9 dB (medians); clean
utterances trimmed to 0.1 s around the speech read 28.5 dB (5th percentile 20.7, none < 15).
Per-frequency-bin floors were tried first and missed music almost entirely (0 dB read as 20),
because music is as sparse as speech at fine resolution. Transient effects (a door) are not
what this measures. A bleed detector, not a measurement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from voicekit.stages.filters.base import ClipAudio, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config

FRAME_S = 0.032
NOISE_PERCENTILE = 10
MAX_DB = 60.0  # beyond this the floor is numerical noise; report the cap
MIN_FRAMES = 10
SILENT = 1e-12  # mean power per bin below which a clip is digital silence (the quiet filter's)


def power_spectrogram(samples: np.ndarray, rate: int, frame_s: float = FRAME_S) -> np.ndarray:
    """|STFT|^2 with Hann windows, half-overlapped: (frames, bins)."""
    size = max(16, int(2 ** np.round(np.log2(frame_s * rate))))
    hop = size // 2
    if samples.size < size:
        return np.zeros((0, size // 2 + 1))
    count = 1 + (samples.size - size) // hop
    idx = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    frames = samples[idx].astype(np.float64) * np.hanning(size)
    return np.abs(np.fft.rfft(frames, axis=1)) ** 2


def snr_db(samples: np.ndarray, rate: int) -> float | None:
    """Estimated speech-to-noise ratio in dB, or None for clips too short to tell."""
    spectrogram = power_spectrogram(samples, rate)
    if spectrogram.shape[0] < MIN_FRAMES or float(spectrogram.mean()) <= SILENT:
        return None  # too short, or digital silence: no signal to measure against
    energy = spectrogram.sum(axis=1)
    floor = float(np.percentile(energy, NOISE_PERCENTILE))
    noise = floor * energy.size
    speech = float(np.clip(energy - floor, 0, None).sum())
    if speech <= 0:
        return -MAX_DB
    if noise <= speech * 10 ** (-MAX_DB / 10):
        return MAX_DB
    return float(10 * np.log10(speech / noise))


def check(clip: ClipAudio, conf: Config) -> Verdict:
    value = snr_db(clip.samples, clip.rate)
    if value is None:
        return Verdict()
    value = round(value, 2)
    floor = conf.filters.min_snr_db
    if value < floor:
        reason = f"music or noise under the speech: SNR {value:.1f} dB (minimum {floor:g} dB)"
        return Verdict({"snr_db": value}, reason, value)
    return Verdict({"snr_db": value})
