"""Transcript scoring: text normalisation, CER (Mandarin), WER (English), text similarity.

Scores compare what was said, not how it was written: case, punctuation, traditional vs
simplified characters and digits vs number words are normalised away on both sides before the
edit distance is taken. The same normalisation serves the ASR-vs-subtitle agreement score, so a
subtitle line "It's 2 o'clock." agrees with the ASR text "it's two o'clock".
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from voicekit.config import Config

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def is_cjk_language(lang: str | None) -> bool:
    """True for languages scored per character (no spaces between words)."""
    return (lang or "").lower()[:2] in ("zh", "ja", "ko", "yu")


@lru_cache(maxsize=2)
def opencc(kind: str) -> Any:
    """An OpenCC converter ("t2s": traditional to simplified, "s2t": the reverse)."""
    from opencc import OpenCC

    return OpenCC(kind)


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese characters (other text is left as it is)."""
    return str(opencc("t2s").convert(text)) if _HAN.search(text) else text


def convert_script(text: str, script: str) -> str:
    """Chinese characters in `script` ("simplified", "traditional"; "as-is" keeps them)."""
    kind = {"simplified": "t2s", "traditional": "s2t"}.get(script)
    if kind is None or not _HAN.search(text):
        return text
    return str(opencc(kind).convert(text))


def _english_number(match: re.Match[str]) -> str:
    from num2words import num2words

    digits = match.group(0).replace(",", "")
    # digit strings (phone numbers, codes: "0351") are read digit by digit
    if "." not in digits and (digits.startswith("0") or len(digits) >= 5):
        return " ".join(num2words(int(d)) for d in digits)
    words = str(num2words(float(digits) if "." in digits else int(digits)))
    return words.replace("-", " ").replace(",", " ").replace(" and ", " ")


def _strip_punctuation(text: str, keep_apostrophe: bool) -> str:
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "PS" and not (keep_apostrophe and char == "'"):
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def normalise(text: str, lang: str | None) -> str:
    """Text reduced to what is spoken, for scoring.

    English (and other spaced languages): lower case, punctuation removed (apostrophes inside
    words kept), numbers spelled out, single spaces. Mandarin: simplified characters, Arabic
    numbers as Chinese numerals, punctuation and spaces removed, Latin letters lower-cased.
    """
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    if is_cjk_language(lang) or (lang is None and _HAN.search(text)):
        import cn2an

        text = to_simplified(text)
        text = str(cn2an.transform(text, "an2cn")) if _NUMBER.search(text) else text
        text = _strip_punctuation(text, keep_apostrophe=False).lower()
        return _SPACES.sub("", text)
    text = _NUMBER.sub(lambda m: f" {_english_number(m)} ", text.lower())
    text = _strip_punctuation(text, keep_apostrophe=True)
    words = [w.strip("'") for w in _SPACES.split(text)]
    return " ".join(w for w in words if w)


def error_rate(refs: Sequence[str], hyps: Sequence[str], lang: str) -> float:
    """Corpus CER (Mandarin and other CJK) or WER (others) after `normalise`.

    Errors are summed over all pairs and divided by the total reference length (the usual
    corpus-level figure, not a mean of per-utterance rates). An empty hypothesis counts as
    all deletions.
    """
    if len(refs) != len(hyps):
        raise ValueError(f"{len(refs)} references but {len(hyps)} hypotheses")
    import jiwer

    pairs = [(normalise(r, lang), normalise(h, lang)) for r, h in zip(refs, hyps, strict=True)]
    pairs = [(r, h) for r, h in pairs if r]
    if not pairs:
        raise ValueError("no non-empty reference to score against")
    if is_cjk_language(lang):
        refs_c = [" ".join(r) for r, _ in pairs]
        hyps_c = [" ".join(h) for _, h in pairs]
        return float(jiwer.wer(refs_c, hyps_c))
    return float(jiwer.wer([r for r, _ in pairs], [h for _, h in pairs]))


def metric_name(lang: str) -> str:
    """"cer" for languages scored per character, else "wer"."""
    return "cer" if is_cjk_language(lang) else "wer"


def similarity(a: str, b: str, lang: str | None) -> float:
    """Character-level similarity 0..1 of two texts after `normalise` (1 = identical).

    The Indel similarity (what difflib's ratio measures): 2 * matched chars / total chars.
    Spaces are dropped so word splits do not count.
    """
    from rapidfuzz.distance import Indel

    left = normalise(a, lang).replace(" ", "")
    right = normalise(b, lang).replace(" ", "")
    if not left and not right:
        return 1.0
    return float(Indel.normalized_similarity(left, right))


@dataclass(frozen=True)
class AsrEvaluation:
    """Corpus error of a recogniser on items with known text, and its speed."""

    metric: str  # "cer" or "wer"
    error: float
    items: int
    audio_s: float
    asr_s: float
    hypotheses: tuple[str, ...]

    @property
    def rtf(self) -> float:
        """Realtime factor: recognition seconds per audio second (lower is faster)."""
        return self.asr_s / self.audio_s if self.audio_s else 0.0


class Recognizer:
    """A local Whisper model for scoring audio against known text (train and speak
    evaluation, benchmarks), resolved offline like the transcribe stage's model."""

    def __init__(self, model: str = "base", config: Config | None = None, *,
                 device: str = "cpu", threads: int = 0, beam_size: int = 5) -> None:
        from voicekit import models
        from voicekit.stages.transcribe.whisper import WhisperBackend

        name = model if models.is_path(model) else models.whisper_name(model)
        self.backend = WhisperBackend(models.resolve(name, config), device=device,
                                      compute_type="auto", threads=threads)
        self.beam_size = beam_size

    def transcribe(self, audio: np.ndarray | Path, lang: str) -> str:
        """Text of 16 kHz mono `audio` (or an audio file), in `lang` or "auto" (detected)."""
        from voicekit.audio import io
        from voicekit.stages.transcribe.whisper import SAMPLE_RATE

        if isinstance(audio, Path):
            audio, _ = io.read(audio, sr=SAMPLE_RATE)
        if lang == "auto":
            lang = self.backend.detect_language(audio)[0] if self.backend.multilingual else "en"
        text = self.backend.transcribe(audio, lang, beam_size=self.beam_size,
                                       vad_filter=False).text
        return to_simplified(text) if is_cjk_language(lang) else text

    def evaluate(self, items: Sequence[tuple[np.ndarray | Path, str]], lang: str) -> AsrEvaluation:
        """Transcribe (audio, reference text) pairs in `lang` ("zh", "en") and score them."""
        if lang == "auto":
            raise ValueError("evaluate needs the items' language, not auto")
        from voicekit.audio import io
        from voicekit.stages.transcribe.whisper import SAMPLE_RATE

        hyps, audio_s, asr_s = [], 0.0, 0.0
        for audio, _ in items:
            if isinstance(audio, Path):
                audio, _ = io.read(audio, sr=SAMPLE_RATE)
            started = time.monotonic()
            hyps.append(self.transcribe(audio, lang))
            asr_s += time.monotonic() - started
            audio_s += len(audio) / SAMPLE_RATE
        error = error_rate([text for _, text in items], hyps, lang)
        return AsrEvaluation(metric_name(lang), error, len(items), audio_s, asr_s, tuple(hyps))

    def close(self) -> None:
        self.backend.close()
