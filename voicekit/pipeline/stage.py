"""The stage contract.

A stage splits its input manifest into items (the unit of caching, usually one recording),
processes each item into output segments and may write files next to them. The runner owns
caching, atomic publishing, ordering and progress; stages never print.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from voicekit.manifest import Segment
from voicekit.progress import ProgressHook, silent
from voicekit.workspace import Workspace

if TYPE_CHECKING:
    from voicekit.config import Config

log = logging.getLogger("voicekit")


@dataclass
class Context:
    """What every stage may use: the workspace, the config, the run's inputs and progress."""

    workspace: Workspace
    config: Config
    sources: list[Path] = field(default_factory=list)
    refs: list[Path] = field(default_factory=list)
    target: str | None = None
    lang: str = "auto"
    device: str = "cpu"
    progress: ProgressHook = silent
    # filled by the runner: manifests of stages that already ran in this invocation
    manifests: dict[str, list[Segment]] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """One unit of caching.

    Attributes:
        id: human-readable id (a recording id, or "all").
        inputs: the input segments this item depends on.
        seconds: audio seconds covered (for progress).
        key: extra data that decides the output besides `inputs` (e.g. a source's content hash).
    """

    id: str
    inputs: tuple[Segment, ...] = ()
    seconds: float = 0.0
    key: dict[str, Any] = field(default_factory=dict)


class Output:
    """Where one item's files go: written under `<key>.partial/`, published as `<key>/`.

    `path(name)` is where to write now; `rel(name)` is the workspace-relative path the file will
    have once published (what segments should reference). The partial folder survives a crash,
    so a stage can checkpoint chunks in it and pick them up on the next run.
    """

    def __init__(self, partial: Path, final_rel: str) -> None:
        self.partial = partial
        self.final_rel = final_rel

    def path(self, name: str) -> Path:
        target = self.partial / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def rel(self, name: str) -> str:
        return f"{self.final_rel}/{name}"

    def commit_chunk(self, tmp: Path, name: str) -> None:
        """Atomically publish a chunk file written at `tmp`."""
        os.replace(tmp, self.path(name))


class Stage:
    """Base class of stages. Subclasses set `name`, `version` and implement `process`."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    ledger_kind: ClassVar[str] = "stage"
    publish_to: ClassVar[str | None] = None  # a fixed workspace folder instead of the cache

    def __init__(self, config: Config) -> None:
        self.config = config

    def fingerprint(self) -> dict[str, Any]:
        """Backend, model and output-affecting config: part of every cache key.

        Of the per-backend sub-sections (a field named like a value of `backend`), only the
        chosen backend's counts, so adding or tuning another backend keeps these caches.
        """
        import typing

        from voicekit.config import fingerprint

        section = getattr(self.config, self.name, None)
        if section is None:
            return {}
        found = fingerprint(section)
        if "backend" in found:
            names = typing.get_args(typing.get_type_hints(type(section))["backend"])
            found = {k: v for k, v in found.items() if k not in names or k == found["backend"]}
        return found

    def items(self, inputs: list[Segment], ctx: Context) -> list[Item]:
        """Default: one item per recording, in first-seen order."""
        groups: dict[str, list[Segment]] = {}
        for seg in inputs:
            groups.setdefault(seg.recording_id, []).append(seg)
        return [
            Item(rid, tuple(segs), seconds=recording_seconds(segs)) for rid, segs in groups.items()
        ]

    def open(self, ctx: Context) -> None:
        """Load models before the first pending item (stage-major execution)."""

    def close(self) -> None:
        """Free models after the last item."""

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        raise NotImplementedError


def recording_seconds(segments: list[Segment] | tuple[Segment, ...]) -> float:
    """Length of a recording as known from its segments (ingest stores it in custom)."""
    if not segments:
        return 0.0
    stored = segments[0].custom.get("recording_duration")
    return float(stored) if stored is not None else max(s.end for s in segments)
