"""Batch size from free GPU memory, and the device facts training needs.

The full-size figures are measured peaks of VITS in float32 (the default; fp16 autocast needs
less) on an H200, over clips of 1.5-12 s: 14.4 GB at batch 32 and 23.6 GB at batch 64 with
12 s the longest clip. Activations grow with the longest clip of a batch: the text and
posterior encoders and the flow run over whole clips; only the decoder works on a fixed
segment. The tiny figures are estimates.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class MemoryModel:
    """What one training step needs: a fixed part plus a part per clip-second of the batch."""

    fixed_bytes: int  # weights, Adam states of generator + discriminator, CUDA context
    bytes_per_clip_second: int  # activations and gradients per second of the longest clip


MEMORY = {
    "full": MemoryModel(fixed_bytes=5 * GIB, bytes_per_clip_second=26 * MIB),
    "tiny": MemoryModel(fixed_bytes=1 * GIB, bytes_per_clip_second=8 * MIB),
}


def auto_batch(
    free_bytes: int,
    size: str,
    longest_clip_s: float,
    *,
    headroom: float = 0.8,
    max_batch: int = 64,
) -> int:
    """The batch size that fits ``free_bytes`` of GPU memory.

    Args:
        free_bytes: free memory of the training GPU (``torch.cuda.mem_get_info()[0]``).
        size: the model preset ("full" or "tiny").
        longest_clip_s: the longest training clip in seconds (batches are padded to it).
        headroom: share of the free memory to plan for (the allocator fragments the rest).
        max_batch: never more than this (beyond it VITS gains little per step).

    Returns:
        A multiple of 8 when at least 8 fit (tensor-core friendly), else a power of two; at
        least 1.
    """
    model = MEMORY[size]
    per_clip = model.bytes_per_clip_second * max(longest_clip_s, 1.0)
    fits = int((free_bytes * headroom - model.fixed_bytes) // per_clip)
    fits = min(fits, max_batch)
    if fits >= 8:
        return fits - fits % 8
    power = 1
    while power * 2 <= fits:
        power *= 2
    return power


def free_gpu_bytes() -> int | None:
    """Free memory of the current CUDA device, or None without CUDA."""
    import torch

    if not torch.cuda.is_available():
        return None
    return int(torch.cuda.mem_get_info()[0])
