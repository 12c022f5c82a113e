"""Music or noise under the speech: a speech-to-noise ratio against the bed between the lines.

In a film the music and effects bed goes on through the gaps between lines, so its level is
read there too: the mean power of the recording's non-speech time (outside every turn, overlap
and clip, `GAP_MARGIN_S` away from them) within `snr_context_s` of the clip; the clip's power
minus it is speech (the scenes' ground truth: speech over bed energy across the clip span).
The clip-alone estimate is kept beside it: the 10th percentile of the clip's 32 ms frame
energies as the floor. Both usually err by counting speech as noise (continuous speech has no
quiet frames; missed speech and reverberation fill the gaps), so the higher SNR is reported;
with under `snr_min_background_s` of nearby non-speech the clip alone decides.

Measured on the benchmark scenes (benchmarks/extraction.py, 2 per language). Clip alone: true
SNR 20/15/10/5/0 dB (read speech + music) read 23/20/15/12/9 dB; but AISHELL's continuous
Mandarin in a clean 5.1 centre read 6-13 dB (4 of 22 clips kept). With the bed: 22 of 22 kept;
stereo scenes (residual bleed in the separated stem, 16-33 dB by projecting it on the mixed
stems) keep 19/19 and 18/21 (clip alone 19/19, 15/21). Limits: those scenes have ~2 s of true
non-speech in 200 s (the gaps diarization leaves are mostly speech), and the separate stage's
spectral gate empties the gaps (bed -88 dB there vs -45 dB under speech in real_zh_01), so the
between-lines reading is an upper bound that cannot see bleed which only the speech lets through;
neither estimate tracks the stem's true SNR clip by clip (r < 0.3) in that narrow range. Per-bin
floors missed music entirely (music is as sparse as speech at fine resolution). A bleed
detector, not a measurement.

On true bleed (benchmarks/extraction.py --bleed: loud music in the dialogue channel) those two
read 5-20 dB high: the embedded separator takes ~10 dB off the music between the lines but ~5 dB
under them, and near most 5.1 clips under 1 s of non-speech is left. So where the clip has a
pre-separation mix (`custom["mix"]`, channels averaged: the mid the separator saw), a third
reading caps them: the stem over what the separator removed from the mix, in the clip's speech
frames (the louder half of its frames). On the stereo bleed scene it tracks the true stem SNR
2.5-4 dB above it; 5.1 centres are only spectrally gated, so almost nothing is
removed there and the cap does not bind (5.1 centre bleed stays a known limit). The cap is
for the embedded separator only: what a learned separator (demucs) removes from under a line is
music that is gone from the stem, and the cap would read the SNR before separation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from voicekit.stages.filters.base import ClipAudio, Verdict

if TYPE_CHECKING:
    from voicekit.config import Config

FRAME_S = 0.032
NOISE_PERCENTILE = 10
GAP_MARGIN_S = 0.3  # speech onsets/releases and diarization boundaries are not the bed
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


def ratio_db(speech: float, noise: float) -> float:
    """10 log10(speech / noise), held to +-MAX_DB."""
    if speech <= noise * 10 ** (-MAX_DB / 10):
        return -MAX_DB
    if noise <= speech * 10 ** (-MAX_DB / 10):
        return MAX_DB
    return float(10 * np.log10(speech / noise))


def snr_db(samples: np.ndarray, rate: int) -> float | None:
    """SNR in dB from the clip alone (its quietest frames as the floor), None if too short."""
    spectrogram = power_spectrogram(samples, rate)
    if spectrogram.shape[0] < MIN_FRAMES or float(spectrogram.mean()) <= SILENT:
        return None  # too short, or digital silence: no signal to measure against
    energy = spectrogram.sum(axis=1)
    floor = float(np.percentile(energy, NOISE_PERCENTILE))
    return ratio_db(float(np.clip(energy - floor, 0, None).sum()), floor * energy.size)


def gaps(lo: float, hi: float, speech: Sequence[tuple[float, float]],
         margin: float = GAP_MARGIN_S) -> list[tuple[float, float]]:
    """Stretches of [lo, hi] at least `margin` away from every speech span."""
    out = []
    at = lo
    for start, end in sorted(speech):
        if start - margin > at:
            out.append((at, min(hi, start - margin)))
        at = max(at, end + margin)
        if at >= hi:
            break
    if at < hi:
        out.append((at, hi))
    return [(a, b) for a, b in out if b > a]


def bed_power(clip: ClipAudio, context_s: float, min_s: float) -> float | None:
    """Mean power of the non-speech time near the clip, None when there is under `min_s`."""
    read = clip.read
    if read is None:
        return None
    seg = clip.seg
    near = gaps(max(0.0, seg.start - context_s), seg.end + context_s,
                [*clip.speech, (seg.start, seg.end)])
    parts = [read(a, b) for a, b in near]
    total = sum(p.size for p in parts)
    if total < min_s * clip.rate:
        return None
    return float(sum(np.sum(np.square(p, dtype=np.float64)) for p in parts) / total)


def removed_db(clip: ClipAudio) -> float | None:
    """Stem over what the separator took out of the mix, in the clip's speech frames.

    Speech frames are the louder half of the stem's frames (where the bed is not read between
    the lines). None without a pre-separation mix.
    """
    if clip.mix is None:
        return None
    seg = clip.seg
    mix = clip.mix(seg.start, seg.end)
    n = min(mix.size, clip.samples.size)
    stem = power_spectrogram(clip.samples[:n], clip.rate).sum(axis=1)
    if stem.size < MIN_FRAMES:
        return None
    removed = power_spectrogram(mix[:n] - clip.samples[:n], clip.rate).sum(axis=1)
    speech = stem >= np.median(stem)
    return ratio_db(float(stem[speech].sum()), float(removed[speech].sum()))


# On stereo films the stem-over-removed reading sits 2.5-4 dB above the true stem SNR (bleed
# scenes); at or above CLEAN_REMOVED_DB it alone decides, less the bias.
REMOVED_BIAS_DB = 3.0
CLEAN_REMOVED_DB = 23.0


def estimate(clip: ClipAudio, context_s: float, min_s: float, cap: bool = True) -> float | None:
    """The clip's SNR: the higher of the in-clip and the between-lines estimates, held (with
    `cap`) to the stem-over-removed ratio under the speech when the clip has a pre-separation
    mix.

    Each of the first two usually errs by counting speech as noise (no pauses in the clip;
    speech the diarization missed, or reverberation, in the gaps), so the lower noise reading is
    trusted. Neither sees music that only the speech lets through the separator; what the
    separator removed under the speech does, so the lower of that and the first is reported.
    """
    alone = snr_db(clip.samples, clip.rate)
    if alone is None:
        return None
    bed = bed_power(clip, context_s, min_s)
    best = alone
    if bed is not None:
        power = float(np.mean(np.square(clip.samples, dtype=np.float64)))
        best = max(alone, ratio_db(max(0.0, power - bed), bed))
    removed = removed_db(clip) if cap else None
    if removed is None:
        return best
    if clip.seg.custom.get("channels") == 2 and removed >= CLEAN_REMOVED_DB:
        # stereo: the separator had the side channels to take music out with, and took
        # almost nothing from under this line; the in-clip readings count the speech of a
        # line without pauses as noise (clean AISHELL lines read 13.7-14.5 dB alone)
        return removed - REMOVED_BIAS_DB
    return min(best, removed)


def check(clip: ClipAudio, conf: Config) -> Verdict:
    filters = conf.filters
    value = estimate(clip, filters.snr_context_s, filters.snr_min_background_s,
                     cap=conf.separate.backend == "embedded")
    if value is None:
        return Verdict()
    value = round(value, 2)
    floor = filters.min_snr_db
    if value < floor:
        reason = f"music or noise under the speech: SNR {value:.1f} dB (minimum {floor:g} dB)"
        return Verdict({"snr_db": value}, reason, value)
    return Verdict({"snr_db": value})
