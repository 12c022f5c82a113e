"""Where to cut: joining the target's turns into spans and choosing cut points inside them.

Pure time arithmetic over turns, words and frame energy; no files. A cut is placed in a quiet
stretch (a gap between words, a gap between turns, or a pause in the audio) that contains no
word, so no clip ever starts or ends inside a word.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from voicekit.manifest import Segment, Word
from voicekit.stages.segment.config import SegmentConfig
from voicekit.stages.segment.energy import Energy

EPS = 1e-6
# Kept after the last loud frame: the decay of the last sound (and reverb) sits just below the
# quiet threshold.
HANG_S = 0.05
# A span edge "touches" another speaker when a blocker ends (or starts) this close to it: adjacent
# up to the manifests' millisecond rounding. Only such edges are guarded.
TOUCH_S = 0.01


@dataclass(frozen=True)
class Span:
    """Target turns joined for cutting.

    Attributes:
        turns: the turns, in time order.
        start: first speech (turn start, or an earlier word start).
        end: last speech.
        lo: how far padding may reach before `start` (another speaker, a neighbour, time 0).
        hi: how far padding may reach after `end`.
        guarded: seconds left out at the start and at the end by `guard`.
    """

    turns: tuple[Segment, ...]
    start: float
    end: float
    lo: float
    hi: float
    guarded: tuple[float, float] = (0.0, 0.0)

    @property
    def words(self) -> list[Word]:
        """The turns' words inside [start, end] (all of them, unless `guard` left some out)."""
        return sorted((w for t in self.turns for w in t.words
                       if w.start >= self.start - EPS and w.end <= self.end + EPS),
                      key=lambda w: (w.start, w.end))


@dataclass(frozen=True)
class Cut:
    """A cut point `at` inside the word-free quiet stretch [quiet_start, quiet_end]."""

    at: float
    quiet_start: float
    quiet_end: float

    @property
    def length(self) -> float:
        return self.quiet_end - self.quiet_start

    def left_end(self, pad: float) -> float:
        """End of the clip before the cut: at most `pad` of the quiet stretch is kept."""
        return min(self.at, self.quiet_start + pad)

    def right_start(self, pad: float) -> float:
        """Start of the clip after the cut."""
        return max(self.at, self.quiet_end - pad)


def heard_nothing(turn: Segment) -> bool:
    """A turn the speech recogniser ran on and found no word in: whatever sounds in it has no
    transcript (a word it missed, a breath, a noise)."""
    return turn.custom.get("text_source") == "asr" and not turn.words and not turn.text


def merge(turns: Sequence[Segment], blockers: Sequence[tuple[float, float]],
          gap_s: float) -> list[list[Segment]]:
    """Group time-sorted target turns closer than `gap_s` with no blocker in between. A turn
    the recogniser heard nothing in stays alone: joined, its sound would sit in a clip whose
    text does not say it (and the clip's text is unknown where it cuts the turn)."""
    groups: list[list[Segment]] = []
    for turn in turns:
        if groups:
            last_end = max(t.end for t in groups[-1])
            blocked = any(b0 < turn.start and b1 > last_end for b0, b1 in blockers)
            alone = heard_nothing(turn) or heard_nothing(groups[-1][-1])
            if turn.start - last_end < gap_s and not blocked and not alone:
                groups[-1].append(turn)
                continue
        groups.append([turn])
    return groups


def spans(groups: Sequence[Sequence[Segment]], blockers: Sequence[tuple[float, float]],
          duration: float) -> list[Span]:
    """Spans with the room their padding may use.

    Padding stops at another speaker's turn or an overlap region (not at all when the speech
    already touches one), halfway to the neighbouring span, and at the recording's ends.
    """
    extents = []
    for group in groups:
        start = min([t.start for t in group] + [w.start for t in group for w in t.words])
        end = max([t.end for t in group] + [w.end for t in group for w in t.words])
        extents.append((max(0.0, start), min(duration, end)))
    out = []
    for i, (group, (start, end)) in enumerate(zip(groups, extents, strict=True)):
        lo = 0.0 if i == 0 else (extents[i - 1][1] + start) / 2
        hi = duration if i == len(extents) - 1 else (end + extents[i + 1][0]) / 2
        for b0, b1 in blockers:
            if b0 < start:
                lo = max(lo, min(b1, start))
            if b1 > end:
                hi = min(hi, max(b0, end))
        out.append(Span(tuple(group), start, end, min(lo, start), max(hi, end)))
    return out


def touching(span: Span, blockers: Sequence[tuple[float, float]]) -> tuple[bool, bool]:
    """Whether another speaker's turn or an overlap region touches the span's start, its end."""
    return (any(b0 < span.start + EPS and b1 >= span.start - TOUCH_S for b0, b1 in blockers),
            any(b1 > span.end - EPS and b0 <= span.end + TOUCH_S for b0, b1 in blockers))


def guard(span: Span, sides: tuple[bool, bool], guard_s: float, min_s: float,
          pad: float) -> Span:
    """The span with `guard_s` of speech left out at the edges that touch another speaker.

    Where the diarizer puts a target turn right against an overlap region or another speaker's
    turn, the true change lies up to a window's width away, and in films the other voice often
    starts before the target ends (or ends after the target starts): on the real English scenes
    (6, seed 0) all of the other speakers' time in kept clips sat in such edges, 0.1-0.9 s
    deep. A cut that falls inside a word moves to the word's far side (the word is left out
    with the guarded speech); no padding is added there. When the clip would fall under
    `min_s`, the span stays whole: the guard would only turn a clip into a fragment the
    duration filter rejects.

    Args:
        span: the span, its edges already tightened to the speech.
        sides: `touching(span, blockers)` of the span before tightening.
        guard_s: seconds left out at each touching edge.
        min_s: shortest clip.
        pad: the padding `padded` adds on the other edges.
    """
    touch_start, touch_end = sides
    if guard_s <= 0 or not (touch_start or touch_end):
        return span
    words = span.words
    start, end = span.start, span.end
    if touch_start:
        start += guard_s
        for w in words:  # in start order: a word reaching past a moved cut moves it again
            if w.start < start < w.end:
                start = w.end
    if touch_end:
        end -= guard_s
        for w in reversed(words):
            if w.start < end < w.end:
                end = w.start
    guarded = replace(span, start=start, end=end, lo=start if touch_start else span.lo,
                      hi=end if touch_end else span.hi,
                      guarded=(round(start - span.start, 3), round(span.end - end, 3)))
    first, last = padded(guarded, pad)
    return guarded if last - first >= min_s else span


def padded(span: Span, pad: float) -> tuple[float, float]:
    """The span's extent with up to `pad` seconds either side, within its room."""
    return max(span.lo, span.start - pad), min(span.hi, span.end + pad)


def tighten(span: Span, energy: Energy) -> Span:
    """The span with the quiet audio at its outer edges left out.

    Diarized turns run on past the speech by up to ~0.5 s; padding is added after this, so a
    clip holds `pad_s` of silence, not the turn's slack. Words are never cut: with word times
    the start stays (Whisper puts the first word at the turn start, whatever the audio) and the
    end stays at or after the last word's end.
    """
    bounds = energy.loud_bounds(span.start, span.end)
    if bounds is None:
        return span
    words = span.words
    start = span.start if words else max(span.start, bounds[0] - HANG_S)
    end = min(span.end, bounds[1] + HANG_S)
    if words:
        end = max(end, max(w.end for w in words))
    return replace(span, start=start, end=end) if end > start else span


def candidates(span: Span, energy: Energy, min_pause_s: float) -> list[Cut]:
    """Every place the span may be cut: word gaps, gaps between its turns, audio pauses."""
    words = span.words
    found: list[Cut | None] = []
    reach = float("-inf")  # the latest end of any word so far (word times may overlap)
    for prev, nxt in itertools.pairwise(words):
        reach = max(reach, prev.end)
        if nxt.start + EPS >= reach:
            at = energy.quietest(reach, nxt.start) if nxt.start > reach else None
            found.append(Cut(reach if at is None else at, reach, max(reach, nxt.start)))
    turns = sorted(span.turns, key=lambda t: t.start)
    for prev_t, next_t in itertools.pairwise(turns):
        if next_t.start > prev_t.end:
            found.append(_in_quiet(prev_t.end, next_t.start, words, energy))
    for start, end in energy.quiet_runs(min_pause_s):
        start, end = max(start, span.start), min(end, span.end)
        if end > start:
            found.append(_in_quiet(start, end, words, energy))
    return _dedupe([c for c in found if c is not None and span.start < c.at < span.end])


def _in_quiet(start: float, end: float, words: Sequence[Word], energy: Energy) -> Cut | None:
    """A cut in [start, end] shrunk to leave out any word, at its quietest point."""
    for w in words:
        if w.start < end and w.end > start:  # a word reaches into the stretch
            mid = (start + end) / 2
            if w.end <= mid:
                start = max(start, w.end)
            elif w.start >= mid:
                end = min(end, w.start)
            else:
                return None  # a word sits across the middle: no pause here
    if end < start:
        return None
    at = energy.quietest(start, end)
    return Cut((start + end) / 2 if at is None else at, start, end)


def _dedupe(cuts: list[Cut]) -> list[Cut]:
    """Of cuts whose quiet stretches overlap, keep the longest."""
    kept: list[Cut] = []
    for cut in sorted(cuts, key=lambda c: -c.length):
        if all(cut.quiet_end < k.quiet_start or cut.quiet_start > k.quiet_end for k in kept):
            kept.append(cut)
    return sorted(kept, key=lambda c: c.at)


def split(start: float, end: float, cuts: Sequence[Cut], cfg: SegmentConfig,
          *, at_pauses: bool = True) -> list[Cut]:
    """The cuts to make in the clip extent [start, end], in time order.

    Pauses of at least `max_pause_s` always cut (when `at_pauses`: not for text without word
    times, which a cut would lose). A piece longer than `max_s` is cut at its
    longest pause, preferring cuts that leave both sides at least `min_s` long (ties: nearer
    the middle), recursively. A piece with no cut point stays whole (the filters judge it).
    """
    inner = [c for c in cuts if start < c.at < end]
    forced = [c for c in inner if at_pauses and c.length >= cfg.max_pause_s]
    if forced:
        chosen: list[Cut] = []
        left = start
        for cut in forced:
            chosen += [*split(left, cut.left_end(cfg.pad_s), inner, cfg), cut]
            left = cut.right_start(cfg.pad_s)
        return chosen + split(left, end, inner, cfg)
    if end - start <= cfg.max_s or not inner:
        return []
    pad = cfg.pad_s
    valid = [c for c in inner
             if c.left_end(pad) - start >= cfg.min_s and end - c.right_start(pad) >= cfg.min_s]
    middle = (start + end) / 2
    best = max(valid or inner, key=lambda c: (round(c.length, 3), -abs(c.at - middle)))
    return [*split(start, best.left_end(pad), inner, cfg, at_pauses=at_pauses), best,
            *split(best.right_start(pad), end, inner, cfg, at_pauses=at_pauses)]


def pieces(span: Span, cuts: Sequence[Cut], pad: float) -> list[tuple[float, float]]:
    """Clip extents: the span padded into its room, divided at the cuts."""
    first, last = padded(span, pad)
    bounds = [first]
    for cut in cuts:
        bounds += [cut.left_end(pad), cut.right_start(pad)]
    bounds.append(last)
    return list(zip(bounds[::2], bounds[1::2], strict=True))
