"""Training batches: every clip once per epoch, similar lengths per batch, a new order each
epoch, the same order again for the same seed and epoch (a resumed run)."""

from __future__ import annotations

from itertools import islice

import numpy as np

from voicekit.train.batches import LengthBuckets


def _padding(batches: list[list[int]], lengths: np.ndarray) -> float:
    """Seconds of padding: every clip is padded to its batch's longest."""
    return float(sum(lengths[b].max() * len(b) - lengths[b].sum() for b in batches))


def test_every_clip_once_similar_lengths_and_a_new_order_each_epoch() -> None:
    lengths = np.random.default_rng(0).uniform(1.0, 15.0, 1000)
    sampler = LengthBuckets(lengths.tolist(), batch_size=32, seed=7)
    first = sampler.epoch(0)
    assert len(first) == sampler.per_epoch == 32  # 31 full batches and one of 8
    assert sorted(i for b in first for i in b) == list(range(1000))
    assert [len(b) for b in first[:-1]] == [32] * 31 and len(first[-1]) == 8

    # batches of shuffled clips would pad ~6 s per clip; length windows pad far less
    shuffled = np.random.default_rng(1).permutation(1000)
    random_batches = [shuffled[i : i + 32] for i in range(0, 1000, 32)]
    assert _padding(first, lengths) < 0.2 * _padding(random_batches, lengths)

    second = sampler.epoch(1)
    assert sorted(i for b in second for i in b) == list(range(1000))
    assert {tuple(b) for b in second} != {tuple(b) for b in first}
    # not shortest first: the first batches of an epoch span the length range
    means = [float(lengths[b].mean()) for b in second[:8]]
    assert max(means) - min(means) > 3.0

    # the sampler streams epoch after epoch; a run resumed at epoch 1 draws the same batches
    assert list(islice(sampler, 64)) == first + second
    resumed = LengthBuckets(lengths.tolist(), batch_size=32, seed=7, first_epoch=1)
    assert list(islice(resumed, 32)) == second
