"""Which traces a cluster may show as examples: the one rule every output that shows examples follows.

clusters.json's `examples`, the report, the datasets a sync writes and the eval cases of `traceclio export`
all pick their example task summaries here. A cluster's surfacing already needs `min_tenants` tenants; its
examples must too, or three summaries shown for a four-tenant cluster could all be one customer's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel

from traceclio_core.facets import FacetRow
from traceclio_core.sanitize import sanitize


class Example(BaseModel):
    """One example of a cluster: the trace it came from and its sanitised task summary."""

    trace_id: str
    text: str


def pick_examples(rows: Iterable[FacetRow], limit: int, min_tenants: int,
                  names: re.Pattern[str] | None = None) -> list[Example]:
    """Sanitised task summaries of `rows` (a cluster's traces) to show as its examples, drawn from at least
    `min_tenants` distinct tenants; an empty list where the cluster cannot meet that.

    Tenants take turns: each round takes one summary from every tenant that still has a summary not yet
    shown, and rounds go on only while at least `min_tenants` tenants can take part, so no tenant fills
    the list on its own. Within a tenant, and between tenants, the order is by content hash (then trace
    id): the same rows give the same examples, whatever order they come in. Traces without a tenant
    count as one tenant, as they do for the thresholds. Empty summaries, and summaries identical to one
    already taken, are skipped.

    At most `limit` examples, except that a `limit` below `min_tenants` is raised to `min_tenants`
    (fewer examples could not come from that many tenants). `names` (sanitize.compile_names of the run's
    tenants) is scrubbed from every summary. The result names no tenant.
    """
    count = max(limit, min_tenants)
    if count <= 0:
        return []
    by_tenant: dict[str | None, list[tuple[str, str, str]]] = {}
    for row in rows:
        text = sanitize(row.model.task_summary, names)
        if text:
            by_tenant.setdefault(row.tenant, []).append((row.content_hash, row.trace_id, text))
    queues = sorted((sorted(candidates) for candidates in by_tenant.values()), key=lambda q: q[0][:2])
    if len(queues) < min_tenants:
        return []
    chosen: list[tuple[int, Example]] = []  # (the tenant's place in `queues`, the example)
    seen: set[str] = set()
    while len(chosen) < count:
        for queue in queues:  # what another tenant already showed is not shown twice
            while queue and queue[0][2] in seen:
                queue.pop(0)
        active = [t for t, queue in enumerate(queues) if queue]
        if len(active) < min_tenants:
            break
        for t in active:
            queue = queues[t]
            while queue and queue[0][2] in seen:  # a tenant earlier in this round took the same text
                queue.pop(0)
            if not queue:
                continue
            _, trace_id, text = queue.pop(0)
            seen.add(text)
            chosen.append((t, Example(trace_id=trace_id, text=text)))
            if len(chosen) == count:
                break
    if len({t for t, _ in chosen}) < min_tenants:
        return []
    return [example for _, example in chosen]
