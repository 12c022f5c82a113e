"""The workspace: one root that holds everything voicekit writes, plus a ledger of it all.

Every path voicekit writes is recorded in `ledger.jsonl` (append-only, one JSON object per line)
before it is created, so `purge` can find it all even after a crash. Paths are checked to stay
inside the root (symlinks resolved, `..` refused). Sources are recorded as sources so that
nothing ever deletes or modifies them. Commands claim the workspace (`claimed`): a purge can
never run beside a training that is still writing checkpoints, nor two trainings side by side.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from voicekit.errors import WorkspaceError

log = logging.getLogger("voicekit")
_UNLOCKABLE: set[Path] = set()  # workspaces whose file system refused a lock (warned once)

MARKER = ".voicekit-workspace"
LEDGER = "ledger.jsonl"
# flock-ed by the commands working in the workspace (shared; purge: exclusive), and per area by
# the one command working on it; each file names its holder while held
LOCK = ".voicekit-lock"
AREAS = ("data", "speak")  # dataset, train and report work on the data; speak on narration
LOCKS = (LOCK, *(f"{LOCK}.{area}" for area in AREAS))
DEFAULT_ROOT = "voicekit-work"

KINDS = (
    "ingest",
    "stage",
    "manifest",
    "dataset",
    "report",
    "log",
    "temp",
    "cache",
    "checkpoint",
    "sample",
    "narration",
    "weights",
    "source",
)


def default_root() -> Path:
    return Path(os.environ.get("VOICEKIT_WORKSPACE") or DEFAULT_ROOT)


@dataclass(frozen=True)
class LedgerEntry:
    path: str  # workspace-relative, or absolute for sources and fetched weights
    kind: str
    time: float


class Workspace:
    """A voicekit workspace rooted at `root`."""

    def __init__(self, root: Path | str, *, create: bool = True) -> None:
        self.root = Path(root).expanduser().absolute()
        if create:
            self._create()
        elif not (self.root / MARKER).exists():
            raise WorkspaceError(
                f"{self.root} is not a voicekit workspace (no {MARKER})",
                "pass the folder voicekit created with --workspace",
            )
        self.root = self.root.resolve()
        self._recorded: set[tuple[str, str]] | None = None

    def _create(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            marker = self.root / MARKER
            if not marker.exists():
                if any(self.root.iterdir()):
                    raise WorkspaceError(
                        f"{self.root} exists, is not empty and is not a voicekit workspace",
                        "choose an empty or new folder with --workspace",
                    )
                marker.write_text("voicekit workspace: every file below was written by voicekit\n")
                for name in LOCKS:  # here from the start: claiming them changes no listing
                    (self.root / name).touch()
            probe = self.root / ".write-probe"
            probe.write_text("")
            probe.unlink()
        except OSError as err:
            raise WorkspaceError(
                f"cannot write to workspace {self.root}: {err.strerror or err}",
                "choose a writable folder with --workspace or VOICEKIT_WORKSPACE",
            ) from err

    # -- paths -----------------------------------------------------------------------------

    def path(self, rel: str | Path) -> Path:
        """Absolute path of a workspace-relative path, refusing anything that leaves the root."""
        rel = Path(rel)
        if rel.is_absolute() or ".." in rel.parts:
            raise WorkspaceError(f"refusing path outside the workspace: {rel}")
        full = self.root / rel
        resolved = full.resolve()
        if not resolved.is_relative_to(self.root):
            raise WorkspaceError(f"refusing path outside the workspace: {rel} -> {resolved}")
        return full

    def rel(self, path: Path) -> str:
        """Workspace-relative form of an absolute path inside the root."""
        full = path.absolute()
        if not full.is_relative_to(self.root):
            raise WorkspaceError(f"refusing path outside the workspace: {path}")
        return full.relative_to(self.root).as_posix()

    # -- who works in it --------------------------------------------------------------------

    @contextmanager
    def claimed(self, command: str, area: str | None) -> Iterator[None]:
        """Hold the workspace for ``command`` ("voicekit train", ...) while inside. With an
        ``area`` (one of `AREAS`) it runs alongside commands of the other areas, never beside
        one of its own; without one (purge) it runs alone. The locks go with the process, so a
        crash or ``kill -9`` never leaves the workspace locked.

        Raises:
            WorkspaceError: a command holds what this one needs (named, with pid and start).
        """
        import fcntl

        if area is not None and area not in AREAS:
            raise ValueError(f"unknown workspace area {area!r}")
        with ExitStack() as held:
            whole = held.enter_context(
                _locked(self.root, LOCK, fcntl.LOCK_SH if area else fcntl.LOCK_EX)
            )
            mine = whole if area is None else held.enter_context(
                _locked(self.root, f"{LOCK}.{area}", fcntl.LOCK_EX)
            )  # fmt: skip
            started = time.strftime("%Y-%m-%d %H:%M:%S")
            holder = json.dumps({"command": command, "pid": os.getpid(), "since": started})
            os.ftruncate(mine, 0)  # what a killed holder left
            os.pwrite(mine, (holder + "\n").encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(mine, 0)  # nobody holds it now

    # -- ledger ----------------------------------------------------------------------------

    def record(self, rel: str | Path, kind: str) -> Path:
        """Record a path in the ledger (before writing it) and return its absolute path."""
        if kind not in KINDS:
            raise ValueError(f"unknown ledger kind {kind!r}")
        full = self.path(rel)
        self._append(LedgerEntry(Path(rel).as_posix(), kind, time.time()))
        return full

    def record_source(self, source: Path) -> None:
        """Record a source file (read only, never deleted)."""
        self._append(LedgerEntry(str(source.absolute()), "source", time.time()))

    def record_weights(self, path: Path) -> None:
        """Record third-party weights voicekit downloaded outside the workspace."""
        self._append(LedgerEntry(str(path.absolute()), "weights", time.time()))

    def _append(self, entry: LedgerEntry) -> None:
        if self._recorded is None:
            self._recorded = {(e.path, e.kind) for e in self.ledger()}
        if (entry.path, entry.kind) in self._recorded:
            return
        self._recorded.add((entry.path, entry.kind))
        line = json.dumps(entry.__dict__, ensure_ascii=False) + "\n"
        with open(self.root / LEDGER, "a", encoding="utf-8") as handle:
            handle.write(line)

    def ledger(self) -> Iterator[LedgerEntry]:
        """Ledger entries in order; a torn last line (crash) is skipped."""
        path = self.root / LEDGER
        if not path.exists():
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(line)
                yield LedgerEntry(str(data["path"]), str(data["kind"]), float(data["time"]))
            except (ValueError, KeyError, TypeError):
                continue

    def sources(self) -> set[Path]:
        return {Path(e.path) for e in self.ledger() if e.kind == "source"}


@contextmanager
def _locked(root: Path, name: str, mode: int) -> Iterator[int]:
    """``flock`` one of the workspace's lock files without waiting; yields its descriptor."""
    import fcntl

    fd = os.open(root / name, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkspaceError(
                f"{root} is in use by {_holders(root)}",
                "wait for that command to finish, or stop it (Ctrl-C) and run this again",
            ) from None
        except OSError as err:  # a network file system without locks (ENOLCK, EOPNOTSUPP...)
            if root not in _UNLOCKABLE:
                _UNLOCKABLE.add(root)
                log.warning(
                    "%s: the file system cannot lock files (%s): nothing stops another voicekit "
                    "command from working in this workspace at the same time", root,
                    err.strerror or err,
                )  # fmt: skip
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _holders(root: Path) -> str:
    """The commands holding the workspace, as their lock files say (a command that has just
    started may not have written its own yet)."""
    found = []
    for name in LOCKS:
        try:
            held = json.loads((root / name).read_text(encoding="utf-8") or "{}")
            found.append(f"`{held['command']}` (pid {held['pid']}, since {held['since']})")
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return " and ".join(found) or "another voicekit command"
