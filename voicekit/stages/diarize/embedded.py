"""The embedded diarization pipeline: VAD -> window embeddings -> clusters -> turns/overlaps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicekit.stages.diarize.cluster import cluster, normalise
from voicekit.stages.diarize.config import EmbeddedDiarizeConfig
from voicekit.stages.diarize.embed import RATE, Encoder
from voicekit.stages.diarize.turns import Span, build_spans
from voicekit.stages.diarize.vad import speech_probabilities, speech_regions


@dataclass
class Diarization:
    """Turns and overlaps of one recording, with one whole-turn embedding per turn."""

    spans: list[Span]
    turn_embeddings: np.ndarray  # rows follow the turns (speaker >= 0) in `spans` order
    regions: list[tuple[float, float]]


def diarize(wav: np.ndarray, encoder: Encoder, cfg: EmbeddedDiarizeConfig) -> Diarization:
    """Diarize a 16 kHz mono signal."""
    regions = speech_regions(speech_probabilities(wav), threshold=cfg.vad_threshold)
    if not regions:
        return Diarization([], np.zeros((0, 256), np.float32), [])
    windows, embeddings = encoder.windows(wav, regions, cfg.window_s, cfg.hop_s)
    if len(windows) == 0:
        return Diarization([], np.zeros((0, 256), np.float32), regions)
    _, centroids = cluster(embeddings, cfg.max_speakers)
    similarities = normalise(embeddings) @ centroids.T
    spans = build_spans(
        regions, windows, similarities, cfg.overlap_margin, cfg.min_turn_s, cfg.change_trim_s
    )
    rows = [
        encoder.utterance(wav[int(s.start * RATE) : int(s.end * RATE)])
        for s in spans
        if s.speaker >= 0
    ]
    turn_embeddings = np.stack(rows) if rows else np.zeros((0, 256), np.float32)
    return Diarization(spans, turn_embeddings, regions)
