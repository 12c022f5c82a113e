"""Training progress: one line at most every half minute with the step, the rate and the time
left (coqui's own log prints losses per epoch step, not where the whole run stands)."""

from __future__ import annotations

import time
from collections.abc import Callable

from voicekit.progress import EVERY_S, duration, log


class Pace:
    """Called after every step; logs `line` when ``every_s`` passed since the last one, and at
    the last step. The rate counts only this run's steps (a resumed run starts at ``first``)."""

    def __init__(
        self,
        first: int,
        last: int,
        deadline: float | None = None,
        every_s: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.first, self.last, self.deadline = first, last, deadline
        self.every_s, self.clock = every_s, clock
        self.started = self.shown = clock()

    def __call__(self, step: int, losses: dict[str, float]) -> None:
        now = self.clock()
        if now - self.shown < self.every_s and step < self.last:
            return
        self.shown = now
        log.info("%s", self.line(step, losses, now))

    def line(self, step: int, losses: dict[str, float], now: float) -> str:
        """"step 1200/100000 (1.2 %), 3.05 steps/s, mel loss 31.2, about 9 h 0 min left"."""
        done = step - self.first
        rate = done / (now - self.started) if now > self.started else 0.0
        text = f"step {step}/{self.last} ({100 * step / max(1, self.last):.1f} %)"
        if rate > 0:
            text += f", {rate:.2f} steps/s"
        if "loss_mel" in losses:
            text += f", mel loss {losses['loss_mel']:.1f}"
        left = (self.last - step) / rate if rate > 0 else None
        if self.deadline is not None:
            left = min(left, self.deadline - now) if left is not None else self.deadline - now
        if left is not None and step < self.last:
            text += f", about {duration(max(0.0, left))} left"
        return text

