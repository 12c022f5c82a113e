"""LJSpeech-style `metadata.csv` (`id|text|normalized_text`) for Coqui TTS / XTTS and Piper.

Coqui's `ljspeech` formatter splits each line on `|`, reads `wavs/<id>.wav` and trains on the
third column; Piper reads the same file with `csv.reader(delimiter="|")` and `--single-speaker`
(last column). Ids include the speaker folder (`target/<name>`), so both find
`wavs/target/<name>.wav`. `metadata.csv` holds the train split, `metadata_val.csv` the
validation split (Coqui's `meta_file_val`); held-out clips are in neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from voicekit.stages.export.records import ExportedClip
from voicekit.stages.export.split import TRAIN, VAL
from voicekit.stages.export.text import field_safe

FILES = {TRAIN: "metadata.csv", VAL: "metadata_val.csv"}


def line(clip: ExportedClip) -> str:
    clip_id = clip.wav.removeprefix("wavs/").removesuffix(".wav")
    return f"{clip_id}|{field_safe(clip.text)}|{field_safe(clip.spoken)}\n"


def write(dataset: Path, clips: Sequence[ExportedClip]) -> list[str]:
    """Write the train and validation csv files; returns their names."""
    for split, name in FILES.items():
        rows = [line(c) for c in clips if c.split == split]
        (dataset / name).write_text("".join(rows), encoding="utf-8")
    return list(FILES.values())
