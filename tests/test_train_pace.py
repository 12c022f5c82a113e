"""The training progress line: at most every half minute and at the end, with the rate of this
run's steps and the time left (the sooner of the step count and the --hours deadline)."""

from __future__ import annotations

import logging

import pytest
from conftest import Clock

from voicekit.train.pace import Pace


def test_lines_are_spaced_and_the_time_left_follows_the_rate(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    pace = Pace(first=500, last=10500, clock=clock)  # resumed at step 500, 10000 to go
    with caplog.at_level(logging.INFO, logger="voicekit.progress"):
        for step in range(501, 10501):
            clock.now += 0.5  # 2 steps/s
            pace(step, {"loss_mel": 20.0 + 10000 / step})
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 10000 * 0.5 // 30 + 1  # one per 30 s, and the last step
    assert lines[0] == "step 560/10500 (5.3 %), 2.00 steps/s, mel loss 37.9, about 1 h 23 min left"
    assert lines[-1] == "step 10500/10500 (100.0 %), 2.00 steps/s, mel loss 21.0"


def test_a_deadline_shortens_the_time_left() -> None:
    clock = Clock()
    pace = Pace(first=0, last=100000, deadline=clock.now + 3600, clock=clock)
    clock.now += 600
    line = pace.line(1200, {}, clock.now)
    assert line == "step 1200/100000 (1.2 %), 2.00 steps/s, about 50 min left"
