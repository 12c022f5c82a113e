"""Real-speech training baseline: train on the dev Mandarin speaker, report similarity and CER.

Builds an exported voicekit dataset (the layout `voicekit train` reads: `dataset/metadata.csv`,
`metadata_val.csv`, `manifest.jsonl` with splits, `wavs/target/*.wav`) from the AISHELL-1
speaker in ../shared/data/speech/zh, processed the way the export stage does it (edges trimmed,
resampled to the export rate, loudness-normalised, peak-limited, faded, text normalised). Some
clips are held out (the centroid for speaker similarity) and some are the validation split.
Then it trains a size preset for a fixed number of steps through `voicekit.train.train`, with
one evaluation at the end (GE2E similarity with the margin over non-target voices, Whisper
CER/WER), and prints and writes the figures as JSON. Data stays in the work folder (never the
repository); checkpoints are deleted unless --keep.

    nice -n 15 python benchmarks/train_real.py [--steps N] [--clips N] [--work DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

SPEECH = Path(__file__).resolve().parents[1].parent / "shared/data/speech/zh"
TRIM_DB = 35.0  # quieter than this below the clip's peak counts as leading/trailing silence
PAD_S = 0.1  # silence kept at each end after trimming (the exporter pads cut turns too)


def read_utterances(speech: Path) -> list[dict[str, str]]:
    """Rows of the corpus manifest (utterances.tsv), in file order."""
    with (speech / "utterances.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def encodable(text: str) -> bool:
    """Whether voicekit's Mandarin front end takes the text (data.load would refuse it)."""
    from voicekit.errors import InputError
    from voicekit.text import encode

    try:
        encode(text, "zh")
    except InputError:
        return False
    return True


def build_dataset(
    root: Path, speech: Path, clips: int, heldout: int, val: int
) -> tuple[Any, dict[str, Any]]:
    """Export the first ``clips`` usable utterances; every k-th goes to heldout / val.

    Returns the workspace and what was built (counts and minutes per split).
    """
    import librosa
    import numpy as np

    from voicekit.audio import io
    from voicekit.stages.export import clips as clip_audio
    from voicekit.stages.export.config import ExportConfig
    from voicekit.stages.export.text import field_safe, normalise_text, spoken_form
    from voicekit.train import consent
    from voicekit.workspace import Workspace

    conf = ExportConfig()
    ws = Workspace(root)
    dataset = ws.path("dataset")
    rows = [r for r in read_utterances(speech) if encodable(r["text"])][:clips]
    # spread the evaluation clips over the corpus (it mixes command, place and news prompts)
    every = max(1, len(rows) // max(1, heldout + val))
    picked = {i * every: ("heldout" if i < heldout else "val") for i in range(heldout + val)}
    meta: dict[str, list[str]] = {"train": [], "val": []}
    records, seconds = [], {"train": 0.0, "val": 0.0, "heldout": 0.0}
    for i, row in enumerate(rows):
        split = picked.get(i, "train")
        audio, rate = io.read(speech / row["path"])
        _, (start, end) = librosa.effects.trim(audio, top_db=TRIM_DB)
        pad = int(PAD_S * rate)
        audio = audio[max(0, start - pad) : min(len(audio), end + pad)]
        audio = clip_audio.resample(audio, rate, conf.sample_rate)
        clip = clip_audio.process(
            audio, conf.sample_rate, target_lufs=conf.loudness_lufs, peak_dbfs=conf.peak_dbfs,
            max_gain_db=conf.max_gain_db, fade_s=conf.fade_ms / 1000,
        )  # fmt: skip
        rel = f"wavs/target/{row['id']}.wav"
        clip_audio.write(dataset / rel, clip, conf.subtype)
        text = normalise_text(row["text"], "zh", conf.zh_script)
        spoken = spoken_form(text, "zh")
        seconds[split] += len(clip.samples) / conf.sample_rate
        if split in meta:
            meta[split].append(f"target/{row['id']}|{field_safe(text)}|{field_safe(spoken)}\n")
        records.append({"audio": rel, "duration": round(len(clip.samples) / conf.sample_rate, 3),
                        "language": "zh", "speaker": "target", "split": split, "text": text,
                        "normalized_text": spoken, "id": row["id"]})  # fmt: skip
    (dataset / "metadata.csv").write_text("".join(meta["train"]), encoding="utf-8")
    (dataset / "metadata_val.csv").write_text("".join(meta["val"]), encoding="utf-8")
    (dataset / "manifest.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records),
        encoding="utf-8",
    )
    consent.record(ws, "benchmark on the voicekit dev set (AISHELL-1 S0252, consented corpus)")
    counts = {s: sum(r["split"] == s for r in records) for s in seconds}
    built = {
        "source": "AISHELL-1 S0252 (../shared/data/speech/zh)",
        "sample_rate": conf.sample_rate,
        "clips": counts,
        "minutes": {s: round(v / 60, 2) for s, v in seconds.items()},
        "mean_clip_s": round(float(np.mean([r["duration"] for r in records])), 2),
    }
    return ws, built


def step_figures(eval_dir: Path, last: int) -> tuple[float | None, dict[str, float]]:
    """Seconds per training step and the mean of each loss over the last ``last`` steps.

    A step's row is written after coqui's step-end callbacks, so the evaluating (last) step
    includes the evaluation and the first one the warm-up: both are left out of the rate.
    """
    from voicekit.train.report import load

    rows, _ = load(eval_dir)
    rows = [r for r in rows if "step" in r and "time" in r]
    rate = None
    if len(rows) >= 3:
        rate = (float(rows[-2]["time"]) - float(rows[0]["time"])) / (len(rows) - 2)
    tail = rows[-last:]
    keys = sorted({k for r in tail for k in r if k.startswith("loss")})
    means = {k: round(sum(float(r[k]) for r in tail if k in r) / len(tail), 4) for k in keys}
    return rate, means


def last_evaluation(eval_dir: Path) -> dict[str, Any]:
    steps = sorted(eval_dir.glob("step_*.json"))
    if not steps:
        raise SystemExit(f"no evaluation was written under {eval_dir}")
    return dict(json.loads(steps[-1].read_text(encoding="utf-8")))


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import torch

    from voicekit.train import TrainConfig, train

    started = time.monotonic()
    ws, built = build_dataset(work / "ws", args.speech, args.clips, args.heldout, args.val)
    built_s = time.monotonic() - started
    conf = TrainConfig(size=args.size, batch_size=args.batch, min_minutes=0.0, seed=args.seed,
                       eval_every=args.steps, save_step=10**9)  # fmt: skip
    result = train(ws, conf, steps=args.steps, resume=False)
    scores = last_evaluation(result.eval_dir)
    s_per_step, means = step_figures(result.eval_dir, 10)
    if not args.keep:
        for path in result.run_dir.glob("*.pth"):
            path.unlink()
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    return {
        "date": str(date.today()),
        "device": f"{device} ({platform.processor() or platform.machine()}), "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads",
        "data": built,
        "size": args.size,
        "batch": result.batch_size,
        "seed": args.seed,
        "steps": result.end_step,
        "dataset_build_s": round(built_s, 1),
        "train_wall_s": round(result.seconds, 1),  # steps + the final evaluation
        "eval_s": scores.get("eval_seconds"),
        "s_per_step": None if s_per_step is None else round(s_per_step, 2),
        "total_wall_s": round(time.monotonic() - started, 1),
        "last_step_losses": {k: round(v, 4) for k, v in result.losses.items()},
        "mean_losses_last_10": means,
        "validation_loss": scores.get("validation_loss"),
        "similarity": scores.get("similarity"),
        "per_sample_similarity": scores.get("per_sample"),
        "nontarget_similarity": scores.get("nontarget_similarity"),
        "margin": scores.get("margin"),
        "heldout_self_similarity": scores.get("heldout_self_similarity"),
        "cer": scores.get("cer"),
        "wer": scores.get("wer"),
        "transcripts": scores.get("transcripts"),
        "samples": [str(ws.path(s["audio"])) for s in scores.get("samples", [])],
        "unavailable": scores.get("unavailable"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speech", type=Path, default=SPEECH, help="folder of utterances.tsv")
    parser.add_argument("--clips", type=int, default=250, help="utterances used (all: ~15 min)")
    parser.add_argument("--heldout", type=int, default=14, help="clips held out for similarity")
    parser.add_argument("--val", type=int, default=6, help="clips in the validation split")
    parser.add_argument("--size", choices=("tiny", "full"), default="tiny")
    parser.add_argument("--steps", type=int, default=100, help="training steps (fixed budget)")
    parser.add_argument("--batch", type=int, default=0, help="clips per step (0: the preset's)")
    parser.add_argument("--seed", type=int, default=54321)
    parser.add_argument("--work", type=Path, help="work folder (default: a new one in /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the checkpoints")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if not (args.speech / "utterances.tsv").is_file():
        raise SystemExit(f"{args.speech}/utterances.tsv not found (the ../shared dev set)")
    work = args.work or Path(tempfile.mkdtemp(prefix="vk-train-real-"))
    if (work / "ws").exists():
        shutil.rmtree(work / "ws")  # a new run from scratch, never a resumed one
    figures = run(args, work)
    text = json.dumps(figures, ensure_ascii=False, indent=1)
    print(text)
    print(f"work folder (samples, report.html): {work / 'ws'}")
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
