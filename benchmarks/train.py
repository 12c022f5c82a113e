"""Training speed of `voicekit train`: steps/s, seconds per epoch per minute of data, GPU busy.

Builds a throw-away dataset of espeak-ng clips (no ../shared data needed), trains each size
preset and each config variant for a few steps through the real `voicekit.train.train` path
(CUDA when available) and prints the figures side by side. The first step of each run
(warm-up; --warmup N: the first N) is left out of the rate. Without --minutes every step falls
in one epoch and there is no validation split; with --minutes the dataset has that much speech in
1.5-12 s clips and a validation split, and the steps run over several epochs (so the rate counts
what happens between epochs). On CUDA, nvidia-smi is sampled every 0.2 s over the timed steps:
"GPU busy" is the share of samples with any kernel running. --profile N profiles N steps of the
first run's configuration with torch.profiler (after 5 steps of warm-up; keep N small, e.g. 3)
and prints where the time goes. The variant "fastpath=false" (not a train knob) trains with
coqui's own code instead of every part of `voicekit.train.fastpath`, "coqui=PART+PART" instead
of the parts named (see `fastpath.installed`: maximum_path, spline, discriminator_gradients,
...), and
"fused=false" with torch's default AdamW (per parameter, or "foreach" on a GPU) instead of the
fused one, and "tf32=false" with cuDNN's convolutions in full float32 instead of TF32 tensor-core
kernels (torch's default), for side by side comparisons. Checkpoints are deleted afterwards.

    python benchmarks/train.py [--sizes tiny full] [--steps 6 3] [--batch N] [--minutes M]
        [--variants "" "mixed_precision=false"] [--profile N] [--out FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.demo.texts import lines
from voicekit.demo.voices import VOICES, synthesize
from voicekit.train import TrainConfig, consent, train
from voicekit.train.report import LOSSES, load
from voicekit.workspace import Workspace

RATE = 22050
PROFILE_WARMUP = 5  # steps before the profiler starts (CUDA loads kernels on first use)


def voice_like(text: str, index: int, seconds: float | None = None) -> np.ndarray:
    """A harmonic, syllable-modulated tone about as long as `text` spoken (0.2 s a character,
    1.5-10 s) or `seconds` long: stands in for speech where no TTS engine is installed
    (timing only)."""
    if seconds is None:
        seconds = min(10.0, max(1.5, 0.2 * len(text)))
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = 120 + 20 * (index % 5) + 15 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    tone = sum(np.sin(k * phase) / k for k in range(1, 6))
    return (0.1 * tone * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t) ** 2)).astype(np.float32)


def clip_plan(
    texts: tuple[str, ...], clips: int, minutes: float | None
) -> list[tuple[str, float | None]]:
    """(text, seconds) per clip: ``clips`` of the texts as they are, or clips of 1.5-12 s
    (mean ~5.7 s, skewed short like dialogue turns) until ``minutes`` of speech, each with
    about 4 characters of text per second."""
    if minutes is None:
        return [(texts[i % len(texts)], None) for i in range(clips)]
    plan: list[tuple[str, float | None]] = []
    total = 0.0
    while total < minutes * 60:
        i = len(plan)
        seconds = 1.5 + 10.5 * ((i * 0.6180339887) % 1.0) ** 1.5
        text, j = "", i
        while len(text) < 4 * seconds:
            text += texts[j % len(texts)]
            j += 1
        plan.append((text[: max(4, int(4 * seconds))], seconds))
        total += seconds
    return plan


def build_dataset(
    root: Path, clips: int, synthetic: bool, minutes: float | None = None, val: int = 0
) -> tuple[Workspace, float]:
    """An exported dataset of ``clips`` clips or ``minutes`` of speech (espeak-ng English, or
    with `synthetic` Mandarin lines over voice-like tones), the last ``val`` clips as the
    validation split; returns it and the mean clip seconds."""
    import soundfile as sf

    ws = Workspace(root)
    wavs = ws.path("dataset/wavs/target")
    wavs.mkdir(parents=True)
    language = "zh" if synthetic else "en"
    plan = clip_plan(lines(language), clips, minutes)
    rows, records, seconds = [], [], 0.0
    for i, (text, length) in enumerate(plan):
        if synthetic:
            audio = voice_like(text, i, length)
        else:
            audio = synthesize(VOICES["espeak-m3"], text, RATE)
        sf.write(str(wavs / f"clip{i:04d}.wav"), audio, RATE)
        seconds += len(audio) / RATE
        rows.append(f"target/clip{i:04d}|{text}|{text}\n")
        records.append({"audio": f"wavs/target/clip{i:04d}.wav", "language": language})
    cut = len(rows) - val
    ws.path("dataset/metadata.csv").write_text("".join(rows[:cut]), encoding="utf-8")
    if val:
        ws.path("dataset/metadata_val.csv").write_text("".join(rows[cut:]), encoding="utf-8")
    ws.path("dataset/manifest.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    consent.record(ws, "benchmark on synthetic clips")
    return ws, seconds / len(plan)


@contextmanager
def gpu_sampler(out: list[tuple[float, float]]) -> Iterator[None]:
    """Append (unix time, GPU utilisation %) every 0.2 s while inside, via nvidia-smi."""
    if shutil.which("nvidia-smi") is None:
        yield
        return
    with tempfile.NamedTemporaryFile("w+", suffix=".csv") as log:
        smi = subprocess.Popen(
            ["nvidia-smi", "--query-gpu=timestamp,utilization.gpu",
             "--format=csv,noheader,nounits", "-lms", "200"],
            stdout=log, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            yield
        finally:
            smi.terminate()
            smi.wait()
            log.seek(0)
            for line in log:
                stamp, _, util = line.rpartition(",")
                try:
                    when = datetime.strptime(stamp.strip(), "%Y/%m/%d %H:%M:%S.%f").timestamp()
                    out.append((when, float(util)))
                except ValueError:
                    continue


def variant(text: str) -> dict[str, Any]:
    """"key=value,key=value" train knobs ("" = the defaults), values parsed as JSON or text."""
    knobs: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        try:
            knobs[key] = json.loads(value)
        except json.JSONDecodeError:
            knobs[key] = value
    return knobs


def measure(size: str, steps: int, batch: int, work: Path, synthetic: bool,
            knobs: dict[str, Any], minutes: float | None, warmup: int = 1,
            profile: int = 0) -> dict[str, Any]:
    import torch

    clips = (batch or 64) * (steps + 1)  # all steps in one epoch (batch 0: sized on the GPU)
    val = 8 if minutes is not None else 0
    label = ",".join(f"{k}={v}" for k, v in knobs.items())
    knobs = dict(knobs)
    coqui_parts = str(knobs.pop("coqui", "")).split("+") if "coqui" in knobs else []
    if knobs.pop("fastpath", True) is False:
        coqui_parts = ["all"]  # fastpath not installed at all
    default_adamw = knobs.pop("fused", True) is False
    tf32 = bool(knobs.pop("tf32", True))
    ws, mean_s = build_dataset(work / f"{size}-{len(list(work.iterdir()))}", clips, synthetic,
                               minutes, val)  # fmt: skip
    conf = dataclasses.replace(
        TrainConfig(size="tiny" if size == "tiny" else "full", batch_size=batch,
                    min_minutes=0.0, eval_every=0, save_step=10**9),
        **knobs,
    )  # fmt: skip
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    samples: list[tuple[float, float]] = []
    try:
        with (
            gpu_sampler(samples),
            profiled(profile) as tables,
            coqui_code(coqui_parts, default_adamw),
            cudnn_tf32(tf32),
        ):
            result = train(ws, conf, steps=steps + (PROFILE_WARMUP if profile else 0), resume=False)
        rows, _ = load(result.eval_dir)
        times = [float(r["time"]) for r in rows if "time" in r][warmup - 1 :]
        if len(times) < 2:
            raise SystemExit(f"{size}: {len(times)} timed steps, need at least 2 ({LOSSES})")
        rate = (len(times) - 1) / (times[-1] - times[0])
        gaps = np.diff(times)
        window = [u for t, u in samples if times[0] <= t <= times[-1]]
        listed = ws.path("train/data/metadata.csv").read_text(encoding="utf-8").splitlines()
        clips_trained = len(listed) or 1
    finally:
        shutil.rmtree(ws.root, ignore_errors=True)
    per_epoch = -(-clips_trained // result.batch_size)
    return {
        "size": size + (f" {label}" if label else "") + (" (profiled)" if profile else ""),
        "batch": result.batch_size,
        "steps_timed": len(times) - 1,
        "epochs": round((len(times) + warmup - 1) / per_epoch, 1),
        "steps_per_s": rate,
        "s_per_step": 1 / rate,
        "median_s_per_step": float(np.median(gaps)),
        "max_s_per_step": float(gaps.max()),
        "mean_clip_s": mean_s,
        # one epoch over a minute of speech = 60 s / (clip-seconds per step) steps
        "s_per_epoch_per_min": 60 / (result.batch_size * mean_s) / rate,
        "gpu_busy": float(np.mean([u > 0 for u in window])) if window else float("nan"),
        "gpu_util": float(np.mean(window)) if window else float("nan"),
        "total_s": result.seconds,
        "peak_gpu_gb": torch.cuda.max_memory_allocated() / 1e9 if torch.cuda.is_available()
        else 0.0,
        "profile": tables,
    }


@contextmanager
def cudnn_tf32(allowed: bool) -> Iterator[None]:
    """While inside, cuDNN's float32 convolutions may (or may not) use TF32 tensor cores."""
    import torch

    before = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = allowed
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32 = before


@contextmanager
def coqui_code(parts: list[str], optimizer: bool) -> Iterator[None]:
    """While inside, training runs coqui's own code instead of these parts of
    `fastpath.installed` ("all": every one), and torch's default AdamW instead of the fused one
    (``optimizer``)."""
    from contextlib import nullcontext
    from functools import partial

    from voicekit.train import fastpath, loop

    installed, configured = fastpath.installed, loop.vits_config

    def default_adamw(*args: Any, **kwargs: Any) -> Any:
        config = configured(*args, **kwargs)
        config.optimizer_params = {k: v for k, v in config.optimizer_params.items() if k != "fused"}
        return config

    if parts == ["all"]:
        fastpath.installed = nullcontext  # type: ignore[assignment]
    elif parts:
        fastpath.installed = partial(installed, leave_out=parts)  # type: ignore[assignment]
    if optimizer:
        loop.vits_config = default_adamw  # type: ignore[assignment]
    try:
        yield
    finally:
        fastpath.installed = installed  # type: ignore[method-assign]
        loop.vits_config = configured  # type: ignore[assignment]


@contextmanager
def profiled(steps: int) -> Iterator[list[str]]:
    """With ``steps``, torch.profiler over that many training steps after `PROFILE_WARMUP`;
    the yielded list receives the tables. Marks the big parts of a VITS step by name. Keep
    ``steps`` small on a GPU: turning a step's ~10^4 events into tables takes long."""
    tables: list[str] = []
    if not steps:
        yield tables
        return
    import torch
    from torch.profiler import ProfilerActivity, profile, record_function
    from trainer import Trainer
    from TTS.tts.layers import losses
    from TTS.tts.models import vits

    from voicekit.train import fastpath
    from voicekit.train.evaluate import Evaluator

    def marked(owner: Any, name: str, label: str) -> tuple[Any, str, Any]:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(label):
                return original(*args, **kwargs)

        setattr(owner, name, wrapper)
        return owner, name, original

    activities = [ProfilerActivity.CPU]
    if torch.cuda.is_available():
        activities.append(ProfilerActivity.CUDA)
    prof = profile(activities=activities)
    state = {"done": 0, "on": False}
    patches = [
        marked(Trainer, "format_batch", "vk:format_batch"),
        marked(vits.Vits, "format_batch_on_device", "vk:format_batch_on_device"),
        marked(vits.Vits, "forward", "vk:generator_forward"),
        marked(vits, "maximum_path", "vk:monotonic_alignment(cpu)"),
        # fastpath swaps its own in while training runs: mark those too
        marked(fastpath, "maximum_path", "vk:monotonic_alignment(cpu)"),
        marked(fastpath, "discriminate", "vk:discriminator_forward"),
        marked(vits.Vits, "train_step", "vk:model_train_step"),
        marked(vits.VitsDiscriminator, "forward", "vk:discriminator_forward"),
        marked(losses.VitsGeneratorLoss, "forward", "vk:generator_loss"),
        marked(losses.VitsDiscriminatorLoss, "forward", "vk:discriminator_loss"),
        marked(Trainer, "optimize", "vk:optimize(fwd+bwd+step)"),
        marked(Evaluator, "on_step", "vk:step_end_bookkeeping"),
    ]
    on_step = Evaluator.on_step

    def stepping(self: Evaluator, step: int, losses: dict[str, Any]) -> None:
        on_step(self, step, losses)
        state["done"] += 1
        if state["done"] == PROFILE_WARMUP:
            prof.start()
            state["on"] = True
        elif state["on"] and state["done"] == PROFILE_WARMUP + steps:
            prof.stop()
            state["on"] = False

    Evaluator.on_step = stepping  # type: ignore[method-assign]
    try:
        yield tables
    finally:
        if state["on"]:
            prof.stop()
        Evaluator.on_step = on_step  # type: ignore[method-assign]
        for owner, name, original in patches:
            setattr(owner, name, original)
    events = prof.key_averages()
    device = "self_device_time_total"
    kernels = sum(e.count for e in events if e.key in ("cudaLaunchKernel", "cuLaunchKernel",
                                                       "cudaLaunchKernelExC"))  # fmt: skip
    waits = sum(e.count for e in events if e.key in ("cudaStreamSynchronize",
                                                     "cudaDeviceSynchronize"))  # fmt: skip
    # the vk: marks' device times span their kernels (and the gaps between): not kernel time
    gpu_ms = sum(getattr(e, device, 0) for e in events if not e.key.startswith("vk:"))
    gpu_ms /= 1000 * steps
    tables.append(f"per step: {kernels / steps:.0f} kernel launches, {waits / steps:.0f} host "
                  f"waits for the GPU, {gpu_ms:.1f} ms of GPU kernel time")  # fmt: skip
    marks = [e for e in events if e.key.startswith("vk:")]
    tables.append("\n".join(
        f"{e.key:34} calls/step {e.count / steps:5.1f}  cpu {e.cpu_time_total / 1000 / steps:8.1f}"
        f" ms/step  gpu {getattr(e, 'device_time_total', 0) / 1000 / steps:8.1f} ms/step"
        for e in sorted(marks, key=lambda e: -e.cpu_time_total)
    ))  # fmt: skip
    tables.append(
        events.table(sort_by="self_cpu_time_total", row_limit=25, max_name_column_width=50)
    )
    if torch.cuda.is_available():
        tables.append(events.table(sort_by=device, row_limit=15, max_name_column_width=50))


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "full"])
    parser.add_argument("--steps", nargs="+", type=int, default=None,
                        help="steps per size (default: 6 3 on CPU, 30 30 on CUDA)")  # fmt: skip
    parser.add_argument("--batch", type=int, default=None,
                        help="clips per step (default: 4 on CPU, 32 on CUDA; 0: from free GPU "
                        "memory)")  # fmt: skip
    parser.add_argument("--minutes", type=float,
                        help="that much speech in 1.5-12 s clips and 8 validation clips: the "
                        "steps run over several epochs")  # fmt: skip
    parser.add_argument("--variants", nargs="+", default=[""],
                        help='train knobs per run, e.g. "" "mixed_precision=false": each size '
                        "runs once per variant")  # fmt: skip
    parser.add_argument("--warmup", type=int, default=1,
                        help="steps left out of the rate (CUDA loads kernels on first use)")
    parser.add_argument("--profile", type=int, default=0,
                        help="then profile this many steps of the first size and variant")
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
    runs = [(size, n, variant(v)) for size, n in zip(args.sizes, steps, strict=True)
            for v in args.variants]  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory(prefix="vk-bench-train-") as tmp:
        for size, n, knobs in runs:
            results.append(measure(size, n, batch, Path(tmp), args.synthetic, knobs, args.minutes,
                                   args.warmup))  # fmt: skip
            print(json.dumps({k: v for k, v in results[-1].items() if k != "profile"}), flush=True)
        if args.profile:
            size, _, knobs = runs[0]
            results.append(measure(size, args.profile, batch, Path(tmp), args.synthetic, knobs,
                                   args.minutes, profile=args.profile))  # fmt: skip
    print(f"voicekit train benchmark, {date.today()}, {device}, torch {torch.__version__}")
    columns = (("batch", "batch", "d"), ("steps_timed", "steps", "d"),
               ("epochs", "epochs", ".1f"), ("steps_per_s", "steps/s", ".3f"),
               ("median_s_per_step", "median s", ".3f"), ("max_s_per_step", "max s", ".2f"),
               ("s_per_epoch_per_min", "s/ep/min", ".2f"), ("gpu_busy", "busy", ".0%"),
               ("gpu_util", "util %", ".0f"), ("peak_gpu_gb", "peak GB", ".1f"),
               ("total_s", "wall s", ".0f"))  # fmt: skip
    width = max(len(r["size"]) for r in results) + 2
    print(f"{'run':{width}}" + "".join(f"{label:>10}" for _, label, _ in columns))
    for r in results:
        print(f"{r['size']:{width}}" + "".join(f"{r[k]:>10{f}}" for k, _, f in columns))
    for r in results:
        for table in r["profile"] or []:
            print(table)
    if args.out:
        args.out.write_text(json.dumps({"device": device, "results": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
