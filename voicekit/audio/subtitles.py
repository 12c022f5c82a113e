"""Subtitle cues: parse and write SRT (ffmpeg converts ASS/VTT/mov_text to SRT first), find
sidecars."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SIDECAR_SUFFIXES = (".srt", ".ass", ".ssa", ".vtt")
_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d+):(\d{2}):(\d{2})[,.](\d{1,3})")
_TAGS = re.compile(r"<[^>]+>|\{\\[^}]*\}")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse_srt(text: str) -> list[Cue]:
    """Cues of an SRT document, markup removed, lines joined with a space."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.strip().split("\n")
        for i, line in enumerate(lines):
            match = _TIME.search(line)
            if match:
                g = match.groups()
                body = " ".join(_TAGS.sub("", t).strip() for t in lines[i + 1 :])
                body = " ".join(body.split())
                if body:
                    cues.append(Cue(_seconds(*g[:4]), _seconds(*g[4:]), body))
                break
    return cues


def stamp(seconds: float, sep: str = ",", digits: int = 3) -> str:
    """``HH:MM:SS,mmm`` (SRT); ``sep="."``, ``digits=2`` gives ASS's centiseconds."""
    total = round(max(0.0, seconds) * 10**digits)
    frac = total % 10**digits
    secs = total // 10**digits
    return f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}{sep}{frac:0{digits}d}"


def srt_text(cues: Sequence[Cue]) -> str:
    """SubRip text for `cues`, numbered from 1."""
    blocks = [
        f"{i}\n{stamp(c.start)} --> {stamp(c.end)}\n{c.text}\n"
        for i, c in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def sidecars(media: Path) -> list[tuple[Path, str | None]]:
    """Subtitle files next to a film: `film.srt`, `film.zh.ass`, `film.en.vtt` -> (path, lang)."""
    found: list[tuple[Path, str | None]] = []
    for candidate in sorted(media.parent.iterdir()):
        if candidate.suffix.lower() not in SIDECAR_SUFFIXES or not candidate.is_file():
            continue
        stem = candidate.name[: -len(candidate.suffix)]
        if stem == media.stem:
            found.append((candidate, None))
        elif stem.startswith(media.stem + "."):
            tag = stem[len(media.stem) + 1 :].lower() or None
            found.append((candidate, tag))
    return found
