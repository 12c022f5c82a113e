"""Configuration of the diarize stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from voicekit.knob import knob


@dataclass(frozen=True)
class EmbeddedDiarizeConfig:
    """Silero VAD + GE2E (resemblyzer) window embeddings + spectral clustering (eigengap)."""

    vad_threshold: float = knob(0.5, "Silero speech probability that starts a speech region")
    window_s: float = knob(1.0, "embedding window length in seconds")
    hop_s: float = knob(0.25, "step between embedding windows in seconds (turn-boundary grain)")
    max_speakers: int = knob(8, "the most speakers the clustering may find in a block")
    block_s: float = knob(
        300.0,
        "longer recordings are clustered in blocks of about this many seconds, cut at pauses, "
        "and the blocks' speakers then linked: a film's scenes differ in room and mix, and one "
        "voice clustered across them splits; 0 = the whole recording at once",
    )
    link_similarity: float = knob(
        0.5, "speakers of different blocks this close (cosine of block-centred centroids, "
        "average linkage) are one speaker",
    )
    overlap_gap_share: float = knob(
        0.2, "grid steps whose two best speaker similarities differ by less than this share of "
        "the typical gap between those two speakers' own windows are marked overlap",
    )
    min_turn_s: float = knob(0.5, "shorter label runs are not trusted as turns (marked overlap)")
    change_trim_s: float = knob(
        0.25, "where one speaker runs straight into another, this much of each edge is overlap"
    )


@dataclass(frozen=True)
class PyannoteConfig:
    """pyannote.audio 4 pipeline (segmentation + embeddings + clustering; needs weights)."""

    pipeline: str = knob(
        "pyannote/speaker-diarization-community-1",
        "pyannote pipeline by Hugging Face name (found offline: models dir, then the HF cache)",
    )
    path: str = knob(
        "",
        "local pipeline folder (with config.yaml) or config.yaml; empty: search by name",
        output=False,
    )
    min_speakers: int = knob(0, "fewest speakers per recording (0 = no bound)")
    max_speakers: int = knob(0, "most speakers per recording (0 = no bound)")
    segmentation_batch: int = knob(32, "segmentation windows per batch", output=False)
    embedding_batch: int = knob(32, "embedding windows per batch", output=False)


@dataclass(frozen=True)
class DiarizeConfig:
    backend: Literal["embedded", "pyannote"] = knob(
        "embedded",
        "diarization backend: embedded (no downloaded weights) or pyannote (needs weights)",
    )
    embedded: EmbeddedDiarizeConfig = field(default_factory=EmbeddedDiarizeConfig)
    pyannote: PyannoteConfig = field(default_factory=PyannoteConfig)
