"""The ledger as purge reads it: the kind of every path, what is kept, what is refused.

The ledger is trusted only as far as it is safe: a workspace path must stay inside the root
(no absolute paths, no `..`, no folder that resolves outside), and a weights path must be an
absolute path that is not a filesystem root, the home or current folder, an ancestor of the
workspace or of a source. Anything else is refused (listed in the plan, never deleted).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from voicekit import atomic
from voicekit.purge.scan import ancestors
from voicekit.workspace import LEDGER, Workspace

UNLISTED = "unlisted"  # found by the scan, with no ledger-listed folder above it
GROUPS: dict[str, tuple[str, ...]] = {
    "data": ("ingest", "stage", "manifest", "dataset", "report", "log", "temp", UNLISTED),
    "models": ("checkpoint", "weights"),
    "outputs": ("sample", "narration"),
}
WHATS = ("all", *GROUPS)


def group_of(kind: str) -> str:
    """The --what group of a ledger kind (unknown kinds count as data, so they are purged)."""
    for group, kinds in GROUPS.items():
        if kind in kinds:
            return group
    return "data"


def selected(what: str, kind: str) -> bool:
    """Whether `--what what` purges paths of this kind (sources never)."""
    return kind != "source" and (what == "all" or group_of(kind) == what)


@dataclass(frozen=True)
class Refused:
    """A ledger entry purge will not act on, and why."""

    path: str
    reason: str


@dataclass
class LedgerIndex:
    """What the ledger says, checked.

    Attributes:
        root: the resolved workspace root.
        kinds: workspace-relative path -> kind, for every listed path inside the root.
        sources: workspace-relative paths of sources that sit inside the root (kept).
        weights: checked absolute weight paths outside the root.
        refused: entries that are unsafe to act on.
    """

    root: Path
    kinds: dict[str, str] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    weights: list[Path] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    def classify(self, rel: str) -> tuple[str, bool]:
        """(kind, listed) of a workspace path: its own entry, else its nearest listed folder."""
        if rel in self.kinds:
            return self.kinds[rel], True
        for folder in ancestors(rel):
            if folder in self.kinds:
                return self.kinds[folder], False
        return UNLISTED, False

    def is_source(self, rel: str) -> bool:
        """Whether a workspace path is a source or lies below one."""
        return rel in self.sources or any(a in self.sources for a in ancestors(rel))


def _inside(root: Path, path: Path) -> str | None:
    """Workspace-relative form of an absolute path whose folder resolves inside the root.

    The last component is not resolved: a symlink is judged by where it sits, not where it points.
    """
    real = Path(os.path.realpath(path.parent)) / path.name
    if real == root:
        return "."
    return real.relative_to(root).as_posix() if real.is_relative_to(root) else None


def _check_rel(root: Path, rel: str) -> str | None:
    """Why a workspace-relative ledger path is unsafe, or None when it stays inside the root."""
    path = Path(rel)
    if path.is_absolute():
        return "absolute path where a workspace path was expected"
    if ".." in path.parts:
        return "'..' in a workspace path"
    if rel in ("", "."):
        return "the workspace root itself"
    if _inside(root, root / path) is None:
        return "resolves outside the workspace (a folder on its way is a symlink)"
    return None


def _check_weights(path: Path, protected: list[Path]) -> str | None:
    """Why an absolute weights path is unsafe to delete, or None."""
    if not path.is_absolute():
        return "weights path is not absolute"
    if ".." in path.parts:
        return "'..' in a weights path"
    real = Path(os.path.realpath(path.parent)) / path.name
    if real == Path(real.anchor) or path.name == "":
        return "a filesystem root"
    for keep in protected:
        if keep == real or keep.is_relative_to(real):
            return f"contains or is {keep} (home, current folder, workspace or a source)"
    return None


def read_index(ws: Workspace) -> LedgerIndex:
    """Check every ledger entry of a workspace; a path listed as a source is always a source."""
    root = ws.root
    index = LedgerIndex(root)
    entries = list(ws.ledger())
    source_paths: list[Path] = []
    for entry in entries:
        if entry.kind != "source":
            continue
        path = Path(entry.path) if Path(entry.path).is_absolute() else root / entry.path
        source_paths.append(Path(os.path.abspath(path)))
        # A source may be reached through links: keep both where it sits and what it points to.
        for form in (path, Path(os.path.realpath(path))):
            rel = _inside(root, Path(os.path.abspath(form)))
            if rel is not None:
                index.sources.add(rel)
    protected = [Path.home().resolve(), Path.cwd().resolve(), root, *source_paths]
    seen_weights: set[Path] = set()
    for entry in entries:
        if entry.kind == "source":
            continue
        if entry.kind == "weights" and Path(entry.path).is_absolute():
            rel = _inside(root, Path(entry.path))
            if rel is None:
                reason = _check_weights(Path(entry.path), protected)
                if reason:
                    index.refused.append(Refused(entry.path, reason))
                elif Path(entry.path) not in seen_weights:
                    seen_weights.add(Path(entry.path))
                    index.weights.append(Path(entry.path))
                continue
            # Weights inside the workspace are workspace artefacts like any other.
            entry_rel: str = rel
        else:
            entry_rel = entry.path
        reason = _check_rel(root, entry_rel)
        if reason:
            index.refused.append(Refused(entry.path, reason))
        elif entry_rel not in index.sources:
            index.kinds[Path(entry_rel).as_posix()] = entry.kind  # the latest entry wins
    return index


def rewrite(index: LedgerIndex, what: str, include_weights: bool) -> None:
    """Rewrite the ledger without the entries a partial purge removed (atomic replace).

    An entry is dropped only when it belongs to the purged group and its path is gone, so a
    path whose deletion failed stays listed and a second purge still knows its kind.
    """
    path = index.root / LEDGER
    kept: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            kind, entry = str(data["kind"]), str(data["path"])
        except (ValueError, KeyError, TypeError):
            continue  # a torn line from a crash carries nothing purge could use
        if kind == "weights" and Path(entry).is_absolute():
            gone = include_weights and not os.path.lexists(entry)
        else:
            gone = not Path(entry).is_absolute() and not os.path.lexists(index.root / entry)
        if not (selected(what, kind) and gone):
            kept.append(line)
    atomic.write_text(path, "".join(f"{line}\n" for line in kept))
