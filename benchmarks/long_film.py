"""Extraction on a feature-length film against the same audio as separate short films.

Builds Mandarin scenes from the real recordings in ../shared/data (voicekit.demo.real, one
target, a varied English cast), then two versions of the same audio: one 5.1 film of all the
scenes back to back, and one 5.1 film per scene. In both the centre channel carries the
dialogue and the other channels the scene's music and effects (the usual film mix). Runs the
dataset pipeline on each version in its own workspace with the target's enrolment clips and
prints precision/recall side by side, where the rest of the target's speech went
(voicekit/eval/budget.py), the ratios and the realtime factors.

The scenes draw the target's utterances from one speaker's pool, so later scenes repeat earlier
utterances and the duplicate filter rejects those clips: recall is lower than on the CI set in
both versions alike.

    python benchmarks/long_film.py [--data ../shared/data] [--scenes 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from voicekit import config
from voicekit.demo.joined import joined_film, scene_films
from voicekit.demo.real import build_real_set
from voicekit.eval.budget import format_budget, loss_budget
from voicekit.eval.extraction import evaluate, format_table
from voicekit.pipeline import registry
from voicekit.pipeline.runner import Runner
from voicekit.pipeline.stage import Context
from voicekit.workspace import Workspace


def build(scenes_dir: Path, work: Path, data: Path, n: int, seed: int) -> tuple[Path, Path]:
    """The folder of the joined film and the folder of per-scene films, each with truth."""
    truths = build_real_set(scenes_dir, data_root=data, lang="zh", n_scenes=n, seed=seed,
                            scene_seconds=(150.0, 200.0))  # fmt: skip
    joined_film(truths, work / "joined", "zh")
    scene_films(truths, work / "split", "zh")
    return work / "joined", work / "split"


def run(folder: Path, refs: list[Path], ws_root: Path) -> dict[str, Any]:
    """The pipeline over every film of ``folder`` in one workspace, scored against truth."""
    truths = sorted(folder.glob("*.truth.json"))
    films = [folder / json.loads(t.read_text(encoding="utf-8"))["film"] for t in truths]
    conf = config.load()
    started = time.monotonic()
    ctx = Context(Workspace(ws_root), conf, sources=films, refs=refs, lang="zh")
    segments, _ = Runner(registry.build(conf), ctx).run()
    wall = time.monotonic() - started
    result = evaluate(truths, segments)
    result["budget"] = loss_budget(truths, ctx.manifests["identify"], segments)
    audio_s = sum(json.loads(t.read_text(encoding="utf-8"))["duration"] for t in truths)
    result["overall"].update(wall_s=wall, audio_s=audio_s, realtime_factor=wall / audio_s)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--work", type=Path, default=Path("scratch/bench-long-film"))
    parser.add_argument("--scenes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (args.data / "speech").is_dir():
        print(f"long-film benchmark: {args.data}/speech not found", file=sys.stderr)
        return 2
    scenes_dir = args.work / "scenes"
    joined_dir, split_dir = build(scenes_dir, args.work, args.data, args.scenes, args.seed)
    target = json.loads(next(joined_dir.glob("*.truth.json")).read_text())["target"]
    refs = sorted((scenes_dir / "refs" / target).glob("*.wav"))
    results = {}
    for label, folder in (("one film", joined_dir), (f"{args.scenes} films", split_dir)):
        results[label] = run(folder, refs, args.work / f"ws-{folder.name}")
        o = results[label]["overall"]
        print(f"\n[{label}] {o['audio_s'] / 60:.1f} min of audio, {o['wall_s']:.0f} s, "
              f"realtime factor {o['realtime_factor']:.2f}")
        print(format_table({"films": {}, "overall": o}))
        print(format_budget(results[label]["budget"]))
    (one, many) = (results[k]["overall"] for k in results)
    print("\none film / separate films: " + ", ".join(
        f"{key} {one[key] / many[key]:.3f}" for key in ("precision", "recall", "recall_clean",
                                                        "wall_s") if many[key]))  # fmt: skip
    print(json.dumps({"date": date.today().isoformat(), "machine": platform.platform(),
                      "results": {k: v["overall"] for k, v in results.items()}}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
