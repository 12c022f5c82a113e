"""GPT-SoVITS training list: `path|speaker|lang|text`, one clip per line.

GPT-SoVITS's dataset scripts split each line on `|` into exactly four fields and open the path
as written when no audio folder is given, relative to GPT-SoVITS's own working directory; so
paths are absolute (of the published dataset folder). If the dataset moves, set GPT-SoVITS's
audio folder to `<dataset>/wavs/<speaker>`: it then uses only the file names.
GPT-SoVITS has no validation set: train and validation clips are listed; held-out ones are not.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from voicekit.stages.export.records import ExportedClip
from voicekit.stages.export.split import HELDOUT
from voicekit.stages.export.text import field_safe, is_chinese

log = logging.getLogger("voicekit")

FILE = "gptsovits.list"
# GPT-SoVITS v2 text front-ends; Whisper's codes for these languages map directly
LANGUAGES = {"zh": "zh", "en": "en", "ja": "ja", "ko": "ko", "yue": "yue"}


def line(clip: ExportedClip, final_dataset: Path) -> str | None:
    """One list line, or None when GPT-SoVITS has no front-end for the clip's language."""
    code = clip.language or ("zh" if is_chinese(clip.text, None) else "")
    lang = LANGUAGES.get(code.lower())
    if lang is None:
        return None
    path = (final_dataset / clip.wav).as_posix()
    return f"{path}|{field_safe(clip.speaker)}|{lang}|{field_safe(clip.text)}\n"


def write(dataset: Path, clips: Sequence[ExportedClip], final_dataset: Path) -> list[str]:
    """Write `gptsovits.list` with absolute paths under `final_dataset` (the published folder)."""
    rows = []
    for clip in clips:
        if clip.split == HELDOUT:
            continue
        row = line(clip, final_dataset)
        if row is None:
            log.warning("gptsovits.list: %s left out: language %r not supported by GPT-SoVITS",
                        clip.segment.id, clip.language)
            continue
        rows.append(row)
    (dataset / FILE).write_text("".join(rows), encoding="utf-8")
    return [FILE]
