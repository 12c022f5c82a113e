"""Check a file for both synthetic-speech labels: the metadata comment and the watermark."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicekit.errors import InputError
from voicekit.watermark.detect import Detection, score
from voicekit.watermark.key import RATE


@dataclass(frozen=True)
class FileCheck:
    """What `voicekit detect` reports for one file."""

    path: Path
    metadata: str | None  # the comment that says "synthetic speech ...", None when absent
    watermark: Detection

    @property
    def marked(self) -> bool:
        """True when the file carries either label: each says voicekit made it."""
        return self.metadata is not None or self.watermark.marked


def metadata_mark(path: Path) -> str | None:
    """The synthetic-speech comment in the file's tags (WAV LIST/INFO, ID3, Vorbis, MP4)."""
    from voicekit.audio.ffmpeg import tag_values
    from voicekit.speak.mark import COMMENT, read_wav_info

    if path.suffix.lower() == ".wav":
        texts = list(read_wav_info(path).values())
    else:
        texts = tag_values(path)
    return next((t for t in texts if COMMENT in t), None)


def load(path: Path) -> np.ndarray:
    """Mono float32 audio at the analysis rate, decoded by ffmpeg (any format it reads)."""
    from voicekit.audio.ffmpeg import read_mono

    return np.asarray(read_mono(path, RATE))


def check(path: Path) -> FileCheck:
    """Both labels of one file; InputError when it is missing or not audio."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return FileCheck(path, metadata_mark(path), score(load(path), RATE))
