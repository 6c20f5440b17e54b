"""A trace's span timeline for the report's drill-in (traceclio_core/timeline.py): shape only, every text
scrubbed, bounded."""

import json

from traceclio_core.model import Span, SpanKind, Status, Trace
from traceclio_core.sanitize import compile_names
from traceclio_core.timeline import FIELDS, MAX_SPANS, rescrub, span_timeline

MS = 1_000_000


def trace(spans, tenant="acme-logistics", timed=True) -> Trace:
    return Trace(trace_id="t1", tenant=tenant, timing_recorded=timed, spans=tuple(spans))


def span(i, kind=SpanKind.TOOL, parent="root", failed=False, **fields) -> Span:
    return Span(span_id=f"s{i}", parent_id=parent, kind=kind, start_ns=i * 10 * MS, end_ns=(i * 10 + 5) * MS,
                status=Status.ERROR if failed else Status.OK, **fields)


def spans_of(text: str) -> list[dict]:
    return [dict(zip(FIELDS, s)) for s in json.loads(text)["spans"]]


def test_spans_keep_kind_depth_times_tokens_and_names_but_no_content():
    root = Span(span_id="root", kind=SpanKind.AGENT, agent_name="support-agent", start_ns=0, end_ns=100 * MS,
                input_text="my card is 4111 1111 1111 1111")
    llm = span(1, SpanKind.LLM, input_tokens=500, output_tokens=60, output_text="Sure, Mr Smith")
    tool = span(2, tool_name="lookup_order", tool_arguments='{"order": "A-1"}', tool_result="shipped")
    found = spans_of(span_timeline(trace([root, llm, tool])))
    assert [(s["kind"], s["depth"], s["label"]) for s in found] == [
        ("agent", 0, "support-agent"), ("llm", 1, ""), ("tool", 1, "lookup_order")]
    assert found[1]["tokens"] == 560 and found[2]["start_ms"] == 20.0 and found[2]["duration_ms"] == 5.0
    text = span_timeline(trace([root, llm, tool]))
    for content in ("4111", "Smith", "A-1", "shipped"):
        assert content not in text


def test_errors_are_scrubbed_of_emails_ids_urls_and_the_tenant():
    failed = span(1, failed=True, tool_name="find_user", error_type="NotFound",
                  error_message="jane@example.com (usr_9f2a77c1) of Acme not found at https://crm.example.com/u/1")
    text = span_timeline(trace([Span(span_id="root", kind=SpanKind.AGENT), failed]))
    error = spans_of(text)[1]["error"]
    assert error.startswith("NotFound: <email> (<id>) of <name> not found at <url>"), error
    for leak in ("jane", "usr_9f2a77c1", "crm.example", "Acme"):
        assert leak not in text


def test_a_long_trace_keeps_its_failed_spans_first_and_counts_the_rest():
    spans = [Span(span_id="root", kind=SpanKind.AGENT)] + [span(i, failed=(i % 25 == 0), tool_name="t")
                                                            for i in range(1, 200)]
    timeline = json.loads(span_timeline(trace(spans)))
    assert len(timeline["spans"]) == MAX_SPANS and timeline["omitted"] == 200 - MAX_SPANS
    assert sum(1 for s in timeline["spans"] if s[6]) == 7  # every failed span kept
    starts = [s[2] for s in timeline["spans"]]
    assert starts == sorted(starts)


def test_a_source_without_times_is_marked_untimed():
    assert json.loads(span_timeline(trace([Span(span_id="root")], timed=False)))["timed"] is False


def test_rescrub_removes_every_tenant_name_of_the_run():
    tool = span(1, tool_name="globex-export", failed=True, error_message="Globex quota exceeded")
    text = span_timeline(trace([Span(span_id="root", kind=SpanKind.AGENT), tool], tenant="acme-logistics"))
    again = rescrub(text, compile_names(["acme-logistics", "globex-retail"]))
    assert "globex" not in json.dumps(again).lower()
