"""Target turns joined into spans that Whisper transcribes once, and its output handed back.

Diarization often splits one sentence into two or three turns; transcribed one piece at a time,
Whisper loses the context across the cut and mishears the words at it ("they got used to the
heat" became "the got used today. Heat."). So consecutive target turns closer than `gap_s` with
no other speaker or overlap region between them (the grouping the segment stage uses to join
turns into clips) form one span, transcribed with `context_s` of extra audio either side (never
into another speaker's turn, an overlap region or the neighbouring span), and the words go back
to the turns:

- a word belongs to the turn holding its midpoint;
- a word in a gap between two turns of the span goes to the nearer one (the gap holds no other
  speaker, so it is the target's speech the turns' edges missed);
- a word in the outer context goes to the first/last turn when it reaches into it (a word the
  turn's late start clipped), and is dropped when it lies wholly outside (speech that is not
  the turn's).

Word times are kept inside their turn (the segment stage cuts clips at turn and word times). A
turn's Whisper scores are those of the Whisper segments its words came from, weighted by how
many of its words each gave; a turn without words takes the segments overlapping it in time,
weighted by the overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voicekit.manifest import Segment
from voicekit.stages.segment.cut import merge
from voicekit.stages.transcribe.whisper import AsrResult, AsrSegment, AsrWord


@dataclass(frozen=True)
class Span:
    """Target turns transcribed together, from the audio [start, end) (context included)."""

    turns: tuple[Segment, ...]
    start: float
    end: float


@dataclass(frozen=True)
class TurnAsr:
    """Whisper's output for one turn: words (recording times, inside the turn) and scores."""

    words: tuple[AsrWord, ...]
    avg_logprob: float | None
    no_speech_prob: float | None
    compression_ratio: float | None


def group(turns: Sequence[Segment], blockers: Sequence[tuple[float, float]], gap_s: float,
          context_s: float) -> list[Span]:
    """Spans of time-sorted target `turns` (see the module docstring)."""
    groups = merge(sorted(turns, key=lambda t: (t.start, t.end)), blockers, gap_s)
    out = []
    for i, turns_of in enumerate(groups):
        first = turns_of[0].start
        last = max(t.end for t in turns_of)
        lo = max(0.0, first - context_s)
        hi = last + context_s
        if i > 0:
            lo = max(lo, max(t.end for t in groups[i - 1]))
        if i + 1 < len(groups):
            hi = min(hi, groups[i + 1][0].start)
        for b0, b1 in blockers:
            if b0 < first:
                lo = max(lo, min(b1, first))
            if b1 > last:
                hi = min(hi, max(b0, last))
        out.append(Span(tuple(turns_of), lo, hi))
    return out


def _owner(span: Span, start: float, end: float) -> int | None:
    """Index of the turn of `span` the word [start, end] (recording times) belongs to."""
    mid = (start + end) / 2
    turns = span.turns
    for i, turn in enumerate(turns):
        if turn.start <= mid < turn.end:
            return i
    if mid < turns[0].start:
        return 0 if end > turns[0].start else None
    if mid >= turns[-1].end:
        return len(turns) - 1 if start < turns[-1].end else None
    after = next(i for i, t in enumerate(turns) if t.start > mid)
    return after if turns[after].start - mid < mid - turns[after - 1].end else after - 1


def split(span: Span, result: AsrResult) -> list[TurnAsr]:
    """Whisper's output for the span's audio handed back to its turns, in the turns' order."""
    words: list[list[AsrWord]] = [[] for _ in span.turns]
    counts: list[dict[int, float]] = [{} for _ in span.turns]
    for number, seg in enumerate(result.segments):
        for w in seg.words:
            start, end = span.start + w.start, span.start + w.end
            owner = _owner(span, start, end)
            if owner is None:
                continue
            turn, mine = span.turns[owner], words[owner]
            floor = mine[-1].start if mine else turn.start  # kept inside the turn, in order
            start = min(max(start, floor), turn.end)
            end = min(max(end, start), turn.end)
            mine.append(AsrWord(w.text, round(start, 3), round(end, 3), w.prob))
            counts[owner][number] = counts[owner].get(number, 0.0) + 1.0
    out = []
    for turn, mine, weights in zip(span.turns, words, counts, strict=True):
        if not weights:
            weights = _by_time(span.start, result.segments, turn)
        out.append(_scored(tuple(mine), result.segments, weights))
    return out


def _by_time(offset: float, segments: Sequence[AsrSegment], turn: Segment) -> dict[int, float]:
    overlaps = {i: min(turn.end, offset + s.end) - max(turn.start, offset + s.start)
                for i, s in enumerate(segments)}
    return {i: o for i, o in overlaps.items() if o > 0}


def _scored(words: tuple[AsrWord, ...], segments: Sequence[AsrSegment],
            weights: dict[int, float]) -> TurnAsr:
    if not weights:
        return TurnAsr(words, None, None, None)
    total = sum(weights.values())

    def mean(values: list[float]) -> float:
        return sum(v * weights[i] for i, v in zip(weights, values, strict=True)) / total

    chosen = [segments[i] for i in weights]
    return TurnAsr(
        words,
        avg_logprob=mean([s.avg_logprob for s in chosen]),
        no_speech_prob=mean([s.no_speech_prob for s in chosen]),
        compression_ratio=max(s.compression_ratio for s in chosen),
    )
