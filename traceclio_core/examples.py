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

    A summary comes from every tenant with a trace whose summary reads the same once sanitised, and a set of
    examples from the tenants its summaries come from. Tenants take turns: each round, every tenant that has
    a summary not yet shown shows its next one, and rounds go on only while at least `min_tenants` tenants
    can take part, so no tenant fills the list on its own. Within a tenant, and between tenants, the order
    is by content hash (then trace id): the same rows give the same examples, in whatever order they come.
    Traces without a tenant count as one tenant, as they do for the thresholds. Empty summaries are skipped,
    and no summary is shown twice.

    At most `limit` examples, except that a `limit` below `min_tenants` is raised to `min_tenants` (fewer
    summaries of one tenant each could not come from that many tenants). `names`
    (sanitize.compile_names of the run's tenants) is scrubbed from every summary. The result names no tenant.
    """
    count = max(limit, min_tenants)
    queues: dict[str | None, list[tuple[str, str, str]]] = {}
    sources: dict[str, set[str | None]] = {}
    for row in rows:
        text = sanitize(row.model.task_summary, names)
        if text:
            queues.setdefault(row.tenant, []).append((row.content_hash, row.trace_id, text))
            sources.setdefault(text, set()).add(row.tenant)
    if count <= 0 or len(queues) < min_tenants:
        return []
    turns = sorted((sorted(queue) for queue in queues.values()), key=lambda q: q[0][:2])
    chosen: list[Example] = []
    shown: set[str] = set()
    while len(chosen) < count:
        for queue in turns:  # what is shown already is not shown again
            while queue and queue[0][2] in shown:
                queue.pop(0)
        if sum(1 for queue in turns if queue) < min_tenants:
            break
        for queue in turns:
            while queue and queue[0][2] in shown:  # shown earlier in this round
                queue.pop(0)
            if queue and len(chosen) < count:
                _, trace_id, text = queue.pop(0)
                shown.add(text)
                chosen.append(Example(trace_id=trace_id, text=text))
    if len(set().union(*(sources[e.text] for e in chosen))) < min_tenants:
        return []
    return chosen
