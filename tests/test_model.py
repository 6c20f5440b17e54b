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
