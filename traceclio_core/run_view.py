"""What comparing two runs needs of each: its clusters at every level, which surfaced leaf each trace is in,
and the clusters' centroids. Read from a run directory (clusters.json, assignments.jsonl, centroids.json), or
taken from a finished RunResult exactly as those files would show it, so `traceclio run --baseline` and
`traceclio diff` see the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from traceclio_core.errors import SourceError

if TYPE_CHECKING:
    from traceclio_core.cluster_model import ClusterNode, RunResult


@dataclass(frozen=True)
class ClusterView:
    """One cluster as its run's files show it: no title, and not marked failing, when suppressed."""

    id: str
    level: int
    size: int
    surfaced: bool
    parent: str | None = None
    title: str = ""
    failing: bool = False
    lineage: tuple[str, ...] = ()


@dataclass
class RunView:
    clusters: dict[str, ClusterView]
    # Trace id → its surfaced leaf (traces of suppressed leaves are unassigned, as in assignments.jsonl).
    leaf_of: dict[str, str]
    # Leaf id → unit centroid in the embedder's text space (empty for runs written before centroids.json).
    centroids: dict[str, list[float]] = field(default_factory=dict)
    embedder: str | None = None
    # Level → the first id number a fresh cluster at that level may take (see files.next_ids).
    next_ids: dict[int, int] = field(default_factory=dict)
    source: str = ""

    @property
    def total(self) -> int:
        """Traces the run clustered (every leaf's size, suppressed leaves included): shares are of this."""
        return sum(c.size for c in self.clusters.values() if c.level == 0)

    def level(self, level: int) -> list[ClusterView]:
        return sorted((c for c in self.clusters.values() if c.level == level), key=lambda c: c.id)

    @property
    def levels(self) -> list[int]:
        return sorted({c.level for c in self.clusters.values()})

    def above(self, cluster_id: str, level: int) -> str | None:
        """The cluster at `level` that holds `cluster_id` (itself at its own level), or None."""
        node: str | None = cluster_id
        while node is not None and self.clusters[node].level < level:
            node = self.clusters[node].parent
        return node if node is not None and self.clusters[node].level == level else None

    def members(self, level: int) -> dict[str, str]:
        """Trace id → the cluster at `level` above its surfaced leaf."""
        above = {leaf: self.above(leaf, level) for leaf in set(self.leaf_of.values())}
        return {trace: above[leaf] for trace, leaf in self.leaf_of.items() if above[leaf] is not None}


def _view(node: ClusterNode) -> ClusterView:
    return ClusterView(id=node.id, level=node.level, size=node.size, surfaced=node.surfaced, parent=node.parent,
                       title=node.title if node.surfaced else "", failing=node.failing if node.surfaced else False,
                       lineage=tuple(node.lineage))


def from_result(result: RunResult, embedder: str, source: str = "") -> RunView:
    """The view of a finished run before its files are written."""
    return RunView(clusters={n.id: _view(n) for n in result.clusters},
                   leaf_of={t: c for t, c in result.assignments.items() if c is not None},
                   centroids=dict(result.centroids), embedder=embedder, next_ids=dict(result.next_ids),
                   source=source)


def from_dir(run_dir: Path) -> RunView:
    """The view of a run directory written by `traceclio run` (or `traceclio cluster`)."""
    run_dir = Path(run_dir)
    try:
        data = json.loads((run_dir / "clusters.json").read_text(encoding="utf-8"))
        with (run_dir / "assignments.jsonl").open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as err:
        raise SourceError(f"{run_dir} is not a readable traceclio run directory: {err}") from None
    clusters = {}
    for c in data.get("clusters", []):
        clusters[c["id"]] = ClusterView(id=c["id"], level=c["level"], size=c["size"], surfaced=c["surfaced"],
                                        parent=c.get("parent"), title=c.get("title", "") if c["surfaced"] else "",
                                        failing=bool(c.get("failing")) if c["surfaced"] else False,
                                        lineage=tuple(c.get("lineage", ())))
    centroids, embedder = {}, None
    path = run_dir / "centroids.json"
    if path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
        centroids, embedder = saved.get("centroids", {}), saved.get("embedder")
    leaf_of = {r["trace_id"]: r["cluster_id"] for r in records if r.get("cluster_id") in clusters}
    return RunView(clusters=clusters, leaf_of=leaf_of, centroids=centroids, embedder=embedder,
                   next_ids={int(k): v for k, v in data.get("next_ids", {}).items()}, source=str(run_dir))
