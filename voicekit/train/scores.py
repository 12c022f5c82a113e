"""How much synthesized audio sounds like the target and how intelligible it is.

Speaker similarity is the cosine of GE2E embeddings (resemblyzer, the diarize stage's encoder)
to the centroid of the held-out real clips of the target. GE2E cosines are only meaningful
relative to other voices, so the same centroid is scored against non-target reference voices
(offline TTS voices built from real speakers) and the margin over the closest of them is
reported. Intelligibility is the CER (zh) or WER (en) of the embedded Whisper on the text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.errors import DependencyError, ModelNotFoundError

log = logging.getLogger("voicekit")

RATE = 16000  # the encoder's and Whisper's input rate


@dataclass(frozen=True)
class Sample:
    """One synthesized sentence at 16 kHz."""

    lang: str
    text: str
    audio: np.ndarray


class Scorer:
    """Loads the encoder and the recogniser once per training run; either may be missing.

    A missing model or package turns its scores into None with the reason in ``unavailable``
    rather than stopping a run that is hours in.
    """

    def __init__(self, heldout: list[Path], others: tuple[str, ...], asr_model: str) -> None:
        self.heldout = heldout
        self.others = others
        self.asr_model = asr_model
        self.unavailable: dict[str, str] = {}
        self._encoder: Any = None
        self._recognizer: Any = None
        self._target: np.ndarray | None = None
        self._reference: dict[str, float] | None = None
        self._ceiling: float | None = None

    def similarity(self, samples: list[Sample]) -> dict[str, Any]:
        """Similarity of each sample to the target, the non-target references and the margin."""
        encoder = self._load_encoder()
        if encoder is None or self._target is None:
            return {}
        sims = [float(encoder.utterance(s.audio) @ self._target) for s in samples]
        mean = float(np.mean(sims)) if sims else None
        reference = self._reference or {}
        closest = max(reference.values()) if reference else None
        return {
            "per_sample": sims,
            "similarity": mean,
            "nontarget_similarity": reference,
            "margin": None if mean is None or closest is None else mean - closest,
            "heldout_self_similarity": self._ceiling,
        }

    def intelligibility(self, samples: list[Sample]) -> dict[str, Any]:
        """Whisper's transcript of each sample and the CER/WER per language."""
        recognizer = self._load_recognizer()
        if recognizer is None:
            return {}
        out: dict[str, Any] = {"transcripts": []}
        for lang in sorted({s.lang for s in samples}):
            picked = [s for s in samples if s.lang == lang]
            result = recognizer.evaluate([(s.audio, s.text) for s in picked], lang)
            out[result.metric] = result.error
            out["transcripts"] += list(result.hypotheses)
        return out

    def _load_encoder(self) -> Any:
        if self._encoder is not None or "similarity" in self.unavailable:
            return self._encoder
        if not self.heldout:
            self.unavailable["similarity"] = "the dataset has no held-out or validation clips"
            return None
        from voicekit.audio import io
        from voicekit.stages.diarize.embed import Encoder

        try:
            encoder = Encoder()
        except DependencyError as err:
            self.unavailable["similarity"] = str(err)
            log.warning("speaker similarity is off: %s", err)
            return None
        real = np.stack([encoder.utterance(io.read(p, sr=RATE)[0]) for p in self.heldout])
        target = real.mean(axis=0)
        self._target = target / np.linalg.norm(target)
        self._ceiling = float(np.mean(real @ self._target))
        self._reference = {
            name: float(encoder.utterance(audio) @ self._target)
            for name, audio in _reference_voices(self.others).items()
        }
        self._encoder = encoder
        return encoder

    def _load_recognizer(self) -> Any:
        if self._recognizer is not None or "intelligibility" in self.unavailable:
            return self._recognizer
        if not self.asr_model:
            self.unavailable["intelligibility"] = "eval_asr_model is empty"
            return None
        from voicekit.eval.asr import Recognizer

        try:
            self._recognizer = Recognizer(self.asr_model)
        except (ModelNotFoundError, DependencyError) as err:
            self.unavailable["intelligibility"] = str(err)
            log.warning("CER/WER of the samples is off: %s", err)
        return self._recognizer

    def close(self) -> None:
        if self._recognizer is not None:
            self._recognizer.close()


REFERENCE_TEXT = {
    "en": "Please call Stella and ask her to bring these things with her from the store.",
    "zh": "我们明天早上八点在学校门口见面，别忘了带上你的书。",
}


def _reference_voices(names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each non-target demo voice reading a fixed text in its language, at 16 kHz.

    A voice whose engine is not installed is skipped with a warning.
    """
    from voicekit.demo.voices import VOICES, synthesize

    out = {}
    for name in names:
        voice = VOICES[name]
        try:
            out[name] = synthesize(voice, REFERENCE_TEXT[voice.language], RATE)
        except DependencyError as err:
            log.warning("non-target reference voice %s skipped: %s", name, err)
    return out
