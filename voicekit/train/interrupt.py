"""Ctrl-C, SIGTERM and a full GPU during coqui training: save a checkpoint, then stop with one
clear line.

coqui's ``Trainer.fit()`` answers Ctrl-C with a checkpoint and then ``os._exit(130)``: no
cleanup, no ledger entries for what the run wrote last, no message; any other failure, the GPU
running out of memory hours into a run included, ends in a traceback and ``sys.exit(1)``
without a checkpoint. voicekit's trainers catch both one level down (in ``_fit``), save the
checkpoint themselves and return; the caller records the run's files and raises `Interrupted`
or `out_of_memory`'s error. SIGTERM (``kill``, a job scheduler, ``docker stop``) is turned into
the same interrupt while training runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from voicekit.errors import Interrupted, StageError


def interruptible(trainer: Any) -> Any:
    """A subclass of coqui's ``trainer`` class whose ``fit()`` returns with a checkpoint saved
    after Ctrl-C/SIGTERM (``interrupted`` set) or when the GPU ran out of memory
    (``out_of_memory``: the allocator's message)."""
    import torch

    class Interruptible(trainer):
        interrupted = False
        out_of_memory: str | None = None

        def _fit(self) -> None:
            try:
                super()._fit()
                return
            except KeyboardInterrupt:
                self.interrupted = True
            except torch.OutOfMemoryError as err:
                self.out_of_memory = ". ".join(str(err).split(". ")[:2])  # what it tried
            # out of the except block: the failed step's tensors went with its traceback
            if self.out_of_memory is not None:
                import gc

                gc.collect()
                torch.cuda.empty_cache()
            self.save_checkpoint()

    return Interruptible


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


def out_of_memory(step: int, run_dir: Path, batch: int, message: str) -> StageError:
    """The error a training run that filled the GPU ends with (its checkpoint saved)."""
    return StageError(
        f"the GPU ran out of memory at step {step} with batch {batch} ({message}); "
        f"checkpoint saved in {run_dir}",
        f"run the same command with --batch-size {max(1, batch // 2)} to resume",
    )


def stopped(step: int, run_dir: Path) -> Interrupted:
    """The error an interrupted training run ends with."""
    return Interrupted(
        f"training interrupted at step {step}; checkpoint saved in {run_dir}",
        "run the same command to resume",
    )
