"""`voicekit report`: re-render report.html from the manifests, recomputing nothing."""

from __future__ import annotations

from pathlib import Path

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging, workspace_option


def report(
    folder: Path | None = typer.Argument(
        None, metavar="[WORKSPACE]", help="The workspace folder (or --workspace).",
        show_default=False,
    ),
    workspace: Path | None = workspace_option(),
) -> None:
    """Re-render the dataset report from the workspace's manifests."""
    setup_logging()
    with errors_to_exit():
        from voicekit.errors import InputError
        from voicekit.report.render import render_report
        from voicekit.workspace import Workspace, default_root

        if folder is not None and workspace is not None and folder != workspace:
            raise InputError(
                f"two workspaces given: {folder} and --workspace {workspace}",
                "name the workspace once",
            )
        ws = Workspace(folder or workspace or default_root(), create=False)
        with ws.claimed("voicekit report", "data"):
            path = render_report(ws.root)
        console().print(f"report: {path}")
