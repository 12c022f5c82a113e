"""The diarize stage: who speaks when (embedded: Silero VAD + GE2E + clustering)."""

from voicekit.stages.diarize.stage import DiarizeStage

__all__ = ["DiarizeStage"]
