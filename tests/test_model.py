from traceclio_core.model import Message, Span, SpanKind, Trace, ToolCallRequest


def _trace(*spans: Span) -> Trace:
    return Trace(trace_id="t", spans=spans)


def test_orphan_span_stays_in_its_trace_as_a_root():
    trace = _trace(Span(span_id="a", kind=SpanKind.AGENT), Span(span_id="b", parent_id="missing"))
    assert {s.span_id for s in trace.roots} == {"a", "b"}


def test_agent_depth_counts_nested_sub_agents():
    trace = _trace(
        Span(span_id="a", kind=SpanKind.AGENT),
        Span(span_id="b", parent_id="a", kind=SpanKind.AGENT),
        Span(span_id="c", parent_id="b", kind=SpanKind.AGENT),
        Span(span_id="d", parent_id="c", kind=SpanKind.TOOL),
    )
    assert trace.agent_depth == {"a": 1, "b": 2, "c": 3, "d": 3}


def test_final_answer_prefers_the_root_agent_output_over_the_last_llm_text():
    trace = _trace(
        Span(span_id="a", kind=SpanKind.AGENT, output_text="final words", end_ns=10),
        Span(span_id="b", parent_id="a", kind=SpanKind.LLM, end_ns=9,
             output_messages=(Message(role="assistant", content="draft"),)),
    )
    assert trace.final_answer == "final words"


def test_requested_tool_calls_are_read_from_output_messages():
    span = Span(span_id="a", kind=SpanKind.LLM, output_messages=(
        Message(role="assistant", tool_calls=(ToolCallRequest(name="search"), ToolCallRequest(name="read"))),))
    assert [c.name for c in span.requested_tool_calls] == ["search", "read"]


def test_unnamed_agent_spans_holding_one_model_call_are_steps_of_the_graph_around_them():
    # A LangGraph ReAct agent under OpenInference: the graph is a chain, each model turn an "agent" span.
    trace = _trace(
        Span(span_id="graph", kind=SpanKind.CHAIN),
        Span(span_id="turn1", parent_id="graph", name="agent", kind=SpanKind.AGENT),
        Span(span_id="llm1", parent_id="turn1", kind=SpanKind.LLM),
        Span(span_id="tools", parent_id="graph", kind=SpanKind.CHAIN),
        Span(span_id="tool", parent_id="tools", kind=SpanKind.TOOL),
        Span(span_id="turn2", parent_id="graph", name="agent", kind=SpanKind.AGENT),
        Span(span_id="llm2", parent_id="turn2", kind=SpanKind.LLM),
    )
    assert [s.span_id for s in trace.agent_spans] == ["graph"]
    assert max(trace.agent_depth.values()) == 1


def test_an_unnamed_workflow_span_around_named_peer_agents_is_not_an_agent_above_them():
    # The OpenAI Agents SDK: a hand-off moves the run from one agent to a peer inside one workflow span.
    trace = _trace(
        Span(span_id="workflow", name="Agent workflow", kind=SpanKind.AGENT),
        Span(span_id="triage", parent_id="workflow", kind=SpanKind.AGENT, agent_name="Triage"),
        Span(span_id="llm1", parent_id="triage", kind=SpanKind.LLM),
        Span(span_id="handoff", parent_id="triage", kind=SpanKind.TOOL),
        Span(span_id="billing", parent_id="workflow", kind=SpanKind.AGENT, agent_name="Billing"),
        Span(span_id="llm2", parent_id="billing", kind=SpanKind.LLM),
    )
    assert [s.span_id for s in trace.agent_spans] == ["triage", "billing"]
    assert max(trace.agent_depth.values()) == 1


def test_an_agent_called_as_a_tool_is_a_sub_agent_even_with_one_model_call():
    trace = _trace(
        Span(span_id="manager", kind=SpanKind.AGENT, agent_name="Manager"),
        Span(span_id="llm1", parent_id="manager", kind=SpanKind.LLM),
        Span(span_id="tool", parent_id="manager", kind=SpanKind.TOOL, tool_name="ask_researcher"),
        Span(span_id="researcher", parent_id="tool", kind=SpanKind.AGENT),
        Span(span_id="llm2", parent_id="researcher", kind=SpanKind.LLM),
    )
    assert trace.agent_depth["llm2"] == 2
