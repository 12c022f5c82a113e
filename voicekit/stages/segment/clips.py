"""Clip records: words, text, language, scores and custom data restricted to one clip."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from voicekit.manifest import Segment, Word, segment_id
from voicekit.stages.segment.cut import EPS, Cut, Span

# Languages written without spaces between words: their text is joined without separators.
NO_SPACE = frozenset({"zh", "ja", "yue", "th", "lo", "my", "bo"})

# A clip made from several turns carries the worst of their quality scores, so a doubtful turn
# cannot hide behind a good neighbour; other scores are averaged by the time each turn covers.
WORST: dict[str, Callable[[Sequence[float]], float]] = {
    "similarity": min,
    "asr_logprob": min,
    "subtitle_agreement": min,
    "no_speech_prob": max,
    "compression_ratio": max,
    "repetition": max,
}


def join(tokens: Sequence[str], language: str | None) -> str:
    """Words or sentences joined as the language writes them."""
    parts = [t.strip() for t in tokens if t.strip()]
    return ("" if language in NO_SPACE else " ").join(parts)


def build(span: Span, cuts: Sequence[Cut], extents: Sequence[tuple[float, float]]) -> list[Segment]:
    """One clip per extent of `span` (extents as `cut.pieces` returns them).

    Speech that `cut.guard` left out next to another speaker is recorded on the clip at that
    edge: `edge_guard_start_s` on the first, `edge_guard_end_s` on the last (when non-zero).
    """
    marks = [c.at for c in cuts]
    owned: list[list[Word]] = [[] for _ in extents]
    for word in span.words:
        owned[bisect.bisect_right(marks, (word.start + word.end) / 2)].append(word)
    made = [_clip(span, start, end, owned[i]) for i, (start, end) in enumerate(extents)]
    head, tail = span.guarded
    if made and head > 0:
        made[0] = made[0].scored(edge_guard_start_s=head)
    if made and tail > 0:
        made[-1] = made[-1].scored(edge_guard_end_s=tail)
    return made


def _clip(span: Span, start: float, end: float, words: list[Word]) -> Segment:
    mine = set(map(id, words))
    covered = [(t, min(t.end, end) - max(t.start, start)) for t in span.turns]
    turns = [(t, max(c, 0.0)) for t, c in covered
             if c > 0 or any(id(w) in mine for w in t.words)]
    if not turns:  # a sliver between turns; describe it by the nearest turn
        turns = [(min(span.turns, key=lambda t: abs(t.start - start)), 0.0)]
    spoken = [(t, c) for t, c in turns if t.language]
    language = max(spoken, key=lambda tc: tc[1])[0].language if spoken else None
    first = turns[0][0]
    return Segment(
        id=segment_id(first.recording_id, start, end),
        recording_id=first.recording_id,
        start=round(start, 3),
        duration=round(end - start, 3),
        audio=first.audio,
        speaker=first.speaker,
        text=_text(turns, words, start, end, language),
        language=language,
        words=tuple(words),
        scores=_scores(turns),
        custom={**first.custom, "role": "clip", "turns": [t.id for t, _ in turns]},
    )


def _text(turns: Sequence[tuple[Segment, float]], words: Sequence[Word], start: float,
          end: float, language: str | None) -> str | None:
    """Text rebuilt from the clip's words; a turn without word times counts only when the clip
    holds all of it (its text cannot be divided), otherwise the clip's text is unknown."""
    mine = set(map(id, words))
    parts: list[str] = []
    for turn, _ in turns:
        if turn.words:
            parts += [w.text for w in turn.words if id(w) in mine]
        elif turn.text is not None and turn.start >= start - EPS and turn.end <= end + EPS:
            parts.append(turn.text)
        else:
            return None
    return join(parts, language)


def _scores(turns: Sequence[tuple[Segment, float]]) -> dict[str, float]:
    names = sorted({name for t, _ in turns for name in t.scores})
    total = sum(c for _, c in turns)
    out = {}
    for name in names:
        pairs = [(t.scores[name], c) for t, c in turns if name in t.scores]
        if name in WORST:
            out[name] = WORST[name]([v for v, _ in pairs])
        elif total > 0 and sum(c for _, c in pairs) > 0:
            out[name] = sum(v * c for v, c in pairs) / sum(c for _, c in pairs)
        else:
            out[name] = pairs[0][0]
    return out
