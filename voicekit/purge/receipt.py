"""The purge receipt: a small JSON file, outside the deleted tree, that proves what was done.

It holds counts, bytes, paths that remain and a SHA-256 of the plan, and never any audio, text,
transcript or speaker embedding: a receipt may be shared as proof without sharing the voice.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from voicekit import atomic
from voicekit.errors import InputError
from voicekit.purge.execute import Outcome
from voicekit.purge.plan import Plan


def default_path(now: datetime) -> Path:
    """`./voicekit-purge-receipt-<UTC time>.json` in the current folder."""
    return Path.cwd() / f"voicekit-purge-receipt-{now.strftime('%Y%m%dT%H%M%SZ')}.json"


def check_path(path: Path, plan: Plan) -> Path:
    """The absolute receipt path, refused when the purge would delete it or it exists.

    Raises:
        InputError: the path is inside the workspace or a weights folder being deleted, or
            a file already exists there.
    """
    full = Path(os.path.realpath(path.expanduser().absolute().parent)) / path.name
    bases = [plan.root, *(Path(e.base) / e.path for e in plan.files + plan.dirs
                          if e.base and "/" not in e.path)]
    for base in bases:
        if full == base or full.is_relative_to(base):
            raise InputError(f"--receipt {path} is inside {base}, which purge deletes",
                             "write the receipt outside the workspace")
    if os.path.lexists(full):
        raise InputError(f"--receipt {path} already exists", "choose a new file name")
    return full


def build(plan: Plan, outcome: Outcome, *, shred: bool, now: datetime) -> dict[str, object]:
    """The receipt content: what was planned and deleted per kind, and what remains."""
    planned = {kind: {"files": files, "bytes": size}
               for kind, (files, size) in plan.totals().items()}
    deleted = {kind: {"files": files, "bytes": size}
               for kind, (files, size) in outcome.deleted.items()}
    remaining = outcome.verification.remaining
    return {
        "receipt": "voicekit purge",
        "version": 1,
        "time": now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "workspace": str(plan.root),
        "what": plan.what,
        "include_weights": plan.include_weights,
        "plan_sha256": plan.sha256(),
        "planned": planned,
        "deleted": deleted,
        "deleted_total": {"files": sum(v[0] for v in outcome.deleted.values()),
                          "bytes": sum(v[1] for v in outcome.deleted.values()),
                          "folders": outcome.dirs_removed},
        "workspace_removed": outcome.workspace_removed,
        "kept": {"sources": plan.kept_sources, "other_groups": plan.kept_other,
                 "weights_not_included": plan.weights_not_included},
        "refused": [{"path": r.path, "reason": r.reason} for r in plan.refused],
        "shred": {"requested": shred, "overwritten": outcome.overwritten,
                  "not_overwritten": outcome.not_overwritten},
        "verification": {
            "ok": outcome.verification.ok,
            "remaining_count": len(remaining),
            "remaining": [{"path": r.path, "reason": r.reason} for r in remaining],
        },
    }


def write(path: Path, receipt: dict[str, object]) -> None:
    """Write the receipt atomically (a crash leaves no half receipt)."""
    atomic.write_text(path, json.dumps(receipt, indent=1, ensure_ascii=False) + "\n")
