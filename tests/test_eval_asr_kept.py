"""ASR error of kept clips vs. the same model on truth turns: turn selection, word restriction,
corpus error, and the recogniser on the truth-cut audio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from voices import RATE, SENTENCES, hissy_line, speak, write

from voicekit.config import Config, ModelsConfig
from voicekit.eval.asr_kept import kept_error, scored_turns, truth_error, words_inside
from voicekit.manifest import Reject, Segment, Word


def truth_file(folder: Path, turns: list[tuple[str, float, float, str]], lang: str = "en",
               film: str = "f.mkv", target_stem: str | None = None) -> Path:
    path = folder / (Path(film).stem + ".truth.json")
    data: dict[str, Any] = {
        "film": film, "duration": 30.0, "target": "T", "language": lang,
        "turns": [{"speaker": s, "start": a, "end": b, "text": x, "language": lang}
                  for s, a, b, x in turns],
    }
    if target_stem is not None:
        data["stems"] = {"target": target_stem}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def clip(start: float, end: float, words: list[tuple[str, float, float]] | None,
         film: str = "f.mkv", rejected: bool = False) -> Segment:
    return Segment(
        id=f"f_{start}", recording_id="f-abc", start=start, duration=end - start,
        audio="stem.wav", speaker="target",
        text=None if words is None else " ".join(w for w, _, _ in words),
        words=tuple(Word(w, a, b) for w, a, b in words or ()),
        rejected=Reject("x", "test") if rejected else None,
        custom={"role": "clip", "source": f"/any/{film}"},
    )


ENGLISH_TURNS = [
    ("T", 0.0, 4.0, "THE CAT SAT ON THE MAT"),   # covered by two clips
    ("T", 5.0, 8.0, "HELLO THERE"),              # covered, but O overlaps it
    ("O", 7.5, 9.0, "SOMEONE ELSE"),
    ("T", 10.0, 14.0, "GOOD MORNING"),           # 85 % covered
    ("T", 15.0, 17.0, "ONE TWO THREE"),          # one clip, a word outside the turn
    ("T", 18.0, 20.0, "NOT KEPT"),               # only a rejected clip
    ("T", 21.0, 23.0, "NO TEXT"),                # clip without any text source
]
ENGLISH_CLIPS = [
    clip(0.0, 2.5, [("the", 0.1, 0.4), ("cat", 0.5, 0.9), ("sat", 1.0, 1.4),
                    ("on", 2.3, 2.7)]),                         # midpoint 2.5: inside
    clip(2.4, 4.2, [(" the", 2.8, 3.0), (" hat", 3.1, 3.6), ("extra", 4.0, 4.2)]),
    clip(5.0, 8.0, [("hello", 5.1, 5.5), ("there", 5.6, 6.0)]),
    clip(10.0, 13.4, [("good", 10.1, 10.5), ("morning", 10.6, 11.2)]),
    clip(14.8, 17.1, [("bye", 14.8, 15.1), ("one", 15.1, 15.4), ("three", 16.0, 16.5)]),
    clip(18.0, 20.0, [("not", 18.1, 18.5), ("kept", 18.6, 19.0)], rejected=True),
    clip(21.0, 23.0, None),
]


def test_turns_are_covered_unoverlapped_and_restricted_by_word_midpoint(tmp_path: Path) -> None:
    truth = truth_file(tmp_path, ENGLISH_TURNS)
    turns = scored_turns([truth], ENGLISH_CLIPS)
    assert [(t.start, t.hypothesis) for t in turns] == [
        (0.0, "the cat sat on the hat"), (15.0, "one three")]
    assert all(t.language == "en" and t.audio == "stem.wav" for t in turns)
    # 1 substitution (mat -> hat) + 1 deletion (two) over 6 + 3 reference words
    assert kept_error(turns, "en") == pytest.approx(2 / 9)
    looser = scored_turns([truth], ENGLISH_CLIPS, min_cover=0.8)
    assert [t.start for t in looser] == [0.0, 10.0, 15.0]
    assert kept_error(looser, "en") == pytest.approx(2 / 11)


def test_mandarin_words_join_without_spaces_and_score_per_character(tmp_path: Path) -> None:
    truth = truth_file(tmp_path, [("T", 1.0, 3.0, "你好世界"), ("O", 4.0, 5.0, "HI")],
                       lang="zh", film="g.mkv")
    clips = [clip(0.9, 3.1, [("你", 1.0, 1.3), ("好", 1.3, 1.6), ("时", 1.8, 2.2),
                             ("界", 2.3, 2.8)], film="g.mkv")]
    assert words_inside(clips, 1.0, 3.0, "zh") == "你好时界"
    turns = scored_turns([truth], clips)
    assert [t.hypothesis for t in turns] == ["你好时界"]
    assert kept_error(turns, "zh") == pytest.approx(1 / 4)


def test_truth_error_transcribes_the_stem_cut_at_truth_boundaries(tmp_path: Path) -> None:
    from voicekit.eval.asr import Recognizer

    first, second = speak(SENTENCES[0], "slt"), speak(SENTENCES[1], "rms")
    gap = np.zeros(RATE // 2, np.float32)
    write(tmp_path / "stem.wav", np.concatenate([gap, first, gap, second, gap]))
    start = 0.5
    end = start + len(first) / RATE
    later = end + 0.5
    truth = truth_file(tmp_path, [("T", start, end, SENTENCES[0].upper().rstrip(".")),
                                  ("T", later, later + len(second) / RATE, SENTENCES[0])])
    clips = [clip(0.4, later + len(second) / RATE + 0.1, [])]
    turns = scored_turns([truth], clips)
    assert len(turns) == 2
    recognizer = Recognizer("tiny.en", Config(models=ModelsConfig(dir=str(tmp_path / "m"))))
    try:
        right = truth_error(turns[:1], "en", recognizer, lambda rel: tmp_path / rel)
        # the second turn's audio says another sentence than its (deliberately wrong) text
        wrong = truth_error(turns[1:], "en", recognizer, lambda rel: tmp_path / rel)
    finally:
        recognizer.close()
    assert right <= 0.2
    assert wrong >= 0.5
    assert kept_error(turns, "en") == 1.0  # the clip has no words: all deletions


def test_coverage_counts_the_turns_speech_not_its_noisy_edges(tmp_path: Path) -> None:
    # a turn that holds 1 s of hiss (breath, room noise) either side of its sentence
    speech = hissy_line(tmp_path / "target.wav")
    end = 2.0 + len(speech) / RATE
    turns = [("T", 0.0, end, SENTENCES[2])]
    words = [("w", 1.2, end - 1.2)]
    clips = [clip(0.95, end - 0.95, words)]  # all the sentence, none of the hiss
    with_stem = truth_file(tmp_path, turns, target_stem="target.wav")
    assert [t.start for t in scored_turns([with_stem], clips)] == [0.0]
    # the turn's time alone: the clip covers well under 90 % of it
    (tmp_path / "plain").mkdir()
    assert scored_turns([truth_file(tmp_path / "plain", turns)], clips) == []
    # a clip that misses the sentence's second half does not qualify either way
    half = [clip(0.95, 1.0 + len(speech) / RATE / 2, words)]
    assert scored_turns([with_stem], half) == []
