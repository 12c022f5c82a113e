import json
from pathlib import Path

import numpy as np
import pytest

from voicekit.eval.extraction import evaluate, format_table
from voicekit.eval.metrics import extraction_scores, intersect, si_sdr, subtract, total, union
from voicekit.manifest import Segment


def test_interval_algebra():
    assert union([(3, 4), (0, 1), (0.5, 2)]) == [(0.0, 2.0), (3.0, 4.0)]
    assert total([(0, 1), (0.5, 2)]) == pytest.approx(2.0)
    assert intersect([(0, 2), (3, 5)], [(1, 4)]) == [(1.0, 2.0), (3.0, 4.0)]
    assert subtract([(0, 10)], [(2, 3), (5, 6)]) == [(0.0, 2.0), (3.0, 5.0), (6.0, 10.0)]


def test_extraction_scores_by_time():
    target = [(0, 10)]
    others = [(8, 14)]
    # kept: 6 s of clean target, 2 s of target overlapped by another voice, 2 s of silence
    s = extraction_scores([(2, 10), (20, 22)], target, others)
    assert s["precision"] == pytest.approx(0.8)
    assert s["recall"] == pytest.approx(0.8)
    assert s["recall_clean"] == pytest.approx(6 / 8)
    assert s["other_share"] == pytest.approx(0.2)
    assert s["nonspeech_share"] == pytest.approx(0.2)
    empty = extraction_scores([], target, others)
    assert empty["precision"] == 0.0 and empty["recall"] == 0.0


def test_si_sdr_is_scale_invariant_and_tracks_noise():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(16000)
    noise = rng.standard_normal(16000)
    assert si_sdr(3 * ref, ref) > 100
    value = si_sdr(ref + 0.1 * noise, ref)
    assert value == pytest.approx(20.0, abs=0.5)
    assert si_sdr(ref + noise, ref) < value


def test_evaluate_reads_truth_and_matches_films(tmp_path: Path):
    truth = {
        "film": "film1.mkv", "duration": 60.0, "target": "A",
        "turns": [
            {"speaker": "A", "start": 1.0, "end": 5.0, "text": "", "language": "en"},
            {"speaker": "B", "start": 5.0, "end": 9.0, "text": "", "language": "en"},
        ],
        "overlaps": [], "refs": {}, "stems": {},
    }
    path = tmp_path / "film1.truth.json"
    path.write_text(json.dumps(truth))
    segs = [
        Segment("a", "film1-abcd1234", 1.0, 4.0, "x.wav", speaker="target",
                custom={"source": "/films/film1.mkv"}),
        Segment("b", "film1-abcd1234", 5.0, 2.0, "x.wav", speaker="target"),
        Segment("c", "film1-abcd1234", 7.0, 2.0, "x.wav", speaker="S1"),
    ]
    result = evaluate([path], segs)
    film = result["films"]["film1.mkv"]
    assert film["precision"] == pytest.approx(4 / 6)
    assert film["recall"] == pytest.approx(1.0)
    assert film["other_share"] == pytest.approx(2 / 6)
    assert result["overall"]["kept_s"] == pytest.approx(6.0)
    # clips, when present, replace turns as what was kept
    clip = Segment("d", "film1-abcd1234", 2.0, 1.0, "x.wav", speaker="target",
                   custom={"role": "clip"})
    assert evaluate([path], [*segs, clip])["overall"]["kept_s"] == pytest.approx(1.0)
    assert "film1.mkv" in format_table(result)


def test_lag_finds_a_codec_delay() -> None:
    import numpy as np

    from voicekit.eval.extraction import lag

    rng = np.random.default_rng(0)
    reference = rng.standard_normal(24000)
    delayed = np.r_[np.zeros(512), reference[:-512]]
    assert lag(delayed, reference, 2400) == 512
    assert lag(reference, delayed, 2400) == -512
