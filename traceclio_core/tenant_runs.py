"""`--per-tenant`: beside the cross-tenant run in OUT/, one run per tenant in OUT/tenants/<slug>/.

The seed's within-tenant pass for the long tail: a pattern too small to surface across tenants (fewer
than --min-tenants tenants show it) may still be a cluster of its own within one tenant's traces. Each
tenant's run holds only that tenant's rows of the fact table the cross-tenant run already built (facets
are extracted once, never again per tenant), is clustered afresh (its own k, its own names), and
surfaces clusters on --min-traces alone: inside one tenant's own traces there is no other tenant to hide
them from, so --min-tenants is 1 and no tenant-share rule applies. Its outputs are the usual ones
(clusters.json, assignments.jsonl, facets.parquet, outliers.jsonl, report.html, summary.json), so
`traceclio sync` and `traceclio export` read it like any run; what was set aside while reading the input
stays in OUT/rejected.jsonl.

Traces without a tenant get no run of their own: nothing says they belong to one customer, so the
within-tenant rules cannot be applied to them; they stay in the cross-tenant run, where together they
count as one tenant. A tenant with fewer than --min-traces traces gets no run either (nothing in it
could surface).

OUT/tenants/ names tenants (its folders, index.json): it is for the operator and, folder by folder, for
each tenant; share OUT/'s own files, not OUT/tenants/, across tenants. The cross-tenant summary counts
the tenant runs and names none.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterable

import pluggy

from traceclio_core import facet_table, pipeline
from traceclio_core.facets import FacetRow
from traceclio_core.progress import Progress, Silent
from traceclio_core.settings import Settings

TENANTS_DIR = "tenants"
INDEX = "index.json"
SLUG_LENGTH = 48


def tenant_slugs(tenants: Iterable[str]) -> dict[str, str]:
    """A folder name per tenant: lower-case letters, digits and dashes, the same whatever order the tenants
    come in; tenants whose names read alike (`Acme` and `acme`, names of no ASCII letters) get a short hash
    of the name appended, so no two share a folder."""
    base = {t: re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-")[:SLUG_LENGTH].strip("-") for t in set(tenants)}
    counts: dict[str, int] = {}
    for slug in base.values():
        counts[slug] = counts.get(slug, 0) + 1
    return {t: slug if slug and counts[slug] == 1 else
            f"{slug or 'tenant'}-{hashlib.sha256(t.encode()).hexdigest()[:8]}" for t, slug in base.items()}


def tenant_settings(settings: Settings, slug: str) -> Settings:
    """The settings of one tenant's run: its folder, thresholds on traces only, k picked from its traces, and
    with --baseline the baseline's run of the same tenant as its baseline, where there is one."""
    baseline = settings.baseline / TENANTS_DIR / slug if settings.baseline is not None else None
    return settings.model_copy(update={"out_dir": settings.out_dir / TENANTS_DIR / slug, "min_tenants": 1,
                                       "max_tenant_share": 1.0, "per_tenant": False, "k": None,
                                       "baseline": baseline if baseline and (baseline / "clusters.json").is_file()
                                       else None})


def run_tenants(rows: list[tuple[FacetRow, dict]], settings: Settings, pm: pluggy.PluginManager,
                progress: Progress) -> dict:
    """Write one run per tenant with at least --min-traces traces under OUT/tenants/; return what the
    cross-tenant summary says of them (counts only, no tenant names)."""
    by_tenant: dict[str, list[tuple[FacetRow, dict]]] = {}
    for row, extra in rows:
        if row.tenant is not None:
            by_tenant.setdefault(row.tenant, []).append((row, extra))
    slugs = tenant_slugs(by_tenant)
    chosen = sorted((t for t, member in by_tenant.items() if len(member) >= settings.min_traces), key=slugs.get)
    types = pipeline.facet_types(pm, settings)
    vectors = pipeline.vector_cache(settings, pm)  # read from disk once for every tenant's run
    directory = settings.out_dir / TENANTS_DIR
    _remove_previous_runs(directory)
    index = []
    with progress.stage("per-tenant runs", len(chosen)) as advance:
        for tenant in chosen:
            member = by_tenant[tenant]
            own = tenant_settings(settings, slugs[tenant])
            own.out_dir.mkdir(parents=True, exist_ok=True)
            clock = pipeline.StageClock()
            with clock.stage("fact table"):
                facet_table.write(own.out_dir / facet_table.FILE_NAME, member, types)
            result = pipeline.cluster_rows(member, own, pm, Silent(), clock, vectors=vectors)
            result.summary.update(traces_read=len(member), facets_cached=len(member), facets_computed=0)
            pipeline.finish(result, own, pm, Silent(), clock)
            index.append({"tenant": tenant, "dir": slugs[tenant], "traces": len(member),
                          "clusters_surfaced": sum(1 for n in result.clusters if n.surfaced)})
            advance(1)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / INDEX).write_text(json.dumps({"runs": index}, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    return {"directory": TENANTS_DIR, "runs": len(chosen), "tenants_below_min_traces": len(by_tenant) - len(chosen),
            "traces_without_tenant": sum(1 for row, _ in rows if row.tenant is None)}


def _remove_previous_runs(directory) -> None:
    """The tenant runs an earlier --per-tenant run into this OUT wrote (its index lists them): left in place,
    a tenant no longer in the input would keep a run. Folders the index does not list are kept."""
    index = directory / INDEX
    if not index.is_file():
        return
    root = directory.resolve()
    for run in json.loads(index.read_text(encoding="utf-8")).get("runs", []):
        path = (directory / str(run.get("dir", ""))).resolve()
        if path != root and path.is_relative_to(root) and path.is_dir():
            shutil.rmtree(path)
    index.unlink()
