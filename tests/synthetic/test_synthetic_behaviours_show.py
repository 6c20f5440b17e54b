"""Behaviours show in span structure, statuses and text the way real traces carry them."""
import collections
import json
import re

import pytest

import synthetic


ACTION = re.compile(r"Action: ([\w.\-]+)")


def _attrs(span):
    return {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}


def _is_tool(attrs):
    return attrs.get("gen_ai.operation.name") == "execute_tool" or attrs.get("openinference.span.kind") == "TOOL"


def _is_llm(attrs):
    return attrs.get("gen_ai.operation.name") in ("chat", "generate_content") or attrs.get("openinference.span.kind") == "LLM"


def _tool_name(attrs):
    return attrs.get("gen_ai.tool.name") or attrs.get("tool.name")


def _tool_args(attrs):
    return attrs.get("gen_ai.tool.call.arguments") or attrs.get("tool.parameters")


@pytest.fixture(scope="module")
def traces_by_label():
    by_label = collections.defaultdict(list)
    for trace in synthetic.generate(1200, seed=21):
        by_label[trace.truth["label"]].append([_attrs(span) | {"_span": span} for _, span in trace.spans])
    return by_label


def test_retry_loops_repeat_one_failing_call_with_identical_arguments(traces_by_label):
    for label in ("retry_loop_rate_limit", "retry_loop_server_error", "retry_without_backoff", "retry_loop_timeout"):
        for spans in traces_by_label[label]:
            failing = collections.Counter((_tool_name(a), _tool_args(a)) for a in spans
                                          if _is_tool(a) and a["_span"].get("status", {}).get("code") == 2)
            assert failing.most_common(1)[0][1] >= 4, label


def test_rate_limit_loops_carry_429s(traces_by_label):
    for spans in traces_by_label["retry_loop_rate_limit"]:
        messages = [a["_span"]["status"]["message"] for a in spans if _is_tool(a) and "status" in a["_span"]
                    and a["_span"]["status"].get("code") == 2]
        assert any("429" in m or "Rate" in m or "rate" in m for m in messages)


def test_swallowed_errors_have_a_failed_tool_span(traces_by_label):
    for spans in traces_by_label["swallowed_tool_error"]:
        assert any(_is_tool(a) and a["_span"].get("status", {}).get("code") == 2 for a in spans)


def test_direct_answers_and_refusals_run_no_tools(traces_by_label):
    for label in ("direct_answer_no_tools", "needless_refusal", "capability_denial", "clarifying_question"):
        for spans in traces_by_label[label]:
            assert not any(_is_tool(a) for a in spans), label


def test_hallucinated_results_request_a_tool_that_never_runs(traces_by_label):
    for spans in traces_by_label["hallucinated_tool_result"]:
        ran = {_tool_name(a) for a in spans if _is_tool(a)}
        requested = set()
        for a in spans:
            if not _is_llm(a):
                continue
            for key, value in a.items():
                if key.endswith("tool_call.function.name"):
                    requested.add(value)
            if "gen_ai.output.messages" in a:
                for message in json.loads(a["gen_ai.output.messages"]):
                    requested |= {p["name"] for p in message["parts"] if p["type"] == "tool_call"}
            # text-protocol (ReAct) agents write the request as "Action: <tool>"
            requested |= set(ACTION.findall(a.get("output.value", "") + a.get("gen_ai.output.messages", "")))
        assert requested - ran


def test_context_overflow_grows_input_tokens_to_the_limit(traces_by_label):
    for spans in traces_by_label["context_window_overflow"]:
        tokens = [int(a.get("gen_ai.usage.input_tokens") or a.get("gen_ai.usage.prompt_tokens")
                      or a.get("llm.token_count.prompt") or 0) for a in spans if _is_llm(a)]
        assert max(tokens) > 10 * min(t for t in tokens if t)


def test_fanout_spawns_many_agents(traces_by_label):
    for spans in traces_by_label["subagent_fanout_blowup"]:
        agents = [a for a in spans if a.get("gen_ai.operation.name") == "invoke_agent"
                  or a.get("openinference.span.kind") == "AGENT"]
        assert len(agents) >= 12


def test_truth_names_the_second_behaviour_a_noise_step_adds_and_the_trace_shows_it():
    marked = 0
    for trace in synthetic.generate(600, seed=22):
        also = trace.truth.get("also", [])
        assert trace.truth["label"] not in also
        if "redundant_identical_reads" in also:
            marked += 1
            calls = collections.Counter((_tool_name(a), _tool_args(a)) for a in (_attrs(s) for _, s in trace.spans)
                                        if _is_tool(a))
            assert calls.most_common(1)[0][1] >= 2, trace.truth  # the repeated read is there
    assert marked >= 10
