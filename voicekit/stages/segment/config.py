"""Configuration of the segment stage."""

from __future__ import annotations

from dataclasses import dataclass

from voicekit.knob import knob


@dataclass(frozen=True)
class SegmentConfig:
    min_s: float = knob(
        1.0, "shortest clip in seconds; shorter fragments stay as clips the filters reject"
    )
    max_s: float = knob(15.0, "longest clip in seconds; longer spans are cut at the best pause")
    merge_gap_s: float = knob(
        0.5,
        "target turns closer than this are joined before cutting, unless another speaker "
        "or an overlap lies in the gap",
    )
    pad_s: float = knob(
        0.1, "silence kept around the speech of each clip (never into another speaker's turn)"
    )
    edge_guard_s: float = knob(
        0.3,
        "left out where a target turn touches another speaker or an overlap region (the "
        "diarized change is uncertain by about a window; a word there goes too); not where the "
        "clip would fall under min_s",
    )
    max_pause_s: float = knob(
        1.0, "a pause at least this long always ends a clip, even below max_s"
    )
    min_pause_s: float = knob(
        0.15, "shortest quiet stretch in the audio that counts as a pause to cut at"
    )
