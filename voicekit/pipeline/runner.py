"""Runs stages in order, stage-major, with content-addressed caching and atomic publishing.

Cache layout: `<workspace>/stages/<stage>/<key>/` holding `segments.jsonl`, the stage's files and
`done.json` (written last). Work happens in `<key>.partial/`, renamed into place when complete,
so a crash never leaves a half-written result that looks finished. The key covers the stage
name and version, the backend/model/config fingerprint, the item's extra key data and the exact
input segments (whose audio paths point into upstream keys), so a change anywhere upstream
re-runs exactly what depends on it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from voicekit import hashing, manifest
from voicekit.errors import ConfigError, InputError, StageError, VoicekitError
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output, Stage

log = logging.getLogger("voicekit")

DONE = "done.json"
SEGMENTS = "segments.jsonl"


@dataclass
class StageReport:
    """What happened in one stage of a run."""

    name: str
    items: int = 0
    cached: int = 0
    computed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)
    segments: int = 0


def item_key(stage: Stage, item: Item) -> str:
    return hashing.key(
        {
            "stage": stage.name,
            "version": stage.version,
            "fingerprint": stage.fingerprint(),
            "item": item.key,
            "inputs": hashing.text_sha256(manifest.dumps(item.inputs)),
        }
    )


def select(stages: Sequence[Stage], start: str | None, stop: str | None) -> tuple[int, int]:
    names = [s.name for s in stages]
    for value in (start, stop):
        if value is not None and value not in names:
            raise ConfigError(f"unknown stage '{value}'", f"stages are: {', '.join(names)}")
    first = names.index(start) if start else 0
    last = names.index(stop) if stop else len(names) - 1
    if first > last:
        raise ConfigError(f"--from {start} comes after --to {stop}")
    return first, last


class Runner:
    """Runs a list of stages over a context."""

    def __init__(self, stages: Sequence[Stage], ctx: Context) -> None:
        self.stages = list(stages)
        self.ctx = ctx
        self.ws = ctx.workspace

    def run(
        self,
        start: str | None = None,
        stop: str | None = None,
        force: Sequence[str] = (),
    ) -> tuple[list[Segment], list[StageReport]]:
        first, last = select(self.stages, start, stop)
        for name in force:
            select(self.stages, name, None)
        inputs: list[Segment] = []
        reports = []
        for index, stage in enumerate(self.stages[: last + 1]):
            forced = (index >= first and start is not None) or stage.name in force
            inputs, report = self.run_stage(stage, inputs, forced=forced)
            reports.append(report)
        return inputs, reports

    def stage_dir(self, stage: Stage, key: str) -> tuple[str, str]:
        """(final, partial) workspace-relative folders for one item."""
        if stage.publish_to:
            return stage.publish_to, f"{stage.publish_to}.partial"
        return f"stages/{stage.name}/{key}", f"stages/{stage.name}/{key}.partial"

    def cached(self, stage: Stage, key: str) -> list[Segment] | None:
        final, _ = self.stage_dir(stage, key)
        done = self.ws.path(final) / DONE
        if not done.exists():
            return None
        try:
            info = json.loads(done.read_text(encoding="utf-8"))
        except ValueError:
            return None
        if info.get("key") != key:
            return None
        return manifest.read(self.ws.path(final) / SEGMENTS)

    def run_stage(
        self, stage: Stage, inputs: list[Segment], *, forced: bool = False
    ) -> tuple[list[Segment], StageReport]:
        ctx = self.ctx
        items = stage.items(inputs, ctx)
        report = StageReport(stage.name, items=len(items))
        total = sum(i.seconds for i in items)
        done_s = 0.0
        results: dict[str, list[Segment]] = {}
        pending: list[tuple[Item, str]] = []
        for item in items:
            key = item_key(stage, item)
            hit = None if forced else self.cached(stage, key)
            if hit is None:
                pending.append((item, key))
                continue
            results[item.id] = hit
            report.cached += 1
            self._event(stage.name, item.id, "cached")
            done_s += item.seconds
            ctx.progress(stage.name, item.id, done_s, total, True)
        outer = ctx.progress
        if pending:
            outer(stage.name, pending[0][0].id, done_s, total, False)  # the stage starts
            stage.open(ctx)
            try:
                for item, key in pending:
                    base = done_s

                    def hook(
                        stage_name: str,
                        item_id: str,
                        completed: float,
                        _total: float,
                        cached: bool = False,
                        base: float = base,
                    ) -> None:
                        outer(stage_name, item_id, base + completed, total, cached)

                    segments = self._process(stage, item, key, hook, report)
                    self._event(
                        stage.name, item.id, "computed" if segments is not None else "skipped"
                    )
                    done_s += item.seconds
                    outer(stage.name, item.id, done_s, total, False)
                    if segments is not None:
                        results[item.id] = segments
            finally:
                stage.close()
        outputs = [seg for item in items for seg in results.get(item.id, [])]
        report.segments = len(outputs)
        self._write_manifest(stage.name, outputs)
        ctx.manifests[stage.name] = outputs
        return outputs, report

    def _process(
        self, stage: Stage, item: Item, key: str, hook: object, report: StageReport
    ) -> list[Segment] | None:
        final_rel, partial_rel = self.stage_dir(stage, key)
        self.ws.record(final_rel, stage.ledger_kind)
        partial = self.ws.record(partial_rel, "temp")
        partial.mkdir(parents=True, exist_ok=True)
        ctx = self.ctx
        saved = ctx.progress
        ctx.progress = hook  # type: ignore[assignment]
        started = time.monotonic()
        try:
            segments = stage.process(item, Output(partial, final_rel), ctx)
        except InputError as err:
            log.warning("%s: %s skipped: %s", stage.name, item.id, err)
            report.skipped.append((item.id, str(err)))
            shutil.rmtree(partial, ignore_errors=True)
            return None
        except VoicekitError:
            raise
        except Exception as err:  # a backend bug or a library failure: one clear line
            raise StageError(
                f"{stage.name} failed on {item.id}: {type(err).__name__}: {err}",
                "run again with VOICEKIT_DEBUG=1 for the traceback",
            ) from err
        finally:
            ctx.progress = saved
        manifest.write(partial / SEGMENTS, segments)
        done = {
            "key": key,
            "stage": stage.name,
            "version": stage.version,
            "item": item.id,
            "seconds": round(time.monotonic() - started, 3),
            "segments": len(segments),
        }
        (partial / DONE).write_text(json.dumps(done, indent=1), encoding="utf-8")
        final = self.ws.path(final_rel)
        if final.exists():
            shutil.rmtree(final)
        os.replace(partial, final)
        report.computed += 1
        return segments

    def _event(self, stage: str, item: str, what: str) -> None:
        """Append to the run log (`logs/events.jsonl`): what each run computed or reused."""
        path = self.ws.record("logs/events.jsonl", "log")
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"time": time.time(), "stage": stage, "item": item, "what": what}, ensure_ascii=False
        )
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def _write_manifest(self, name: str, segments: list[Segment]) -> None:
        rel = f"manifests/{name}.jsonl"
        path = self.ws.record(rel, "manifest")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".jsonl.tmp")
        manifest.write(tmp, segments)
        os.replace(tmp, path)

