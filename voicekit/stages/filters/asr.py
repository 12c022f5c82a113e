"""ASR confidence: Whisper's own signals of a guess, a hallucination or a repetition loop.

`asr_logprob`, `no_speech_prob` and `compression_ratio` come from the transcribe stage (a clip
made of several turns carries the worst of each). `repetition` is measured here on the clip's
own text: the share of its tokens covered by one phrase repeated back to back 3+ times
("001, 001, 001, ..."), tokens being words, or characters for languages written without spaces.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from voicekit.stages.filters.base import ClipAudio, Verdict
from voicekit.stages.segment.clips import NO_SPACE

if TYPE_CHECKING:
    from voicekit.config import Config

MAX_NGRAM = 4
MIN_REPEATS = 3
MIN_TOKENS = 4  # "no, no, no" is speech; four or more of the same is a loop


def letters(text: str) -> str:
    """The text without punctuation, symbols or spaces (what counts as characters)."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def tokens(text: str, language: str | None) -> list[str]:
    if language in NO_SPACE:
        return list(letters(text))
    return [w for w in (letters(t).lower() for t in text.split()) if w]


def repetition(text: str, language: str | None) -> float:
    """Share of tokens inside the longest back-to-back repeat of one n-gram (n <= 4)."""
    toks = tokens(text, language)
    best = 0
    for n in range(1, MAX_NGRAM + 1):
        i = 0
        while i + n <= len(toks):
            repeats = 1
            while toks[i + repeats * n: i + (repeats + 1) * n] == toks[i: i + n]:
                repeats += 1
            if repeats >= MIN_REPEATS and repeats * n >= MIN_TOKENS:
                best = max(best, repeats * n)
                i += repeats * n
            else:
                i += 1
    return best / len(toks) if toks else 0.0


def check(clip: ClipAudio, conf: Config) -> Verdict:
    seg, cfg = clip.seg, conf.filters
    scores: dict[str, float] = {}
    if seg.text is not None:
        scores["repetition"] = round(repetition(seg.text, seg.language), 3)
    failures: list[tuple[str, float]] = []
    if seg.text is not None and not letters(seg.text):
        failures.append(("ASR found no words", 0.0))
    logprob = seg.scores.get("asr_logprob")
    if logprob is not None and logprob < cfg.min_asr_logprob:
        failures.append((f"ASR unsure: mean log-probability {logprob:.2f} "
                         f"(minimum {cfg.min_asr_logprob:g})", logprob))
    no_speech = seg.scores.get("no_speech_prob")
    if no_speech is not None and no_speech > cfg.max_no_speech_prob:
        failures.append((f"ASR heard no speech: probability {no_speech:.2f} "
                         f"(maximum {cfg.max_no_speech_prob:g})", no_speech))
    ratio = seg.scores.get("compression_ratio")
    if ratio is not None and ratio > cfg.max_compression_ratio:
        failures.append((f"ASR text repeats itself: compression ratio {ratio:.1f} "
                         f"(maximum {cfg.max_compression_ratio:g})", ratio))
    rep = scores.get("repetition", 0.0)
    if rep > cfg.max_repetition:
        failures.append((f"repetition loop: {100 * rep:.0f} % of the text repeats one phrase",
                         rep))
    if failures:
        return Verdict(scores, failures[0][0], failures[0][1])
    return Verdict(scores)
