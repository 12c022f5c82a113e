"""Mandarin: jieba words -> pypinyin TONE3 -> initial + toned-final symbols.

pypinyin's phrase dictionary misses some polyphones (很长 -> zhang3), so a small override table
of phrases is applied on top, longest match first.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

# Phrase -> one TONE3 syllable per character. Checked against pypinyin 0.55 + jieba 0.42.
POLYPHONE_OVERRIDES: dict[str, tuple[str, ...]] = {
    "很长": ("hen3", "chang2"), "太长": ("tai4", "chang2"), "真长": ("zhen1", "chang2"),
    "好长": ("hao3", "chang2"), "最长": ("zui4", "chang2"), "更长": ("geng4", "chang2"),
    "较长": ("jiao4", "chang2"), "多长": ("duo1", "chang2"), "那么长": ("na4", "me5", "chang2"),
    "这么长": ("zhe4", "me5", "chang2"), "长度": ("chang2", "du4"), "长江": ("chang2", "jiang1"),
    "长城": ("chang2", "cheng2"), "长期": ("chang2", "qi1"), "长久": ("chang2", "jiu3"),
    "长短": ("chang2", "duan3"), "长发": ("chang2", "fa4"), "头发长": ("tou2", "fa4", "chang2"),
    "银行": ("yin2", "hang2"), "行长": ("hang2", "zhang3"), "校长": ("xiao4", "zhang3"),
    "长大": ("zhang3", "da4"),
    "成长": ("cheng2", "zhang3"), "还长": ("hai2", "chang2"), "变长": ("bian4", "chang2"),
    "重新": ("chong2", "xin1"), "为了": ("wei4", "le5"), "觉得": ("jue2", "de5"),
}  # fmt: skip
_MAX_PHRASE = max(len(p) for p in POLYPHONE_OVERRIDES)
_SYLLABLE = re.compile(r"[a-zêü]+[1-5]")
_RETROFLEX = frozenset({"zh", "ch", "sh", "r"})
_DENTAL = frozenset({"z", "c", "s"})


@cache
def jieba_module() -> Any:
    """jieba, loaded once and quiet: its "Building prefix dict" lines are INFO noise, and its
    import warns that setuptools' pkg_resources is deprecated on every run."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        import jieba

    jieba.setLogLevel(30)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=4096)
def pinyin(han: str) -> tuple[str | None, ...]:
    """One TONE3 syllable per character of ``han`` (neutral tone 5).

    A character pypinyin cannot read comes back as None, so the caller can report it rather
    than drop it.
    """
    from pypinyin import Style, lazy_pinyin

    words = list(jieba_module().cut(han))
    # pypinyin accepts a list from `errors` (one entry per char) though its stubs say str.
    raw: list[str] = lazy_pinyin(
        words, style=Style.TONE3, neutral_tone_with_five=True,
        errors=lambda chars: ["?" + c for c in chars],  # type: ignore[arg-type,return-value]
    )  # fmt: skip
    if len(raw) != len(han):  # pypinyin keeps one entry per character for Han input
        raise RuntimeError(f"pypinyin gave {len(raw)} syllables for {len(han)} chars")
    # The error marker gets a "5" appended by neutral_tone_with_five, so test the shape.
    syllables: list[str | None] = [s if _SYLLABLE.fullmatch(s) else None for s in raw]
    i = 0
    while i < len(han):
        for size in range(min(_MAX_PHRASE, len(han) - i), 1, -1):
            fixed = POLYPHONE_OVERRIDES.get(han[i : i + size])
            if fixed:
                syllables[i : i + size] = list(fixed)
                i += size
                break
        else:
            i += 1
    return tuple(syllables)


def syllable_symbols(syllable: str) -> list[str]:
    """Split a TONE3 syllable: zhang3 -> zh:zh zh:ang3, shi4 -> zh:sh zh:ir4, n2 -> zh:n2."""
    from pypinyin.contrib.tone_convert import to_finals_tone3, to_initials

    initial = to_initials(syllable, strict=True)
    final = to_finals_tone3(syllable, strict=True, neutral_tone_with_five=True)
    if not final or not final[:-1]:  # syllabic m / n / ng / hm / hng
        return [f"zh:{syllable}"]
    if final[:-1] == "i" and initial in _RETROFLEX:
        final = "ir" + final[-1]
    elif final[:-1] == "i" and initial in _DENTAL:
        final = "iz" + final[-1]
    return ([f"zh:{initial}"] if initial else []) + [f"zh:{final}"]
