"""The dataset pipeline's stages, in order, imported lazily (heavy backends load on use)."""

from __future__ import annotations

import importlib

from voicekit.config import Config
from voicekit.errors import ConfigError
from voicekit.pipeline.stage import Stage

# stage name -> "module:Class"
STAGES: dict[str, str] = {
    "ingest": "voicekit.stages.ingest:IngestStage",
    "separate": "voicekit.stages.separate.stage:SeparateStage",
    "diarize": "voicekit.stages.diarize.stage:DiarizeStage",
    "identify": "voicekit.stages.identify:IdentifyStage",
    "transcribe": "voicekit.stages.transcribe.stage:TranscribeStage",
    "segment": "voicekit.stages.segment.stage:SegmentStage",
    "filters": "voicekit.stages.filters.stage:FiltersStage",
    "export": "voicekit.stages.export.stage:ExportStage",
}
NAMES = tuple(STAGES)


def stage_class(name: str) -> type[Stage]:
    module, _, cls = STAGES[name].partition(":")
    found: type[Stage] = getattr(importlib.import_module(module), cls)
    return found


def through(stop: str | None) -> tuple[str, ...]:
    """Stage names up to and including `stop` (all when None); unknown names are ConfigErrors."""
    if stop is None:
        return NAMES
    if stop not in NAMES:
        raise ConfigError(f"unknown stage '{stop}'", f"stages are: {', '.join(NAMES)}")
    return NAMES[: NAMES.index(stop) + 1]


def build(config: Config, names: tuple[str, ...] = NAMES) -> list[Stage]:
    """Stage instances for `names`, in pipeline order."""
    return [stage_class(name)(config) for name in NAMES if name in names]
