"""The embedded diarization pipeline: VAD -> window embeddings -> clusters -> turns/overlaps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicekit.stages.diarize.blocks import link, split_blocks
from voicekit.stages.diarize.cluster import centre, cluster, normalise
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
    spans = _block_spans(regions, windows, embeddings, cfg)
    rows = [
        encoder.utterance(wav[int(s.start * RATE) : int(s.end * RATE)])
        for s in spans
        if s.speaker >= 0
    ]
    turn_embeddings = np.stack(rows) if rows else np.zeros((0, 256), np.float32)
    return Diarization(spans, turn_embeddings, regions)


def _block_spans(regions: list[tuple[float, float]], windows: np.ndarray,
                 embeddings: np.ndarray, cfg: EmbeddedDiarizeConfig) -> list[Span]:
    """Turns and overlaps of each block (see `blocks`), speakers numbered across the recording."""
    blocks = split_blocks(regions, cfg.block_s)
    unit = normalise(embeddings)
    found: list[tuple[list[Span], np.ndarray, np.ndarray]] = []
    for block in blocks:
        inside = (windows[:, 0] >= block[0][0] - 1e-6) & (windows[:, 1] <= block[-1][1] + 1e-6)
        if not inside.any():
            continue
        labels, centroids = cluster(embeddings[inside], cfg.max_speakers)
        spans = build_spans(block, windows[inside], unit[inside] @ centroids.T,
                            cfg.overlap_gap_share, cfg.min_turn_s, cfg.change_trim_s)
        centred = centre(embeddings[inside])
        linked = normalise(np.stack([centred[labels == c].mean(axis=0)
                                     for c in range(len(centroids))]))
        found.append((spans, linked, np.bincount(labels, minlength=len(centroids))))
    if len(found) == 1:
        return found[0][0]
    ids = link([c for _, c, _ in found], [w for _, _, w in found], cfg.link_similarity)
    return [Span(s.start, s.end, int(glob[s.speaker]) if s.speaker >= 0 else -1,
                 tuple(sorted({int(glob[k]) for k in s.speakers})))
            for (spans, _, _), glob in zip(found, ids, strict=True) for s in spans]
