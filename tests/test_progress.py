"""Progress in a log file: a stage's place at most every half minute with the time left, and
one line when it is done (with the items taken from the cache)."""

from __future__ import annotations

import logging

import pytest

from voicekit.cli.common import ProgressView
from voicekit.progress import ProgressLines


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _propagating(monkeypatch: pytest.MonkeyPatch) -> None:
    """voicekit's log records reach caplog (the CLI's logging setup stops them at 'voicekit')."""
    monkeypatch.setattr(logging.getLogger("voicekit"), "propagate", True)


def test_a_line_every_half_minute_with_the_time_left_and_one_when_done(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    hook = ProgressLines(clock=clock)
    with caplog.at_level(logging.INFO, logger="voicekit.progress"):
        hook("separate", "a", 600.0, 2400.0, cached=True)  # the first film from the cache
        for item, start in (("b", 600.0), ("c", 1500.0)):  # two films of 900 s to compute
            for second in range(10, 910, 10):
                clock.now += 1.0  # 10 s of audio a second
                hook("separate", item, start + second, 2400.0)
        hook("separate", "c", 2400.0, 2400.0)  # the runner's call after the item: no repeat
    got = [r.getMessage() for r in caplog.records]
    assert len(got) == 180 // 30  # at 30, 60, ... 150 s, and done at 180 s
    assert got[0] == "separate: 900/2400 s of audio (b), about 2 min 30 s left"
    assert got[3] == "separate: 1800/2400 s of audio (c), about 1 min left"
    assert got[-1] == "separate: 40 min of audio done in 3 min (1 item cached)"


def test_a_cached_stage_is_one_line_and_terminals_get_bars(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(view: ProgressView) -> list[str]:
        caplog.clear()
        with view:
            for i, done in enumerate((30.0, 75.0, 90.0)):
                view("ingest", f"film{i}", done, 90.0, cached=True)
        return [r.getMessage() for r in caplog.records]

    with caplog.at_level(logging.INFO, logger="voicekit.progress"):
        monkeypatch.delenv("VOICEKIT_PROGRESS", raising=False)  # stderr: not a terminal
        done = "ingest: 1 min 30 s of audio done in 0 s (3 items cached)"
        assert run(ProgressView()) == [done]
        monkeypatch.setenv("VOICEKIT_PROGRESS", "0")
        assert run(ProgressView()) == []
        monkeypatch.setenv("VOICEKIT_PROGRESS", "1")  # bars, as on a terminal
        assert run(ProgressView()) == []
