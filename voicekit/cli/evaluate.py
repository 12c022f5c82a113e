"""`voicekit eval`: measure extraction quality on scenes with ground truth."""

from __future__ import annotations

from pathlib import Path

import typer

from voicekit.cli.common import ProgressView, errors_to_exit, setup_logging

app = typer.Typer(help="Measure quality against ground truth.", no_args_is_help=True)


@app.command("extraction")
def extraction(
    scenes: Path = typer.Argument(..., help="Folder of films with <film>.truth.json ground truth."),
    workspace: Path = typer.Option(
        Path("voicekit-eval"), "--workspace", help="Workspace for the runs."
    ),
    config: Path | None = typer.Option(None, "--config", help="Config YAML."),
    set_: list[str] = typer.Option([], "--set", help="Override a config key: stage.key=value."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the numbers as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Run the dataset pipeline on each scene (with its target's refs) and score the result."""
    setup_logging(verbose)
    with errors_to_exit():
        import json

        from voicekit import config as cfg
        from voicekit.eval.extraction import format_table
        from voicekit.eval.run import run_scenes

        conf = cfg.load(config, set_)
        with ProgressView() as view:
            results = run_scenes(scenes, workspace, conf, progress=view)
        typer.echo(format_table(results))
        if json_out is not None:
            json_out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
