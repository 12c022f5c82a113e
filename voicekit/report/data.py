"""The numbers behind report.html, computed from segments only (nothing is re-measured)."""

from __future__ import annotations

import json
import os
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicekit.manifest import Segment
from voicekit.stages.export.text import chars_per_second


@dataclass(frozen=True)
class Film:
    recording_id: str
    name: str
    duration: float


@dataclass(frozen=True)
class Reason:
    """Rejections by one filter: how many, how long, the most common wording."""

    filter: str
    count: int
    seconds: float
    example: str


@dataclass
class ReportData:
    workspace: str
    films: list[Film]
    clips: list[Segment]  # kept and rejected, in recording/time order
    context: list[Segment]  # turns and overlaps (the timeline)
    reasons: list[Reason]
    config: dict[str, Any] = field(default_factory=dict)
    candidates: list[Any] = field(default_factory=list)

    @property
    def kept(self) -> list[Segment]:
        return [c for c in self.clips if c.kept]

    @property
    def rejected(self) -> list[Segment]:
        return [c for c in self.clips if not c.kept]

    def summary(self) -> dict[str, Any]:
        """The headline numbers (also embedded in the page as JSON for tools and tests)."""
        kept_s = sum(c.duration for c in self.kept)
        found_s = sum(c.duration for c in self.clips)
        target_turns_s = sum(
            s.duration
            for s in self.context
            if s.speaker == "target" and s.custom.get("role") == "turn"
        )
        splits = Counter(str(c.custom.get("split", "")) for c in self.kept)
        return {
            "films": len(self.films),
            "hours_in": round(sum(f.duration for f in self.films) / 3600, 3),
            "target_minutes": round((target_turns_s or found_s) / 60, 2),
            "clip_minutes": round(found_s / 60, 2),
            "kept_minutes": round(kept_s / 60, 2),
            "kept_clips": len(self.kept),
            "rejected_clips": len(self.rejected),
            "rejected_by_filter": {r.filter: r.count for r in self.reasons},
            "splits": {k: splits[k] for k in ("train", "val", "heldout")},
        }


def film_name(seg: Segment) -> str:
    source = seg.custom.get("source")
    return Path(str(source)).name if source else seg.recording_id


def films(segments: list[Segment]) -> list[Film]:
    """One entry per recording: name from the ingested source, length from ingest's record."""
    names: dict[str, str] = {}
    lengths: dict[str, float] = {}
    ends: dict[str, float] = defaultdict(float)
    for seg in segments:
        rid = seg.recording_id
        ends[rid] = max(ends[rid], seg.end)
        if seg.custom.get("source") or rid not in names:
            names[rid] = film_name(seg)
        stored = seg.custom.get("recording_duration")
        if stored is not None:
            lengths[rid] = float(stored)
    return [Film(rid, name, lengths.get(rid, ends[rid])) for rid, name in names.items()]


def reasons(clips: list[Segment]) -> list[Reason]:
    by_filter: dict[str, list[Segment]] = defaultdict(list)
    for clip in clips:
        if clip.rejected is not None:
            by_filter[clip.rejected.filter].append(clip)
    out = []
    for name, group in by_filter.items():
        wording = Counter(c.rejected.reason for c in group if c.rejected is not None)
        out.append(
            Reason(name, len(group), sum(c.duration for c in group), wording.most_common(1)[0][0])
        )
    return sorted(out, key=lambda r: (-r.count, r.filter))


def candidates(segments: list[Segment]) -> list[Any]:
    """identify's candidate speakers (when no enrolment clips were given), de-duplicated."""
    seen: dict[str, Any] = {}
    for seg in segments:
        found = seg.custom.get("candidates")
        if not isinstance(found, list):
            continue
        for cand in found:
            seen.setdefault(json.dumps(cand, sort_keys=True, ensure_ascii=False), cand)
    return list(seen.values())


def collect(
    clips: list[Segment], context: list[Segment], workspace: Path, config: dict[str, Any]
) -> ReportData:
    ordered = sorted(clips, key=lambda s: (s.recording_id, s.start, s.id))
    return ReportData(
        workspace=str(workspace),
        films=films([*context, *ordered]),
        clips=ordered,
        context=context,
        reasons=reasons(ordered),
        config=config,
        candidates=candidates([*context, *ordered]),
    )


def metric(seg: Segment, name: str) -> float | None:
    """A per-clip number shown in tables and histograms."""
    if name == "duration":
        return seg.duration
    if name == "cps":
        return chars_per_second(seg.custom.get("text_export") or seg.text, seg.duration)
    value = seg.scores.get(name)
    return float(value) if value is not None else None


def threshold(data: ReportData, name: str) -> float | None:
    """The keep/reject line for a histogram, where the run recorded one."""
    if name == "similarity":
        values = [c.scores["similarity_threshold"] for c in data.clips
                  if "similarity_threshold" in c.scores]
        return statistics.median(values) if values else None
    if name == "snr_db":
        value = data.config.get("filters", {}).get("min_snr_db")
        return float(value) if isinstance(value, (int, float)) else None
    return None


def audio_src(seg: Segment, dataset: Path, workspace: Path) -> tuple[str | None, str]:
    """(src for an <audio> element relative to the dataset folder, a note for the reader).

    Exported clips play from their wav; a rejected clip without a wav plays its span of the
    separated dialogue track (a media fragment `#t=start,end`) while that track exists.
    """
    clip = seg.custom.get("clip")
    if clip:
        return str(clip), ""
    stem = workspace / seg.audio
    if seg.audio and stem.exists():
        rel = Path(os.path.relpath(stem, dataset)).as_posix()
        return f"{rel}#t={seg.start:.2f},{seg.end:.2f}", "from the separated track"
    return None, "no audio kept (export.keep_rejected_audio: true keeps it)"
