"""Clustering window embeddings into speakers, with the number of speakers estimated.

GE2E embeddings of one recording share a large common component (channel, room, language,
and here often the speakers' shared accent): raw cosines between different speakers sit at
0.75-0.9, so a fixed distance threshold merges everyone. Subtracting the recording's mean
embedding before comparing keeps only what differs between its voices. The number of speakers
then comes from the scene itself: spectral clustering of a pruned affinity matrix, with the
count at the largest eigengap of its normalised Laplacian (as in Wang et al. 2018, "Speaker
diarization with LSTM", and pyannote's spectral variants).
"""

from __future__ import annotations

import numpy as np

KEEP = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
MAX_WINDOWS = 2000  # the affinity matrix is n x n: longer recordings are subsampled to fit


def normalise(x: np.ndarray) -> np.ndarray:
    return x / (np.linalg.norm(x, axis=-1, keepdims=True) + 1e-12)


def centre(x: np.ndarray) -> np.ndarray:
    """Unit embeddings with the recording's mean direction removed, re-normalised."""
    unit = normalise(x)
    return normalise(unit - unit.mean(axis=0))


def _laplacian_spectrum(x: np.ndarray, neighbours: int) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues and vectors of the normalised Laplacian of the pruned cosine affinity."""
    n = len(x)
    affinity = x @ x.T
    nearest = np.argsort(-affinity, axis=1)[:, :neighbours]
    mask = np.zeros_like(affinity, dtype=bool)
    mask[np.arange(n)[:, None], nearest] = True
    pruned = np.where(mask, np.maximum(affinity, 0.0), 0.0)
    pruned = 0.5 * (pruned + pruned.T)
    np.fill_diagonal(pruned, 0.0)
    scale = 1.0 / np.sqrt(pruned.sum(axis=1) + 1e-9)
    values, vectors = np.linalg.eigh(np.eye(n) - scale[:, None] * pruned * scale[None, :])
    return values, vectors


def estimate_labels(x: np.ndarray, keep: tuple[float, ...], max_speakers: int) -> np.ndarray:
    """Spectral clustering of centred unit embeddings `x`, speaker count by eigengap.

    Each row of the cosine affinity keeps only a share of its nearest neighbours (links
    between speakers are cut) and the count k is where the sorted eigenvalues of the
    normalised Laplacian jump most. The share is chosen per recording among `keep` as the
    one whose largest gap is clearest for the pruning it needs (Park et al. 2019, NME-SC):
    too few neighbours split a speaker, too many merge speakers.
    """
    from sklearn.cluster import KMeans

    n = len(x)
    top = min(max_speakers, n - 1)
    best: tuple[float, int, np.ndarray] | None = None
    for share in keep:
        neighbours = max(2, int(np.ceil(share * n)))
        values, vectors = _laplacian_spectrum(x, neighbours)
        gaps = np.diff(values[: top + 1])
        k = int(np.argmax(gaps)) + 1
        ratio = (neighbours / n) / (float(gaps[k - 1]) / max(float(values[-1]), 1e-9) + 1e-9)
        if best is None or ratio < best[0]:
            best = (ratio, k, vectors)
    assert best is not None
    _, k, vectors = best
    if k == 1:
        return np.zeros(n, dtype=int)
    spectral = normalise(vectors[:, :k])
    return np.asarray(KMeans(k, n_init=10, random_state=0).fit_predict(spectral), dtype=int)


def cluster(
    embeddings: np.ndarray, max_speakers: int = 8, keep: tuple[float, ...] = KEEP
) -> tuple[np.ndarray, np.ndarray]:
    """Speaker labels per window and each speaker's centroid.

    Clustering runs on centred embeddings (see the module docstring); the returned centroids
    are in the raw embedding space, so callers compare them with `normalise(embeddings)`.
    Labels are renumbered by size (0 = most speech).

    Args:
        embeddings: (n, dim) window embeddings of one recording.
        max_speakers: the most speakers the eigengap may choose.
        keep: candidate shares of nearest neighbours each window keeps in the affinity.

    Returns:
        (labels per window, L2-normalised centroids (k, dim)).
    """
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int), np.zeros((0, embeddings.shape[1]), np.float32)
    if n < 4:
        return np.zeros(n, dtype=int), normalise(embeddings.mean(axis=0, keepdims=True))
    x = centre(embeddings)
    sample = np.linspace(0, n - 1, min(n, MAX_WINDOWS)).astype(int)
    labels = estimate_labels(x[sample], keep, max_speakers)
    ks = [c for c in range(labels.max() + 1) if np.any(labels == c)]
    # every window (sampled or not) goes to the nearest centred centroid
    centred = normalise(np.stack([x[sample][labels == c].mean(axis=0) for c in ks]))
    labels = (x @ centred.T).argmax(axis=1)
    ks = [c for c in range(len(ks)) if np.any(labels == c)]
    unit = normalise(embeddings)
    raw = normalise(np.stack([unit[labels == c].mean(axis=0) for c in ks]))
    labels = np.searchsorted(ks, labels)
    order = np.argsort(-np.bincount(labels, minlength=len(raw)), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[labels], raw[order]
