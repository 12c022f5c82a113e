"""Ctrl-C, SIGTERM, a full GPU or a full disk during coqui training: save what can be saved,
then stop with one clear line.

coqui's ``Trainer.fit()`` answers Ctrl-C with a checkpoint and then ``os._exit(130)``: no
cleanup, no ledger entries for what the run wrote last, no message; any other failure, the GPU
running out of memory or the disk filling hours into a run included, ends in a traceback and
``sys.exit(1)`` without a checkpoint. voicekit's trainers catch these one level down (in
``_fit``), save the checkpoint themselves where they can and return; the caller records the
run's files and raises `stop_error`'s error. SIGTERM (``kill``, a job scheduler, ``docker
stop``) is turned into the same interrupt while training runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from voicekit.errors import Interrupted, StageError, VoicekitError


def interruptible(trainer: Any) -> Any:
    """A subclass of coqui's ``trainer`` class whose ``fit()`` returns, instead of exiting,
    after Ctrl-C/SIGTERM (``interrupted`` set) or when the GPU ran out of memory
    (``out_of_memory``: the allocator's message), each with a checkpoint saved, or when the
    disk filled (``disk_full``: the file being written; nothing more can be saved then)."""
    import errno

    import torch

    class Interruptible(trainer):
        interrupted = False
        out_of_memory: str | None = None
        disk_full: str | None = None

        def _fit(self) -> None:
            try:
                super()._fit()
                return
            except KeyboardInterrupt:
                self.interrupted = True
            except torch.OutOfMemoryError as err:
                self.out_of_memory = ". ".join(str(err).split(". ")[:2])  # what it tried
            except OSError as err:
                if err.errno not in (errno.ENOSPC, errno.EDQUOT):
                    raise
                self.disk_full = str(err.filename or "a file")
                return
            # out of the except block: the failed step's tensors went with its traceback
            if self.out_of_memory is not None:
                import gc

                gc.collect()
                torch.cuda.empty_cache()
            self.save_checkpoint()

    return Interruptible


def stop_error(trainer: Any, run_dir: Path, batch: int) -> VoicekitError | None:
    """The error a training run that `interruptible` stopped early ends with, else None."""
    step = trainer.total_steps_done
    if trainer.disk_full:
        return StageError(
            f"the disk filled at step {step} (writing {trainer.disk_full})",
            "free disk space, then run the same command: training resumes from the last "
            f"whole checkpoint in {run_dir}",
        )
    if trainer.out_of_memory:
        return StageError(
            f"the GPU ran out of memory at step {step} with batch {batch} "
            f"({trainer.out_of_memory}); checkpoint saved in {run_dir}",
            f"run the same command with --batch-size {max(1, batch // 2)} to resume",
        )
    if trainer.interrupted:
        return Interrupted(
            f"training interrupted at step {step}; checkpoint saved in {run_dir}",
            "run the same command to resume",
        )
    return None


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises KeyboardInterrupt in the main thread (as Ctrl-C does)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
