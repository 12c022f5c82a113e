"""Scoring normalisation, CER/WER and text similarity."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from voicekit.config import Config, ModelsConfig
from voicekit.eval.asr import (
    Recognizer,
    convert_script,
    error_rate,
    metric_name,
    normalise,
    similarity,
    to_simplified,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It's 2 O'Clock!", "it's two o'clock"),
        ("IT WAS GOOD FOR ME", "it was good for me"),
        ("The code is 0351.", "the code is zero three five one"),
        ("He paid 1,250 dollars", "he paid one thousand two hundred fifty dollars"),
        ("well -- \u2018quoted\u2019 ,  spaced", "well quoted spaced"),
    ],
)
def test_english_normalisation(text: str, expected: str) -> None:
    assert normalise(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("變溫溫度設為兩度。", "变温温度设为两度"),
        ("温度 设为 2 度，好吗？", "温度设为二度好吗"),
        ("打开ＷＩＦＩ", "打开wifi"),
    ],
)
def test_mandarin_normalisation(text: str, expected: str) -> None:
    assert normalise(text, "zh") == expected


def test_script_conversion_leaves_other_text_alone() -> None:
    assert to_simplified("這是測試") == "这是测试"
    assert to_simplified("plain text") == "plain text"
    assert convert_script("這是測試", "simplified") == "这是测试"
    assert convert_script("这是测试", "traditional") == "這是測試"
    assert convert_script("這是測試", "as-is") == "這是測試"


def test_wer_counts_word_edits_over_reference_words() -> None:
    refs = ["IT WAS GOOD FOR ME", "THE CAT SAT"]
    assert error_rate(refs, ["It was good for me.", "the cat sat"], "en") == 0.0
    # one substitution + one deletion over 8 reference words
    assert error_rate(refs, ["it was bad for me", "the cat"], "en") == pytest.approx(2 / 8)
    assert error_rate(["ZERO THREE"], ["03"], "en") == 0.0
    assert error_rate(["HELLO THERE"], [""], "en") == 1.0


def test_cer_counts_character_edits_and_ignores_script() -> None:
    assert error_rate(["变温温度设为两度"], ["變溫溫度設為兩度"], "zh") == 0.0
    assert error_rate(["变温温度设为两度"], ["变温温度设为两"], "zh") == pytest.approx(1 / 8)
    assert error_rate(["你好"], ["你好你好"], "zh") == pytest.approx(1.0)
    assert metric_name("zh") == "cer" and metric_name("en") == "wer"


def test_error_rate_refuses_bad_pairs() -> None:
    with pytest.raises(ValueError, match="hypotheses"):
        error_rate(["a"], [], "en")
    with pytest.raises(ValueError, match="non-empty reference"):
        error_rate(["..."], ["x"], "en")


def test_similarity_is_one_for_the_same_words_and_low_for_others() -> None:
    assert similarity("It is 2 o'clock.", "it is two o'clock", "en") == 1.0
    assert similarity("我們走吧", "我们走吧", "zh") == 1.0
    assert similarity("the quick brown fox", "a completely different line", "en") < 0.5
    partial = similarity("the quick brown fox jumps", "the quick brown fox", "en")
    assert 0.8 < partial < 1.0
    assert similarity("", "", "en") == 1.0
    assert similarity("something", "", "en") == 0.0


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_recognizer_scores_speech_against_its_text(tmp_path: Path) -> None:
    lines = ["Seven hundred people came to the meeting yesterday.",
             "Please open the window before you leave the house."]
    items = []
    for number, text in enumerate(lines):
        wav = tmp_path / f"{number}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), text], check=True)
        items.append((wav, text))
    recognizer = Recognizer("tiny.en", Config(models=ModelsConfig(dir=str(tmp_path / "m"))))
    try:
        result = recognizer.evaluate(items, "en")
        wrong = recognizer.evaluate([(items[0][0], lines[1])], "en")
        with pytest.raises(ValueError, match="auto"):
            recognizer.evaluate(items, "auto")
    finally:
        recognizer.close()
    assert result.metric == "wer" and result.items == 2 and len(result.hypotheses) == 2
    assert result.error <= 0.2  # measured 0.0
    assert wrong.error >= 0.6
    assert result.audio_s > 2 and result.rtf > 0
