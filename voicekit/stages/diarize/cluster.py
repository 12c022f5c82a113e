"""Clustering window embeddings into speakers, with the number of speakers estimated."""

from __future__ import annotations

import numpy as np


def normalise(x: np.ndarray) -> np.ndarray:
    return x / (np.linalg.norm(x, axis=-1, keepdims=True) + 1e-12)


def cluster(
    embeddings: np.ndarray, threshold: float, min_share: float = 0.03
) -> tuple[np.ndarray, np.ndarray]:
    """Average-linkage agglomerative clustering on cosine distance, stopped at `threshold`.

    Clusters holding fewer than `min_share` of the windows (or under 3 windows) are noise,
    short interjections or overlaps, too small for a reliable centroid: their windows join the
    nearest large cluster. Labels are renumbered by size (0 = most speech).

    Returns:
        (labels per window, L2-normalised centroids (k, dim)).
    """
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int), np.zeros((0, embeddings.shape[1]), np.float32)
    if n == 1:
        return np.zeros(1, dtype=int), normalise(embeddings[:1])
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, metric="cosine", linkage="average"
    ).fit_predict(embeddings)
    counts = np.bincount(labels)
    big = [c for c in range(len(counts)) if counts[c] >= max(3, min_share * n)]
    if not big:
        big = [int(counts.argmax())]
    centroids = normalise(np.stack([embeddings[labels == c].mean(axis=0) for c in big]))
    labels = (normalise(embeddings) @ centroids.T).argmax(axis=1)
    # one refinement pass (k-means step) so centroids match the final assignment
    keep = [c for c in range(len(big)) if np.any(labels == c)]
    centroids = normalise(np.stack([embeddings[labels == c].mean(axis=0) for c in keep]))
    labels = (normalise(embeddings) @ centroids.T).argmax(axis=1)
    order = np.argsort(-np.bincount(labels, minlength=len(centroids)), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[labels], centroids[order]
