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

A 5.1/7.1 film's music plays in its front left and right channels, which ingest keeps beside the
centre (`custom["fronts"]`); what of it reaches the centre is a mix of the same signals. So a
clip with fronts is read against them alone (`fronts_db`: each frequency band of the clip
fitted by the fronts, the fitted part the bed). On the bleed scenes' 5.1 clips it read within
1-4 dB of the true stem SNR where the readings above said 16-22 dB for 7.7-10 dB; on clean
centres (the Mandarin CI scenes joined as one film) 24-39 dB, where the clip alone had read
continuous lines at 4.9-13.3 dB and rejected 5 of them. Taking the lower of it and the
between-lines reading brought 8 false rejections there (the gaps hold missed speech and
reverberation). A mix that spreads the dialogue into the fronts would read it as bed, so fronts
that get louder with the speech next to each pause (`fronts_speech_db`, median over pauses) are
not read (the other readings decide). The test scenes' fronts read -3 to 0 dB; on the bleed scene
with music as loud as the lines in the centre, diarization takes the loud music for speech and
its pauses fall where the music is quiet (+12.7 dB): there too the other readings decide.
Limit: noise only in the centre (location sound) is not seen by the fronts' reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
FRONT_BANDS = 16  # frequency bands the fronts are fitted in (2 gains each: few, so no overfit)
NEAR_S = 2.0  # speech this close to a pause is compared with it
MAX_PAUSES = 200
MIN_PAUSES = 3
DIALOGUE_IN_FRONTS_DB = 6.0  # fronts this much louder during speech carry the dialogue


def spectrogram(samples: np.ndarray, rate: int, frame_s: float = FRAME_S) -> np.ndarray:
    """STFT with Hann windows, half-overlapped: (frames, bins), complex."""
    size = max(16, int(2 ** np.round(np.log2(frame_s * rate))))
    hop = size // 2
    if samples.size < size:
        return np.zeros((0, size // 2 + 1), complex)
    count = 1 + (samples.size - size) // hop
    idx = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    frames = samples[idx].astype(np.float64) * np.hanning(size)
    return np.fft.rfft(frames, axis=1)


def power_spectrogram(samples: np.ndarray, rate: int, frame_s: float = FRAME_S) -> np.ndarray:
    """|STFT|^2 with Hann windows, half-overlapped: (frames, bins)."""
    return np.abs(spectrogram(samples, rate, frame_s)) ** 2


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


def fronts_db(clip: ClipAudio) -> float | None:
    """The clip over the part of it the film's front channels explain, None without fronts.

    A film's music and effects play in the front left and right; what of them reaches the
    centre (and the separated stem made from it) is a mix of the same signals. Each of
    `FRONT_BANDS` frequency bands of the clip's STFT is fitted by the fronts' (one complex gain
    per channel and band, least squares over the clip's frames): the fitted part is the bed, the
    rest speech. Dialogue that is not in the fronts reads clean however continuous it is; centre-
    only noise (location sound) is not seen (None when the fronts are silent).
    """
    if clip.fronts is None:
        return None
    seg = clip.seg
    fronts = clip.fronts(seg.start, seg.end)
    n = min(len(fronts), clip.samples.size)
    centre = spectrogram(clip.samples[:n], clip.rate)
    if centre.shape[0] < MIN_FRAMES or float(np.mean(np.square(fronts[:n]))) <= SILENT:
        return None
    sides = [spectrogram(fronts[:n, c], clip.rate) for c in range(fronts.shape[1])]
    total = explained = 0.0
    for band in np.array_split(np.arange(centre.shape[1]), FRONT_BANDS):
        y = centre[:, band].ravel()
        x = np.stack([side[:, band].ravel() for side in sides], axis=1)
        gains = np.linalg.lstsq(x, y, rcond=None)[0]
        explained += float(np.sum(np.abs(x @ gains) ** 2))
        total += float(np.sum(np.abs(y) ** 2))
    return ratio_db(max(0.0, total - explained), explained)


def fronts_speech_db(read: Callable[[float, float], np.ndarray],
                     speech: Sequence[tuple[float, float]], duration: float) -> float | None:
    """How much louder a recording's front channels are while someone speaks than between the
    lines (dB): the median over its pauses of the speech within `NEAR_S` either side over the
    pause (up to `MAX_PAUSES` spread over the recording); None with under `MIN_PAUSES` pauses.

    Music and effects do not follow the dialogue; fronts that do carry the dialogue (a mix that
    spreads it), and `fronts_db` would read that as bed. Each pause is compared with the speech
    around it, so the music's slow swells (a scene's worth of +-10 dB) do not count.
    """
    pauses = gaps(0.0, duration, speech)
    pauses = pauses[::max(1, int(np.ceil(len(pauses) / MAX_PAUSES)))]

    def energy(spans: Sequence[tuple[float, float]]) -> tuple[float, int]:
        parts = [read(a, b) for a, b in spans if b > a]
        return (sum(float(np.sum(np.square(p, dtype=np.float64))) for p in parts),
                sum(p.size for p in parts))

    readings = []
    for a, b in pauses:
        around = [(max(s, a - NEAR_S), min(e, a)) for s, e in speech if s < a and e > a - NEAR_S]
        around += [(max(s, b), min(e, b + NEAR_S)) for s, e in speech if s < b + NEAR_S and e > b]
        talk, talk_n = energy(around)
        quiet, quiet_n = energy([(a, b)])
        if talk_n and quiet_n:
            readings.append(ratio_db(talk / talk_n, quiet / quiet_n))
    return float(np.median(readings)) if len(readings) >= MIN_PAUSES else None


# On stereo films the stem-over-removed reading sits 2.5-4 dB above the true stem SNR (bleed
# scenes); at or above CLEAN_REMOVED_DB it alone decides, less the bias.
REMOVED_BIAS_DB = 3.0
CLEAN_REMOVED_DB = 23.0


def estimate(clip: ClipAudio, context_s: float, min_s: float, cap: bool = True) -> float | None:
    """The clip's SNR, held (with `cap`) to the stem-over-removed ratio under the speech when
    the clip has a pre-separation mix.

    A centre with its film's front channels is read against them (`fronts_db`). Otherwise the
    higher of the in-clip and the between-lines estimates: each usually errs by counting speech
    as noise (no pauses in the clip; speech the diarization missed, or reverberation, in the
    gaps), so the lower noise reading is trusted. Neither sees music that only the speech lets
    through the separator; what the separator removed under the speech does, so the lower of
    that and the first is reported.
    """
    alone = snr_db(clip.samples, clip.rate)
    if alone is None:
        return None
    best = fronts_db(clip)
    if best is None:
        best = alone
        bed = bed_power(clip, context_s, min_s)
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
