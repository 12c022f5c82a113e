"""The command line: instant help, one-line errors with exit codes, and crash-safe resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf
from conftest import make_media, tone
from typer.testing import CliRunner

from voicekit.cli.app import app

runner = CliRunner()


def test_help_is_light() -> None:
    code = (
        "import sys; from voicekit.cli.app import app; "
        "heavy = [m for m in ('torch', 'numpy', 'faster_whisper', 'resemblyzer', 'matplotlib') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("dataset", "doctor", "purge", "report", "models", "eval", "train", "speak"):
        assert command in result.output


def test_errors_are_one_line_with_exit_codes(tmp_path: Path) -> None:
    ws = ["--workspace", str(tmp_path / "ws")]
    result = runner.invoke(app, ["dataset", str(tmp_path), "--set", "segment.bogus=1", *ws])
    assert result.exit_code == 2
    assert (
        "unknown config key 'segment.bogus'" in result.output and "Traceback" not in result.output
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["dataset", str(empty), *ws])
    assert result.exit_code == 2 and "no media files found" in result.output
    result = runner.invoke(app, ["dataset", str(tmp_path / "mistyped"), *ws])
    assert result.exit_code == 2 and "source not found" in result.output
    assert not (tmp_path / "ws").exists()  # nothing created for a command that cannot run
    result = runner.invoke(app, ["dataset", str(empty), "--lang", "fr", *ws])
    assert result.exit_code == 2 and "--lang 'fr'" in result.output
    films = tmp_path / "films"
    films.mkdir()
    (films / "film.mkv").write_bytes(b"")
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(app, ["dataset", str(films), "--workspace", str(blocker / "ws")])
    assert result.exit_code == 2 and "cannot write to workspace" in result.output
    result = runner.invoke(app, ["eval", "extraction", str(tmp_path / "mistyped")])
    assert result.exit_code == 2 and "mistyped: no such folder" in result.output
    result = runner.invoke(app, ["eval", "extraction", str(empty)])
    assert result.exit_code == 2 and "no *.truth.json ground truth" in result.output


def test_doctor_tells_what_is_present(tmp_path: Path) -> None:
    result = runner.invoke(app, ["doctor", "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    for name in ("python", "ffmpeg", "torch", "gpu", "faster-whisper", "workspace"):
        assert name in result.output
    assert "no CUDA GPU" in result.output or "GiB free" in result.output


def _events(ws: Path) -> list[dict[str, str]]:
    path = ws / "logs/events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_kill_9_during_ingest_then_resume(tmp_path: Path) -> None:
    films = tmp_path / "films"
    films.mkdir()
    for i in range(6):
        make_media(films / f"film{i}.flac", [tone(90, 48000, 150 + 40 * i, seed=i)], 48000)
    cmd = [sys.executable, "-m", "voicekit", "dataset", str(films), "--to", "ingest"]
    env = {**os.environ, "VOICEKIT_PROGRESS": "0"}
    ws = tmp_path / "ws"
    proc = subprocess.Popen(
        [*cmd, "--workspace", str(ws)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    def committed() -> set[str]:
        """Items with a done.json in a final folder (it is written in the .partial folder, which
        is then renamed); the "computed" event is logged just after, so a kill can fall between
        the two."""
        return {
            json.loads(done.read_text())["item"]
            for done in ws.glob("stages/ingest/*/done.json")
            if not done.parent.name.endswith(".partial")
        }

    deadline = time.monotonic() + 120
    while not committed() and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = committed()
    if len(finished) == 6:
        pytest.fail("ingest finished before it could be killed: make the films longer")
    assert finished, "killed before any file finished"
    subprocess.run([*cmd, "--workspace", str(ws)], env=env, check=True, capture_output=True)
    second_run = _events(ws)[-6:]
    cached = {e["item"] for e in second_run if e["what"] == "cached"}
    assert cached == finished, second_run
    clean = tmp_path / "clean"
    subprocess.run([*cmd, "--workspace", str(clean)], env=env, check=True, capture_output=True)
    assert (ws / "manifests/ingest.jsonl").read_text() == (
        clean / "manifests/ingest.jsonl"
    ).read_text()


@pytest.mark.parametrize(
    "command",
    [["dataset", "{film}", "--workspace", "{ws}"],
     ["train", "--i-have-consent", "--workspace", "{ws}"],
     ["purge", "--yes", "--workspace", "{ws}"], ["report", "--workspace", "{ws}"]],
)  # fmt: skip
def test_a_workspace_in_use_is_refused(tmp_path: Path, command: list[str]) -> None:
    from voicekit.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    film, script = tmp_path / "film.wav", tmp_path / "script.txt"
    sf.write(film, tone(1.0, 16000), 16000)
    script.write_text("Hello.\n", encoding="utf-8")
    args = [a.format(film=film, script=script, ws=ws.root) for a in command]
    before = sorted(p.name for p in ws.root.rglob("*"))
    with ws.claimed("voicekit train", "data"):
        result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "is in use by `voicekit train` (pid" in result.output
    assert sorted(p.name for p in ws.root.rglob("*")) == before  # nothing written or deleted


def test_a_full_disk_is_one_line_and_other_failures_stay_internal_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import errno

    import typer

    from voicekit.cli.common import errors_to_exit

    with pytest.raises(typer.Exit) as stop, errors_to_exit():
        raise OSError(errno.ENOSPC, "No space left on device", "/w/stages/separate/k/vocals.wav")
    err = capsys.readouterr().err
    assert stop.value.exit_code == 1
    assert err.splitlines() == [
        "error: the disk is full (writing /w/stages/separate/k/vocals.wav)",
        "fix: free disk space, then run the same command: finished work is kept",
    ]
    with pytest.raises(typer.Exit), errors_to_exit():
        raise OSError(errno.EACCES, "Permission denied", "/w/x")
    assert "internal error: PermissionError" in capsys.readouterr().err


def test_report_takes_the_workspace_like_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicekit.workspace import Workspace

    Workspace(tmp_path / "ws")
    for args in (["--workspace", str(tmp_path / "ws")], [str(tmp_path / "ws")], []):
        monkeypatch.setenv("VOICEKIT_WORKSPACE", str(tmp_path / "ws") if not args else "")
        result = runner.invoke(app, ["report", *args])
        # the workspace is found and opened; it has no dataset yet
        assert result.exit_code == 2 and "no exported dataset in" in result.output, result.output
    result = runner.invoke(app, ["report", str(tmp_path / "ws"), "--workspace", str(tmp_path)])
    assert result.exit_code == 2 and "two workspaces given" in result.output
