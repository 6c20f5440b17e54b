"""A small fixture of agent traces with known behaviours, two tenants (user.id on the root span), both dialects."""

from __future__ import annotations

import time

from builders import AgentRun


def _with_user(run: AgentRun, user: str) -> AgentRun:
    # Phoenix keeps no resource attributes, so the tenant travels as a span attribute.
    run.root["attributes"].append({"key": "user.id", "value": {"stringValue": user}})
    return run


def behaviour_runs(prefix: str = "t", per_behaviour: int = 4) -> list[AgentRun]:
    runs = []
    for i in range(per_behaviour):
        dialect = "openinference" if i % 2 else "genai"
        user = f"user-{i % 2}"
        ok = AgentRun(f"{prefix}-ok-{i}", dialect=dialect, user="Where is my parcel?")
        ok.llm("", tool_calls=("track_parcel",)).tool("track_parcel", {"id": i}, result="in transit")
        runs.append(_with_user(ok.answer("Your parcel is in transit."), user))
        refund = "Refund order ORD-4417 for jane@example.com please."
        failed = AgentRun(f"{prefix}-err-{i}", dialect=dialect, user=refund)
        failed.llm("", tool_calls=("issue_refund",)).tool("issue_refund", {"order": i}, error="payment gateway 503")
        runs.append(_with_user(failed.answer("Done, your refund was issued."), user))
        loop = AgentRun(f"{prefix}-loop-{i}", dialect=dialect, user="Find a cheaper flight.")
        for _ in range(5):
            loop.llm("", tool_calls=("search_flights",)).tool("search_flights", {"q": "cheap"}, result="[]")
        runs.append(_with_user(loop.answer("I could not find anything."), user))
    return runs


def shift_to_now(runs: list[AgentRun], hours_ago: float = 1.0) -> list[AgentRun]:
    """Move every span so the traces start `hours_ago` before now (the builder's clock is in 2023)."""
    target = time.time_ns() - int(hours_ago * 3600e9)
    for run in runs:
        offset = target - int(run.spans[0]["startTimeUnixNano"])
        for span in run.spans:
            span["startTimeUnixNano"] = str(int(span["startTimeUnixNano"]) + offset)
            span["endTimeUnixNano"] = str(int(span["endTimeUnixNano"]) + offset)
            for event in span.get("events", []):
                event["timeUnixNano"] = str(int(event["timeUnixNano"]) + offset)
    return runs
