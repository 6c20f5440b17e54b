"""`--per-tenant`: one run per tenant under OUT/tenants/<slug>/ beside the cross-tenant run in OUT/."""

import json
from pathlib import Path

import pytest

import behaviours
from builders import AgentRun, request, write_jsonl
from traceclio_core import facet_table, pipeline
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings
from traceclio_core.tenant_runs import tenant_slugs

OUTPUTS = ("clusters.json", "assignments.jsonl", "facets.parquet", "outliers.jsonl", "report.html", "summary.json")


def fan_out(name: str) -> AgentRun:
    """A trace of a pattern no fixture behaviour has: many sub-agents, each doing one piece of work."""
    run = AgentRun(name)
    run.sub_agent("a").sub_agent("b").sub_agent("c").sub_agent("d").end_sub_agent()
    for j in range(7):
        run.sub_agent(f"worker-{j}").tool("work", {"j": j}).end_sub_agent()
    return run.answer("All workers finished.")


@pytest.fixture(scope="module")
def per_tenant_run(tmp_path_factory, cache_dir) -> tuple[Path, dict, list[str], list[str]]:
    requests, truth = behaviours.build(per_behaviour=10)
    lone = [fan_out(f"lone-{i}") for i in range(8)]  # one tenant's own pattern: too few tenants to surface
    requests += [request(run.spans, tenant="Solo Tenant/ÄB") for run in lone]
    orphans = [AgentRun(f"orphan-{i}").answer("Done.") for i in range(3)]
    requests += [request(run.spans, tenant=None) for run in orphans]
    base = tmp_path_factory.mktemp("per-tenant")
    path = write_jsonl(base / "traces.jsonl", requests)
    out = base / "out"
    result = pipeline.run([str(path)], Settings(out_dir=out, cache_dir=cache_dir, per_tenant=True), plugin_manager())
    assert result.summary["tenant_runs"] == {"directory": "tenants", "runs": 6, "tenants_below_min_traces": 0,
                                             "traces_without_tenant": 3}
    return out, truth, [r.trace_id for r in lone], [r.trace_id for r in orphans]


def assignments(run_dir: Path) -> dict[str, str | None]:
    lines = (run_dir / "assignments.jsonl").read_text().splitlines()
    return {r["trace_id"]: r["cluster_id"] for r in map(json.loads, lines)}


def test_each_tenant_gets_a_run_of_the_usual_outputs_in_its_own_folder_beside_the_cross_tenant_run(per_tenant_run):
    out, truth, lone, orphans = per_tenant_run
    for name in OUTPUTS:
        assert (out / name).exists(), name
    index = json.loads((out / "tenants" / "index.json").read_text())["runs"]
    tenants = set(behaviours.TENANTS) | {"Solo Tenant/ÄB"}
    assert {r["tenant"] for r in index} == tenants
    assert {r["dir"] for r in index} == {p.name for p in (out / "tenants").iterdir() if p.is_dir()}
    assert tenant_slugs(["Solo Tenant/ÄB"]) == {"Solo Tenant/ÄB": "solo-tenant-b"}
    for entry in index:
        run_dir = out / "tenants" / entry["dir"]
        for name in OUTPUTS:
            assert (run_dir / name).exists(), (entry["dir"], name)
        settings = json.loads((run_dir / "clusters.json").read_text())["settings"]
        assert settings["min_tenants"] == 1 and settings["max_tenant_share"] == 1.0
    # The cross-tenant run's files name no tenant: the runs are counted, not listed.
    cross = (out / "summary.json").read_text() + (out / "clusters.json").read_text()
    assert not any(t.lower() in cross.lower() for t in tenants)


def test_a_tenant_run_holds_only_that_tenants_traces_and_traces_without_a_tenant_are_in_none(per_tenant_run):
    out, truth, lone, orphans = per_tenant_run
    seen: set[str] = set()
    for entry in json.loads((out / "tenants" / "index.json").read_text())["runs"]:
        run_dir = out / "tenants" / entry["dir"]
        rows = facet_table.read(run_dir / facet_table.FILE_NAME)
        assert {row.tenant for row, _ in rows} == {entry["tenant"]}
        assert set(assignments(run_dir)) == {row.trace_id for row, _ in rows}
        assert len(rows) == entry["traces"]
        seen |= {row.trace_id for row, _ in rows}
    assert seen == set(truth) | set(lone)
    assert set(orphans) <= set(assignments(out))


def test_a_pattern_too_small_across_tenants_surfaces_within_its_tenants_run(per_tenant_run):
    out, truth, lone, orphans = per_tenant_run
    assert all(assignments(out)[t] is None for t in lone)  # one tenant: below --min-tenants 3
    solo = assignments(out / "tenants" / "solo-tenant-b")
    assert all(solo[t] is not None for t in lone)
    clusters = {c["id"]: c for c in json.loads((out / "tenants" / "solo-tenant-b" / "clusters.json").read_text())["clusters"]}
    (leaf,) = {solo[t] for t in lone}
    assert clusters[leaf]["surfaced"] and clusters[leaf]["title"]


def test_a_second_per_tenant_run_into_the_same_folder_leaves_no_run_of_a_tenant_now_absent(tmp_path, cache_dir):
    requests, _ = behaviours.build(per_behaviour=5, tenants=("alpha-co", "beta-co"))
    out = tmp_path / "out"
    settings = Settings(out_dir=out, cache_dir=cache_dir, per_tenant=True, min_tenants=2)
    pipeline.run([str(write_jsonl(tmp_path / "a.jsonl", requests))], settings, plugin_manager())
    assert {p.name for p in (out / "tenants").iterdir() if p.is_dir()} == {"alpha-co", "beta-co"}
    only_alpha, _ = behaviours.build(per_behaviour=5, tenants=("alpha-co",))
    pipeline.run([str(write_jsonl(tmp_path / "b.jsonl", only_alpha))], settings, plugin_manager())
    assert {p.name for p in (out / "tenants").iterdir() if p.is_dir()} == {"alpha-co"}


def test_tenant_slugs_are_folder_safe_and_distinct_for_names_that_read_alike():
    slugs = tenant_slugs(["Acme", "acme", "../etc", "日本", "中国", "globex"])
    assert len(set(slugs.values())) == 6 and slugs["globex"] == "globex"
    assert all(s and "/" not in s and "." not in s for s in slugs.values())
    assert slugs["../etc"] == "etc" and slugs["Acme"].startswith("acme-") and slugs["日本"].startswith("tenant-")
