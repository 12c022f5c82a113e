"""One symbol inventory for Mandarin and English, each symbol mapped to one code point.

coqui's character tokenizer (``use_phonemes=False``, ``text_cleaner="no_cleaners"``) sees one
token per character and silently drops characters outside its vocabulary. So every phone
symbol, however many letters its name has ("zh:iang3", "en:aɪ"), is mapped to one code point
of the Unicode private-use area, and every sequence is validated before it leaves voicekit.

The order of ``_ALL`` fixes the code points, which trained models depend on: only append.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from voicekit.errors import InputError

# Pause and boundary symbols shared by both languages (after punctuation normalisation).
PUNCTUATION: tuple[str, ...] = (",", ".", "!", "?", ";", ":", "…", " ")
WORD_BOUNDARY = " "

ZH_INITIALS: tuple[str, ...] = (
    "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h",
    "j", "q", "x", "zh", "ch", "sh", "r", "z", "c", "s",
)  # fmt: skip
# pypinyin strict finals; "i" after zh/ch/sh/r and after z/c/s are different vowels, so voicekit
# names them "ir" and "iz"; m/n/ng/hm/hng are syllabic interjections (嗯 n2, 呣 m2).
ZH_FINALS: tuple[str, ...] = (
    "a", "ai", "an", "ang", "ao", "e", "ei", "en", "eng", "er", "i", "ia", "ian", "iang",
    "iao", "ie", "in", "ing", "iong", "iou", "o", "ong", "ou", "u", "ua", "uai", "uan",
    "uang", "uei", "uen", "ueng", "uo", "v", "van", "ve", "vn", "ê", "ir", "iz",
    "m", "n", "ng", "hm", "hng",
)  # fmt: skip
ZH_TONES: tuple[str, ...] = ("1", "2", "3", "4", "5")

# Phones seen from Debian espeak-ng 1.51 en-us over the 124k-word gruut lexicon, plus the
# gruut-lang-en phones (tie bars removed) so the gruut fallback shares the inventory.
EN_PHONES: tuple[str, ...] = (
    "aɪ", "aɪə", "aɪɚ", "aʊ", "b", "d", "dʒ", "eɪ", "f", "h", "i", "iə", "iː", "iːː", "j",
    "k", "l", "m", "n", "nʲ", "n̩", "o", "oʊ", "oː", "oːɹ", "p", "r", "s", "t", "tʃ", "uː",
    "v", "w", "x", "z", "æ", "ð", "ŋ", "ɐ", "ɑː", "ɑːɹ", "ɑ̃", "ɔ", "ɔɪ", "ɔː", "ɔːɹ", "ɔ̃",
    "ə", "əl", "ɚ", "ɛ", "ɛɹ", "ɜː", "ɡ", "ɡʲ", "ɪ", "ɪɹ", "ɬ", "ɹ", "ɾ", "ʃ", "ʊ", "ʊɹ",
    "ʌ", "ʒ", "ʔ", "θ", "ᵻ", "u", "ɑ", "ç",
)  # fmt: skip
EN_STRESS: tuple[str, ...] = ("ˈ", "ˌ")

_ALL: tuple[str, ...] = (
    PUNCTUATION
    + tuple(f"zh:{i}" for i in ZH_INITIALS)
    + tuple(f"zh:{f}{t}" for f in ZH_FINALS for t in ZH_TONES)
    + tuple(f"en:{p}" for p in EN_PHONES)
    + tuple(f"en:{s}" for s in EN_STRESS)
)

_PUA_START = 0xE000


@dataclass(frozen=True)
class Inventory:
    """An ordered symbol set; symbol i is the code point U+E000 + i."""

    symbols: tuple[str, ...]
    _to_char: dict[str, str] = field(init=False, repr=False, compare=False)
    _to_symbol: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(set(self.symbols)) != len(self.symbols):
            raise ValueError("inventory symbols must be unique")
        to_char = {s: chr(_PUA_START + i) for i, s in enumerate(self.symbols)}
        object.__setattr__(self, "_to_char", to_char)
        object.__setattr__(self, "_to_symbol", {c: s for s, c in to_char.items()})

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._to_char

    @property
    def characters(self) -> str:
        """All code points in order: the ``characters`` of a coqui ``CharactersConfig``."""
        return "".join(self._to_char[s] for s in self.symbols)

    @property
    def fingerprint(self) -> str:
        """A short hash of the ordered symbols; store it with a model to detect a mismatch."""
        return hashlib.sha256("\n".join(self.symbols).encode()).hexdigest()[:16]

    def validate(self, symbols: Sequence[str], context: str = "") -> None:
        """Raise InputError naming every unknown symbol and its positions.

        Args:
            symbols: symbol names, e.g. ``["zh:n", "zh:i3", "en:ˈ"]``.
            context: the text they came from, quoted in the message.
        """
        where: dict[str, list[int]] = {}
        for i, s in enumerate(symbols):
            if s not in self._to_char:
                where.setdefault(s, []).append(i)
        if where:
            raise InputError(
                _describe("unknown phone symbol", where, context),
                "the text front end produced a symbol outside voicekit's inventory",
            )

    def encode(self, symbols: Sequence[str], context: str = "") -> str:
        """Symbols -> a string with one code point per symbol (validated first)."""
        self.validate(symbols, context)
        return "".join(self._to_char[s] for s in symbols)

    def decode(self, codes: str) -> list[str]:
        """Code points -> symbol names; raises InputError on a code point outside the set."""
        self.validate_codes(codes)
        return [self._to_symbol[c] for c in codes]

    def validate_codes(self, codes: str, context: str = "") -> None:
        """Raise InputError if any character of ``codes`` is not an inventory code point.

        This is the check to run on every training and synthesis string handed to coqui.
        """
        where: dict[str, list[int]] = {}
        for i, c in enumerate(codes):
            if c not in self._to_symbol:
                where.setdefault(c, []).append(i)
        if where:
            raise InputError(
                _describe("character outside the symbol inventory", where, context),
                "encode text with voicekit.text.to_symbols and the same inventory",
            )


def _describe(what: str, where: dict[str, list[int]], context: str) -> str:
    parts = [
        f"{s!r} (U+{ord(s):04X}) at {_positions(p)}" if len(s) == 1 else f"{s!r} at {_positions(p)}"
        for s, p in where.items()
    ]
    tail = f" in {context!r}" if context else ""
    return f"{len(where)} {what}(s){tail}: " + "; ".join(parts)


def _positions(positions: Iterable[int]) -> str:
    shown = list(positions)
    text = ", ".join(str(p) for p in shown[:5])
    return f"position {text}" + (f" (+{len(shown) - 5} more)" if len(shown) > 5 else "")


INVENTORY = Inventory(_ALL)
