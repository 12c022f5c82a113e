"""The exported dataset as coqui samples: every text encoded with voicekit's front end.

coqui's character tokenizer silently drops characters outside its vocabulary, so each clip's
text is encoded into inventory code points here and checked before any training starts; a
problem names the clip.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from voicekit.errors import InputError
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")

METADATA = {"train": "metadata.csv", "val": "metadata_val.csv"}
DATA_DIR = "train/data"


@dataclass(frozen=True)
class Clip:
    """One clip ready for coqui: ``codes`` is the inventory code-point string."""

    id: str  # "target/<clip id>" as in metadata.csv
    wav: Path
    lang: str
    text: str
    codes: str
    seconds: float

    def sample(self) -> dict[str, str]:
        """The dict coqui's TTSDataset reads."""
        return {
            "text": self.codes,
            "audio_file": str(self.wav),
            "speaker_name": "target",
            "root_path": str(self.wav.parent),
            "language": "",
            "audio_unique_name": self.id,
        }


@dataclass(frozen=True)
class Dataset:
    train: list[Clip]
    val: list[Clip]
    sample_rate: int
    heldout: list[Path] = field(default_factory=list)  # never trained on (the export's split)

    @property
    def minutes(self) -> float:
        return sum(c.seconds for c in self.train) / 60

    @property
    def longest(self) -> float:
        """Seconds of the longest training clip (batches are padded to it)."""
        return max((c.seconds for c in self.train), default=0.0)

    @property
    def references(self) -> list[Path]:
        """Real clips of the target to score synthesized audio against: the held-out split,
        else the validation clips."""
        return self.heldout or [c.wav for c in self.val]


def load(ws: Workspace) -> Dataset:
    """Read ``dataset/metadata*.csv``, encode and check every text, write ``train/data/``.

    Raises:
        InputError: no dataset, a clip without text or wav, a text the front end cannot
            encode (naming the clip), or clips with different sample rates.
    """
    import soundfile as sf

    root = ws.path("dataset")
    if not (root / METADATA["train"]).is_file():
        raise InputError(
            f"no exported dataset in {root} (metadata.csv missing)",
            "run `voicekit dataset` on this workspace first",
        )
    langs = _languages(root / "manifest.jsonl")
    splits: dict[str, list[Clip]] = {}
    rates: dict[int, str] = {}
    for split, name in METADATA.items():
        rows = _rows(root / name) if (root / name).is_file() else []
        codes = _encode(rows, langs)
        clips = []
        for (clip_id, text), code in zip(rows, codes, strict=True):
            wav = root / "wavs" / f"{clip_id}.wav"
            if not wav.is_file():
                raise InputError(f"clip {clip_id}: {wav} is missing", "export the dataset again")
            info = sf.info(str(wav))
            rates.setdefault(info.samplerate, clip_id)
            clips.append(Clip(clip_id, wav, langs.get(clip_id, "auto"), text, code, info.duration))
        splits[split] = clips
    if len(rates) > 1:
        shown = ", ".join(f"{rate} Hz ({clip})" for rate, clip in rates.items())
        raise InputError(f"clips have different sample rates: {shown}", "export the dataset again")
    if not splits["train"]:
        raise InputError(f"{root / METADATA['train']} lists no clip", "export more clips")
    data = Dataset(
        splits["train"], splits["val"], next(iter(rates)), heldout(root / "manifest.jsonl")
    )
    _write(ws, data)
    return data


def _languages(manifest: Path) -> dict[str, str]:
    """Clip id ("target/<name>") -> language from the export's manifest, where known."""
    if not manifest.is_file():
        return {}
    langs = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        audio = str(record.get("audio") or "")
        if record.get("language") in ("zh", "en") and audio.startswith("wavs/"):
            langs[audio.removeprefix("wavs/").removesuffix(".wav")] = record["language"]
    return langs


def heldout(manifest: Path) -> list[Path]:
    """The wavs of the export's held-out split (records with ``split: heldout``)."""
    if not manifest.is_file():
        return []
    out = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        wav = manifest.parent / str(record.get("audio") or "")
        if record.get("split") == "heldout" and wav.is_file():
            out.append(wav)
    return out


def _rows(path: Path) -> list[tuple[str, str]]:
    """(clip id, spoken text) per line; the third column is the normalised text."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split("|")
        text = (cols[2] if len(cols) > 2 else cols[-1]).strip() if len(cols) > 1 else ""
        if not text:
            raise InputError(
                f"{path.name} line {number} ({cols[0]}): the clip has no text",
                "transcribe it or drop it from the dataset",
            )
        rows.append((cols[0], text))
    return rows


def _encode(rows: list[tuple[str, str]], langs: dict[str, str]) -> list[str]:
    """Code-point strings per row, one batch per language; errors name the clip."""
    from voicekit.text import INVENTORY, encode_many

    out: dict[int, str] = {}
    for lang in ("zh", "en", "auto"):
        picked = [i for i, (cid, _) in enumerate(rows) if langs.get(cid, "auto") == lang]
        if not picked:
            continue
        try:
            utterances = encode_many([rows[i][1] for i in picked], lang)
        except InputError:
            _raise_per_clip([rows[i] for i in picked], lang)
            raise
        out.update(zip(picked, (u.codes for u in utterances), strict=True))
    codes = [out[i] for i in range(len(rows))]
    for (clip_id, text), code in zip(rows, codes, strict=True):
        INVENTORY.validate_codes(code, context=f"clip {clip_id}")
        if not code.strip(_pause_codes()):
            raise InputError(f"clip {clip_id}: {text!r} has nothing to speak", "fix its text")
    return codes


def _raise_per_clip(rows: list[tuple[str, str]], lang: str) -> None:
    """Encode clip by clip to name the first one the front end refuses."""
    from voicekit.text import encode

    for clip_id, text in rows:
        try:
            encode(text, lang)
        except InputError as err:
            raise InputError(f"clip {clip_id}: {err.message}", err.fix) from err


def _pause_codes() -> str:
    from voicekit.text import INVENTORY
    from voicekit.text.symbols import PUNCTUATION

    return INVENTORY.encode(list(PUNCTUATION))


def _write(ws: Workspace, data: Dataset) -> None:
    """coqui-readable LJSpeech-style lists of the code-point texts (for inspection/reuse)."""
    for split, clips in (("train", data.train), ("val", data.val)):
        path = ws.record(f"{DATA_DIR}/{METADATA[split]}", "temp")
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [f"{c.id}|{c.text}|{c.codes}\n" for c in clips]
        path.write_text("".join(rows), encoding="utf-8")
