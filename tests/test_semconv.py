import json

import pytest

from traceclio_core.model import SpanKind, Status
from traceclio_core.semconv import RawSpan, tenant_of, to_span


def _raw(attrs, name="", status=0, message="", events=()):
    return RawSpan(trace_id="t" * 32, span_id="s" * 16, parent_id=None, name=name, attributes=attrs,
                   status_code=status, status_message=message, events=list(events))


def test_genai_chat_span_maps_model_tokens_and_requested_tool_calls():
    span = to_span(_raw({
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-haiku-4-5",
        "gen_ai.usage.input_tokens": 120, "gen_ai.usage.output_tokens": 30,
        "gen_ai.output.messages": json.dumps([{"role": "assistant", "parts": [
            {"type": "text", "content": "Looking it up."},
            {"type": "tool_call", "id": "c1", "name": "lookup_order", "arguments": {"id": 1}}]}]),
        "gen_ai.response.finish_reasons": ["tool_calls"],
    }, name="chat claude-haiku-4-5"))
    assert span.kind is SpanKind.LLM
    assert (span.model, span.input_tokens, span.output_tokens) == ("claude-haiku-4-5", 120, 30)
    assert [c.name for c in span.requested_tool_calls] == ["lookup_order"]
    assert span.output_content == "Looking it up."
    assert span.finish_reasons == ("tool_calls",)


def test_older_genai_names_are_understood():
    span = to_span(_raw({
        "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.prompt_tokens": 7, "gen_ai.usage.completion_tokens": 3,
        "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "hi",
    }))
    assert span.kind is SpanKind.LLM
    assert (span.input_tokens, span.output_tokens, span.output_content) == (7, 3, "hi")


def test_openinference_tool_span_maps_name_arguments_result_and_error_event():
    span = to_span(_raw(
        {"openinference.span.kind": "TOOL", "tool.name": "search_docs", "tool.parameters": '{"q": "x"}',
         "output.value": "boom"},
        status=2, events=[("exception", {"exception.type": "HTTPError", "exception.message": "503 unavailable"})],
    ))
    assert span.kind is SpanKind.TOOL and span.tool_name == "search_docs"
    assert span.tool_arguments == '{"q": "x"}' and span.tool_result == "boom"
    assert span.status is Status.ERROR
    assert (span.error_type, span.error_message) == ("HTTPError", "503 unavailable")


def test_openinference_llm_messages_and_flattened_tool_calls():
    span = to_span(_raw({
        "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.token_count.prompt": 10,
        "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "hello",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city": "x"}',
    }))
    assert span.input_messages[0].content == "hello"
    assert span.requested_tool_calls[0].name == "get_weather"
    assert span.requested_tool_calls[0].arguments == '{"city": "x"}'


def test_retrieved_documents_become_the_retriever_result_in_both_dialects():
    openinference = to_span(_raw({
        "openinference.span.kind": "RETRIEVER", "input.value": "refund policy",
        "retrieval.documents.1.document.content": "second", "retrieval.documents.0.document.content": "first",
        "retrieval.documents.0.document.id": "d0"}))
    genai = to_span(_raw({"gen_ai.operation.name": "retrieval",
                          "gen_ai.retrieval.documents": json.dumps([{"id": "d0", "content": "first"}])}))
    assert openinference.kind is genai.kind is SpanKind.RETRIEVER
    assert json.loads(openinference.tool_result) == ["first", "second"]
    assert json.loads(genai.tool_result) == ["first"]


def test_kind_falls_back_to_the_span_name_prefix():
    assert to_span(_raw({}, name="execute_tool fetch_page")).tool_name == "fetch_page"
    assert to_span(_raw({}, name="invoke_agent planner")).kind is SpanKind.AGENT


def test_tenant_is_read_from_span_then_resource_in_key_order():
    raw = _raw({"user.id": "u1"})
    raw.resource = {"tenant.id": "acme"}
    assert tenant_of(raw, ("tenant.id",)) == "acme"
    assert tenant_of(raw, ("user.id", "tenant.id")) == "u1"
    assert tenant_of(raw, ("org",)) is None


def test_an_openinference_agent_span_that_names_a_tool_is_that_tool():
    # OpenInference's LangChain instrumentation marks runs by name: a tool called "ask_billing_agent" arrives
    # marked AGENT, with the tool.name only a tool's span carries.
    span = to_span(_raw({"openinference.span.kind": "AGENT", "tool.name": "ask_billing_agent"},
                        name="ask_billing_agent"))
    assert (span.kind, span.tool_name) == (SpanKind.TOOL, "ask_billing_agent")


def test_a_tool_span_name_loses_only_a_genai_operation_prefix():
    genai = to_span(_raw({"gen_ai.operation.name": "execute_tool"}, name="execute_tool lookup_order"))
    handoff = to_span(_raw({"openinference.span.kind": "TOOL"}, name="handoff to Billing agent"))
    assert (genai.tool_name, handoff.tool_name) == ("lookup_order", "handoff to Billing agent")


# -- values made safe where they enter the trace model --------------------------------------------------


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), -5, 2**62, "lots", "1e400", True, 12.5])
def test_a_token_count_that_is_not_a_count_counts_as_zero_and_is_noted(value):
    notes = []
    span = to_span(_raw({"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": value,
                         "gen_ai.usage.output_tokens": 7}), notes)
    assert (span.input_tokens, span.output_tokens) == (0, 7)
    assert len(notes) == 1 and "gen_ai.usage.input_tokens" in notes[0] and "not a token count" in notes[0]


def test_token_counts_written_as_numeric_strings_or_whole_doubles_are_read():
    notes = []
    span = to_span(_raw({"llm.token_count.prompt": "1200", "llm.token_count.completion": 30.0}), notes)
    assert (span.input_tokens, span.output_tokens, notes) == (1200, 30, [])


def test_lone_surrogates_anywhere_in_a_span_are_replaced_and_noted():
    messages = '[{"role": "user", "parts": [{"type": "text", "content": "hi \\ud800 there"}]}]'
    notes = []
    span = to_span(_raw({"gen_ai.operation.name": "chat", "gen_ai.input.messages": messages,
                         "output.value": "done\udfff"}, name="chat \ud800"), notes)
    assert span.name == "chat \ufffd" and span.output_text == "done\ufffd"
    assert span.input_messages[0].content == "hi \ufffd there"
    span.model_dump_json()  # writable as UTF-8
    assert len(notes) == 3 and all("lone surrogate" in n for n in notes)


def test_a_tenant_with_a_lone_surrogate_is_replaced_and_noted():
    notes = []
    assert tenant_of(_raw({"tenant.id": "acme\ud800"}), ("tenant.id",), notes) == "acme\ufffd"
    assert len(notes) == 1


def test_json_in_a_string_nested_too_deep_stays_text():
    deep = "[" * 5000 + "]" * 5000
    span = to_span(_raw({"gen_ai.operation.name": "chat", "gen_ai.input.messages": deep,
                         "gen_ai.output.messages": "[" * 40 + "]" * 40}))
    assert span.input_messages == () and span.output_messages == ()


def test_an_openinference_tool_spans_arguments_are_its_input_not_its_parameter_schema():
    # OpenInference's tool.parameters describes the tool (a JSON schema); input.value is what the call was given.
    span = to_span(_raw({"openinference.span.kind": "TOOL", "tool.name": "get_weather",
                         "tool.parameters": '{"city": {"type": "string"}}',
                         "input.value": '{"kwargs": {"city": "Paris"}}'}, name="get_weather"))
    assert span.tool_arguments == '{"kwargs": {"city": "Paris"}}'
