"""`voicekit train`: the target's VITS voice from the exported dataset, resumable."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging, workspace_option

if TYPE_CHECKING:
    from voicekit.workspace import Workspace


def train(
    workspace: Path | None = workspace_option(),
    steps: int | None = typer.Option(
        None, "--steps", help="Train this many more steps (default 100000)."
    ),
    epochs: int | None = typer.Option(
        None, "--epochs", help="Or this many more passes over the clips."
    ),
    size: str = typer.Option("full", "--size", help="full (GPU) or tiny (CPU smoke test)."),
    init: Path | None = typer.Option(
        None, "--init", help="coqui VITS checkpoint to fine-tune from (recommended)."
    ),
    resume: bool = typer.Option(
        True, "--resume/--no-resume", help="Continue the latest run from its last checkpoint."
    ),
    batch_size: int = typer.Option(
        0, "--batch-size", help="Clips per step (0: from free GPU memory, else the preset)."
    ),
    seed: int = typer.Option(54321, "--seed", help="Training seed (same seed: same run on CPU)."),
    eval_every: int = typer.Option(
        1000, "--eval-every", help="Evaluate every N steps and at the end (0: never)."
    ),
    min_minutes: float = typer.Option(
        5.0, "--min-minutes", help="Refuse to train on less speech than this."
    ),
    i_have_consent: bool = typer.Option(
        False, "--i-have-consent", help="The speaker agreed to this use of their voice."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step."),
) -> None:
    """Train a voice model of the dataset's target speaker."""
    setup_logging(verbose)
    with errors_to_exit():
        from voicekit.errors import InputError
        from voicekit.train import TrainConfig
        from voicekit.train import train as run_training
        from voicekit.workspace import Workspace, default_root

        if size not in ("tiny", "full"):
            raise InputError(f"--size {size!r}: expected tiny or full")
        conf = TrainConfig(
            size="tiny" if size == "tiny" else "full",
            batch_size=batch_size,
            min_minutes=min_minutes,
            seed=seed,
            eval_every=eval_every,
        )
        ws = Workspace(workspace or default_root(), create=False)
        _ask_consent(ws, i_have_consent)
        result = run_training(ws, conf, steps=steps, epochs=epochs, init=init, resume=resume)
        out = console()
        resumed = f"resumed at step {result.start_step}, " if result.start_step else ""
        out.print(
            f"{resumed}trained to step {result.end_step} in {result.seconds / 60:.1f} min "
            f"(batch {result.batch_size})\ncheckpoint: {result.checkpoint}\n"
            f"run:        {result.run_dir}\nreport:     {result.eval_dir / 'report.html'}",
            soft_wrap=True,
        )


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask_consent(ws: Workspace, flag: bool) -> None:
    """Record the consent acknowledgement once per workspace: by flag or by asking."""
    from voicekit.train import consent

    if consent.acknowledged(ws):
        return
    if flag:
        consent.record(ws, consent.FLAG)
        return
    if not _interactive():
        consent.require(ws)  # raises: names the flag
    console(stderr=True).print(consent.NOTICE, soft_wrap=True)
    if not typer.confirm("Do you have the speaker's permission for this use?", default=False):
        raise typer.Exit(1)
    consent.record(ws, "prompt")
