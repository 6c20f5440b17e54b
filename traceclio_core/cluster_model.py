"""What a run's clusters are (the nodes of the hierarchy, the run's result) and how many there should be."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

from traceclio_core.components import Contrast, Share
from traceclio_core.facets import FacetRow


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
    # Distinct tenants among its traces (traces without a tenant count as one), and how many traces the
    # largest of them holds: what the privacy review needs, without any tenant's name.
    tenants: int
    top_tenant_traces: int = 0
    surfaced: bool = True
    suppressed_reason: str | None = None
    failure_modes: list[Share] = Field(default_factory=list)
    completion: list[Share] = Field(default_factory=list)
    mean_concern: float = 0.0
    # Failing work (its distinguishing evidence is a deviation, or its concern is high) or healthy work;
    # the hierarchy never files the one under the other.
    failing: bool = False
    deviation_share: float = 0.0
    # No phrase describes most of its traces: a broad name would hide that (the seed's intra-cluster variance).
    heterogeneous: bool = False
    distinguishing: list[Contrast] = Field(default_factory=list)
    attributes: list[Contrast] = Field(default_factory=list)
    # How its runs ended, where the traces say (FacetRow.outcome, 1.0 = passed): the mean outcome, how many
    # traces had one, and the mean over the run's traces with one (lift = rate / run rate). Never clustered on.
    outcome_rate: float | None = None
    outcome_traces: int = 0
    outcome_lift: float | None = None
    examples: list[str] = Field(default_factory=list)
    # With `--baseline`: the baseline's clusters this one's traces came from (its own id first when it kept
    # one; several after a merge, one shared by the parts of a split); empty for a new cluster or no baseline.
    lineage: list[str] = Field(default_factory=list)

    @property
    def top_tenant_share(self) -> float:
        """The largest tenant's share of the cluster's traces (0.0 for an empty cluster)."""
        return self.top_tenant_traces / self.size if self.size else 0.0


class MapLayout(BaseModel):
    """Where the report's map draws things: the surfaced leaves' centroids and a bounded sample of their
    traces, projected from the clustering geometry to two dimensions (layout.py)."""

    leaves: dict[str, tuple[float, float]] = Field(default_factory=dict)
    traces: dict[str, tuple[float, float]] = Field(default_factory=dict)


class RunResult(BaseModel):
    """Everything a finished run produced; exporters read this."""

    clusters: list[ClusterNode]
    # trace id → leaf cluster id, or None when suppressed, rejected or unclustered.
    assignments: dict[str, str | None]
    rows: list[FacetRow]
    # Traces set aside whole (e.g. a cycle in parent links): listed in assignments.jsonl with no cluster.
    rejected_traces: list[str] = Field(default_factory=list)
    # Traces far from every centroid or in the run's extreme tail, with the evidence that makes them so.
    outliers: list[dict] = Field(default_factory=list)
    summary: dict = Field(default_factory=dict)
    # Leaf id → its centroid in the text-embedding space (4 decimals), suppressed leaves included: what a
    # later run matches its leaves against where the two runs share no traces.
    centroids: dict[str, list[float]] = Field(default_factory=dict)
    # Level → the lowest id number never used at that level along this run's baselines (fresh ids start there).
    next_ids: dict[int, int] = Field(default_factory=dict)
    # The clusters and a sample of traces in two dimensions, for the report's map.
    layout: MapLayout = Field(default_factory=MapLayout)
    # Surfaced leaf id → its exemplar traces' scrubbed span timelines (exemplars.py), for the drill-in.
    exemplars: dict[str, list[dict]] = Field(default_factory=dict)


def tenant_mix(rows: Sequence[FacetRow], member: Sequence[int]) -> dict:
    """The tenant fields of a cluster of `member` rows (see ClusterNode): counts only, no names."""
    counts = Counter(rows[i].tenant for i in member)
    return {"tenants": len(counts), "top_tenant_traces": max(counts.values(), default=0)}


def outcome_summary(rows: Sequence[FacetRow], member: Sequence[int]) -> dict:
    """The outcome fields of a cluster of `member` rows (see ClusterNode), against the whole run."""
    known = [rows[i].outcome for i in member if rows[i].outcome is not None]
    overall = [r.outcome for r in rows if r.outcome is not None]
    if not known:
        return {"outcome_rate": None, "outcome_traces": 0, "outcome_lift": None}
    rate = sum(known) / len(known)
    base = sum(overall) / len(overall)
    return {"outcome_rate": round(rate, 4), "outcome_traces": len(known),
            "outcome_lift": round(rate / base, 3) if base else None}


def default_k(n_traces: int) -> int:
    """Base k grows with the square root of the traces: ~30 at 2k, ~50 at 5k, ~220 at 100k."""
    return max(2, round(math.sqrt(n_traces / 2)))


def max_leaf_k(n_traces: int) -> int:
    """The most leaves `leaf_k` picks for this many traces."""
    return 2 * default_k(n_traces)


# A distinct rendering counts as a mode of its own when this share of the run renders it.
MODE_SHARE = 0.005


def leaf_k(n_traces: int, weights: np.ndarray, min_traces: int) -> int:
    """Base k: the square-root rule, raised to the number of distinct kinds of evidence (`weights`: how many
    traces hold each; see hierarchy.evidence_modes) that could surface on their own (at least `min_traces`
    traces, and half a percent of the run, each), up to twice the rule.

    When the facets are categorical (the offline judge) a run renders a few dozen distinct texts, each a
    separate verdict. The square-root rule alone then merges distinct verdicts whenever there are more of
    them than k, and a monitor distilled from the merged cluster fires on both. When every trace renders
    its own text (model-written facets) no text reaches `min_traces` and the rule stands.
    """
    floor = default_k(n_traces)
    modes = int(np.count_nonzero(weights >= max(min_traces, MODE_SHARE * n_traces)))
    return max(floor, min(modes, max_leaf_k(n_traces)))


def parent_count(children: int) -> int:
    """About four children per parent; never a single parent over more than two children."""
    return max(2, min(children - 1, round(children / 4))) if children > 2 else 1
