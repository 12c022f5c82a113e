"""`voicekit speak` settings: the `speak` section of the config (configs/default.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field

from voicekit.errors import ConfigError
from voicekit.knob import knob


@dataclass(frozen=True)
class AssemblyConfig:
    sentence_pause: float = knob(0.35, "seconds between sentences of one paragraph")
    paragraph_pause: float = knob(0.9, "seconds between paragraphs")
    fade: float = knob(0.01, "seconds of fade at each sentence edge, so joins never click")
    loudness: float = knob(-16.0, "integrated loudness target in LUFS (narration: -16)")
    peak: float = knob(-1.0, "sample peak ceiling in dBFS, kept by a lookahead limiter")
    lookahead: float = knob(0.005, "seconds over which the limiter's gain ramps down to a peak")
    release: float = knob(0.08, "seconds the limiter's gain takes to recover after a peak")


@dataclass(frozen=True)
class GateConfig:
    asr: str | None = knob(
        "base", "Whisper model that checks each sentence (name or folder); null: no gate"
    )
    max_error: float = knob(0.4, "re-take a sentence whose CER (zh) / WER (en) is above this")
    retakes: int = knob(2, "extra takes (other seeds) tried for a sentence over max_error")
    beam_size: int = knob(1, "Whisper beam size for the check (1: greedy, fastest)")

    def __post_init__(self) -> None:
        if self.retakes < 0 or self.max_error < 0 or self.beam_size < 1:
            raise ConfigError(
                f"quality gate: retakes {self.retakes}, max_error {self.max_error:g}, "
                f"beam_size {self.beam_size}",
                "retakes and max_error must be 0 or more, beam_size 1 or more",
            )


@dataclass(frozen=True)
class SpeakConfig:
    assembly: AssemblyConfig = field(default_factory=AssemblyConfig)
    gate: GateConfig = field(default_factory=GateConfig)
