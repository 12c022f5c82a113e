"""Write report.html: during export, and again from disk by `voicekit report WORKSPACE`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from voicekit import atomic, manifest
from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.report.data import collect
from voicekit.report.html import render

log = logging.getLogger("voicekit")

REPORT = "report.html"
DATASET = "dataset"
CONTEXT_STAGE = "filters"  # its manifest holds every turn and overlap (the timeline)


def write_report(
    dataset: Path, clips: list[Segment], context: list[Segment], workspace_root: Path
) -> Path:
    """Render `dataset/report.html` from clips (kept and rejected) and their context."""
    config_path = dataset / "config.json"
    config: dict[str, Any] = {}
    if config_path.exists():
        config = json.loads(config_path.read_text(encoding="utf-8"))
    page = render(collect(clips, context, workspace_root, config), dataset)
    path = dataset / REPORT
    atomic.write_text(path, page)
    return path


def render_report(workspace_root: Path) -> Path:
    """Re-render `<workspace>/dataset/report.html` from the manifests, computing nothing.

    Raises:
        WorkspaceError: `workspace_root` is not a voicekit workspace.
        InputError: no export has been run in it.
    """
    from voicekit.workspace import Workspace

    ws = Workspace(workspace_root, create=False)
    dataset = ws.path(DATASET)
    clips_path = ws.path("manifests/export.jsonl")
    if not clips_path.exists():
        clips_path = dataset / "segments.jsonl"
    if not clips_path.exists() or not dataset.is_dir():
        raise InputError(f"no exported dataset in {ws.root}", "run `voicekit dataset` first")
    clips = manifest.read(clips_path)
    context_path = ws.path(f"manifests/{CONTEXT_STAGE}.jsonl")
    if context_path.exists():
        context = [s for s in manifest.read(context_path) if s.custom.get("role") != "clip"]
    else:
        log.warning("%s missing: the report's timeline shows clips only", context_path)
        context = []
    ws.record(f"{DATASET}/{REPORT}", "report")
    return write_report(dataset, clips, context, ws.root)
