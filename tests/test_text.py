"""voicekit.text: normalisation, splitting, polyphones, mixed zh/en, inventory round trip."""

from __future__ import annotations

import re

import pytest

from voicekit.errors import InputError
from voicekit.text import INVENTORY, encode, normalize, split_sentences, to_symbols
from voicekit.text.split import script_runs
from voicekit.text.zh import pinyin

SENTENCES = [
    "今天天气很好，我们去公园散步吧。",
    "银行行长说他长大了，头发很长。",
    "这条河太长了，长江的长度是六千三百公里。",
    "会议定在2025年3月5日上午10:30举行。",
    "价格上涨了3.5%，现在是¥128.50一件。",
    "请拨打13800138000联系我们！",
    "我喜欢 Python 和 GPT-4 技术。",
    "他用iPhone 15拍了一段4K视频，大概3-5分钟。",
    "你知道吗？AI 已经改变了世界……",
    "温度降到了-3.5℃，风速20km/h。",
    "第1名获得了1/2的奖金，共1,234人参加。",
    "重庆的重要人物很重。",
    "“你好！”她笑着说（很小声）。",
    "嗯，我觉得还行吧。",
    "他从2:00等到10:05:09。",
    "这是一本关于数学、物理和化学的书；内容非常丰富：适合学生阅读。",
    "Ｐｙｔｈｏｎ３的占比是４５％。",
    "The meeting is at 10:30 a.m. on March 5th, 2025.",
    "Prices rose 3.5% to $3.50 per unit.",
    "In the 1990s, GPT-4 did not exist.",
    "Dr. Smith lives on the 21st floor.",
    "It costs $5, not $1.01 or €20.",
    "She ran 5 km in 23 minutes!",
    "Is it -3 degrees or 45 degrees?",
    "NASA and the FBI worked together in 1969.",
    "I've got 1,000,000 reasons; don't ask why.",
    "The 80s were great... weren't they?",
    "Call me at 9:00 pm, OK?",
    'He said: "hello world" (twice).',
    "Café owners in São Paulo are naïve.",
    "我们用 PyTorch 训练了 VITS 模型，效果不错。",
    "Hello, 世界！",
    "这个 API 的 latency 是 30ms 左右。",
    "他说 OK 然后走了。",
    "明天下午3点见。",
    "这件衣服打了8折，只要99元。",
    "一共有2个苹果和3个梨。",
    "2024-12-31是最后一天。",
    "长城很长，校长说要重新测量长度。",
    "The year 2000 was a leap year, and so was 2024.",
    "We need 2.5 kg of flour and 3 eggs.",
    "Version 3.11 of Python came out in October.",
    "Mr. and Mrs. Brown arrived at 7:05.",
    "What's the ROI on this 3rd project?",
    "A 4K TV costs about $499.99 these days.",
    "上海到北京大约1,200公里。",
    "他花了$300买了一台 Switch。",
    "百分之百的努力，100%的结果。",
    "Wow! That's amazing.",
    "这是最后一句话。",
]


def test_polyphone_overrides_fix_pypinyin_misreadings() -> None:
    assert pinyin("头发很长") == ("tou2", "fa4", "hen3", "chang2")
    assert pinyin("这条路太长了")[3:5] == ("tai4", "chang2")
    assert pinyin("长度") == ("chang2", "du4")
    assert pinyin("长江") == ("chang2", "jiang1")
    # jieba cuts 银行行长 so pypinyin reads xing2; the table restores hang2 hang2 zhang3.
    assert pinyin("银行行长") == ("yin2", "hang2", "hang2", "zhang3")
    assert pinyin("他长大了")[1:3] == ("zhang3", "da4")
    assert pinyin("他是校长")[2:] == ("xiao4", "zhang3")


def test_syllables_split_into_initial_and_toned_final() -> None:
    symbols = encode("知道四次").symbols
    assert symbols == ("zh:zh", "zh:ir1", "zh:d", "zh:ao4", "zh:s", "zh:iz4", "zh:c", "zh:iz4")
    assert encode("吗").symbols == ("zh:m", "zh:a5")  # neutral tone is 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年3月5日", "二零二五年三月五日"),
        ("在 2025 年", "在 二零二五年"),  # a year spaced off its 年, as in mixed-script text
        ("2025-03-05", "二零二五年三月五日"),
        ("3.5%", "百分之三点五"),
        ("10:30开会", "十点三十分开会"),
        ("10:05:09", "十点零五分零九秒"),
        ("2:00出发", "两点出发"),
        ("¥128.50", "一百二十八点五元"),
        ("电话13800138000", "电话一三八零零一三八零零零"),
        ("3-5天", "三到五天"),
        ("温度-3.5℃", "温度负三点五摄氏度"),
        ("1/2的人", "二分之一的人"),
        ("共1,234人", "共一千二百三十四人"),
        ("Ｐｙｔｈｏｎ很好，占比４５％", "Python 很好,占比百分之四十五"),
        ("“你好”，他说……（笑）", "你好,他说…笑,"),
        ("2个苹果和12个梨", "两个苹果和十二个梨"),
    ],
)
def test_normalize_mandarin(text: str, expected: str) -> None:
    assert normalize(text, "zh") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$3.50", "three dollars fifty cents"),
        ("$5, or $1.01", "five dollars, or one dollar one cent"),
        ("the 1990s", "the nineteen nineties"),
        ("the 80s", "the eighties"),
        ("the 21st floor", "the twenty-first floor"),
        ("GPT-4", "G P T four"),
        ("45% of 1,000,000", "forty-five percent of one million"),
        ("in 2024", "in twenty twenty-four"),
        ("at 10:30, 10:05 pm, 9:00", "at ten thirty, ten oh five P M, nine o'clock"),
        ("-3 and 3.14", "minus three and three point one four"),
        ("5 km", "five kilometers"),
        ("Dr. Smith", "doctor Smith"),
    ],
)
def test_normalize_english(text: str, expected: str) -> None:
    assert normalize(text, "en") == expected


def test_mixed_sentence_gets_mandarin_and_english_phones() -> None:
    [utt] = to_symbols("我喜欢 Python 和 GPT-4 技术。")
    runs = [r.kind for r in script_runs(utt.normalized)]
    assert runs == ["zh", "en", "zh", "en", "zh", "punct"]
    assert utt.symbols[:5] == ("zh:uo3", "zh:x", "zh:i3", "zh:h", "zh:uan1")
    english = [s for s in utt.symbols if s.startswith("en:")]
    assert "en:aɪ" in english and "en:θ" in english  # Python
    assert utt.symbols[-5:] == ("zh:j", "zh:i4", "zh:sh", "zh:u4", ".")
    assert utt.symbols.count("en:dʒ") >= 1  # the G of GPT, spelled


def test_every_symbol_of_varied_sentences_round_trips() -> None:
    utterances = to_symbols("\n".join(SENTENCES))
    assert len(utterances) >= len(SENTENCES)
    for utt in utterances:
        assert len(utt.codes) == len(utt.symbols)
        assert all(0xE000 <= ord(c) < 0xE000 + len(INVENTORY) for c in utt.codes)
        assert tuple(INVENTORY.decode(utt.codes)) == utt.symbols
        assert not re.search(r"\d", utt.normalized), utt.normalized
    assert len(INVENTORY.characters) == len(INVENTORY)


@pytest.mark.parametrize(
    ("text", "char"), [("你好😀世界", "😀"), ("这是𠀾字", "𠀾"), ("abc ☃ def", "☃")]
)
def test_unknown_characters_are_named(text: str, char: str) -> None:
    with pytest.raises(InputError) as info:
        to_symbols(text)
    assert repr(char) in str(info.value)
    assert f"U+{ord(char):04X}" in str(info.value)


def test_validate_names_unknown_symbols_and_codes() -> None:
    with pytest.raises(InputError, match=r"'zh:xx9' at position 1"):
        INVENTORY.validate(["zh:b", "zh:xx9"])
    with pytest.raises(InputError, match=r"U\+0041"):
        INVENTORY.validate_codes(INVENTORY.encode(["zh:b"]) + "A")


def test_sentence_split_chinese_respects_max_len_and_numbers() -> None:
    text = (
        "今天的会议讨论了很多问题，包括预算、人员和时间安排，大家一致认为项目需要在"
        "2025年3月5日之前完成，预算增加3.5%，总额达到1,234,567元，其中研发投入占"
        "百分之六十，市场推广占百分之二十五，剩下的用于日常运营和各种意想不到的开支"
        "以及一些非常非常长而且没有任何标点符号的内容需要被切开才行。"
    )
    pieces = split_sentences(text, max_len=24)
    assert "".join(pieces) == text
    for piece in pieces:
        assert len(piece) <= 24, piece
    for number in ("2025", "3.5%", "1,234,567"):
        assert any(number in p for p in pieces)


def test_sentence_split_english_respects_max_len_and_numbers() -> None:
    text = (
        "Mr. Smith paid $3.50 at 10:30 a.m. on Jan. 5. It was 1,000 times better! "
        "The committee reviewed the proposal carefully and then decided that the budget of "
        "3.14159 million dollars was far too small for a project of this size and ambition "
        "so they asked for more"
    )
    pieces = split_sentences(text, max_len=40)
    assert " ".join(pieces).split() == text.split()
    assert "It was 1,000 times better!" in pieces  # a short sentence stays whole
    for piece in pieces:
        assert len(piece) <= 40, piece
    for number in ("$3.50", "10:30", "1,000", "3.14159"):
        assert any(number in p for p in pieces)


def test_chinese_sentence_ends() -> None:
    assert split_sentences("你好。真的吗？太好了！好的……那走吧；再见") == [
        "你好。", "真的吗？", "太好了！", "好的……", "那走吧；", "再见",
    ]  # fmt: skip


def test_front_end_is_deterministic() -> None:
    first = [u.codes for u in to_symbols("\n".join(SENTENCES[:20]))]
    second = [u.codes for u in to_symbols("\n".join(SENTENCES[:20]))]
    assert first == second
    assert INVENTORY.fingerprint == "caee68452de8baf3"  # changing it breaks trained models


def test_gruut_fallback_phones_are_in_the_inventory() -> None:
    pytest.importorskip("gruut")
    from voicekit.text.en import _gruut

    english = [normalize(s, "en") for s in SENTENCES[17:30]]
    for sentence in english:
        words = _gruut(re.sub(r"[,.!?;:…]", " ", sentence))
        assert words, sentence
        INVENTORY.validate([p for word in words for p in word], context=sentence)
