"""The run directory's machine-readable contract (documented in README.md, "Outputs").

clusters.json and assignments.jsonl are byte-identical for the same traces and settings; summary.json
also holds timings.
"""

from __future__ import annotations

import json
from pathlib import Path

from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:  # imported for annotations only: loading the plugin stays light (`traceclio --help`)
    from traceclio_core.hierarchy import ClusterNode, RunResult
    from traceclio_core.settings import Settings

FORMAT_VERSION = 1


def cluster_record(node: ClusterNode) -> dict:
    record = {
        "id": node.id,
        "level": node.level,
        "parent": node.parent,
        "children": node.children,
        "surfaced": node.surfaced,
        "size": node.size,
        "tenants": node.tenants,
        "top_tenant_share": round(node.top_tenant_share, 4),
        "lineage": node.lineage,
    }
    if not node.surfaced:
        # A suppressed cluster is reported as suppressed; nothing derived from its traces is shown.
        return {**record, "title": "", "description": "", "suppressed_reason": node.suppressed_reason}
    return {
        **record,
        "title": node.title,
        "description": node.description,
        "profile": node.profile,
        "mean_concern": node.mean_concern,
        "failing": node.failing,
        "deviation_share": node.deviation_share,
        "heterogeneous": node.heterogeneous,
        "distinguishing": [_contrast(c) for c in node.distinguishing],
        "attributes": [_contrast(c) for c in node.attributes],
        "outcome_rate": node.outcome_rate,
        "outcome_traces": node.outcome_traces,
        "outcome_lift": node.outcome_lift,
        "failure_modes": [s.model_dump() for s in node.failure_modes],
        "completion": [s.model_dump() for s in node.completion],
        "examples": node.examples,
    }


def _contrast(c) -> dict:
    return {"text": c.text, "inside": c.inside, "nearby": c.nearby, "overall": c.overall, "deviation": c.deviation,
            "meaning": c.meaning}


def next_ids(result: RunResult) -> dict[str, int]:
    """Per level, the first id number a later run with this one as its baseline may give a fresh cluster."""
    used: dict[int, int] = {}
    for node in result.clusters:
        used[node.level] = max(used.get(node.level, 0), int(node.id.rsplit("-", 1)[1]) + 1)
    levels = sorted(set(used) | set(result.next_ids))
    return {str(level): max(used.get(level, 0), result.next_ids.get(level, 0)) for level in levels}


def settings_record(settings: Settings) -> dict:
    return settings.model_dump(mode="json", include={"facets", "k", "levels", "seed", "min_tenants", "min_traces",
                                                     "max_tenant_share", "examples_per_cluster", "llm", "embedder", "tenant_keys",
                                                     "detectors", "phrase_share"})


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False) + "\n", encoding="utf-8")


@hookimpl(trylast=True)
def traceclio_write_run_outputs(result: RunResult, settings: Settings) -> list[str]:
    out = settings.out_dir
    out.mkdir(parents=True, exist_ok=True)
    clusters = sorted(result.clusters, key=lambda n: (n.level, n.id))
    write_json(out / "clusters.json", {
        "format_version": FORMAT_VERSION,
        "settings": settings_record(settings),
        "levels": max((n.level for n in clusters), default=-1) + 1,
        "next_ids": next_ids(result),
        "clusters": [cluster_record(n) for n in clusters],
        "suppressed": {
            "clusters": sum(1 for n in clusters if not n.surfaced),
            "traces": result.summary.get("suppressed_traces", 0),
        },
    })
    with (out / "assignments.jsonl").open("w", encoding="utf-8") as handle:
        for row in result.rows:
            cluster_id = result.assignments.get(row.trace_id)
            handle.write(json.dumps({"trace_id": row.trace_id, "cluster_id": cluster_id}) + "\n")
        for trace_id in result.rejected_traces:
            handle.write(json.dumps({"trace_id": trace_id, "cluster_id": None}) + "\n")
    # Outliers inside a suppressed leaf keep their reasons but not the leaf's id.
    surfaced = {n.id for n in clusters if n.surfaced}
    with (out / "outliers.jsonl").open("w", encoding="utf-8") as handle:
        for record in result.outliers:
            cluster_id = record["cluster_id"] if record["cluster_id"] in surfaced else None
            handle.write(json.dumps({**record, "cluster_id": cluster_id}, sort_keys=True) + "\n")
    # Leaf centroids only, no text: what `traceclio run --baseline` and `traceclio diff` match leaves by where
    # two runs share no traces. Suppressed leaves are included (their ids must stay stable too).
    centroids = {n.id: result.centroids[n.id] for n in clusters if n.id in result.centroids}
    (out / "centroids.json").write_text(json.dumps({"format_version": FORMAT_VERSION, "embedder": settings.embedder,
                                                    "centroids": centroids}, separators=(",", ":")) + "\n",
                                        encoding="utf-8")
    write_json(out / "summary.json", result.summary)
    return [str(out / name) for name in ("clusters.json", "assignments.jsonl", "outliers.jsonl", "centroids.json",
                                         "summary.json")]
