"""The per-sentence cache under ``speak/cache/``: each take's audio and what the ASR heard in it.

A take's key is the model's content hash, the torch seed, the speed and the sentence's codes,
so a re-run, a ``--only`` re-take or a quality-gate retry synthesises (and transcribes) only
what it has not made before.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from voicekit import atomic
from voicekit.speak.synth import Sentence, Voice
from voicekit.workspace import Workspace

FOLDER = "speak/cache"


class SentenceCache:
    """Sentence takes of one voice at one speed, one file each, recorded in the ledger."""

    def __init__(self, ws: Workspace, voice: Voice, speed: float = 1.0) -> None:
        self.ws = ws
        self.voice = voice
        self.speed = speed

    def key(self, codes: str, seed: int) -> str:
        ident = f"{self.voice.files.fingerprint}|{seed}|{self.speed:g}|{codes}"
        return hashlib.sha256(ident.encode()).hexdigest()[:24]

    def audio(self, sentence: Sentence, seed: int) -> tuple[np.ndarray, str, bool]:
        """(audio, cache key, came from the cache) of one take."""
        import soundfile as sf

        from voicekit.audio.io import write

        key = self.key(sentence.codes, seed)
        path = self.ws.path(f"{FOLDER}/{key}.wav")
        if path.is_file():
            audio, _ = sf.read(str(path), dtype="float32")
            return np.asarray(audio, dtype=np.float32), key, True
        audio = self.voice.synthesize(sentence, seed, self.speed)
        self._record(f"{key}.wav").parent.mkdir(parents=True, exist_ok=True)
        write(path, audio, self.voice.rate, subtype="FLOAT")
        return audio, key, False

    def heard(self, key: str, asr: str) -> str | None:
        """What recogniser ``asr`` heard in take ``key`` when it was transcribed before."""
        path = self.ws.path(f"{FOLDER}/{self._heard_name(key, asr)}")
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def remember(self, key: str, asr: str, text: str) -> None:
        path = self._record(self._heard_name(key, asr))
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, text)

    @staticmethod
    def _heard_name(key: str, asr: str) -> str:
        return f"{key}.{hashlib.sha256(asr.encode()).hexdigest()[:8]}.txt"

    def _record(self, name: str) -> Path:
        return self.ws.record(f"{FOLDER}/{name}", "cache")
