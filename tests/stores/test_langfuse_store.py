"""Langfuse round trip through the real SDK against a local stand-in: read observations, run, sync back."""

from __future__ import annotations

import json

import pytest

import httpx

from langfuse_stand_in import LangfuseStandIn, agent_trace, agent_traces, observation, trace_score
from traceclio_core import pipeline
from traceclio_core.plugins import plugin_manager
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings
from traceclio_langfuse.source import load_traces
from traceclio_langfuse.sync import LangfuseWriter
from traceclio_core.store_location import parse_location
from traceclio_core.sync_ledger import ledger_path, run_sync
from traceclio_core.sync_plan import ANNOTATION_NAME, read_plan

URI = "langfuse://127.0.0.1:3000"


def read(stand_in, tmp_path, **settings):
    rejects = RejectLog(tmp_path / "rejected.jsonl")
    traces = list(load_traces(parse_location(URI), Settings(**settings), rejects, stand_in.factory))
    rejects.close()
    lines = (tmp_path / "rejected.jsonl").read_text().splitlines()
    return {t.trace_id: t for t in traces}, [json.loads(line) for line in lines]


def test_observations_are_paged_by_cursor_grouped_by_trace_and_mapped(tmp_path):
    stand_in = LangfuseStandIn(observations=agent_traces(per_behaviour=2))
    traces, rejects = read(stand_in, tmp_path, since="7d")
    assert rejects == [] and len(traces) == 6
    pages = [r for r in stand_in.requests if r.url.path == "/api/public/v2/observations"]
    assert len(pages) == 8 and "fromStartTime" in pages[0].url.params and "cursor" not in pages[0].url.params
    assert [p.url.params.get("cursor") for p in pages[1:]] == [str(3 * i) for i in range(1, 8)]

    trace = traces["error-00".ljust(32, "0")]
    assert trace.tenant == "user-0"
    assert [(s.kind.value, s.name) for s in trace.spans] == [
        ("agent", "support-agent"), ("llm", "chat"), ("tool", "issue_refund"), ("llm", "chat")]
    agent, ask, tool, answer = trace.spans
    assert agent.agent_name == "support-agent" and agent.parent_id is None and ask.parent_id == agent.span_id
    assert (ask.model, ask.input_tokens, ask.output_tokens) == ("gpt-4o", 500, 40)
    assert [(c.name, c.id) for c in ask.requested_tool_calls] == [("issue_refund", "call_1")]
    assert ask.input_messages[0].role == "user" and ask.input_messages[0].content.startswith("Refund")
    assert (tool.status.value, tool.error_message, tool.tool_arguments) == ("error", "payment gateway 503", '{"id": 1}')
    assert trace.final_answer == "Done." and answer.output_content == "Done, all handled."


@pytest.mark.parametrize("field, expected", [("metadata.org", "org-user-0"), ("project", "project-1")])
def test_tenant_comes_from_the_configured_field(tmp_path, field, expected):
    stand_in = LangfuseStandIn(observations=agent_trace(0, "ok", "user-0"))
    traces, _ = read(stand_in, tmp_path, plugin_options={"langfuse": {"tenant": field}})
    assert [t.tenant for t in traces.values()] == [expected]


def test_malformed_observations_become_rejects_naming_source_and_trace_and_the_run_goes_on(tmp_path):
    good = agent_trace(0, "ok", "user-0")
    orphan = observation("", "lost", "SPAN", "no trace", 5)
    orphan["traceId"] = None
    duplicate = dict(good[1])
    cyclic = [observation("c" * 32, "x", "SPAN", "x", 1, "y"), observation("c" * 32, "y", "SPAN", "y", 2, "x")]
    stand_in = LangfuseStandIn(observations=good + [orphan, duplicate] + cyclic)
    traces, rejects = read(stand_in, tmp_path)
    assert list(traces) == [good[0]["traceId"]] and len(traces[good[0]["traceId"]].spans) == 4
    reasons = {(r["trace_id"] if "trace_id" in r else None, r["reason"].split(";")[0].split(" (")[0])
               for r in rejects}
    # The same reasons, from the same code, as for OTLP files: assembly is one path for every source.
    assert reasons == {(None, "span has no trace id or no span id"),
                       (good[0]["traceId"], "duplicate span id in trace"),
                       ("c" * 32, "parent links form a cycle")}
    assert {r["source"] for r in rejects} == {URI}


def test_a_malformed_observation_is_recorded_and_the_rest_of_its_page_and_later_pages_are_read(tmp_path):
    good = agent_traces(per_behaviour=2)  # 24 observations on 8 pages of 3
    broken = dict(good[4])
    del broken["startTime"]  # the SDK's model requires it: the whole page would fail to parse
    stand_in = LangfuseStandIn(observations=good[:4] + [broken] + good[5:], validate_pages=False)
    traces, rejects = read(stand_in, tmp_path)
    assert len(traces) == 6 and sum(len(t.spans) for t in traces.values()) == 23
    (reject,) = rejects
    assert (reject["trace_id"], reject["span_id"]) == (broken["traceId"], broken["id"])
    assert reject["reason"].startswith("page 2: observation cannot be read (start_time: Field required)")


@pytest.mark.parametrize("answer", [httpx.Response(500, json={"message": "boom"}),
                                    httpx.Response(200, text="<html>gateway</html>")])
def test_a_page_that_cannot_be_read_is_recorded_and_the_traces_before_it_go_on(tmp_path, answer):
    stand_in = LangfuseStandIn(observations=agent_traces(per_behaviour=2), broken_pages={3: answer})
    traces, rejects = read(stand_in, tmp_path)
    assert sum(len(t.spans) for t in traces.values()) == 6  # pages 1 and 2
    (reject,) = rejects
    assert reject["reason"].startswith("page 3 of observations cannot be read") and reject["source"] == URI


def test_the_first_page_failing_is_an_error_not_an_empty_run(tmp_path):
    from traceclio_core.errors import SourceError

    stand_in = LangfuseStandIn(observations=agent_traces(1), broken_pages={1: httpx.Response(401, json={})})
    with pytest.raises(SourceError, match="401"):
        read(stand_in, tmp_path)


def test_observations_stream_into_assembly_page_by_page(tmp_path):
    stand_in = LangfuseStandIn(observations=agent_traces(per_behaviour=4))  # 48 observations, 16 pages
    seen_pages = []
    traces = load_traces(parse_location(URI), Settings(trace_window_spans=8), RejectLog(), stand_in.factory)
    for _ in traces:
        seen_pages.append(sum(r.url.path == "/api/public/v2/observations" for r in stand_in.requests))
    assert len(seen_pages) == 12 and seen_pages[0] < 16


def test_the_outcome_is_the_score_named_by_the_first_outcome_key_that_has_one(tmp_path):
    observations = agent_traces(per_behaviour=1)
    ok, error, slow = (f"{b}-00".ljust(32, "0") for b in ("ok", "error", "slow"))
    scores = [trace_score(ok, "reward", 1.0), trace_score(ok, "passed", False, "BOOLEAN"),
              trace_score(error, "passed", "fail", "CATEGORICAL"), trace_score(slow, "helpfulness", 0.9)]
    stand_in = LangfuseStandIn(observations=observations, scores_v3=scores)
    traces, rejects = read(stand_in, tmp_path, outcome_keys=("reward", "passed"))
    assert rejects == []
    assert {t: traces[t].outcome for t in (ok, error, slow)} == {ok: 1.0, error: 0.0, slow: None}
    (request,) = [r for r in stand_in.requests if r.url.path == "/api/public/v3/scores"]
    assert request.url.params["name"] == "reward,passed"


def test_an_oversized_observation_output_is_cut_by_assembly_and_recorded(tmp_path):
    observations = agent_trace(0, "ok", "user-0")
    observations[2]["output"] = "é" * 600_000  # 1.2 MB of UTF-8
    traces, rejects = read(LangfuseStandIn(observations=observations), tmp_path, max_attribute_bytes=4096)
    (trace,) = traces.values()
    tool = trace.tool_spans[0]
    assert len(tool.tool_result.encode()) == 4096 and len(tool.output_text.encode()) == 4096
    assert [(r["action"], r["span_id"]) for r in rejects] == [("truncated", observations[2]["id"])] * 2
    assert "1,200,000 bytes; kept its first 4,096" in rejects[0]["reason"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, cache_dir):
    """A finished run over 12 Langfuse traces (3 behaviours, 2 users), through the pipeline and the plugin."""
    stand_in = LangfuseStandIn(observations=agent_traces(), page_size=5)
    out = tmp_path_factory.mktemp("langfuse-run") / "run"
    settings = Settings(out_dir=out, cache_dir=cache_dir, min_tenants=1, min_traces=1, embedder="minilm",
                        plugin_options={"langfuse": {"client_factory": stand_in.factory}})
    result = pipeline.run([URI], settings, plugin_manager())
    assert result.summary["traces_read"] == 12
    return out


def sync(run_dir, stand_in, dry_run=False, sleeps=None):
    writer = LangfuseWriter(parse_location(URI), read_plan(run_dir), stand_in.factory)
    return run_sync(writer, run_dir, dry_run=dry_run, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_sync_writes_a_categorical_score_per_trace_and_a_dataset_per_cluster_then_nothing_more(run_dir):
    plan = read_plan(run_dir)
    stand_in = LangfuseStandIn()
    report = sync(run_dir, stand_in)
    assert report.written == report.planned and report.not_found == []

    (config,) = stand_in.score_configs.values()
    assert config["name"] == ANNOTATION_NAME and config["dataType"] == "CATEGORICAL"
    assert sorted(c["label"] for c in config["categories"]) == plan.categories
    assert {s["traceId"]: s["value"] for s in stand_in.scores.values()} == {label.trace_id: label.label for label in plan.labels}
    assert all(s["dataType"] == "CATEGORICAL" and s["configId"] == config["id"] for s in stand_in.scores.values())
    assert set(stand_in.datasets) == {d.name for d in plan.datasets}
    linked = {(i["datasetName"], i["sourceTraceId"]) for i in stand_in.items.values()}
    assert linked == {(d.name, e.trace_id) for d in plan.datasets for e in d.exemplars}
    assert all("ORD-4417" not in i["input"]["task"] for i in stand_in.items.values())
    # A failure cluster's items carry its eval cases' expected behaviour; a healthy cluster's expect nothing.
    must_not = {d.name: d.must_not for d in plan.datasets}
    assert any(must_not.values()) and not all(must_not.values())
    for item in stand_in.items.values():
        expected = must_not[item["datasetName"]]
        assert item["expectedOutput"] == ({"must_not": expected} if expected else None)

    writes = len(stand_in.writes)
    again = sync(run_dir, stand_in)
    assert (again.written, len(stand_in.writes)) == (0, writes)
    # With the ledger lost, the same ids are written again: Langfuse upserts, so nothing is duplicated.
    ledger_path(run_dir, URI).unlink()
    sync(run_dir, stand_in)
    assert len(stand_in.score_configs) == 1 and len(stand_in.scores) == len(plan.labels)
    assert len(stand_in.items) == sum(len(d.exemplars) for d in plan.datasets)


def test_dry_run_lists_the_writes_and_sends_nothing(run_dir, tmp_path):
    stand_in = LangfuseStandIn()
    ledger_path(run_dir, URI).unlink(missing_ok=True)
    report = sync(run_dir, stand_in, dry_run=True)
    assert report.written == 0 and len(report.would_write) == report.planned
    assert any(w.summary.startswith("score trace") for w in report.would_write)
    assert stand_in.writes == [] and not ledger_path(run_dir, URI).exists()


def exactly_once(stand_in) -> bool:
    keys = [(path, body.get("id") or body.get("name")) for path, body in stand_in.accepted]
    return len(keys) == len(set(keys))


@pytest.mark.parametrize("crash", ["raise", "500"])
def test_an_interrupted_sync_resumes_and_writes_each_item_exactly_once(run_dir, crash):
    ledger_path(run_dir, URI).unlink(missing_ok=True)
    plan = read_plan(run_dir)
    stand_in = LangfuseStandIn()
    broken = {"on": True}

    def fail(path, body):
        if broken["on"] and path == "/api/public/v2/datasets" and len(stand_in.datasets) == 1:
            if crash == "raise":
                raise RuntimeError("connection reset mid-sync")
            return 500
        return None

    stand_in.failures = fail
    sleeps: list[float] = []
    with pytest.raises(Exception):
        sync(run_dir, stand_in, sleeps=sleeps)
    assert len(stand_in.datasets) == 1 and stand_in.scores
    if crash == "500":  # retried with backoff, bounded
        assert sleeps == [0.5, 1.0, 2.0, 4.0]
    broken["on"] = False
    report = sync(run_dir, stand_in)
    assert report.already_written > 0 and report.written + report.already_written == report.planned
    assert exactly_once(stand_in)
    assert len(stand_in.scores) == len(plan.labels) and set(stand_in.datasets) == {d.name for d in plan.datasets}


def test_a_429_is_retried_after_a_backoff_and_the_sync_completes(run_dir):
    ledger_path(run_dir, URI).unlink(missing_ok=True)
    stand_in = LangfuseStandIn()
    answered = []

    def rate_limit_once(path, body):
        if path == "/api/public/scores" and not answered:
            answered.append(429)
            return 429
        return None

    stand_in.failures = rate_limit_once
    sleeps: list[float] = []
    report = sync(run_dir, stand_in, sleeps=sleeps)
    assert answered == [429] and sleeps == [0.5]
    assert report.written == report.planned and exactly_once(stand_in)
