"""The workspace: one root that holds everything voicekit writes, plus a ledger of it all.

Every path voicekit writes is recorded in `ledger.jsonl` (append-only, one JSON object per line)
before it is created, so `purge` can find it all even after a crash. Paths are checked to stay
inside the root (symlinks resolved, `..` refused). Sources are recorded as sources so that
nothing ever deletes or modifies them. One command at a time works in a workspace (`claimed`):
a purge can never run beside a training that is still writing checkpoints.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from voicekit.errors import WorkspaceError

MARKER = ".voicekit-workspace"
LEDGER = "ledger.jsonl"
LOCK = ".voicekit-lock"  # held (flock) by the command working in the workspace: who and since
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
                (self.root / LOCK).touch()  # here from the start: claiming it changes no listing
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

    # -- one command at a time --------------------------------------------------------------

    @contextmanager
    def claimed(self, command: str) -> Iterator[None]:
        """Hold the workspace for ``command`` ("voicekit train", ...) while inside. The lock
        goes with the process, so a crash or ``kill -9`` never leaves the workspace locked.

        Raises:
            WorkspaceError: another command holds it (the message names it, its pid and start).
        """
        import fcntl

        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WorkspaceError(
                    f"{self.root} is in use by {_holder(fd)}",
                    "wait for that command to finish, or stop it (Ctrl-C) and run this again",
                ) from None
            started = time.strftime("%Y-%m-%d %H:%M:%S")
            holder = json.dumps({"command": command, "pid": os.getpid(), "since": started})
            os.ftruncate(fd, 0)
            os.pwrite(fd, (holder + "\n").encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)  # nobody holds it now
        finally:
            os.close(fd)  # releases the lock

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


def _holder(fd: int) -> str:
    """Who holds the lock, as its file says (it may not have written it yet)."""
    try:
        held = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        return f"`{held['command']}` (pid {held['pid']}, since {held['since']})"
    except (ValueError, KeyError, TypeError):
        return "another voicekit command"
