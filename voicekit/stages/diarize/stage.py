"""The diarize stage: speaker turns (S0, S1, ...) and overlap regions per recording."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from voicekit.errors import InputError
from voicekit.manifest import Segment, segment_id
from voicekit.pipeline.stage import Context, Item, Output, Stage

if TYPE_CHECKING:
    from voicekit.config import Config
    from voicekit.stages.diarize.pyannote import PyannoteDiarizer

EMBEDDINGS = "embeddings.npy"


class DiarizeStage(Stage):
    """One item per recording; the models are loaded once for all pending recordings.

    Both backends embed each turn with the GE2E encoder (identify compares turns with the
    enrolment clips in that space).
    """

    name = "diarize"
    version = 4

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self._pyannote: PyannoteDiarizer | None = None

    def fingerprint(self) -> dict[str, Any]:
        """The base fingerprint plus, for pyannote, the pipeline's name and files' checksum."""
        cfg = self.config.diarize
        out = super().fingerprint()
        if cfg.backend == "pyannote":
            from voicekit.stages.diarize.pyannote import pipeline_fingerprint

            out["weights"] = pipeline_fingerprint(cfg.pyannote, self.config)
        return out

    def open(self, ctx: Context) -> None:
        from voicekit.stages.diarize.embed import Encoder

        self.encoder = Encoder(ctx.device)
        if self.config.diarize.backend == "pyannote":
            from voicekit.stages.diarize.pyannote import PyannoteDiarizer

            self._pyannote = PyannoteDiarizer(self.config.diarize.pyannote, self.config,
                                              ctx.device)

    def close(self) -> None:
        self.__dict__.pop("encoder", None)
        if self._pyannote is not None:
            self._pyannote.free()
            self._pyannote = None

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        from voicekit.stages.diarize.audio import load_mono
        from voicekit.stages.diarize.embedded import diarize
        from voicekit.stages.diarize.pyannote import OverlapSpan

        rec = item.inputs[0]
        path = ctx.workspace.path(rec.audio)
        if not path.exists():
            raise InputError(f"{item.id}: audio missing: {rec.audio}")
        wav = load_mono(path)
        if self.config.diarize.backend == "pyannote":
            if self._pyannote is None:  # process() called without open(), as in unit tests
                self.open(ctx)
            assert self._pyannote is not None
            result = self._pyannote.diarize(wav, self.encoder)
        else:
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
                custom = {**base, "role": "overlap", "speakers": [f"S{s}" for s in span.speakers]}
                if isinstance(span, OverlapSpan) and span.exclusive >= 0:
                    custom["exclusive_speaker"] = f"S{span.exclusive}"
                segments.append(seg.with_(custom=custom))
        return segments
