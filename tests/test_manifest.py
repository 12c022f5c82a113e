from __future__ import annotations

from pathlib import Path

import pytest

from voicekit import manifest
from voicekit.errors import InputError
from voicekit.manifest import Segment, Word


def _seg(i: int) -> Segment:
    return Segment(
        f"r_{i}",
        "r",
        float(i),
        1.5,
        "stages/x/a.wav",
        speaker="S0",
        text="你好 world",
        language="zh",
        words=(Word("你好", i, i + 0.5, 0.9),),
        scores={"snr_db": 20.0},
    )


def test_roundtrip(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    segs = [_seg(i).reject("clipping", "clipped", 0.2) if i == 1 else _seg(i) for i in range(3)]
    manifest.write(path, segs)
    assert manifest.read(path) == segs
    assert not manifest.read(path)[1].kept


def test_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    text = manifest.dumps([_seg(0), _seg(1)])
    path.write_text(text + text.splitlines()[0][:20], encoding="utf-8")
    assert [s.id for s in manifest.read(path)] == ["r_0", "r_1"]


def test_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(manifest.dumps([_seg(0)]) + "{not json}\n" + manifest.dumps([_seg(1)]))
    with pytest.raises(InputError, match=r"m.jsonl:2"):
        manifest.read(path)


def test_second_rejection_is_kept_aside() -> None:
    seg = _seg(0).reject("overlap", "overlaps").reject("snr", "noisy", 3.0)
    assert seg.rejected is not None and seg.rejected.filter == "overlap"
    assert seg.custom["also_rejected"][0]["filter"] == "snr"
