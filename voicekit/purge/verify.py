"""Re-scan after deletion: anything of the purged kinds that is still there is a failure.

Verification does not trust the executor: it walks the workspace again (and the listed weights),
so a file whose deletion failed and a file written during the purge are both reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from voicekit.purge.ledger import selected
from voicekit.purge.plan import WORKSPACE_FILES, Plan
from voicekit.purge.scan import DIR, ancestors, scan


@dataclass(frozen=True)
class Remaining:
    """A path that should be gone and is not, and the best known reason."""

    path: str
    reason: str


@dataclass
class Verification:
    """The re-scan's result: `ok` means 0 files and 0 bytes of purged artefacts remain."""

    remaining: list[Remaining] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.remaining


def verify(plan: Plan, failures: dict[str, str], *, finished: bool = False) -> Verification:
    """Walk what the plan covered and list everything of the purged kinds still present.

    Args:
        plan: the executed plan.
        failures: display path -> why its deletion failed (from the executor).
        finished: the workspace marker, ledger and folder were meant to go too (`--what all`).
    """
    assert plan.index is not None  # a built plan always carries its ledger index
    planned = {e.display() for e in plan.files} | {d.display() for d in plan.dirs}
    result = Verification()

    def report(path: str) -> None:
        if path in failures:
            reason = failures[path]
        elif path in planned:
            reason = "still present after deletion (re-created during the purge?)"
        else:
            reason = "not in the plan: written after the plan was made"
        result.remaining.append(Remaining(path, reason))

    root = plan.root
    if os.path.lexists(root):
        for found in scan(root):
            if found.rel in WORKSPACE_FILES:
                if finished:
                    report(found.rel)
                continue
            if plan.index.is_source(found.rel):
                continue
            if found.type == DIR:
                gone = found.rel in planned or (plan.what == "all"
                                                and found.rel not in plan.keep_dirs)
            else:
                gone = selected(plan.what, plan.index.classify(found.rel)[0])
            if gone:
                report(found.rel)
        if finished and "" not in plan.keep_dirs:
            report(".")
    for entry in plan.files + plan.dirs:
        if entry.base and os.path.lexists(Path(entry.base) / entry.path):
            report(entry.display())
    # A folder that stays only because something listed is inside it adds nothing to the report.
    explained = {a for r in result.remaining for a in ancestors(r.path)}
    result.remaining = [r for r in result.remaining if r.path not in explained]
    return result
