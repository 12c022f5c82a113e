"""`voicekit speak`: a narration script in the trained voice, with subtitles."""

from __future__ import annotations

from pathlib import Path

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging, workspace_option


def speak(
    script: Path = typer.Argument(..., help="UTF-8 script; blank line: paragraph; \\[pause 1.5s]."),
    workspace: Path | None = workspace_option(),
    model: Path | None = typer.Option(
        None, "--model", help="Checkpoint (.pth) or run folder (default: the latest run)."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Write the audio (and .srt/.json/.synthetic.json beside it) here instead of "
        "<workspace>/speak/<name>/. Files outside the workspace are yours: they are not in "
        "the ledger and purge will not delete them.",
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Seed of every sentence (default: each sentence's last take)."
    ),
    only: int | None = typer.Option(
        None, "--only", help="Re-take only this script line (file line number); keep the rest."
    ),
    fmt: str | None = typer.Option(None, "--format", help="wav, flac or mp3 (via ffmpeg)."),
    encoding: str | None = typer.Option(
        None, "--encoding", help="Script encoding when not UTF-8, e.g. gbk or utf-16."
    ),
    lang: str = typer.Option("auto", "--lang", help="zh, en or auto (per sentence)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log details."),
) -> None:
    """Narrate a script in the trained voice: audio + .srt, marked as synthetic speech."""
    setup_logging(verbose)
    with errors_to_exit():
        from rich.progress import Progress

        from voicekit.speak import speak as narrate
        from voicekit.workspace import Workspace, default_root

        ws = Workspace(workspace or default_root(), create=False)
        with Progress(console=console(stderr=True), transient=True) as bar:
            task = bar.add_task("speak", total=None)

            def tick(done: int, total: int, cached: bool) -> None:
                bar.update(task, completed=done, total=total)

            result = narrate(
                ws, script, model=model, out=out, seed=seed, only=only, fmt=fmt,
                encoding=encoding, lang=lang, progress=tick,
            )  # fmt: skip
        console().print(
            f"{len(result.sentences)} sentences ({result.synthesized} synthesised), "
            f"{result.duration:.1f} s\naudio:     {result.audio}\nsubtitles: {result.srt}\n"
            f"mark:      {result.sidecar}",
            soft_wrap=True,
        )
