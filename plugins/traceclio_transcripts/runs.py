"""One chat transcript (OpenAI messages format) → the span records of one trace.

A run is an object holding its messages under one of the messages keys (with id, tenant and outcome
in other fields), or just the list of messages. It becomes an agent root span (input: the first user
message, output: the final assistant text), one LLM span per assistant turn (input: the conversation so
far, output: the turn with its tool_calls) and one TOOL span per tool message (name and arguments from
the tool call it answers, result: its content), in order. Transcripts carry no times: spans get
synthetic, monotonic nanosecond stamps that keep the order and are marked untimed (`SpanRecord.timed`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from traceclio_core.assembly import SpanRecord
from traceclio_core.model import Message, Span, SpanKind, Status, ToolCallRequest
from traceclio_core.settings import Settings
from traceclio_structure.spans import looks_failed

ROOT_ID = "run"
# The first line of an error result, as the span's error message.
ERROR_MESSAGE_CHARS = 300


class RunError(ValueError):
    """The run as a whole is malformed: it is set aside."""


class MessageError(ValueError):
    """One message is malformed: it is left out and the rest of the run kept."""


@dataclass(frozen=True)
class Place:
    """Where a run sits: its file, the line it starts on, and its position when the line holds an array
    of runs or the whole file is one (`whole_file`)."""

    source: str
    line: int
    index: int | None = None
    whole_file: bool = False

    @property
    def default_id(self) -> str:
        """FILE:LINE, FILE:LINE[INDEX], or FILE[INDEX] for a file that is one array: stable for the same file."""
        name = self.source.rsplit("/", 1)[-1]
        at = "" if self.whole_file else f":{self.line}"
        return f"{name}{at}" + (f"[{self.index}]" if self.index is not None else "")


def field(run: dict, path: str) -> Any:
    """`run[path]` if that key exists, else the dotted path walked through nested objects (`info.user_id`)."""
    if path in run:
        return run[path]
    value: Any = run
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _first(run: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = field(run, key)
        if value not in (None, ""):
            return value
    return None


def run_id(value: Any, place: Place, settings: Settings) -> str:
    """The run's id from the id keys, else its place in the file (stable for the same file)."""
    found = _first(value, settings.transcript_id_keys) if isinstance(value, dict) else None
    return str(found) if isinstance(found, (str, int)) and not isinstance(found, bool) else place.default_id


def _text(content: Any) -> str:
    """Message content as text: a string, or OpenAI content parts ({type: text, text})."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, dict):
                parts.append(f"[{part.get('type', 'part')}]")  # an image or file: say it was there
            else:
                raise MessageError(f"content part must be text or an object, got {type(part).__name__}")
        return "\n".join(p for p in parts if p)
    raise MessageError(f"content must be text or a list of parts, got {type(content).__name__}")


def _arguments(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _tool_calls(message: dict) -> tuple[ToolCallRequest, ...]:
    raw = message.get("tool_calls") or []
    if not isinstance(raw, list):
        raise MessageError(f"tool_calls must be a list, got {type(raw).__name__}")
    calls = []
    for number, call in enumerate(raw, start=1):
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str) or not function["name"]:
            raise MessageError(f"tool call {number} has no function.name")
        call_id = call.get("id")
        calls.append(ToolCallRequest(name=function["name"], id=str(call_id) if call_id is not None else None,
                                     arguments=_arguments(function.get("arguments"))))
    legacy = message.get("function_call")  # the older single-call form
    if isinstance(legacy, dict) and isinstance(legacy.get("name"), str):
        calls.append(ToolCallRequest(name=legacy["name"], arguments=_arguments(legacy.get("arguments"))))
    return tuple(calls)


def to_message(raw: Any) -> Message:
    if not isinstance(raw, dict):
        raise MessageError(f"a message must be an object, got {type(raw).__name__}")
    role = raw.get("role")
    if not isinstance(role, str) or not role:
        raise MessageError("message has no role")
    return Message(role=role, content=_text(raw.get("content")), tool_calls=_tool_calls(raw))


def messages_of(value: Any, settings: Settings) -> tuple[dict, list]:
    """The run object (empty for a bare list) and its raw messages; RunError when there are none."""
    if isinstance(value, list):
        run, messages = {}, value
    elif isinstance(value, dict):
        run = value
        key = next((k for k in settings.transcript_messages_keys if field(run, k) is not None), None)
        if key is None:
            raise RunError(f"no messages under {', '.join(settings.transcript_messages_keys)} "
                           "(name the field with --messages-key)")
        messages = field(run, key)
    else:
        raise RunError(f"a run must be an object or a list of messages, got {type(value).__name__}")
    if not isinstance(messages, list):
        raise RunError(f"messages must be a list, got {type(messages).__name__}")
    if not messages:
        raise RunError("the run has no messages")
    return run, messages


def to_records(value: Any, place: Place, settings: Settings,
               bad_message: Callable[[str, int, str], None]) -> list[SpanRecord]:
    """The span records of one run. Raises RunError for a malformed run; a malformed message is passed
    to `bad_message(trace_id, message number, why)` and left out."""
    trace_id = run_id(value, place, settings)
    run, raw_messages = messages_of(value, settings)
    model = _first(run, ("model", "metadata.model"))
    model = str(model) if model is not None else None
    history: list[Message] = []
    spans: list[Span] = []
    calls: dict[str, ToolCallRequest] = {}
    unanswered: list[ToolCallRequest] = []
    for number, raw in enumerate(raw_messages, start=1):
        try:
            message = to_message(raw)
        except MessageError as err:
            bad_message(trace_id, number, str(err))
            continue
        stamp = number  # synthetic: one nanosecond per message keeps the order and claims no latency
        if message.role == "assistant":
            spans.append(Span(span_id=f"m{number}", parent_id=ROOT_ID, name="chat", kind=SpanKind.LLM,
                              start_ns=stamp, end_ns=stamp, model=str(raw.get("model") or model or "") or None,
                              input_messages=tuple(history), output_messages=(message,)))
            for call in message.tool_calls:
                unanswered.append(call)
                if call.id:
                    calls[call.id] = call
        elif message.role in ("tool", "function"):
            spans.append(_tool_span(raw, message, number, calls, unanswered))
        history.append(message)
    if not spans and not history:
        raise RunError("no message of the run could be read")
    first_user = next((m.content for m in history if m.role == "user" and m.content), None)
    final = next((m.content for m in reversed(history) if m.role == "assistant" and m.content), None)
    root = Span(span_id=ROOT_ID, name=str(run.get("name") or "transcript"), kind=SpanKind.AGENT, start_ns=0,
                end_ns=len(raw_messages) + 1, agent_name=str(run["agent"]) if run.get("agent") else None,
                input_text=first_user, output_text=final)
    tenant = _first(run, settings.tenant_keys)
    outcome = _first(run, settings.outcome_keys)
    records = [SpanRecord(trace_id=trace_id, span=root, source=place.source, line=place.line,
                          tenant=str(tenant) if tenant is not None else None, outcome=outcome, timed=False)]
    records += [SpanRecord(trace_id=trace_id, span=s, source=place.source, line=place.line, timed=False)
                for s in spans]
    return records


def _tool_span(raw: dict, message: Message, number: int, calls: dict[str, ToolCallRequest],
               unanswered: list[ToolCallRequest]) -> Span:
    """A tool message as the span of the call it answers: by tool_call_id, else the oldest unanswered
    call of that name (the older `function` role has no ids)."""
    call_id = raw.get("tool_call_id")
    name = raw.get("name") if isinstance(raw.get("name"), str) else None
    call = calls.get(str(call_id)) if call_id is not None else None
    if call is None:
        call = next((c for c in unanswered if name is None or c.name == name), None)
    if call is not None and call in unanswered:
        unanswered.remove(call)
    span = Span(span_id=f"m{number}", parent_id=ROOT_ID, name=name or (call.name if call else "tool"),
                kind=SpanKind.TOOL, start_ns=number, end_ns=number, tool_name=name or (call.name if call else None),
                tool_call_id=str(call_id) if call_id is not None else (call.id if call else None),
                tool_arguments=call.arguments if call else None, tool_result=message.content)
    if looks_failed(span):
        first_line = message.content.strip().split("\n", 1)[0][:ERROR_MESSAGE_CHARS]
        span = span.model_copy(update={"status": Status.ERROR, "error_message": first_line})
    return span
