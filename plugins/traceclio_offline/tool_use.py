"""How a trace's tools were used: outcomes and retry pacing, repeated and alternating calls, what the
searches asked, what sub-agents reported, everything the user said. Facts the verdict rules read."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

from traceclio_core.model import Span, SpanKind, Trace
from traceclio_offline.signals import (
    action_kind,
    canonical_arguments,
    classify_error,
    looks_failed,
    name_words,
    similarity,
)

IMMEDIATE_S = 0.1  # a retry this soon after the failure is no deliberate wait: faster than any model turn


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """How the tool calls of one trace went, beyond the counts in DirectFacets."""

    unrecovered: list[Span]  # failed, and never made good by a later call
    recovered: bool  # some tool failed and a later call made it good
    partial: bool  # an unrecovered failure beside successful calls of the same tool (a batch, half done)
    retry_classes: list[str]  # error classes of the calls that were retried
    backoff: str  # "none", "growing", "steady" between retries


# A later success with other arguments corrects these errors (a fixed id, a valid schema); for the rest
# (server, timeout, rate limit, permission) only the same call succeeding makes the failure good.
CORRECTABLE = {"not_found", "invalid_arguments"}


def idle_seconds(after: Span, before: Span, busy: list[Span]) -> float:
    """Time between two calls that nothing else filled: the gap less the model turns that ran inside it.
    What is left is a deliberate wait (backoff), so pacing reads the same whether or not the agent
    narrates each retry."""
    gap = max(0, before.start_ns - after.end_ns)
    spent = sum(max(0, min(s.end_ns, before.start_ns) - max(s.start_ns, after.end_ns)) for s in busy)
    return max(0, gap - spent) / 1e9


def tool_outcome(tools: list[Span], busy: list[Span] = ()) -> ToolOutcome:
    unrecovered, recovered, partial, retry_classes, gaps = [], False, False, [], []
    for i, span in enumerate(tools):
        if not looks_failed(span):
            continue
        kind = classify_error(span)
        args = canonical_arguments(span.tool_arguments)
        later = [s for s in tools[i + 1:] if s.tool_name == span.tool_name]
        same = [s for s in later if canonical_arguments(s.tool_arguments) == args]
        fixes = later if kind in CORRECTABLE else same
        if any(not looks_failed(s) for s in fixes):
            recovered = True
        elif not same:
            unrecovered.append(span)
            if any(not looks_failed(s) for s in tools if s.tool_name == span.tool_name and s is not span):
                partial = True
        if same:
            retry_classes.append(kind)
            gaps.append(idle_seconds(span, same[0], list(busy)))
    backoff = "none"
    if len(gaps) >= 2:
        rises = sum(1 for a, b in zip(gaps, gaps[1:]) if b > a)
        if rises * 3 >= (len(gaps) - 1) * 2 and gaps[-1] >= 1.5 * gaps[0] and gaps[-1] > 0.2:
            backoff = "growing"
        elif sorted(gaps)[len(gaps) // 2] >= IMMEDIATE_S:
            backoff = "steady"
    return ToolOutcome(unrecovered, recovered, partial, retry_classes, backoff)


def action_sequence(tools: list[Span]) -> str:
    """Tool use as kinds of action with repeats collapsed: 'read x3 → write'."""
    steps: list[list] = []
    for span in tools:
        step = action_kind(span.tool_name or "") + (" (failed)" if looks_failed(span) else "")
        if steps and steps[-1][0] == step:
            steps[-1][1] += 1
        else:
            steps.append([step, 1])
    text = " → ".join(s if n == 1 else f"{s} x{n}" for s, n in steps[:8])
    return text + (" → …" if len(steps) > 8 else "") if text else "no tools"



def subagent_reports(trace: Trace) -> list[str]:
    """What each sub-agent finally said: its own output, else the last LLM text inside it."""
    depth = trace.agent_depth
    reports = []
    for agent in trace.agent_spans:
        if depth.get(agent.span_id, 0) < 2:
            continue
        inside, stack = [], list(trace.children.get(agent.span_id, []))
        while stack:
            span = stack.pop()
            inside.append(span)
            stack.extend(trace.children.get(span.span_id, []))
        llm_texts = [s.output_content for s in sorted(inside, key=lambda s: s.end_ns)
                     if s.kind is SpanKind.LLM and s.output_content]
        report = agent.output_content or (llm_texts[-1] if llm_texts else "")
        if report:
            reports.append(report)
    return reports


def mean_similarity(texts: list[str]) -> float:
    """How alike consecutive texts are on average (reworded queries score high, different files low)."""
    pairs = list(zip(texts, texts[1:]))
    return sum(similarity(a, b) for a, b in pairs) / len(pairs) if pairs else 0.0


def query_terms(searches: list[Span]) -> list[str]:
    """What each search asked for: the argument values that change from call to call (the query), without
    the ones every call repeats (a filter, a user id), which would make unrelated searches look alike."""
    parsed = []
    for span in searches:
        try:
            value = json.loads(span.tool_arguments or "")
        except ValueError:
            value = span.tool_arguments or ""
        parsed.append(value if isinstance(value, dict) else {"": value})
    constant = {k for k in parsed[0] if all(p.get(k) == parsed[0][k] for p in parsed)} if len(parsed) > 1 else set()
    # Compared as words: "freight?" and "freight" ask the same.
    return [" ".join(re.findall(r"\w+", " ".join(str(v) for k, v in p.items() if k not in constant).lower()))
            for p in parsed]


def user_turns(trace: Trace) -> str:
    """Everything the user said, each message once, in order."""
    seen: dict[str, None] = {}
    for span in sorted(trace.spans, key=lambda s: s.start_ns):
        for message in span.input_messages:
            if message.role == "user" and message.content:
                seen.setdefault(message.content, None)
    return "\n".join(seen) or trace.first_user_message


UNDO_WORDS = frozenset("undo revert remove cancel delete rollback disable unassign detach drop discard reset".split())


def oscillates(calls: list) -> bool:
    """Two calls, one undoing the other, take turns for most of the run: A B A B (after any lookups)."""
    if len(calls) < 4:
        return False
    pair = [c for c, _ in Counter(calls).most_common(2)]
    # One of the two must reverse something (undo, revert, remove, cancel…): scrolling and re-reading in
    # turn is browsing, not undoing.
    if len(pair) < 2 or not any(UNDO_WORDS & set(name_words(name or "")) for name, _ in pair):
        return False
    inside = [c for c in calls if c in pair]
    return len(inside) * 3 >= len(calls) * 2 and alternations(inside) >= 2


def alternations(names: list[str]) -> int:
    """How often a sequence flips back to the value before last: A B A B → 2."""
    return sum(1 for a, b, c in zip(names, names[1:], names[2:]) if a == c and a != b)
