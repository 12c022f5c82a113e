"""The alignment search of a VITS training step: coqui's ``maximum_path`` against
``voicekit.train.fastpath.maximum_path``, side by side in one process.

Scores of batch × symbols × frames as a training step makes them (on CUDA when available, so
the copies to the host and back are counted; the GPU idles meanwhile), clips of random lengths
between half and all of the longest, both paths checked equal. Prints milliseconds per call
(median of --repeat) and the ratio.

    python benchmarks/alignment.py [--batch 32] [--shapes 150x430 300x1100] [--repeat 9]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date

import torch


def _timed(
    search: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    value: torch.Tensor,
    mask: torch.Tensor,
    repeat: int,
    cuda: bool,
) -> tuple[float, torch.Tensor]:
    out = search(value, mask)  # warm-up
    times = []
    for _ in range(repeat):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        out = search(value, mask)
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), out


def main() -> None:
    from monotonic_alignment_search import maximum_path

    from voicekit.train import fastpath

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--shapes", nargs="+", default=["150x430", "300x1100"])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    where = torch.cuda.get_device_name() if cuda else f"CPU, {torch.get_num_threads()} threads"
    print(f"{date.today()} {platform.node()} {where}, batch {args.batch}")
    print(f"{'symbols x frames':>17} {'MB':>6} {'coqui ms':>9} {'voicekit ms':>12} {'ratio':>6}")
    gen = torch.Generator().manual_seed(0)
    for shape in args.shapes:
        text, frames = (int(n) for n in shape.split("x"))
        b = args.batch
        text_lengths = torch.randint(text // 2, text + 1, (b,), generator=gen)
        frame_lengths = torch.randint(frames // 2, frames + 1, (b,), generator=gen)
        text_lengths[0], frame_lengths[0] = text, frames
        mask = (torch.arange(text)[None, :, None] < text_lengths[:, None, None]) & (
            torch.arange(frames)[None, None, :] < frame_lengths[:, None, None]
        )
        mask = mask.float().to(device)
        value = torch.randn(b, text, frames, generator=gen).to(device)
        theirs_ms, theirs = _timed(maximum_path, value, mask, args.repeat, cuda)
        ours_ms, ours = _timed(fastpath.maximum_path, value, mask, args.repeat, cuda)
        if not torch.equal(ours, theirs):
            raise SystemExit(f"{shape}: the paths differ")
        megabytes = value.numel() * 4 / 1e6
        print(
            f"{shape:>17} {megabytes:6.1f} {theirs_ms:9.1f} {ours_ms:12.1f} "
            f"{theirs_ms / ours_ms:6.2f}"
        )


if __name__ == "__main__":
    main()
