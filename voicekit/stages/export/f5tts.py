"""F5-TTS: `f5tts/metadata.csv` (`audio_file|text` with that header) beside a `wavs` folder.

F5-TTS's `prepare_csv_wavs.py INPUT OUTPUT` checks that INPUT holds `metadata.csv` and a
`wavs/` folder, skips the first csv row (the header) and resolves each audio path relative to
INPUT. `f5tts/wavs` is a relative symlink to the dataset's `wavs/`, so the audio exists once
and the folder still works after the dataset is moved. F5 has no validation set: train and
validation clips are listed, held-out ones are not. Text is the spoken form (numbers as words),
since F5 turns characters into pinyin and has no number reading of its own.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from voicekit.stages.export.records import ExportedClip
from voicekit.stages.export.split import HELDOUT
from voicekit.stages.export.text import field_safe

FOLDER = "f5tts"
HEADER = "audio_file|text\n"


def write(dataset: Path, clips: Sequence[ExportedClip]) -> list[str]:
    """Write `f5tts/metadata.csv` and the `f5tts/wavs` link; returns the names."""
    folder = dataset / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f"{c.wav}|{field_safe(c.spoken)}\n" for c in clips if c.split != HELDOUT]
    (folder / "metadata.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    link = folder / "wavs"
    if not link.is_symlink():
        os.symlink(os.path.join("..", "wavs"), link, target_is_directory=True)
    return [f"{FOLDER}/metadata.csv", f"{FOLDER}/wavs"]
