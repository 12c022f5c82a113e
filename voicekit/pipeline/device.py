"""Which device the learned backends run on: `--device auto|cpu|cuda[:N]`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from voicekit.errors import ConfigError, DependencyError

if TYPE_CHECKING:
    from voicekit.config import Config

log = logging.getLogger("voicekit")

CPU_WHISPER = ("tiny", "tiny.en", "base", "base.en", "small", "small.en")  # fine on a CPU


def resolve(requested: str) -> str:
    """The torch device name for `requested`.

    "auto" is the first CUDA GPU when torch sees one, else "cpu"; "cuda"/"cuda:N" must exist.

    Raises:
        ConfigError: an unknown device name.
        DependencyError: a CUDA device was asked for and torch sees none.
    """
    kind, _, index = requested.partition(":")
    if kind not in ("auto", "cpu", "cuda") or (index and not index.isdigit()):
        raise ConfigError(f"--device {requested!r}: expected auto, cpu, cuda or cuda:N")
    if kind == "cpu":
        return "cpu"
    import torch

    available = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if kind == "auto":
        return "cuda" if available else "cpu"
    if int(index or 0) >= available:
        raise DependencyError(
            f"--device {requested}: torch sees {available} CUDA GPU(s)",
            "check `nvidia-smi` and `voicekit doctor`, or use --device cpu")
    return requested


def learned_backends(config: Config) -> list[str]:
    """The configured backends that want a GPU."""
    out = []
    if config.separate.backend == "demucs":
        out.append(f"demucs separation ({config.separate.demucs.model})")
    if config.diarize.backend == "pyannote":
        out.append("pyannote diarization")
    model = config.transcribe.model.removeprefix("whisper-")
    if config.transcribe.backend == "whisper" and model not in CPU_WHISPER and "/" not in model:
        out.append(f"Whisper {model}")
    return out


def warn_if_slow(device: str, learned: list[str]) -> None:
    """On the CPU, say which configured learned backends will be slow there."""
    if device == "cpu" and learned:
        log.warning("no GPU: %s run on the CPU, far slower than on a GPU", ", ".join(learned))
