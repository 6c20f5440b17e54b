"""Facet rows → base clusters → named, bottom-up hierarchy → privacy review.

Follows the Clio recipe: embed the rendered facets, k-means into base clusters, name each from what sets
it apart, then embed the names, cluster them coarser and name the parents, level by level. Every step
that a plugin can replace (embed, cluster, name, review) is called through the hooks.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, Field

from traceclio_core.components import (
    ChildName,
    ClusterEvidence,
    ClusterName,
    HierarchyBuilder,
    ParentEvidence,
    Share,
)
from traceclio_core.facets import FacetRow
from traceclio_core.render import render
from traceclio_core.sanitize import compile_names, sanitize, scrub_generated
from traceclio_core.settings import Settings
from traceclio_core.vectors import VectorCache

SUMMARIES_PER_CLUSTER = 8
CONTRAST_SUMMARIES = 4
# A hierarchy builder proposes parents within neighbourhoods of about this many children (Clio's appendix).
NEIGHBOURHOOD = 40


class ClusterNode(BaseModel):
    """One cluster at one level; level 0 = leaves. Carries aggregates and sanitised text only."""

    id: str
    level: int
    parent: str | None = None
    children: list[str] = Field(default_factory=list)
    title: str = ""
    description: str = ""
    # The cluster's numbers in one line, computed here from its facets whatever namer wrote the words.
    profile: str = ""
    size: int
    tenants: int
    surfaced: bool = True
    suppressed_reason: str | None = None
    failure_modes: list[Share] = Field(default_factory=list)
    completion: list[Share] = Field(default_factory=list)
    mean_concern: float = 0.0
    examples: list[str] = Field(default_factory=list)


class RunResult(BaseModel):
    """Everything a finished run produced; exporters read this."""

    clusters: list[ClusterNode]
    # trace id → leaf cluster id, or None when suppressed, rejected or unclustered.
    assignments: dict[str, str | None]
    rows: list[FacetRow]
    # Traces set aside whole (e.g. a cycle in parent links): listed in assignments.jsonl with no cluster.
    rejected_traces: list[str] = Field(default_factory=list)
    summary: dict = Field(default_factory=dict)


def leaf_profile(ev: ClusterEvidence) -> str:
    """Share of the run, dominant failure and ending, typical tool use: what a reader checks a name against."""
    parts = [f"{ev.size} traces ({ev.size / ev.total if ev.total else 0:.0%} of the run)"]
    top = ev.failure_modes[0] if ev.failure_modes else None
    if top and top.value != "none":
        parts.append(f"{top.inside:.0%} {top.value} (vs {top.overall:.0%} overall)")
    if ev.completion:
        parts.append(f"{ev.completion[0].inside:.0%} end {ev.completion[0].value.replace('_', ' ')}")
    sequence = ev.sequences[0].value if ev.sequences else "no tools"
    kind = ev.error_classes[0].value if ev.error_classes else ""
    errors = f", mostly {kind.replace('_', ' ')}" if kind and kind != "other" else ""
    parts.append(f"typical tool use {sequence}, {ev.mean_tool_calls:g} calls, {ev.mean_tool_errors:g} errors{errors} "
                 f"and {ev.mean_retries:g} retries per trace")
    return "; ".join(parts) + "."


def default_k(n_traces: int) -> int:
    """Base k grows with the square root of the traces: ~30 at 2k, ~50 at 5k, ~220 at 100k."""
    return max(2, round(math.sqrt(n_traces / 2)))


def max_leaf_k(n_traces: int) -> int:
    """The most leaves `leaf_k` picks for this many traces."""
    return 2 * default_k(n_traces)


def leaf_k(n_traces: int, weights: np.ndarray, min_traces: int) -> int:
    """Base k: the square-root rule, raised to the number of distinct rendered texts that could surface on
    their own (at least `min_traces` traces each), up to twice the rule.

    When the facets are categorical (the offline judge) a run renders a few dozen distinct texts, each a
    separate verdict. The square-root rule alone then merges distinct verdicts whenever there are more of
    them than k, and a monitor distilled from the merged cluster fires on both. When every trace renders
    its own text (model-written facets) no text reaches `min_traces` and the rule stands.
    """
    floor = default_k(n_traces)
    modes = int(np.count_nonzero(weights >= min_traces))
    return max(floor, min(modes, max_leaf_k(n_traces)))


def parent_count(children: int) -> int:
    """About four children per parent; never a single parent over more than two children."""
    return max(2, min(children - 1, round(children / 4))) if children > 2 else 1


def _shares(values: Sequence[str], overall: Counter, total: int, top: int = 4, size: int | None = None) -> list[Share]:
    """Each value's share of the cluster's traces beside its share of the run's (`size`: the cluster's trace
    count, for facets with several values per trace, such as error classes)."""
    inside = Counter(values)
    n = size or len(values)
    return [
        Share(value=value, inside=round(count / n, 4), overall=round(overall[value] / total, 4))
        for value, count in sorted(inside.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    ]


class Clustering:
    """The stages after the fact table, with their plugins given explicitly (no hidden globals)."""

    def __init__(self, settings: Settings, embedder, cluster: Callable, namer, review: Callable,
                 progress: Callable[[str, int], None] | None = None):
        self.settings = settings
        self.embedder = embedder
        self.cluster = cluster
        self.namer = namer
        self.review = review
        self.progress = progress or (lambda stage, n: None)
        self.texts_embedded = 0
        self.distinct_texts = 0
        # One cache for the leaves and every level above: read from disk once per run.
        self.vectors = VectorCache(embedder, settings.cache_dir)

    def _embed(self, texts: list[str]) -> tuple[np.ndarray, list[int], np.ndarray]:
        """Distinct texts' vectors, each text's index into them, and each distinct text's count."""
        index: dict[str, int] = {}
        position = [index.setdefault(t, len(index)) for t in texts]
        distinct = list(index)
        vectors, computed = self.vectors.embed(distinct)
        self.texts_embedded += computed
        # Rounded so vectors from cache and fresh ones (batched differently) cluster identically.
        vectors = np.round(vectors, 4).astype(np.float32)
        return vectors, position, np.bincount(position, minlength=len(distinct)).astype(np.float64)

    def run(self, rows: list[FacetRow]) -> tuple[list[ClusterNode], dict[str, str | None]]:
        settings = self.settings
        names = compile_names(sorted({r.tenant for r in rows if r.tenant}))
        texts = [render(r, settings.facets) for r in rows]
        vectors, position, weights = self._embed(texts)
        self.distinct_texts = len(vectors)
        self.progress("embed", len(rows))
        k = settings.k or leaf_k(len(rows), weights, settings.min_traces)
        labels = np.asarray(self.cluster(vectors=vectors, weights=weights, k=k, settings=settings))
        trace_labels = labels[position]
        self.progress("cluster", len(rows))

        leaves, members = self._leaves(rows, trace_labels, vectors[position], names)
        self.progress("name", len(leaves))
        nodes = list(leaves)
        level_nodes, level_members = leaves, members
        for level in range(1, settings.levels):
            if len(level_nodes) <= 1:
                break
            level_nodes, level_members = self._parents(level, level_nodes, level_members, rows, names)
            nodes.extend(level_nodes)
        self._apply_review(nodes)
        surfaced_leaf = {n.id for n in leaves if n.surfaced}
        assignments = {}
        for node in leaves:
            for i in members[node.id]:
                assignments[rows[i].trace_id] = node.id if node.id in surfaced_leaf else None
        return nodes, assignments

    # -- leaves --------------------------------------------------------------------------------------

    def _leaves(self, rows, labels, trace_vectors, names):
        groups: dict[int, list[int]] = {}
        for i, label in enumerate(labels):
            groups.setdefault(int(label), []).append(i)
        # Largest first, ties by first trace id: stable, readable ids.
        ordered = sorted(groups.values(), key=lambda m: (-len(m), rows[m[0]].trace_id))
        centroids = np.stack([trace_vectors[m].mean(axis=0) for m in ordered])
        overall = {key: Counter(values) for key, values in _facet_values(rows, range(len(rows))).items()}
        evidence = []
        for c, member in enumerate(ordered):
            nearest = _nearest(centroids, c, 1)
            evidence.append(self._evidence(f"L0-{c:03d}", member, rows, overall,
                                           [ordered[j] for j in nearest], names))
        named = self.namer.name_clusters(evidence)
        nodes, members = [], {}
        for member, ev, name in zip(ordered, evidence, named):
            node_id = ev.cluster_id
            nodes.append(ClusterNode(
                id=node_id, level=0, title=scrub_generated(name.title, names), description=scrub_generated(name.description, names),
                profile=leaf_profile(ev), size=len(member), tenants=len({rows[i].tenant for i in member}),
                failure_modes=ev.failure_modes, completion=ev.completion, mean_concern=ev.mean_concern,
                examples=ev.summaries[: self.settings.examples_per_cluster],
            ))
            members[node_id] = member
        return nodes, members

    def _evidence(self, cluster_id, member, rows, overall, contrast_groups, names) -> ClusterEvidence:
        total = len(rows)
        values = _facet_values(rows, member)
        ordered = sorted(member, key=lambda i: rows[i].content_hash)
        summaries = _distinct((sanitize(rows[i].model.task_summary, names) for i in ordered), SUMMARIES_PER_CLUSTER)
        contrast = _distinct((sanitize(rows[i].model.task_summary, names)
                              for group in contrast_groups for i in sorted(group, key=lambda i: rows[i].content_hash)),
                             CONTRAST_SUMMARIES)
        n = len(member)
        return ClusterEvidence(
            cluster_id=cluster_id, size=n, total=total,
            failure_modes=_shares(values["failure_mode"], overall["failure_mode"], total),
            completion=_shares(values["completion_status"], overall["completion_status"], total),
            sequences=_shares(values["tool_call_sequence"], overall["tool_call_sequence"], total, top=3),
            reasoning=_shares(values["reasoning_pattern"], overall["reasoning_pattern"], total, top=3),
            resources=_shares(values["resource_pattern"], overall["resource_pattern"], total, top=3),
            error_classes=_shares(values["error_class"], overall["error_class"], total, size=len(member))
            if values["error_class"] else [],
            mean_tool_calls=round(sum(rows[i].direct.tool_call_count for i in member) / n, 2),
            mean_tool_errors=round(sum(rows[i].direct.tool_error_count for i in member) / n, 2),
            mean_retries=round(sum(rows[i].direct.retry_count for i in member) / n, 2),
            mean_concern=round(sum(rows[i].model.concerning_behavior for i in member) / n, 2),
            claimed_not_run_rate=round(sum(1 for i in member if rows[i].direct.claimed_not_run) / n, 3),
            summaries=summaries,
            contrast_summaries=contrast,
        )

    # -- levels above --------------------------------------------------------------------------------

    def _parents(self, level, children, members, rows, names):
        texts = [f"{c.title}. {c.description}" for c in children]
        vectors, position, _ = self._embed(texts)
        child_vectors = vectors[position]
        sizes = np.array([c.size for c in children], dtype=np.float64)
        child_names = [ChildName(cluster_id=c.id, title=c.title, description=c.description, size=c.size)
                       for c in children]
        target = parent_count(len(children))
        given_names: dict[int, ClusterName] = {}
        if isinstance(self.namer, HierarchyBuilder):
            hoods = np.asarray(self.cluster(vectors=child_vectors, weights=sizes,
                                            k=max(1, math.ceil(len(children) / NEIGHBOURHOOD)), settings=self.settings))
            neighbourhoods = [[i for i in range(len(children)) if hoods[i] == h] for h in sorted(set(hoods.tolist()))]
            labels, proposed = self.namer.build_level(child_names, neighbourhoods, target)
            given_names = dict(enumerate(proposed))
        else:
            labels = self.cluster(vectors=child_vectors, weights=sizes, k=target, settings=self.settings)
        groups: dict[int, list[int]] = {}
        for i, label in enumerate(np.asarray(labels).tolist()):
            groups.setdefault(int(label), []).append(i)
        keyed = sorted(groups.items(), key=lambda kv: (-sum(children[i].size for i in kv[1]), children[kv[1][0]].id))
        ordered = [group for _, group in keyed]
        centroids = np.stack([child_vectors[g].mean(axis=0) for g in ordered])
        evidence = []
        for p, group in enumerate(ordered):
            outside = [children[i].title for j in _nearest(centroids, p, 2) for i in ordered[j]]
            evidence.append(ParentEvidence(cluster_id=f"L{level}-{p:03d}", children=[child_names[i] for i in group],
                                           contrast_titles=outside[:CONTRAST_SUMMARIES]))
        if given_names:
            named = [given_names[label] for label, _ in keyed]
        else:
            named = self.namer.name_parents(evidence)
        nodes, parent_members = [], {}
        for group, ev, name in zip(ordered, evidence, named):
            member = sorted(i for c in group for i in members[children[c].id])
            for c in group:
                children[c].parent = ev.cluster_id
            statuses = Counter(rows[i].model.completion_status.value for i in member)
            failures = Counter(rows[i].model.failure_mode for i in member)
            n = len(member)
            nodes.append(ClusterNode(
                id=ev.cluster_id, level=level, children=[children[c].id for c in group],
                title=scrub_generated(name.title, names), description=scrub_generated(name.description, names),
                size=n, tenants=len({rows[i].tenant for i in member}),
                failure_modes=[Share(value=v, inside=round(c / n, 4), overall=0.0) for v, c in failures.most_common(4)],
                completion=[Share(value=v, inside=round(c / n, 4), overall=0.0) for v, c in statuses.most_common(4)],
                mean_concern=round(sum(rows[i].model.concerning_behavior for i in member) / n, 2),
            ))
            parent_members[ev.cluster_id] = member
        return nodes, parent_members

    # -- privacy -------------------------------------------------------------------------------------

    def _apply_review(self, nodes: list[ClusterNode]) -> None:
        reasons: dict[str, str] = {}
        for suppressions in self.review(clusters=nodes, settings=self.settings):
            for cluster_id, reason in suppressions or []:
                reasons.setdefault(cluster_id, reason)
        by_id = {n.id: n for n in nodes}
        # Top-down, so a suppressed parent hides everything beneath it.
        for node in sorted(nodes, key=lambda n: -n.level):
            parent = by_id.get(node.parent) if node.parent else None
            reason = reasons.get(node.id)
            if reason is None and parent is not None and not parent.surfaced:
                reason = f"parent {parent.id} is suppressed"
            if reason is not None:
                node.surfaced = False
                node.suppressed_reason = reason


def _facet_values(rows: list[FacetRow], member) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in ("failure_mode", "completion_status", "tool_call_sequence",
                                                 "reasoning_pattern", "resource_pattern", "error_class")}
    for i in member:
        model = rows[i].model
        out["failure_mode"].append(model.failure_mode or "none")
        out["completion_status"].append(model.completion_status.value)
        out["tool_call_sequence"].append(model.tool_call_sequence)
        out["reasoning_pattern"].append(model.reasoning_pattern)
        out["resource_pattern"].append(model.resource_pattern)
        out["error_class"].extend(rows[i].direct.error_classes)
    return out


def _nearest(centroids: np.ndarray, index: int, count: int) -> list[int]:
    distances = np.linalg.norm(centroids - centroids[index], axis=1)
    order = [int(j) for j in np.argsort(distances, kind="stable") if j != index]
    return order[:count]


def _distinct(texts, limit: int) -> list[str]:
    seen, out = set(), []
    for text in texts:
        if text and text not in seen:
            seen.add(text)
            out.append(text)
            if len(out) == limit:
                break
    return out
