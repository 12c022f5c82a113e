"""Progress in a log file: a stage's place at most every half minute with the time left, and
one line when it is done (with the items taken from the cache)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import Clock, make_media, tone

from voicekit import config
from voicekit.cli.common import ProgressView
from voicekit.pipeline.runner import Runner
from voicekit.pipeline.stage import Context
from voicekit.progress import ProgressLines
from voicekit.stages.ingest import IngestStage
from voicekit.workspace import Workspace


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


def test_a_stage_reporting_only_at_its_end_is_timed_from_its_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    hook = ProgressLines(clock=clock)
    with caplog.at_level(logging.INFO, logger="voicekit.progress"):
        hook("diarize", "film", 0.0, 5400.0)  # the runner: the stage starts
        clock.now += 95.0
        hook("diarize", "film", 5400.0, 5400.0)
        hook("diarize", "scene2", 0.0, 120.0)  # the next run of the pipeline, on another film
        clock.now += 5.0
        hook("diarize", "scene2", 120.0, 120.0)
    assert [r.getMessage() for r in caplog.records] == [
        "diarize: 1 h 30 min of audio done in 1 min 35 s",
        "diarize: 2 min of audio done in 5 s",
    ]


def test_the_runner_says_when_a_stage_starts_computing(tmp_path: Path) -> None:
    films = [tmp_path / f"film{i}.flac" for i in range(2)]
    for i, film in enumerate(films):
        make_media(film, [tone(3 + i, 16000, seed=i)], 16000)
    conf = config.load(None, ["ingest.sample_rate=16000"])
    ws = Workspace(tmp_path / "ws")
    calls: list[tuple[float, float, bool]] = []

    def record(stage: str, item: str, done: float, total: float, cached: bool = False) -> None:
        calls.append((round(done, 3), round(total, 3), cached))

    Runner([IngestStage(conf)], Context(ws, conf, sources=films[:1], progress=record)).run()
    assert calls[0] == (0.0, 3.0, False) and calls[-1] == (3.0, 3.0, False)
    calls.clear()
    Runner([IngestStage(conf)], Context(ws, conf, sources=films, progress=record)).run()
    # the first film from the cache, then the start of the second one's computing
    assert calls[:2] == [(3.0, 7.0, True), (3.0, 7.0, False)] and calls[-1] == (7.0, 7.0, False)


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
