"""Traces recorded from real agent frameworks with their real instrumentation (examples/frameworks/record.py):
each direct facet must be true of what the scripted run made happen, as its manifest line records it.

The fixtures are committed; these tests read them and need none of the frameworks installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings
from traceclio_structure.direct import compute_direct_facets
from traceclio_otlp.source import traceclio_load_traces

FIXTURES = Path(__file__).parent / "fixtures" / "frameworks"
MANIFEST = [json.loads(line) for line in (FIXTURES / "expected.jsonl").read_text().splitlines() if line.strip()]


def _load(framework: str):
    rejects = RejectLog()
    traces = list(traceclio_load_traces([str(FIXTURES / f"{framework}.jsonl")], Settings(), rejects))
    return {t.trace_id: t for t in traces}, rejects, [row for row in MANIFEST if row["framework"] == framework]


def _facets_match_the_script(framework: str) -> None:
    traces, rejects, runs = _load(framework)
    assert dict(rejects.counts) == {}, rejects.records
    assert len(traces) == len(runs) >= 6
    assert set(traces) == {row["trace_id"] for row in runs}
    for row in runs:
        trace = traces[row["trace_id"]]
        facets = compute_direct_facets(trace)
        # Sub-agents in these scripts sit one level below the agent that called them.
        depth = 2 if row["subagents"] else 1
        seen = {
            "tenant": trace.tenant, "spans": len(trace.spans), "turn_count": facets.turn_count,
            "tool_call_count": facets.tool_call_count, "tool_error_count": facets.tool_error_count,
            "retry_count": facets.retry_count, "subagent_count": facets.subagent_count,
            "max_recursion_depth": facets.max_recursion_depth, "claimed_not_run": facets.claimed_not_run,
            "distinct_tools_invoked": facets.distinct_tools_invoked,
        }
        wanted = {
            "tenant": row["tenant"], "spans": row["spans"], "turn_count": row["llm_calls"],
            "tool_call_count": row["tool_calls"], "tool_error_count": row["tool_errors"],
            "retry_count": row["retries"], "subagent_count": row["subagents"], "max_recursion_depth": depth,
            # Every tool the model asked for ran (in the CodeAgent runs, from the code it wrote).
            "claimed_not_run": [], "distinct_tools_invoked": len(set(row["tools"])),
        }
        assert seen == wanted, row["scenario"]
        # A hand-off's span is named after the agent it hands to, not the transfer call the model made.
        assert len(set(row["tools"]) - set(facets.actual_tools)) <= row["handoffs"], row["scenario"]


def test_smolagents_code_and_tool_calling_agents_match_their_scripts():
    _facets_match_the_script("smolagents")


def test_langgraph_react_agents_match_their_scripts():
    _facets_match_the_script("langgraph")


def test_openai_agents_sdk_runs_match_their_scripts():
    _facets_match_the_script("openai_agents")


@pytest.mark.parametrize("framework, scenario", [("langgraph", "graph_recursion_limit"),
                                                 ("openai_agents", "max_turns")])
def test_a_run_the_framework_stopped_at_its_step_limit_is_classed_iteration_limit(framework, scenario):
    traces, _, runs = _load(framework)
    row = next(r for r in runs if r["scenario"] == scenario)
    assert row["max_steps_hit"]
    assert "iteration_limit" in compute_direct_facets(traces[row["trace_id"]]).error_classes


@pytest.mark.parametrize("framework", ["smolagents", "langgraph", "openai_agents"])
def test_the_evidence_is_true_of_what_each_script_made_happen(framework):
    from traceclio_evidence.evidence import compute_evidence

    traces, _, runs = _load(framework)
    for row in runs:
        ev = compute_evidence(traces[row["trace_id"]])
        retried, reported = row["retries"] > 0, row["tool_errors"] > row["retries"]
        # A retried failure was made good; a failure the script reported stays unrecovered, and is told.
        assert (ev.recovered_errors >= 1) == retried, row["scenario"]
        assert (ev.unrecovered_errors >= 1) == reported, row["scenario"]
        if reported:
            assert ev.failure_told, row["scenario"]
        if row["refusal"]:
            assert ev.answer_declines or ev.answer_unable, row["scenario"]
        # No scripted run claims work no call did, or moves to another model.
        assert ev.unbacked_claims == [] and ev.served_by_other_model == 0, row["scenario"]
        assert ev.sensitive_flows == [] and ev.destructive_calls == 0, row["scenario"]
