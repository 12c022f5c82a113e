"""The diarize stage: speaker turns (S0, S1, ...) and overlap regions per recording."""

from __future__ import annotations

import numpy as np

from voicekit.errors import InputError
from voicekit.manifest import Segment, segment_id
from voicekit.pipeline.stage import Context, Item, Output, Stage

EMBEDDINGS = "embeddings.npy"


class DiarizeStage(Stage):
    """One item per recording; the encoder is loaded once for all pending recordings."""

    name = "diarize"
    version = 2

    def open(self, ctx: Context) -> None:
        from voicekit.stages.diarize.embed import Encoder

        self.encoder = Encoder(ctx.device)

    def close(self) -> None:
        self.__dict__.pop("encoder", None)

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        from voicekit.stages.diarize.audio import load_mono
        from voicekit.stages.diarize.embedded import diarize

        rec = item.inputs[0]
        path = ctx.workspace.path(rec.audio)
        if not path.exists():
            raise InputError(f"{item.id}: audio missing: {rec.audio}")
        wav = load_mono(path)
        result = diarize(wav, self.encoder, self.config.diarize.embedded)
        ctx.progress(self.name, item.id, item.seconds, item.seconds)
        np.save(out.path(EMBEDDINGS), result.turn_embeddings.astype(np.float32))
        base = {k: v for k, v in rec.custom.items() if k != "role"}
        segments: list[Segment] = []
        row = 0
        for span in result.spans:
            seg = Segment(segment_id(rec.recording_id, span.start, span.end), rec.recording_id,
                          round(span.start, 3), round(span.end - span.start, 3), rec.audio,
                          language=rec.language)
            if span.speaker >= 0:
                custom = {**base, "role": "turn", "embedding": out.rel(EMBEDDINGS),
                          "embedding_row": row}
                segments.append(seg.with_(speaker=f"S{span.speaker}", custom=custom))
                row += 1
            else:
                speakers = [f"S{s}" for s in span.speakers]
                segments.append(seg.with_(custom={**base, "role": "overlap", "speakers": speakers}))
        return segments
