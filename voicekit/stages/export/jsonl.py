"""`manifest.jsonl` (every kept clip with all voicekit knows) and `rejected.jsonl`.

One JSON object per line, UTF-8, keys sorted: what people grep, load with pandas
(`read_json(lines=True)`) or feed to their own tools. Times are seconds on the recording's
timeline (`start`, `end`, word times), `audio` is relative to the dataset folder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from voicekit.manifest import Segment
from voicekit.stages.export.records import ExportedClip
from voicekit.stages.export.text import chars_per_second

MANIFEST = "manifest.jsonl"
REJECTED = "rejected.jsonl"


def _common(seg: Segment) -> dict[str, Any]:
    return {
        "id": seg.id,
        "recording_id": seg.recording_id,
        "source": seg.custom.get("source"),
        "start": round(seg.start, 3),
        "end": round(seg.end, 3),
        "duration": round(seg.duration, 3),
        "language": seg.language,
        "scores": seg.scores,
        "text_source": seg.custom.get("text_source"),
    }


def kept_record(clip: ExportedClip) -> dict[str, Any]:
    seg = clip.segment
    return {
        **_common(seg),
        "audio": clip.wav,
        "speaker": clip.speaker,
        "split": clip.split,
        "text": clip.text,
        "normalized_text": clip.spoken,
        "raw_text": seg.text,
        "words": [asdict(w) for w in seg.words],
        "chars_per_second": chars_per_second(clip.text, seg.duration),
        **clip.audio,
    }


def rejected_record(seg: Segment, audio: str | None) -> dict[str, Any]:
    reject = seg.rejected
    return {
        **_common(seg),
        "audio": audio,
        "speaker": seg.speaker,
        "text": seg.text,
        "filter": reject.filter if reject else None,
        "reason": reject.reason if reject else None,
        "score": reject.score if reject else None,
        "also_rejected": seg.custom.get("also_rejected", []),
    }


def _dump(records: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def write(
    dataset: Path, kept: Sequence[ExportedClip], rejected: Sequence[tuple[Segment, str | None]]
) -> list[str]:
    """Write both files; `rejected` pairs each rejected clip with its wav (or None)."""
    (dataset / MANIFEST).write_text(_dump([kept_record(c) for c in kept]), encoding="utf-8")
    (dataset / REJECTED).write_text(
        _dump([rejected_record(s, a) for s, a in rejected]), encoding="utf-8"
    )
    return [MANIFEST, REJECTED]
