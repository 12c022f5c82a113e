from __future__ import annotations

import os
from pathlib import Path

import pytest

from voicekit.errors import WorkspaceError
from voicekit.workspace import MARKER, Workspace


def test_paths_stay_inside(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    assert ws.path("stages/a.wav") == ws.root / "stages/a.wav"
    for bad in ("../x", "/etc/passwd", "a/../../x"):
        with pytest.raises(WorkspaceError):
            ws.path(bad)
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.root / "link").symlink_to(outside)
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        ws.path("link/file.wav")


def test_ledger_records_once_and_sources(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.record("stages/a", "stage")
    ws.record("stages/a", "stage")
    film = tmp_path / "film.mkv"
    ws.record_source(film)
    entries = list(Workspace(ws.root, create=False).ledger())
    assert [(e.path, e.kind) for e in entries] == [("stages/a", "stage"), (str(film), "source")]
    assert ws.sources() == {film}


def test_refuses_foreign_folders_and_read_only(tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "thesis.txt").write_text("mine")
    with pytest.raises(WorkspaceError, match="not empty"):
        Workspace(full)
    with pytest.raises(WorkspaceError, match="not a voicekit workspace"):
        Workspace(tmp_path / "nothing", create=False)
    if os.geteuid() == 0:
        # root ignores permission bits: use a path under a regular file instead (ENOTDIR)
        blocker = tmp_path / "file"
        blocker.write_text("")
        target = blocker / "ws"
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = ro / "ws"
    with pytest.raises(WorkspaceError, match="cannot write to workspace"):
        Workspace(target)
    assert (Workspace(tmp_path / "ok").root / MARKER).exists()
