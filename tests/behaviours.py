"""A few agent behaviours built in code, over several tenants and both dialects: the small fixture the
pipeline tests cluster. (The synthetic generator supplies the large, varied data sets.)"""

from __future__ import annotations

from builders import AgentRun, request

TENANTS = ("acme-logistics", "northwind-health", "globex-retail", "initech-bank", "umbrella-travel")


def healthy(run: AgentRun) -> None:
    run.llm("1. Look up the order\n2. Report its status", tool_calls=("lookup_order",))
    run.tool("lookup_order", {"order": "A-1"}, result='{"status": "shipped"}')
    run.answer("Your order has shipped and should arrive on Friday.")


def retry_loop(run: AgentRun) -> None:
    run.llm("", tool_calls=("search_flights",))
    for _ in range(6):
        run.tool("search_flights", {"from": "SFO"}, error="429 Too Many Requests: rate limit exceeded")
    run.answer("I'm sorry, I couldn't search flights right now because the service is rate limited.")


def swallowed_error(run: AgentRun) -> None:
    run.llm("", tool_calls=("update_record",))
    run.tool("update_record", {"id": 7}, error="500 Internal Server Error")
    run.answer("Done! I've updated the record and everything is saved.")


def hallucinated_call(run: AgentRun) -> None:
    run.llm("", tool_calls=("check_inventory",))
    run.answer("I checked the inventory with the check_inventory tool and the item is in stock.")


def refusal(run: AgentRun) -> None:
    run.answer("I'm sorry, but I can't help with resetting a password.")


BEHAVIOURS = {
    "healthy": healthy,
    "retry_loop": retry_loop,
    "swallowed_error": swallowed_error,
    "hallucinated_call": hallucinated_call,
    "refusal": refusal,
}


def build(per_behaviour: int = 12, tenants: tuple[str, ...] = TENANTS) -> tuple[list[dict], dict[str, str]]:
    """OTLP requests (one per trace, dialects alternating) and each trace's true behaviour."""
    requests, truth = [], {}
    for name, behave in BEHAVIOURS.items():
        for i in range(per_behaviour):
            dialect = "genai" if i % 2 == 0 else "openinference"
            run = AgentRun(f"{name}-{i}", dialect=dialect, user=f"Customer {tenants[i % len(tenants)]} needs help.")
            behave(run)
            truth[run.trace_id] = name
            requests.append(request(run.spans, tenant=tenants[i % len(tenants)]))
    return requests, truth
