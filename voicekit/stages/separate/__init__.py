"""The separate stage: dialogue isolation (embedded: centre extraction + spectral gating)."""

from voicekit.stages.separate.stage import SeparateStage

__all__ = ["SeparateStage"]
