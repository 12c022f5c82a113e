"""`voicekit dataset`: films in, the target's clean clips + transcripts + report out."""

from __future__ import annotations

from pathlib import Path

import typer

from voicekit.cli.common import (
    ProgressView,
    console,
    errors_to_exit,
    setup_logging,
    workspace_option,
)

REF_SUFFIXES = {".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus"}


def collect_refs(refs: list[Path], ref_dir: Path | None) -> list[Path]:
    """Enrolment clips from --ref and --ref-dir, checked to exist."""
    from voicekit.errors import InputError

    found = list(refs)
    if ref_dir is not None:
        if not ref_dir.is_dir():
            raise InputError(f"--ref-dir {ref_dir} is not a folder")
        found += sorted(p for p in ref_dir.rglob("*") if p.suffix.lower() in REF_SUFFIXES)
        if not found:
            raise InputError(f"--ref-dir {ref_dir} holds no audio clips")
    for ref in found:
        if not ref.is_file():
            raise InputError(f"enrolment clip not found: {ref}")
    return found


def dataset(
    sources: list[Path] = typer.Argument(
        ..., help="Films or folders of films (searched recursively)."
    ),
    ref: list[Path] = typer.Option([], "--ref", help="Enrolment clip of the target (repeatable)."),
    ref_dir: Path | None = typer.Option(None, "--ref-dir", help="Folder of enrolment clips."),
    target: str | None = typer.Option(
        None, "--target", help="Speaker cluster to keep (RECORDING:S1), from the report."
    ),
    lang: str = typer.Option("auto", "--lang", help="zh, en or auto."),
    config: Path | None = typer.Option(
        None, "--config", help="Config YAML (default: configs/default.yaml)."
    ),
    set_: list[str] = typer.Option([], "--set", help="Override a config key: stage.key=value."),
    workspace: Path | None = workspace_option(),
    start: str | None = typer.Option(None, "--from", help="Recompute from this stage on."),
    stop: str | None = typer.Option(None, "--to", help="Stop after this stage."),
    force: list[str] = typer.Option([], "--force", help="Recompute this stage (repeatable)."),
    keep_rejected_audio: bool = typer.Option(
        False, "--keep-rejected-audio", help="Also export the audio of rejected clips."
    ),
    zh_script: str | None = typer.Option(None, "--zh-script", help="simplified or keep."),
    device: str = typer.Option(
        "auto", "--device", help="Device of the learned backends: auto, cpu, cuda or cuda:N."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step."),
) -> None:
    """Build the target speaker's dataset from films."""
    setup_logging(verbose)
    with errors_to_exit():
        from voicekit import config as cfg
        from voicekit.errors import InputError
        from voicekit.pipeline import registry
        from voicekit.pipeline.device import learned_backends, resolve, warn_if_slow
        from voicekit.pipeline.runner import Runner
        from voicekit.pipeline.stage import Context
        from voicekit.stages.ingest import find_media
        from voicekit.workspace import Workspace, default_root

        if lang not in ("zh", "en", "auto"):
            raise InputError(f"--lang {lang!r}: expected zh, en or auto")
        overrides = list(set_)
        if keep_rejected_audio:
            overrides.append("export.keep_rejected_audio=true")
        if zh_script is not None:
            overrides.append(f"export.zh_script={zh_script}")
        conf = cfg.load(config, overrides)
        refs = collect_refs(ref, ref_dir)
        media = find_media(list(sources), refs)  # a mistyped path creates no workspace
        ws = Workspace(workspace or default_root())
        with ws.claimed("voicekit dataset", "data"):
            chosen = resolve(device)
            warn_if_slow(chosen, learned_backends(conf))
            ctx = Context(workspace=ws, config=conf, sources=media, refs=refs,
                          target=target, lang=lang, device=chosen)
            stages = registry.build(conf, registry.through(stop))
            with ProgressView() as view:
                ctx.progress = view
                segments, reports = Runner(stages, ctx).run(start, stop, force)
            summarise(ws.root, segments, reports)


def _why_empty(root: Path) -> str:
    """Why no clip came out: no speech at all, or speech but not the target's."""
    from voicekit import manifest

    diarized = root / "manifests" / "diarize.jsonl"
    turns = diarized.exists() and any(
        s.custom.get("role") == "turn" for s in manifest.iter_read(diarized))
    if not turns:
        return "no speech was found (music, effects or silence only)"
    return "the target was not recognised among the speakers (check --ref or --target)"


def summarise(root: Path, segments: list, reports: list) -> None:
    """Print per-stage counts and where the dataset is."""
    from rich.table import Table

    out = console()
    table = Table(title="voicekit dataset", show_edge=False)
    for column in ("stage", "items", "cached", "computed", "skipped", "segments"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for r in reports:
        table.add_row(
            r.name,
            str(r.items),
            str(r.cached),
            str(r.computed),
            str(len(r.skipped)),
            str(r.segments),
        )
    out.print(table)
    for r in reports:
        for _, reason in r.skipped:
            out.print(f"[yellow]skipped[/] {r.name}: {reason}")
    clips = [s for s in segments if s.custom.get("role") == "clip"]
    if reports and reports[-1].name == "export" and not clips:
        out.print(f"[yellow]no clip of the target was found[/]: {_why_empty(root)}; the "
                  f"dataset is empty (see the report)")
    if clips:
        kept = [s for s in clips if s.rejected is None]
        minutes = sum(s.duration for s in kept) / 60
        out.print(
            f"kept {len(kept)} of {len(clips)} clips, {minutes:.1f} min of the target's speech"
        )
    dataset_dir = root / "dataset"
    if (dataset_dir / "report.html").exists():
        out.print(f"dataset: {dataset_dir}\nreport:  {dataset_dir / 'report.html'}")
    else:
        out.print(f"workspace: {root}")
