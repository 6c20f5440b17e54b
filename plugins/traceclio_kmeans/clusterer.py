"""Seeded k-means over distinct texts weighted by how many traces share each one.

Weighting distinct vectors is exactly k-means over all traces, at the cost of the distinct ones only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:
    import numpy as np

    from traceclio_core.settings import Settings

# Above this many distinct points mini-batch k-means is used: near the same partitions, far less time.
MINIBATCH_ABOVE = 50_000
N_INIT = 4


def kmeans_labels(vectors: np.ndarray, weights: np.ndarray, k: int, seed: int) -> np.ndarray:
    # Imported here: every command loads this plugin, only a run clusters.
    import numpy as np
    from sklearn.cluster import KMeans, MiniBatchKMeans

    # float64: for float32 input sklearn's k-means++ seeding computes distances in float64 chunk by chunk,
    # which took 236 of 250 s of k-means at 100,000 traces; a float64 copy (24,000 x 256 is 50 MB) halves
    # the clustering there. Labels were the float32 path's on every set the README's quality figures come
    # from (5,000 and 10,000 traces, the outside generator, frameworks, tau-bench); at 100,000 traces the
    # two paths reach different local optima (ARI 0.81 between them).
    vectors = np.array(vectors, dtype=np.float64)  # always a copy of its own: k-means centres it in place
    n = len(vectors)
    k = max(1, min(k, n))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    if n > MINIBATCH_ABOVE:
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=N_INIT, batch_size=4096)
    else:
        # copy_x=False: centre this copy in place rather than copy it again (the same arithmetic).
        model = KMeans(n_clusters=k, random_state=seed, n_init=N_INIT, copy_x=False)
    return model.fit_predict(vectors, sample_weight=weights).astype(np.int64)


@hookimpl(trylast=True)
def traceclio_cluster(vectors: np.ndarray, weights: np.ndarray, k: int, settings: Settings) -> np.ndarray:
    return kmeans_labels(vectors, weights, k, settings.seed)
