"""Monitors: one per exported cluster, validated against schemas/monitor.schema.json.

A monitor says how to recognise the cluster's behaviour on a fresh trace (the distilled rule, or the
centroid when no rule is good enough), how often it was seen in the run, and when a new rate is alarming.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import jsonschema
import numpy as np
from pydantic import BaseModel

from traceclio_monitors.centroid import Centroid, distances
from traceclio_monitors.distil import RuleQuality
from traceclio_monitors.predicate import Predicate

SCHEMAS = Path(__file__).parent / "schemas"
ALERT_RULE = "rate > max(2 * baseline, baseline + 3 * sqrt(baseline * (1 - baseline) / n))"
SUFFIX = ".monitor.json"


class ClusterSource(BaseModel):
    id: str
    title: str
    level: int
    size: int
    tenants: int
    share_of_run: float
    failure_mode: str


class Quality(RuleQuality):
    good_enough: bool


class Baseline(BaseModel):
    rate: float
    hits: int
    traces: int


class Alert(BaseModel):
    rule: str = ALERT_RULE
    threshold_at_baseline_size: float


class RunFacts(BaseModel):
    """What a fresh batch must be read with so its facets mean what the run's meant."""

    llm: str
    embedder: str
    facets: list[str]
    extractor_version: str
    tenant_keys: list[str]


class Monitor(BaseModel):
    schema_version: Literal[1] = 1
    name: str
    description: str
    cluster: ClusterSource
    is_failure: bool
    method: Literal["rule", "centroid"]
    predicate: Predicate
    expression: str
    sql: dict
    python: str
    rule_quality: Quality
    note: str
    centroid: Centroid | None
    baseline: Baseline
    alert: Alert
    run: RunFacts

    def matches(self, facet_dicts: Sequence[dict], vectors: np.ndarray | None = None) -> list[bool]:
        """Which traces the monitor fires on; centroid monitors need the traces' embedded renderings."""
        if self.method == "rule":
            return [self.predicate.holds(f) for f in facet_dicts]
        if vectors is None:
            raise ValueError(f"monitor {self.name} decides by centroid: pass the traces' vectors")
        return (distances(vectors, self.centroid) <= self.centroid.max_distance).tolist()


def alert_threshold(baseline: float, n: int) -> float:
    """The rate above which a batch of `n` traces is alarming: twice the baseline, or three binomial
    standard deviations above it, whichever is higher (so a rare behaviour needs more than noise)."""
    sigma = math.sqrt(baseline * (1 - baseline) / n) if n else 0.0
    return max(2 * baseline, baseline + 3 * sigma)


def validate(document: dict, schema_name: str) -> None:
    """Raise jsonschema.ValidationError unless `document` satisfies schemas/<schema_name>."""
    schema = json.loads((SCHEMAS / schema_name).read_text())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


def write_monitor(monitor: Monitor, directory: Path) -> Path:
    document = monitor.model_dump(mode="json")
    validate(document, "monitor.schema.json")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{monitor.name}{SUFFIX}"
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def load_monitor(path: Path) -> Monitor:
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    validate(document, "monitor.schema.json")
    return Monitor.model_validate(document)


def load_monitors(directory: Path) -> list[Monitor]:
    """Every *.monitor.json under `directory` (or the file itself), in name order."""
    directory = Path(directory)
    paths = [directory] if directory.is_file() else sorted(directory.rglob(f"*{SUFFIX}"))
    return [load_monitor(p) for p in paths]
