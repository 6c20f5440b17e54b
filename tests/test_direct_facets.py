from builders import AgentRun, request
from traceclio_core.assembly import TraceAssembler
from traceclio_core.rejects import RejectLog
from traceclio_core.semconv import RawSpan
from traceclio_core.settings import Settings
from traceclio_structure.direct import compute_direct_facets


def to_trace(run: AgentRun):
    """Build a Trace from builder spans the way the OTLP source does (through RawSpan)."""
    from traceclio_otlp.reader import FileReader
    import json, tempfile, pathlib
    path = pathlib.Path(tempfile.mkdtemp()) / "t.jsonl"
    path.write_text(json.dumps(request(run.spans)) + "\n")
    raws: list[RawSpan] = list(FileReader(path, RejectLog()).spans())
    (trace,) = TraceAssembler(RejectLog(), Settings()).assemble(raws)
    return trace


def test_counts_turns_tools_errors_and_tokens():
    run = AgentRun("counts")
    run.llm("", tool_calls=("search",), input_tokens=100, output_tokens=10)
    run.tool("search", {"q": 1}).tool("fetch_page", {"u": 2}, error="404 Not Found")
    run.answer("Here is what I found.")
    facets = compute_direct_facets(to_trace(run))
    assert facets.turn_count == 2
    assert (facets.tool_call_count, facets.distinct_tools_invoked, facets.tool_error_count) == (2, 2, 1)
    assert facets.total_tokens == 100 + 10 + 500 + 60
    assert facets.error_classes == ["not_found"]
    assert facets.total_latency_ms > 0


def test_retries_count_calls_that_follow_a_failure_of_the_same_tool():
    run = AgentRun("retries")
    for _ in range(4):
        run.tool("book", {"id": 1}, error="429 Too Many Requests")
    run.tool("book", {"id": 1})
    facets = compute_direct_facets(to_trace(run))
    assert facets.retry_count == 4 and facets.repeated_call_count == 4
    assert facets.error_classes == ["rate_limit"]


def test_claimed_versus_actual_tools_finds_requests_that_never_ran():
    run = AgentRun("claims")
    run.llm("", tool_calls=("check_inventory", "get_price"))
    run.tool("get_price", {"sku": 1})
    run.answer("I used the `reserve_item` tool to hold it for you.")
    facets = compute_direct_facets(to_trace(run))
    assert facets.actual_tools == ["get_price"]
    assert set(facets.claimed_tools) == {"check_inventory", "get_price", "reserve_item"}
    assert facets.claimed_not_run == ["check_inventory", "reserve_item"]


def test_namespaced_tool_names_match_their_short_claim():
    run = AgentRun("mcp")
    run.llm("", tool_calls=("lookup_order",))
    run.tool("crm__lookup_order", {"id": 1})
    run.answer("ok")
    assert compute_direct_facets(to_trace(run)).claimed_not_run == []


def test_sub_agents_give_depth_and_count():
    run = AgentRun("nested")
    run.sub_agent("researcher").sub_agent("reader").tool("read", {}).end_sub_agent().end_sub_agent()
    facets = compute_direct_facets(to_trace(run))
    assert facets.max_recursion_depth == 3 and facets.subagent_count == 2


def test_an_error_payload_under_an_ok_status_counts_as_a_tool_error():
    run = AgentRun("payload")
    run.tool("fetch", {}, result='{"error": "upstream returned 502"}')
    facets = compute_direct_facets(to_trace(run))
    assert facets.tool_error_count == 1 and facets.error_classes == ["server_error"]


def test_step_budgets_are_iteration_limits_but_an_event_loop_error_is_not():
    run = AgentRun("budgets")
    run.tool("plan_step", {}, error="AgentLoopError: step budget exhausted (25 steps)")
    run.tool("close_client", {}, error="RuntimeError: event loop error while closing")
    run.answer("I could not finish.")
    assert compute_direct_facets(to_trace(run)).error_classes == ["iteration_limit", "other"]


def test_a_tool_call_answered_by_a_sub_agent_or_a_hand_off_ran():
    run = AgentRun("delegates", agent="support-manager")
    run.llm("", tool_calls=("docs_researcher",))
    run.sub_agent("docs_researcher").tool("search_docs", {"q": "export"}).answer("Settings > Export.").end_sub_agent()
    run.llm("", tool_calls=("transfer_to_billing_agent",))
    run.sub_agent("billing agent").answer("Charged 240 EUR.").end_sub_agent()
    run.answer("Export from Settings; you were charged 240 EUR.")
    facets = compute_direct_facets(to_trace(run))
    assert facets.claimed_not_run == []
    assert facets.claimed_tools == ["docs_researcher", "transfer_to_billing_agent"]


def test_a_tool_call_no_tool_or_agent_answered_is_claimed_not_run():
    run = AgentRun("unanswered", agent="support-manager")
    run.llm("", tool_calls=("docs_researcher",))
    run.answer("Export from Settings.")
    assert compute_direct_facets(to_trace(run)).claimed_not_run == ["docs_researcher"]
