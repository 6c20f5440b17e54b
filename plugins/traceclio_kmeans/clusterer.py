"""Seeded k-means over distinct texts weighted by how many traces share each one.

Weighting distinct vectors is exactly k-means over all traces, at the cost of the distinct ones only.
Above `PROJECT_ABOVE` distinct points, k-means runs on the points' leading principal components (weighted
the same way) instead of on every column: the geometry's phrase part has a column per phrase of the run,
most of them rare, and a float64 copy of every column is what k-means' memory and time grow with.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:
    import numpy as np

    from traceclio_core.settings import Settings

log = logging.getLogger(__name__)

# Above this many distinct points mini-batch k-means is used: near the same partitions, far less time.
MINIBATCH_ABOVE = 50_000
N_INIT = 4
# Above this many distinct points k-means works on the leading principal components. Every set the
# README's quality figures come from has fewer, so their clusters are those of k-means on every column.
PROJECT_ABOVE = 20_000
# Components kept: the fewest whose share of the (weighted) variance reaches this, at most MAX_COMPONENTS.
KEEP_VARIANCE = 0.98
MAX_COMPONENTS = 512
# Rows read at a time when the covariance is summed and the points projected: no second full-size array.
BLOCK = 4096


def principal_components(vectors: np.ndarray, weights: np.ndarray, keep: float = KEEP_VARIANCE,
                         most: int = MAX_COMPONENTS) -> tuple[np.ndarray, np.ndarray, float]:
    """The weighted mean, the leading principal axes (columns) and the share of the variance they hold.

    The covariance is summed a block of rows at a time in float64 (columns × columns, 30 MB at 1,950
    columns); its eigenvectors are the axes. Each axis's sign is fixed (largest entry positive), so the
    same points give the same axes whatever the eigensolver's sign.
    """
    import numpy as np

    total = float(weights.sum())
    mean = np.zeros(vectors.shape[1], dtype=np.float64)
    for start in range(0, len(vectors), BLOCK):
        block = np.asarray(vectors[start:start + BLOCK], dtype=np.float64)
        mean += weights[start:start + BLOCK] @ block
    mean /= total
    scatter = np.zeros((vectors.shape[1], vectors.shape[1]), dtype=np.float64)
    for start in range(0, len(vectors), BLOCK):
        block = np.asarray(vectors[start:start + BLOCK], dtype=np.float64) - mean
        scatter += (block * weights[start:start + BLOCK, None]).T @ block
    values, axes = np.linalg.eigh(scatter / total)
    values, axes = np.clip(values[::-1], 0.0, None), axes[:, ::-1]
    share = np.cumsum(values) / max(float(values.sum()), 1e-300)
    count = min(most, int(np.searchsorted(share, keep) + 1), len(values))
    axes = axes[:, :count]
    signs = np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(count)])
    axes = axes * np.where(signs == 0, 1.0, signs)
    return mean, np.ascontiguousarray(axes), float(share[count - 1])


def project(vectors: np.ndarray, weights: np.ndarray, keep: float = KEEP_VARIANCE,
            most: int = MAX_COMPONENTS) -> np.ndarray:
    """The points' coordinates on their leading principal axes, as a float64 array of their own."""
    import numpy as np

    mean, axes, share = principal_components(vectors, weights, keep, most)
    log.info("k-means on the leading %d of %d components (%.1f%% of the variance) of %d points",
             axes.shape[1], vectors.shape[1], 100 * share, len(vectors))
    out = np.empty((len(vectors), axes.shape[1]), dtype=np.float64)
    for start in range(0, len(vectors), BLOCK):
        out[start:start + BLOCK] = (np.asarray(vectors[start:start + BLOCK], dtype=np.float64) - mean) @ axes
    return out


def kmeans_labels(vectors: np.ndarray, weights: np.ndarray, k: int, seed: int) -> np.ndarray:
    # Imported here: every command loads this plugin, only a run clusters.
    import numpy as np
    from sklearn.cluster import KMeans, MiniBatchKMeans

    n = len(vectors)
    k = max(1, min(k, n))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    if n > PROJECT_ABOVE:
        vectors = project(vectors, np.asarray(weights, dtype=np.float64))
    else:
        # float64: for float32 input sklearn's k-means++ seeding computes distances in float64 chunk by
        # chunk, which took 236 of 250 s of k-means at 100,000 traces; a float64 copy halves the clustering
        # there. Labels were the float32 path's on every set the README's quality figures come from.
        vectors = np.array(vectors, dtype=np.float64)  # always a copy of its own: k-means centres it in place
    if n > MINIBATCH_ABOVE:
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=N_INIT, batch_size=4096)
    else:
        # copy_x=False: centre this copy in place rather than copy it again (the same arithmetic).
        model = KMeans(n_clusters=k, random_state=seed, n_init=N_INIT, copy_x=False)
    return model.fit_predict(vectors, sample_weight=weights).astype(np.int64)


@hookimpl(trylast=True)
def traceclio_cluster(vectors: np.ndarray, weights: np.ndarray, k: int, settings: Settings) -> np.ndarray:
    return kmeans_labels(vectors, weights, k, settings.seed)
