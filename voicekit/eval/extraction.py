"""Evaluation of target-speaker extraction against film ground truth (`<film>.truth.json`).

Ground truth (written by the demo scene builder): {"film", "duration", "target", "turns":
[{"speaker", "start", "end", "text", "language"}], "overlaps": [[s, e]], "refs", "stems":
{"dialogue", "target", "background"}, "layout"}. Paths in it are relative to its folder.

What counts as kept: clips (`custom.role == "clip"`) that no filter rejected; for a manifest
without clips (a run that stopped after identify), the turns labelled `speaker == "target"`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.audio.io import read
from voicekit.errors import InputError
from voicekit.eval.metrics import Interval, extraction_scores, si_sdr
from voicekit.manifest import Segment

MAX_LAG_S = 0.1
COLUMNS = ("precision", "recall", "recall_clean", "other_share", "nonspeech_share", "f1")


@dataclass(frozen=True)
class Truth:
    """One film's ground truth."""

    path: Path
    film: str
    duration: float
    target: str
    turns: list[dict[str, Any]]

    @classmethod
    def read(cls, path: Path) -> Truth:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, str(data["film"]), float(data["duration"]), str(data["target"]),
                       list(data["turns"]))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise InputError(f"{path}: not a ground-truth file: {err}") from err

    @property
    def stem(self) -> str:
        return Path(self.film).stem

    def target_turns(self) -> list[Interval]:
        return [(t["start"], t["end"]) for t in self.turns if t["speaker"] == self.target]

    def other_turns(self) -> list[Interval]:
        return [(t["start"], t["end"]) for t in self.turns if t["speaker"] != self.target]

    def stem_path(self, name: str) -> Path | None:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        rel = (data.get("stems") or {}).get(name)
        return self.path.parent / rel if rel else None


def kept_segments(segments: list[Segment]) -> list[Segment]:
    """Kept clips, or target turns when the manifest holds no clips."""
    clips = [s for s in segments if s.custom.get("role") == "clip"]
    if clips:
        return [s for s in clips if s.rejected is None]
    return [s for s in segments if s.speaker == "target" and s.rejected is None]


def film_of(segment: Segment, truths: list[Truth]) -> Truth | None:
    """The film a segment came from: by source file name, else by recording id prefix."""
    source = segment.custom.get("source")
    for truth in truths:
        if source and Path(str(source)).name == Path(truth.film).name:
            return truth
    for truth in truths:
        if segment.recording_id == truth.stem or segment.recording_id.startswith(truth.stem + "-"):
            return truth
    return None


def evaluate(
    truth_paths: list[Path],
    segments: list[Segment],
    audio_of: Callable[[Segment], Path] | None = None,
) -> dict[str, Any]:
    """Per-film and overall extraction scores.

    Args:
        truth_paths: `<film>.truth.json` files.
        segments: the final manifest (or the identify manifest).
        audio_of: maps a segment to its audio file (e.g. `lambda s: ws.path(s.audio)`); when
            given and the truth has a target stem, SI-SDR of the kept audio is measured.

    Returns:
        {"films": {film: scores}, "overall": scores}; overall sums times across films.
    """
    truths = [Truth.read(p) for p in truth_paths]
    kept = kept_segments(segments)
    by_film: dict[str, list[Segment]] = {t.film: [] for t in truths}
    for seg in kept:
        truth = film_of(seg, truths)
        if truth is not None:
            by_film[truth.film].append(seg)
    films: dict[str, dict[str, float]] = {}
    offset = 0.0
    all_kept: list[Interval] = []
    all_target: list[Interval] = []
    all_other: list[Interval] = []
    for truth in truths:
        segs = by_film[truth.film]
        spans = [(s.start, s.end) for s in segs]
        scores = extraction_scores(spans, truth.target_turns(), truth.other_turns())
        scores["clips"] = float(len(segs))
        scores["minutes_per_hour"] = scores["kept_s"] / 60 / (truth.duration / 3600)
        stem = truth.stem_path("target")
        if audio_of is not None and stem is not None and stem.exists() and segs:
            scores["si_sdr"] = kept_si_sdr(segs, audio_of, stem)
        films[truth.film] = scores
        # films on one long timeline, so overall numbers weigh every second equally
        all_kept += [(a + offset, b + offset) for a, b in spans]
        all_target += [(a + offset, b + offset) for a, b in truth.target_turns()]
        all_other += [(a + offset, b + offset) for a, b in truth.other_turns()]
        offset += truth.duration + 1.0
    overall = extraction_scores(all_kept, all_target, all_other)
    overall["clips"] = float(len(kept))
    hours = sum(t.duration for t in truths) / 3600
    overall["minutes_per_hour"] = overall["kept_s"] / 60 / hours if hours else 0.0
    sdrs = [f["si_sdr"] for f in films.values() if "si_sdr" in f]
    if sdrs:
        overall["si_sdr"] = float(np.mean(sdrs))
    return {"films": films, "overall": overall}


def kept_si_sdr(segs: list[Segment], audio_of: Callable[[Segment], Path], stem: Path) -> float:
    """SI-SDR of the kept audio (concatenated) against the clean target stem, same spans.

    Containers and codecs can shift decoded audio by a few milliseconds (priming samples), which
    alone would wreck SI-SDR; the film's shift is measured once and compensated.
    """
    longest = max(segs, key=lambda s: s.duration)
    probe, rate = read(audio_of(longest), longest.start, longest.end)
    clean, _ = read(stem, longest.start, longest.end, sr=rate)
    shift = lag(probe, clean, round(MAX_LAG_S * rate)) / rate
    est_parts, ref_parts = [], []
    for seg in segs:
        est, rate = read(audio_of(seg), seg.start, seg.end)
        ref, _ = read(stem, max(0.0, seg.start - shift), max(0.0, seg.end - shift), sr=rate)
        n = min(len(est), len(ref))
        est_parts.append(est[:n])
        ref_parts.append(ref[:n])
    return si_sdr(np.concatenate(est_parts), np.concatenate(ref_parts))


def lag(signal: np.ndarray, reference: np.ndarray, max_lag: int) -> int:
    """Samples by which `signal` trails `reference` (within ±max_lag), by cross-correlation."""
    n = min(len(signal), len(reference))
    if n == 0:
        return 0
    size = 2 * n
    corr = np.fft.irfft(np.fft.rfft(signal[:n], size) * np.conj(np.fft.rfft(reference[:n], size)))
    lags = np.r_[np.arange(0, max_lag + 1), np.arange(-max_lag, 0)]
    return int(lags[np.argmax(np.abs(corr[lags]))])


def format_table(result: dict[str, Any]) -> str:
    """Plain-text table: one row per film and an overall row."""
    cols = [*COLUMNS, "kept_s", "clips", "minutes_per_hour", "si_sdr"]
    head = f"{'film':<24}" + "".join(f"{c[:12]:>13}" for c in cols)
    lines = [head, "-" * len(head)]
    rows = [*result["films"].items(), ("overall", result["overall"])]
    for name, scores in rows:
        cells = "".join(
            f"{scores[c]:>13.3f}" if c in scores else f"{'-':>13}" for c in cols
        )
        lines.append(f"{name[:24]:<24}{cells}")
    return "\n".join(lines)
