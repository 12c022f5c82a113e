"""Sentence splitting (Chinese and English), clause splitting to a maximum length, and
splitting a sentence into Han and Latin runs.

Splitting works on the text as written (before numbers are spelled out), so the pieces can
serve as subtitles; it never cuts inside a number ("3.5", "1,000", "10:30") or a Latin word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from voicekit.text.normalize import HAN, LATIN

_CLOSERS = "\"'”’」』）)》\\]"
# A sentence ends after Chinese 。！？；… anywhere, and after . ! ? when followed by space,
# end, or a Han character (so "3.5" and "e.g.x" never end a sentence).
_END = re.compile(
    rf"[。！？；!?]+[{_CLOSERS}]*|…+[{_CLOSERS}]*|\.{{3,}}[{_CLOSERS}]*(?=\s|$)"
    rf"|(?<!\d)\.[{_CLOSERS}]*(?=\s|$|[{HAN}])|(?<=\d)\.[{_CLOSERS}]*(?=\s|$)|\n+"
)
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Mt|Jr|Sr|No|vs|etc|e\.g|i\.e|a\.m|p\.m|Jan|Feb|Mar|Apr"
    r"|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)|\b[A-Z])\.$"
)
# Clause marks where a long sentence may be cut; a comma between digits is a thousands mark.
_CLAUSE = re.compile(r"[，、；：—;]+|[,:](?!\d)")
# Atoms a hard cut must not break: numbers with their signs/units and Latin words.
_ATOM = re.compile(rf"[-$¥￥€£]?[0-9{LATIN}]+(?:[.,:/'\-][0-9{LATIN}]+)*[%‰]?|[{HAN}]+|\s+|.")

RunKind = Literal["zh", "en", "punct", "other"]


@dataclass(frozen=True)
class Run:
    """A stretch of one script inside a normalised sentence."""

    kind: RunKind
    text: str
    start: int  # offset in the sentence


def split_sentences(text: str, max_len: int = 80) -> list[str]:
    """Split text into sentences, cutting long ones at clauses to at most ``max_len`` chars.

    Args:
        text: any amount of text; newlines are sentence breaks.
        max_len: the longest piece wanted; a single number or word longer than it is kept whole.

    Returns:
        Non-empty stripped pieces, in order, that together hold every non-space character.
    """
    pieces: list[str] = []
    start = 0
    for m in _END.finditer(text):
        if m.group(0).startswith(".") and _ABBREV.search(text[start : m.start() + 1]):
            continue
        pieces.append(text[start : m.end()])
        start = m.end()
    pieces.append(text[start:])
    out: list[str] = []
    for piece in (p.strip() for p in pieces):
        if piece:
            out.extend(_fit(piece, max_len))
    return out


def _fit(sentence: str, max_len: int) -> list[str]:
    if len(sentence) <= max_len:
        return [sentence]
    clauses, start = [], 0
    for m in _CLAUSE.finditer(sentence):
        clauses.append(sentence[start : m.end()])
        start = m.end()
    clauses.append(sentence[start:])
    parts: list[str] = []
    for clause in clauses:
        parts.extend(_hard_cut(clause, max_len) if len(clause) > max_len else [clause])
    return _pack(parts, max_len)


def _hard_cut(clause: str, max_len: int) -> list[str]:
    """Cut a clause with no punctuation between words (jieba words for Han text)."""
    atoms: list[str] = []
    for m in _ATOM.finditer(clause):
        if re.fullmatch(f"[{HAN}]+", m.group(0)):
            atoms.extend(_han_words(m.group(0)))
        else:
            atoms.append(m.group(0))
    return _pack(atoms, max_len)


def _han_words(text: str) -> list[str]:
    from voicekit.text.zh import jieba_module

    return list(jieba_module().cut(text))


def _pack(parts: list[str], max_len: int) -> list[str]:
    out: list[str] = []
    current = ""
    for part in parts:
        if current and len((current + part).strip()) > max_len:
            out.append(current.strip())
            current = ""
        current += part
    if current.strip():
        out.append(current.strip())
    return [p for p in out if p]


_RUN = re.compile(
    rf"(?P<zh>[{HAN}]+)|(?P<en>[{LATIN}](?:[{LATIN}'\-]|\s+(?=[{LATIN}]))*)"
    r"|(?P<punct>[,.!?;:…])|(?P<space>\s+)|(?P<other>.)"
)


def script_runs(sentence: str) -> list[Run]:
    """Split a normalised sentence into Han, Latin, pause-mark and other runs (spaces dropped)."""
    runs: list[Run] = []
    for m in _RUN.finditer(sentence):
        kind = m.lastgroup
        if kind is not None and kind != "space":
            runs.append(Run(kind, m.group(0), m.start()))  # type: ignore[arg-type]
    return runs
