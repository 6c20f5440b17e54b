"""How a trace's failed calls went: made good or not, and the waits between retries of one call."""

from __future__ import annotations

from dataclasses import dataclass

from traceclio_core.model import Span
from traceclio_structure.spans import canonical_arguments, classify_error, looks_failed

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
# An error no pattern classifies ("payment amount does not add up") is as often the call's own fault.
CORRECTABLE = {"not_found", "invalid_arguments", "other"}


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
