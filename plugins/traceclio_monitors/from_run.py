"""Read a finished run directory and distil a monitor for each chosen cluster.

Reads only the run's outputs (clusters.json, assignments.jsonl, facets.parquet), never raw traces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pluggy
from pydantic import BaseModel

from traceclio_core import facet_table
from traceclio_core.errors import ConfigurationError
from traceclio_core.examples import Example, pick_examples
from traceclio_core.facets import FacetRow
from traceclio_core.sanitize import compile_names, scrub_generated
from traceclio_core.settings import Settings
from traceclio_core.sync_plan import dominant_failure
from traceclio_monitors.centroid import embed_rows, fit_centroid
from traceclio_monitors.distil import GOOD_PRECISION, GOOD_RECALL, distil_rule, good_enough
from traceclio_monitors.monitor import Alert, Baseline, ClusterSource, Monitor, Quality, RunFacts, alert_threshold
from traceclio_monitors.predicate import facet_values


class RunDirectory(BaseModel):
    """What an export needs from a run: its clusters, memberships, fact table and settings."""

    model_config = {"arbitrary_types_allowed": True}

    clusters: list[dict]
    settings: dict
    assignments: dict[str, str | None]
    rows: list[tuple[FacetRow, dict]]

    @classmethod
    def read(cls, path: Path) -> RunDirectory:
        path = Path(path)
        for name in ("clusters.json", "assignments.jsonl", facet_table.FILE_NAME):
            if not (path / name).exists():
                raise ConfigurationError(f"{path} is not a run directory: {name} is missing")
        clusters = json.loads((path / "clusters.json").read_text(encoding="utf-8"))
        assignments = {}
        for line in (path / "assignments.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                assignments[record["trace_id"]] = record["cluster_id"]
        return cls(clusters=clusters["clusters"], settings=clusters.get("settings", {}), assignments=assignments,
                   rows=facet_table.read(path / facet_table.FILE_NAME))

    def cluster(self, cluster_id: str) -> dict:
        for record in self.clusters:
            if record["id"] == cluster_id:
                return record
        raise ConfigurationError(f"no cluster {cluster_id!r} in this run")

    def choose(self, cluster_ids: Sequence[str] = (), include_healthy: bool = False) -> list[dict]:
        """The named clusters, else every surfaced leaf whose dominant failure mode is not 'none'.
        A suppressed cluster cannot be exported: nothing derived from its traces may leave the run."""
        if cluster_ids:
            chosen = [self.cluster(c) for c in cluster_ids]
            hidden = [c["id"] for c in chosen if not c["surfaced"]]
            if hidden:
                raise ConfigurationError(f"cluster(s) {', '.join(hidden)} were suppressed by the privacy "
                                         "thresholds and cannot be exported")
            return chosen
        leaves = [c for c in self.clusters if c["level"] == 0 and c["surfaced"]]
        return [c for c in leaves if include_healthy or dominant_failure(c) != "none"]

    def members(self, record: dict) -> np.ndarray:
        """Rows of the fact table in `record` (a leaf, or any leaf below a parent)."""
        leaves = self.leaves_under(record["id"])
        return np.array([self.assignments.get(row.trace_id) in leaves for row, _ in self.rows], dtype=bool)

    def examples(self, record: dict) -> list[Example]:
        """The example task summaries `record` may show, under the run's example rule (examples.pick_examples)."""
        members = self.members(record)
        names = compile_names({row.tenant for row, _ in self.rows if row.tenant})
        return pick_examples([row for (row, _), inside in zip(self.rows, members) if inside],
                             int(self.settings.get("examples_per_cluster", 3)),
                             int(self.settings.get("min_tenants", Settings.model_fields["min_tenants"].default)), names)

    def leaves_under(self, cluster_id: str) -> set[str]:
        record = self.cluster(cluster_id)
        if record["level"] == 0:
            return {cluster_id}
        return set().union(*(self.leaves_under(child) for child in record["children"])) if record["children"] else set()


def slug(title: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:48].rstrip("_") or "cluster"
    if not base[0].isalpha():
        base = "c_" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def monitors_from_run(run: RunDirectory, chosen: Sequence[dict], pm: pluggy.PluginManager,
                      cache_dir: Path) -> list[Monitor]:
    """One monitor per chosen cluster: the distilled rule when good enough, else the centroid."""
    rows = [row for row, _ in run.rows]
    facet_dicts = [facet_values(row, extra) for row, extra in run.rows]
    tenants = [row.tenant for row in rows]
    names = compile_names({t for t in tenants if t})
    settings = run.settings
    min_tenants = int(settings.get("min_tenants", 1))
    axis = list(settings.get("facets") or ["behavior"])
    facts = RunFacts(llm=settings.get("llm", "offline"), embedder=settings.get("embedder", "static-minilm"),
                     facets=axis, extractor_version=rows[0].extractor_version if rows else "",
                     tenant_keys=list(settings.get("tenant_keys") or ["tenant.id"]))
    vectors = None
    taken: set[str] = set()
    monitors = []
    for record in chosen:
        members = run.members(record)
        predicate, scored = distil_rule(facet_dicts, tenants, members, min_tenants)
        is_good = good_enough(scored)
        centroid = None
        if is_good:
            hits = np.array([predicate.holds(f) for f in facet_dicts], dtype=bool)
            note = (f"Rule distilled from the facet table: precision {scored.precision:.2f}, recall "
                    f"{scored.recall:.2f} against the cluster's membership in this run.")
        else:
            if vectors is None:
                embed_settings = Settings(embedder=facts.embedder, cache_dir=cache_dir, facets=tuple(axis))
                vectors = embed_rows(rows, axis, embed_settings, pm)
            centroid = fit_centroid(vectors, members, facts.embedder, axis)
            hits = (1.0 - vectors @ np.asarray(centroid.vector, dtype=np.float32)) <= centroid.max_distance
            true = int((hits & members).sum())
            note = (f"No rule is good enough (best: precision {scored.precision:.2f}, recall {scored.recall:.2f}; "
                    f"needs {GOOD_PRECISION} and {GOOD_RECALL}), so membership is nearest-centroid in embedding "
                    f"space: precision {true / max(1, hits.sum()):.2f}, recall {true / max(1, members.sum()):.2f}. "
                    "The rule is kept for reading only.")
        rate = float(hits.mean()) if len(hits) else 0.0
        title = scrub_generated(record.get("title") or record["id"], names)
        monitors.append(Monitor(
            name=slug(title, taken),
            description=scrub_generated(record.get("description", ""), names),
            cluster=ClusterSource(id=record["id"], title=title, level=record["level"], size=record["size"],
                                  tenants=record["tenants"], share_of_run=round(members.mean(), 4) if len(rows) else 0,
                                  failure_mode=scrub_generated(dominant_failure(record), names)),
            is_failure=dominant_failure(record) != "none",
            method="rule" if is_good else "centroid",
            predicate=predicate,
            expression=predicate.expression(),
            sql={"dialect": "duckdb", "from": "read_parquet('facets.parquet')", "where": predicate.sql()},
            python=predicate.python_source(doc=f"Cluster {record['id']}: {title}."),
            rule_quality=Quality(**scored.model_dump(), good_enough=is_good),
            note=note,
            centroid=centroid,
            baseline=Baseline(rate=round(rate, 6), hits=int(hits.sum()), traces=len(rows)),
            alert=Alert(threshold_at_baseline_size=round(alert_threshold(rate, len(rows)), 6)),
            run=facts,
        ))
    return monitors
