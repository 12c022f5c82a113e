"""demucs weights, found offline: `separate.demucs.repo`, then `<models home>/demucs/`, then
`<models home>/<model>/`, then torch's hub cache (where demucs's own download puts them), with
the bag definitions demucs ships. They load through demucs's repository classes, as
`demucs.pretrained.get_model(name, repo=...)` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicekit.errors import ConfigError, DependencyError, ModelNotFoundError
from voicekit.hashing import file_sha256, key

if TYPE_CHECKING:
    from voicekit.config import Config
    from voicekit.stages.separate.config import DemucsConfig


@dataclass(frozen=True)
class Weights:
    """Where a demucs model is: the folder of bag `.yaml` files and the `.th` files it needs."""

    name: str
    bag_dir: Path
    weights_dir: Path
    files: tuple[Path, ...]


def _signatures(name: str, bag_dir: Path) -> list[str]:
    """Model signatures of `name`: the bag's list, or the name itself (a single model)."""
    import yaml

    bag = bag_dir / f"{name}.yaml"
    if not bag.is_file():
        return [name]
    return [str(sig) for sig in yaml.safe_load(bag.read_text(encoding="utf-8"))["models"]]


def _find_in(name: str, bag_dir: Path, weights_dir: Path) -> Weights | None:
    """The model in these folders, when every `.th` it needs is there."""
    if not weights_dir.is_dir() or not bag_dir.is_dir():
        return None
    files: list[Path] = []
    for sig in _signatures(name, bag_dir):
        # demucs names files `<sig>.th` or `<sig>-<sha256 prefix>.th`
        match = sorted(weights_dir.glob(f"{sig}.th")) + sorted(weights_dir.glob(f"{sig}-*.th"))
        if not match:
            return None
        files.append(match[0])
    bag = bag_dir / f"{name}.yaml"
    return Weights(name, bag_dir, weights_dir, tuple(([bag] if bag.is_file() else []) + files))


def _candidates(cfg: DemucsConfig, config: Config | None) -> list[tuple[Path, Path]]:
    """(bag folder, weights folder) pairs in resolution order."""
    import demucs
    import torch

    from voicekit.models import store

    pairs: list[tuple[Path, Path]] = []
    if cfg.repo:
        repo = Path(cfg.repo).expanduser()
        return [(repo, repo)]
    home = store.home(config)
    pairs += [(home / "demucs", home / "demucs"), (home / cfg.model, home / cfg.model)]
    remote = Path(demucs.__file__).parent / "remote"
    pairs.append((remote, Path(torch.hub.get_dir()) / "checkpoints"))
    return pairs


def find_weights(cfg: DemucsConfig, config: Config | None) -> Weights:
    """The demucs model `cfg.model`, found without the network.

    Raises:
        ModelNotFoundError: no candidate folder holds it (names where voicekit looked).
    """
    pairs = _candidates(cfg, config)
    for bag_dir, weights_dir in pairs:
        found = _find_in(cfg.model, bag_dir, weights_dir)
        if found is not None:
            return found
    looked = [str(w) if b == w else f"{w} (bags from {b})" for b, w in pairs]
    raise ModelNotFoundError(
        cfg.model, looked,
        f"voicekit models fetch {cfg.model} (needs internet), or put {cfg.model}.yaml and its "
        f".th files in a folder and run voicekit models import {cfg.model} FOLDER (or set "
        f"separate.demucs.repo to it)",
    )


_SHA: dict[tuple[str, int, int], str] = {}


def weights_fingerprint(cfg: DemucsConfig, config: Config | None) -> dict[str, str]:
    """Model name and a checksum over its files: a different model invalidates the cache.

    Each file is hashed once per process (the runner asks for every item)."""
    weights = find_weights(cfg, config)
    sums = []
    for path in weights.files:
        stat = path.stat()
        memo = (str(path), stat.st_size, stat.st_mtime_ns)
        if memo not in _SHA:
            _SHA[memo] = file_sha256(path)
        sums.append(_SHA[memo])
    return {"model": cfg.model, "sha256": key(sums)}


def load_model(weights: Weights) -> Any:
    """The demucs model (a BagOfModels or a single model), in eval mode on the CPU.

    Raises:
        DependencyError: a weights file does not match the hash in its name (a damaged copy).
    """
    from demucs.repo import AnyModelRepo, BagOnlyRepo, LocalRepo, ModelLoadingError

    models = LocalRepo(weights.weights_dir)
    try:
        model = AnyModelRepo(models, BagOnlyRepo(weights.bag_dir, models)).get_model(weights.name)
    except ModelLoadingError as err:  # demucs checks each file against its name's hash prefix
        raise DependencyError(f"demucs model {weights.name} is damaged: {err}",
                              f"delete {weights.weights_dir} and run voicekit models fetch "
                              f"{weights.name} again") from err
    if "vocals" not in model.sources:
        raise ConfigError(f"demucs model {weights.name} has no vocals stem ({model.sources})",
                          "choose an htdemucs model")
    return model.eval()
