"""faster-whisper backend: one model, loaded once per stage run, transcribing 16 kHz turns."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.errors import DependencyError
from voicekit.eval.asr import is_cjk_language

log = logging.getLogger("voicekit")

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class AsrWord:
    text: str
    start: float  # seconds from the start of the transcribed audio
    end: float
    prob: float


@dataclass(frozen=True)
class AsrSegment:
    """One of Whisper's segments, with its own quality signals (`compression_ratio` above 2.4
    is Whisper's own sign of a repetition loop)."""

    start: float  # seconds from the start of the transcribed audio
    end: float
    words: tuple[AsrWord, ...]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


@dataclass(frozen=True)
class AsrResult:
    """Whisper's output for one piece of audio: its text and its segments (none when Whisper
    heard nothing)."""

    text: str
    segments: tuple[AsrSegment, ...]


class WhisperBackend:
    """A faster-whisper model on one device."""

    def __init__(self, path: Path, *, device: str, compute_type: str, threads: int) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as err:
            raise DependencyError(f"faster-whisper cannot be imported: {err}",
                                  "pip install faster-whisper") from err

        kind, _, index = device.partition(":")  # "cuda:1" -> device "cuda", index 1
        if kind == "cuda":
            from voicekit.stages.transcribe.cuda import load_cublas12

            try:
                load_cublas12()
            except DependencyError as err:
                log.warning("%s: transcribing on the CPU, far slower; fix: %s",
                            err.message, err.fix)
                kind, index = "cpu", ""
        if compute_type == "auto":
            compute_type = "int8" if kind == "cpu" else "float16"
        # local_files_only: the folder is complete (resolution checked tokenizer.json), and
        # faster-whisper must never reach the hub from inside a pipeline run
        self.model: Any = WhisperModel(str(path), device=kind, device_index=int(index or 0),
                                       compute_type=compute_type, cpu_threads=threads,
                                       local_files_only=True)

    @property
    def multilingual(self) -> bool:
        return bool(self.model.model.is_multilingual)

    def detect_language(self, audio: np.ndarray) -> tuple[str, float]:
        """(language code, probability) from up to the first 30 s of `audio`."""
        language, prob, _ = self.model.detect_language(audio)
        return str(language), float(prob)

    def transcribe(self, audio: np.ndarray, language: str, *, beam_size: int,
                   vad_filter: bool) -> AsrResult:
        """Transcribe 16 kHz mono float32 `audio` in `language` with word times.

        faster-whisper's word alignment raises IndexError when the aligner returns nothing for
        a segment (SYSTRAN/faster-whisper#1460: near-empty audio, a hallucinated tail): the
        audio is then transcribed again without word times, and its words are left empty.
        """
        try:
            segments = self._segments(audio, language, beam_size, vad_filter, words=True)
        except IndexError as err:
            log.warning("Whisper's word alignment failed on %.2f s of audio (%s): kept without "
                        "word times", len(audio) / 16000, err)
            segments = self._segments(audio, language, beam_size, vad_filter, words=False)
        found = tuple(
            AsrSegment(
                float(seg.start), float(seg.end),
                tuple(AsrWord(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                      for w in (seg.words or ()) if w.word.strip()),
                float(seg.avg_logprob), float(seg.no_speech_prob), float(seg.compression_ratio),
            )
            for seg in segments
        )
        glue = "" if is_cjk_language(language) else " "
        text = glue.join(s.text.strip() for s in segments if s.text.strip())
        return AsrResult(text, found)

    def _segments(self, audio: np.ndarray, language: str, beam_size: int, vad_filter: bool,
                  *, words: bool) -> list[Any]:
        segments, _ = self.model.transcribe(
            audio,
            language=language,
            task="transcribe",
            beam_size=beam_size,
            word_timestamps=words,
            # no carry-over between Whisper's 30 s windows: stops runaway loops on long turns
            condition_on_previous_text=False,
            vad_filter=vad_filter,
        )
        return list(segments)  # decoding runs here

    def close(self) -> None:
        del self.model
