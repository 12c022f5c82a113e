"""Training speed of `voicekit train`: steps/s and seconds per epoch per minute of data.

Builds a throw-away dataset of espeak-ng clips (no ../shared data needed), trains each size
preset for a few steps through the real `voicekit.train.train` path (CUDA when available, with
its mixed precision) and prints the figures side by side. The first step of each run (warm-up)
is left out of the rate, and the run has no validation split so that no evaluation falls between
the timed steps. Checkpoints are deleted afterwards.

    python benchmarks/train.py [--sizes tiny full] [--steps 6 3] [--batch N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.demo.texts import lines
from voicekit.demo.voices import VOICES, synthesize
from voicekit.train import TrainConfig, consent, train
from voicekit.train.report import LOSSES, load
from voicekit.workspace import Workspace

RATE = 22050


def voice_like(text: str, index: int) -> np.ndarray:
    """A harmonic, syllable-modulated tone about as long as `text` spoken (0.2 s a character,
    1.5-10 s): stands in for speech where no TTS engine is installed (timing only)."""
    seconds = min(10.0, max(1.5, 0.2 * len(text)))
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = 120 + 20 * (index % 5) + 15 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    tone = sum(np.sin(k * phase) / k for k in range(1, 6))
    return (0.1 * tone * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t) ** 2)).astype(np.float32)


def build_dataset(root: Path, clips: int, synthetic: bool) -> tuple[Workspace, float]:
    """An exported dataset of ``clips`` clips (espeak-ng English, or with `synthetic` Mandarin
    lines over voice-like tones); returns it and the mean clip seconds."""
    import soundfile as sf

    ws = Workspace(root)
    wavs = ws.path("dataset/wavs/target")
    wavs.mkdir(parents=True)
    language = "zh" if synthetic else "en"
    texts = lines(language)
    rows, records, seconds = [], [], 0.0
    for i in range(clips):
        text = texts[i % len(texts)]
        audio = voice_like(text, i) if synthetic else synthesize(VOICES["espeak-m3"], text, RATE)
        sf.write(str(wavs / f"clip{i:04d}.wav"), audio, RATE)
        seconds += len(audio) / RATE
        rows.append(f"target/clip{i:04d}|{text}|{text}\n")
        records.append({"audio": f"wavs/target/clip{i:04d}.wav", "language": language})
    ws.path("dataset/metadata.csv").write_text("".join(rows), encoding="utf-8")
    ws.path("dataset/manifest.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    consent.record(ws, "benchmark on synthetic clips")
    return ws, seconds / clips


def measure(size: str, steps: int, batch: int, work: Path, synthetic: bool,
            cudnn_benchmark: bool) -> dict[str, Any]:
    import torch

    clips = (batch or 64) * (steps + 1)  # all steps in one epoch (batch 0: sized on the GPU)
    ws, mean_s = build_dataset(work / f"{size}-{cudnn_benchmark}", clips, synthetic)
    conf = TrainConfig(size="tiny" if size == "tiny" else "full", batch_size=batch,
                       min_minutes=0.0, eval_every=0, save_step=10**9,
                       cudnn_benchmark=cudnn_benchmark)  # fmt: skip
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    try:
        result = train(ws, conf, steps=steps, resume=False)
        rows, _ = load(result.eval_dir)
        times = [float(r["time"]) for r in rows if "time" in r]
        if len(times) < 2:
            raise SystemExit(f"{size}: {len(times)} timed steps, need at least 2 ({LOSSES})")
        rate = (len(times) - 1) / (times[-1] - times[0])
    finally:
        shutil.rmtree(ws.root, ignore_errors=True)
    return {
        "size": size + ("" if cudnn_benchmark else "/nobench"),
        "batch": result.batch_size,
        "steps_timed": len(times) - 1,
        "steps_per_s": rate,
        "s_per_step": 1 / rate,
        "mean_clip_s": mean_s,
        # one epoch over a minute of speech = 60 s / (clip-seconds per step) steps
        "s_per_epoch_per_min": 60 / (result.batch_size * mean_s) / rate,
        "total_s": result.seconds,
        "peak_gpu_gb": torch.cuda.max_memory_allocated() / 1e9 if torch.cuda.is_available()
        else 0.0,
    }


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "full"])
    parser.add_argument("--steps", nargs="+", type=int, default=None,
                        help="steps per size (default: 6 3 on CPU, 30 30 on CUDA)")  # fmt: skip
    parser.add_argument("--batch", type=int, default=None,
                        help="clips per step (default: 4 on CPU, 32 on CUDA; 0: from free GPU "
                        "memory)")  # fmt: skip
    parser.add_argument("--cudnn-benchmark", nargs="+", choices=["on", "off"], default=["on"],
                        help="cuDNN autotuning per input shape; both: each size run twice")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON")
    parser.add_argument("--synthetic", action="store_true",
                        help="Mandarin lines over voice-like tones (no TTS engine needed)")
    args = parser.parse_args()
    if args.synthetic:  # Mandarin only: no English phonemiser (espeak-ng) needed anywhere
        from voicekit.train import model

        model.SAMPLE_SENTENCES = tuple(s for s in model.SAMPLE_SENTENCES if s[0] == "zh")
    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name() if cuda else f"CPU ({platform.processor() or 'cpu'})"
    steps = args.steps or ([30] * len(args.sizes) if cuda else [6, 3][: len(args.sizes)])
    batch = args.batch if args.batch is not None else (32 if cuda else 4)
    results = []
    with tempfile.TemporaryDirectory(prefix="vk-bench-train-") as tmp:
        for size, n in zip(args.sizes, steps, strict=True):
            for tune in args.cudnn_benchmark:
                results.append(measure(size, n, batch, Path(tmp), args.synthetic, tune == "on"))
    print(f"voicekit train benchmark, {date.today()}, {device}, torch {torch.__version__}")
    print(f"{'':26}" + "".join(f"{r['size']:>13}" for r in results))
    for key, label, fmt in (("batch", "batch", "d"), ("steps_timed", "steps timed", "d"),
                            ("steps_per_s", "steps/s", ".3f"), ("s_per_step", "s/step", ".2f"),
                            ("s_per_epoch_per_min", "s/epoch per min of data", ".1f"),
                            ("total_s", "wall incl. setup (s)", ".0f"),
                            ("peak_gpu_gb", "peak GPU GB", ".1f")):  # fmt: skip
        print(f"{label:26}" + "".join(f"{r[key]:>13{fmt}}" for r in results))
    if args.out:
        args.out.write_text(json.dumps({"device": device, "results": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
