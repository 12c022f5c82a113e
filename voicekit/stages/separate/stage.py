"""The separate stage: each recording's dialogue stem (mono), for diarization and the dataset."""

from __future__ import annotations

from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output, Stage

STEM = "vocals.wav"


class SeparateStage(Stage):
    """One item per recording; writes `vocals.wav` and points the segment's audio at it."""

    name = "separate"
    version = 1

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        cfg = self.config.separate
        if cfg.backend == "none":
            return [seg.with_(custom={**seg.custom, "mix": seg.audio}) for seg in item.inputs]
        from voicekit.stages.separate.embedded import separate_file

        first = item.inputs[0]
        src = ctx.workspace.path(first.audio)
        if not src.exists():
            raise InputError(f"{item.id}: recording audio missing: {first.audio}")

        def report(done_s: float, total_s: float) -> None:
            ctx.progress(self.name, item.id, done_s, total_s)

        separate_file(src, out.path(STEM), cfg.embedded, progress=report)
        return [
            seg.with_(audio=out.rel(STEM), custom={**seg.custom, "mix": seg.audio})
            for seg in item.inputs
        ]
