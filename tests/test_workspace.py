from __future__ import annotations

import os
import subprocess
import sys
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


def test_commands_of_one_area_one_at_a_time_and_purge_alone(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    with ws.claimed("voicekit train", "data"):
        for command, area in (("voicekit dataset", "data"), ("voicekit purge", None)):
            with pytest.raises(WorkspaceError) as busy, ws.claimed(command, area):
                pass
            assert "is in use by `voicekit train` (pid " in busy.value.message
        with ws.claimed("voicekit speak", "speak"):  # narration beside a training
            with pytest.raises(WorkspaceError) as busy, ws.claimed("voicekit purge", None):
                pass
            assert "`voicekit train` (pid" in busy.value.message
            assert "`voicekit speak` (pid" in busy.value.message
    with (
        ws.claimed("voicekit purge", None),  # released when the others ended
        pytest.raises(WorkspaceError, match="in use by `voicekit purge`"),
        ws.claimed("voicekit speak", "speak"),
    ):
        pass


def test_a_killed_command_leaves_the_workspace_free(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom voicekit.workspace import Workspace\n"
         f"with Workspace({str(ws.root)!r}).claimed('voicekit dataset', 'data'):\n"
         "    print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        held = f"`voicekit dataset` \\(pid {holder.pid}, "
        with pytest.raises(WorkspaceError, match=held), ws.claimed("voicekit train", "data"):
            pass
    finally:
        holder.kill()  # SIGKILL: no cleanup runs in the holder
        holder.wait()
    with ws.claimed("voicekit dataset", "data"):
        pass


def test_a_file_system_without_locks_warns_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import errno
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    ws = Workspace(tmp_path / "ws")
    monkeypatch.setattr(fcntl, "flock", no_locks)
    with caplog.at_level("WARNING", logger="voicekit"), ws.claimed("voicekit train", "data"):
        pass
    assert caplog.text.count("cannot lock files (No locks available)") == 1
