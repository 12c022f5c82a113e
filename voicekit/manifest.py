"""The one record that flows from ingest to export, and its JSONL storage.

A `Segment` is a span of one recording (lhotse's supervision shape). Ingest emits one segment
per recording covering all of it; later stages refine, split, label and score. Filters mark a
segment as rejected with a reason; nothing is ever dropped, so the report and the rejection
ledger come from the same records.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from voicekit.errors import InputError

log = logging.getLogger("voicekit")


@dataclass(frozen=True)
class Word:
    """One recognised word with absolute times in seconds (recording timeline)."""

    text: str
    start: float
    end: float
    prob: float | None = None


@dataclass(frozen=True)
class Reject:
    """Why a segment was not kept: the filter's name, a human reason and the score."""

    filter: str
    reason: str
    score: float | None = None


@dataclass(frozen=True)
class Segment:
    """A span [start, start + duration) of one recording.

    Attributes:
        id: stable id, unique in a manifest (derived from recording and time).
        recording_id: the recording (one ingested source stream) this span belongs to.
        start: start time in seconds on the recording's timeline.
        duration: length in seconds.
        audio: workspace-relative path of the audio file the times refer to.
        speaker: speaker label (a cluster id, or "target").
        text: transcript, or None when no text source exists.
        language: ISO 639-1 code ("zh", "en") or None.
        words: word-level times when known.
        scores: named numeric scores added by stages (similarity, snr, ...).
        rejected: set by a filter; None means kept.
        custom: stage-specific extra data (JSON-serialisable).
    """

    id: str
    recording_id: str
    start: float
    duration: float
    audio: str
    speaker: str | None = None
    text: str | None = None
    language: str | None = None
    words: tuple[Word, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    rejected: Reject | None = None
    custom: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> float:
        return self.start + self.duration

    @property
    def kept(self) -> bool:
        return self.rejected is None

    def with_(self, **changes: Any) -> Segment:
        """A copy with some fields changed (records are frozen)."""
        return replace(self, **changes)

    def scored(self, **scores: float) -> Segment:
        """A copy with scores added (existing names are overwritten)."""
        return replace(self, scores={**self.scores, **scores})

    def reject(self, filter_name: str, reason: str, score: float | None = None) -> Segment:
        """A copy marked rejected; the first rejection wins, later ones go to custom."""
        if self.rejected is not None:
            more = [
                *self.custom.get("also_rejected", []),
                asdict(Reject(filter_name, reason, score)),
            ]
            return replace(self, custom={**self.custom, "also_rejected": more})
        return replace(self, rejected=Reject(filter_name, reason, score))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        words = tuple(Word(**w) for w in data.get("words") or ())
        rejected = data.get("rejected")
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        return cls(
            **{
                **data,
                "words": words,
                "rejected": Reject(**rejected) if rejected else None,
                "scores": dict(data.get("scores") or {}),
                "custom": dict(data.get("custom") or {}),
            }
        )


def segment_id(recording_id: str, start: float, end: float) -> str:
    """Stable id from recording and time, e.g. `film1_000123.45-000127.80`."""
    return f"{recording_id}_{start:09.2f}-{end:09.2f}"


def dumps(segments: Iterable[Segment]) -> str:
    return "".join(
        json.dumps(s.to_dict(), ensure_ascii=False, sort_keys=True) + "\n" for s in segments
    )


def write(path: Path, segments: Iterable[Segment]) -> None:
    """Write a manifest (callers publish it atomically through the stage runner)."""
    path.write_text(dumps(segments), encoding="utf-8")


def iter_read(path: Path) -> Iterator[Segment]:
    """Read a manifest. A bad line is an InputError; a torn last line is skipped with a warning."""
    lines = path.read_text(encoding="utf-8").split("\n")
    torn_tail = bool(lines) and lines[-1] != ""
    if not torn_tail:
        lines = lines[:-1]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield Segment.from_dict(json.loads(line))
        except (ValueError, TypeError) as err:
            if torn_tail and number == len(lines):
                log.warning("%s:%d: torn last line skipped (interrupted write)", path, number)
                return
            raise InputError(f"{path}:{number}: {err}", "delete the file to rebuild it") from err


def read(path: Path) -> list[Segment]:
    return list(iter_read(path))
