"""`voicekit`: the command-line entry point. Importing this module stays light (no torch)."""

from __future__ import annotations

import os

import typer

from voicekit import __version__
from voicekit.cli import dataset, detect, doctor, evaluate, models, purge, report, speak, train

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")  # voicekit sends nothing anywhere

app = typer.Typer(
    name="voicekit",
    help="Films in, a clean single-speaker voice dataset out; then train, speak and purge.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"voicekit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """voicekit: local, GPU-first voice dataset toolkit."""


app.command("dataset")(dataset.dataset)
app.command("report")(report.report)
app.command("doctor")(doctor.doctor)
app.command("purge")(purge.purge)
app.command("train")(train.train)
app.command("speak")(speak.speak)
app.command("detect")(detect.detect)
app.add_typer(models.app, name="models")
app.add_typer(evaluate.app, name="eval")


def main() -> None:
    app()
