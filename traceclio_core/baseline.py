"""`traceclio run --baseline OLD_RUN`: carry the baseline's cluster ids forward, then diff against it.

Called by the pipeline after the review and before any output is written, so clusters.json, assignments.jsonl,
the report and every exporter see the carried ids, and the report can render the diff (summary["diff"]).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from traceclio_core import run_view
from traceclio_core.diff import diff_runs
from traceclio_core.errors import ConfigurationError
from traceclio_core.matching import carry_ids, group_clusters, link_levels

if TYPE_CHECKING:
    from traceclio_core.cluster_model import RunResult
    from traceclio_core.run_view import RunView
    from traceclio_core.settings import Settings

DIFF_FILE = "diff.json"


def check_baseline(settings: Settings) -> None:
    """Fail before any work when `settings.baseline` is not a run directory."""
    if settings.baseline is None:
        return
    if not (settings.baseline / "clusters.json").is_file():
        raise ConfigurationError(f"--baseline {settings.baseline} is not a traceclio run directory (no clusters.json)")
    # The tenant runs of OUT are replaced before each is compared with its baseline: it must live elsewhere.
    if settings.per_tenant and settings.baseline.resolve() == settings.out_dir.resolve():
        raise ConfigurationError("--baseline with --per-tenant needs another directory than --out")


def carry_forward(result: RunResult, baseline: RunView, embedder: str) -> None:
    """Give each of `result`'s clusters the id of the baseline cluster it continues (or a fresh one), with its
    lineage, at every level; ids in assignments, outliers and centroids follow."""
    new = run_view.from_result(result, embedder)
    renames: dict[str, str] = {}
    lineage: dict[str, list[str]] = {}
    next_ids = dict(baseline.next_ids)
    for level, links in link_levels(baseline, new).items():
        if level not in new.levels:
            continue
        groups = group_clusters([c.id for c in baseline.level(level)], [c.id for c in new.level(level)], links)
        carried = carry_ids(baseline, new, level, groups)
        renames.update(carried.ids)
        lineage.update(carried.lineage)
        next_ids[level] = carried.next_id
    for node in result.clusters:
        node.lineage = lineage.get(node.id, [])
        node.id = renames[node.id]
        node.parent = renames[node.parent] if node.parent else None
        node.children = [renames[c] for c in node.children]
    result.assignments = {t: renames[c] if c else None for t, c in result.assignments.items()}
    result.outliers = [{**o, "cluster_id": renames.get(o["cluster_id"], o["cluster_id"])} for o in result.outliers]
    result.centroids = {renames[c]: v for c, v in result.centroids.items()}
    result.next_ids = next_ids


def apply_baseline(result: RunResult, settings: Settings) -> dict:
    """Carry ids forward from `settings.baseline`, write diff.json in the run directory and put the diff in
    `result.summary["diff"]`; returns the diff."""
    baseline = run_view.from_dir(settings.baseline)
    carry_forward(result, baseline, settings.embedder)
    diff = diff_runs(baseline, run_view.from_result(result, settings.embedder, str(settings.out_dir)),
                     str(settings.baseline))
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    (settings.out_dir / DIFF_FILE).write_text(json.dumps(diff, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    result.summary["diff"] = diff
    return diff
