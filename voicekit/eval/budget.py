"""Where the target's speech went: its ground-truth time split by the stage that dropped it.

Every moment of the target's truth turns lands in the first of these that holds it:

- kept: a clip no filter rejected;
- rejected by <filter>: a clip that filter rejected (the first reason recorded);
- quiet: no speech in the target's clean stem (Silero VAD; the recordings keep breath and room
  noise inside a turn's bounds, which no stage needs to keep); only where the truth has a stem;
- segment: a turn identify gave the target, but no clip (edges trimmed, gaps, fragments);
- overlap: a region diarize marked as several voices at once;
- other label: a turn of another voice (the target's speech clustered with someone else, or a
  cluster of the target's that identify did not take);
- no turn: nothing (diarize heard no speech there).

Read from identify's manifest (turns and overlap regions) and the final one (clips). Shown for
all of the target's speech and for the part nobody else talks over (`clean`), so a recall loss
can be traced to the stage that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from voicekit.eval.asr_kept import speech_in
from voicekit.eval.extraction import Truth, film_of
from voicekit.eval.metrics import Interval, intersect, subtract, total, union
from voicekit.manifest import Segment

KEPT = "kept"
SEGMENT = "segment"
OVERLAP = "overlap"
OTHER = "other label"
NO_TURN = "no turn"
QUIET = "quiet"


def _spans(segments: Sequence[Segment]) -> list[Interval]:
    return [(s.start, s.end) for s in segments]


def _film_budget(truth: Truth, identified: Sequence[Segment],
                 final: Sequence[Segment]) -> dict[str, dict[str, float]]:
    clips = [s for s in final if s.custom.get("role") == "clip"]
    stages: list[tuple[str, list[Interval]]] = [
        (KEPT, _spans([c for c in clips if c.rejected is None]))]
    reasons: dict[str, list[Segment]] = {}
    for clip in clips:
        if clip.rejected is not None:
            reasons.setdefault(f"rejected by {clip.rejected.filter}", []).append(clip)
    stages += [(name, _spans(segs)) for name, segs in sorted(reasons.items())]
    target = union(truth.target_turns())
    stem = truth.stem_path("target")
    if stem is not None and stem.exists():
        speech = [part for turn in target for part in speech_in(stem, turn)]
        stages.append((QUIET, subtract(target, speech)))
    turns = [s for s in identified if s.custom.get("role") != "overlap"]
    stages += [
        (SEGMENT, _spans([s for s in turns if s.speaker == "target"])),
        (OVERLAP, _spans([s for s in identified if s.custom.get("role") == "overlap"])),
        (OTHER, _spans([s for s in turns if s.speaker != "target"])),
    ]
    out = {}
    for part, whole in (("all", target), ("clean", subtract(target, truth.other_turns()))):
        left = whole
        seconds = {}
        for name, spans in stages:
            seconds[name] = total(intersect(left, spans))
            left = subtract(left, spans)
        seconds[NO_TURN] = total(left)
        out[part] = seconds
    return out


def loss_budget(truth_paths: Sequence[Path], identified: Sequence[Segment],
                final: Sequence[Segment]) -> dict[str, dict[str, float]]:
    """{"all" | "clean": {category: seconds}}, summed over the films.

    Args:
        truth_paths: `<film>.truth.json` files.
        identified: identify's output segments (turns with speakers, overlap regions).
        final: the pipeline's final segments (clips, with rejections).
    """
    truths = [Truth.read(p) for p in truth_paths]

    def by_film(segments: Sequence[Segment]) -> dict[str, list[Segment]]:
        found: dict[str, list[Segment]] = {t.film: [] for t in truths}
        for seg in segments:
            truth = film_of(seg, truths)
            if truth is not None:
                found[truth.film].append(seg)
        return found

    turns, clips = by_film(identified), by_film(final)
    out: dict[str, dict[str, float]] = {"all": {}, "clean": {}}
    for truth in truths:
        film = _film_budget(truth, turns[truth.film], clips[truth.film])
        for part, seconds in film.items():
            for name, value in seconds.items():
                out[part][name] = out[part].get(name, 0.0) + value
    return out


def format_budget(budget: dict[str, dict[str, float]]) -> str:
    """A markdown table: seconds and share of the target's speech per category."""
    whole = sum(budget["all"].values()) or 1.0
    clean = sum(budget["clean"].values()) or 1.0
    lines = ["| where the target's speech went | seconds | share | clean seconds | clean share |",
             "|---|---|---|---|---|"]
    rejected = sorted(name for name in budget["all"] if name.startswith("rejected by "))
    for name in (KEPT, *rejected, QUIET, SEGMENT, OVERLAP, OTHER, NO_TURN):
        seconds = budget["all"].get(name, 0.0)
        c = budget["clean"].get(name, 0.0)
        if seconds <= 0 and c <= 0:
            continue
        lines.append(f"| {name} | {seconds:.1f} | {seconds / whole:.3f} | {c:.1f} "
                     f"| {c / clean:.3f} |")
    return "\n".join(lines)
