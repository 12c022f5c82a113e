"""The segment stage: the target's turns joined and cut into clips; other segments pass through.

Input is the transcribe stage's output for one recording. Target turns (`speaker == "target"`,
`custom.role == "turn"`) closer than `merge_gap_s` are joined unless another speaker or an
overlap region lies between them or one of them is a turn the recogniser heard no word in;
edges that touch another speaker lose `edge_guard_s` (recorded on the clip, see `cut.guard`);
then cut at the longest pauses (word gaps when words exist, else quiet stretches of the audio)
into clips of `min_s`..`max_s` seconds, padded with a little silence. Nothing is dropped: a
fragment shorter than `min_s` or an uncuttable span longer than `max_s` stays a clip, and the
filters stage rejects it with a reason.
"""

from __future__ import annotations

import logging
from typing import ClassVar

import numpy as np

from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output, Stage
from voicekit.stages.segment import clips, cut
from voicekit.stages.segment.energy import Energy

log = logging.getLogger("voicekit")


def is_target_turn(seg: Segment) -> bool:
    return seg.speaker == "target" and seg.custom.get("role") == "turn"


def blockers(segments: list[Segment]) -> list[tuple[float, float]]:
    """Time ranges where someone else speaks: other speakers' turns and overlap regions."""
    return sorted(
        (s.start, s.end)
        for s in segments
        if s.custom.get("role") == "overlap"
        or (s.custom.get("role") == "turn" and s.speaker != "target")
    )


class SegmentStage(Stage):
    """Cuts the target's turns of each recording into clips (`custom.role = "clip"`)."""

    name: ClassVar[str] = "segment"
    # 3: speech touching another speaker is guarded (cut.guard); 4: a turn the recogniser
    # heard nothing in is not joined with its neighbours (cut.merge)
    version: ClassVar[int] = 4

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        cfg = self.config.segment
        inputs = list(item.inputs)
        turns = sorted((s for s in inputs if is_target_turn(s)), key=lambda s: (s.start, s.end))
        passing = [s for s in inputs if not is_target_turn(s)]
        if not turns:
            return inputs
        blocked = blockers(inputs)
        made: list[Segment] = []
        with _Audio(ctx, turns[0].audio) as audio:
            groups = cut.merge(turns, blocked, cfg.merge_gap_s)
            for span in cut.spans(groups, blocked, audio.duration):
                sides = cut.touching(span, blocked)
                start, end = cut.padded(span, cfg.pad_s)
                energy = Energy.of(audio.read(start, end), audio.rate, start)
                span = cut.tighten(span, energy)
                span = cut.guard(span, sides, cfg.edge_guard_s, cfg.min_s, cfg.pad_s)
                start, end = cut.padded(span, cfg.pad_s)
                points = cut.candidates(span, energy, cfg.min_pause_s)
                if not span.words and span.end - span.start > cfg.max_s:
                    points = points or _quietest(energy, start, end, cfg.min_s)
                wordless_text = any(t.text is not None and not t.words for t in span.turns)
                chosen = cut.split(start, end, points, cfg, at_pauses=not wordless_text)
                made += clips.build(span, chosen, cut.pieces(span, chosen, cfg.pad_s))
        log.debug("segment: %s: %d target turns -> %d clips", item.id, len(turns), len(made))
        return sorted([*passing, *made], key=lambda s: (s.start, s.end))


def _quietest(energy: Energy, start: float, end: float, min_s: float) -> list[cut.Cut]:
    """Last resort for long speech with no pause and no words: the quietest moment of each
    `min_s` stretch, so the longest pieces can still be divided."""
    points = []
    t = start + min_s
    while t < end - min_s:
        at = energy.quietest(t, min(t + min_s, end - min_s))
        if at is not None:
            points.append(cut.Cut(at, at, at))
        t += min_s
    return points


class _Audio:
    """The recording's audio file, read a stretch at a time (mono float32)."""

    def __init__(self, ctx: Context, rel: str) -> None:
        self.path = ctx.workspace.path(rel)

    def __enter__(self) -> _Audio:
        import soundfile as sf

        try:
            self.file = sf.SoundFile(self.path)
        except (OSError, RuntimeError) as err:  # soundfile raises LibsndfileError (RuntimeError)
            raise InputError(f"cannot read audio {self.path}: {err}") from err
        self.rate = int(self.file.samplerate)
        self.duration = self.file.frames / self.rate
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def read(self, start: float, end: float) -> np.ndarray:
        first = max(0, int(start * self.rate))
        self.file.seek(min(first, self.file.frames))
        data = self.file.read(max(0, int(end * self.rate) - first), dtype="float32",
                              always_2d=True)
        return data.mean(axis=1)
