"""`voicekit train`: the target's voice from the exported dataset (VITS by default, resumable;
or XTTS-v2, GPT-SoVITS, F5-TTS through ``--backend``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging, workspace_option

if TYPE_CHECKING:
    from voicekit.train import backends
    from voicekit.workspace import Workspace


def train(
    workspace: Path | None = workspace_option(),
    backend: str = typer.Option(
        "vits", "--backend", help="vits (default), xtts, gptsovits or f5tts."
    ),
    steps: int | None = typer.Option(
        None, "--steps", help="Train this many more steps (default 100000)."
    ),
    epochs: int | None = typer.Option(
        None, "--epochs", help="Or this many more passes over the clips."
    ),
    hours: float | None = typer.Option(
        None, "--hours", help="Stop after this many hours of training (checkpoint saved)."
    ),
    size: str | None = typer.Option(
        None, "--size", help="full (GPU) or tiny (CPU smoke test) (default train.size: full)."
    ),
    init: Path | None = typer.Option(
        None,
        "--init",
        help="Pretrained checkpoint to fine-tune from (recommended): a .pth, or vits-ljspeech / "
        "vits-vctk after `voicekit models fetch NAME` (xtts: the weights folder or xtts-v2).",
    ),
    resume: bool = typer.Option(
        True, "--resume/--no-resume", help="Continue the latest run from its last checkpoint."
    ),
    batch_size: int | None = typer.Option(
        None, "--batch-size", help="Clips per step (default train.batch_size; 0: from free GPU "
        "memory, else the preset)."
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Training seed (same seed: same run on CPU; default train.seed)."
    ),
    eval_every: int | None = typer.Option(
        None, "--eval-every", help="Evaluate every N steps and at the end (0: never; default "
        "train.eval_every: 1000)."
    ),
    min_minutes: float | None = typer.Option(
        None, "--min-minutes", help="Refuse to train on less speech than this (default "
        "train.min_minutes: 5)."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Config YAML (default: configs/default.yaml; section train; "
        "configs/train/tiny.yaml for a CPU smoke test)."
    ),
    set_: list[str] = typer.Option([], "--set", help="Override a config key: train.x=value."),
    i_have_consent: bool = typer.Option(
        False, "--i-have-consent", help="The speaker agreed to this use of their voice."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step."),
) -> None:
    """Train a voice model of the dataset's target speaker."""
    setup_logging(verbose)
    with errors_to_exit():
        from dataclasses import replace

        from voicekit import config as cfg
        from voicekit.errors import InputError
        from voicekit.train import backends
        from voicekit.workspace import Workspace, default_root

        if size not in (None, "tiny", "full"):
            raise InputError(f"--size {size!r}: expected tiny or full")
        chosen = backends.get(backend)
        if hours is not None and backend != "vits":
            raise InputError(f"--hours applies to the vits backend, not {backend}",
                             "use --epochs")
        given: dict[str, Any] = {"size": size, "batch_size": batch_size, "seed": seed,
                                 "eval_every": eval_every, "min_minutes": min_minutes}
        conf = replace(cfg.load(config, list(set_)).train,
                       **{k: v for k, v in given.items() if v is not None})
        options = backends.Options(conf, steps, epochs, init, resume, hours)
        ws = Workspace(workspace or default_root(), create=False)
        with ws.claimed("voicekit train", "data"):
            _ask_consent(ws, i_have_consent)
            plan = chosen.prepare(ws, options)
            err = console(stderr=True)
            err.print(f"{backend} fine-tunes from: {plan.licence}", soft_wrap=True)
            if plan.missing is not None:
                console().print(_commands(plan), soft_wrap=True, markup=False)
                return
            outcome = chosen.run(ws, plan, options)
            console().print(outcome.summary, soft_wrap=True, markup=False)


def _commands(plan: backends.Plan) -> str:
    """The message for a backend whose tool is not installed: why, and what to run."""
    lines = [f"{plan.backend} is not run here: {plan.missing}.", "Run these commands yourself:"]
    lines += [f"  ln -s {target} {link}" for link, target in plan.links]
    lines += [f"  {step.shell()}" for step in plan.steps]
    lines += [f"note: {note}" for note in plan.notes]
    return "\n".join(lines)


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
