"""The fallback when no rule is good enough: membership by distance to the cluster's centroid.

Facets are rendered along the run's axis and embedded with the run's embedder, exactly as clustering
saw them; a trace belongs when its cosine distance to the centroid is at most the stored threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pluggy
from pydantic import BaseModel

from traceclio_core.errors import ConfigurationError
from traceclio_core.facets import FacetRow
from traceclio_core.render import Axis
from traceclio_core.settings import Settings


class Centroid(BaseModel):
    embedder: str
    axis: list[str]
    vector: list[float]
    max_distance: float


def embed_rows(rows: Sequence[FacetRow], axis: Sequence[str], settings: Settings, pm: pluggy.PluginManager) -> np.ndarray:
    embedder = pm.hook.traceclio_embedder(settings=settings)
    if embedder is None:
        raise ConfigurationError(f"no plugin provides the embedder {settings.embedder!r}")
    reader = Axis(settings.model_copy(update={"facets": tuple(axis)}), pm)
    texts = [reader.text(row) for row in rows]
    distinct = sorted(set(texts))
    vectors = embedder.embed(distinct) if distinct else np.zeros((0, 1), dtype=np.float32)
    index = {text: i for i, text in enumerate(distinct)}
    return np.asarray([vectors[index[t]] for t in texts], dtype=np.float32)


def distances(vectors: np.ndarray, centroid: Centroid) -> np.ndarray:
    # Clipped: a vector equal to the centroid is at distance 0, not at a float32 rounding below it.
    return np.clip(1.0 - vectors @ np.asarray(centroid.vector, dtype=np.float32), 0.0, None)


def fit_centroid(vectors: np.ndarray, members: np.ndarray, embedder: str, axis: Sequence[str]) -> Centroid:
    """The members' mean direction, and the distance cut-off with the best F1 on this run."""
    mean = vectors[members].mean(axis=0)
    mean = mean / (np.linalg.norm(mean) or 1.0)
    gaps = np.clip(1.0 - vectors @ mean, 0.0, None)
    best, cut = -1.0, float(gaps[members].max())
    for candidate in sorted(set(np.round(gaps[members], 6).tolist())):
        hits = gaps <= candidate + 1e-6
        true = (hits & members).sum()
        f1 = 2 * true / (hits.sum() + members.sum())
        if f1 > best:
            best, cut = f1, candidate + 1e-6
    return Centroid(embedder=embedder, axis=list(axis), vector=[round(float(v), 6) for v in mean],
                    max_distance=round(float(cut), 6))
