"""voicekit's text front end, shared by ``train`` and ``speak``.

``to_symbols(text)`` normalises numbers and punctuation (cn2an for Mandarin, num2words for
English), splits sentences, phonemises Han runs with jieba + pypinyin (initials and toned
finals) and Latin runs with espeak-ng (gruut as fallback), and encodes every phone as one
private-use code point of ``INVENTORY``, the vocabulary to give a character-level TTS model.
"""

from voicekit.text.frontend import Utterance, encode, encode_many, to_symbols
from voicekit.text.normalize import normalize
from voicekit.text.split import split_sentences
from voicekit.text.symbols import INVENTORY, Inventory

__all__ = [
    "INVENTORY",
    "Inventory",
    "Utterance",
    "encode",
    "encode_many",
    "normalize",
    "split_sentences",
    "to_symbols",
]
