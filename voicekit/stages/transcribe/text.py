"""Transcript text helpers: script conversion and the scores that expose ASR failure modes."""

from __future__ import annotations

import re

from voicekit.eval.asr import is_cjk_language, opencc

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"\w+", re.UNICODE)
_OPENCC = {"simplified": "t2s", "traditional": "s2t"}


def convert_script(text: str, script: str) -> str:
    """Chinese characters in the wanted script ("simplified", "traditional"; "as-is" keeps)."""
    kind = _OPENCC.get(script)
    if kind is None or not _HAN.search(text):
        return text
    return str(opencc(kind).convert(text))


def tokens(text: str, lang: str | None) -> list[str]:
    """Words, or characters for languages written without spaces."""
    if is_cjk_language(lang) or (lang is None and _HAN.search(text)):
        return [c for c in text if c.isalnum()]
    return [w.lower() for w in _WORD.findall(text)]


def repetition(text: str, lang: str | None, max_n: int = 8) -> float:
    """Share of tokens (0..1) that are back-to-back repeats of the n-gram before them.

    Whisper's decoding loops ("001, 001, 001, ...", "谢谢谢谢谢谢") repeat an n-gram
    consecutively. For every n up to `max_n` the longest run of consecutive copies is found; the
    score is the largest share of tokens taken by the 2nd and later copies. Single words need 3
    copies to count, so "no, no" or "谢谢" score 0 while "no no no no" scores 0.75.
    """
    toks = tokens(text, lang)
    best = 0.0
    for n in range(1, min(max_n, len(toks) // 2) + 1):
        need = 3 if n == 1 else 2
        for offset in range(n):
            copies = 1
            for i in range(offset + n, len(toks) - n + 1, n):
                if toks[i:i + n] == toks[i - n:i]:
                    copies += 1
                    if copies >= need:
                        best = max(best, (copies - 1) * n / len(toks))
                else:
                    copies = 1
    return best
