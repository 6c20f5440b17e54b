"""Facets → the short text that gets embedded. Short on purpose: what the embedder reads is its cost.

An axis is one facet or a combination (`--facets failure_mode,tool_call_sequence`), as in Clio. The default
axis, "behavior", says what went wrong, how the run ended, how the agent worked and what it spent, in
words that carry no domain, so traces cluster by behaviour rather than by topic.
"""

from __future__ import annotations

from traceclio_core.errors import ConfigurationError
from traceclio_core.facets import DIRECT_FACETS, MODEL_FACETS, FacetRow

BEHAVIOR = "behavior"
AXES = (BEHAVIOR, *MODEL_FACETS, *DIRECT_FACETS)

ERROR_WORDS = {
    "rate_limit": "rate limits",
    "server_error": "server errors",
    "timeout": "timeouts",
    "invalid_arguments": "invalid arguments",
    "permission": "permission errors",
    "not_found": "not found errors",
    "context_overflow": "context length errors",
    "iteration_limit": "iteration limits",
    "unknown_tool": "unknown tools",
    "other": "other errors",
}


def check_axis(facets: tuple[str, ...]) -> None:
    unknown = [f for f in facets if f not in AXES]
    if unknown:
        raise ConfigurationError(f"unknown facet(s) {', '.join(unknown)}; choose from {', '.join(AXES)}")


def render_behavior(row: FacetRow) -> str:
    """What went wrong and how the run ended; for runs with no failure, how the agent worked instead
    (for honest failures, which errors it met).

    Details that vary within one behaviour (which error class a hidden error was, whether a sub-agent
    was involved) are left out: they would split one behaviour into many clusters.
    """
    model, direct = row.model, row.direct
    status = model.completion_status.value.replace("_", " ")
    if model.failure_mode and model.failure_mode != "none":
        # The failure phrase alone: a shared tail ("; incomplete") would pull different failures together.
        return model.failure_mode
    # An honest failure is told apart by the errors behind it, not by how the agent worked before giving up.
    honest = model.completion_status.value == "failed_honestly"
    parts = ["no failure", status, "" if honest else model.reasoning_pattern]
    if direct.error_classes and model.completion_status.value == "failed_honestly":
        parts.append("after " + " and ".join(ERROR_WORDS.get(c, c) for c in direct.error_classes[:2]))
    elif direct.error_classes:
        parts.append("recovered from " + " and ".join(ERROR_WORDS.get(c, c) for c in direct.error_classes[:2]))
    return "; ".join(p for p in parts if p)


def _value_text(row: FacetRow, facet: str) -> str:
    value = row.value(facet)
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    return str(getattr(value, "value", value))


def render(row: FacetRow, facets: tuple[str, ...]) -> str:
    if facets == (BEHAVIOR,):
        return render_behavior(row)
    parts = []
    for facet in facets:
        text = render_behavior(row) if facet == BEHAVIOR else _value_text(row, facet)
        parts.append(text if len(facets) == 1 else f"{facet.replace('_', ' ')}: {text}")
    return "; ".join(parts)
