"""Training batches: clips of similar length together, in a new order every epoch.

coqui's VITS loader sorts the clips by length once and then serves the same batches in the
same order (shortest first) every epoch, and its loader processes start again each epoch. Here
each epoch shuffles the clips, sorts them by length only within windows of a few batches (so a
batch pads little) and shuffles the order of the batches; an epoch's batches follow from the
seed and the epoch number alone, so a resumed run draws the same batches as an uninterrupted
one. The loader reads one endless stream of epochs: its processes prepare the next epoch's
first batches while the last ones of this epoch train.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

WINDOW_BATCHES = 8  # sort by length within this many batches' worth of shuffled clips


class LengthBuckets:
    """A batch sampler (``DataLoader(batch_sampler=...)``) over clip lengths: epoch after
    epoch from ``first_epoch``, without end.

    Every clip comes exactly once per epoch; only the last batch of an epoch can be short.
    """

    def __init__(
        self, lengths: Sequence[float], batch_size: int, seed: int, first_epoch: int = 0
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.lengths = np.asarray(lengths, dtype=np.float64)
        self.batch_size = batch_size
        self.seed = seed
        self.first_epoch = first_epoch

    @property
    def per_epoch(self) -> int:
        """Batches in one epoch."""
        return -(-len(self.lengths) // self.batch_size)

    def epoch(self, number: int) -> list[list[int]]:
        """The batches of epoch ``number``, as lists of clip indices."""
        rng = np.random.default_rng([self.seed, number])
        order = rng.permutation(len(self.lengths))
        window = self.batch_size * WINDOW_BATCHES
        for start in range(0, len(order), window):
            part = order[start : start + window]
            order[start : start + window] = part[np.argsort(self.lengths[part], kind="stable")]
        size = self.batch_size
        cut = [order[i : i + size].tolist() for i in range(0, len(order), size)]
        short = cut.pop() if cut and len(cut[-1]) < size else None
        ordered = [cut[i] for i in rng.permutation(len(cut))]
        return ordered + ([short] if short else [])

    def __iter__(self) -> Iterator[list[int]]:
        number = self.first_epoch
        while True:
            yield from self.epoch(number)
            number += 1


class Batches:
    """coqui's training set served as `LengthBuckets` batches by loader processes (pinned
    memory on a GPU) that run until `close`."""

    def __init__(
        self, coqui_loader: Any, batch_size: int, seed: int, first_epoch: int, workers: int,
        gpu: bool,
    ) -> None:  # fmt: skip
        from torch.utils.data import DataLoader

        dataset = coqui_loader.dataset  # coqui filtered the clips and measured their lengths
        lengths = [float(sample["audio_length"]) for sample in dataset.samples]
        sampler = LengthBuckets(lengths, batch_size, seed, first_epoch)
        self.per_epoch = sampler.per_epoch
        loader = DataLoader(
            dataset,
            batch_sampler=sampler,
            collate_fn=dataset.collate_fn,
            num_workers=workers,
            pin_memory=gpu,
        )
        self._stream: Iterator[Any] | None = iter(loader)

    def next(self) -> Any:
        if self._stream is None:
            raise RuntimeError("the training batches were closed")
        return next(self._stream)

    def close(self) -> None:
        """Stop the loader processes (dropping the only reference to their iterator shuts
        them down)."""
        self._stream = None
