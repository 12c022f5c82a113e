"""The quality gate: transcribe each synthesised sentence and re-take the ones the ASR mishears.

VITS (and GPT-SoVITS even more) sometimes swallows, repeats or garbles words. Each take is
transcribed with a local Whisper model and scored against its text (CER for Mandarin, WER for
English, after ``voicekit.eval.asr.normalise``). A take over ``max_error`` is re-synthesised with
the sentence's next attempt seed, up to ``retakes`` more times; the best take is kept, and a
sentence whose best take still fails is reported. Without a Whisper model the gate is skipped
with a warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from voicekit.errors import DependencyError, ModelNotFoundError
from voicekit.speak.config import GateConfig
from voicekit.speak.synth import Sentence, sentence_seed

if TYPE_CHECKING:
    from voicekit.eval.asr import Recognizer
    from voicekit.speak.cache import SentenceCache

log = logging.getLogger("voicekit")


@dataclass(frozen=True)
class Take:
    """The take kept for one sentence."""

    audio: np.ndarray
    attempt: int  # 0: the first take; n: the gate's n-th re-take
    fresh: int  # takes synthesised now (not from the cache), kept or not
    error: float | None  # CER/WER of the kept take; None: not checked
    heard: str | None  # what the ASR heard in the kept take


class Checker:
    """A Whisper recogniser that scores sentence takes against their text."""

    def __init__(self, recognizer: Recognizer, conf: GateConfig) -> None:
        self.recognizer = recognizer
        self.conf = conf
        self.tag = f"{conf.asr}|beam{conf.beam_size}"
        self._warned: set[str] = set()

    def hears(self, lang: str) -> bool:
        """Whether the model transcribes ``lang`` (an English-only Whisper does not hear zh)."""
        if lang == "en" or self.recognizer.backend.multilingual:
            return True
        if lang not in self._warned:
            self._warned.add(lang)
            log.warning("quality gate: %s is English-only; %s sentences are not checked",
                        self.conf.asr, lang)  # fmt: skip
        return False

    def transcribe(self, audio: np.ndarray, rate: int, lang: str) -> str:
        from voicekit.audio.io import resample
        from voicekit.stages.transcribe.whisper import SAMPLE_RATE

        return self.recognizer.transcribe(resample(audio, rate, SAMPLE_RATE), lang).strip()

    def close(self) -> None:
        self.recognizer.close()


def open_checker(conf: GateConfig) -> Checker | None:
    """The gate's recogniser, or None (with a warning) when no Whisper model can be loaded."""
    if conf.asr is None:
        log.info("quality gate off")
        return None
    from voicekit.eval.asr import Recognizer

    try:
        recognizer = Recognizer(conf.asr, beam_size=conf.beam_size)
    except (ModelNotFoundError, DependencyError) as err:
        log.warning("quality gate skipped: no ASR model (%s)", err)
        return None
    return Checker(recognizer, conf)


def error(text: str, heard: str, lang: str) -> float:
    """CER (zh) or WER (en) of what was heard against the sentence's text."""
    from voicekit.eval.asr import error_rate

    try:
        return error_rate([text], [heard], lang)
    except ValueError:  # nothing speakable left after normalisation (e.g. only symbols)
        return 0.0


def best_take(cache: SentenceCache, sentence: Sentence, text: str, seed: int,
              checker: Checker | None) -> Take:  # fmt: skip
    """The first take that passes the gate, else the lowest-error one of all tried.

    Every take and transcript is cached, so a re-run makes the same choice without
    synthesising or transcribing again.
    """
    codes, lang = sentence.codes, sentence.lang
    audio, key, cached = cache.audio(sentence, sentence_seed(seed, codes))
    if checker is None or not checker.hears(lang):
        return Take(audio, 0, int(not cached), None, None)
    fresh = int(not cached)
    tries: list[tuple[float, int, np.ndarray, str]] = []
    for attempt in range(checker.conf.retakes + 1):
        if attempt:
            audio, key, cached = cache.audio(sentence, sentence_seed(seed, codes, attempt))
            fresh += not cached
        heard = cache.heard(key, checker.tag)
        if heard is None:
            heard = checker.transcribe(audio, cache.voice.rate, lang)
            cache.remember(key, checker.tag, heard)
        tries.append((error(text, heard, lang), attempt, audio, heard))
        if tries[-1][0] <= checker.conf.max_error:
            break
    score, attempt, audio, heard = min(tries, key=lambda t: (t[0], t[1]))
    return Take(audio, attempt, fresh, score, heard)
