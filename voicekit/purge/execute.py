"""Carry out a plan: unlink files, remove folders, verify, then retire the workspace itself.

Every deletion goes through a folder descriptor opened component by component with O_NOFOLLOW,
so a folder swapped for a symlink between plan and execution is refused instead of followed
(the same defence shutil.rmtree uses). Symlinks are unlinked as links; their targets are never
touched. The marker and ledger go last and only after a clean verification, so a purge that
failed part-way can be run again once the cause is fixed.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

from voicekit.purge.ledger import rewrite
from voicekit.purge.plan import WORKSPACE_FILES, Entry, Plan
from voicekit.purge.scan import FILE
from voicekit.purge.verify import Verification, verify

log = logging.getLogger("voicekit")

CHUNK = 1 << 20
_REASONS = {
    errno.EACCES: "permission denied: its folder is not writable (`ls -ld`) or it is immutable "
                  "(`lsattr`); fix that and run purge again",
    errno.EPERM: "operation not permitted: the file or its folder is immutable or append-only "
                 "(`lsattr`, `chattr -i`); fix that and run purge again",
    errno.EBUSY: "in use (a mount point or a busy file); unmount or close it and run purge again",
    errno.EROFS: "on a read-only filesystem; remount it writable and run purge again",
    errno.ELOOP: "a folder on its way was replaced by a symlink: not followed",
    errno.ENOTDIR: "a folder on its way was replaced by a file or symlink: not followed",
    errno.ENOTEMPTY: "folder not empty (something was written into it during the purge?)",
    errno.EISDIR: "a file was replaced by a folder during the purge",
}


def reason(err: OSError) -> str:
    """One line saying why a deletion failed and what fixes it."""
    return _REASONS.get(err.errno or 0, err.strerror or str(err))


@dataclass
class Outcome:
    """What a purge did. `deleted` maps kind -> [files, bytes] actually removed."""

    deleted: dict[str, list[int]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    overwritten: int = 0
    not_overwritten: int = 0
    dirs_removed: int = 0
    workspace_removed: bool = False
    verification: Verification = field(default_factory=Verification)


def _open_folder(base: str, folder: str) -> int:
    """A descriptor of `base/folder`, refusing a symlink at any step below `base`."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(base, flags)
    for part in folder.split("/") if folder else ():
        try:
            child = os.open(part, flags, dir_fd=fd)
        finally:
            os.close(fd)
        fd = child
    return fd


def _overwrite(folder_fd: int, name: str) -> bool:
    """Overwrite a file's bytes with zeros in place (best effort); False when it was not done.

    Skipped for anything that is not a regular file with a single link: overwriting a hard
    link would destroy the data under its other name, which may be outside the workspace.
    """
    flags = os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, dir_fd=folder_fd)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            return False
        zeros = bytes(CHUNK)
        left = info.st_size
        while left > 0:
            left -= os.write(fd, zeros[: min(left, CHUNK)])
        return True  # flushed by the caller's os.sync(), once per folder instead of per file
    except OSError as err:
        log.warning("could not overwrite %s before deleting it: %s", name, reason(err))
        return False
    finally:
        os.close(fd)


def _parent(entry: Entry) -> tuple[str, str]:
    folder, _, name = entry.path.rpartition("/")
    return folder, name


def execute(plan: Plan, *, shred: bool = False,
            progress: Callable[[int], None] | None = None) -> Outcome:
    """Delete what the plan lists, verify by re-scanning, then finish the workspace.

    Args:
        plan: from `build_plan` (files of other kinds and sources are not in it).
        shred: overwrite each file with zeros before unlinking it (best effort).
        progress: called with the number of paths just handled (for a progress bar).
    """
    outcome = Outcome()
    tick = progress or (lambda _n: None)
    groups: dict[tuple[str, str], list[Entry]] = {}
    for entry in plan.files:
        groups.setdefault((entry.base, _parent(entry)[0]), []).append(entry)
    for (base, folder), entries in groups.items():
        try:
            fd = _open_folder(base or str(plan.root), folder)
        except OSError as err:
            for entry in entries:
                outcome.failures[entry.display()] = reason(err)
            tick(len(entries))
            continue
        try:
            if shred:
                _overwrite_all(fd, entries, outcome)
            for entry in entries:
                _delete(fd, entry, outcome)
                tick(1)
        finally:
            os.close(fd)
    for entry in plan.dirs:  # deepest first
        folder, name = _parent(entry)
        try:
            fd = _open_folder(entry.base or str(plan.root), folder)
            try:
                os.rmdir(name, dir_fd=fd)
                outcome.dirs_removed += 1
            finally:
                os.close(fd)
        except FileNotFoundError:
            pass  # already gone: that is the goal
        except OSError as err:
            outcome.failures[entry.display()] = reason(err)
        tick(1)
    outcome.verification = verify(plan, outcome.failures)
    if plan.what != "all":
        assert plan.index is not None
        rewrite(plan.index, plan.what, plan.include_weights)
    elif outcome.verification.ok:
        _retire(plan, outcome)
        outcome.verification = verify(plan, outcome.failures, finished=True)
    return outcome


def _overwrite_all(folder_fd: int, entries: list[Entry], outcome: Outcome) -> None:
    """Overwrite the files of one folder, then flush them to disk before any is unlinked.

    Without the flush the zeros could still sit in the page cache when the inode is freed and
    never reach the disk; one sync per folder costs far less than an fsync per file.
    """
    for entry in entries:
        if entry.type != FILE:
            continue
        if _overwrite(folder_fd, _parent(entry)[1]):
            outcome.overwritten += 1
        else:
            outcome.not_overwritten += 1
    os.sync()


def _delete(folder_fd: int, entry: Entry, outcome: Outcome) -> None:
    name = _parent(entry)[1]
    try:
        os.unlink(name, dir_fd=folder_fd)
    except FileNotFoundError:
        return  # removed by someone else meanwhile: nothing left to delete
    except OSError as err:
        outcome.failures[entry.display()] = reason(err)
        return
    counts = outcome.deleted.setdefault(entry.kind, [0, 0])
    counts[0] += 1
    counts[1] += entry.size


def _retire(plan: Plan, outcome: Outcome) -> None:
    """Remove the marker and ledger, then the workspace folder unless sources keep it."""
    root = str(plan.root)
    for name in WORKSPACE_FILES:
        try:
            os.unlink(os.path.join(root, name))
        except FileNotFoundError:
            pass
        except OSError as err:
            outcome.failures[name] = reason(err)
    if "" in plan.keep_dirs:
        return  # a source (or a mount) inside keeps the folder; verification ignores them
    try:
        os.rmdir(root)
        outcome.workspace_removed = True
    except OSError as err:
        outcome.failures["."] = reason(err)
