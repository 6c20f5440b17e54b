"""A cluster surfaces only with at least `min_tenants` distinct tenants AND `min_traces` traces."""

from __future__ import annotations

from collections.abc import Sequence

from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:  # imported for annotations only: loading the plugin stays light (`traceclio --help`)
    from traceclio_core.hierarchy import ClusterNode
    from traceclio_core.settings import Settings


@hookimpl(trylast=True)
def traceclio_review_clusters(clusters: Sequence[ClusterNode], settings: Settings) -> list[tuple[str, str]]:
    out = []
    for node in clusters:
        if node.tenants < settings.min_tenants:
            out.append((node.id, f"{node.tenants} distinct tenants, fewer than --min-tenants {settings.min_tenants}"))
        elif node.size < settings.min_traces:
            out.append((node.id, f"{node.size} traces, fewer than --min-traces {settings.min_traces}"))
    return out
