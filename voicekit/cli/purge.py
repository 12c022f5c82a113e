"""`voicekit purge`: delete every artefact of a workspace, prove it by re-scanning, leave a receipt.

Exit codes: 0 purged and verified (or nothing to purge), 1 something remains (or the user said
no), 2 bad input (not a workspace, a receipt path inside it, stdin not a terminal without --yes).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from voicekit.cli.common import WORKSPACE_HELP, console, errors_to_exit, setup_logging

if TYPE_CHECKING:
    from rich.console import Console

    from voicekit.purge.execute import Outcome
    from voicekit.purge.plan import Plan

SHOWN = 20  # paths listed on screen before "... and N more" (the receipt has them all)
NOTES = {"unlisted": "found by the scan, not in the ledger", "temp": "incl. .partial folders"}


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def show_plan(plan: Plan, out: Console) -> None:
    """The plan as a person reads it: per kind, per top folder, what is kept and refused."""
    from rich.table import Table

    kinds = Table(title=f"purge plan: {plan.root} (--what {plan.what})", title_justify="left")
    for name, justify in (("kind", "left"), ("group", "left"), ("files", "right"),
                          ("size", "right"), ("note", "left")):
        kinds.add_column(name, justify=justify)  # type: ignore[arg-type]
    totals = plan.totals()
    for kind, (files, size) in sorted(totals.items()):
        group = next(e.group for e in plan.files if e.kind == kind)
        kinds.add_row(kind, group, str(files), _size(size), NOTES.get(kind, ""))
    kinds.add_row("[bold]total[/]", "", str(len(plan.files)),
                  _size(sum(s for _, s in totals.values())), f"and {len(plan.dirs)} folders")
    out.print(kinds)
    folders: dict[str, list[int]] = {}
    for entry in plan.files:
        top = f"{entry.base}/{entry.path.split('/')[0]}" if entry.base else entry.path.split("/")[0]
        counts = folders.setdefault(top, [0, 0])
        counts[0] += 1
        counts[1] += entry.size
    where = Table(title="where", title_justify="left")
    where.add_column("path")
    where.add_column("files", justify="right")
    where.add_column("size", justify="right")
    for top, (files, size) in sorted(folders.items()):
        where.add_row(top, str(files), _size(size))
    if folders:
        out.print(where)
    if plan.what == "all" and "" in plan.keep_dirs:
        out.print("then the marker and the ledger are removed; the folder stays for what is kept")
    elif plan.what == "all":
        out.print("then the marker, the ledger and the workspace folder itself are removed")
    else:
        out.print(f"the ledger is rewritten without the purged {plan.what} entries")
    if plan.kept_sources:
        out.print(f"kept: {plan.kept_sources} source file(s) inside the workspace (never deleted)")
    if plan.kept_other:
        out.print(f"kept: {plan.kept_other} file(s) outside --what {plan.what}")
    if plan.weights_not_included:
        out.print(f"kept: {plan.weights_not_included} downloaded weight path(s) outside the "
                  "workspace (add --include-weights --what all|models to delete them)")
    shared = sum(e.shared for e in plan.files)
    if shared:
        out.print(f"[yellow]note:[/] {shared} file(s) have other hard links: their data stays "
                  "under the other name")
    for refused in plan.refused[:SHOWN]:
        out.print(f"[yellow]refused:[/] {refused.path}: {refused.reason}", soft_wrap=True)
    if len(plan.refused) > SHOWN:
        out.print(f"[yellow]refused:[/] ... and {len(plan.refused) - SHOWN} more")


def show_outcome(outcome: Outcome, receipt: Path, out: Console) -> None:
    files = sum(v[0] for v in outcome.deleted.values())
    size = sum(v[1] for v in outcome.deleted.values())
    out.print(f"deleted {files} file(s) ({_size(size)}) and {outcome.dirs_removed} folder(s)")
    if outcome.overwritten or outcome.not_overwritten:
        out.print(f"overwritten before deletion: {outcome.overwritten}; not overwritten "
                  f"(hard-linked, unwritable or not a file): {outcome.not_overwritten}")
    remaining = outcome.verification.remaining
    if outcome.verification.ok:
        out.print("[green]verified:[/] a re-scan found 0 files and 0 bytes of purged artefacts")
    else:
        out.print(f"[bold red]verification failed:[/] {len(remaining)} path(s) remain")
        for item in remaining[:SHOWN]:
            out.print(f"  {item.path}: {item.reason}", soft_wrap=True, markup=False)
        if len(remaining) > SHOWN:
            out.print(f"  ... and {len(remaining) - SHOWN} more (all listed in the receipt)")
        out.print("the marker and ledger are kept: fix the cause and run the same purge again")
    out.print(f"receipt: {receipt}")


class What(StrEnum):
    """--what choices (the groups of voicekit.purge.ledger.GROUPS, plus all)."""

    all = "all"
    data = "data"
    models = "models"
    outputs = "outputs"


def purge(
    what: Annotated[What, typer.Option("--what", help="Delete everything, or one group.")]
    = What.all,
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", help=WORKSPACE_HELP)]
    = None,
    include_weights: Annotated[bool, typer.Option(
        "--include-weights",
        help="Also delete third-party weights voicekit downloaded (those in the ledger only).")]
    = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan; delete nothing.")]
    = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    shred: Annotated[bool, typer.Option(
        "--shred", help="Overwrite files with zeros before deleting (best effort: not "
                        "guaranteed on SSDs or copy-on-write filesystems).")] = False,
    receipt: Annotated[Path | None, typer.Option(
        "--receipt", help="Receipt file (default ./voicekit-purge-receipt-<UTC time>.json); "
                          "must be outside the workspace.")] = None,
) -> None:
    """Delete every artefact voicekit wrote in a workspace, verify, and write a receipt."""
    setup_logging()
    with errors_to_exit():
        from voicekit.errors import InputError
        from voicekit.purge import receipt as receipts
        from voicekit.purge.plan import build_plan
        from voicekit.workspace import Workspace, default_root

        out = console()
        root = (workspace or default_root()).expanduser().absolute()
        if not root.exists():
            out.print(f"nothing to purge: {root} does not exist (already purged?)")
            return
        with Workspace(root, create=False).claimed("voicekit purge", None):
            plan = build_plan(root, what.value, include_weights)
            show_plan(plan, out)
            if dry_run:
                out.print("dry run: nothing was deleted")
                return
            now = datetime.now(UTC)
            receipt_path = receipts.check_path(receipt or receipts.default_path(now), plan)
            if not yes:
                if not stdin_is_terminal():
                    raise InputError(
                        "refusing to purge without confirmation: stdin is not a terminal",
                        "pass --yes to confirm, or --dry-run to only see the plan",
                    )
                if not typer.confirm(
                    f"Delete these files from {plan.root}? This cannot be undone", default=False
                ):
                    out.print("aborted: nothing was deleted")
                    raise typer.Exit(1)
            outcome = _run(plan, shred)
        receipts.write(receipt_path, receipts.build(plan, outcome, shred=shred, now=now))
        show_outcome(outcome, receipt_path, out)
        if not outcome.verification.ok:
            raise typer.Exit(1)


def stdin_is_terminal() -> bool:
    """Whether a person can answer the confirmation (a pipe or a CI job cannot)."""
    return sys.stdin.isatty()


def _run(plan: Plan, shred: bool) -> Outcome:
    """Execute with a progress bar on stderr (shown on a terminal only)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from voicekit.purge.execute import execute

    err = console(stderr=True)
    with Progress(TextColumn("deleting"), BarColumn(), MofNCompleteColumn(), console=err,
                  disable=not err.is_terminal) as bar:
        task = bar.add_task("purge", total=len(plan.files) + len(plan.dirs))
        return execute(plan, shred=shred, progress=lambda n: bar.advance(task, n))
