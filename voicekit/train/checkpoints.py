"""Checkpoints on disk: the space a run needs for them, the ones a crash left unfinished, and
the one a resumed run restores.

A coqui VITS checkpoint holds the weights and AdamW's two moments of every parameter, float32:
12 bytes a parameter (the full model: 83 M parameters, ~1 GB a file). A run keeps
``train.keep_checkpoints`` of them and ``train.keep_best`` best models, and writes each new one
before it deletes the one it replaces. ``torch.save`` writes a zip archive whose directory comes
last: a file cut short (the disk filled, the machine stopped while it was written) has none, and
coqui's resume would pick it as the newest and fail on it.
"""

from __future__ import annotations

import logging
import re
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from voicekit.errors import InputError

log = logging.getLogger("voicekit")

BYTES_PER_PARAMETER = 12  # float32 weight + AdamW's exp_avg and exp_avg_sq


def size(model: Any) -> int:
    """Bytes of one checkpoint of ``model`` (a torch module with its optimizer state)."""
    return BYTES_PER_PARAMETER * sum(p.numel() for p in model.parameters())


def check_space(folder: Path, checkpoint: int, kept: int, previous: Path | None) -> None:
    """Refuse to start a run whose checkpoints cannot fit: ``kept`` files of ``checkpoint``
    bytes, plus the two written before the ones they replace are deleted. The checkpoints of
    ``previous`` (the run resumed) are rotated away, so their space counts as free.

    Raises:
        InputError: too little free space on the file system of ``folder``.
    """
    need = checkpoint * (kept + 2)
    reusable = 0
    if previous is not None:  # best_model.pth is a link to a numbered best: each file once
        stats = [p.stat() for p in previous.glob("*.pth")]
        reusable = sum({(s.st_dev, s.st_ino): s.st_size for s in stats}.values())
    free = shutil.disk_usage(folder).free
    if free + reusable < need:
        gb = 1e9
        raise InputError(
            f"training needs about {need / gb:.1f} GB for its checkpoints ({kept} kept of "
            f"{checkpoint / gb:.2f} GB each, and 2 being written) and {folder} has "
            f"{free / gb:.1f} GB free",
            "free disk space, or lower train.keep_checkpoints / train.keep_best (--set)",
        )


def drop_incomplete(run: Path) -> list[Path]:
    """Delete the checkpoint files of ``run`` that were never finished; return them."""
    dropped = [p for p in sorted(run.glob("*.pth")) if not zipfile.is_zipfile(p)]
    for path in dropped:
        path.unlink()
        log.warning(
            "removed %s: the file was never finished (the disk filled or the machine stopped "
            "while it was written); resuming from the checkpoint before it", path.name,
        )  # fmt: skip
    return dropped


def newest(run: Path) -> tuple[str, str]:
    """coqui's ``get_last_checkpoint`` (the checkpoint to restore, the best model) reading step
    numbers from file names only: coqui searches the whole path, so a folder above the run
    named like ``checkpoint_9`` made every file step 9 and resume restore any of them. As in
    coqui, the best model is restored when it is newer than the newest checkpoint."""
    found: dict[str, tuple[int, Path]] = {}
    for key in ("checkpoint", "best_model"):
        steps = [(int(m.group(1)), p) for p in run.glob(f"{key}_*.pth")
                 if (m := re.fullmatch(rf"{key}_(\d+)\.pth", p.name))]  # fmt: skip
        if steps:
            found[key] = max(steps)
    if not found:
        raise ValueError(f"no numbered checkpoint in {run}")
    last = found.get("checkpoint") or found["best_model"]
    best = found.get("best_model") or last
    restore = best if best[0] > last[0] else last
    return str(restore[1]), str(best[1])


@contextmanager
def resumed_by_name() -> Iterator[None]:
    """While inside, coqui's trainer finds the checkpoint to resume from with `newest`."""
    from trainer import trainer as coqui

    original = coqui.get_last_checkpoint
    coqui.get_last_checkpoint = lambda path: newest(Path(path))
    try:
        yield
    finally:
        coqui.get_last_checkpoint = original
