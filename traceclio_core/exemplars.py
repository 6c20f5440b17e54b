"""Which traces of a surfaced leaf the report shows whole, as scrubbed span timelines (timeline.py).

A few per leaf, drawn from at least `min_tenants` distinct tenants, so that what an analyst reads of a
cluster never comes from one tenant's work. The choice is one function, `choose_exemplars`, so that a
privacy rule on how much of a cluster one tenant may hold applies in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from traceclio_core.cluster_model import RunResult
from traceclio_core.facets import FacetRow
from traceclio_core.sanitize import compile_names
from traceclio_core.settings import Settings
from traceclio_core.timeline import rescrub

# Exemplars per leaf, raised to `min_tenants` so that each comes from a tenant of its own.
EXEMPLARS = 3


def exemplar_count(settings: Settings) -> int:
    return max(EXEMPLARS, settings.min_tenants)


def choose_exemplars(members: Sequence[FacetRow], settings: Settings, avoid: frozenset[str] = frozenset()
                     ) -> list[FacetRow]:
    """Up to `exemplar_count` of a leaf's rows, taking its tenants in turn (each tenant's rows by content
    hash, those in `avoid`, the outliers, last), one row each per round, rounds going on only while at
    least `min_tenants` tenants still have a row (so no tenant fills the list on its own, as in
    examples.pick_examples); none when fewer than `min_tenants` tenants would be shown."""
    by_tenant: dict[str | None, list[FacetRow]] = {}
    for row in sorted(members, key=lambda r: (r.trace_id in avoid, r.content_hash, r.trace_id)):
        by_tenant.setdefault(row.tenant, []).append(row)
    # Tenants in the order of their first row: stable, and no tenant is favoured by its name.
    queues = list(by_tenant.values())
    chosen: list[FacetRow] = []
    count = exemplar_count(settings)
    while len(chosen) < count and sum(1 for queue in queues if queue) >= settings.min_tenants:
        for queue in queues:
            if queue and len(chosen) < count:
                chosen.append(queue.pop(0))
    if len({row.tenant for row in chosen}) < settings.min_tenants:
        return []
    return chosen


def exemplar_timelines(result: RunResult, extras: Mapping[str, dict], settings: Settings) -> dict[str, list[dict]]:
    """Per surfaced leaf, its exemplars' timelines: `{"trace_id", "tenant" (1, 2, … within the leaf, never
    a name), "spans", "omitted", "timed"}`. Rows cached before timelines existed have none and are skipped."""
    names = compile_names(sorted({r.tenant for r in result.rows if r.tenant}))
    members: dict[str, list[FacetRow]] = {}
    for row in result.rows:
        leaf = result.assignments.get(row.trace_id)
        if leaf is not None and "timeline" in extras.get(row.trace_id, {}):
            members.setdefault(leaf, []).append(row)
    outliers = frozenset(o["trace_id"] for o in result.outliers)
    out: dict[str, list[dict]] = {}
    for leaf in sorted(members):
        chosen = choose_exemplars(members[leaf], settings, outliers)
        tenants = {t: i + 1 for i, t in enumerate(dict.fromkeys(row.tenant for row in chosen))}
        if chosen:
            out[leaf] = [{"trace_id": row.trace_id, "tenant": tenants[row.tenant],
                          **rescrub(extras[row.trace_id]["timeline"], names)} for row in chosen]
    return out
