"""Reading a narration script: encoding checks, paragraphs, numbered lines, inline pauses.

Every non-blank line is a take, numbered by its line number in the file (what an editor shows),
so ``--only 12`` re-generates line 12. A blank line ends a paragraph. ``[pause 1.5s]`` anywhere
in a line inserts that much silence. Markdown heading marks (``#``) and quote marks (``>``) at
the start of a line are not spoken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from voicekit.errors import InputError

_PAUSE = re.compile(r"\[\s*pause\s+(\d+(?:\.\d+)?)\s*(ms|s)?\s*\]", re.IGNORECASE)
_MARKUP = re.compile(r"^\s*(?:#{1,6}|>)\s+")
MAX_PAUSE_S = 60.0


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Line:
    """One take: ``parts`` are text runs and explicit pauses, in order."""

    number: int  # 1-based line number in the file
    paragraph: int  # 0-based paragraph index
    parts: tuple[str | Pause, ...]


def read_script(path: Path, encoding: str | None = None) -> list[Line]:
    """Read and parse a script file.

    Args:
        path: the script.
        encoding: decode with this codec (e.g. "gbk") instead of requiring UTF-8.

    Raises:
        InputError: missing file, not UTF-8 (GBK and UTF-16 are named with the fix), an unknown
            ``--encoding``, a bad pause, or nothing to speak.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such script file")
    lines = parse(decode(path.read_bytes(), path, encoding))
    if not lines:
        raise InputError(f"{path}: the script has nothing to speak", "write some text in it")
    return lines


def decode(raw: bytes, path: Path, encoding: str | None = None) -> str:
    """The text of a script; UTF-8 (with or without BOM) unless ``encoding`` is given."""
    if encoding is not None:
        try:
            return raw.decode(encoding).lstrip("\ufeff")
        except LookupError:
            raise InputError(
                f"--encoding {encoding!r}: unknown encoding", "try gbk or utf-16"
            ) from None
        except UnicodeDecodeError as err:
            raise InputError(f"{path}: not valid {encoding} at byte {err.start}") from None
    found = _utf16(raw)
    if found is None:
        try:
            return raw.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError as err:
            found = _guess(raw)
            if found is None:
                raise InputError(
                    f"{path}: not UTF-8 text (bad byte at offset {err.start})",
                    "save it as UTF-8, or pass its encoding with --encoding",
                ) from None
    raise InputError(
        f"{path}: the script is {found}-encoded; voicekit reads UTF-8",
        f"convert it (`iconv -f {found} -t UTF-8 {path.name} > {path.stem}.utf8{path.suffix}`) "
        f"or pass --encoding {found.lower()}",
    )


def _utf16(raw: bytes) -> str | None:
    """'UTF-16' for a UTF-16 BOM, or for ASCII-range text with every other byte zero."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = raw[:4096]
    if len(sample) >= 4 and (
        sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4
    ):
        return "UTF-16"
    return None


def _guess(raw: bytes) -> str | None:
    """'GBK' when the bytes decode as GBK (GB18030 superset) and hold Han characters."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "GBK" if any("\u4e00" <= c <= "\u9fff" for c in text) else None


def parse(text: str) -> list[Line]:
    """Lines with speech or pauses, numbered by file line, grouped into paragraphs."""
    lines: list[Line] = []
    paragraph, blank = 0, False
    for number, raw in enumerate(text.splitlines(), 1):
        content = _MARKUP.sub("", raw).strip()
        if not content:
            blank = True
            continue
        if blank and lines:
            paragraph += 1
        blank = False
        lines.append(Line(number, paragraph, _parts(content, number)))
    return lines


def _parts(content: str, number: int) -> tuple[str | Pause, ...]:
    parts: list[str | Pause] = []
    start = 0
    for m in _PAUSE.finditer(content):
        if content[start : m.start()].strip():
            parts.append(content[start : m.start()].strip())
        seconds = float(m.group(1)) / (1000 if (m.group(2) or "s").lower() == "ms" else 1)
        if seconds > MAX_PAUSE_S:
            raise InputError(
                f"line {number}: {m.group(0)} is longer than {MAX_PAUSE_S:g} s",
                "split the narration into several files",
            )
        parts.append(Pause(seconds))
        start = m.end()
    if content[start:].strip():
        parts.append(content[start:].strip())
    leftover = re.search(
        r"\[\s*pause[^\]]*\]", "".join(p for p in parts if isinstance(p, str)), re.I
    )
    if leftover:
        raise InputError(
            f"line {number}: cannot read {leftover.group(0)!r}", "write pauses as [pause 1.5s]"
        )
    return tuple(parts)
