"""Ctrl-C and SIGTERM during coqui training: save a checkpoint, then stop with one clear line.

coqui's ``Trainer.fit()`` answers Ctrl-C with a checkpoint and then ``os._exit(130)``: no
cleanup, no ledger entries for what the run wrote last, no message. voicekit's trainers catch
the interrupt one level down (in ``_fit``), save the checkpoint themselves and return; the
caller records the run's files and raises `Interrupted`. SIGTERM (``kill``, a job scheduler,
``docker stop``) is turned into the same interrupt while training runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from voicekit.errors import Interrupted


def interruptible(trainer: Any) -> Any:
    """A subclass of coqui's ``trainer`` class whose ``fit()`` returns after Ctrl-C/SIGTERM
    with a checkpoint saved and ``interrupted`` set."""

    class Interruptible(trainer):
        interrupted = False

        def _fit(self) -> None:
            try:
                super()._fit()
            except KeyboardInterrupt:
                self.interrupted = True
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


def stopped(step: int, run_dir: Path) -> Interrupted:
    """The error an interrupted training run ends with."""
    return Interrupted(
        f"training interrupted at step {step}; checkpoint saved in {run_dir}",
        "run the same command to resume",
    )
