"""Walk a folder without following symlinks or crossing into other filesystems.

Both the plan and the verification use this one walk, so "what purge saw" and "what is left"
are measured the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Entry types: a regular file, a symlink (never followed), a folder, anything else (fifo, socket,
# device), a folder on another filesystem (never entered), a folder that cannot be listed.
FILE, LINK, DIR, OTHER, MOUNT, UNREADABLE = "file", "link", "dir", "other", "mount", "unreadable"


@dataclass(frozen=True)
class Found:
    """One path below the scanned folder.

    Attributes:
        rel: path relative to the scanned folder, '/'-separated.
        type: one of FILE, LINK, DIR, OTHER, MOUNT, UNREADABLE.
        size: bytes (files only; 0 otherwise).
        nlink: hard-link count (files only; > 1 means the data has another name elsewhere).
    """

    rel: str
    type: str
    size: int = 0
    nlink: int = 1


def scan(top: Path) -> Iterator[Found]:
    """Every path below `top` (not `top` itself), folders before their contents.

    Symlinks are reported as links and never followed; folders on another device (mount points)
    are reported and not entered, so a film folder mounted into the workspace is never walked.
    """
    device = os.lstat(top).st_dev
    stack: list[tuple[str, str]] = [("", os.fspath(top))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            yield Found(prefix, UNREADABLE)
            continue
        for entry in entries:
            rel = f"{prefix}/{entry.name}" if prefix else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed while we looked: nothing left to report
            if entry.is_symlink():
                yield Found(rel, LINK)
            elif entry.is_dir(follow_symlinks=False):
                if info.st_dev != device:
                    yield Found(rel, MOUNT)
                    continue
                yield Found(rel, DIR)
                stack.append((rel, entry.path))
            elif entry.is_file(follow_symlinks=False):
                yield Found(rel, FILE, info.st_size, info.st_nlink)
            else:
                yield Found(rel, OTHER)


def ancestors(rel: str) -> Iterator[str]:
    """The folders above a relative path, nearest first ('a/b/c' -> 'a/b', 'a')."""
    while "/" in rel:
        rel = rel.rsplit("/", 1)[0]
        yield rel
