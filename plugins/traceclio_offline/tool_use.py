"""How a trace's tools were used: the action sequence, repeated and alternating calls, what the searches
asked, what sub-agents reported, everything the user said. Facts the verdict rules read (outcomes and
retry pacing are in traceclio_structure.retries, shared with the evidence)."""

from __future__ import annotations

import json
import re
from collections import Counter

from traceclio_core.model import Span, SpanKind, Trace
from traceclio_offline.signals import (
    action_kind,
    looks_failed,
    name_words,
    similarity,
)

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
