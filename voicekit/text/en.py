"""English: espeak-ng (through phonemizer) phones, with gruut as the fallback backend."""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

from voicekit.errors import DependencyError

log = logging.getLogger("voicekit")

_STRESS = re.compile(r"([ˈˌ])")


@cache
def _espeak() -> Any | None:
    """The phonemizer espeak backend, or None when espeak-ng is not installed."""
    try:
        from phonemizer.backend import EspeakBackend
    except ImportError:
        return None
    try:
        return EspeakBackend(
            "en-us", with_stress=True, language_switch="remove-flags", preserve_punctuation=False
        )
    except RuntimeError as exc:  # phonemizer raises RuntimeError when espeak-ng is missing
        log.warning("espeak-ng unavailable (%s); using gruut for English", exc)
        return None


def phonemize(chunks: list[str]) -> list[list[list[str]]]:
    """Phonemise word chunks (no punctuation) in one batch.

    Args:
        chunks: each a run of English words, e.g. ["G P T four", "Python"].

    Returns:
        Per chunk, per word, the phone symbols ("en:ˈ", "en:aɪ", ...).
    """
    backend = _espeak()
    if backend is not None:
        from phonemizer.separator import Separator

        lines = backend.phonemize(chunks, separator=Separator(phone="|", word=" "), strip=True)
        return [[_split(word.split("|")) for word in line.split()] for line in lines]
    return [_gruut(chunk) for chunk in chunks]


def _split(phones: list[str]) -> list[str]:
    """Stress marks become their own symbols: "ˈaɪ" -> ["en:ˈ", "en:aɪ"]."""
    out: list[str] = []
    for phone in phones:
        out.extend(f"en:{p}" for p in _STRESS.split(phone.replace("\u0361", "")) if p)
    return out


def _gruut(chunk: str) -> list[list[str]]:
    try:
        from gruut import sentences
    except ImportError as exc:
        raise DependencyError(
            "no English phonemiser: espeak-ng and gruut are both missing",
            "apt install espeak-ng, or pip install 'gruut[en]'",
        ) from exc
    return [
        _split(word.phonemes)
        for sentence in sentences(chunk, lang="en-us")
        for word in sentence
        if word.phonemes and word.is_spoken
    ]
