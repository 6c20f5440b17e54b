"""report.html's embedded data: one self-contained file, bounded in size, scrubbed, suppressed clusters as
counts only, the changes against a baseline, links to exported monitors. (The page in a browser:
test_report_browser.py.)"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

import behaviours
from builders import AgentRun, request, write_jsonl
from traceclio_core import pipeline
from traceclio_core.cluster_model import ClusterNode, RunResult
from traceclio_core.components import Contrast
from traceclio_core.exemplars import exemplar_timelines
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets
from traceclio_core.layout import TRACES_PER_LEAF, project_map
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings
from traceclio_outputs.report import find_monitors, render_report

PLANTED_EMAIL = "jane.doe@example.com"
PLANTED_ID = "usr_9f2a77c1"


def embedded(html: str) -> dict:
    text = re.search(r'<script id="traceclio-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(text)


def made_result(leaves: int, per_leaf: int, suppressed_title: str = "") -> RunResult:
    """A run's result built by hand: `leaves` surfaced leaves of `per_leaf` traces over four tenants, under
    one parent, and one suppressed leaf; the map and exemplars from the pipeline's own functions."""
    rows, members, nodes = [], {}, []
    rng = np.random.default_rng(0)
    for c in range(leaves + 1):
        cid = f"L0-{c:03d}"
        members[cid] = []
        for i in range(per_leaf):
            trace_id = f"{c:03d}{i:06d}"
            members[cid].append(len(rows))
            rows.append(FacetRow(trace_id=trace_id, tenant=f"tenant-{i % 4}", content_hash=trace_id, extractor_version="v",
                                 direct=DirectFacets(total_latency_ms=100.0 * (i + 1), total_tokens=50 * i, tool_call_count=i % 7),
                                 model=ModelFacets(concerning_behavior=1 + i % 5), facets={"known_patterns": ["loops"]},
                                 outcome=float(i % 2)))
        surfaced = c < leaves
        nodes.append(ClusterNode(id=cid, level=0, parent="L1-000", size=per_leaf, tenants=4, surfaced=surfaced,
                                 title=f"leaf {c} title" if surfaced else suppressed_title, description="what it is",
                                 suppressed_reason=None if surfaced else "fewer than 5 tenants",
                                 distinguishing=[Contrast(text="a tool error is never recovered", inside=0.9, nearby=0.1,
                                                          overall=0.2, deviation=True)]))
    nodes.append(ClusterNode(id="L1-000", level=1, size=(leaves + 1) * per_leaf, tenants=4, title="the parent",
                             children=[n.id for n in nodes]))
    vectors = rng.normal(size=(len(rows), 16)).astype(np.float32)
    centroids = np.stack([vectors[members[n.id]].mean(axis=0) for n in nodes if n.level == 0])
    assignments = {rows[i].trace_id: (n.id if n.surfaced else None) for n in nodes if n.level == 0 for i in members[n.id]}
    result = RunResult(clusters=nodes, assignments=assignments, rows=rows,
                       layout=project_map(rows, [n for n in nodes if n.level == 0], members, vectors, centroids))
    timeline = json.dumps({"spans": [["agent", 0, 0.0, 10.0, 0, "agent", ""], ["tool", 1, 1.0, 5.0, 0, "lookup", "boom"]],
                           "omitted": 0, "timed": True})
    result.exemplars = exemplar_timelines(result, {r.trace_id: {"timeline": timeline} for r in rows},
                                          Settings(min_tenants=3))
    return result


def test_the_report_is_one_file_that_fetches_nothing(tmp_path):
    html = render_report(made_result(3, 20), Settings(out_dir=tmp_path))
    for value in re.findall(r"""<(?:script|link|img|iframe|a)\b[^>]*?\b(?:src|href)=["']([^"']*)""", html):
        assert value.startswith(("data:", "#")), value
    assert "@import" not in html and "url(" not in html
    assert "/*REPORT_" not in html  # every template marker filled


def test_the_report_grows_with_its_clusters_not_its_traces(tmp_path):
    settings = Settings(out_dir=tmp_path)
    small = len(render_report(made_result(40, 10), settings).encode())
    large = len(render_report(made_result(40, 400), settings).encode())
    # Forty times the traces in the same clusters: the map's sample and the exemplars are capped.
    assert large < 1.3 * small, (small, large)
    assert large / 40 < 12_000, "bytes per leaf"


def test_the_map_samples_a_bounded_number_of_traces_per_leaf_and_skips_suppressed_leaves():
    result = made_result(5, 300)
    assert len(result.layout.leaves) == 5 and "L0-005" not in result.layout.leaves
    assert len(result.layout.traces) == 5 * TRACES_PER_LEAF
    assert all(result.assignments[t] is not None for t in result.layout.traces)


def test_suppressed_clusters_are_counted_and_never_named(tmp_path):
    result = made_result(3, 20, suppressed_title="Refunds for the Wayne account")
    html = render_report(result, Settings(out_dir=tmp_path))
    assert "Wayne" not in html and "L0-003" not in html
    data = embedded(html)
    assert {c["id"] for c in data["clusters"]} == {"L1-000", "L0-000", "L0-001", "L0-002"}
    assert data["suppressed"] == [{"level": 0, "clusters": 1, "traces": 20}]
    assert next(c for c in data["clusters"] if c["id"] == "L1-000")["hidden"] == {"clusters": 1, "traces": 20}


def test_exemplars_of_a_leaf_come_from_at_least_min_tenants_tenants(tmp_path):
    data = embedded(render_report(made_result(3, 20), Settings(out_dir=tmp_path)))
    for leaf in (c for c in data["clusters"] if c["level"] == 0):
        assert len({e["tenant"] for e in leaf["exemplars"]}) >= 3
        assert all(isinstance(e["tenant"], int) for e in leaf["exemplars"])  # an ordinal, never a name


def test_cluster_pages_carry_contrast_histograms_and_known_patterns(tmp_path):
    data = embedded(render_report(made_result(3, 20), Settings(out_dir=tmp_path)))
    leaf = next(c for c in data["clusters"] if c["id"] == "L0-000")
    assert leaf["distinguishing"][0]["lift"] == 9.0 and leaf["distinguishing"][0]["deviation"]
    for measure in data["measures"]:
        assert sum(leaf["histograms"][measure["facet"]]) == 20
        assert sum(measure["run"]) == 60 and len(measure["run"]) == len(measure["edges"]) - 1
    assert leaf["patterns"] == [{"value": "loops", "inside": 1.0, "overall": 1.0}]
    assert data["run"]["outcomes"]


def test_the_changes_against_a_baseline_list_the_significant_ones_new_first(tmp_path):
    result = made_result(3, 20)
    change = {"old_share": 0.1, "new_share": 0.3, "old_count": 10, "new_count": 30, "p_value": 0.001, "lineage": []}
    result.summary["diff"] = {"baseline": "runs/last-week", "changes": [
        {**change, "id": "L0-001", "title": "Grew", "status": "grown", "significant": True},
        {**change, "id": "L0-002", "title": "Unchanged", "status": "unchanged", "significant": False},
        {**change, "id": "L0-000", "title": "Brand new", "status": "new", "significant": True},
        {**change, "id": "L0-003", "title": "Hidden now", "status": "new", "significant": True},  # suppressed here
        {**change, "id": "L0-009", "title": "Gone", "status": "vanished", "significant": True},
    ]}
    html = render_report(result, Settings(out_dir=tmp_path))
    diff = embedded(html)["diff"]
    assert [c["status"] for c in diff["changes"]] == ["new", "new", "grown", "vanished"]
    assert diff["changes"][0]["title"] == "Brand new" and diff["not_significant"] == 1
    assert "Hidden now" not in html
    result.summary.pop("diff")
    assert embedded(render_report(result, Settings(out_dir=tmp_path)))["diff"] is None


def test_a_cluster_page_links_its_exported_monitor_when_one_is_beside_the_run(tmp_path):
    result = made_result(3, 20)
    export = tmp_path / "export" / "monitors"
    export.mkdir(parents=True)
    monitor = {"name": "leaf_1", "method": "rule", "expression": "tool_error_count >= 1",
               "cluster": {"id": "L0-001", "title": "leaf 1 title"}, "rule_quality": {"precision": 0.9, "recall": 0.8},
               "baseline": {"rate": 0.1}}
    (export / "leaf_1.monitor.json").write_text(json.dumps(monitor))
    # From another run: same id, another cluster.
    (export / "other.monitor.json").write_text(json.dumps({**monitor, "cluster": {"id": "L0-002", "title": "else"}}))
    settings = Settings(out_dir=tmp_path / "run", plugin_options={"html_report": {"export_dir": str(tmp_path / "export")}})
    found = find_monitors(settings, result.clusters)
    assert list(found) == ["L0-001"] and found["L0-001"]["href"] == "../export/monitors/leaf_1.monitor.json"
    assert find_monitors(Settings(out_dir=tmp_path / "run"), result.clusters) == {}


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory, cache_dir) -> Path:
    """The behaviours fixture, with an email and an id planted in every trace's spans."""
    requests, _ = behaviours.build(per_behaviour=10)
    for i in range(10):
        tenant = behaviours.TENANTS[i % len(behaviours.TENANTS)]
        run = AgentRun(f"planted-{i}", dialect="genai" if i % 2 else "openinference", agent=f"agent {PLANTED_EMAIL}")
        run.llm("", tool_calls=("find_user",))
        run.tool("find_user", {"email": PLANTED_EMAIL}, error=f"User {PLANTED_EMAIL} ({PLANTED_ID}) not found at "
                                                                f"https://crm.example.com/u/{PLANTED_ID}")
        run.answer(f"I could not find {PLANTED_EMAIL}.")
        requests.append(request(run.spans, tenant=tenant))
    out = tmp_path_factory.mktemp("planted")
    path = write_jsonl(out / "traces.jsonl", requests)
    settings = Settings(out_dir=out / "run", cache_dir=cache_dir, min_tenants=3, min_traces=5)
    pipeline.run([str(path)], settings, plugin_manager())
    return out / "run"


def test_drill_in_timelines_are_scrubbed_of_planted_emails_and_ids(planted_run):
    html = (planted_run / "report.html").read_text(encoding="utf-8")
    for planted in (PLANTED_EMAIL, PLANTED_ID, "crm.example.com", "jane.doe"):
        assert planted not in html, planted
    timelines = [e for c in embedded(html)["clusters"] for e in c["exemplars"]]
    errors = [span[6] for e in timelines for span in e["spans"] if span[6]]
    assert any("<email>" in text and "<id>" in text for text in errors), errors
