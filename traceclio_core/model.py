"""The one trace model: every source translates into it, nothing downstream knows where a trace came from.

A trace is a tree of spans. Spans keep what clustering agent behaviour needs (kind, timing, status and
error, tokens, model, tool name/arguments/result, messages, the tool calls an LLM asked for) and nothing
of the dialect they arrived in.
"""

from __future__ import annotations

import math
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SpanKind(StrEnum):
    AGENT = "agent"
    LLM = "llm"
    TOOL = "tool"
    RETRIEVER = "retriever"
    CHAIN = "chain"
    OTHER = "other"


class Status(StrEnum):
    UNSET = "unset"
    OK = "ok"
    ERROR = "error"


class ToolCallRequest(BaseModel):
    """A tool call an LLM asked for in its output; whether it ran is a separate question."""

    model_config = ConfigDict(frozen=True)

    name: str
    id: str | None = None
    arguments: str = ""


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    content: str = ""
    tool_calls: tuple[ToolCallRequest, ...] = ()


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    span_id: str
    parent_id: str | None = None
    name: str = ""
    kind: SpanKind = SpanKind.OTHER
    start_ns: int = 0
    end_ns: int = 0
    status: Status = Status.UNSET
    error_type: str | None = None
    error_message: str | None = None
    model: str | None = None
    # The model the call asked for, where the span records it apart from the one that answered.
    requested_model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    finish_reasons: tuple[str, ...] = ()
    agent_name: str | None = None
    tool_name: str | None = None
    tool_call_id: str | None = None
    tool_arguments: str | None = None
    tool_result: str | None = None
    input_text: str | None = None
    output_text: str | None = None
    input_messages: tuple[Message, ...] = ()
    output_messages: tuple[Message, ...] = ()

    @property
    def duration_ms(self) -> float:
        return max(0, self.end_ns - self.start_ns) / 1e6

    @property
    def failed(self) -> bool:
        return self.status is Status.ERROR

    @property
    def requested_tool_calls(self) -> tuple[ToolCallRequest, ...]:
        return tuple(call for message in self.output_messages for call in message.tool_calls)

    @property
    def output_content(self) -> str:
        """The text this span produced: assistant message text for LLM spans, else its output value."""
        texts = [m.content for m in self.output_messages if m.content]
        if texts:
            return "\n".join(texts)
        return self.output_text or ""


_PASSED = frozenset("pass passed success succeeded successful true yes ok correct resolved solved".split())
_FAILED = frozenset("fail failed failure false no error incorrect unresolved unsolved".split())


def outcome_value(value: Any) -> float | None:
    """How a run ended, as a number: a boolean is 1.0 / 0.0, a number is kept, pass/fail words map to
    1.0 / 0.0 and numeric strings are read; None stays None. Raises ValueError for anything else."""
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        word = value.strip().lower()
        if word in _PASSED:
            return 1.0
        if word in _FAILED:
            return 0.0
        try:
            number = float(word)
        except ValueError:
            raise ValueError(f"outcome {value[:40]!r} is neither a number nor pass/fail") from None
    else:
        raise ValueError(f"outcome must be a number, a boolean or pass/fail, got {type(value).__name__}")
    if not math.isfinite(number):
        raise ValueError(f"outcome {number} is not a finite number")
    return number


class Trace(BaseModel):
    """One agent run. `spans` are sorted by start time; orphans (parent never seen) count as roots."""

    model_config = ConfigDict(frozen=True)

    trace_id: str
    tenant: str | None = None
    # How the run ended (a reward, pass/fail) where the source says so: kept beside the facets for
    # comparing clusters, never an input to clustering or naming.
    outcome: float | None = None
    # False when the source recorded no times (chat transcripts): the spans then carry synthetic times
    # that keep their order and say nothing of latency, so durations must not be read as real.
    timing_recorded: bool = True
    spans: tuple[Span, ...] = Field(default_factory=tuple)

    @field_validator("outcome", mode="before")
    @classmethod
    def _outcome(cls, value: Any) -> float | None:
        return outcome_value(value)

    @cached_property
    def _ids(self) -> frozenset[str]:
        return frozenset(s.span_id for s in self.spans)

    @cached_property
    def children(self) -> dict[str | None, list[Span]]:
        """Children of each span id; key None holds the roots, orphans included."""
        out: dict[str | None, list[Span]] = {}
        for span in self.spans:
            parent = span.parent_id if span.parent_id in self._ids else None
            out.setdefault(parent, []).append(span)
        return out

    @property
    def roots(self) -> list[Span]:
        return self.children.get(None, [])

    @cached_property
    def _subtree_kinds(self) -> dict[str, tuple[int, bool]]:
        """Per span: the LLM calls below it, and whether a tool, retriever or agent span is below it."""
        order: list[Span] = []
        stack = list(self.roots)
        while stack:
            span = stack.pop()
            order.append(span)
            stack.extend(self.children.get(span.span_id, []))
        out: dict[str, tuple[int, bool]] = {}
        for span in reversed(order):  # children before their parents
            llms, acts = 0, False
            for child in self.children.get(span.span_id, []):
                child_llms, child_acts = out[child.span_id]
                llms += child_llms + (child.kind is SpanKind.LLM)
                acts = acts or child_acts or child.kind in (SpanKind.TOOL, SpanKind.RETRIEVER, SpanKind.AGENT)
            out[span.span_id] = (llms, acts)
        return out

    @cached_property
    def agent_spans(self) -> list[Span]:
        """The spans that each stand for one agent's run, in span order.

        Instrumentations mark more than agents as agents. Two shapes are not an agent of their own:
        - an agent span with no agent name that holds one LLM call and nothing else (no tool, no agent) is a
          model-call step of the agent around it; that enclosing span is the agent. OpenInference's LangChain
          instrumentation marks every run named like "agent" as an agent, so each model turn of a LangGraph
          agent arrives as one, while the graph that loops over them is a chain.
        - an agent span with no agent name and no LLM call of its own, holding only named agents, groups
          them: the workflow span the OpenAI Agents SDK opens around a run's agents (peers handing off to
          each other), not an orchestrator above them.
        """
        by_id = {s.span_id: s for s in self.spans}
        below = self._subtree_kinds
        agents: set[str] = set()
        for span in self.of_kind(SpanKind.AGENT):
            parent = by_id.get(span.parent_id or "")
            step = (not span.agent_name and below.get(span.span_id) == (1, False) and parent is not None
                    and parent.kind not in (SpanKind.TOOL, SpanKind.RETRIEVER))
            agents.add(parent.span_id if step else span.span_id)

        def nearest_agent(span: Span) -> str | None:
            seen = {span.span_id}
            parent = by_id.get(span.parent_id or "")
            while parent is not None and parent.span_id not in agents and parent.span_id not in seen:
                seen.add(parent.span_id)
                parent = by_id.get(parent.parent_id or "")
            return parent.span_id if parent is not None and parent.span_id in agents else None

        with_own_llm = {nearest_agent(s) for s in self.llm_spans}
        held: dict[str, list[Span]] = {}
        for a in agents:
            if (holder := nearest_agent(by_id[a])) is not None:
                held.setdefault(holder, []).append(by_id[a])
        grouping = {a for a, inside in held.items() if not by_id[a].agent_name and a not in with_own_llm
                    and all(agent.agent_name for agent in inside)}
        return [s for s in self.spans if s.span_id in agents - grouping]

    @cached_property
    def agent_depth(self) -> dict[str, int]:
        """How many agents (`agent_spans`) enclose each span, itself included: 1 for the top agent, 2 for a
        sub-agent."""
        agents = {s.span_id for s in self.agent_spans}
        depth: dict[str, int] = {}
        stack = [(root, 0) for root in reversed(self.roots)]
        while stack:
            span, above = stack.pop()
            own = above + (1 if span.span_id in agents else 0)
            depth[span.span_id] = own
            stack.extend((child, own) for child in reversed(self.children.get(span.span_id, [])))
        return depth

    def of_kind(self, *kinds: SpanKind) -> list[Span]:
        return [s for s in self.spans if s.kind in kinds]

    @property
    def tool_spans(self) -> list[Span]:
        return self.of_kind(SpanKind.TOOL, SpanKind.RETRIEVER)

    @property
    def llm_spans(self) -> list[Span]:
        return self.of_kind(SpanKind.LLM)

    @property
    def first_user_message(self) -> str:
        for span in self.spans:
            for message in span.input_messages:
                if message.role == "user" and message.content:
                    return message.content
        for root in self.roots:
            if root.input_text:
                return root.input_text
        return ""

    @property
    def final_answer(self) -> str:
        """What the agent finally told the user: the top root's output, else the last LLM text."""
        for root in self.roots:
            if root.kind is SpanKind.AGENT and root.output_content:
                return root.output_content
        for span in sorted(self.llm_spans, key=lambda s: s.end_ns, reverse=True):
            if span.output_content:
                return span.output_content
        for root in self.roots:
            if root.output_content:
                return root.output_content
        return ""
