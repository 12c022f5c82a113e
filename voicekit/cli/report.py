"""`voicekit report`: re-render report.html from the manifests, recomputing nothing."""

from __future__ import annotations

from pathlib import Path

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging


def report(
    workspace: Path = typer.Argument(Path("voicekit-work"), help="The workspace folder."),
) -> None:
    """Re-render the dataset report from the workspace's manifests."""
    setup_logging()
    with errors_to_exit():
        from voicekit.report.render import render_report
        from voicekit.workspace import Workspace

        ws = Workspace(workspace, create=False)
        with ws.claimed("voicekit report", "data"):
            path = render_report(ws.root)
        console().print(f"report: {path}")
