"""The loss budget puts each second of the target's truth speech in the first stage that held
it: kept, rejected by a filter, a target turn without a clip, an overlap region, another voice's
turn, or nothing."""

import json
from pathlib import Path

import pytest
from voices import RATE, hissy_line

from voicekit.eval.budget import format_budget, loss_budget
from voicekit.manifest import Segment


def seg(start: float, end: float, speaker: str = "target", role: str = "turn") -> Segment:
    return Segment(f"{role}-{start}", "film1-abcd1234", start, end - start, "x.wav",
                   speaker=speaker, custom={"role": role})


def test_every_second_of_the_target_lands_in_one_stage(tmp_path: Path) -> None:
    truth = {
        "film": "film1.mkv", "duration": 60.0, "target": "A",
        "turns": [
            {"speaker": "A", "start": 0.0, "end": 20.0, "text": "", "language": "en"},
            {"speaker": "B", "start": 18.0, "end": 22.0, "text": "", "language": "en"},
            {"speaker": "A", "start": 30.0, "end": 32.0, "text": "", "language": "en"},
        ],
    }
    path = tmp_path / "film1.truth.json"
    path.write_text(json.dumps(truth))
    identified = [
        seg(0.0, 10.0), seg(10.0, 15.0, "S2"), seg(15.0, 17.0),
        seg(17.0, 19.0, "", role="overlap"), seg(19.0, 22.0, "S1"),
    ]
    final = [
        seg(1.0, 5.0, role="clip"),
        seg(5.0, 8.0, role="clip").reject("snr", "music"),
        seg(19.0, 22.0, "S1"),
    ]
    budget = loss_budget([path], identified, final)
    assert budget["all"] == pytest.approx({
        "kept": 4.0, "rejected by snr": 3.0,
        "segment": 1.0 + 2.0 + 2.0,  # 0-1, 8-10 and 15-17: target turns left out of clips
        "overlap": 2.0, "other label": 5.0 + 1.0, "no turn": 2.0})
    # clean: the target's speech nobody else talks over (0-18 and 30-32)
    assert budget["clean"] == pytest.approx({
        "kept": 4.0, "rejected by snr": 3.0, "segment": 5.0, "overlap": 1.0,
        "other label": 5.0, "no turn": 2.0})
    assert sum(budget["all"].values()) == pytest.approx(22.0)
    table = format_budget(budget)
    assert "| rejected by snr | 3.0 | 0.136 |" in table


def test_breath_and_room_noise_in_a_turn_count_as_quiet_not_as_a_loss(tmp_path: Path) -> None:
    speech = hissy_line(tmp_path / "target.wav")
    end = 2.0 + len(speech) / RATE
    truth = {"film": "film1.mkv", "duration": 60.0, "target": "A",
             "turns": [{"speaker": "A", "start": 0.0, "end": end, "text": "", "language": "en"}],
             "stems": {"target": "target.wav"}}
    path = tmp_path / "film1.truth.json"
    path.write_text(json.dumps(truth))
    budget = loss_budget([path], [], [])["all"]
    # the second of hiss either side is quiet (less what the VAD's edges take, plus the
    # sentence's own pauses); the sentence is lost with no turn
    assert 1.4 < budget["quiet"] < 2.6
    assert budget["no turn"] > 0.8 * len(speech) / RATE
    assert budget["quiet"] + budget["no turn"] == pytest.approx(end)
