"""Phoenix round trip against a real server: OTLP protobuf in, `traceclio run phoenix://…`, `traceclio sync`."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from phoenix.client import Client
from typer.testing import CliRunner

from otlp_protobuf import post_traces
from store_traces import behaviour_runs, shift_to_now
from builders import AgentRun, write_jsonl
from traceclio_core import facet_table
from traceclio_core.cli import app
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings
from traceclio_otlp.source import traceclio_load_traces as load_otlp_files
from traceclio_phoenix.source import load_traces
from traceclio_core.store_location import parse_location
from traceclio_core.sync_ledger import ledger_path
from traceclio_core.sync_plan import ANNOTATION_NAME, dominant_failure, must_not_happen

PROJECT = "shop"


@pytest.fixture(scope="module")
def loaded(phoenix_server):
    """12 recent traces in PROJECT, one old trace in PROJECT, one recent trace in another project."""
    runs = shift_to_now(behaviour_runs())
    old = AgentRun("too-old").llm("hello").answer("bye")  # 2023: outside --since 7d
    stray = shift_to_now([AgentRun("other-project").llm("hi").answer("bye")])
    post_traces(phoenix_server.base_url, [r.request() for r in runs] + [old.request()], PROJECT)
    post_traces(phoenix_server.base_url, [r.request() for r in stray], "elsewhere")
    client = Client(base_url=phoenix_server.base_url)
    total = sum(len(r.spans) for r in runs) + len(old.spans)
    for _ in range(120):  # ingestion is asynchronous: the project may not even exist yet (404)
        try:
            if len(client.spans.get_spans(project_identifier=PROJECT, limit=10_000)) >= total:
                break
        except httpx.HTTPStatusError:
            pass
        time.sleep(0.5)
    return runs, client


@pytest.fixture(scope="module")
def run_dir(loaded, phoenix_server, tmp_path_factory, cache_dir):
    out = tmp_path_factory.mktemp("phoenix-run") / "run"
    result = CliRunner().invoke(app, [
        "run", f"phoenix://127.0.0.1:{phoenix_server.port}/{PROJECT}", "--since", "7d", "--out", str(out),
        "--min-tenants", "1", "--min-traces", "1", "--tenant-key", "user.id", "--embedder", "minilm",
        "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    return out


def shape(trace):
    return [(s.kind.value, s.tool_name, s.status.value, s.error_message, s.input_tokens, s.output_tokens,
             s.parent_id, [(m.role, m.content, [c.name for c in m.tool_calls]) for m in s.output_messages])
            for s in trace.spans]


def test_phoenix_traces_map_exactly_as_the_same_spans_read_from_an_otlp_file(loaded, phoenix_server, tmp_path):
    runs, _ = loaded
    settings = Settings(since="7d", tenant_keys=("user.id",))
    rejects = RejectLog()
    location = parse_location(f"phoenix://127.0.0.1:{phoenix_server.port}/{PROJECT}")
    from_phoenix = {t.trace_id: t for t in load_traces(location, settings, rejects)}
    path = write_jsonl(tmp_path / "same.jsonl", [r.request() for r in runs])
    from_file = {t.trace_id: t for t in load_otlp_files([str(path)], settings, RejectLog())}
    assert rejects.rejected == 0
    assert set(from_phoenix) == set(from_file) == {r.trace_id for r in runs}  # no old, no other project
    for trace_id, trace in from_file.items():
        assert shape(from_phoenix[trace_id]) == shape(trace)
        assert from_phoenix[trace_id].tenant == trace.tenant in {"user-0", "user-1"}
    failed = next(s for t in from_phoenix.values() for s in t.spans if s.failed)
    assert (failed.tool_name, failed.error_type, failed.error_message) == ("issue_refund", "ToolError",
                                                                          "payment gateway 503")


def test_a_filter_reads_whole_traces_that_have_a_matching_span(loaded, phoenix_server):
    runs, _ = loaded
    settings = Settings(since="7d", tenant_keys=("user.id",), source_filter="user.id=user-1")
    location = parse_location(f"phoenix://127.0.0.1:{phoenix_server.port}/{PROJECT}")
    traces = list(load_traces(location, settings, RejectLog()))
    wanted = {r.trace_id: len(r.spans) for r in runs if r.root["attributes"][-1]["value"]["stringValue"] == "user-1"}
    assert {t.trace_id: len(t.spans) for t in traces} == wanted and len(wanted) == len(runs) // 2


def test_run_reads_only_the_window_and_project_and_clusters_them(run_dir, loaded):
    runs, _ = loaded
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["traces_read"] == len(runs)
    assignments = [json.loads(line) for line in (run_dir / "assignments.jsonl").read_text().splitlines()]
    assert {a["trace_id"] for a in assignments} == {r.trace_id for r in runs}


def surfaced_paths(run_dir):
    clusters = {c["id"]: c for c in json.loads((run_dir / "clusters.json").read_text())["clusters"]}
    expected = {}
    for record in map(json.loads, (run_dir / "assignments.jsonl").read_text().splitlines()):
        node, titles = clusters.get(record["cluster_id"]), []
        while node is not None:
            titles.append(node["title"])
            node = clusters.get(node["parent"])
        if titles:
            expected[record["trace_id"]] = " › ".join(reversed(titles))
    return expected, clusters


def annotations(client, runs):
    roots = [r.root["spanId"] for r in runs]
    found = client.spans.get_span_annotations(span_ids=roots, project_identifier=PROJECT,
                                              include_annotation_names=[ANNOTATION_NAME])
    by_trace = {r.root["spanId"]: r.trace_id for r in runs}
    return [(by_trace[a["span_id"]], a) for a in found]


def test_sync_round_trip_dry_run_then_write_then_no_duplicates(run_dir, loaded, phoenix_server):
    runs, client = loaded
    uri = f"phoenix://127.0.0.1:{phoenix_server.port}/{PROJECT}"
    before = {d["name"] for d in client.datasets.list()}

    dry = CliRunner().invoke(app, ["sync", str(run_dir), "--to", uri, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would annotate trace" in dry.output and "nothing sent" in dry.output
    assert annotations(client, runs) == [] and not ledger_path(run_dir, uri).exists()

    first = CliRunner().invoke(app, ["sync", str(run_dir), "--to", uri])
    assert first.exit_code == 0, first.output
    expected, clusters = surfaced_paths(run_dir)
    facets = {r.trace_id: r.model.concerning_behavior
              for r, _ in facet_table.read(run_dir / "facets.parquet")}
    written = annotations(client, runs)
    assert sorted(t for t, _ in written) == sorted(expected)
    for trace_id, annotation in written:
        assert annotation["annotator_kind"] == "CODE" and annotation["identifier"] == "traceclio"
        assert annotation["result"]["label"] == expected[trace_id]
        assert annotation["result"]["score"] == facets[trace_id]

    leaves = [c for c in clusters.values() if c["level"] == 0 and c["surfaced"]]
    assert any(must_not_happen(dominant_failure(leaf)) for leaf in leaves)
    datasets = {d["name"]: d for d in client.datasets.list()}
    ours = {n for n in datasets if n not in before}
    dataset_of, taken = {}, set()
    for leaf in sorted(leaves, key=lambda c: c["id"]):  # two leaves may share a title: the id tells them apart
        name = f"traceclio · {leaf['title']}"
        name = f"{name} ({leaf['id']})" if name in taken else name
        taken.add(name)
        dataset_of[leaf["id"]] = name
    assert ours == set(dataset_of.values())
    members = {json.loads(line)["trace_id"]: json.loads(line)["cluster_id"]
               for line in (run_dir / "assignments.jsonl").read_text().splitlines()}
    summaries = {r.trace_id: r.model.task_summary for r, _ in facet_table.read(run_dir / "facets.parquet")}
    for leaf in leaves:
        examples = client.datasets.get_dataset(dataset=dataset_of[leaf["id"]]).examples
        assert 1 <= len(examples) <= 3
        for example in examples:
            assert members[example["metadata"]["source_trace_id"]] == leaf["id"]
            task = example["input"]["task"]
            assert task and task in summaries[example["metadata"]["source_trace_id"]]
            assert "ORD-4417" not in task and "jane@example.com" not in task
            # What a failure cluster's eval cases expect not to see; a healthy cluster's examples expect nothing.
            must_not = must_not_happen(dominant_failure(leaf))
            assert example["output"] == ({"must_not": must_not} if must_not else {})
    versions = {n: len(client.datasets.get_dataset_versions(dataset=n)) for n in ours}

    again = CliRunner().invoke(app, ["sync", str(run_dir), "--to", uri])
    assert again.exit_code == 0 and " 0 written" in again.output, again.output
    # Without the ledger (a crash right after the store answered), idempotent ids still prevent duplicates.
    ledger_path(run_dir, uri).unlink()
    rerun = CliRunner().invoke(app, ["sync", str(run_dir), "--to", uri])
    assert rerun.exit_code == 0, rerun.output
    assert len(annotations(client, runs)) == len(expected)
    assert {d["name"] for d in client.datasets.list()} - before == ours
    assert {n: len(client.datasets.get_dataset_versions(dataset=n)) for n in ours} == versions
    for leaf in leaves:
        assert len(client.datasets.get_dataset(dataset=dataset_of[leaf["id"]]).examples) <= 3


# -- outcome and the read boundary ------------------------------------------------------------------

OUTCOMES = "outcomes"


def _wait_for(client, project, count):
    for _ in range(120):
        try:
            if len(client.spans.get_spans(project_identifier=project, limit=10_000)) >= count:
                return
        except httpx.HTTPStatusError:
            pass
        time.sleep(0.5)


@pytest.fixture(scope="module")
def outcome_runs(phoenix_server):
    """Three traces in OUTCOMES: one says its reward in a span attribute, one is annotated, one neither."""
    runs = shift_to_now([AgentRun(f"outcome-{i}").llm("hello").answer("bye") for i in range(3)])
    runs[0].root["attributes"].append({"key": "reward", "value": {"doubleValue": 0.0}})
    post_traces(phoenix_server.base_url, [r.request() for r in runs], OUTCOMES)
    client = Client(base_url=phoenix_server.base_url)
    _wait_for(client, OUTCOMES, sum(len(r.spans) for r in runs))
    client.traces.add_trace_annotation(trace_id=runs[1].trace_id, annotation_name="passed", label="pass",
                                       annotator_kind="HUMAN", sync=True)
    client.traces.add_trace_annotation(trace_id=runs[2].trace_id, annotation_name="helpfulness", score=0.7,
                                       annotator_kind="HUMAN", sync=True)
    return runs


def test_the_outcome_comes_from_a_span_attribute_else_a_trace_annotation(outcome_runs, phoenix_server):
    location = parse_location(f"phoenix://127.0.0.1:{phoenix_server.port}/{OUTCOMES}")
    rejects = RejectLog()
    traces = {t.trace_id: t for t in load_traces(location, Settings(since="7d"), rejects)}
    assert rejects.rejected == 0
    assert [traces[r.trace_id].outcome for r in outcome_runs] == [0.0, 1.0, None]
    traces = {t.trace_id: t for t in load_traces(location, Settings(since="7d", outcome_keys=("helpfulness",)),
                                                 RejectLog())}
    assert [traces[r.trace_id].outcome for r in outcome_runs] == [None, None, 0.7]


class FailingSlice:
    """The real client, except that the `fail_on`-th slice request is answered 503."""

    def __init__(self, client, fail_on: int):
        self.client, self.fail_on, self.calls = client, fail_on, 0
        self.spans = self

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get_spans(self, **kwargs):
        self.calls += 1
        if self.calls == self.fail_on:
            request = httpx.Request("GET", "http://phoenix.test/v1/projects/x/spans")
            raise httpx.HTTPStatusError("503", request=request, response=httpx.Response(503, request=request))
        return self.client.spans.get_spans(**kwargs)


def test_a_slice_phoenix_fails_to_answer_is_recorded_and_the_other_slices_are_read(outcome_runs, phoenix_server):
    location = parse_location(f"phoenix://127.0.0.1:{phoenix_server.port}/{OUTCOMES}")
    real = Client(base_url=phoenix_server.base_url)
    rejects = RejectLog()
    # Three daily slices; the traces sit in the last one, the middle one fails.
    traces = list(load_traces(location, Settings(since="3d"), rejects, lambda loc: FailingSlice(real, 2)))
    assert {t.trace_id for t in traces} == {r.trace_id for r in outcome_runs}
    (reject,) = rejects.records
    assert "could not be read (Phoenix answered 503); they are left out" in reject["reason"]
    from traceclio_core.errors import SourceError

    with pytest.raises(SourceError, match="Phoenix answered 503"):  # the first slice failing: nothing can be read
        list(load_traces(location, Settings(since="3d"), RejectLog(), lambda loc: FailingSlice(real, 1)))


def test_a_malformed_span_is_recorded_and_skipped():
    from traceclio_phoenix.source import to_raw_span

    rejects = RejectLog()
    good = {"context": {"trace_id": "t" * 32, "span_id": "s" * 16}, "name": "ok",
            "start_time": "2026-01-01T00:00:00+00:00", "end_time": "2026-01-01T00:00:01+00:00"}
    assert to_raw_span(good, "phoenix://x/p", rejects).span_id == "s" * 16
    for bad in ("not a span", {"context": "nope"}, {**good, "start_time": "yesterday"},
                {**good, "events": ["not an event"]}):
        assert to_raw_span(bad, "phoenix://x/p", rejects) is None
    assert rejects.rejected == 4
    assert [r.get("trace_id") for r in rejects.records] == [None, None, "t" * 32, "t" * 32]
