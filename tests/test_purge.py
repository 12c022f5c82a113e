"""voicekit purge: plan, safe deletion, verification by re-scan, receipt, CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import typer
from typer.testing import CliRunner

from voicekit import config
from voicekit.cli.purge import purge
from voicekit.errors import StageError, WorkspaceError
from voicekit.manifest import Segment
from voicekit.pipeline.runner import Runner
from voicekit.pipeline.stage import Context, Item, Output, Stage
from voicekit.purge.execute import execute
from voicekit.purge.plan import build_plan
from voicekit.workspace import LEDGER, LOCKS, MARKER, Workspace

TRANSCRIPT = "zebracorn quietly sings"  # must never reach a receipt


def wav(path: Path, seconds: float = 0.2, seed: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sf.write(path, (0.1 * rng.standard_normal(int(16000 * seconds))).astype(np.float32), 16000)


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def populate(ws: Workspace) -> None:
    """The layout a dataset + train + speak run leaves, including a crashed `.partial` folder."""
    ws.record("stages/ingest/k1", "ingest")
    wav(ws.path("stages/ingest/k1/recording.wav"), 0.5)
    write(ws.path("stages/ingest/k1/segments.jsonl"), "{}\n")
    write(ws.path("stages/ingest/k1/subs.json"), json.dumps([{"text": TRANSCRIPT}]))
    ws.record("stages/separate/k2", "stage")
    wav(ws.path("stages/separate/k2/vocals.wav"), seed=1)
    ws.record("stages/diarize/k3.partial", "temp")  # a crash left this behind
    write(ws.path("stages/diarize/k3.partial/embeddings.npy"), b"\x00" * 512)
    for name in ("ingest", "transcribe"):
        write(ws.record(f"manifests/{name}.jsonl", "manifest"), json.dumps({"text": TRANSCRIPT}))
    write(ws.path("manifests/export.jsonl.tmp"), "{}")  # written by a crash, never recorded
    ws.record("dataset", "dataset")
    for i in range(3):
        wav(ws.path(f"dataset/wavs/target_{i:04d}.wav"), seed=i)
    write(ws.path("dataset/metadata.csv"), f"target_0000|{TRANSCRIPT}\n")
    write(ws.record("dataset/report.html", "report"), "<html></html>")
    write(ws.record("logs/run.log", "log"), "ok\n")
    write(ws.record("train/checkpoints/step_100.pt", "checkpoint"), os.urandom(4096))
    wav(ws.record("train/samples/sample_0.wav", "sample"), seed=7)
    wav(ws.record("speak/narration.wav", "narration"), seed=8)
    write(ws.record("speak/narration.srt", "narration"), f"1\n00:00:00,000 --> 00:00:01,000\n"
                                                         f"{TRANSCRIPT}\n")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "work")
    populate(workspace)
    return workspace


def tree(root: Path) -> dict[str, int]:
    """Every path under root (links not followed) -> size, to compare before and after."""
    out = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            out[str(path.relative_to(root))] = path.lstat().st_size if name in files else -1
    return out


def cli(*args: str) -> typer.testing.Result:
    app = typer.Typer()
    app.command()(purge)
    return CliRunner().invoke(app, list(args))


def test_dry_run_deletes_nothing(ws: Workspace) -> None:
    before = tree(ws.root)
    result = cli("--workspace", str(ws.root), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was deleted" in result.output
    assert "unlisted" in result.output and "checkpoint" in result.output
    assert tree(ws.root) == before


def test_purge_all_leaves_nothing(ws: Workspace) -> None:
    plan = build_plan(ws.root)
    totals = plan.totals()
    assert totals["checkpoint"] == (1, 4096)
    assert totals["temp"][0] == 1 and totals["narration"][0] == 2
    assert totals["dataset"][0] == 4 and totals["report"][0] == 1
    assert totals["unlisted"] == (1, 2)  # manifests/export.jsonl.tmp: manifests/ is not listed
    outcome = execute(plan)
    assert outcome.verification.ok, outcome.verification.remaining
    assert outcome.workspace_removed and not ws.root.exists()
    assert {k: v[0] for k, v in outcome.deleted.items()} == {k: v[0] for k, v in totals.items()}


def test_symlinks_are_removed_not_followed(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "precious"
    write(outside / "film.wav", b"keep")
    (ws.path("stages/separate/k2") / "link-to-file").symlink_to(outside / "film.wav")
    (ws.path("dataset") / "link-to-folder").symlink_to(outside, target_is_directory=True)
    plan = build_plan(ws.root)
    assert {e.type for e in plan.files if "link-to" in e.path} == {"link"}
    assert not any("link-to-folder/" in e.path for e in plan.files + plan.dirs)
    outcome = execute(plan)
    assert outcome.verification.ok
    assert (outside / "film.wav").read_bytes() == b"keep"
    assert not ws.root.exists()


def test_source_inside_the_workspace_survives(ws: Workspace) -> None:
    film = ws.path("films/actor interview.mkv")
    write(film, b"the source film")
    ws.record_source(film)
    plan = build_plan(ws.root)
    assert plan.kept_sources == 1
    assert all(not e.path.startswith("films/") for e in plan.files + plan.dirs)
    outcome = execute(plan)
    assert outcome.verification.ok
    assert film.read_bytes() == b"the source film"
    assert sorted(tree(ws.root)) == ["films", "films/actor interview.mkv"]  # marker+ledger gone


def test_undeletable_file_fails_verification_then_second_purge_succeeds(ws: Workspace) -> None:
    """Root ignores permission bits, so as root the file is made immutable (chattr +i, a real
    kernel refusal); as a normal user its folder is made read-only instead."""
    stuck = ws.path("dataset/wavs/target_0001.wav")
    as_root = os.geteuid() == 0
    if as_root:
        made = subprocess.run(["chattr", "+i", str(stuck)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i not supported here: {made.stderr.decode().strip()}")
    else:
        stuck.parent.chmod(0o500)
    try:
        result = cli("--workspace", str(ws.root), "--yes", "--receipt",
                     str(ws.root.parent / "r1.json"))
        assert result.exit_code == 1, result.output
        assert "verification failed" in result.output
        assert "dataset/wavs/target_0001.wav" in result.output
        assert ("immutable" if as_root else "permission denied") in result.output
        assert (ws.root / MARKER).exists() and (ws.root / LEDGER).exists()  # can run again
        receipt = json.loads((ws.root.parent / "r1.json").read_text())
        assert receipt["verification"]["ok"] is False
        paths = {r["path"] for r in receipt["verification"]["remaining"]}
        assert "dataset/wavs/target_0001.wav" in paths
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(stuck)], check=True)
        else:
            stuck.parent.chmod(0o700)
    result = cli("--workspace", str(ws.root), "--yes", "--receipt", str(ws.root.parent / "r2.json"))
    assert result.exit_code == 0, result.output
    assert not ws.root.exists()


def test_file_written_between_plan_and_execute_is_caught(ws: Workspace) -> None:
    plan = build_plan(ws.root)
    late = ws.path("stages/separate/k2/late.wav")
    wav(late)
    outcome = execute(plan)
    assert not outcome.verification.ok
    [left] = outcome.verification.remaining
    assert left.path == "stages/separate/k2/late.wav" and "after the plan" in left.reason
    assert (ws.root / MARKER).exists()
    assert execute(build_plan(ws.root)).verification.ok
    assert not ws.root.exists()


def test_purge_twice_is_harmless(ws: Workspace, tmp_path: Path) -> None:
    first = cli("--workspace", str(ws.root), "--yes", "--receipt", str(tmp_path / "r.json"))
    assert first.exit_code == 0, first.output
    second = cli("--workspace", str(ws.root), "--yes")
    assert second.exit_code == 0, second.output
    assert "nothing to purge" in second.output


def test_escaping_ledger_entries_are_refused(ws: Workspace, tmp_path: Path) -> None:
    victim = tmp_path / "outside.txt"
    write(victim, "not voicekit's")
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "x", "also not")
    ws.path("stages").joinpath("escape").symlink_to(elsewhere, target_is_directory=True)
    lines = [("../outside.txt", "stage"), (str(victim), "log"), ("stages/escape/x", "temp"),
             ("/", "weights"), (str(Path.home()), "weights"), (str(tmp_path), "weights")]
    with open(ws.root / LEDGER, "a", encoding="utf-8") as ledger:
        for path, kind in lines:
            ledger.write(json.dumps({"path": path, "kind": kind, "time": 0}) + "\n")
    plan = build_plan(ws.root, include_weights=True)
    assert {r.path for r in plan.refused} == {path for path, _ in lines}
    assert execute(plan).verification.ok
    assert victim.read_text() == "not voicekit's" and (elsewhere / "x").read_text() == "also not"


def test_folder_without_marker_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "my-films"
    write(folder / "film.mkv", b"film")
    with pytest.raises(WorkspaceError, match="not a voicekit workspace"):
        build_plan(folder)
    result = cli("--workspace", str(folder), "--yes")
    assert result.exit_code == 2
    assert (folder / "film.mkv").read_bytes() == b"film"


def test_cli_refuses_without_yes_when_stdin_is_not_a_terminal(ws: Workspace) -> None:
    before = tree(ws.root)
    result = cli("--workspace", str(ws.root))
    assert result.exit_code == 2
    assert "stdin is not a terminal" in result.output
    assert tree(ws.root) == before


@pytest.mark.parametrize("answer", ["n", "y"])
def test_cli_asks_on_a_terminal(ws: Workspace, tmp_path: Path, answer: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """CliRunner's stdin is never a terminal, so only the terminal check is replaced."""
    monkeypatch.setattr("voicekit.cli.purge.stdin_is_terminal", lambda: True)
    app = typer.Typer()
    app.command()(purge)
    result = CliRunner().invoke(app, ["--workspace", str(ws.root), "--receipt",
                                      str(tmp_path / "r.json")], input=f"{answer}\n")
    assert "cannot be undone" in result.output
    if answer == "n":
        assert result.exit_code == 1 and "nothing was deleted" in result.output
        assert (ws.root / MARKER).exists() and not (tmp_path / "r.json").exists()
    else:
        assert result.exit_code == 0, result.output
        assert not ws.root.exists() and (tmp_path / "r.json").exists()


def test_receipt(ws: Workspace, tmp_path: Path) -> None:
    inside = cli("--workspace", str(ws.root), "--yes", "--receipt", str(ws.root / "r.json"))
    assert inside.exit_code == 2 and (ws.root / MARKER).exists()
    expected_sha = build_plan(ws.root).sha256()
    receipt_path = tmp_path / "receipt.json"
    result = cli("--workspace", str(ws.root), "--yes", "--receipt", str(receipt_path))
    assert result.exit_code == 0, result.output
    text = receipt_path.read_text(encoding="utf-8")
    receipt = json.loads(text)
    assert receipt["plan_sha256"] == expected_sha
    assert receipt["verification"] == {"ok": True, "remaining_count": 0, "remaining": []}
    assert receipt["deleted"]["checkpoint"] == {"files": 1, "bytes": 4096}
    assert receipt["workspace"] == str(ws.root) and receipt["workspace_removed"] is True
    assert "zebracorn" not in text and "target_0000" not in text


def test_partial_purges_keep_other_groups(ws: Workspace) -> None:
    execute(build_plan(ws.root, "outputs"))
    assert not ws.path("speak").exists() and not ws.path("train/samples").exists()
    assert ws.path("train/checkpoints/step_100.pt").exists()
    assert ws.path("dataset/metadata.csv").exists()
    kinds = {e.kind for e in ws.ledger()}
    assert "narration" not in kinds and "sample" not in kinds and "checkpoint" in kinds
    assert execute(build_plan(ws.root, "models")).verification.ok
    assert not ws.path("train").exists() and ws.path("dataset/metadata.csv").exists()
    outcome = execute(build_plan(ws.root, "data"))
    assert outcome.verification.ok
    assert sorted(tree(ws.root)) == sorted([MARKER, LEDGER, *LOCKS])
    assert execute(build_plan(ws.root)).verification.ok and not ws.root.exists()


def test_weights_only_with_include_weights(ws: Workspace, tmp_path: Path) -> None:
    models = tmp_path / "models"
    write(models / "fetched.bin", b"w" * 100)
    write(models / "snapshot" / "config.json", "{}")
    write(models / "not-ours.bin", b"keep")
    ws.record_weights(models / "fetched.bin")
    ws.record_weights(models / "snapshot")
    spare = build_plan(ws.root, "models")
    assert spare.weights_not_included == 2
    execute(spare)
    assert (models / "fetched.bin").exists()
    plan = build_plan(ws.root, "all", include_weights=True)
    assert plan.totals()["weights"] == (2, 102)
    assert execute(plan).verification.ok
    assert sorted(p.name for p in models.iterdir()) == ["not-ours.bin"]


def test_shred_overwrites_but_never_a_hard_link(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "original.wav"
    write(outside, b"original bytes")
    os.link(outside, ws.path("stages/ingest/k1/hardlinked.wav"))
    ws.path("logs/run.log").chmod(0o444)  # read-only files from a crash are still purged
    plan = build_plan(ws.root)
    assert sum(e.shared for e in plan.files) == 1
    outcome = execute(plan, shred=True)
    assert outcome.verification.ok
    assert outside.read_bytes() == b"original bytes"
    assert outcome.not_overwritten == 1 and outcome.overwritten == len(plan.files) - 1


def test_twenty_thousand_files_with_progress(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "big")
    for folder in range(20):
        stage = ws.record(f"stages/segment/k{folder}", "stage")
        stage.mkdir(parents=True)
        for i in range(1000):
            (stage / f"c{i}.wav").write_bytes(b"x")
    ticks: list[int] = []
    plan = build_plan(ws.root)
    assert len(plan.files) == 20_000
    outcome = execute(plan, progress=ticks.append)
    assert sum(ticks) == len(plan.files) + len(plan.dirs)
    assert outcome.verification.ok and not ws.root.exists()


class _Copy(Stage):
    """Writes one file per source through the real runner (ledger, .partial, publish)."""

    name = "ingest"

    def items(self, inputs: list[Segment], ctx: Context) -> list[Item]:
        return [Item(p.name, seconds=1.0, key={"text": p.read_text()}) for p in ctx.sources]

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        out.path("copy.txt").write_text(str(item.key["text"]))
        return [Segment(item.id, item.id, 0.0, 1.0, out.rel("copy.txt"))]


class _Crash(Stage):
    """Writes half its output, then fails like a killed backend."""

    name = "segment"

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        out.path("half.wav").write_bytes(b"\x00" * 64)
        raise RuntimeError("killed")


def test_purge_after_a_crashed_runner_run(tmp_path: Path) -> None:
    sources = tmp_path / "films"
    write(sources / "a.txt", "alpha")
    ctx = Context(Workspace(tmp_path / "ws"), config.load(None, []),
                  sources=sorted(sources.iterdir()))
    with pytest.raises(StageError):
        Runner([_Copy(ctx.config), _Crash(ctx.config)], ctx).run()  # type: ignore[list-item]
    plan = build_plan(ctx.workspace.root)
    kinds = {e.kind for e in plan.files}
    assert {"stage", "manifest", "temp"} <= kinds, kinds  # the .partial folder is temp
    assert execute(plan).verification.ok and not ctx.workspace.root.exists()
    assert (sources / "a.txt").read_text() == "alpha"
