"""Mandarin reading of numbers, dates, times, currency, percent and units (cn2an based).

cn2an's own ``transform`` reads "10:30" and phone numbers badly, so each pattern is handled
here and cn2an only converts plain numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DIGITS = "零一二三四五六七八九"
_NUM = r"\d+(?:\.\d+)?"

# Units read after a number; longest first so "km/h" wins over "km" and "m".
_UNITS: tuple[tuple[str, str], ...] = (
    ("km/h", "公里每小时"), ("°C", "摄氏度"), ("℃", "摄氏度"), ("°F", "华氏度"), ("km", "公里"),
    ("kg", "千克"), ("cm", "厘米"), ("mm", "毫米"), ("ml", "毫升"), ("mg", "毫克"),
    ("m²", "平方米"), ("m", "米"), ("g", "克"), ("L", "升"), ("°", "度"),
)  # fmt: skip
_CURRENCY: dict[str, str] = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}


def cardinal(number: str) -> str:
    """Read "3.5" / "-12" / "1,000" as 三点五 / 负十二 / 一千."""
    import cn2an

    number = number.replace(",", "")
    if "." in number:  # cn2an reads "3.50" as 三点五零
        number = number.rstrip("0").rstrip(".")
    return str(cn2an.an2cn(number, "low"))


def digits(number: str) -> str:
    """Read digit by digit: years, phone numbers, ids (2025 -> 二零二五)."""
    return "".join(_DIGITS[int(d)] for d in number if d.isdigit())


def _hour(h: str) -> str:
    return "两" if int(h) == 2 else cardinal(h)


def _minute(m: str) -> str:
    return ("零" + cardinal(m)) if m.startswith("0") else cardinal(m)


def _time(m: re.Match[str]) -> str:
    h, mi, s = m.group(1), m.group(2), m.group(3)
    out = _hour(h) + "点"
    if int(mi) or s:
        out += _minute(mi) + "分"
    if s and int(s):
        out += _minute(s) + "秒"
    return out


def _date(m: re.Match[str]) -> str:
    y, mo, d = m.group(1), m.group(2), m.group(3)
    return f"{digits(y)}年{cardinal(mo)}月{cardinal(d)}日"


def _currency(m: re.Match[str]) -> str:
    return cardinal(m.group(2)) + _CURRENCY[m.group(1)]


def _unit(m: re.Match[str]) -> str:
    return cardinal(m.group(1)) + dict(_UNITS)[m.group(2)]


def _fraction(m: re.Match[str]) -> str:
    return cardinal(m.group(2)) + "分之" + cardinal(m.group(1))


def _sign(m: re.Match[str]) -> str:
    return "负" if m.group(1) else ""


def _plain(m: re.Match[str]) -> str:
    number = m.group(0).replace(",", "")
    if len(number) >= 11 or (len(number) >= 3 and number.startswith("0")):
        return digits(number)  # phone numbers and ids are read digit by digit
    return cardinal(number)


_UNIT_RE = "|".join(re.escape(u) for u, _ in _UNITS)
_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str], ...] = (
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), _date),
    (re.compile(r"(\d{4})\s?年"), lambda m: digits(m.group(1)) + "年"),
    (re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)"), _time),
    (re.compile(rf"(-?)({_NUM})%"), lambda m: _sign(m) + "百分之" + cardinal(m.group(2))),
    (re.compile(rf"(-?)({_NUM})‰"), lambda m: _sign(m) + "千分之" + cardinal(m.group(2))),
    (re.compile(r"([¥￥$€£])\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"), _currency),
    (re.compile(r"(?<![\d.])2(?=[个位条只本件次种台辆张把])"), "两"),
    (re.compile(r"(\d+)/(\d+)(?![\d/])"), _fraction),
    (re.compile(rf"({_NUM})\s?[-~～]\s?({_NUM})(?=\s?(?:{_UNIT_RE})?[^\d.])"),
     lambda m: f"{m.group(1)}到{m.group(2)}"),
    (re.compile(rf"(?<![A-Za-z0-9.])-(?={_NUM})"), "负"),
    (re.compile(rf"({_NUM})\s?({_UNIT_RE})(?![A-Za-z])"), _unit),
    (re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"), _plain),
)  # fmt: skip


def normalize_zh(text: str) -> str:
    """Spell out every number pattern of a Mandarin sentence in Chinese characters.

    Latin-attached numbers ("GPT-4", "iPhone 15") must already be handled by the caller.
    """
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text
