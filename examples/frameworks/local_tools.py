"""Local tools every framework's scenarios use: plain functions, no network.

Each framework wraps them in its own tool type (smolagents' `@tool`, LangChain's `@tool`, the Agents
SDK's `function_tool`) after the ledger has wrapped them to record each call. Failures are scripted:
`fail_next` makes a tool's next calls raise, as a flaky service would.
"""

from __future__ import annotations

_failures: dict[str, list[Exception]] = {}


def fail_next(tool_name: str, *errors: Exception) -> None:
    """The next calls of `tool_name` raise these errors, one per call, then it works again."""
    _failures[tool_name] = list(errors)


def reset() -> None:
    _failures.clear()


def _maybe_fail(tool_name: str) -> None:
    pending = _failures.get(tool_name)
    if pending:
        raise pending.pop(0)


def get_weather(city: str) -> str:
    """Current weather for a city.

    Args:
        city: Name of the city, e.g. "Paris".
    """
    _maybe_fail("get_weather")
    return {"paris": "18 C, light rain", "lisbon": "24 C, sunny"}.get(city.lower(), "15 C, cloudy")


def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from Celsius to Fahrenheit.

    Args:
        celsius: Temperature in degrees Celsius.
    """
    _maybe_fail("celsius_to_fahrenheit")
    return round(celsius * 9 / 5 + 32, 1)


def lookup_order(order_id: str) -> str:
    """Look up an order's status in the order service.

    Args:
        order_id: The order number, e.g. "A-1042".
    """
    _maybe_fail("lookup_order")
    return f'{{"order_id": "{order_id}", "status": "shipped", "carrier": "DHL", "eta": "2026-01-08"}}'


def refund_order(order_id: str, amount: float) -> str:
    """Issue a refund for an order.

    Args:
        order_id: The order number, e.g. "A-1042".
        amount: Amount to refund, in euros.
    """
    _maybe_fail("refund_order")
    return f'{{"order_id": "{order_id}", "refunded": {amount}}}'


def search_docs(query: str) -> str:
    """Search the product documentation.

    Args:
        query: What to search for.
    """
    _maybe_fail("search_docs")
    if "export" in query.lower():
        return "[1] Exporting data: Settings > Data > Export writes a CSV of all projects."
    return "[1] Getting started: create a project, then invite your team."
