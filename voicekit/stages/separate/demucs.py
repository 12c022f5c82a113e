"""Vocals stem with demucs (htdemucs family), in checkpointed chunks with crossfades.

A film is cut into chunks of `chunk_s` seconds that overlap by `crossfade_s`; each chunk is
made stereo, resampled to the model's rate (soxr), separated with `demucs.apply.apply_model`
(which splits it into the model's own segments) and its vocals stem, mono at the recording's
rate, saved in the item's `.partial/chunks/` folder. A crash therefore resumes at the first
unfinished chunk. The chunks are then joined with linear crossfades into `vocals.wav`. Memory
holds `batch` chunks at a time, however long the film.
Weights: see demucs_weights.py.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from voicekit.errors import ConfigError
from voicekit.stages.separate.demucs_weights import Weights, load_model

if TYPE_CHECKING:
    from collections.abc import Callable

    from voicekit.stages.separate.config import DemucsConfig

log = logging.getLogger("voicekit")

CHUNKS = "chunks"
GPU_HEADROOM = 0.8  # share of free GPU memory the batch may use (the allocator fragments)
MAX_BATCH = 32


def chunk_spans(total: int, chunk: int, crossfade: int) -> list[tuple[int, int]]:
    """[start, stop) sample spans covering `total`, each `chunk` long (the last may be shorter),
    consecutive spans overlapping by `crossfade`."""
    hop = chunk - crossfade
    spans = []
    start = 0
    while True:
        stop = min(total, start + chunk)
        spans.append((start, stop))
        if stop >= total:
            return spans
        start += hop


class Separator:
    """A loaded demucs model and how to run it (device, batch, precision)."""

    def __init__(self, cfg: DemucsConfig, weights: Weights, device: str) -> None:
        import torch

        self.cfg = cfg
        self.device = torch.device(device)
        self.model = load_model(weights)
        self.vocals = list(self.model.sources).index("vocals")
        self.half = cfg.half and self.device.type == "cuda"
        self.batch = cfg.batch or 1
        self.fitted = False
        if self.device.type == "cpu" and cfg.batch == 0:
            log.warning("demucs runs on the CPU: expect about 1x realtime or slower")

    def _apply(self, mix: Any) -> Any:
        """Stems of a (batch, 2, samples) tensor at the model's rate, on the CPU."""
        import torch
        from demucs.apply import apply_model

        with torch.inference_mode(), torch.autocast(
            self.device.type, torch.float16, enabled=self.half
        ):
            out = apply_model(self.model, mix, shifts=0, split=True, overlap=self.cfg.overlap,
                              device=self.device, progress=False)
        return out.float()

    def _probe(self, mix: Any) -> bool:
        """Run one chunk; False when float16 fails or gives non-finite output."""
        import torch

        try:
            return bool(torch.isfinite(self._apply(mix)).all())
        except RuntimeError as err:  # an op without a float16 kernel
            if not self.half:
                raise
            log.warning("demucs in float16 failed (%s)", err)
            return False

    def _fit(self, mix: Any) -> None:
        """On CUDA, before the first chunk: check float16 works on one chunk (else fall back to
        float32) and, with `batch: 0`, size the batch from that chunk's peak memory and the
        free GPU memory."""
        import torch

        if self.device.type != "cuda":
            return
        free_before, _ = torch.cuda.mem_get_info(self.device)
        base = torch.cuda.memory_allocated(self.device)
        torch.cuda.reset_peak_memory_stats(self.device)
        if not self._probe(mix) and self.half:
            log.warning("demucs: using float32")
            self.half = False
            torch.cuda.reset_peak_memory_stats(self.device)
            self._probe(mix)
        peak = max(1, torch.cuda.max_memory_allocated(self.device) - base)
        if not self.cfg.batch:
            self.batch = int(max(1, min(MAX_BATCH, GPU_HEADROOM * free_before // peak)))
        log.info("demucs on %s: batch %d (%.2f GB peak per chunk, %.1f GB free), %s",
                 self.device, self.batch, peak / 1e9, free_before / 1e9,
                 "float16" if self.half else "float32")

    def free(self) -> None:
        """Drop the model and return its GPU memory."""
        import torch

        del self.model
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    def separate_file(self, src: Path, dst: Path, partial: Path,
                      progress: Callable[[float, float], None] | None = None) -> tuple[int, float]:
        """Write the mono vocals stem of `src` to `dst` (16-bit wav at the source's rate),
        checkpointing chunks under `partial/chunks/`. Returns (rate, duration_s)."""
        import shutil

        import soundfile as sf

        with sf.SoundFile(str(src)) as reader:
            rate, total = reader.samplerate, reader.frames
        chunk, crossfade = round(self.cfg.chunk_s * rate), round(self.cfg.crossfade_s * rate)
        if not 0 <= 2 * crossfade < chunk:
            raise ConfigError("separate.demucs.crossfade_s must be under half of chunk_s",
                              f"got chunk_s={self.cfg.chunk_s}, crossfade_s={self.cfg.crossfade_s}")
        spans = chunk_spans(total, chunk, crossfade)
        folder = partial / CHUNKS
        folder.mkdir(parents=True, exist_ok=True)
        names = [f"{start}-{stop}.npy" for start, stop in spans]
        todo = [(span, name) for span, name in zip(spans, names, strict=True)
                if not (folder / name).exists()]
        if len(todo) < len(spans):
            log.info("demucs: resuming %s at chunk %d of %d", src.name,
                     len(spans) - len(todo) + 1, len(spans))
        if todo:
            self._run_chunks(src, rate, total, todo, folder, progress)
        tmp = dst.with_name(dst.name + ".tmp")
        join_chunks([folder / n for n in names], spans, crossfade, tmp, rate)
        tmp.replace(dst)
        shutil.rmtree(folder)
        return rate, total / rate

    def _run_chunks(self, src: Path, rate: int, total: int, todo: list[tuple[tuple[int, int], str]],
                    folder: Path, progress: Callable[[float, float], None] | None) -> None:
        import torch

        mean, std = mix_stats(src)
        sr_model = int(self.model.samplerate)

        def load(span: tuple[int, int]) -> np.ndarray:
            return (_read_stereo(src, span, rate, sr_model) - mean) / std

        if not self.fitted:
            self._fit(torch.from_numpy(load(todo[0][0])[None]))
            self.fitted = True
        for group in batches(todo, self.batch):
            mix = torch.from_numpy(np.stack([load(span) for span, _ in group]))
            stems = self._apply(mix)[:, self.vocals].mean(dim=1).numpy() * std + mean
            for (span, name), vocals in zip(group, stems, strict=True):
                out = _resample(vocals, sr_model, rate, span[1] - span[0])
                tmp = folder / f"{name}.tmp"
                with open(tmp, "wb") as handle:
                    np.save(handle, out)
                tmp.replace(folder / name)
                if progress is not None:
                    progress(span[1] / rate, total / rate)


def batches(todo: list[tuple[tuple[int, int], str]], size: int,
            ) -> list[list[tuple[tuple[int, int], str]]]:
    """Groups of at most `size` equal-length chunks, in order (so none needs padding)."""
    groups: list[list[tuple[tuple[int, int], str]]] = []
    for entry in todo:
        (start, stop), _ = entry
        head = groups[-1][0][0] if groups else (0, 0)
        if groups and len(groups[-1]) < size and head[1] - head[0] == stop - start:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


def _read_stereo(src: Path, span: tuple[int, int], rate: int, sr_model: int) -> np.ndarray:
    """Samples [start, stop) as (2, n) float32 at the model's rate (mono is duplicated)."""
    import soundfile as sf

    with sf.SoundFile(str(src)) as reader:
        reader.seek(span[0])
        block = reader.read(span[1] - span[0], dtype="float32", always_2d=True)
    stereo = np.repeat(block, 2, axis=1) if block.shape[1] == 1 else block[:, :2]
    n = round((span[1] - span[0]) * sr_model / rate)
    return _resample(stereo, rate, sr_model, n).T.copy()


def _resample(audio: np.ndarray, rate_in: int, rate_out: int, length: int) -> np.ndarray:
    """soxr resampling to exactly `length` samples (trimmed or zero-padded by a sample)."""
    from voicekit.audio.io import resample

    out = resample(audio, rate_in, rate_out)[:length]
    pad = [(0, length - len(out))] + [(0, 0)] * (out.ndim - 1)
    return np.pad(out, pad).astype(np.float32)


def mix_stats(src: Path, block_s: float = 60.0) -> tuple[float, float]:
    """Mean and standard deviation of the mono mix over the whole file, as demucs normalises
    a track (computed in blocks, so every chunk is scaled alike)."""
    from voicekit.audio.io import blocks

    count, total, squares = 0, 0.0, 0.0
    for _, block, _ in blocks(src, block_s):
        mono = block.mean(axis=1, dtype=np.float64)
        count, total, squares = count + len(mono), total + mono.sum(), squares + (mono**2).sum()
    mean = total / max(1, count)
    std = float(np.sqrt(max(0.0, squares / max(1, count) - mean**2)))
    return float(mean), std if std > 1e-8 else 1.0


def join_chunks(paths: list[Path], spans: list[tuple[int, int]], crossfade: int, dst: Path,
                rate: int) -> None:
    """Concatenate chunk outputs, crossfading linearly where consecutive spans overlap."""
    import soundfile as sf

    ramp = (np.arange(crossfade, dtype=np.float32) + 0.5) / max(1, crossfade)
    tail = np.zeros(0, dtype=np.float32)
    with sf.SoundFile(str(dst), "w", samplerate=rate, channels=1, subtype="PCM_16",
                      format="WAV") as writer:
        for index, path in enumerate(paths):
            part = np.load(path)
            if len(part) != spans[index][1] - spans[index][0]:
                raise ValueError(f"{path}: {len(part)} samples, expected the span's length")
            if index:
                part[:crossfade] = tail * (1 - ramp) + part[:crossfade] * ramp
            last = index == len(paths) - 1
            keep = len(part) if last else len(part) - crossfade
            writer.write(np.clip(part[:keep], -1.0, 1.0))
            tail = part[keep:]
