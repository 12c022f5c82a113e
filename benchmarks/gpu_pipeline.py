"""Time the GPU backends on a long recording: separate (demucs) and diarize (pyannote), each as
a ratio to the audio's duration, with peak GPU memory.

The models are randomly initialised at the published sizes (htdemucs; pyannote
speaker-diarization-community-1's PyanNet + WeSpeakerResNet34 + PLDA), saved in the layouts the
real weights use and loaded through voicekit's own loading code, so the timings are honest and
the outputs meaningless. Each stage runs the code its stage runs (demucs: chunked, checkpointed
`Separator.separate_file`; diarize: `load_mono` + `PyannoteDiarizer.diarize`, GE2E embeddings
per turn included).

The input is `--source` (any file soundfile reads) tiled to `--minutes`, as the 24 kHz
stereo WAV ingest writes; without `--source`, a synthetic mixture.

    python benchmarks/gpu_pipeline.py --minutes 30 --source film.flac --json out.json
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from voicekit import config as vk_config
from voicekit.models.random_weights import HTDEMUCS, demucs_repo, pyannote_pipeline

RATE = 24000  # ingest's sample rate


def build_input(path: Path, minutes: float, source: Path | None) -> float:
    """Write `minutes` of 24 kHz stereo audio to `path`, block by block; returns seconds."""
    from voicekit.audio.io import resample

    if source is not None:
        block, rate = sf.read(source, dtype="float32", always_2d=True)
        block = resample(block[:, :2] if block.shape[1] > 1 else np.repeat(block, 2, 1),
                         rate, RATE)
    else:
        rng = np.random.default_rng(0)
        t = np.arange(60 * RATE) / RATE
        voice = 0.2 * np.sin(2 * np.pi * 160 * t * (1 + 0.1 * np.sin(2 * np.pi * 3 * t)))
        voice *= (np.sin(2 * np.pi * 0.2 * t) > 0)
        block = (voice[:, None] + 0.05 * rng.standard_normal((len(t), 2))).astype(np.float32)
    total = int(minutes * 60 * RATE)
    with sf.SoundFile(str(path), "w", samplerate=RATE, channels=2, subtype="PCM_16") as out:
        written = 0
        while written < total:
            part = block[: total - written]
            out.write(part)
            written += len(part)
    return total / RATE


class Meter:
    """Wall time and peak GPU memory of one step."""

    def __init__(self, device: str) -> None:
        self.cuda = device.startswith("cuda")

    def __enter__(self) -> Meter:
        import torch

        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        import torch

        if self.cuda:
            torch.cuda.synchronize()
        self.seconds = time.perf_counter() - self.start
        self.peak_gb = torch.cuda.max_memory_allocated() / 1e9 if self.cuda else 0.0


def run_separate(conf: Any, film: Path, work: Path, device: str) -> tuple[Path, dict[str, Any]]:
    """The demucs backend over the whole film; returns the vocals path and its figures."""
    from voicekit.stages.separate.demucs import Separator
    from voicekit.stages.separate.demucs_weights import find_weights

    weights = find_weights(conf.separate.demucs, conf)
    vocals = work / "vocals.wav"
    with Meter(device) as load:
        sep = Separator(conf.separate.demucs, weights, device)
    with Meter(device) as meter:
        sep.separate_file(film, vocals, work / "separate.partial")
    figures = {"load_s": load.seconds, "seconds": meter.seconds, "peak_gpu_gb": meter.peak_gb,
               "batch": sep.batch, "float16": sep.half}
    sep.free()
    return vocals, figures


def run_diarize(conf: Any, vocals: Path, device: str) -> dict[str, Any]:
    """The pyannote backend (plus GE2E turn embeddings) over the vocals stem."""
    from voicekit.stages.diarize.audio import load_mono
    from voicekit.stages.diarize.embed import Encoder
    from voicekit.stages.diarize.pyannote import PyannoteDiarizer

    with Meter(device) as load:
        diarizer = PyannoteDiarizer(conf.diarize.pyannote, conf, device)
        encoder = Encoder(device)
    with Meter(device) as meter:
        wav = load_mono(vocals)
        result = diarizer.diarize(wav, encoder)
    diarizer.free()
    return {"load_s": load.seconds, "seconds": meter.seconds, "peak_gpu_gb": meter.peak_gb,
            "spans": len(result.spans)}


def whisper_on_gpu(device: str) -> str:
    """Whether faster-whisper (CTranslate2 4.x, built for CUDA 12) could use this GPU, found
    the way the transcribe stage finds its cuBLAS."""
    from voicekit.errors import DependencyError
    from voicekit.stages.transcribe.cuda import load_cublas12

    if not device.startswith("cuda"):
        return "no GPU"
    try:
        return f"yes: libcublas.so.12 from {load_cublas12()}"
    except DependencyError as err:
        return f"no: {err}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--step", type=float, default=0.1,
                        help="pyannote segmentation step (share of a window; community-1: 0.1)")
    parser.add_argument("--stages", default="separate,diarize")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    import torch

    device = args.device if args.device != "auto" else (
        "cuda" if torch.cuda.is_available() else "cpu")
    stages = args.stages.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        repo = demucs_repo(work / "demucs", "htdemucs", HTDEMUCS)
        pipeline = pyannote_pipeline(work / "pyannote", full=True, step=args.step)
        conf = vk_config.load(vk_config.CONFIG_DIR / "gpu.yaml", [
            f"separate.demucs.repo={repo}", f"diarize.pyannote.path={pipeline}"])
        film = work / "film.wav"
        seconds = build_input(film, args.minutes, args.source)
        report: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d"), "device": device,
            "gpu": torch.cuda.get_device_name() if device.startswith("cuda") else "",
            "cpu": platform.processor() or platform.machine(), "torch": torch.__version__,
            "audio_minutes": seconds / 60, "stages": {},
            "faster_whisper_on_gpu": whisper_on_gpu(device),
        }
        vocals = film
        if "separate" in stages:
            vocals, report["stages"]["separate"] = run_separate(conf, film, work, device)
            print("separate:", report["stages"]["separate"], flush=True)
        if "diarize" in stages:
            report["stages"]["diarize"] = run_diarize(conf, vocals, device)
    total = sum(s["seconds"] for s in report["stages"].values())
    report["total_s"] = total
    print(f"{report['gpu'] or report['cpu']} ({device}), torch {report['torch']}, "
          f"{seconds / 60:.1f} min of audio")
    print(f"{'stage':10} {'load s':>8} {'run s':>8} {'x realtime':>11} {'peak GPU GB':>12}")
    for name, s in report["stages"].items():
        print(f"{name:10} {s['load_s']:8.1f} {s['seconds']:8.1f} {seconds / s['seconds']:11.1f} "
              f"{s['peak_gpu_gb']:12.2f}")
    print(f"{'total':10} {'':8} {total:8.1f} {seconds / total:11.1f}")
    print(f"faster-whisper on this GPU: {report['faster_whisper_on_gpu']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
