"""`voicekit models`: which weights are present; import a local copy; fetch when online."""

from __future__ import annotations

from pathlib import Path

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging

app = typer.Typer(help="Model weights: list, import, fetch.", no_args_is_help=True)


@app.command("list")
def list_(
    config: Path | None = typer.Option(None, "--config", help="Config YAML."),
) -> None:
    """Show each known model: present or not, where, size and checksum."""
    setup_logging()
    with errors_to_exit():
        from rich.table import Table

        from voicekit import config as cfg
        from voicekit.models import list_models

        table = Table(show_edge=False)
        for column in ("model", "kind", "present", "path", "size", "sha256"):
            table.add_column(column)
        for info in list_models(cfg.load(config)):
            size = f"{info.size / 1e6:.0f} MB" if info.size else ""
            table.add_row(
                info.name,
                info.kind,
                "yes" if info.present else "[red]no[/]",
                str(info.path or ""),
                size,
                (info.sha256 or "")[:12],
            )
        console().print(table)


@app.command("import")
def import_(
    name: str = typer.Argument(..., help="Model name (see `voicekit models list`)."),
    path: Path = typer.Argument(..., help="Local folder or file holding the weights."),
    config: Path | None = typer.Option(None, "--config", help="Config YAML."),
) -> None:
    """Register a local copy of a model's weights."""
    setup_logging()
    with errors_to_exit():
        from voicekit import config as cfg
        from voicekit.models import import_model

        where = import_model(name, path, cfg.load(config))
        console().print(f"imported {name} -> {where}")


@app.command("fetch")
def fetch(
    name: str = typer.Argument(..., help="Model name (see `voicekit models list`)."),
    config: Path | None = typer.Option(None, "--config", help="Config YAML."),
) -> None:
    """Download a named model (needs internet; pyannote also needs a Hugging Face token)."""
    setup_logging()
    with errors_to_exit():
        from voicekit import config as cfg
        from voicekit.models import fetch_model

        where = fetch_model(name, cfg.load(config))
        console().print(f"fetched {name} -> {where}")
