"""``voicekit train --backend NAME``: voicekit's VITS, or the tools users already train with.

Each backend builds a ``Plan`` from the exported dataset (``prepare``) and trains by it
(``run``); a plan whose tool is not installed here carries the commands to run by hand.
"""

from __future__ import annotations

from voicekit.errors import InputError
from voicekit.train.backends.base import Backend, Options, Outcome, Plan, Step

NAMES = ("vits", "xtts", "gptsovits", "f5tts")


def get(name: str) -> Backend:
    """The backend called ``name``.

    Raises:
        InputError: no such backend (the message lists the known ones).
    """
    if name == "vits":
        from voicekit.train.backends.vits import VitsBackend

        return VitsBackend()
    if name == "xtts":
        from voicekit.train.backends.xtts import XttsBackend

        return XttsBackend()
    if name == "gptsovits":
        from voicekit.train.backends.gptsovits import GptSovitsBackend

        return GptSovitsBackend()
    if name == "f5tts":
        from voicekit.train.backends.f5tts import F5Backend

        return F5Backend()
    raise InputError(f"unknown backend {name!r}", f"use one of: {', '.join(NAMES)}")


__all__ = ["NAMES", "Backend", "Options", "Outcome", "Plan", "Step", "get"]
