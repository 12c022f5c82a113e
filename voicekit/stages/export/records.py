"""What the format writers need to know about one exported clip."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from voicekit.manifest import Segment

_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def file_name(segment_id: str) -> str:
    """A file-system and list-format safe name for a clip id (letters in any script kept)."""
    return _UNSAFE_NAME.sub("_", segment_id).strip("._") or "clip"


@dataclass(frozen=True)
class ExportedClip:
    """A kept clip as written: its segment, where its wav is, its cleaned text and split.

    Attributes:
        segment: the filters stage's record of the clip.
        wav: path of the wav relative to the dataset folder (`wavs/<speaker>/<name>.wav`).
        speaker: the speaker folder and label used by every list.
        text: the transcript as spoken, punctuation/width/script normalised.
        spoken: `text` with numbers written out (LJSpeech's normalized column).
        split: "train", "val" or "heldout".
        audio: loudness before/after and the gain applied, for the manifest and report.
    """

    segment: Segment
    wav: str
    speaker: str
    text: str
    spoken: str
    split: str
    audio: dict[str, Any]

    @property
    def language(self) -> str | None:
        return self.segment.language
