"""Deterministic train / validation / held-out split by recording and time.

Clips cut from one continuous stretch of speech share the room, the mood and often half a
sentence; if neighbours landed on both sides of the split, validation would flatter the model.
So clips of one recording closer than `gap_s` form a block, and whole blocks are assigned.
Blocks are visited in the order of a hash of their recording and start time: the split does not
depend on input order, and re-running gives the same answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from voicekit.manifest import Segment

TRAIN, VAL, HELDOUT = "train", "val", "heldout"
SPLITS = (TRAIN, VAL, HELDOUT)


@dataclass(frozen=True)
class Block:
    """Clips of one recording with gaps below the split gap."""

    recording_id: str
    start: float
    end: float
    seconds: float
    clip_ids: tuple[str, ...]

    @property
    def order(self) -> str:
        return hashlib.sha256(f"{self.recording_id}@{self.start:.2f}".encode()).hexdigest()


def blocks(clips: Sequence[Segment], gap_s: float) -> list[Block]:
    """Group clips into blocks: same recording, each clip within `gap_s` of the block's end."""
    by_recording: dict[str, list[Segment]] = {}
    for clip in clips:
        by_recording.setdefault(clip.recording_id, []).append(clip)
    out: list[Block] = []
    for rid in sorted(by_recording):
        current: list[Segment] = []
        for clip in sorted(by_recording[rid], key=lambda c: (c.start, c.id)):
            if current and clip.start - max(c.end for c in current) >= gap_s:
                out.append(_block(rid, current))
                current = []
            current.append(clip)
        if current:
            out.append(_block(rid, current))
    return out


def _block(rid: str, clips: list[Segment]) -> Block:
    return Block(
        rid,
        clips[0].start,
        max(c.end for c in clips),
        sum(c.duration for c in clips),
        tuple(c.id for c in clips),
    )


def assign(
    clips: Sequence[Segment], *, val_fraction: float, heldout_fraction: float, gap_s: float
) -> dict[str, str]:
    """Map each clip id to "train", "val" or "heldout".

    Held-out and validation each fill up to their share of clip seconds. A block that would
    overshoot a share by more than the share itself is passed over, except to give an empty
    set its first block (at most a quarter of all seconds), so that small datasets still get
    a validation clip and large blocks never swallow the training data.
    """
    groups = sorted(blocks(clips, gap_s), key=lambda b: b.order)
    total = sum(b.seconds for b in groups)
    targets = {HELDOUT: heldout_fraction * total, VAL: val_fraction * total}
    filled = {HELDOUT: 0.0, VAL: 0.0}
    result: dict[str, str] = {}
    for block in groups:
        split = TRAIN
        for name in (HELDOUT, VAL):
            target, have = targets[name], filled[name]
            if target <= 0 or have >= target:
                continue
            fits = have + block.seconds <= 2 * target
            first = have == 0 and block.seconds <= 0.25 * total
            if fits or first:
                split = name
                filled[name] += block.seconds
                break
        for clip_id in block.clip_ids:
            result[clip_id] = split
    return result


def write_lists(dataset: Path, splits: dict[str, str], wavs: dict[str, str]) -> list[str]:
    """`splits/<split>.txt`: one wav path (relative to the dataset) per line, sorted."""
    folder = dataset / "splits"
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for split in SPLITS:
        paths = sorted(wavs[i] for i, s in splits.items() if s == split and i in wavs)
        (folder / f"{split}.txt").write_text("".join(p + "\n" for p in paths), encoding="utf-8")
        names.append(f"splits/{split}.txt")
    return names
