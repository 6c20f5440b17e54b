"""What a sync writes, read from a finished run directory: a label per clustered trace and a dataset per leaf.

Only clusters with "surfaced": true are synced (assignments.jsonl already holds null for traces of
suppressed clusters). Everything written is aggregate or sanitised: cluster titles, concern scores,
exemplar task summaries picked under the run's example rule (examples.pick_examples) and sanitised, and
for a failure cluster what must not happen (its eval cases' expected behaviour, as `traceclio export`
states it), never raw trace content.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from traceclio_core import facet_table
from traceclio_core.errors import ConfigurationError
from traceclio_core.examples import pick_examples
from traceclio_core.sanitize import compile_names, scrub_generated
from traceclio_core.settings import Settings

PATH_SEPARATOR = " › "
ANNOTATION_NAME = "traceclio.cluster"


class TraceLabel(BaseModel):
    """The cluster a trace landed in, as the label a store shows, with its concern score (1–5)."""

    trace_id: str
    cluster_id: str
    label: str
    concern: int | None = None


class Exemplar(BaseModel):
    trace_id: str
    task: str


class ClusterDataset(BaseModel):
    """One named leaf cluster as an eval dataset: a few exemplar traces' sanitised task summaries and, for a
    failure cluster, the behaviour every case expects not to see."""

    cluster_id: str
    name: str
    label: str
    description: str
    exemplars: list[Exemplar]
    must_not: str | None = None


class SyncPlan(BaseModel):
    run_dir: Path
    labels: list[TraceLabel]
    datasets: list[ClusterDataset]

    @property
    def categories(self) -> list[str]:
        """Every label a trace can carry, sorted: the category set of a categorical score."""
        return sorted({d.label for d in self.datasets})


def dominant_failure(record: dict) -> str:
    """The failure mode most of a clusters.json record's traces share ("none" for a healthy cluster)."""
    modes = record.get("failure_modes") or []
    return max(modes, key=lambda s: s["inside"])["value"] if modes else "none"


def must_not_happen(failure_mode: str) -> str | None:
    """An eval case's expected behaviour for a cluster of this failure mode: what must not happen."""
    return f"the agent {failure_mode}" if failure_mode and failure_mode != "none" else None


def _load_json(path: Path):
    if not path.exists():
        raise ConfigurationError(f"{path} is missing: sync needs a finished run directory")
    return json.loads(path.read_text(encoding="utf-8"))


def cluster_paths(clusters: list[dict]) -> dict[str, str]:
    """Surfaced cluster id → "top title › … › leaf title" (suppressed ancestors contribute no title)."""
    by_id = {c["id"]: c for c in clusters}
    paths = {}
    for cluster in clusters:
        if not cluster.get("surfaced"):
            continue
        titles, node = [], cluster
        while node is not None:
            if node.get("surfaced") and node.get("title"):
                titles.append(node["title"])
            node = by_id.get(node.get("parent"))
        paths[cluster["id"]] = PATH_SEPARATOR.join(reversed(titles))
    return paths


def read_plan(run_dir: Path, exemplars_per_cluster: int = 3, dataset_prefix: str = "traceclio") -> SyncPlan:
    """Read clusters.json, assignments.jsonl and facets.parquet of `run_dir` into what a sync writes.

    Exemplars follow the run's example rule (examples.pick_examples, with the run's --min-tenants): a leaf
    whose traces cannot give examples from that many tenants gets no dataset, only its labels."""
    document = _load_json(run_dir / "clusters.json")
    clusters = document["clusters"]
    min_tenants = int(document.get("settings", {}).get("min_tenants", Settings.model_fields["min_tenants"].default))
    paths = cluster_paths(clusters)
    assignments_file = run_dir / "assignments.jsonl"
    if not assignments_file.exists():
        raise ConfigurationError(f"{assignments_file} is missing: sync needs a finished run directory")
    assignments = [json.loads(line) for line in assignments_file.read_text(encoding="utf-8").splitlines() if line]
    rows = {row.trace_id: row for row, _ in facet_table.read(run_dir / facet_table.FILE_NAME)}
    names = compile_names({row.tenant for row in rows.values() if row.tenant})

    labels, members = [], {}
    for record in assignments:
        cluster_id = record.get("cluster_id")
        if cluster_id is None or cluster_id not in paths:
            continue
        row = rows.get(record["trace_id"])
        labels.append(TraceLabel(trace_id=record["trace_id"], cluster_id=cluster_id, label=paths[cluster_id],
                                 concern=row.model.concerning_behavior if row else None))
        if row is not None:
            members.setdefault(cluster_id, []).append(row)

    datasets, taken = [], set()
    for cluster in sorted(clusters, key=lambda c: c["id"]):
        if cluster["level"] != 0 or cluster["id"] not in paths or not cluster.get("title"):
            continue
        exemplars = [Exemplar(trace_id=e.trace_id, task=e.text)
                     for e in pick_examples(members.get(cluster["id"], []), exemplars_per_cluster, min_tenants, names)]
        if not exemplars:
            continue
        name = f"{dataset_prefix} · {cluster['title']}"
        if name in taken:  # Two leaves may share a title; the id keeps their datasets apart.
            name = f"{name} ({cluster['id']})"
        taken.add(name)
        must_not = must_not_happen(scrub_generated(dominant_failure(cluster), names))
        datasets.append(ClusterDataset(cluster_id=cluster["id"], name=name, label=paths[cluster["id"]],
                                       description=cluster.get("description", ""), exemplars=exemplars,
                                       must_not=must_not))
    return SyncPlan(run_dir=run_dir, labels=labels, datasets=datasets)
