"""Text normalisation: character width, punctuation, and numbers per language.

The result contains only Han characters, Latin words, whitespace and the canonical pause marks
of ``symbols.PUNCTUATION``; anything else is left in place for the front end to report.
"""

from __future__ import annotations

import re

from voicekit.text.numbers_en import normalize_en
from voicekit.text.numbers_zh import normalize_zh

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RE = re.compile(f"[{HAN}]")
LATIN = r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"

# Full-width and ideographic punctuation -> the canonical pause marks.
_PUNCT_MAP = str.maketrans({
    "。": ".", "．": ".", "｡": ".", "，": ",", "、": ",", "､": ",", "！": "!", "？": "?",
    "；": ";", "：": ":", "⋯": "…", "—": ",", "–": ",", "～": ",", "~": ",",
    "(": ",", ")": ",", "（": ",", "）": ",", "[": ",", "]": ",", "【": ",", "】": ",",
    "《": "", "》": "", "〈": "", "〉": "", "「": "", "」": "", "『": "", "』": "",
    "“": "", "”": "", "‘": "'", "’": "'", '"': "", "·": " ", "・": " ",
})  # fmt: skip
# Latin words with numbers attached inside a Mandarin sentence are read in English.
# A run of marks ("……（", "?!", ",.") becomes its strongest one.
_STRENGTH = ",:;….!?"
_MARK_RUN = re.compile(r"[,.!?;:…](?:\s*[,.!?;:…])+")
_LATIN_NUMBER = re.compile(rf"[{LATIN}]+(?:-?\d+(?:\.\d+)*[{LATIN}]*)+")
_LATIN_RUN = re.compile(rf"[{LATIN}][{LATIN}'.\- ]*")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ｐｙｔｈｏｎ３, ％) -> ASCII; ideographic space -> space."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and ch not in "，！？；：（）～．":
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def canonical_punctuation(text: str) -> str:
    """Map every pause mark to one of , . ! ? ; : … and collapse repeats ("!!!" -> "!")."""
    text = re.sub(r"\.{3,}|…+", "…", text).translate(_PUNCT_MAP)
    text = re.sub(r"-{2,}|(?<=\s)-(?=\s)|^-|-$", ",", text)  # a free-standing dash is a pause
    text = _MARK_RUN.sub(lambda m: max(m.group(0).replace(" ", ""), key=_STRENGTH.index), text)
    text = re.sub(r"\s+([,.!?;:…])", r"\1", text)
    text = re.sub(r"^[,\s]+", "", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def detect_language(text: str) -> str:
    """'zh' if the text has any Han character, else 'en'."""
    return "zh" if HAN_RE.search(text) else "en"


def normalize(text: str, lang: str = "auto") -> str:
    """Normalise one sentence for phonemisation.

    Args:
        text: one sentence (see ``split.split_sentences``).
        lang: "zh", "en" or "auto"; chooses how digits are read.

    Returns:
        Text whose numbers are spelled out and whose punctuation is canonical.
    """
    text = to_halfwidth(text)
    if (detect_language(text) if lang == "auto" else lang) == "zh":
        text = _LATIN_NUMBER.sub(lambda m: " " + normalize_en(m.group(0)) + " ", text)
        text = normalize_zh(text)
        text = _LATIN_RUN.sub(lambda m: normalize_en(m.group(0)) + " ", text)
    else:
        text = normalize_en(text)
    return canonical_punctuation(text)
