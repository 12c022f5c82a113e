"""Shared CLI plumbing: error mapping, logging, progress rendering."""

from __future__ import annotations

import errno
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from voicekit.errors import VoicekitError
from voicekit.progress import ProgressLines

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


WORKSPACE_HELP = "Workspace folder (default ./voicekit-work or VOICEKIT_WORKSPACE)."


def workspace_option() -> Any:
    """The `--workspace` option every workspace command takes."""
    return typer.Option(None, "--workspace", help=WORKSPACE_HELP)


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Map typed errors (and a full disk) to one red line with the fix, and an exit code."""
    try:
        yield
    except VoicekitError as err:
        if os.environ.get("VOICEKIT_DEBUG") == "1":
            raise
        _fail(err.message, err.fix, err.exit_code)
    except KeyboardInterrupt:
        console(stderr=True).print(
            "interrupted: finished work is kept; run the same command to resume"
        )
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as err:
        if os.environ.get("VOICEKIT_DEBUG") == "1":
            raise
        if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
            where = f" (writing {err.filename})" if err.filename else ""
            _fail(f"the disk is full{where}",
                  "free disk space, then run the same command: finished work is kept")  # fmt: skip
        console(stderr=True).print(
            f"[bold red]internal error:[/] {type(err).__name__}: {err}\n"
            "[yellow]fix:[/] run again with VOICEKIT_DEBUG=1 and report the traceback",
            markup=True,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def _fail(message: str, fix: str | None, code: int = 1) -> NoReturn:
    err_console = console(stderr=True)
    err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    if fix:
        err_console.print(f"[yellow]fix:[/] {fix}", markup=True, soft_wrap=True)
    raise typer.Exit(code) from None


def setup_logging(verbose: bool = False) -> None:
    """Warnings (and with --verbose, info) from the library go to stderr, one line each; so do
    the progress lines of long runs (the ``voicekit.progress`` logger). On a terminal rich
    wraps them to its width."""
    logger = logging.getLogger("voicekit")
    logger.handlers.clear()
    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        handler = RichHandler(
            console=console(stderr=True),
            show_time=False,
            show_path=False,
            markup=False,
            rich_tracebacks=False,
        )
    else:  # a log file: whole lines, not wrapped and padded to 80 columns
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)-8s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    logging.getLogger("voicekit.progress").setLevel(logging.INFO)  # progress lines, always
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)


class _Stderr(logging.StreamHandler):
    """Writes each record to ``sys.stderr`` as it is then (a test runner swaps it per call)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


class ProgressView:
    """Renders the runner's progress hook as one rich bar per stage, in seconds of audio, or as
    log lines (`ProgressLines`) when stderr is not a terminal. ``VOICEKIT_PROGRESS=1``: bars
    all the same; ``0``: neither."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        mode = os.environ.get("VOICEKIT_PROGRESS")
        bars = mode == "1" or (mode != "0" and sys.stderr.isatty())
        self.progress: Progress = Progress(
            TextColumn("{task.description:<11}"),
            BarColumn(),
            TextColumn("{task.completed:>7.0f}/{task.total:.0f} s audio"),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console(stderr=True),
            disable=not bars,
        )
        self.lines = ProgressLines() if not bars and mode != "0" else None
        self.tasks: dict[str, TaskID] = {}
        self.cached: dict[str, int] = {}

    def __enter__(self) -> ProgressView:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(
        self, stage: str, item: str, completed_s: float, total_s: float, cached: bool = False
    ) -> None:
        if self.lines is not None:
            self.lines(stage, item, completed_s, total_s, cached)
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=max(total_s, 1e-9), note="")
            self.cached[stage] = 0
        if cached:
            self.cached[stage] += 1
        note = f"{self.cached[stage]} cached" if self.cached[stage] else ""
        self.progress.update(
            self.tasks[stage], completed=completed_s, total=max(total_s, 1e-9), note=note
        )
