"""Transcript clean-up for training lists: one punctuation style, one width, one script.

Text stays as spoken (no rewording). What changes: full-width letters and digits become
half-width, Chinese sentences get Chinese (full-width) punctuation and no stray spaces,
English gets ASCII punctuation, and traditional characters become simplified on request.
`spoken_form` additionally spells numbers out (LJSpeech's `normalized_text` column).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from typing import Any

log = logging.getLogger("voicekit")

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
# ASCII punctuation -> Chinese punctuation (only where it is not part of a number like 1,000)
_ZH_PUNCT = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）"}
_ZH_PUNCT_RE = re.compile(r"(?<!\d)([,:;])|([,:;])(?!\d)|([?!()])")
_ZH_STOP_RE = re.compile(r"(?<!\d)\.|\.(?!\d)")
# Chinese punctuation -> ASCII for non-Chinese text; the space keeps "a，b" from becoming "a,b"
_TO_ASCII = str.maketrans(
    {"。": ". ", "、": ", ", "，": ", ", "？": "? ", "！": "! ", "：": ": ", "；": "; "}
)
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+(?=[,.?!;:])")
_WIDE = f"{CJK}\\u3000-\\u303f\\uff00-\\uffef"  # ideographs and CJK/full-width punctuation
_ZH_SPACE_RE = re.compile(f"(?<=[{_WIDE}])\\s+|\\s+(?=[{_WIDE}])")
_ELLIPSIS_RE = re.compile(r"\.{3,}|。{2,}")


def is_chinese(text: str, language: str | None) -> bool:
    """Chinese by the transcriber's language, or by content when the language is unknown."""
    if language:
        return language.lower().startswith("zh")
    return bool(_CJK_CHAR.search(text))


def _fold_width(text: str) -> str:
    """Full-width ASCII letters, digits and the ideographic space become half-width."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


@functools.cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalise_text(text: str, language: str | None, zh_script: str = "simplified") -> str:
    """The transcript with consistent punctuation, width and (optionally) script.

    Args:
        text: the transcript as recognised.
        language: ISO 639-1 code of the clip, or None.
        zh_script: "simplified" converts traditional characters; "keep" leaves them.
    """
    text = field_safe(_fold_width(text))
    if not text:
        return ""
    if is_chinese(text, language):
        if zh_script == "simplified":
            text = _t2s().convert(text)
        text = _ELLIPSIS_RE.sub("…", text)
        text = _ZH_PUNCT_RE.sub(lambda m: _ZH_PUNCT[m.group(0)], text)
        text = _ZH_STOP_RE.sub("。", text)
        text = _ZH_SPACE_RE.sub("", text)
    else:
        text = unicodedata.normalize("NFKC", text.translate(_TO_ASCII))
        text = _SPACE_BEFORE_PUNCT_RE.sub("", " ".join(text.split()))
    return text


def spoken_form(text: str, language: str | None) -> str:
    """`text` with numbers written out as words, as LJSpeech's normalized column expects."""
    if not re.search(r"\d", text):
        return text
    try:
        if is_chinese(text, language):
            import cn2an

            # cn2an reads "1,000" as two numbers
            plain = re.sub(r"(?<=\d),(?=\d{3})", "", text)
            return str(cn2an.transform(plain, "an2cn"))
        if (language or "en").startswith("en"):
            from num2words import num2words

            return re.sub(r"\d+(?:\.\d+)?", lambda m: str(num2words(float(m.group(0))
                          if "." in m.group(0) else int(m.group(0)))), text)
    except ImportError as err:
        log.debug("numbers left as digits (%s)", err)
    return text


def field_safe(text: str) -> str:
    """Text safe inside a `|`-separated line read by both `str.split` and the csv module.

    A `|` or line break would shift columns; an ASCII double quote at a field start makes the
    csv module swallow delimiters. None of them is spoken.
    """
    text = re.sub(r"[|\r\n\t]+", " ", text).replace('"', "")
    return " ".join(text.split())


def chars_per_second(text: str | None, duration: float) -> float | None:
    """Spoken characters (letters, digits, ideographs) per second, for speaking-rate checks."""
    if not text or duration <= 0:
        return None
    return sum(1 for ch in text if ch.isalnum()) / duration
