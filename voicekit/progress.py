"""Progress is reported in seconds of audio through a hook; the CLI renders it (a bar per
stage on a terminal, `ProgressLines` in a log file)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("voicekit.progress")  # shown without --verbose

EVERY_S = 30.0


class ProgressHook(Protocol):
    """Called as a stage goes: for each item the cache gave (``cached``), once when the stage
    starts computing, as its items go (``completed_s`` of ``total_s`` seconds of audio, the
    whole stage), and after each item."""

    def __call__(
        self, stage: str, item: str, completed_s: float, total_s: float, cached: bool = False
    ) -> None: ...


def silent(stage: str, item: str, completed_s: float, total_s: float, cached: bool = False) -> None:
    """A hook that ignores progress (library default)."""


@dataclass
class _Stage:
    started: float
    shown: float
    first_s: float  # audio already done (cached) when the stage started computing
    total_s: float
    cached: int = 0
    done: bool = False


class ProgressLines:
    """Progress as log lines, for runs whose output goes to a file: a stage's place at most
    every ``every_s`` seconds, and a line when it is done."""

    def __init__(
        self, every_s: float = EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every_s, self.clock = every_s, clock
        self.stages: dict[str, _Stage] = {}

    def __call__(
        self, stage: str, item: str, completed_s: float, total_s: float, cached: bool = False
    ) -> None:
        now = self.clock()
        state = self.stages.get(stage)
        if state is None or state.total_s != total_s or (state.done and completed_s < total_s):
            # the stage's first call, or that of its next run (one pipeline run per scene)
            state = self.stages[stage] = _Stage(now, now, completed_s, total_s)
            if not cached:  # the stage starts computing
                return
        elif cached:
            state.first_s = completed_s
        state.cached += cached
        if state.done:
            return
        elapsed = now - state.started
        if completed_s >= total_s * (1 - 1e-9):
            state.done = True
            note = f" ({state.cached} {_items(state.cached)} cached)" if state.cached else ""
            log.info("%s: %s of audio done in %s%s", stage, duration(total_s, precise=True),
                     duration(elapsed, precise=True), note)  # fmt: skip
        elif now - state.shown >= self.every_s:
            state.shown = now
            line = f"{stage}: {completed_s:.0f}/{total_s:.0f} s of audio ({item})"
            computed = completed_s - state.first_s
            if computed > 0:
                left = elapsed / computed * (total_s - completed_s)
                line += f", about {duration(left, precise=True)} left"
            log.info("%s", line)


def _items(count: int) -> str:
    return "item" if count == 1 else "items"


def duration(seconds: float, precise: bool = False) -> str:
    """"12 min", "2 h 5 min"; with ``precise``, under an hour to the second ("1 min 30 s")."""
    if precise and seconds < 3599.5:
        minutes, rest = divmod(round(seconds), 60)
        if minutes and rest:
            return f"{minutes} min {rest} s"
        return f"{minutes} min" if minutes else f"{rest} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"
