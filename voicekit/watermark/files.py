"""Check a file for both synthetic-speech labels: the metadata comment and the watermark."""

from __future__ import annotations

import json
import subprocess
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
    from voicekit.audio.ffmpeg import tool
    from voicekit.speak.mark import COMMENT, read_wav_info

    texts: list[str] = []
    if path.suffix.lower() == ".wav":
        texts = list(read_wav_info(path).values())
    else:
        cmd = [tool("ffprobe"), "-v", "error", "-print_format", "json",
               "-show_entries", "format_tags:stream_tags", str(path)]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise InputError(f"{path.name}: not a readable media file")
        data = json.loads(result.stdout or "{}")
        for tags in [data.get("format", {}).get("tags", {})] + [
            s.get("tags", {}) for s in data.get("streams", [])
        ]:
            texts += [str(v) for v in tags.values()]
    return next((t for t in texts if COMMENT in t), None)


def load(path: Path) -> np.ndarray:
    """Mono float32 audio at the analysis rate, decoded by ffmpeg (any format it reads)."""
    from voicekit.audio.ffmpeg import tool

    cmd = [tool("ffmpeg"), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0",
           "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, check=False)
    if result.returncode != 0:
        why = (result.stderr.decode("utf-8", "replace").strip().splitlines() or ["unreadable"])[-1]
        raise InputError(f"{path.name}: cannot decode audio ({why})")
    return np.frombuffer(result.stdout, dtype=np.float32)


def check(path: Path) -> FileCheck:
    """Both labels of one file; InputError when it is missing or not audio."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return FileCheck(path, metadata_mark(path), score(load(path), RATE))
