"""The runner's caching, resume and --from/--to/--force semantics, with small real stages."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from voicekit import config
from voicekit.errors import ConfigError, InputError, StageError
from voicekit.manifest import Segment
from voicekit.pipeline.runner import Runner
from voicekit.pipeline.stage import Context, Item, Output, Stage
from voicekit.workspace import Workspace


class Source(Stage):
    """Emits one segment per source file, writing a copy of its text."""

    name = "ingest"

    def items(self, inputs: list[Segment], ctx: Context) -> list[Item]:
        return [Item(p.name, seconds=1.0, key={"text": p.read_text()}) for p in ctx.sources]

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        text = str(item.key["text"])
        if text == "broken":
            raise InputError(f"{item.id}: broken")
        out.path("copy.txt").write_text(text)
        return [Segment(item.id, item.id, 0.0, 1.0, out.rel("copy.txt"), text=text)]


class Upper(Stage):
    """Upper-cases text; `segment.max_s` stands in for an output-affecting knob."""

    name = "segment"
    calls: ClassVar[list[str]] = []

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        Upper.calls.append(item.id)
        if any(s.text == "explode" for s in item.inputs):
            raise RuntimeError("backend bug")
        suffix = "!" * int(self.config.segment.max_s)
        return [s.with_(text=(s.text or "").upper() + suffix) for s in item.inputs]


def _run(
    tmp_path: Path, overrides: tuple[str, ...] = (), **kw: object
) -> tuple[list[Segment], list]:
    conf = config.load(None, list(overrides))
    ctx = Context(Workspace(tmp_path / "ws"), conf, sources=sorted((tmp_path / "src").iterdir()))
    return Runner([Source(conf), Upper(conf)], ctx).run(**kw)  # type: ignore[arg-type]


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha")
    (folder / "b.txt").write_text("beta")
    return folder


def test_cache_hits_and_invalidation(tmp_path: Path, src: Path) -> None:
    Upper.calls = []
    out, reports = _run(tmp_path)
    assert [s.text for s in out] == ["ALPHA" + "!" * 15, "BETA" + "!" * 15]
    assert [r.computed for r in reports] == [2, 2]
    out2, reports = _run(tmp_path)
    assert out2 == out and [r.cached for r in reports] == [2, 2]
    # a knob of the later stage re-runs only that stage
    _, reports = _run(tmp_path, ("segment.max_s=3",))
    assert [r.cached for r in reports] == [2, 0]
    # a changed source re-runs only its own items downstream
    (src / "a.txt").write_text("gamma")
    Upper.calls = []
    out, reports = _run(tmp_path)
    assert [r.computed for r in reports] == [1, 1] and Upper.calls == ["a.txt"]
    assert out[0].text.startswith("GAMMA")


def test_from_to_force(tmp_path: Path, src: Path) -> None:
    _run(tmp_path)
    out, reports = _run(tmp_path, stop="ingest")
    assert len(reports) == 1 and out[0].text == "alpha"
    _, reports = _run(tmp_path, start="segment")
    assert [(r.cached, r.computed) for r in reports] == [(2, 0), (0, 2)]
    _, reports = _run(tmp_path, force=["ingest"])
    assert [(r.cached, r.computed) for r in reports] == [(0, 2), (2, 0)]
    with pytest.raises(ConfigError, match="unknown stage 'nope'"):
        _run(tmp_path, start="nope")


def test_bad_item_is_skipped_and_the_rest_finishes(tmp_path: Path, src: Path) -> None:
    (src / "c.txt").write_text("broken")
    out, reports = _run(tmp_path)
    assert [s.id for s in out] == ["a.txt", "b.txt"]
    assert reports[0].skipped == [("c.txt", "c.txt: broken")]
    assert not list((tmp_path / "ws/stages/ingest").glob("*.partial"))


def test_crash_publishes_nothing_half_done(tmp_path: Path, src: Path) -> None:
    (src / "b.txt").write_text("explode")
    with pytest.raises(StageError, match=r"segment failed on b\.txt: RuntimeError: backend bug"):
        _run(tmp_path)
    done = list((tmp_path / "ws/stages/segment").glob("*/done.json"))
    assert len(done) == 1  # a.txt finished and stays finished
    (src / "b.txt").write_text("beta")
    Upper.calls = []
    _, reports = _run(tmp_path)
    assert Upper.calls == ["b.txt"] and reports[1].cached == 1
