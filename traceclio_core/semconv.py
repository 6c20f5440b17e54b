"""Span attributes in either dialect → the trace model's Span.

Two dialects arrive, often mixed in one trace: the OpenTelemetry GenAI conventions (current and older
attribute names) and OpenInference (what Phoenix stores). Sources that read OTLP-shaped spans (files,
Phoenix) hand a RawSpan here; nothing after this module knows which dialect a span used.

This is also where input text and numbers enter the trace model, so they are made safe here once
(input_safety.py): a lone surrogate is replaced with U+FFFD, a token count that is not a count (NaN,
infinite, negative, absurdly large, "lots") counts as 0, and JSON inside a string is read only when it
nests no deeper than MAX_JSON_DEPTH. Each change is described in the caller's `notes`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from traceclio_core.input_safety import (MAX_JSON_DEPTH, MAX_TOKENS, as_token_count, depth_at_most, repair_text,
                                         repaired)
from traceclio_core.model import Message, Span, SpanKind, Status, ToolCallRequest
from traceclio_core.json_text import loads


@dataclass(slots=True)
class RawSpan:
    """A span as a source read it, attributes already decoded to Python values."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str = ""
    kind: int = 0
    start_ns: int = 0
    end_ns: int = 0
    attributes: dict[str, Any] = field(default_factory=dict)
    resource: dict[str, Any] = field(default_factory=dict)
    status_code: int = 0
    status_message: str = ""
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    source: str = ""
    line: int | None = None


_OPENINFERENCE_KINDS = {
    "AGENT": SpanKind.AGENT,
    "LLM": SpanKind.LLM,
    "TOOL": SpanKind.TOOL,
    "RETRIEVER": SpanKind.RETRIEVER,
    "CHAIN": SpanKind.CHAIN,
}
_GENAI_OPERATIONS = {
    "invoke_agent": SpanKind.AGENT,
    "create_agent": SpanKind.AGENT,
    "chat": SpanKind.LLM,
    "text_completion": SpanKind.LLM,
    "generate_content": SpanKind.LLM,
    "execute_tool": SpanKind.TOOL,
    "retrieval": SpanKind.RETRIEVER,
    "invoke_workflow": SpanKind.CHAIN,
    "plan": SpanKind.CHAIN,
}
_NAME_PREFIXES = (
    ("invoke_agent", SpanKind.AGENT),
    ("execute_tool", SpanKind.TOOL),
    ("chat", SpanKind.LLM),
    ("text_completion", SpanKind.LLM),
    ("generate_content", SpanKind.LLM),
)


def span_kind(raw: RawSpan) -> SpanKind:
    attrs = raw.attributes
    oi = attrs.get("openinference.span.kind")
    if isinstance(oi, str) and oi.upper() in _OPENINFERENCE_KINDS:
        # OpenInference's LangChain instrumentation marks any run named like "agent" an agent, tools
        # included ("ask_billing_agent"); `tool.name` is only ever set on a tool's span.
        if oi.upper() == "AGENT" and attrs.get("tool.name"):
            return SpanKind.TOOL
        return _OPENINFERENCE_KINDS[oi.upper()]
    op = attrs.get("gen_ai.operation.name")
    if isinstance(op, str) and op in _GENAI_OPERATIONS:
        return _GENAI_OPERATIONS[op]
    first_word = raw.name.split(" ", 1)[0]
    for prefix, kind in _NAME_PREFIXES:
        if first_word == prefix:
            return kind
    if "gen_ai.tool.name" in attrs or "tool.name" in attrs:
        return SpanKind.TOOL
    if any(k in attrs for k in ("gen_ai.request.model", "llm.model_name")):
        return SpanKind.LLM
    if "gen_ai.agent.name" in attrs or "agent.name" in attrs:
        return SpanKind.AGENT
    return SpanKind.OTHER


def _first(attrs: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = attrs.get(key)
        if value is not None and value != "":
            return value
    return None


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _token_count(attrs: dict[str, Any], keys: tuple[str, ...], notes: list[str]) -> int:
    """The first of `keys` present, as a count of tokens; a value that is not one counts as 0, noted."""
    for key in keys:
        value = attrs.get(key)
        if value is None or value == "":
            continue
        count = as_token_count(value)
        if count is None:
            notes.append(f"{key} = {repr(value)[:40]} is not a token count (a whole number from 0 to "
                         f"{MAX_TOKENS:,}); counted as 0")
            return 0
        return count
    return 0


def maybe_json(value: Any) -> Any:
    """JSON written into a string attribute, decoded; anything that is not (or nests too deep) stays text."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            decoded = loads(value)
        except (ValueError, RecursionError):
            return value
        return decoded if depth_at_most(decoded, MAX_JSON_DEPTH) else value
    return value


def _genai_messages(value: Any) -> tuple[Message, ...]:
    """`gen_ai.input.messages` / `gen_ai.output.messages`: [{role, parts: [{type, content | name, ...}]}]."""
    value = maybe_json(value)
    if not isinstance(value, list):
        return ()
    out = []
    for item in value:
        if not isinstance(item, dict):
            continue
        texts, calls = [], []
        parts = item.get("parts")
        if isinstance(parts, list):
            for part in parts:
                if not isinstance(part, dict):
                    continue
                kind = part.get("type")
                if kind == "tool_call" and part.get("name"):
                    calls.append(
                        ToolCallRequest(name=str(part["name"]), id=as_text(part.get("id")),
                                        arguments=as_text(part.get("arguments")) or "")
                    )
                elif kind == "tool_call_response":
                    texts.append(as_text(part.get("response") or part.get("result")) or "")
                elif part.get("content") is not None:
                    texts.append(as_text(part.get("content")) or "")
        elif item.get("content") is not None:
            texts.append(as_text(item.get("content")) or "")
        role = str(item.get("role") or "assistant")
        out.append(Message(role=role, content="\n".join(t for t in texts if t), tool_calls=tuple(calls)))
    return tuple(out)


def _indexed(attrs: dict[str, Any], prefix: str) -> dict[int, dict[str, Any]]:
    """Flattened lists: `prefix.{i}.rest` → {i: {rest: value}}."""
    out: dict[int, dict[str, Any]] = {}
    plen = len(prefix) + 1
    for key, value in attrs.items():
        if not key.startswith(prefix + "."):
            continue
        index, _, rest = key[plen:].partition(".")
        if index.isdigit() and rest:
            out.setdefault(int(index), {})[rest] = value
    return out


def _openinference_messages(attrs: dict[str, Any], prefix: str) -> tuple[Message, ...]:
    out = []
    for _, fields in sorted(_indexed(attrs, prefix).items()):
        calls: dict[int, dict[str, Any]] = {}
        contents: dict[int, str] = {}
        for rest, value in fields.items():
            if rest.startswith("message.tool_calls."):
                index, _, leaf = rest[len("message.tool_calls."):].partition(".")
                if index.isdigit():
                    calls.setdefault(int(index), {})[leaf] = value
            elif rest.startswith("message.contents.") and rest.endswith("message_content.text"):
                index = rest[len("message.contents."):].split(".", 1)[0]
                if index.isdigit():
                    contents[int(index)] = as_text(value) or ""
        content = as_text(fields.get("message.content")) or "\n".join(contents[i] for i in sorted(contents))
        requests = tuple(
            ToolCallRequest(
                name=str(call.get("tool_call.function.name")),
                id=as_text(call.get("tool_call.id")),
                arguments=as_text(call.get("tool_call.function.arguments")) or "",
            )
            for _, call in sorted(calls.items())
            if call.get("tool_call.function.name")
        )
        out.append(Message(role=str(fields.get("message.role") or "assistant"), content=content, tool_calls=requests))
    return tuple(out)


def _legacy_genai_messages(attrs: dict[str, Any], prefix: str) -> tuple[Message, ...]:
    """Older GenAI instrumentations: `gen_ai.prompt.{i}.role|content`, `gen_ai.completion.{i}.*`."""
    out = []
    for _, fields in sorted(_indexed(attrs, prefix).items()):
        calls = _indexed({f"c.{k}": v for k, v in fields.items()}, "c.tool_calls")
        requests = tuple(
            ToolCallRequest(name=str(c["name"]), id=as_text(c.get("id")), arguments=as_text(c.get("arguments")) or "")
            for _, c in sorted(calls.items())
            if c.get("name")
        )
        out.append(
            Message(role=str(fields.get("role") or "assistant"), content=as_text(fields.get("content")) or "",
                    tool_calls=requests)
        )
    return tuple(out)


def _messages(attrs: dict[str, Any], direction: str) -> tuple[Message, ...]:
    genai = attrs.get(f"gen_ai.{direction}.messages")
    if genai is not None:
        return _genai_messages(genai)
    oi_prefix = f"llm.{direction}_messages"
    if any(k.startswith(oi_prefix + ".") for k in attrs):
        return _openinference_messages(attrs, oi_prefix)
    legacy = "gen_ai.prompt" if direction == "input" else "gen_ai.completion"
    if any(k.startswith(legacy + ".") for k in attrs):
        return _legacy_genai_messages(attrs, legacy)
    return ()


_DOCUMENT_CONTENT = re.compile(r"^retrieval\.documents\.(\d+)\.document\.content$")


def _retrieved_documents(attrs: dict[str, Any]) -> str | None:
    """What a retriever returned, as one JSON list of document texts.

    OpenInference flattens documents into `retrieval.documents.{i}.document.content`; the GenAI
    conventions put a JSON list in `gen_ai.retrieval.documents`, with content when the instrumentation
    records it. Without this a retriever's output (where injected instructions often arrive) is lost.
    """
    indexed = sorted((int(m.group(1)), as_text(v) or "") for k, v in attrs.items()
                     if (m := _DOCUMENT_CONTENT.match(k)))
    contents = [text for _, text in indexed]
    if not contents:
        documents = maybe_json(attrs.get("gen_ai.retrieval.documents"))
        if isinstance(documents, list):
            contents = [as_text(d.get("content")) or "" for d in documents if isinstance(d, dict) and d.get("content")]
    return json.dumps(contents) if contents else None


def _system_messages(attrs: dict[str, Any]) -> tuple[Message, ...]:
    value = maybe_json(attrs.get("gen_ai.system_instructions"))
    if value is None:
        return ()
    if isinstance(value, list):
        text = "\n".join(as_text(p.get("content")) or "" for p in value if isinstance(p, dict))
    else:
        text = as_text(value) or ""
    return (Message(role="system", content=text),) if text else ()


def _error(raw: RawSpan) -> tuple[str | None, str | None]:
    exception_type = exception_message = None
    for name, attrs in raw.events:
        if name == "exception":
            exception_type = as_text(attrs.get("exception.type")) or exception_type
            exception_message = as_text(attrs.get("exception.message")) or exception_message
    error_type = as_text(raw.attributes.get("error.type")) or exception_type
    message = raw.status_message or exception_message
    return error_type, message


def _tool_name(raw: RawSpan, kind: SpanKind) -> str | None:
    name = _first(raw.attributes, "gen_ai.tool.name", "tool.name")
    if name is not None:
        return str(name)
    if kind in (SpanKind.TOOL, SpanKind.RETRIEVER):
        # The GenAI conventions name the span "{operation} {tool}" ("execute_tool lookup_order"); other
        # names are the tool's own ("handoff to Billing agent" in the OpenAI Agents SDK).
        head, _, rest = raw.name.partition(" ")
        return (rest if head in _GENAI_OPERATIONS and rest else raw.name) or None
    return None


def _finish_reasons(attrs: dict[str, Any]) -> tuple[str, ...]:
    value = _first(attrs, "gen_ai.response.finish_reasons", "llm.finish_reason")
    value = maybe_json(value)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),) if value is not None else ()


def to_span(raw: RawSpan, notes: list[str] | None = None) -> Span:
    """Map one span of either dialect onto the trace model; what had to be made safe is added to `notes`."""
    notes = [] if notes is None else notes
    attrs = raw.attributes
    kind = span_kind(raw)
    error_type, error_message = _error(raw)
    status = Status.ERROR if raw.status_code == 2 else Status.OK if raw.status_code == 1 else Status.UNSET
    if status is Status.UNSET and attrs.get("error.type"):
        status = Status.ERROR
    input_messages = _system_messages(attrs) + _messages(attrs, "input")
    input_tokens = _token_count(attrs, ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens",
                                         "llm.token_count.prompt"), notes)
    output_tokens = _token_count(attrs, ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
                                          "llm.token_count.completion"), notes)
    if not input_tokens and not output_tokens:
        # Some instrumentations record only a total.
        input_tokens = _token_count(attrs, ("llm.token_count.total",), notes)
    span = Span(
        span_id=raw.span_id,
        parent_id=raw.parent_id,
        name=raw.name,
        kind=kind,
        start_ns=raw.start_ns,
        end_ns=max(raw.end_ns, raw.start_ns),
        status=status,
        error_type=error_type,
        error_message=error_message,
        model=as_text(_first(attrs, "gen_ai.response.model", "gen_ai.request.model", "llm.model_name")),
        requested_model=as_text(_first(attrs, "gen_ai.request.model")),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        finish_reasons=_finish_reasons(attrs),
        agent_name=as_text(_first(attrs, "gen_ai.agent.name", "agent.name")),
        tool_name=_tool_name(raw, kind),
        tool_call_id=as_text(_first(attrs, "gen_ai.tool.call.id", "tool.id", "tool_call.id")),
        # OpenInference's `tool.parameters` is the tool's parameter schema; what the call was given is its
        # `input.value` (smolagents writes the schema there, and the call's kwargs in the input).
        tool_arguments=as_text(attrs.get("gen_ai.tool.call.arguments"))
        or (as_text(attrs.get("input.value")) if kind in (SpanKind.TOOL, SpanKind.RETRIEVER) else None)
        or as_text(attrs.get("tool.parameters")),
        tool_result=as_text(attrs.get("gen_ai.tool.call.result"))
        or (as_text(attrs.get("output.value")) if kind in (SpanKind.TOOL, SpanKind.RETRIEVER) else None)
        or (_retrieved_documents(attrs) if kind is SpanKind.RETRIEVER else None),
        input_text=as_text(attrs.get("input.value")),
        output_text=as_text(attrs.get("output.value")),
        input_messages=input_messages,
        output_messages=_messages(attrs, "output"),
    )
    return repaired(span, notes)


def tenant_of(raw: RawSpan, keys: tuple[str, ...], notes: list[str] | None = None) -> str | None:
    """The tenant: the first of `keys` found on the span, then on its resource."""
    for source in (raw.attributes, raw.resource):
        for key in keys:
            value = source.get(key)
            if value not in (None, ""):
                tenant = str(value)
                fixed = repair_text(tenant)
                if fixed is not tenant and notes is not None:
                    notes.append(f"tenant ({key}) holds a lone surrogate (not encodable as UTF-8); "
                                 "replaced with U+FFFD")
                return fixed
    return None


def outcome_of(raw: RawSpan, keys: tuple[str, ...]) -> Any:
    """How the run ended as the span says it (a reward, pass/fail), raw: the first of `keys` found on the
    span, then on its resource; None when neither has one."""
    for source in (raw.attributes, raw.resource):
        for key in keys:
            value = source.get(key)
            if value not in (None, ""):
                return value
    return None
