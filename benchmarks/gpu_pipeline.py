"""Time the GPU backends on a long recording: separate (demucs), diarize (pyannote) and
transcribe (faster-whisper large-v3), each as a ratio to the audio's duration, with peak GPU
memory.

The models are randomly initialised at the published sizes (htdemucs; pyannote
speaker-diarization-community-1's PyanNet + WeSpeakerResNet34 + PLDA; Whisper large-v3 in
CTranslate2 float16), saved in the layouts the real weights use and loaded through voicekit's
own loading code, so the timings are honest and the outputs meaningless. Separate and diarize
run the code their stages run (demucs: chunked, checkpointed `Separator.separate_file`; diarize:
`load_mono` + `PyannoteDiarizer.diarize`, GE2E embeddings per turn included).

A random Whisper never stops talking (it decodes up to the 448-token limit and falls back
through every temperature), so transcribe is timed by its parts instead: the encoder per 30 s
window and beam-5 decoding of a fixed number of tokens per window (`--tokens`, about what 30 s of
fast speech gives), at batch 1 as the stage runs and batched; the film estimate assumes every
window holds speech. One call of the stage's `WhisperBackend.transcribe` shows the full path
runs on the GPU; its time is a worst case, not a figure.

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


def _gpu_used_gb() -> float:
    """Memory in use on GPU 0 as the driver sees it (CTranslate2 allocates outside torch)."""
    import pynvml

    pynvml.nvmlInit()
    return float(pynvml.nvmlDeviceGetMemoryInfo(pynvml.nvmlDeviceGetHandleByIndex(0)).used) / 1e9


def _timed(fn: Any, repeats: int) -> float:
    """Seconds per call of `fn` (after one warm-up call)."""
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def run_transcribe(vocals: Path, work: Path, device: str, seconds: float, tokens: int,
                   size: str) -> dict[str, Any]:
    """A random Whisper of `size` (large-v3 or tiny) through `WhisperBackend`: encoder and
    decoder cost per 30 s window, the film estimate from them, and one full `transcribe`."""
    import ctranslate2

    from voicekit.audio.io import resample
    from voicekit.models.random_weights import LARGE_V3_WHISPER, TINY_WHISPER, whisper_model
    from voicekit.stages.transcribe.whisper import SAMPLE_RATE, WhisperBackend

    cuda = device.startswith("cuda")
    with Meter("cpu") as build:
        folder = whisper_model(work / f"whisper-{size}",
                               LARGE_V3_WHISPER if size == "large-v3" else TINY_WHISPER,
                               "float16" if cuda else "int8")
    before = _gpu_used_gb() if cuda else 0.0
    with Meter("cpu") as load:
        backend = WhisperBackend(folder, device=device, compute_type="auto", threads=4)
    audio, rate = sf.read(vocals, dtype="float32", always_2d=True, frames=int(8 * 30 * RATE))
    window = 30 * SAMPLE_RATE
    audio = np.resize(resample(audio.mean(axis=1), rate, SAMPLE_RATE), 8 * window)
    model, extract = backend.model.model, backend.model.feature_extractor
    mels = np.stack([extract(audio[i * window:(i + 1) * window])[:, :3000] for i in range(8)])
    ids = backend.model.hf_tokenizer.token_to_id
    eot = ids("<|endoftext|>")
    prompt = [ids("<|startoftranscript|>"), ids("<|en|>"), ids("<|transcribe|>"),
              ids("<|notimestamps|>")]
    figures: dict[str, Any] = {"build_s": build.seconds, "load_s": load.seconds,
                               "tokens_per_window": tokens}
    for batch in (1, 8):
        feats = ctranslate2.StorageView.from_array(np.ascontiguousarray(mels[:batch]))
        encoded = model.encode(feats)
        encode_s = _timed(lambda f=feats: model.encode(f), 3)
        figures[f"encode_s_per_window_b{batch}"] = encode_s / batch

        def decode(enc: Any = encoded, n: int = batch) -> Any:
            # CTranslate2 returns max_length / 2 tokens for these random models: ask for twice
            # as many (the count is reported; the cost scales with max_length)
            return model.generate(enc, [prompt] * n, beam_size=5, max_length=2 * tokens,
                                  suppress_tokens=[eot], suppress_blank=False)

        made = decode()
        figures[f"decoded_tokens_b{batch}"] = len(made[0].sequences_ids[0])
        figures[f"decode_s_per_window_b{batch}"] = _timed(decode, 2) / batch
        per_window = (figures[f"encode_s_per_window_b{batch}"]
                      + figures[f"decode_s_per_window_b{batch}"])
        figures[f"film_s_b{batch}"] = seconds / 30 * per_window
    start = time.perf_counter()
    result = backend.transcribe(audio[:window], "en", beam_size=5, vad_filter=True)
    figures["one_call_s_worst_case"] = time.perf_counter() - start
    figures["one_call_segments"] = len(result.segments)
    figures["gpu_used_gb"] = _gpu_used_gb() - before if cuda else 0.0
    figures["seconds"] = figures["film_s_b1"]
    figures["peak_gpu_gb"] = figures["gpu_used_gb"]
    backend.close()
    return figures


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
    parser.add_argument("--stages", default="separate,diarize,transcribe")
    parser.add_argument("--tokens", type=int, default=180,
                        help="tokens decoded per 30 s window for the transcribe estimate")
    parser.add_argument("--whisper", choices=["large-v3", "tiny"], default="large-v3")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    import torch

    device = args.device if args.device != "auto" else (
        "cuda" if torch.cuda.is_available() else "cpu")
    stages = args.stages.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        overrides = []  # the random models of the stages asked for
        if "separate" in stages:
            repo = demucs_repo(work / "demucs", "htdemucs", HTDEMUCS)
            overrides.append(f"separate.demucs.repo={repo}")
        if "diarize" in stages:
            pipeline = pyannote_pipeline(work / "pyannote", full=True, step=args.step)
            overrides.append(f"diarize.pyannote.path={pipeline}")
        conf = vk_config.load(vk_config.CONFIG_DIR / "gpu.yaml", overrides)
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
            print("diarize:", report["stages"]["diarize"], flush=True)
        if "transcribe" in stages:
            report["stages"]["transcribe"] = run_transcribe(vocals, work, device, seconds,
                                                            args.tokens, args.whisper)
            print("transcribe:", report["stages"]["transcribe"], flush=True)
    total = sum(s["seconds"] for s in report["stages"].values())
    report["total_s"] = total
    print(f"{report['gpu'] or report['cpu']} ({device}), torch {report['torch']}, "
          f"{seconds / 60:.1f} min of audio")
    print(f"{'stage':10} {'load s':>8} {'run s':>8} {'x realtime':>11} {'peak GPU GB':>12}")
    for name, s in report["stages"].items():
        print(f"{name:10} {s['load_s']:8.1f} {s['seconds']:8.1f} {seconds / s['seconds']:11.1f} "
              f"{s['peak_gpu_gb']:12.2f}")
    print(f"{'total':10} {'':8} {total:8.1f} {seconds / total:11.1f}")
    if "transcribe" in report["stages"]:
        print(f"transcribe: estimated from its parts (every window speech, "
              f"{args.tokens} tokens each, batch 1)")
    print(f"faster-whisper on this GPU: {report['faster_whisper_on_gpu']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
