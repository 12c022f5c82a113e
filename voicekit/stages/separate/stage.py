"""The separate stage: each recording's dialogue stem (mono), for diarization and the dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output, Stage

if TYPE_CHECKING:
    from voicekit.config import Config
    from voicekit.stages.separate.demucs import Separator

STEM = "vocals.wav"


class SeparateStage(Stage):
    """One item per recording; writes `vocals.wav` and points the segment's audio at it."""

    name = "separate"
    version = 2  # 2: no NaN gains after loud passages (embedded)

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self._demucs: Separator | None = None

    def fingerprint(self) -> dict[str, Any]:
        """The base fingerprint plus, for demucs, the model's name and weights checksum."""
        cfg = self.config.separate
        out = super().fingerprint()
        if cfg.backend == "demucs":
            from voicekit.stages.separate.demucs_weights import weights_fingerprint

            out["weights"] = weights_fingerprint(cfg.demucs, self.config)
        return out

    def open(self, ctx: Context) -> None:
        cfg = self.config.separate
        if cfg.backend == "demucs":
            from voicekit.stages.separate.demucs import Separator
            from voicekit.stages.separate.demucs_weights import find_weights

            weights = find_weights(cfg.demucs, self.config)
            self._demucs = Separator(cfg.demucs, weights, ctx.device)

    def close(self) -> None:
        if self._demucs is not None:
            self._demucs.free()
            self._demucs = None

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        cfg = self.config.separate
        if cfg.backend == "none":
            return [seg.with_(custom={**seg.custom, "mix": seg.audio}) for seg in item.inputs]
        first = item.inputs[0]
        src = ctx.workspace.path(first.audio)
        if not src.exists():
            raise InputError(f"{item.id}: recording audio missing: {first.audio}")

        def report(done_s: float, total_s: float) -> None:
            ctx.progress(self.name, item.id, done_s, total_s)

        if cfg.backend == "demucs":
            if self._demucs is None:  # process() called without open(), as in unit tests
                self.open(ctx)
            assert self._demucs is not None
            self._demucs.separate_file(src, out.path(STEM), out.partial, progress=report)
        else:
            from voicekit.stages.separate.embedded import separate_file

            separate_file(src, out.path(STEM), cfg.embedded, progress=report)
        return [
            seg.with_(audio=out.rel(STEM), custom={**seg.custom, "mix": seg.audio})
            for seg in item.inputs
        ]
