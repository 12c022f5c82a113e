"""The transcribe stage: text and word times for the target's turns (faster-whisper, subtitles)."""

from voicekit.stages.transcribe.stage import TranscribeStage

__all__ = ["TranscribeStage"]
