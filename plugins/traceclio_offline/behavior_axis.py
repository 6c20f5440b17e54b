"""The `behavior` axis: what went wrong, in the offline judge's words, else how the run ended and how the
agent worked. The axis the offline default clustered by before the evidence; kept for comparison and
for anyone who wants the judge's verdicts as the lens (`--facets behavior`)."""

from __future__ import annotations

from traceclio_core.facets import AxisRenderer, FacetRow, Phrase
from traceclio_core.hookspecs import hookimpl
from traceclio_core.settings import Settings

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
    if direct.error_classes and honest:
        parts.append("after " + " and ".join(ERROR_WORDS.get(c, c) for c in direct.error_classes[:2]))
    elif direct.error_classes:
        parts.append("recovered from " + " and ".join(ERROR_WORDS.get(c, c) for c in direct.error_classes[:2]))
    return "; ".join(p for p in parts if p)


@hookimpl(trylast=True)
def traceclio_axes(settings: Settings) -> dict[str, AxisRenderer]:
    return {"behavior": lambda row: [Phrase(render_behavior(row))]}
