"""Long recordings diarized in blocks, the blocks' speakers then linked across the recording.

A film's scenes differ in room, microphone and mix. Clustered over a whole film, one voice
splits into a cluster per acoustic condition, and the windows between those clusters fall
within the overlap margin and are marked overlap: on a 57-minute test film of 20 scenes the
target lost 200 s of its clean speech that way, 13 s when each scene was clustered alone. So a
long recording is cut at pauses into blocks of about a scene, each block is clustered on its
own, and a block's speakers are linked to the same speakers of other blocks.

Linking compares block-centred centroids: a speaker's mean window embedding minus the block's
mean (the block's room and mix, which the whole-recording mean does not remove). Groups join
by average linkage down to a threshold; two speakers of one block are never joined (the block's
clustering already told them apart).
"""

from __future__ import annotations

import numpy as np

from voicekit.stages.diarize.cluster import normalise

Region = tuple[float, float]


def split_blocks(regions: list[Region], block_s: float) -> list[list[Region]]:
    """Consecutive speech regions grouped into blocks of at most ``block_s`` seconds.

    A block that would grow past ``block_s`` ends at the longest pause in its second half (a
    scene change is more likely there than at the pause that happens to come last). A single
    region longer than ``block_s`` is a block of its own. ``block_s <= 0``: one block.
    """
    if block_s <= 0 or not regions or regions[-1][1] - regions[0][0] <= block_s:
        return [list(regions)] if regions else []
    blocks: list[list[Region]] = []
    current: list[Region] = []
    for region in regions:
        if current and region[1] - current[0][0] > block_s:
            starts = [r[0] for r in current[1:]] + [region[0]]
            half = current[0][0] + 0.5 * (current[-1][1] - current[0][0])
            cut = max((i for i in range(1, len(current) + 1) if starts[i - 1] >= half),
                      key=lambda i: starts[i - 1] - current[i - 1][1])
            blocks.append(current[:cut])
            current = current[cut:]
        current.append(region)
    blocks.append(current)
    return blocks


def link(centroids: list[np.ndarray], weights: list[np.ndarray], threshold: float) -> list[
        np.ndarray]:
    """Global speaker ids for each block's speakers.

    Args:
        centroids: per block, (k_b, dim) block-centred unit centroids of its speakers.
        weights: per block, (k_b,) windows of each speaker (the average linkage weights them).
        threshold: groups whose weighted mean pairwise cosine is below this stay apart.

    Returns:
        Per block, (k_b,) global ids, numbered by total windows (0 = most speech).
    """
    owner = [(b, i) for b, c in enumerate(centroids) for i in range(len(c))]
    if not owner:
        return [np.zeros(0, dtype=int) for _ in centroids]
    vecs = normalise(np.concatenate(centroids))
    size = np.concatenate(weights).astype(float)
    # per pair of groups: the weighted sum of their members' cosines and their total weights
    # (merging adds rows, so each step is one argmax: average linkage in O(n^3) at most)
    pair_sum = (vecs @ vecs.T) * np.outer(size, size)
    total = size.copy()
    block = np.array([b for b, _ in owner])
    apart = block[:, None] == block[None, :]  # groups holding speakers of one block
    alive = np.ones(len(owner), dtype=bool)
    member = np.arange(len(owner))  # each speaker's group
    while True:
        score = pair_sum / np.outer(total, total)
        score[apart | ~alive[:, None] | ~alive[None, :]] = -np.inf
        x, y = np.unravel_index(int(np.argmax(score)), score.shape)
        if score[x, y] < threshold:
            break
        pair_sum[x] += pair_sum[y]
        pair_sum[:, x] += pair_sum[:, y]
        total[x] += total[y]
        apart[x] |= apart[y]
        apart[:, x] |= apart[:, y]
        alive[y] = False
        member[member == y] = x
    groups = [list(np.flatnonzero(member == g)) for g in np.flatnonzero(alive)]
    groups.sort(key=lambda g: -size[g].sum())
    ids = [np.zeros(len(c), dtype=int) for c in centroids]
    for gid, group in enumerate(groups):
        for i in group:
            b, k = owner[i]
            ids[b][k] = gid
    return ids
