"""The interfaces of the stateful stages (extractor, embedder, namer) and the evidence they are given.

A plugin returns one of these from its factory hook; the pipeline only ever talks to these methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from traceclio_core.facets import DirectFacets, ModelFacets
from traceclio_core.model import Trace

if TYPE_CHECKING:  # numpy only names a return type here; importing it would slow every plugin's load
    import numpy as np


class FacetFailure(BaseModel):
    """A trace whose model-written facets could not be obtained (recorded, never silently dropped)."""

    reason: str


@runtime_checkable
class FacetExtractor(Protocol):
    version: str
    # Optional: True when each trace's answer depends on that trace alone, so worker processes may each
    # run one (engines.py). Without it the run's facets are computed in one process.
    # runs_in_workers: bool

    def extract(self, traces: Sequence[Trace], direct: Sequence[DirectFacets],
                facets: Sequence[dict] | None = None) -> list[ModelFacets | FacetFailure]:
        """One answer per trace, in order. `facets`: each trace's plugin facets (evidence, detectors),
        for an extractor that reads them."""


@runtime_checkable
class Embedder(Protocol):
    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""


class Share(BaseModel):
    """A facet value's share inside a cluster beside its share in the whole run."""

    value: str
    inside: float
    overall: float


class Contrast(BaseModel):
    """A piece of evidence (a phrase, or a facet value such as `model: gpt-4o`) and how often it holds:
    inside the cluster, in its nearest clusters, and in the whole run."""

    text: str
    inside: float
    nearby: float
    overall: float
    deviation: bool = False
    meaning: str = ""

    @property
    def lift(self) -> float:
        """How much more often it holds here than in the nearest clusters (or the run, with none near)."""
        return self.inside / max(self.nearby, 0.01)


class ClusterEvidence(BaseModel):
    """What a namer may see of a leaf cluster: aggregates and sanitised summaries, no raw trace content."""

    cluster_id: str
    size: int
    total: int
    # The axis phrases and facet values that set it apart, most distinctive first (see contrast.py).
    distinguishing: list[Contrast] = Field(default_factory=list)
    attributes: list[Contrast] = Field(default_factory=list)
    # Share of its traces with evidence of a deviation, and whether no phrase describes most of them.
    deviation_share: float = 0.0
    heterogeneous: bool = False
    # Up to three phrases that between them hold for the most of its traces, and the share they cover.
    cover: list[Contrast] = Field(default_factory=list)
    cover_share: float = 0.0
    failure_modes: list[Share] = Field(default_factory=list)
    completion: list[Share] = Field(default_factory=list)
    sequences: list[Share] = Field(default_factory=list)
    reasoning: list[Share] = Field(default_factory=list)
    resources: list[Share] = Field(default_factory=list)
    error_classes: list[Share] = Field(default_factory=list)
    mean_tool_calls: float = 0.0
    mean_tool_errors: float = 0.0
    mean_retries: float = 0.0
    mean_concern: float = 0.0
    claimed_not_run_rate: float = 0.0
    summaries: list[str] = Field(default_factory=list)
    # Summaries from the nearest traces outside the cluster, for contrast.
    contrast_summaries: list[str] = Field(default_factory=list)


class ChildName(BaseModel):
    cluster_id: str
    title: str
    description: str
    size: int
    failing: bool = False


class ParentEvidence(BaseModel):
    """What a namer sees when naming a group of clusters one level up."""

    cluster_id: str
    children: list[ChildName]
    # As for a leaf, over all the traces beneath it, against its sibling parents.
    distinguishing: list[Contrast] = Field(default_factory=list)
    deviation_share: float = 0.0
    failing: bool = False
    cover: list[Contrast] = Field(default_factory=list)
    cover_share: float = 0.0
    # Titles of the nearest clusters outside this group, for contrast.
    contrast_titles: list[str] = Field(default_factory=list)


class ClusterName(BaseModel):
    title: str
    description: str


@runtime_checkable
class Namer(Protocol):
    version: str

    def name_clusters(self, clusters: Sequence[ClusterEvidence]) -> list[ClusterName]:
        """A title and a one- or two-sentence description per leaf cluster, in order."""

    def name_parents(self, parents: Sequence[ParentEvidence]) -> list[ClusterName]:
        """A title and description per group of child clusters, in order."""


@runtime_checkable
class HierarchyBuilder(Protocol):
    """Optional, on a namer: build one level up itself (as the Clio appendix does: propose parents per
    neighbourhood, deduplicate, assign each child to one parent, rename the parents from their children).

    `neighbourhoods` groups child indices by embedding proximity; `n_parents` is the target count.
    Returns each child's parent index (0..P-1) and a name per parent.
    """

    def build_level(self, children: Sequence[ChildName], neighbourhoods: Sequence[Sequence[int]],
                    n_parents: int) -> tuple[list[int], list[ClusterName]]: ...
