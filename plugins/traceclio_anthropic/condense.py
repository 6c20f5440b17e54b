"""A trace as bounded, escaped text for the facet prompt: structure kept whole, payloads cut, long runs summarised.

Every span keeps its kind, name, status and error; the first user message and the final answer are always
kept. To fit the token budget, payloads (arguments, results, messages) are shortened step by step, then
long runs of sibling spans lose their middle to one line that counts what was left out, e.g.
"… 14 more tool calls to search (12 failed: rate_limit) …". The end of a trace is never simply chopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from traceclio_core.model import Span, SpanKind, Trace

from traceclio_anthropic.pricing import CHARS_PER_TOKEN

DEFAULT_TRACE_TOKENS = 5000
# Payload caps tried in turn until the trace fits; 0 keeps structure only.
PAYLOAD_STEPS = (600, 300, 120, 40, 0)
# Runs of siblings longer than this keep their first KEEP_HEAD and last KEEP_TAIL spans (again tighter).
RUN_STEPS = ((8, 3, 2), (4, 2, 1), (2, 1, 1))
ENDS_CHARS = 1500


def escape(text: str) -> str:
    """Trace content cannot close or open tags of the prompt: escape &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    # Keep both ends: the head says what was asked, the tail often carries the error.
    head = max(1, limit * 2 // 3)
    return f"{text[:head]} … {text[-(limit - head):]}" if limit - head > 0 else text[:head] + " …"


def _error(span: Span) -> str:
    if span.status.value != "error" and not span.error_type:
        return ""
    return f" error={_cut(span.error_type or 'error', 40)}" + (
        f": {_cut(span.error_message, 80)}" if span.error_message else "")


def _span_line(span: Span, depth: int, payload: int) -> str:
    label = span.tool_name or span.agent_name or span.model or span.name
    line = f"{'  ' * depth}- {span.kind.value} {label!s} status={span.status.value}{_error(span)}"
    if span.kind is SpanKind.LLM:
        calls = [c.name for c in span.requested_tool_calls]
        if calls:
            line += f" requests_tools=[{', '.join(calls)}]"
        if payload:
            said = _cut(span.output_content, payload)
            line += f" said: {said}" if said else ""
    elif payload and span.kind in (SpanKind.TOOL, SpanKind.RETRIEVER):
        if span.tool_arguments:
            line += f" args: {_cut(span.tool_arguments, payload // 2)}"
        result = span.tool_result or span.output_text
        if result:
            line += f" result: {_cut(result, payload)}"
    return line


def _run_summary(skipped: Sequence[Span]) -> str:
    kinds = Counter(s.kind.value for s in skipped)
    tools = Counter(s.tool_name or s.name for s in skipped if s.kind in (SpanKind.TOOL, SpanKind.RETRIEVER))
    failed = [s for s in skipped if s.status.value == "error"]
    errors = Counter(s.error_type or "error" for s in failed)
    if set(kinds) <= {"tool", "retriever"} and len(tools) == 1:
        what = f"{len(skipped)} more tool calls to {next(iter(tools))}"
    else:
        parts = [f"{n} {kind}" for kind, n in kinds.most_common()]
        what = f"{len(skipped)} more spans ({', '.join(parts)}"
        what += f"; tools {', '.join(f'{t} x{n}' for t, n in tools.most_common(4))})" if tools else ")"
    if failed:
        what += f" ({len(failed)} failed: {', '.join(e for e, _ in errors.most_common(3))})"
    return f"… {what} …"


def _lines(trace: Trace, payload: int, run_step: tuple[int, int, int] | None) -> list[str]:
    out: list[str] = []

    def walk(spans: list[Span], depth: int) -> None:
        keep = list(range(len(spans)))
        skipped_at: int | None = None
        if run_step and len(spans) > run_step[0]:
            _, head, tail = run_step
            keep = list(range(head)) + list(range(len(spans) - tail, len(spans)))
            skipped_at = head
        for position, index in enumerate(keep):
            if skipped_at is not None and position == skipped_at:
                out.append("  " * depth + _run_summary(spans[skipped_at:len(spans) - run_step[2]]))
            span = spans[index]
            out.append(_span_line(span, depth, payload))
            walk(trace.children.get(span.span_id, []), depth + 1)

    walk(trace.roots, 0)
    return out


def condense(trace: Trace, max_tokens: int = DEFAULT_TRACE_TOKENS) -> str:
    """The trace as escaped text of at most about `max_tokens` tokens (see pricing.CHARS_PER_TOKEN)."""
    budget = int(max_tokens * CHARS_PER_TOKEN)
    ends = min(ENDS_CHARS, budget // 5)
    first = f"first user message: {_cut(trace.first_user_message, ends)}"
    final = f"final answer: {_cut(trace.final_answer, ends)}"
    text = ""
    for run_step in (None, *RUN_STEPS):
        for payload in PAYLOAD_STEPS:
            text = "\n".join([first, "spans:", *_lines(trace, payload, run_step), final])
            if len(text) <= budget:
                return escape(text)
    # Still too long (a huge flat fan-out at every level): keep both ends of the span list, never just the head.
    lines = text.split("\n")
    head, tail = lines[: len(lines) // 2], lines[len(lines) // 2:]
    while len("\n".join(head + tail)) > budget and len(head) > 2 and len(tail) > 2:
        head.pop()
        tail.pop(0)
    return escape("\n".join(head + [f"… {len(lines) - len(head) - len(tail)} more span lines …"] + tail))
