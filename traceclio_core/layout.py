"""The report's map: the surfaced leaves and a bounded sample of their traces, in two dimensions.

A PCA (scikit-learn) of the leaves' centroids in the clustering geometry (geometry.py), so the map's
axes are the directions along which the leaves differ most, and the sampled traces placed by the same
projection. Traces that render the same evidence share one point of the geometry; the report spreads
coinciding points a little. Suppressed leaves and their traces are not placed at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from traceclio_core.cluster_model import ClusterNode, MapLayout
from traceclio_core.facets import FacetRow
from traceclio_core.geometry import TraceVectors

# Traces drawn per leaf, and in all: the map and the report stay the same size at 100k traces.
TRACES_PER_LEAF = 20
MAX_TRACES = 4000
MIN_TRACES_PER_LEAF = 3


def _projection(points: np.ndarray):
    """A function from vectors to 2D coordinates fitted on `points`; constant where nothing varies."""
    from sklearn.decomposition import PCA

    distinct = np.unique(points, axis=0)
    components = min(2, len(distinct) - 1, points.shape[1])
    if components < 1:
        return lambda x: np.zeros((len(x), 2))
    pca = PCA(n_components=components, svd_solver="full").fit(points)

    def project(x: np.ndarray) -> np.ndarray:
        flat = pca.transform(x)
        return np.hstack([flat, np.zeros((len(x), 2 - components))]) if components < 2 else flat

    return project


def project_map(rows: Sequence[FacetRow], leaves: Sequence[ClusterNode], members: dict[str, list[int]],
                trace_vectors: np.ndarray | TraceVectors, centroids: np.ndarray) -> MapLayout:
    """Surfaced leaves at their centroids and up to TRACES_PER_LEAF traces each (by content hash)."""
    surfaced = [c for c, node in enumerate(leaves) if node.surfaced]
    if not surfaced:
        return MapLayout()
    per_leaf = max(MIN_TRACES_PER_LEAF, min(TRACES_PER_LEAF, MAX_TRACES // len(surfaced)))
    sample = [i for c in surfaced
              for i in sorted(members[leaves[c].id], key=lambda i: (rows[i].content_hash, rows[i].trace_id))[:per_leaf]]
    # With one or two leaves their centroids give no plane: fit on the sampled traces instead.
    fitted_on = centroids[surfaced] if len(surfaced) >= 3 else trace_vectors[sample]
    project = _projection(np.asarray(fitted_on, dtype=np.float64))
    at_leaf = np.round(project(np.asarray(centroids[surfaced], dtype=np.float64)), 4) + 0.0  # no -0.0
    at_trace = np.round(project(np.asarray(trace_vectors[sample], dtype=np.float64)), 4) + 0.0
    return MapLayout(
        leaves={leaves[c].id: (float(x), float(y)) for c, (x, y) in zip(surfaced, at_leaf)},
        traces={rows[i].trace_id: (float(x), float(y)) for i, (x, y) in zip(sample, at_trace)},
    )
