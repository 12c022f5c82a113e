"""faster-whisper backend: one model, loaded once per stage run, transcribing 16 kHz turns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.errors import DependencyError
from voicekit.eval.asr import is_cjk_language

log = logging.getLogger("voicekit")

SAMPLE_RATE = 16000
WINDOW_S = 30.0  # Whisper's window: the longest piece `transcribe_batch` takes
SEED = 0  # CTranslate2's sampling seed (temperature fallback)


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
        # Whisper's fallback to higher temperatures samples; CTranslate2 seeds each thread's
        # generator once, from this seed, when the thread first samples (else from
        # std::random_device): set before the model exists, the same audio in the same order
        # gives the same text on every run (measured: 2 of 45 turns of one film differed)
        import ctranslate2

        ctranslate2.set_random_seed(SEED)
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
        segments = _words_or_none(
            lambda words: self._segments(audio, language, beam_size, vad_filter, words=words),
            f"{len(audio) / SAMPLE_RATE:.2f} s of audio")
        return _result(segments, language, 0.0)

    def transcribe_batch(self, pieces: list[np.ndarray], language: str, *,
                         beam_size: int) -> list[AsrResult]:
        """Transcribe several pieces of 16 kHz audio, each at most 30 s, in one batch.

        faster-whisper's batched pipeline decodes one 30 s window per piece, all windows at
        once (on a GPU about 7x the throughput of one at a time), at temperature 0 only: no
        fallback to higher temperatures as `transcribe` has. The pieces are laid end to end
        with a second of silence between them and given as clip times, so no window holds two;
        each Whisper segment goes back to the piece it came from, with times from that
        piece's start. Word times as in `transcribe` (IndexError: again without them).
        """
        gap = np.zeros(SAMPLE_RATE, dtype=np.float32)
        offsets, parts, at = [], [], 0
        for piece in pieces:
            if len(piece) > WINDOW_S * SAMPLE_RATE:
                raise ValueError(f"a batched piece is {len(piece) / SAMPLE_RATE:.1f} s "
                                 f"(max {WINDOW_S:g})")
            offsets.append(at)
            parts += [piece.astype(np.float32), gap]
            at += len(piece) + len(gap)
        joined = np.concatenate(parts)
        clips = [{"start": o / SAMPLE_RATE, "end": (o + len(p)) / SAMPLE_RATE}
                 for o, p in zip(offsets, pieces, strict=True)]
        segments = _words_or_none(
            lambda words: self._batched(joined, clips, language, beam_size, words=words),
            f"a batch of {len(pieces)} pieces")
        mine: list[list[Any]] = [[] for _ in pieces]
        for seg in segments:
            mid = (seg.start + seg.end) / 2
            index = max(i for i, clip in enumerate(clips) if clip["start"] <= max(mid, 0.0))
            mine[index].append(seg)
        return [_result(found, language, clip["start"])
                for found, clip in zip(mine, clips, strict=True)]

    def _batched(self, audio: np.ndarray, clips: list[dict[str, float]], language: str,
                 beam_size: int, *, words: bool) -> list[Any]:
        from faster_whisper import BatchedInferencePipeline

        segments, _ = BatchedInferencePipeline(self.model).transcribe(
            audio, language=language, task="transcribe", beam_size=beam_size,
            word_timestamps=words, clip_timestamps=clips, batch_size=len(clips),
            vad_filter=False)
        return list(segments)  # decoding runs here

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


def _words_or_none(decode: Callable[[bool], list[Any]], what: str) -> list[Any]:
    """`decode(True)` (with word times), or `decode(False)` when faster-whisper's word alignment
    raises IndexError (see `WhisperBackend.transcribe`)."""
    try:
        return decode(True)
    except IndexError as err:
        log.warning("Whisper's word alignment failed on %s (%s): kept without word times",
                    what, err)
        return decode(False)


def _result(segments: list[Any], language: str, offset: float) -> AsrResult:
    """faster-whisper's segments as an `AsrResult`, times made relative to `offset` seconds."""
    found = tuple(
        AsrSegment(
            float(seg.start) - offset, float(seg.end) - offset,
            tuple(AsrWord(w.word.strip(), float(w.start) - offset, float(w.end) - offset,
                          float(w.probability))
                  for w in (seg.words or ()) if w.word.strip()),
            float(seg.avg_logprob), float(seg.no_speech_prob), float(seg.compression_ratio),
        )
        for seg in segments
    )
    glue = "" if is_cjk_language(language) else " "
    text = glue.join(s.text.strip() for s in segments if s.text.strip())
    return AsrResult(text, found)
