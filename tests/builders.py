"""Small OTLP/JSON trace builders for tests, in both span dialects (GenAI conventions and OpenInference)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def hex_id(seed: str, size: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[: size * 2]


def any_value(value: Any) -> dict:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, (list, tuple)):
        return {"arrayValue": {"values": [any_value(v) for v in value]}}
    return {"stringValue": str(value)}


def attributes(values: dict[str, Any]) -> list[dict]:
    return [{"key": k, "value": any_value(v)} for k, v in values.items()]


def request(spans: list[dict], tenant: str | None = "acme-logistics", service: str = "agent") -> dict:
    resource = {"service.name": service}
    if tenant:
        resource["tenant.id"] = tenant
    return {"resourceSpans": [{"resource": {"attributes": attributes(resource)},
                               "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]}]}


def write_jsonl(path: Path, requests: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in requests))
    return path


class AgentRun:
    """Builds one agent trace step by step; `dialect` is "genai" or "openinference"."""

    def __init__(self, name: str, dialect: str = "genai", user: str = "Please look up my order status.",
                 agent: str = "support-agent", model: str = "gpt-4o"):
        self.trace_id = hex_id(name, 16)
        self.dialect = dialect
        self.model = model
        self.clock = 1_700_000_000_000_000_000
        self.spans: list[dict] = []
        self.user = user
        self.history: list[dict] | None = None  # the conversation, once a later user turn is added
        self._last_text = ""
        self._n = 0
        self.root = self._span(f"invoke_agent {agent}", self._agent_attrs(agent, user), parent=None)
        self.parents = [self.root]

    # -- building ------------------------------------------------------------------------------------

    def _next_id(self) -> str:
        self._n += 1
        return hex_id(f"{self.trace_id}-{self._n}", 8)

    def _span(self, name: str, attrs: dict, parent: dict | None | str = "current", ms: int = 100,
              error: str | None = None) -> dict:
        parent_span = self.parents[-1] if parent == "current" else parent
        start = self.clock
        self.clock += ms * 1_000_000
        span = {
            "traceId": self.trace_id, "spanId": self._next_id(), "name": name, "kind": 1,
            "startTimeUnixNano": str(start), "endTimeUnixNano": str(self.clock),
            "attributes": attributes(attrs),
        }
        if parent_span is not None:
            span["parentSpanId"] = parent_span["spanId"]
        if error:
            span["status"] = {"code": 2, "message": error}
            span["events"] = [{"name": "exception", "timeUnixNano": str(self.clock),
                               "attributes": attributes({"exception.type": "ToolError", "exception.message": error})}]
        self.spans.append(span)
        return span

    def _agent_attrs(self, agent: str, user: str) -> dict:
        if self.dialect == "genai":
            return {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": agent}
        return {"openinference.span.kind": "AGENT", "agent.name": agent, "input.value": user}

    def sub_agent(self, agent: str, task: str = "subtask") -> "AgentRun":
        self.parents.append(self._span(f"invoke_agent {agent}", self._agent_attrs(agent, task)))
        return self

    def end_sub_agent(self) -> "AgentRun":
        self.parents.pop()
        return self

    def llm(self, text: str = "", tool_calls: tuple[str, ...] = (), input_tokens: int = 500,
            output_tokens: int = 60, error: str | None = None, finish: str = "stop") -> "AgentRun":
        if self.dialect == "genai":
            parts = [{"type": "text", "content": text}] if text else []
            parts += [{"type": "tool_call", "id": f"call_{i}", "name": n, "arguments": {}}
                      for i, n in enumerate(tool_calls)]
            attrs = {
                "gen_ai.operation.name": "chat", "gen_ai.request.model": self.model,
                "gen_ai.usage.input_tokens": input_tokens, "gen_ai.usage.output_tokens": output_tokens,
                "gen_ai.input.messages": json.dumps(self.history or [{"role": "user", "parts": [
                    {"type": "text", "content": self.user}]}]),
                "gen_ai.output.messages": json.dumps([{"role": "assistant", "parts": parts}]),
                "gen_ai.response.finish_reasons": [finish],
            }
        else:
            attrs = {
                "openinference.span.kind": "LLM", "llm.model_name": self.model,
                "llm.token_count.prompt": input_tokens, "llm.token_count.completion": output_tokens,
                "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": self.user,
                "llm.output_messages.0.message.role": "assistant",
                "llm.output_messages.0.message.content": text,
            }
            for i, n in enumerate(tool_calls):
                attrs[f"llm.output_messages.0.message.tool_calls.{i}.tool_call.function.name"] = n
                attrs[f"llm.output_messages.0.message.tool_calls.{i}.tool_call.id"] = f"call_{i}"
        self._span(f"chat {self.model}", attrs, ms=800, error=error)
        if text and not tool_calls:
            self._last_text = text
        return self

    def user_says(self, text: str) -> "AgentRun":
        """A later user turn (genai dialect): model calls from here on read the whole conversation."""
        def turn(role: str, content: str) -> dict:
            return {"role": role, "parts": [{"type": "text", "content": content}]}
        self.history = (self.history or [turn("user", self.user)]) + [turn("assistant", self._last_text),
                                                                    turn("user", text)]
        self.clock += 5_000 * 1_000_000
        return self

    def tool(self, name: str, arguments: dict | None = None, result: str = "ok", error: str | None = None,
             ms: int = 120, gap_ms: int = 0) -> "AgentRun":
        self.clock += gap_ms * 1_000_000
        args = json.dumps(arguments or {})
        if self.dialect == "genai":
            attrs = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name,
                     "gen_ai.tool.call.arguments": args, "gen_ai.tool.call.result": result}
        else:
            attrs = {"openinference.span.kind": "TOOL", "tool.name": name, "tool.parameters": args,
                     "input.value": args, "output.value": result}
        self._span(f"execute_tool {name}", attrs, ms=ms, error=error)
        return self

    def answer(self, text: str) -> "AgentRun":
        self.llm(text)
        key = "output.value"
        self.root["attributes"].append({"key": key, "value": {"stringValue": text}})
        self.root["endTimeUnixNano"] = str(self.clock)
        return self

    def request(self, tenant: str | None = "acme-logistics") -> dict:
        return request(self.spans, tenant=tenant)
