"""Run the dataset pipeline on scenes with ground truth, one target at a time, and score them.

Scenes share one workspace, so ingest/separate/diarize results are cached across runs and only
the target-dependent stages re-run when a scene's enrolment clips differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from voicekit.config import Config
from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.progress import ProgressHook, silent


def truths_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder", "pass the folder the scenes were built in")
    found = sorted(folder.glob("*.truth.json"))
    if not found:
        raise InputError(f"no *.truth.json ground truth in {folder}",
                         "build scenes with scripts/make_demo_films.py")
    return found


def run_scene(truth_path: Path, workspace: Path, config: Config,
              progress: ProgressHook = silent) -> dict[str, list[Segment]]:
    """Each stage's segments for one scene (by stage name, the last one final), its target
    enrolled by the scene's refs."""
    from voicekit.pipeline import registry
    from voicekit.pipeline.runner import Runner
    from voicekit.pipeline.stage import Context
    from voicekit.workspace import Workspace

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    base = truth_path.parent
    refs = [base / r for r in truth.get("refs", {}).get(truth["target"], [])]
    lang = truth.get("language") or "auto"
    ctx = Context(Workspace(workspace), config, sources=[base / truth["film"]], refs=refs,
                  lang=lang if lang in ("zh", "en") else "auto", progress=progress)
    Runner(registry.build(config), ctx).run()
    return ctx.manifests


def final(outputs: dict[str, list[Segment]]) -> list[Segment]:
    """The last stage's segments of a `run_scene` result."""
    return list(outputs.values())[-1]


def run_scenes(folder: Path, workspace: Path, config: Config,
               progress: ProgressHook = silent) -> dict[str, Any]:
    """Per-scene and overall extraction scores for every `<film>.truth.json` in `folder`."""
    from voicekit.eval.extraction import evaluate
    from voicekit.workspace import Workspace

    truths = truths_in(folder)
    segments: list[Segment] = []
    for truth in truths:
        segments += final(run_scene(truth, workspace, config, progress))
    ws = Workspace(workspace)
    return evaluate(truths, segments, audio_of=lambda s: ws.path(s.audio))
