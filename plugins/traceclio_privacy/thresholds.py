"""A cluster surfaces only with at least `min_tenants` distinct tenants AND `min_traces` traces AND no tenant
holding more than `max_tenant_share` of its traces. The stage runner asks this of every level, and hides
what lies under a suppressed parent and a parent whose children are all suppressed (hierarchy.py)."""

from __future__ import annotations

from collections.abc import Sequence

from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:  # imported for annotations only: loading the plugin stays light (`traceclio --help`)
    from traceclio_core.hierarchy import ClusterNode
    from traceclio_core.settings import Settings


def threshold_reason(node: ClusterNode, settings: Settings) -> str | None:
    """Why `node` may not surface under the thresholds of `settings`, or None when it may."""
    if node.tenants < settings.min_tenants:
        return f"{node.tenants} distinct tenants, fewer than --min-tenants {settings.min_tenants}"
    if node.size < settings.min_traces:
        return f"{node.size} traces, fewer than --min-traces {settings.min_traces}"
    # With --min-tenants 1 a cluster of one tenant may surface, so no share can be too large.
    if settings.min_tenants > 1 and node.top_tenant_traces > settings.max_tenant_share * node.size + 1e-9:  # 1e-9: float products
        return (f"one tenant holds {node.top_tenant_share:.0%} of its traces, more than --max-tenant-share "
                f"{settings.max_tenant_share:g}")
    return None


@hookimpl(trylast=True)
def traceclio_review_clusters(clusters: Sequence[ClusterNode], settings: Settings) -> list[tuple[str, str]]:
    return [(node.id, reason) for node in clusters if (reason := threshold_reason(node, settings)) is not None]
