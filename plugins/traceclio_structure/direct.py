"""Direct facets: counted from a trace's structure, no model. Add a facet here (or in your own plugin's
`traceclio_compute_facets`) and it lands in the fact table."""

from __future__ import annotations

from typing import Any

from traceclio_core.facets import DirectFacets
from traceclio_core.hookspecs import hookimpl
from traceclio_core.model import SpanKind, Trace
from traceclio_core.settings import Settings
from traceclio_core.trace_memo import remember_per_trace
from traceclio_structure.spans import (
    canonical_arguments,
    classify_error,
    looks_failed,
    react_actions,
    same_tool,
    tools_mentioned,
)


@remember_per_trace  # this plugin's hook and the detectors' both ask for them
def compute_direct_facets(trace: Trace) -> DirectFacets:
    """The structural facets of `trace` (shared by every caller: read them, never change them)."""
    tools = sorted(trace.tool_spans, key=lambda s: (s.start_ns, s.span_id))
    llms = trace.llm_spans
    failed_tools = [s for s in tools if looks_failed(s)]
    # Agent and chain errors count too: a recursion limit usually surfaces on the agent span.
    error_spans = failed_tools + [s for s in trace.spans if s.failed and s.kind not in (SpanKind.TOOL, SpanKind.RETRIEVER)]
    error_classes = sorted({classify_error(s) for s in error_spans})

    retries = repeats = 0
    last_failed: dict[str, bool] = {}
    seen_calls: set[tuple[str, str]] = set()
    for span in tools:
        name = span.tool_name or span.name
        if last_failed.get(name):
            retries += 1
        last_failed[name] = looks_failed(span)
        call = (name, canonical_arguments(span.tool_arguments))
        if call in seen_calls:
            repeats += 1
        seen_calls.add(call)

    actual = sorted({s.tool_name or s.name for s in tools})
    claimed = sorted(
        {call.name for s in llms for call in s.requested_tool_calls}
        | {name for s in llms for name in react_actions(s.output_content)}
        | {name for s in llms for name in tools_mentioned(s.output_content)}
        | set(tools_mentioned(trace.final_answer))
    )
    # A call can be answered by an agent instead of a tool span: a sub-agent called as a tool (smolagents'
    # managed agents) or a hand-off to a peer ("transfer_to_billing_agent" → the "Billing agent" span).
    agents = trace.agent_spans
    served = actual + [name for a in agents for name in (a.agent_name, a.name.split(".", 1)[0]) if name]
    claimed_not_run = [c for c in claimed if not any(same_tool(c, a) for a in served)]

    depth = trace.agent_depth
    start = min((s.start_ns for s in trace.spans), default=0)
    end = max((s.end_ns for s in trace.spans), default=0)
    return DirectFacets(
        turn_count=len(llms),
        tool_call_count=len(tools),
        distinct_tools_invoked=len(actual),
        max_recursion_depth=max(depth.values(), default=0),
        subagent_count=sum(1 for a in agents if depth.get(a.span_id, 0) > 1),
        total_latency_ms=round(max(0, end - start) / 1e6, 3),
        total_tokens=sum(s.input_tokens + s.output_tokens for s in llms),
        max_input_tokens=max((s.input_tokens for s in llms), default=0),
        tool_error_count=len(failed_tools),
        llm_error_count=sum(1 for s in llms if s.failed),
        error_classes=error_classes,
        retry_count=retries,
        repeated_call_count=repeats,
        actual_tools=actual,
        claimed_tools=claimed,
        claimed_not_run=claimed_not_run,
    )


@hookimpl(trylast=True)
def traceclio_compute_facets(trace: Trace, settings: Settings) -> dict[str, Any]:
    return compute_direct_facets(trace).model_dump()
