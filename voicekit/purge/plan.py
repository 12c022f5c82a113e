"""The deletion plan: every path purge will remove, by kind, from the ledger plus a scan.

The scan finds everything inside the workspace (so files a crash left unrecorded are purged
too); the ledger says what kind each path is, which paths are sources (kept) and which weights
outside the workspace voicekit fetched. The plan is data: the CLI shows it, the executor follows
it, and its canonical JSON is hashed into the receipt.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from voicekit.errors import InputError
from voicekit.purge.ledger import WHATS, LedgerIndex, Refused, group_of, read_index, selected
from voicekit.purge.scan import DIR, FILE, MOUNT, UNREADABLE, ancestors, scan
from voicekit.workspace import LEDGER, LOCKS, MARKER, Workspace

WORKSPACE_FILES = (MARKER, LEDGER, *LOCKS)  # removed last, and only when everything else is gone


@dataclass(frozen=True)
class Entry:
    """One path to delete.

    Attributes:
        path: relative to `base`, '/'-separated.
        kind: ledger kind (of the path or its nearest listed folder), or "unlisted".
        group: the --what group of the kind.
        type: file, link, dir or other (see voicekit.purge.scan).
        size: bytes (files only).
        listed: whether the path itself is in the ledger.
        shared: a file with other hard links: removing this name does not remove the data.
        base: "" for the workspace root, else the absolute folder holding listed weights.
    """

    path: str
    kind: str
    group: str
    type: str
    size: int = 0
    listed: bool = False
    shared: bool = False
    base: str = ""

    def display(self) -> str:
        return f"{self.base}/{self.path}" if self.base else self.path


@dataclass
class Plan:
    """What `purge` will do. `files` are unlinked, then `dirs` removed deepest first."""

    root: Path
    what: str
    include_weights: bool
    files: list[Entry] = field(default_factory=list)
    dirs: list[Entry] = field(default_factory=list)
    kept_sources: int = 0
    kept_other: int = 0
    weights_not_included: int = 0
    refused: list[Refused] = field(default_factory=list)
    index: LedgerIndex | None = None
    keep_dirs: set[str] = field(default_factory=set)  # folders that hold kept paths ("" = root)

    def keep(self, rel: str, *, itself: bool = False) -> None:
        """Mark the folders above `rel` (and `rel` itself, a folder) as staying."""
        self.keep_dirs.update(("", *ancestors(rel), *((rel,) if itself else ())))

    def totals(self) -> dict[str, tuple[int, int]]:
        """kind -> (files, bytes) of the files to delete, kinds in first-seen order."""
        out: dict[str, tuple[int, int]] = {}
        for entry in self.files:
            files, size = out.get(entry.kind, (0, 0))
            out[entry.kind] = (files + 1, size + entry.size)
        return out

    def to_dict(self) -> dict[str, object]:
        """Canonical content (sorted, no times), the input of `sha256`."""
        return {
            "version": 1,
            "workspace": str(self.root),
            "what": self.what,
            "include_weights": self.include_weights,
            "files": [asdict(e) for e in sorted(self.files, key=lambda e: (e.base, e.path))],
            "dirs": [asdict(e) for e in sorted(self.dirs, key=lambda e: (e.base, e.path))],
            "kept": {"sources": self.kept_sources, "other_groups": self.kept_other,
                     "weights_not_included": self.weights_not_included},
            "refused": [asdict(r) for r in self.refused],
        }

    def sha256(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_plan(root: Path | str, what: str = "all", include_weights: bool = False) -> Plan:
    """Plan a purge of the workspace at `root`.

    Raises:
        WorkspaceError: `root` has no workspace marker (it is not a voicekit workspace).
        InputError: `what` is not one of all, data, models, outputs.
    """
    if what not in WHATS:
        raise InputError(f"--what {what!r}: expected one of {', '.join(WHATS)}")
    ws = Workspace(root, create=False)
    index = read_index(ws)
    plan = Plan(ws.root, what, include_weights, refused=list(index.refused), index=index)
    dirs: list[tuple[Entry, bool]] = []  # (folder, selected by --what)
    busy: set[str] = set()  # folders with something planned below them
    for found in scan(ws.root):
        if found.rel in WORKSPACE_FILES:
            continue
        kind, listed = index.classify(found.rel)
        entry = Entry(found.rel, kind, group_of(kind), found.type, found.size, listed,
                      found.type == FILE and found.nlink > 1)
        if found.type in (MOUNT, UNREADABLE):
            why = ("a mount point of another filesystem: not entered" if found.type == MOUNT
                   else "cannot be listed (permission denied)")
            plan.refused.append(Refused(found.rel, why))
            plan.keep(found.rel)
        elif index.is_source(found.rel):
            plan.kept_sources += found.type != DIR
            plan.keep(found.rel, itself=True)
        elif found.type == DIR:
            dirs.append((entry, selected(what, kind)))
        elif selected(what, kind):
            plan.files.append(entry)
            busy.update(ancestors(found.rel))
        else:
            plan.kept_other += 1
            plan.keep(found.rel)
    # A folder outside the --what group still goes when only purged files were in it
    # (train/ once its checkpoints are gone); a folder with anything kept below it stays.
    # Deepest first, so a folder that stays keeps every folder above it.
    dirs.sort(key=lambda d: d[0].path.count("/"), reverse=True)
    for folder, chosen in dirs:
        if folder.path not in plan.keep_dirs and (chosen or folder.path in busy):
            plan.dirs.append(folder)
        else:
            plan.keep(folder.path, itself=True)
    _plan_weights(plan, index)
    return plan


def _plan_weights(plan: Plan, index: LedgerIndex) -> None:
    """Add listed weights outside the workspace (only with --include-weights, all/models)."""
    if not (plan.include_weights and selected(plan.what, "weights")):
        plan.weights_not_included = sum(os.path.lexists(w) for w in index.weights)
        return
    for weights in index.weights:
        if not os.path.lexists(weights):
            continue
        base = os.path.realpath(weights.parent)
        name = weights.name
        if weights.is_dir() and not weights.is_symlink():
            for found in scan(weights):
                entry = Entry(f"{name}/{found.rel}", "weights", "models", found.type, found.size,
                              False, found.type == FILE and found.nlink > 1, base)
                (plan.dirs if found.type == DIR else plan.files).append(entry)
            plan.dirs.append(Entry(name, "weights", "models", DIR, 0, True, False, base))
        else:
            stat = weights.lstat()
            kind = "link" if weights.is_symlink() else FILE
            plan.files.append(Entry(name, "weights", "models", kind, stat.st_size * (kind == FILE),
                                    True, kind == FILE and stat.st_nlink > 1, base))
    plan.dirs.sort(key=lambda d: d.path.count("/"), reverse=True)
