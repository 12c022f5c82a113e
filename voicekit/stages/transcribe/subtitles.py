"""Subtitles as a second, independent text source: checking ASR and standing in for it.

Subtitles are often condensed, shifted by a fraction of a second, or hold two speakers' lines in
one cue ("- Who? - Me."), so matching is tolerant: cues overlap a turn within a slack, the
agreement score takes the best-matching run of cue lines, and subtitle-only text gives each cue
to the one turn it overlaps most, so no line is used twice.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from voicekit.audio.ffmpeg import language_matches
from voicekit.audio.subtitles import Cue
from voicekit.errors import InputError
from voicekit.eval.asr import normalise, similarity
from voicekit.manifest import Segment
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")

_HAN = re.compile(r"[\u3400-\u9fff]")
# a dialogue dash opening a line or following sentence punctuation starts another speaker's line
_DIALOGUE_DASH = re.compile(r"(?:^|(?<=[.!?。！？…\"”]))\s*[-–—]\s+")


@dataclass(frozen=True)
class Track:
    """One subtitle track of a recording, with the language its text is in."""

    cues: tuple[Cue, ...]
    language: str | None
    origin: str


def _script_language(cues: Sequence[Cue]) -> str | None:
    """zh or en from the characters when the track has no usable language tag."""
    text = "".join(c.text for c in cues)
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    han = sum(1 for ch in letters if _HAN.match(ch))
    return "zh" if han / len(letters) > 0.3 else "en"


def _tag(tag: str | None) -> str | None:
    for lang in ("zh", "en"):
        if language_matches(tag, lang):
            return lang
    return None


def load_tracks(ws: Workspace, custom: dict[str, Any]) -> list[Track]:
    """Subtitle tracks listed in a segment's `custom.subtitles` (written by ingest)."""
    tracks = []
    for entry in custom.get("subtitles") or ():
        path = ws.path(entry["path"])
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            cues = tuple(Cue(float(c["start"]), float(c["end"]), str(c["text"])) for c in raw)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise InputError(f"{entry['path']}: cannot read subtitle cues: {err}",
                             "run the ingest stage again (--force ingest)") from err
        language = _tag(entry.get("language")) or _script_language(cues)
        tracks.append(Track(cues, language, str(entry.get("origin", ""))))
    return tracks


def choose(tracks: Sequence[Track], language: str | None) -> Track | None:
    """The track in `language` (a translation would not agree with what is said), or, when
    the language is not known, the first track."""
    if language is None:
        return tracks[0] if tracks else None
    for track in tracks:
        if track.language == language:
            return track
    return None


def overlapping(cues: Sequence[Cue], start: float, end: float, slack: float) -> list[Cue]:
    """Cues overlapping [start - slack, end + slack], in time order."""
    return [c for c in cues if c.end > start - slack and c.start < end + slack]


def _lines(cues: Sequence[Cue]) -> list[str]:
    lines = []
    for cue in cues:
        lines += [part.strip() for part in _DIALOGUE_DASH.split(cue.text) if part.strip()]
    return lines


def agreement(text: str, cues: Sequence[Cue], language: str | None, start: float, end: float,
              slack: float) -> float:
    """How well the ASR text of turn [start, end] matches the overlapping subtitles, 0..1.

    The better of two readings. Whole lines: the best character-level similarity (after scoring
    normalisation) over every contiguous run of cue lines, so a cue that also holds the other
    speaker's reply does not lower a correct transcript's score. Part of a line: when
    diarization split one subtitle line over several turns, the cue characters are spread
    evenly over the cue's time, the ASR text is aligned inside the characters that fall in the
    turn (give or take `slack`), and the score is scaled down when the ASR text is shorter
    than the turn's share of the line, so a short hallucination inside a long line stays low.
    """
    lines = _lines(cues)
    best = 0.0
    for first in range(len(lines)):
        for last in range(first + 1, len(lines) + 1):
            best = max(best, similarity(text, " ".join(lines[first:last]), language))
    return max(best, _partial(text, cues, language, start, end, slack))


def _partial(text: str, cues: Sequence[Cue], language: str | None, start: float, end: float,
             slack: float) -> float:
    from rapidfuzz import fuzz

    heard = normalise(text, language).replace(" ", "")
    window, core = [], 0
    for cue in cues:
        chars = normalise(cue.text, language).replace(" ", "")
        length = max(cue.end - cue.start, 1e-6)
        for index, char in enumerate(chars):
            at = cue.start + length * (index + 0.5) / len(chars)
            if start - slack <= at <= end + slack:
                window.append(char)
                core += start <= at <= end
    if not heard or not window or core == 0:
        return 0.0
    return float(fuzz.partial_ratio(heard, "".join(window))) / 100 * min(1.0, len(heard) / core)


def assign(cues: Sequence[Cue], turns: Sequence[Segment], slack: float) -> dict[str, list[Cue]]:
    """Each cue goes to the turn (of any speaker) it overlaps most; returns turn id -> cues."""
    out: dict[str, list[Cue]] = {}
    for cue in cues:
        best, best_overlap = None, 0.0
        for turn in turns:
            overlap = min(cue.end, turn.end + slack) - max(cue.start, turn.start - slack)
            if overlap > best_overlap:
                best, best_overlap = turn, overlap
        if best is not None:
            out.setdefault(best.id, []).append(cue)
    return out


def join(cues: Sequence[Cue]) -> str:
    return " ".join(c.text.strip() for c in cues if c.text.strip())
