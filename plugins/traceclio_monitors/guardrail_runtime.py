"""What generated guardrail modules import: facets of one Trace, and the verdict they return.

Choice: guardrails compute facets with the very code the pipeline uses (traceclio_offline's direct
facets and its offline judge), not a generated copy of it, so a guardrail and its monitor cannot drift
apart. The cost: the generated module depends on traceclio_core.model and this runtime (which imports
traceclio_offline), not on the trace model alone. Where the run used a model-written extractor
(--llm anthropic), rules on model-written facets are judged here by the offline stand-in; rules on
direct facets are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from traceclio_core.facets import FacetRow
from traceclio_core.model import Trace
from traceclio_monitors.predicate import facet_values


@dataclass(frozen=True, slots=True)
class Verdict:
    """A guardrail's answer on one trace: `fired` says the cluster's behaviour is present."""

    check: str
    cluster_id: str
    fired: bool
    action: Literal["allow", "flag", "block"]
    reason: str = ""


def trace_row(trace: Trace) -> FacetRow:
    """The trace's facet row as the offline pipeline computes it (no cache, no model call)."""
    from traceclio_structure.direct import compute_direct_facets
    from traceclio_offline.extractor import judge

    direct = compute_direct_facets(trace)
    return FacetRow(trace_id=trace.trace_id, tenant=trace.tenant, content_hash="", extractor_version="",
                    direct=direct, model=judge(trace, direct))


def trace_facets(trace: Trace) -> dict:
    """The flat facet dict monitors' predicates read, for a trace (complete or still in progress)."""
    return facet_values(trace_row(trace))


def centroid_match(trace: Trace, monitor_path: Path, cache_dir: Path | None = None) -> bool:
    """For monitors that fell back to a centroid: embed the trace's rendering and compare distances."""
    from traceclio_core.plugins import plugin_manager
    from traceclio_core.settings import Settings
    from traceclio_monitors.centroid import embed_rows
    from traceclio_monitors.monitor import load_monitor

    monitor = load_monitor(monitor_path)
    settings = Settings(embedder=monitor.run.embedder, facets=tuple(monitor.run.facets),
                        **({"cache_dir": cache_dir} if cache_dir else {}))
    vectors = embed_rows([trace_row(trace)], monitor.run.facets, settings, plugin_manager())
    return bool(monitor.matches([{}], vectors)[0])
