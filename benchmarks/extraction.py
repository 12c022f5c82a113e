"""Extraction quality and speed on film-like scenes built from real recordings (../shared/data).

Builds a fixed set of scenes per language (deterministic seed), runs the dataset pipeline on each
with its target's enrolment clips, and prints per-scene and overall precision/recall, the
other-speaker and non-speech shares of kept audio, SI-SDR, the realtime factor, and the ASR error
of the kept clips next to the same Whisper model's error on the truth turns (CER zh / WER en, see
voicekit/eval/asr_kept.py), and where the rest of the target's speech went (the stage that
dropped it, voicekit/eval/budget.py), all measured in this one run. With --ci it fails (exit 1)
when a number falls below benchmarks/floors.json.

With --joined (and --ci) the Mandarin scenes are also scored as one film, all scenes back to back
in a 5.1 mix: a recording long enough to be diarized in blocks.

With --bleed the scenes carry loud music in the dialogue channel (voicekit.demo.real.BLEED) and
the SNR filter is scored against each clip's true SNR from the stems (voicekit/eval/snr_truth.py).

    python benchmarks/extraction.py [--data ../shared/data] [--scenes 2] [--seed 0]
        [--langs en zh] [--joined] [--set KEY=VALUE ...] [--bleed | --ci] [--out FILE]
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
from voicekit.demo.joined import joined_film
from voicekit.demo.real import BLEED, MusicLevel, build_real_set
from voicekit.eval.asr import Recognizer
from voicekit.eval.asr_kept import evaluate_asr
from voicekit.eval.budget import format_budget, loss_budget
from voicekit.eval.extraction import evaluate, format_table
from voicekit.eval.run import final, run_scene
from voicekit.eval.snr_truth import clip_snrs, format_rejections, format_summary
from voicekit.manifest import Segment
from voicekit.workspace import Workspace

FLOORS = Path(__file__).with_name("floors.json")
JOINABLE = ("zh",)  # sets whose scenes share one target (the English scenes' targets differ)


def measure(data: Path, work: Path, lang: str, scenes: int, seed: int,
            conf: config.Config, music: MusicLevel | None = None,
            joined: bool = False) -> dict[str, Any]:
    """The set's scores; ``joined``: its scenes as one 5.1 film (voicekit.demo.joined)."""
    tag = f"{lang}-bleed" if music else lang
    truths = build_real_set(work / f"scenes-{tag}", data_root=data, lang=lang, n_scenes=scenes,
                            seed=seed, music=music or MusicLevel())
    if joined:
        tag = f"{tag}-joined"
        truths = [joined_film(truths, work / f"scenes-{tag}", lang)]
    ws_root = work / f"ws-{tag}"
    fresh = not ws_root.exists()  # else stages cached there by an earlier run are reused
    segments = []
    identified = []
    audio_s = 0.0
    started = time.monotonic()
    for truth in truths:
        outputs = run_scene(truth, ws_root, conf)
        segments += final(outputs)
        identified += outputs["identify"]
        audio_s += json.loads(truth.read_text(encoding="utf-8"))["duration"]
    wall = time.monotonic() - started
    ws = Workspace(ws_root)
    result = evaluate(truths, segments, audio_of=lambda s: ws.path(s.audio))
    result["overall"]["audio_s"] = audio_s
    result["overall"]["wall_s"] = wall
    result["overall"]["realtime_factor"] = wall / audio_s
    result["overall"].update(asr_scores(truths, segments, ws, conf, lang))
    result["budget"] = loss_budget(truths, identified, segments)
    result["snr_clips"] = clip_snrs(truths, segments, audio_of=lambda s: ws.path(s.audio))
    result["fresh"] = fresh
    return result


def asr_scores(truths: list[Path], segments: list[Segment], ws: Workspace, conf: config.Config,
               lang: str) -> dict[str, float]:
    """ASR error of the kept clips and of the same model on the truth turns (scene language)."""
    recognizer = Recognizer(str(conf.transcribe.model), conf, threads=conf.transcribe.threads,
                            beam_size=conf.transcribe.beam_size)
    try:
        scores = evaluate_asr(truths, segments, ws.path, recognizer).get(lang)
    finally:
        recognizer.close()
    if scores is None:
        return {}
    return {("asr_turns" if k == "turns" else k): float(v) for k, v in scores.items()
            if k != "metric"}


def check(results: dict[str, dict[str, Any]], floors: dict[str, dict[str, float]]) -> list[str]:
    """Failures: `min_*` floors must be met, `max_*` ceilings not exceeded."""
    failures = []
    for lang, bounds in floors.items():
        overall = results[lang]["overall"]
        for name, bound in bounds.items():
            kind, metric = name.split("_", 1)
            value = overall[metric]
            if (kind == "min" and value < bound) or (kind == "max" and value > bound):
                failures.append(f"{lang} {metric} = {value:.3f}, {kind} allowed {bound}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--work", type=Path, default=Path("scratch/bench-extraction"))
    parser.add_argument("--scenes", type=int, default=2, help="scenes per language")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--langs", nargs="+", default=["en", "zh"], choices=["en", "zh"])
    parser.add_argument("--bleed", action="store_true",
                        help="loud music in the dialogue channel; score the SNR filter")
    parser.add_argument("--joined", action="store_true",
                        help="also score each one-target set's scenes joined as one film "
                             "(longer than diarize.embedded.block_s: diarized in blocks)")
    parser.add_argument("--ci", action="store_true",
                        help="fail below benchmarks/floors.json (implies --joined)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config knob, as voicekit's --set (not with --ci)")
    parser.add_argument("--out", type=Path, help="write the numbers as JSON")
    args = parser.parse_args()
    if not (args.data / "speech").is_dir():
        print(f"extraction benchmark: {args.data}/speech not found", file=sys.stderr)
        return 2
    if args.ci and (args.bleed or args.set or args.langs != ["en", "zh"]):
        parser.error("--ci checks the default set and config: no --bleed, --set or --langs")
    sets = [(lang, False) for lang in args.langs]
    if args.joined or args.ci:
        sets += [(lang, True) for lang in args.langs if lang in JOINABLE]
    conf = config.load(overrides=args.set)
    results = {}
    for lang, joined in sets:
        key = f"{lang}_joined" if joined else lang
        results[key] = measure(args.data, args.work, lang, args.scenes, args.seed, conf,
                               BLEED if args.bleed else None, joined)
        print(f"\n[{key}] {args.scenes} scenes{' as one film' if joined else ''}, seed "
              f"{args.seed}{', bleed' if args.bleed else ''}")
        print(format_table(results[key]))
        o = results[key]["overall"]
        print(f"realtime factor {o['realtime_factor']:.2f} "
              f"({o['wall_s']:.0f} s for {o['audio_s']:.0f} s of audio, "
              + ("every stage computed)" if results[key]["fresh"] else
                 "stages cached by an earlier run reused: not a speed figure)"))
        if "asr_kept" in o:
            metric = "CER" if lang == "zh" else "WER"
            ratio = f"{o['asr_ratio']:.2f}" if "asr_ratio" in o else "-"
            print(f"ASR {metric} on {o['asr_turns']:.0f} covered target turns: kept clips "
                  f"{o['asr_kept']:.3f}, same model on truth turns {o['asr_truth']:.3f}, "
                  f"ratio {ratio}")
        else:
            print("ASR: no target turn covered by kept clips with text")
        print(format_budget(results[key]["budget"]))
        clips = results[key].pop("snr_clips")
        print(format_rejections(clips, conf.filters.min_snr_db))
        if args.bleed:
            print(format_summary(clips))
        results[key]["snr_clips"] = [c.__dict__ for c in clips]
    meta = {"date": date.today().isoformat(), "machine": platform.platform(),
            "cpus": __import__("os").cpu_count()}
    if args.out:
        args.out.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    if args.ci:
        failures = check(results, json.loads(FLOORS.read_text(encoding="utf-8")))
        for failure in failures:
            print(f"BELOW FLOOR: {failure}", file=sys.stderr)
        print(f"extraction quality: {len(failures)} below floor" if failures
              else "extraction quality: all floors met")
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
