"""The pipeline end to end on a small fixture of known behaviours: outputs, determinism, cache, privacy."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

import behaviours
from builders import AgentRun, request, write_jsonl
from traceclio_core import facet_table, pipeline
from traceclio_core.hookspecs import hookimpl
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory) -> tuple[Path, dict]:
    requests, truth = behaviours.build(per_behaviour=12)
    path = write_jsonl(tmp_path_factory.mktemp("traces") / "traces.jsonl", requests)
    return path, truth


def run(path, out: Path, cache_dir: Path, **overrides):
    settings = Settings(out_dir=out, cache_dir=cache_dir, **{"min_tenants": 3, "min_traces": 5, **overrides})
    return pipeline.run([str(path)], settings, plugin_manager())


def cold_cache(tmp_path: Path, session_cache: Path) -> Path:
    """An empty facet and vector cache that shares the session's distilled model (slow to rebuild)."""
    fresh = tmp_path / "cold-cache"
    fresh.mkdir()
    (session_cache / "models").mkdir(parents=True, exist_ok=True)
    (fresh / "models").symlink_to(session_cache / "models")
    return fresh


def read_assignments(out: Path) -> dict:
    return {r["trace_id"]: r["cluster_id"] for r in map(json.loads, (out / "assignments.jsonl").read_text().splitlines())}


def test_run_writes_the_documented_outputs(fixture_file, tmp_path, cache_dir):
    path, truth = fixture_file
    run(path, tmp_path / "out", cache_dir)
    out = tmp_path / "out"
    for name in ("clusters.json", "assignments.jsonl", "facets.parquet", "rejected.jsonl", "report.html",
                 "summary.json"):
        assert (out / name).exists(), name
    clusters = json.loads((out / "clusters.json").read_text())["clusters"]
    for cluster in clusters:
        assert {"id", "level", "parent", "title", "description", "size", "tenants"} <= set(cluster)
    for leaf in (c for c in clusters if c["level"] == 0 and c["surfaced"]):
        # Words and numbers apart: the description says what the behaviour is, the profile counts it.
        assert leaf["profile"].startswith(f"{leaf['size']} traces (") and "per trace" in leaf["profile"]
        assert "per trace" not in leaf["description"] and leaf["description"]
    assert set(read_assignments(out)) == set(truth)
    assert len(facet_table.read(out / "facets.parquet")) == len(truth)


def test_leaf_clusters_recover_the_fixture_behaviours(fixture_file, tmp_path, cache_dir):
    path, truth = fixture_file
    run(path, tmp_path / "out", cache_dir)
    assigned = read_assignments(tmp_path / "out")
    by_cluster: dict[str, Counter] = {}
    for trace_id, cluster in assigned.items():
        by_cluster.setdefault(cluster, Counter())[truth[trace_id]] += 1
    majority = sum(c.most_common(1)[0][1] for c in by_cluster.values())
    assert majority / len(truth) >= 0.95
    titles = [c["title"] for c in json.loads((tmp_path / "out" / "clusters.json").read_text())["clusters"]]
    assert not any(t.lower().startswith("cluster") for t in titles)


def test_same_traces_and_settings_give_byte_identical_outputs(fixture_file, tmp_path, cache_dir):
    path, _ = fixture_file
    run(path, tmp_path / "a", cache_dir)
    run(path, tmp_path / "b", cold_cache(tmp_path, cache_dir))  # cold caches must give the same bytes
    for name in ("clusters.json", "assignments.jsonl", "report.html", "facets.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_second_run_on_unchanged_traces_computes_no_facets(fixture_file, tmp_path, cache_dir):
    path, truth = fixture_file
    fresh = cold_cache(tmp_path, cache_dir)
    first = run(path, tmp_path / "one", fresh)
    second = run(path, tmp_path / "two", fresh)
    assert first.summary["facets_computed"] == len(truth)
    assert second.summary["facets_computed"] == 0 and second.summary["facets_cached"] == len(truth)
    assert second.summary["texts_embedded"] == 0


class LoadSpy:
    def __init__(self):
        self.calls = 0

    @hookimpl
    def traceclio_load_traces(self, locations, settings, rejects):
        self.calls += 1


def test_rerun_on_unchanged_files_parses_nothing_and_reports_the_same_rejects(fixture_file, tmp_path, cache_dir):
    path, truth = fixture_file
    data = tmp_path / "traces.jsonl"
    data.write_text(path.read_text() + "{not json\n")
    fresh = cold_cache(tmp_path, cache_dir)
    spy = LoadSpy()
    settings = dict(cache_dir=fresh, min_tenants=3, min_traces=5)
    first = pipeline.run([str(data)], Settings(out_dir=tmp_path / "a", **settings), plugin_manager((spy,)))
    second = pipeline.run([str(data)], Settings(out_dir=tmp_path / "b", **settings), plugin_manager((spy,)))
    assert spy.calls == 1
    assert second.summary["rejected"] == first.summary["rejected"] == 1
    assert (tmp_path / "a" / "rejected.jsonl").read_text() == (tmp_path / "b" / "rejected.jsonl").read_text()
    assert (tmp_path / "a" / "clusters.json").read_bytes() == (tmp_path / "b" / "clusters.json").read_bytes()
    data.write_text(data.read_text() + "{also not json\n")  # a changed file is parsed again
    pipeline.run([str(data)], Settings(out_dir=tmp_path / "c", **settings), plugin_manager((spy,)))
    assert spy.calls == 2


def test_privacy_thresholds_suppress_clusters_at_every_level(fixture_file, tmp_path, cache_dir):
    path, truth = fixture_file
    result = run(path, tmp_path / "out", cache_dir, min_tenants=6)  # the fixture has 5 tenants
    assert result.clusters and all(not c.surfaced for c in result.clusters)
    assert {c.level for c in result.clusters} >= {0, 1}
    assert all(v is None for v in read_assignments(tmp_path / "out").values())
    data = json.loads((tmp_path / "out" / "clusters.json").read_text())
    assert all(c["title"] == "" and "examples" not in c for c in data["clusters"])
    assert data["suppressed"]["traces"] == len(truth)


def test_a_cluster_with_too_few_tenants_is_suppressed_and_its_traces_unassigned(tmp_path, cache_dir):
    requests, truth = behaviours.build(per_behaviour=10)
    # One extra behaviour, seen only at a single tenant: it must not surface.
    lone = []
    for i in range(8):
        run_ = AgentRun(f"lone-{i}")
        run_.sub_agent("a").sub_agent("b").sub_agent("c").sub_agent("d").end_sub_agent()
        for j in range(7):
            run_.sub_agent(f"worker-{j}").tool("work", {"j": j}).end_sub_agent()
        run_.answer("All workers finished.")
        lone.append(run_.trace_id)
        requests.append(request(run_.spans, tenant="solo-tenant"))
    path = write_jsonl(tmp_path / "t.jsonl", requests)
    run(path, tmp_path / "out", cache_dir)
    assigned = read_assignments(tmp_path / "out")
    assert all(assigned[t] is None for t in lone)
    assert sum(v is not None for v in assigned.values()) == len(truth)
    html = (tmp_path / "out" / "report.html").read_text()
    assert "solo" not in html.lower()


def test_no_title_description_or_example_names_a_tenant(fixture_file, tmp_path, cache_dir):
    path, _ = fixture_file
    run(path, tmp_path / "out", cache_dir)
    text = (tmp_path / "out" / "clusters.json").read_text().lower() + (tmp_path / "out" / "report.html").read_text().lower()
    for tenant in behaviours.TENANTS:
        for name in (tenant, tenant.replace("-", " "), tenant.split("-")[0]):
            assert not re.search(rf"\b{re.escape(name)}\b", text), name


def test_rejected_traces_are_listed_with_a_null_cluster(fixture_file, tmp_path, cache_dir):
    path, truth = fixture_file
    bad = AgentRun("cyclic")
    bad.tool("x", {})
    bad.spans[0]["parentSpanId"] = bad.spans[1]["spanId"]
    bad.spans[1]["parentSpanId"] = bad.spans[0]["spanId"]
    extra = write_jsonl(tmp_path / "bad.jsonl", [bad.request()])
    (tmp_path / "bad.jsonl").write_text(extra.read_text() + "not json\n")
    result = pipeline.run([str(path), str(extra)], Settings(out_dir=tmp_path / "out", cache_dir=cache_dir),
                          plugin_manager())
    assert result.summary["rejected"] == 2
    assert read_assignments(tmp_path / "out")[bad.trace_id] is None
    rejects = (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()
    assert len(rejects) == 2 and "bad.jsonl" in rejects[0]


def test_clustering_along_another_axis_reads_only_the_fact_table(fixture_file, tmp_path, cache_dir):
    path, _ = fixture_file
    run(path, tmp_path / "out", cache_dir)
    rows = facet_table.read(tmp_path / "out" / "facets.parquet")
    settings = Settings(out_dir=tmp_path / "axis", cache_dir=cache_dir, facets=("completion_status",))
    result = pipeline.cluster_rows(rows, settings, plugin_manager(), pipeline.Silent(), pipeline.StageClock())
    leaves = [c for c in result.clusters if c.level == 0]
    statuses = {r.model.completion_status for r, _ in rows}
    assert len(leaves) == len(statuses)


def test_unknown_facet_axis_is_a_clear_error(fixture_file, tmp_path, cache_dir):
    from traceclio_core.errors import ConfigurationError
    with pytest.raises(ConfigurationError, match="unknown facet"):
        run(fixture_file[0], tmp_path / "out", cache_dir, facets=("vibes",))


def test_a_run_marks_what_it_used_so_pruning_keeps_its_cache(fixture_file, tmp_path, cache_dir):
    from traceclio_core.cache_pruning import prune_cache

    path, truth = fixture_file
    run(path, tmp_path / "warm", cache_dir)  # the session's cache holds the distilled embedder from here on
    own = tmp_path / "cache"
    own.mkdir()
    (own / "models").symlink_to(cache_dir / "models")
    run(path, tmp_path / "a", own)
    run(path, tmp_path / "b", own)
    report = prune_cache(own, keep_days=1)
    assert report.facet_rows_dropped == 0 and report.facet_rows_kept == len(truth)
    assert report.embedders_dropped == [] and report.manifests_dropped == 0
    run(path, tmp_path / "c", own)  # the compacted cache answers a re-run without recomputing
    assert json.loads((tmp_path / "c" / "summary.json").read_text())["facets_computed"] == 0
