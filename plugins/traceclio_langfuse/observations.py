"""Langfuse observations (API v2 JSON, as the SDK parses it) → the trace model's Span, directly.

Types: GENERATION → llm, TOOL → tool, AGENT → agent, RETRIEVER → retriever, CHAIN → chain; SPAN, EVENT,
EMBEDDING, EVALUATOR, GUARDRAIL and anything newer → other. Level ERROR → error status with the
statusMessage. Input/output arrive as raw strings: JSON is decoded where it holds chat messages
(OpenAI-style `tool_calls`, Anthropic-style `tool_use` blocks) and kept as text otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from traceclio_core.model import Message, Span, SpanKind, Status, ToolCallRequest
from traceclio_core.semconv import as_text, maybe_json

KINDS = {
    "GENERATION": SpanKind.LLM,
    "TOOL": SpanKind.TOOL,
    "AGENT": SpanKind.AGENT,
    "RETRIEVER": SpanKind.RETRIEVER,
    "CHAIN": SpanKind.CHAIN,
}
_INPUT_USAGE = ("input", "prompt_tokens", "input_tokens", "promptTokens")
_OUTPUT_USAGE = ("output", "completion_tokens", "output_tokens", "completionTokens")


def _nanos(moment: datetime | None) -> int:
    if moment is None:
        return 0
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def _content(content: Any) -> tuple[str, list[ToolCallRequest]]:
    """Message content as text, plus tool calls carried as content blocks (Anthropic `tool_use`)."""
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        return as_text(content) or "", []
    texts, calls = [], []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, dict):
            if block.get("type") == "tool_use" and block.get("name"):
                calls.append(ToolCallRequest(name=str(block["name"]), id=as_text(block.get("id")),
                                             arguments=as_text(block.get("input")) or ""))
            elif block.get("text") is not None:
                texts.append(str(block["text"]))
            elif block.get("content") is not None:
                texts.append(as_text(block["content"]) or "")
    return "\n".join(t for t in texts if t), calls


def _tool_calls(raw: Any) -> list[ToolCallRequest]:
    calls = []
    for call in raw if isinstance(raw, list) else []:
        if not isinstance(call, dict):
            continue
        function = call.get("function") if isinstance(call.get("function"), dict) else call
        if function.get("name"):
            calls.append(ToolCallRequest(name=str(function["name"]), id=as_text(call.get("id")),
                                         arguments=as_text(function.get("arguments")) or ""))
    return calls


def messages(value: Any, default_role: str) -> tuple[Message, ...]:
    """Chat messages from an input/output value: a list of messages, {messages: [...]}, or one message."""
    value = maybe_json(value)
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]
    if isinstance(value, dict) and ("role" in value or "tool_calls" in value):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(m, dict) and ("role" in m or "content" in m)
                                              for m in value):
        return ()
    out = []
    for item in value:
        text, calls = _content(item.get("content"))
        calls += _tool_calls(item.get("tool_calls"))
        out.append(Message(role=str(item.get("role") or default_role), content=text, tool_calls=tuple(calls)))
    return tuple(out)


def _usage(details: dict[str, int] | None, keys: tuple[str, ...]) -> int:
    for key in keys:
        if details and details.get(key) is not None:
            return int(details[key])
    return 0


def to_span(observation) -> Span:
    """Map one observation (langfuse.api ObservationV2) onto the trace model."""
    kind = KINDS.get((observation.type or "").upper(), SpanKind.OTHER)
    level = str(getattr(observation.level, "value", observation.level) or "").upper()
    failed = level == "ERROR"
    status = Status.ERROR if failed else Status.UNSET
    metadata = observation.metadata or {}
    input_text, output_text = as_text(observation.input), as_text(observation.output)
    llm = kind is SpanKind.LLM
    tool = kind in (SpanKind.TOOL, SpanKind.RETRIEVER)
    start = _nanos(observation.start_time)
    return Span(
        span_id=observation.id,
        parent_id=observation.parent_observation_id or None,
        name=observation.name or "",
        kind=kind,
        start_ns=start,
        end_ns=max(_nanos(observation.end_time), start),
        status=status,
        error_type=(as_text(metadata.get("error.type")) or "error") if failed else None,
        error_message=observation.status_message if failed else None,
        model=observation.model,
        input_tokens=_usage(observation.usage_details, _INPUT_USAGE),
        output_tokens=_usage(observation.usage_details, _OUTPUT_USAGE),
        agent_name=observation.name if kind is SpanKind.AGENT else None,
        tool_name=observation.name if tool else None,
        tool_call_id=as_text(metadata.get("tool_call_id")) if tool else None,
        tool_arguments=input_text if tool else None,
        tool_result=output_text if tool else None,
        input_text=input_text,
        output_text=output_text,
        input_messages=messages(observation.input, "user") if llm else (),
        output_messages=messages(observation.output, "assistant") if llm else (),
    )


def tenant_of(observation, field: str) -> str | None:
    """The tenant by the configured field: "user_id", "project", or "metadata.<key>"."""
    if field == "user_id":
        value = observation.user_id
    elif field == "project":
        value = observation.project_id
    elif field.startswith("metadata."):
        value = (observation.metadata or {}).get(field.removeprefix("metadata."))
    else:
        value = None
    return str(value) if value not in (None, "") else None
