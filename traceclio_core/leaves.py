"""Base clusters → named leaf nodes: each leaf's evidence (its facets' shares, what sets it apart from its
nearest leaves, sanitised summaries) handed to the namer, and the node the outputs show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from traceclio_core.cluster_model import ClusterNode, outcome_summary, tenant_mix
from traceclio_core.components import ClusterEvidence, Share
from traceclio_core.contrast import RunContrast
from traceclio_core.examples import pick_examples
from traceclio_core.facets import FacetRow
from traceclio_core.geometry import TraceVectors
from traceclio_core.sanitize import sanitize, scrub_generated
from traceclio_core.settings import Settings

SUMMARIES_PER_CLUSTER = 8
CONTRAST_SUMMARIES = 4
# Leaves a leaf is contrasted with: its nearest by centroid.
NEIGHBOURS = 2
# Concern (1–5) at which a leaf counts as failing whatever its evidence says.
FAILING_CONCERN = 2.5


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


def _shares(values: Sequence[str], overall: Counter, total: int, top: int = 4, size: int | None = None) -> list[Share]:
    """Each value's share of the cluster's traces beside its share of the run's (`size`: the cluster's trace
    count, for facets with several values per trace, such as error classes)."""
    inside = Counter(values)
    n = size or len(values)
    return [
        Share(value=value, inside=round(count / n, 4), overall=round(overall[value] / total, 4))
        for value, count in sorted(inside.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    ]


def nearest(centroids: np.ndarray, index: int, count: int) -> list[int]:
    distances = np.linalg.norm(centroids - centroids[index], axis=1)
    order = [int(j) for j in np.argsort(distances, kind="stable") if j != index]
    return order[:count]


def distinct(texts, limit: int) -> list[str]:
    seen, out = set(), []
    for text in texts:
        if text and text not in seen:
            seen.add(text)
            out.append(text)
            if len(out) == limit:
                break
    return out


def facet_values(rows: Sequence[FacetRow], member) -> dict[str, list[str]]:
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


def is_failing(ev: ClusterEvidence) -> bool:
    """Failing work: a deviation is what most of it shares, or its concern is high."""
    leading = [c for c in ev.distinguishing if c.inside >= 0.5]
    return ev.mean_concern >= FAILING_CONCERN or any(c.deviation for c in leading[:2]) or ev.deviation_share >= 0.75


def leaf_evidence(cluster_id: str, member: list[int], nearby: list[int], rows: Sequence[FacetRow],
                  overall: dict[str, Counter], contrast: RunContrast, names) -> ClusterEvidence:
    total = len(rows)
    values = facet_values(rows, member)
    ordered = sorted(member, key=lambda i: rows[i].content_hash)
    summaries = distinct((sanitize(rows[i].model.task_summary, names) for i in ordered), SUMMARIES_PER_CLUSTER)
    others = distinct((sanitize(rows[i].model.task_summary, names)
                       for i in sorted(nearby, key=lambda i: rows[i].content_hash)), CONTRAST_SUMMARIES)
    phrases, attributes, deviation_share, heterogeneous = contrast.of(member, nearby)
    cover, cover_share = contrast.cover(member, phrases)
    n = len(member)
    return ClusterEvidence(
        cluster_id=cluster_id, size=n, total=total,
        distinguishing=phrases, attributes=attributes, deviation_share=deviation_share, heterogeneous=heterogeneous,
        cover=cover, cover_share=cover_share,
        failure_modes=_shares(values["failure_mode"], overall["failure_mode"], total),
        completion=_shares(values["completion_status"], overall["completion_status"], total),
        sequences=_shares(values["tool_call_sequence"], overall["tool_call_sequence"], total, top=3),
        reasoning=_shares(values["reasoning_pattern"], overall["reasoning_pattern"], total, top=3),
        resources=_shares(values["resource_pattern"], overall["resource_pattern"], total, top=3),
        error_classes=_shares(values["error_class"], overall["error_class"], total, size=n)
        if values["error_class"] else [],
        mean_tool_calls=round(sum(rows[i].direct.tool_call_count for i in member) / n, 2),
        mean_tool_errors=round(sum(rows[i].direct.tool_error_count for i in member) / n, 2),
        mean_retries=round(sum(rows[i].direct.retry_count for i in member) / n, 2),
        mean_concern=round(sum(rows[i].model.concerning_behavior for i in member) / n, 2),
        claimed_not_run_rate=round(sum(1 for i in member if rows[i].direct.claimed_not_run) / n, 3),
        summaries=summaries,
        contrast_summaries=others,
    )


def build_leaves(rows: Sequence[FacetRow], labels: np.ndarray, trace_vectors: np.ndarray | TraceVectors,
                 contrast: RunContrast, namer, names, settings: Settings
                 ) -> tuple[list[ClusterNode], dict[str, list[int]], np.ndarray]:
    """Leaf nodes (largest first, ids L0-000…), their members (row indices) and centroids."""
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    # Largest first, ties by first trace id: stable, readable ids.
    ordered = sorted(groups.values(), key=lambda m: (-len(m), rows[m[0]].trace_id))
    centroids = np.stack([trace_vectors[m].mean(axis=0) for m in ordered])
    overall = {key: Counter(values) for key, values in facet_values(rows, range(len(rows))).items()}
    evidence = []
    for c, member in enumerate(ordered):
        nearby = [i for j in nearest(centroids, c, NEIGHBOURS) for i in ordered[j]]
        evidence.append(leaf_evidence(f"L0-{c:03d}", member, nearby, rows, overall, contrast, names))
    named = namer.name_clusters(evidence)
    nodes, members = [], {}
    for member, ev, name in zip(ordered, evidence, named):
        nodes.append(ClusterNode(
            id=ev.cluster_id, level=0, title=scrub_generated(name.title, names),
            description=scrub_generated(name.description, names),
            profile=leaf_profile(ev), size=len(member), **tenant_mix(rows, member),
            failure_modes=ev.failure_modes, completion=ev.completion, mean_concern=ev.mean_concern,
            failing=is_failing(ev), deviation_share=ev.deviation_share, heterogeneous=ev.heterogeneous,
            distinguishing=ev.distinguishing, attributes=ev.attributes,
            examples=[e.text for e in pick_examples([rows[i] for i in member], settings.examples_per_cluster,
                                                    settings.min_tenants, names)],
            **outcome_summary(rows, member),
        ))
        members[ev.cluster_id] = member
    return nodes, members, centroids
