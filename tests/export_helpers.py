"""A small workspace as the filters stage leaves it: stems, turns, overlaps and clips.

Two 40 s "films" with speech-like audio (harmonics with a syllable-rate envelope) at very
different levels, so loudness normalisation has real work to do. Ground truth is returned so
tests can compare the export and the report with what went in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from voicekit.config import Config
from voicekit.manifest import Segment, Word, segment_id
from voicekit.pipeline.runner import Runner
from voicekit.pipeline.stage import Context
from voicekit.stages.export.stage import ExportStage
from voicekit.workspace import Workspace

STEM_RATE = 16000
FILM_S = 40.0
# (recording, level of the target's speech, language, texts of its clips)
FILMS = (
    ("film_a", 0.02, "zh", ["這是第1個測試, 好嗎?", "他說|好", "我們今天去看電影.", "ＡＢＣ很好!",
                            "時間是10:30.", "謝謝你."]),
    ("film_b", 0.9, "en", ['He said "yes", twice.', "The price is 12 dollars.", "Hello, world.",
                           "See you at 3.", "Good night.", "Fine, thanks."]),
)
# the target's turns; clips are cut at 3 s inside them
TURNS = ((1.0, 10.0), (16.0, 22.0), (30.0, 39.0))


def speechlike(seconds: float, rate: int, level: float, seed: int) -> np.ndarray:
    """Voiced harmonics with a wandering pitch and 4 Hz syllables; peak amplitude `level`."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 6))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)), 0, None) ** 0.5
    wave = voice * syllables + 0.02 * rng.standard_normal(t.size)
    return (level * wave / np.abs(wave).max()).astype(np.float32)


@dataclass
class Built:
    ws: Workspace
    segments: list[Segment]  # the filters stage's output
    clips: list[Segment]


def build(root: Path, *, rejected_every: int = 3) -> Built:
    """Write stems into a new workspace and return the filters-stage segments."""
    ws = Workspace(root)
    segments: list[Segment] = []
    clips: list[Segment] = []
    for index, (rid, level, lang, texts) in enumerate(FILMS):
        stem_rel = f"stages/separate/fake/{rid}.wav"
        audio = speechlike(FILM_S, STEM_RATE, level, seed=index)
        path = ws.path(stem_rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, audio, STEM_RATE, subtype="FLOAT")
        common = {"source": f"/films/{rid}.mkv", "recording_duration": FILM_S}
        other_start = 10.5
        for start, end in TURNS:
            segments.append(Segment(segment_id(rid, start, end), rid, start, end - start, stem_rel,
                                    speaker="target", custom={**common, "role": "turn"}))
        for start, end in ((other_start, 16.0), (22.5, 29.5)):
            segments.append(Segment(segment_id(rid, start, end), rid, start, end - start, stem_rel,
                                    speaker="S1", custom={**common, "role": "turn"}))
        segments.append(Segment(segment_id(rid, 15.5, 16.5), rid, 15.5, 1.0, stem_rel,
                                custom={**common, "role": "overlap", "speakers": ["S1", "target"]}))
        n = 0
        for start, end in TURNS:
            t = start
            while t + 3.0 <= end:
                text = texts[n % len(texts)]
                seg = Segment(
                    segment_id(rid, t, t + 3.0), rid, t, 3.0, stem_rel, speaker="target",
                    text=text, language=lang,
                    words=(Word(text.split()[0], t + 0.1, t + 0.6, 0.9),),
                    scores={"snr_db": 20.0 + n, "similarity": 0.6 + 0.02 * n,
                            "similarity_threshold": 0.55},
                    custom={**common, "role": "clip", "candidates": [{"speaker": "S1"}]}
                    if n == 0 else {**common, "role": "clip"},
                )
                if n % rejected_every == rejected_every - 1:
                    filt = "snr" if n % 2 else "similarity"
                    seg = seg.reject(filt, f"{filt} below threshold", 1.0)
                clips.append(seg)
                n += 1
                t += 3.0
    return Built(ws, segments + clips, clips)


def run_export(built: Built, config: Config | None = None) -> list[Segment]:
    """Run the export stage through the real runner (publishes `<workspace>/dataset`)."""
    conf = config or Config()
    ctx = Context(workspace=built.ws, config=conf)
    stage = ExportStage(conf)
    runner = Runner([stage], ctx)
    # filters' manifest, as a full pipeline run would leave it (the report's timeline)
    runner._write_manifest("filters", built.segments)
    out, _ = runner.run_stage(stage, built.segments)
    return out
