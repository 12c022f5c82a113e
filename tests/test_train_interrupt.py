"""Ctrl-C/SIGTERM handling shared by the vits and xtts trainers (the vits one is also tested end
to end with a real SIGTERM in test_train)."""

from __future__ import annotations

import os
import signal

import pytest

from voicekit.train.interrupt import interruptible, terminate_as_interrupt


class _Trainer:
    """The two methods of coqui's Trainer that `interruptible` builds on."""

    saved = False

    def _fit(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    def save_checkpoint(self) -> None:
        self.saved = True

    def fit(self) -> None:
        self._fit()


def test_sigterm_while_fitting_saves_and_returns() -> None:
    before = signal.getsignal(signal.SIGTERM)
    trainer = interruptible(_Trainer)()
    with terminate_as_interrupt():
        trainer.fit()
    assert trainer.interrupted and trainer.saved
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is put back


def test_sigterm_inside_the_context_is_a_keyboard_interrupt() -> None:
    with pytest.raises(KeyboardInterrupt), terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
