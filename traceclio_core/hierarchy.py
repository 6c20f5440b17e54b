"""Facet rows → base clusters → named, bottom-up hierarchy → privacy review: the stage runner.

Follows the Clio recipe: render the facets along the axis and place them (geometry.py), k-means into base
clusters, name each from what sets it apart from its neighbours (leaves.py, contrast.py), set aside the
outliers (outliers.py), then cluster the named leaves coarser and name the parents, level by level
(parents.py). Every step a plugin can replace (embed, cluster, name, review) is called through the hooks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from traceclio_core.cluster_model import (  # noqa: F401  (re-exported: the models most modules import from here)
    ClusterNode,
    MapLayout,
    RunResult,
    default_k,
    leaf_k,
    max_leaf_k,
    parent_count,
)
from traceclio_core.contrast import RunContrast
from traceclio_core.facets import FacetRow
from traceclio_core.geometry import Geometry
from traceclio_core.layout import project_map
from traceclio_core.leaves import _shares, build_leaves, leaf_profile  # noqa: F401
from traceclio_core.outliers import find_outliers
from traceclio_core.parents import build_parents
from traceclio_core.render import Axis
from traceclio_core.sanitize import compile_names
from traceclio_core.settings import Settings
from traceclio_core.vectors import VectorCache


# Phrases of at least this weight make up what a rendering is "about" when counting distinct kinds of
# evidence for k; lighter ones (which error message, a framework's scaffolding) vary within one kind.
CORE_WEIGHT = 1.0


def evidence_modes(renderings) -> np.ndarray:
    """How many traces share each distinct core of evidence (its weightier phrases): the kinds of trace a
    run holds, whatever lighter detail varies between them."""
    cores = Counter(frozenset(p.text for p in r if p.weight >= CORE_WEIGHT) for r in renderings)
    return np.array(sorted(cores.values(), reverse=True), dtype=np.float64)


class Clustering:
    """The stages after the fact table, with their plugins given explicitly (no hidden globals)."""

    def __init__(self, settings: Settings, axis: Axis, embedder, cluster: Callable, namer, review: Callable,
                 progress: Callable[[str, int], None] | None = None, vectors: VectorCache | None = None):
        self.settings = settings
        self.axis = axis
        self.cluster = cluster
        self.namer = namer
        self.review = review
        self.progress = progress or (lambda stage, n: None)
        self.texts_embedded = 0
        self.distinct_texts = 0
        # Leaf id → centroid (Geometry.centroids): kept so a later run can be matched to this one.
        self.centroids: dict[str, list[float]] = {}
        # One cache for the leaves and every level above: read from disk once per run (or once for several
        # runs of the same embedder, such as the per-tenant runs, when given).
        self.vectors = vectors or VectorCache(embedder, settings.cache_dir)

    def run(self, rows: list[FacetRow]) -> tuple[list[ClusterNode], dict[str, str | None], list[dict], MapLayout]:
        """Every cluster node, each trace's surfaced leaf (or None), the outliers and the report's map."""
        settings = self.settings
        names = compile_names(sorted({r.tenant for r in rows if r.tenant}))
        renderings = [self.axis.phrases(r) for r in rows]
        geometry = Geometry(renderings, self.vectors, settings.phrase_share)
        self.texts_embedded += geometry.computed
        self.distinct_texts = len(geometry.texts)
        self.progress("embed", len(rows))
        k = settings.k or leaf_k(len(rows), evidence_modes(renderings), settings.min_traces)
        labels = np.asarray(self.cluster(vectors=geometry.vectors, weights=geometry.weights, k=k, settings=settings))
        trace_labels = labels[geometry.position]
        self.progress("cluster", len(rows))

        contrast = RunContrast(rows, renderings)
        trace_vectors = geometry.trace_vectors()
        leaves, members, centroids = build_leaves(rows, trace_labels, trace_vectors, contrast, self.namer, names,
                                                 settings)
        outliers = find_outliers(rows, leaves, members, trace_vectors, centroids)
        self.progress("name", len(leaves))
        nodes = list(leaves)
        level_nodes, level_members = leaves, members
        self.centroids = geometry.centroids(members)
        for level in range(1, settings.levels):
            if len(level_nodes) <= 1:
                break
            level_nodes, level_members = build_parents(level, level_nodes, level_members, rows, contrast, self._embed,
                                                       self.cluster, self.namer, names, settings)
            nodes.extend(level_nodes)
        self._apply_review(nodes)
        layout = project_map(rows, leaves, members, trace_vectors, centroids)
        surfaced_leaf = {n.id for n in leaves if n.surfaced}
        assignments = {}
        for node in leaves:
            for i in members[node.id]:
                assignments[rows[i].trace_id] = node.id if node.id in surfaced_leaf else None
        return nodes, assignments, outliers, layout

    def _embed(self, texts: list[str]) -> np.ndarray:
        """One vector per text (embedded once per distinct text), for the levels above the leaves."""
        distinct = list(dict.fromkeys(texts))
        vectors, computed = self.vectors.embed(distinct)
        self.texts_embedded += computed
        at = {t: i for i, t in enumerate(distinct)}
        return np.round(np.asarray(vectors, dtype=np.float32), 4)[[at[t] for t in texts]]

    # -- privacy -------------------------------------------------------------------------------------

    def _apply_review(self, nodes: list[ClusterNode]) -> None:
        review_hierarchy(nodes, self.review, self.settings)


def review_hierarchy(nodes: list[ClusterNode], review: Callable, settings: Settings) -> None:
    """Ask every reviewer (`review`: the traceclio_review_clusters hook) about every node at once, then mark
    suppressed, with the first reason given: each node a reviewer names; then, bottom-up, each parent
    whose children are all suppressed; then, top-down, everything beneath a suppressed parent."""
    reasons: dict[str, str] = {}
    for suppressions in review(clusters=nodes, settings=settings):
        for cluster_id, reason in suppressions or []:
            reasons.setdefault(cluster_id, reason)
    by_id = {n.id: n for n in nodes}
    # Bottom-up: a parent shown with none of its children would name what the review hid beneath it.
    for node in sorted(nodes, key=lambda n: n.level):
        children = [by_id[c] for c in node.children if c in by_id]
        if node.id not in reasons and children and all(c.id in reasons for c in children):
            reasons[node.id] = "all its children are suppressed"
    # Top-down, so a suppressed parent hides everything beneath it.
    for node in sorted(nodes, key=lambda n: -n.level):
        parent = by_id.get(node.parent) if node.parent else None
        reason = reasons.get(node.id)
        if reason is None and parent is not None and not parent.surfaced:
            reason = f"parent {parent.id} is suppressed"
        if reason is not None:
            node.surfaced = False
            node.suppressed_reason = reason
