"""Subtitles of a narration: ``.srt`` cues and a ``.json`` timing list, one per sentence."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from voicekit.audio.subtitles import Cue, srt_text


@dataclass(frozen=True)
class Timed:
    """One spoken sentence and where it is in the narration (seconds)."""

    line: int
    index: int  # sentence number within the line
    text: str
    start: float
    end: float
    seed: int  # the sentence's base seed (its take)
    attempt: int = 0  # the quality gate's re-take kept (0: the first)
    error: float | None = None  # CER (zh) / WER (en) the gate measured; None: not checked
    heard: str | None = None  # what the gate's ASR heard


def to_srt(sentences: list[Timed]) -> str:
    """An SRT document with one cue per sentence."""
    return srt_text([Cue(t.start, t.end, t.text) for t in sentences])


def to_json(
    sentences: list[Timed], audio: str, rate: int, duration: float,
    gate: dict[str, Any] | None = None,
) -> str:  # fmt: skip
    """The timings as JSON: audio name, sample rate, duration, each sentence, the gate's result."""
    data: dict[str, Any] = {
        "audio": audio,
        "sample_rate": rate,
        "duration": round(duration, 4),
        "sentences": [asdict(t) for t in sentences],
        "gate": gate,
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
