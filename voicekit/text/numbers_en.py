"""English reading of numbers, currency, ordinals, decades, times and acronyms (num2words)."""

from __future__ import annotations

import re
from collections.abc import Callable

_CURRENCY: dict[str, tuple[str, str]] = {
    "$": ("dollar", "cent"), "€": ("euro", "cent"), "£": ("pound", "penny"),
    "¥": ("yuan", "fen"), "￥": ("yuan", "fen"),
}  # fmt: skip
_UNITS: dict[str, str] = {
    "km": "kilometer", "kg": "kilogram", "cm": "centimeter", "mm": "millimeter",
    "mi": "mile", "lb": "pound", "ft": "foot", "ml": "milliliter", "GB": "gigabyte",
    "MB": "megabyte", "°C": "degree Celsius", "°F": "degree Fahrenheit",
}  # fmt: skip
_ABBREVIATIONS: dict[str, str] = {
    "Mr.": "mister", "Mrs.": "missus", "Ms.": "miz", "Dr.": "doctor", "Prof.": "professor",
    "St.": "saint", "vs.": "versus", "etc.": "et cetera", "e.g.": "for example",
    "i.e.": "that is", "&": " and ",
}  # fmt: skip
# Acronyms that are read as words; any other all-caps word of 2-5 letters is spelled.
_WORD_ACRONYMS = frozenset(
    {
        "NASA",
        "NATO",
        "UNESCO",
        "UNICEF",
        "LASER",
        "RADAR",
        "SCUBA",
        "COVID",
        "OPEC",
        "FIFA",
        "IKEA",
        "OK",
    }
)
# espeak reads a lone capital "A" as the article (ɐ); "eigh" gives the letter name.
_LETTER = {"A": "eigh"}


def _n2w(number: str, to: str = "cardinal") -> str:
    from num2words import num2words

    value: float | int = float(number) if "." in number else int(number)
    return str(num2words(value, lang="en", to=to)).replace(",", "")


def _plural(word: str, n: int) -> str:
    if n == 1:
        return word
    if word == "penny":
        return "pence"
    if word == "foot":
        return "feet"
    head, _, tail = word.partition(" ")  # "degree Celsius" -> "degrees Celsius"
    return f"{head}s {tail}".strip()


def _currency(m: re.Match[str]) -> str:
    # num2words(5, to="currency") reads an int as cents ("zero dollars, five cents"): do it here.
    major, minor = _CURRENCY[m.group(1)]
    whole, _, frac = m.group(2).replace(",", "").partition(".")
    scale = m.group(3)
    if scale:
        return f"{_n2w(m.group(2).replace(',', ''))} {scale} {_plural(major, 2)}"
    out = f"{_n2w(whole)} {_plural(major, int(whole))}"
    cents = int((frac + "00")[:2]) if frac else 0
    if cents:
        out += f" {_n2w(str(cents))} {_plural(minor, cents)}"
    return out


def _decade(digits: str) -> str:
    words = _n2w(digits, "year") if len(digits) == 4 else _n2w(digits)
    if words.endswith("y"):
        return words[:-1] + "ies"
    return words + ("es" if words.endswith("x") else "s")


def _time(m: re.Match[str]) -> str:
    h, mi, suffix = m.group(1), m.group(2), m.group(3)
    out = _n2w(h)
    if int(mi) == 0:
        out += "" if suffix else " o'clock"
    elif mi.startswith("0"):
        out += " oh " + _n2w(mi)
    else:
        out += " " + _n2w(mi)
    if suffix:
        out += " " + spell(suffix.replace(".", "").upper())
    return out


def _year_or_number(m: re.Match[str]) -> str:
    number = m.group(0).replace(",", "")
    if "," not in m.group(0) and "." not in number and 1100 <= int(number) <= 2099:
        return _n2w(number, "year")
    return _n2w(number)


def spell(word: str) -> str:
    """Spell a word letter by letter: "GPT" -> "G P T"."""
    return " ".join(_LETTER.get(c, c) for c in word)


def _acronym(m: re.Match[str]) -> str:
    word = m.group(0)
    return word if word in _WORD_ACRONYMS else spell(word)


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str], ...] = (
    *((re.compile(re.escape(k) + r"(?=\s|$)" if k.endswith(".") else re.escape(k)), v)
      for k, v in _ABBREVIATIONS.items()),
    (re.compile(rf"([$€£¥￥])\s?({_NUM})(?:\s?(million|billion|thousand))?"), _currency),
    (re.compile(rf"({_NUM})\s?%"), lambda m: _n2w(m.group(1).replace(",", "")) + " percent"),
    (re.compile(r"\b(\d{1,2}):(\d{2})\s?([ap]\.?m\.?)?(?!\d)", re.I), _time),
    (re.compile(r"'?\b(\d|\d{3})0s\b"), lambda m: _decade(m.group(1) + "0")),
    (re.compile(r"\b(\d+)(?:st|nd|rd|th)\b"), lambda m: _n2w(m.group(1), "ordinal")),
    (re.compile(rf"({_NUM})\s?({'|'.join(map(re.escape, _UNITS))})(?![A-Za-z])"),
     lambda m: f"{_n2w(m.group(1).replace(',', ''))} "
               f"{_plural(_UNITS[m.group(2)], 1 if m.group(1) == '1' else 2)}"),
    (re.compile(r"(?<=[A-Za-z])-?(?=\d)|(?<=\d)(?=[A-Za-z])"), " "),
    (re.compile(r"(?<![A-Za-z0-9.])-(?=\d)"), "minus "),
    (re.compile(r"\b[A-Z]{2,5}\b"), _acronym),
    (re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"), _year_or_number),
)  # fmt: skip


def normalize_en(text: str) -> str:
    """Spell out numbers, currency, ordinals, decades, times, units and acronyms in English."""
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return re.sub(r"\s{2,}", " ", text).strip()
