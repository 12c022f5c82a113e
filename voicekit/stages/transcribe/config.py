"""Configuration of the transcribe stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from voicekit.knob import knob


@dataclass(frozen=True)
class TranscribeConfig:
    backend: Literal["whisper", "subtitles", "none"] = knob(
        "whisper", "whisper (faster-whisper), subtitles (text from subtitle tracks only) or none"
    )
    model: str = knob(
        "base", "Whisper model (base, tiny.en, small, large-v3, ...) or a CTranslate2 model folder"
    )
    fallback: Literal["subtitles", "none", "error"] = knob(
        "subtitles",
        "when the Whisper model is missing: subtitle text (marked), no text (null), or stop",
    )
    compute_type: str = knob("auto", "CTranslate2 compute type; auto = int8 on CPU, float16 on GPU")
    beam_size: int = knob(5, "beam search width")
    batch_size: int = knob(
        1,
        "spans of up to 30 s decoded together (GPU: 8, ~7x the throughput); 1 = one at a time, "
        "with Whisper's fallback to higher temperatures on a poor decode (batches have none)",
    )
    vad_filter: bool = knob(
        False, "Whisper's own Silero VAD inside each turn (turns are speech already)"
    )
    join_gap_s: float = knob(
        0.5,
        "target turns closer than this (no other speaker or overlap between) are transcribed "
        "as one span, their words then handed back to each turn: a sentence diarization split "
        "keeps its context",
    )
    context_s: float = knob(
        0.3, "audio added either side of each span so a turn starting late keeps its first "
        "word (never into another speaker's turn)"
    )
    zh_script: Literal["simplified", "traditional", "as-is"] = knob(
        "simplified", "Chinese script of transcripts (Whisper mixes both)"
    )
    detect_s: float = knob(
        30.0, "seconds of the target's speech used to detect the language (--lang auto)"
    )
    subtitle_slack_s: float = knob(
        0.5, "subtitle cues may be shifted by this much and still overlap a turn"
    )
    checkpoint_s: float = knob(
        120.0, "save finished turns after this much audio (a crash resumes there)", output=False
    )
    threads: int = knob(0, "CPU threads for Whisper (0 = CTranslate2's default)", output=False)
