"""Run monitors on fresh traces, through the same source adapters and facet code as the run they came from."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pluggy
from pydantic import BaseModel

from traceclio_core import pipeline
from traceclio_core.errors import SourceError
from traceclio_core.facets import FacetRow
from traceclio_core.progress import Silent
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings
from traceclio_monitors.centroid import embed_rows
from traceclio_monitors.monitor import Monitor, alert_threshold
from traceclio_monitors.predicate import facet_values

log = logging.getLogger("traceclio.export")


def settings_for(monitors: Sequence[Monitor], cache_dir: Path) -> Settings:
    """The run's reading settings (extractor, embedder, axis, tenant keys), taken from its monitors."""
    facts = monitors[0].run if monitors else None
    if facts is None:
        return Settings(cache_dir=cache_dir)
    return Settings(cache_dir=cache_dir, llm=facts.llm, embedder=facts.embedder, facets=tuple(facts.facets),
                    tenant_keys=tuple(facts.tenant_keys))


def read_facets(locations: list[str], settings: Settings, pm: pluggy.PluginManager,
                rejected: Path | None = None) -> list[tuple[FacetRow, dict]]:
    """Facet rows of the traces at `locations`, computed (or taken from the cache) as a run would."""
    rejects = RejectLog(rejected, strict=False)
    try:
        sources = [s for s in pm.hook.traceclio_load_traces(locations=locations, settings=settings, rejects=rejects)
                   if s is not None]
        if not sources:
            raise SourceError(f"no source plugin understands {', '.join(locations)}")
        traces = (trace for source in sources for trace in source)
        rows, _ = pipeline.extract_facets(traces, settings, pm, rejects, Silent(), pipeline.StageClock())
    finally:
        rejects.close()
    return rows


class MonitorRate(BaseModel):
    monitor: str
    cluster_id: str
    hits: int
    traces: int
    rate: float
    baseline: float
    threshold: float
    fired: bool


def evaluate(monitors: Sequence[Monitor], rows: Sequence[tuple[FacetRow, dict]], settings: Settings,
             pm: pluggy.PluginManager) -> tuple[list[MonitorRate], list[list[str]]]:
    """Each monitor's rate on `rows` against its baseline, and, per row, the monitors that match it.
    A monitor fires when its rate exceeds its alert threshold for a batch of this size."""
    versions = {m.run.extractor_version for m in monitors} - {row.extractor_version for row, _ in rows}
    if rows and versions:
        log.warning("facets were extracted with another extractor version than the run's: rules may drift")
    facet_dicts = [facet_values(row, extra) for row, extra in rows]
    vectors: np.ndarray | None = None
    if any(m.method == "centroid" for m in monitors) and rows:
        vectors = embed_rows([row for row, _ in rows], monitors[0].run.facets, settings, pm)
    per_trace: list[list[str]] = [[] for _ in rows]
    rates = []
    for monitor in monitors:
        matched = monitor.matches(facet_dicts, vectors) if rows else []
        for i, hit in enumerate(matched):
            if hit:
                per_trace[i].append(monitor.name)
        hits, n = sum(matched), len(rows)
        rate = hits / n if n else 0.0
        threshold = alert_threshold(monitor.baseline.rate, n)
        rates.append(MonitorRate(monitor=monitor.name, cluster_id=monitor.cluster.id, hits=hits, traces=n,
                                 rate=round(rate, 6), baseline=monitor.baseline.rate, threshold=round(threshold, 6),
                                 fired=bool(n) and rate > threshold))
    return rates, per_trace
