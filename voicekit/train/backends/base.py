"""What every ``voicekit train --backend`` shares: the plan, its steps and how they run.

A backend turns the exported dataset into a ``Plan``: the licence of what it fine-tunes from,
the external commands (with every path filled in) and where their outputs go under the
workspace. ``run`` executes the plan; when the tool is not installed the plan says why
(``missing``) and the CLI prints the commands for the user to run instead.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from voicekit.errors import InputError, StageError
from voicekit.train.config import TrainConfig
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")

DATASET = "dataset"


@dataclass(frozen=True)
class Options:
    """What ``voicekit train`` passes every backend (each uses what applies to it)."""

    conf: TrainConfig = field(default_factory=TrainConfig)
    steps: int | None = None
    epochs: int | None = None
    init: Path | None = None  # a checkpoint (vits, f5tts) or weights folder (xtts)
    resume: bool = True
    hours: float | None = None  # vits only: stop after this long


@dataclass(frozen=True)
class Step:
    """One external command: argv, working folder and the environment it adds."""

    title: str
    argv: tuple[str, ...]
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    def shell(self) -> str:
        """The command as one line a user can paste into a POSIX shell."""
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        line = f"{env} {shlex.join(self.argv)}" if env else shlex.join(self.argv)
        return f"(cd {shlex.quote(str(self.cwd))} && {line})" if self.cwd else line


@dataclass(frozen=True)
class Plan:
    """A prepared training run.

    ``missing`` is None when voicekit can run the steps itself, else the reason it cannot
    (the CLI then prints ``steps`` for the user). ``links`` are symlinks (outside the
    workspace -> inside it) the tool needs, because it only reads and writes below its own
    checkout; they are made and recorded as weights paths when the plan runs.
    """

    backend: str
    licence: str
    output: str  # workspace-relative folder holding everything the run writes
    steps: tuple[Step, ...] = ()
    missing: str | None = None
    links: tuple[tuple[Path, Path], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a finished run left: the folder and the model files ``speak`` can load."""

    backend: str
    output: Path
    models: tuple[Path, ...]
    summary: str


class Backend(Protocol):
    """One training backend of ``voicekit train --backend NAME``."""

    name: str

    def prepare(self, ws: Workspace, options: Options) -> Plan:
        """Check the exported data and the tool; build the plan (nothing is trained)."""
        ...

    def run(self, ws: Workspace, plan: Plan, options: Options) -> Outcome:
        """Train according to ``plan`` (whose ``missing`` is None)."""
        ...


def dataset_file(ws: Workspace, rel: str, backend: str) -> Path:
    """A file or folder of the exported dataset, or an InputError naming what writes it."""
    path = ws.path(DATASET) / rel
    if not path.exists():
        raise InputError(
            f"{path} not found: the {backend} backend trains from it",
            "run `voicekit dataset` first (its export stage writes it)",
        )
    return path


def tool_dir(variable: str) -> Path | None:
    """The folder an environment variable names, when it is set and exists."""
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser() if value and Path(value).expanduser().is_dir() else None


def run_steps(ws: Workspace, plan: Plan) -> Path:
    """Run every step in order, each logging to ``<output>/logs/NN-title.log``.

    Raises:
        StageError: a step exited non-zero (the message names its log).
    """
    output = ws.record(plan.output, "checkpoint")  # before the tool writes anything below it
    logs = output / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for link, target in plan.links:
        target.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            ws.record_weights(link)
            link.symlink_to(target, target_is_directory=True)
    for number, step in enumerate(plan.steps, 1):
        log_path = logs / f"{number:02d}-{step.title.replace(' ', '-')}.log"
        log.info("%s: %s", plan.backend, step.shell())
        with open(log_path, "w", encoding="utf-8") as handle:
            handle.write(step.shell() + "\n")
            handle.flush()
            done = subprocess.run(
                step.argv, cwd=step.cwd, env={**os.environ, **step.env},
                stdout=handle, stderr=subprocess.STDOUT, check=False,
            )  # fmt: skip
        if done.returncode != 0:
            raise StageError(
                f"{plan.backend}: {step.title} failed (exit {done.returncode})",
                f"see {log_path}",
            )
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        kind = "log" if path.suffix in (".log", ".txt", ".json", ".yaml", ".tsv") else "checkpoint"
        ws.record(ws.rel(path), kind)
    return output
