"""Configuration of the filters stage: every threshold that decides keep or reject.

Clip length limits are the segment stage's `min_s` / `max_s` (one setting, used by both).
"""

from __future__ import annotations

from dataclasses import dataclass

from voicekit.knob import knob


@dataclass(frozen=True)
class FiltersConfig:
    disable: tuple[str, ...] = knob(
        (), "filters to skip by name: duration, overlap, speaker, quiet, clipping, snr, asr, "
        "language, subtitles, rate, duplicate"
    )
    max_overlap_s: float = knob(
        0.1, "reject clips overlapped this long (seconds) by another speaker or an overlap region"
    )
    similarity_margin: float = knob(
        0.0, "added to identify's calibrated speaker-similarity threshold (positive = stricter)"
    )
    min_rms_dbfs: float = knob(-45.0, "reject clips quieter than this RMS level (dBFS)")
    clip_level: float = knob(0.99, "sample magnitude counted as clipped (full scale = 1.0)")
    max_clipped_fraction: float = knob(
        0.001, "reject clips with a larger share of samples at or above clip_level"
    )
    min_snr_db: float = knob(
        15.0, "reject clips whose estimated speech-to-noise ratio (music, noise bleed) is lower"
    )
    snr_context_s: float = knob(
        15.0, "the music/noise level is measured in the non-speech time within this many seconds "
        "of the clip (seconds)"
    )
    snr_min_background_s: float = knob(
        1.0, "with less non-speech time than this near a clip (seconds), its SNR is estimated "
        "from the clip alone"
    )
    min_asr_logprob: float = knob(
        -1.0, "reject clips whose ASR mean token log-probability is lower (Whisper's own cut)"
    )
    max_no_speech_prob: float = knob(
        0.8, "reject clips the ASR model thinks hold no speech with more probability than this"
    )
    max_compression_ratio: float = knob(
        2.4, "reject clips whose ASR text gzip-compresses more than this (Whisper's loop cut)"
    )
    max_repetition: float = knob(
        0.5, "reject clips whose text is more than this share one phrase repeated 3+ times"
    )
    min_subtitle_agreement: float = knob(
        0.4, "reject clips whose ASR text agrees less than this (0-1) with the subtitle line"
    )
    min_subtitle_agreement_zh: float = knob(
        0.2,
        "the same for Chinese text: character agreement runs lower (ASR text of the right line: "
        "10th percentile 0.47; of a wrong line: 90th percentile 0.11, measured on AISHELL)",
    )
    language_majority: float = knob(
        0.7, "with --lang auto, clips not in the main language are rejected only when it holds "
        "at least this share of the clip seconds"
    )
    rate_fence: float = knob(
        1.5, "Tukey fence k: characters per second outside [Q1 - k*IQR, Q3 + k*IQR] of the "
        "recording's clips are rejected"
    )
    rate_min_spread: float = knob(
        0.5, "the speaking-rate fence reaches at least this share of the median rate either side"
    )
    rate_min_clips: int = knob(
        10, "the speaking-rate fence is applied only to recordings with this many clips with text"
    )
    duplicate_min_chars: int = knob(
        12, "texts shorter than this (letters, no spaces) are never called duplicates by text"
    )
    duplicate_text_similarity: float = knob(
        0.95, "texts at least this similar (0-1) to an earlier kept clip's are duplicates"
    )
    duplicate_audio_similarity: float = knob(
        0.85, "spectral fingerprints at least this correlated with an earlier kept clip's are "
        "duplicates (real speech: same line remixed 0.90-0.93, different lines at most 0.70)"
    )
