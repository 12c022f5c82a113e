"""The SNR filter against the true speech-to-music ratio of each clip, from the scene's stems.

For every clip the pipeline cut (kept or not) two true figures are measured:

- `stem_snr_db`: the target's speech over the music and effects in the channel the pipeline
  reads, over the clip's span: target stem power over (`dialogue_channel_music` x background
  stem) power (the truth json says how much of the background the dialogue channel carries:
  the whole bed in a stereo mid or mono mix, `centre_music` of it in a 5.1 centre).
- `separated_snr_db`: what is left after the separate stage, in the clip's own audio: the clip
  is fitted (least squares) by the target and the other speakers' stems; the target part over
  the residual (music bleed and separation artefacts) is the SNR.

Next to them, the filter's estimate (`snr_db` score) and whether the `snr` filter rejected it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.eval.extraction import MAX_LAG_S, Truth, film_of, lag
from voicekit.manifest import Segment

RATE = 16000
BINS = (-np.inf, 5.0, 10.0, 15.0, 20.0, np.inf)


@dataclass(frozen=True)
class ClipSnr:
    """One clip: its true SNRs, the filter's estimate and verdict."""

    film: str
    start: float
    end: float
    stem_snr_db: float
    separated_snr_db: float
    estimate_db: float | None
    snr_rejected: bool
    kept: bool


def power_db(signal: np.ndarray, noise: np.ndarray) -> float:
    """10 log10 of the power ratio, held to +-60 dB."""
    s, n = float(np.sum(np.square(signal))), float(np.sum(np.square(noise)))
    return float(np.clip(10 * np.log10((s + 1e-20) / (n + 1e-20)), -60.0, 60.0))


def rejected_by(seg: Segment, name: str) -> bool:
    """Whether filter `name` rejected the clip (first rejection or a later one)."""
    if seg.rejected is not None and seg.rejected.filter == name:
        return True
    return any(r.get("filter") == name for r in seg.custom.get("also_rejected", []))


def clip_snrs(truth_paths: Sequence[Path], segments: Sequence[Segment],
              audio_of: Callable[[Segment], Path]) -> list[ClipSnr]:
    """True and estimated SNR of every clip of scenes that have target and background stems."""
    from voicekit.audio.io import read

    truths = [Truth.read(p) for p in truth_paths]
    out = []
    shifts: dict[str, float] = {}
    for seg in segments:
        if seg.custom.get("role") != "clip" or seg.duration <= 0:
            continue
        truth = film_of(seg, truths)
        paths = [truth.stem_path(n) for n in ("target", "dialogue", "background")] if truth else []
        if truth is None or not all(p is not None and p.exists() for p in paths):
            continue
        target_p, dialogue_p, background_p = (p for p in paths if p is not None)
        data = json.loads(truth.path.read_text(encoding="utf-8"))
        music = float(data.get("dialogue_channel_music", 1.0))
        target, _ = read(target_p, seg.start, seg.end, sr=RATE)
        bed, _ = read(background_p, seg.start, seg.end, sr=RATE)
        clip, _ = read(audio_of(seg), seg.start, seg.end, sr=RATE)
        if truth.film not in shifts:  # codec priming: measured once per film, as for SI-SDR
            shifts[truth.film] = lag(clip, target, round(MAX_LAG_S * RATE)) / RATE
        shift = shifts[truth.film]
        start, end = max(0.0, seg.start - shift), max(0.0, seg.end - shift)
        ref, _ = read(target_p, start, end, sr=RATE)
        others = read(dialogue_p, start, end, sr=RATE)[0]
        n = min(len(clip), len(ref), len(others))
        out.append(ClipSnr(
            truth.film, seg.start, seg.end,
            power_db(target, music * bed),
            separated_snr(clip[:n], ref[:n], others[:n] - ref[:n]),
            seg.scores.get("snr_db"), rejected_by(seg, "snr"), seg.kept,
        ))
    return out


def separated_snr(clip: np.ndarray, target: np.ndarray, others: np.ndarray) -> float:
    """Target part of `clip` over what neither the target nor the other speakers explain."""
    basis = np.stack([target, others], axis=1)
    coef, *_ = np.linalg.lstsq(basis, clip, rcond=None)
    speech = basis[:, 0] * coef[0]
    return power_db(speech, clip - basis @ coef)


def label(lo: float, hi: float) -> str:
    return f"<{hi:g}" if lo == -np.inf else f">={lo:g}" if hi == np.inf else f"{lo:g}-{hi:g}"


def summary(clips: Sequence[ClipSnr], key: str = "stem_snr_db") -> list[dict[str, Any]]:
    """Per true-SNR bin (`key`): clips, how many the snr filter rejected, the median estimate."""
    rows = []
    for lo, hi in itertools.pairwise(BINS):
        inside = [c for c in clips if lo <= getattr(c, key) < hi]
        estimates = [c.estimate_db for c in inside if c.estimate_db is not None]
        rows.append({
            "bin": label(lo, hi),
            "clips": len(inside),
            "snr_rejected": sum(c.snr_rejected for c in inside),
            "median_estimate_db": float(np.median(estimates)) if estimates else None,
        })
    return rows


def format_summary(clips: Sequence[ClipSnr]) -> str:
    """Two plain-text tables: clips binned by stem SNR and by separated SNR."""
    lines = []
    for key, title in (("stem_snr_db", "true stem SNR"), ("separated_snr_db", "separated SNR")):
        lines.append(f"{title:>16} | clips | rejected by snr | median estimate")
        for row in summary(clips, key):
            med = row["median_estimate_db"]
            lines.append(f"{row['bin'] + ' dB':>16} | {row['clips']:5d} | "
                         f"{row['snr_rejected']:15d} | {'-' if med is None else f'{med:.1f} dB'}")
    est = [(c.stem_snr_db, c.separated_snr_db, c.estimate_db) for c in clips
           if c.estimate_db is not None]
    if len(est) > 2:
        arr = np.asarray(est)
        r_stem = np.corrcoef(arr[:, 0], arr[:, 2])[0, 1]
        r_sep = np.corrcoef(arr[:, 1], arr[:, 2])[0, 1]
        lines.append(f"estimate vs stem SNR r={r_stem:.2f}, vs separated SNR r={r_sep:.2f}")
    return "\n".join(lines)


def format_rejections(clips: Sequence[ClipSnr], floor_db: float) -> str:
    """One line: the clips the snr filter rejected (seconds, their true stem SNR) and the kept
    clips whose true stem SNR is under the floor; the benchmark's precision counts other
    speakers and non-speech, not music, so this is where SNR-filter changes show."""
    rejected = [c for c in clips if c.snr_rejected]
    under = [c for c in clips if c.kept and c.stem_snr_db < floor_db]
    seconds = sum(c.end - c.start for c in rejected)
    truth = (f"true stem SNR median {float(np.median([c.stem_snr_db for c in rejected])):.1f} dB, "
             f"{sum(c.stem_snr_db < floor_db for c in rejected)} under {floor_db:g} dB"
             if rejected else "none")
    return (f"snr filter: {len(rejected)} clips rejected ({seconds:.1f} s; {truth}); kept clips "
            f"under {floor_db:g} dB true stem SNR: {len(under)} of {sum(c.kept for c in clips)}")
