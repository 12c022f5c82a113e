"""The text front end: normalise -> split -> phonemise each script run -> encode."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from voicekit.errors import InputError
from voicekit.text import en, zh
from voicekit.text.normalize import detect_language, normalize, to_halfwidth
from voicekit.text.split import Run, script_runs, split_sentences
from voicekit.text.symbols import INVENTORY, PUNCTUATION, WORD_BOUNDARY

_PAUSES = frozenset(PUNCTUATION)


@dataclass(frozen=True)
class Utterance:
    """One sentence ready for the model.

    Attributes:
        text: the sentence as written (for subtitles and reports).
        normalized: the spoken form the phones were made from.
        lang: "zh" or "en" (the language numbers were read in; runs may mix).
        symbols: symbol names, e.g. ("zh:n", "zh:i3", "zh:h", "zh:ao3", ".").
        codes: one private-use code point per symbol: the string handed to the model.
    """

    text: str
    normalized: str
    lang: str
    symbols: tuple[str, ...]
    codes: str

    @property
    def has_speech(self) -> bool:
        """False when the sentence holds only pause marks."""
        return any(s not in _PAUSES for s in self.symbols)


def to_symbols(text: str, lang: str = "auto", max_len: int = 80) -> list[Utterance]:
    """Turn any amount of text into encoded sentences.

    Args:
        text: Mandarin, English or mixed text.
        lang: "zh", "en" or "auto" (per sentence: zh when it has a Han character).
        max_len: longest sentence piece in characters of the written text.

    Returns:
        One Utterance per piece with speech in it, in order.

    Raises:
        InputError: naming every character that cannot be spoken (emoji, unreadable CJK).
    """
    pieces = split_sentences(to_halfwidth(text), max_len)
    return [u for u in encode_many(pieces, lang) if u.has_speech]


def encode(sentence: str, lang: str = "auto") -> Utterance:
    """Encode one sentence (no splitting); see ``to_symbols``."""
    return encode_many([sentence], lang)[0]


def encode_many(sentences: list[str], lang: str = "auto") -> list[Utterance]:
    """Encode sentences, phonemising all their English runs in one espeak batch."""
    if lang not in ("auto", "zh", "en"):
        raise InputError(f"language {lang!r} is not supported", "use 'zh', 'en' or 'auto'")
    langs = [detect_language(s) if lang == "auto" else lang for s in sentences]
    normalized = [normalize(s, lg) for s, lg in zip(sentences, langs, strict=True)]
    runs = [script_runs(n) for n in normalized]
    _check_unknown(sentences, normalized, runs)
    chunks = [r.text for rs in runs for r in rs if r.kind == "en"]
    english = iter(en.phonemize(chunks) if chunks else [])
    out = []
    for sentence, norm, lg, rs in zip(sentences, normalized, langs, runs, strict=True):
        symbols = _assemble(rs, english)
        codes = INVENTORY.encode(symbols, context=sentence)
        out.append(Utterance(sentence, norm, lg, tuple(symbols), codes))
    return out


def _assemble(runs: list[Run], english: Iterator[list[list[str]]]) -> list[str]:
    """Join run phones; a word boundary separates English words and a zh/en switch."""
    symbols: list[str] = []
    for run in runs:
        if run.kind == "punct":
            symbols.append(run.text)
            continue
        if symbols and symbols[-1] not in _PAUSES:
            symbols.append(WORD_BOUNDARY)
        symbols.extend(_phones(run, english))
    return symbols


def _phones(run: Run, english: Iterator[list[list[str]]]) -> list[str]:
    if run.kind == "zh":
        return [s for syl in zh.pinyin(run.text) if syl for s in zh.syllable_symbols(syl)]
    words = next(english)
    phones: list[str] = []
    for word in words:
        if phones:
            phones.append(WORD_BOUNDARY)
        phones.extend(word)
    return phones


def _check_unknown(sentences: list[str], normalized: list[str], runs: list[list[Run]]) -> None:
    """Raise one InputError listing every character that cannot be spoken, with positions."""
    problems: list[str] = []
    for index, (sentence, rs) in enumerate(zip(sentences, runs, strict=True)):
        bad: list[tuple[str, int]] = []
        for run in rs:
            if run.kind == "other":
                bad.append((run.text, run.start))
            elif run.kind == "zh":
                syllables = zh.pinyin(run.text)
                bad += [
                    (c, run.start + i)
                    for i, (c, s) in enumerate(zip(run.text, syllables, strict=True))
                    if not s
                ]
        for char, offset in bad:
            where = sentence.find(char)
            at = f"position {where}" if where >= 0 else f"offset {offset} of {normalized[index]!r}"
            problems.append(
                f"{char!r} (U+{ord(char):04X}) at {at} of sentence {index + 1} {sentence!r}"
            )
    if problems:
        raise InputError(
            f"{len(problems)} character(s) cannot be spoken: " + "; ".join(problems),
            "remove them or write them out in words",
        )
