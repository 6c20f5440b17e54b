"""What report.html embeds: aggregates per surfaced cluster and bounded samples, never every trace.

The data grows with the clusters, not the traces: per cluster its words, contrast, value shares,
histograms over fixed bins and a few exemplar timelines; the map's trace sample is capped per leaf
(traceclio_core.layout), the outliers listed are capped. Suppressed clusters appear only as counts.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from traceclio_core.sanitize import compile_names, scrub_generated
from traceclio_core.timeline import FIELDS as TIMELINE_FIELDS

if TYPE_CHECKING:  # imported for annotations only: loading the plugin stays light (`traceclio --help`)
    from traceclio_core.facets import FacetRow
    from traceclio_core.hierarchy import ClusterNode, RunResult
    from traceclio_core.settings import Settings

# Outliers listed by name (the rest are counted by reason), known patterns shown per cluster.
OUTLIERS_LISTED = 200
PATTERNS_SHOWN = 6
BINS = 12
# The measures a cluster page plots against the whole run: (facet, label, logarithmic bins).
MEASURES = (("total_latency_ms", "latency (ms)", True), ("total_tokens", "tokens", True),
            ("tool_call_count", "tool calls", False))


def _edges(values: Sequence[float], log: bool) -> list[float]:
    """Bin edges over the run's values: powers spaced evenly for magnitudes, whole numbers for counts."""
    top = max(values, default=0.0)
    if top <= 0:
        return [0.0, 1.0]
    if not log:
        step = max(1, math.ceil((top + 1) / BINS))
        return [float(e) for e in range(0, int(top) + step + 1, step)]
    low = min((v for v in values if v > 0), default=top)
    if low == top:
        return [0.0, low, top * 2]
    ratio = (top / low) ** (1 / BINS)
    edges = [0.0] + [round(low * ratio ** i, 3) for i in range(BINS)] + [top * 1.0001]
    return sorted(set(edges))


def _counts(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    out = [0] * (len(edges) - 1)
    for v in values:
        out[min(len(out) - 1, max(0, bisect.bisect_right(edges, v) - 1))] += 1
    return out


def _measure(row: FacetRow, facet: str) -> float:
    return float(row.value(facet) or 0)


def _leaf_of(result: RunResult) -> dict[str, list[FacetRow]]:
    members: dict[str, list[FacetRow]] = {}
    for row in result.rows:
        leaf = result.assignments.get(row.trace_id)
        if leaf is not None:
            members.setdefault(leaf, []).append(row)
    return members


def _descendant_leaves(node: ClusterNode, by_id: dict[str, ClusterNode]) -> list[str]:
    if node.level == 0:
        return [node.id]
    return [leaf for child in node.children if child in by_id for leaf in _descendant_leaves(by_id[child], by_id)]


def _contrast(c) -> dict:
    return {"text": c.text, "inside": c.inside, "nearby": c.nearby, "overall": c.overall,
            "lift": round(c.lift, 2), "deviation": c.deviation}


def _patterns(rows: Sequence[FacetRow], overall: Counter, total: int) -> list[dict]:
    inside = Counter(p for row in rows for p in set(row.facets.get("known_patterns") or []))
    return [{"value": p, "inside": round(n / len(rows), 4), "overall": round(overall[p] / total, 4)}
            for p, n in sorted(inside.items(), key=lambda kv: (-kv[1], kv[0]))[:PATTERNS_SHOWN]]


def _cluster(node: ClusterNode, by_id: dict[str, ClusterNode], rows: list[FacetRow], edges: dict[str, list[float]],
             overall_patterns: Counter, total: int, exemplars: list[dict], monitor: dict | None) -> dict:
    surfaced_children = [c for c in node.children if c in by_id and by_id[c].surfaced]
    hidden = [by_id[c] for c in node.children if c in by_id and not by_id[c].surfaced]
    facet_values = ([c.text for c in node.attributes] + [s.value for s in node.failure_modes if s.value != "none"]
                    + [s.value for s in node.completion])
    patterns = _patterns(rows, overall_patterns, total) if rows else []
    return {
        "id": node.id, "level": node.level, "parent": node.parent, "children": surfaced_children,
        "hidden": {"clusters": len(hidden), "traces": sum(h.size for h in hidden)},
        "title": node.title, "description": node.description, "profile": node.profile,
        "size": node.size, "tenants": node.tenants, "concern": node.mean_concern, "failing": node.failing,
        "heterogeneous": node.heterogeneous, "deviation_share": node.deviation_share,
        "outcome_rate": node.outcome_rate, "outcome_traces": node.outcome_traces, "outcome_lift": node.outcome_lift,
        "distinguishing": [_contrast(c) for c in node.distinguishing],
        "attributes": [_contrast(c) for c in node.attributes],
        "failure_modes": [s.model_dump() for s in node.failure_modes],
        "completion": [s.model_dump() for s in node.completion],
        "facets": sorted(set(facet_values + [p["value"] for p in patterns])),
        "patterns": patterns,
        "histograms": {facet: _counts([_measure(r, facet) for r in rows], edges[facet]) for facet in edges},
        "examples": node.examples, "exemplars": exemplars, "monitor": monitor,
    }


def _outliers(result: RunResult, surfaced: set[str]) -> dict:
    reasons: Counter = Counter()
    for record in result.outliers:
        for reason in record["reasons"]:
            reasons[reason.split(" (")[0].rstrip("0123456789. ").strip()] += 1
    listed = [{"trace_id": o["trace_id"], "cluster": o["cluster_id"], "reasons": o["reasons"]}
              for o in result.outliers if o["cluster_id"] in surfaced][:OUTLIERS_LISTED]
    return {"count": len(result.outliers), "reasons": sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
            "listed": listed, "in_suppressed": sum(1 for o in result.outliers if o["cluster_id"] not in surfaced)}


def _diff(diff: dict | None, names, suppressed: set[str]) -> dict | None:
    """The significant changes against a baseline run (`traceclio run --baseline`), titles scrubbed again;
    a change to a cluster this run suppressed keeps its numbers but not its title."""
    if not diff:
        return None
    order = {"new": 0, "grown": 1, "shrunk": 2, "vanished": 3}
    changes = [{**c, "title": "" if c["status"] != "vanished" and c.get("id") in suppressed
                else scrub_generated(c.get("title", ""), names)}
               for c in diff.get("changes", []) if c.get("significant") and c.get("status") in order]
    changes.sort(key=lambda c: (order[c["status"]], -abs(c.get("new_share", 0) - c.get("old_share", 0)), c["id"]))
    return {"baseline": str(diff.get("baseline", "")), "changes": changes,
            "not_significant": sum(1 for c in diff.get("changes", []) if not c.get("significant"))}


def privacy_thresholds(settings: Settings) -> str:
    """The thresholds every shown cluster met, in words."""
    words = f"≥ {settings.min_tenants} tenants and ≥ {settings.min_traces} traces per cluster"
    if settings.min_tenants > 1:
        words += f", no tenant above {settings.max_tenant_share:.0%} of its traces"
    return words + f"; examples from ≥ {settings.min_tenants} tenants"


def report_data(result: RunResult, settings: Settings, monitors: dict[str, dict]) -> dict:
    """Everything the page shows, as one JSON-able dict (`monitors`: cluster id → its exported monitor)."""
    by_id = {n.id: n for n in result.clusters}
    surfaced = [n for n in sorted(result.clusters, key=lambda n: (-n.level, n.id)) if n.surfaced]
    members = _leaf_of(result)
    clustered = [row for rows in members.values() for row in rows]
    edges = {facet: _edges([_measure(r, facet) for r in clustered], log) for facet, _, log in MEASURES}
    overall_patterns = Counter(p for row in clustered for p in set(row.facets.get("known_patterns") or []))
    names = compile_names(sorted({r.tenant for r in result.rows if r.tenant}))
    clusters = []
    for node in surfaced:
        rows = [row for leaf in _descendant_leaves(node, by_id) for row in members.get(leaf, [])]
        clusters.append(_cluster(node, by_id, rows, edges, overall_patterns, len(clustered) or 1,
                                 result.exemplars.get(node.id, []), monitors.get(node.id)))
    levels: dict[int, dict[str, int]] = {}
    for node in result.clusters:
        if not node.surfaced:
            entry = levels.setdefault(node.level, {"clusters": 0, "traces": 0})
            entry["clusters"] += 1
            entry["traces"] += node.size
    rows_by_id = {r.trace_id: r for r in result.rows}
    index = {c["id"]: i for i, c in enumerate(clusters)}
    points = [[x, y, index[result.assignments[t]], rows_by_id[t].model.concerning_behavior, rows_by_id[t].outcome]
              for t, (x, y) in result.layout.traces.items() if result.assignments.get(t) in index]
    s = result.summary
    return {
        "run": {"traces_read": s.get("traces_read", len(result.rows)), "traces_clustered": s.get("traces_clustered", 0),
                "suppressed_traces": s.get("suppressed_traces", 0), "rejected": s.get("rejected", 0),
                "axis": list(settings.facets), "thresholds": privacy_thresholds(settings),
                "outcomes": any(r.outcome is not None for r in result.rows)},
        "clusters": clusters,
        "suppressed": [{"level": level, **entry} for level, entry in sorted(levels.items())],
        "measures": [{"facet": f, "label": label, "edges": edges[f],
                      "run": _counts([_measure(r, f) for r in clustered], edges[f])} for f, label, _ in MEASURES],
        "map": {"leaves": {cid: list(xy) for cid, xy in result.layout.leaves.items() if cid in index},
                "points": points},
        "timeline_fields": list(TIMELINE_FIELDS),
        "outliers": _outliers(result, {n.id for n in surfaced}),
        "diff": _diff(s.get("diff"), names, {n.id for n in result.clusters if not n.surfaced}),
    }
