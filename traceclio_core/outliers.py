"""Outliers: traces clustering cannot see (the seed's remedy for Clio's rare-behaviour blind spot).

A trace is an outlier when it lies far from the centre of its own leaf, or when one of its measures
(latency, tokens, calls, errors, retries, a span against its peers) is in the run's extreme tail. Both
are judged against the run itself, by quantiles, never by absolute thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from traceclio_core.cluster_model import ClusterNode
from traceclio_core.facets import FacetRow
from traceclio_core.geometry import TraceVectors

TAIL = 0.995  # beyond this quantile of the run ...
SPREAD = 2.0  # ... and at least this many times its 95th percentile
FAR = 0.99  # distance to the own leaf's centre beyond this quantile of all traces' distances
DISTANCE_BLOCK = 8192  # traces whose distances are taken at a time
MEASURES = ("total_latency_ms", "total_tokens", "tool_call_count", "tool_error_count", "retry_count",
            "slow_span_ratio", "token_span_ratio")


def _measure(row: FacetRow, name: str) -> float:
    try:
        value = row.value(name)
    except KeyError:
        return 0.0
    return float(value or 0)


def find_outliers(rows: Sequence[FacetRow], leaves: Sequence[ClusterNode], members: dict[str, list[int]],
                  trace_vectors: np.ndarray | TraceVectors, centroids: np.ndarray) -> list[dict]:
    """One record per outlier: trace id, its leaf, the reasons and the evidence behind them."""
    if len(rows) < 50:
        return []  # too few traces for a tail to mean anything
    leaf_of = np.zeros(len(rows), dtype=np.int64)
    for c, node in enumerate(leaves):
        leaf_of[members[node.id]] = c
    # A block of traces at a time: never a traces × dimensions difference in memory.
    blocks = [slice(a, a + DISTANCE_BLOCK) for a in range(0, len(rows), DISTANCE_BLOCK)]
    distance = np.concatenate([np.linalg.norm(trace_vectors[b] - centroids[leaf_of[b]], axis=1) for b in blocks])
    far = float(np.quantile(distance, FAR))
    found: dict[int, dict] = {}
    for i in np.flatnonzero(distance > max(far, 1e-6)):
        found.setdefault(int(i), {"reasons": [], "evidence": {}})["reasons"].append(
            f"far from its cluster's centre ({distance[i]:.2f}; run p99 {far:.2f})")
        found[int(i)]["evidence"]["distance_to_centre"] = round(float(distance[i]), 4)
    for name in MEASURES:
        values = np.array([_measure(r, name) for r in rows])
        tail, usual = float(np.quantile(values, TAIL)), float(np.quantile(values, 0.95))
        above = values > tail
        if usual > 0:
            above &= values >= SPREAD * usual
        for i in np.flatnonzero(above):
            record = found.setdefault(int(i), {"reasons": [], "evidence": {}})
            record["reasons"].append(f"{name.replace('_', ' ')} {values[i]:g} (run p99.5 {tail:g}, p95 {usual:g})")
            record["evidence"][name] = float(values[i])
    out = [{"trace_id": rows[i].trace_id, "cluster_id": leaves[int(leaf_of[i])].id, **record}
           for i, record in sorted(found.items(), key=lambda kv: (-len(kv[1]["reasons"]), rows[kv[0]].trace_id))]
    return out
