"""`voicekit train`: the target's VITS voice from the exported dataset, resumable."""

from __future__ import annotations

from pathlib import Path

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging, workspace_option


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
    batch_size: int = typer.Option(0, "--batch-size", help="Clips per step (0: preset)."),
    min_minutes: float = typer.Option(
        5.0, "--min-minutes", help="Refuse to train on less speech than this."
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
        )
        ws = Workspace(workspace or default_root(), create=False)
        result = run_training(ws, conf, steps=steps, epochs=epochs, init=init, resume=resume)
        out = console()
        resumed = f"resumed at step {result.start_step}, " if result.start_step else ""
        out.print(
            f"{resumed}trained to step {result.end_step} in {result.seconds / 60:.1f} min\n"
            f"checkpoint: {result.checkpoint}\nrun:        {result.run_dir}",
            soft_wrap=True,
        )
