"""The offline namer: titles and descriptions from what distinguishes a cluster's facets from the rest.

Deterministic and free. A leaf is titled by its dominant failure mode (or, for healthy runs, by how
they ended and how the agent worked) and described by its share of traces, how its runs end, and its
tool use, errors and retries against the run's average. Parents are named by the themes their
children share.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from traceclio_core.components import ClusterEvidence, ClusterName, ParentEvidence
from traceclio_core.hookspecs import hookimpl
from traceclio_core.settings import Settings

VERSION = "offline-namer-2"

_ENDINGS = {
    "succeeded": "Completes the task",
    "failed_honestly": "Reports a failure honestly",
    "claimed_success_despite_failure": "Claims success its tools do not support",
    "incomplete": "Stops before the task is done",
    "refused": "Refuses the request",
    "asked_clarification": "Asks a clarifying question",
}
# Themes a parent is named by, matched against its children's titles (offline-extractor vocabulary
# first, generic words after, so model-written titles also find a theme).
_THEMES = (
    ("Prompt injection in tool results", r"inject"),
    ("Claims not backed by tool calls", r"never runs|no tool call|without calling|never ran|hallucinat"),
    ("Tool errors hidden behind an answer", r"after a .* error|from memory|hid|swallow"),
    ("Retry and repetition loops", r"retr|repeats|same invalid|loop(?!s on planning)"),
    ("Runaway effort: planning, searching, context and sub-agents",
     r"planning|re-plans|rewriting|searching|context|sub-agents|fan|limit|iteration"),
    ("Tools that do not exist", r"do not exist"),
    ("Premature completion", r"before finishing|before the task|premature"),
    ("Refusals", r"refus"),
    ("Clarifying questions", r"clarif"),
    ("Honest failures", r"failure honestly|honest"),
    ("Healthy completions", r"completes the task|succeed"),
)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def name_leaf(ev: ClusterEvidence) -> ClusterName:
    top = ev.failure_modes[0] if ev.failure_modes else None
    ending = ev.completion[0] if ev.completion else None
    reasoning = ev.reasoning[0].value if ev.reasoning else ""
    if top and top.value != "none" and top.inside >= 0.5:
        title = _sentence(top.value)
    elif top and top.value != "none" and len(ev.failure_modes) > 1 and ev.failure_modes[1].value != "none":
        title = f"Mixed: {top.value} / {ev.failure_modes[1].value}"
    else:
        title = _ENDINGS.get(ending.value if ending else "", "Runs") + (f": {reasoning}" if reasoning else "")
    share = ev.size / ev.total if ev.total else 0.0
    parts = [f"{ev.size} traces ({share:.0%} of the run)"]
    if top and top.value != "none":
        parts.append(f"{top.inside:.0%} {top.value} (vs {top.overall:.0%} overall)")
    if ending:
        parts.append(f"{ending.inside:.0%} end {ending.value.replace('_', ' ')}")
    first = "; ".join(parts) + "."
    sequence = ev.sequences[0].value if ev.sequences else "no tools"
    kind = ev.error_classes[0].value if ev.error_classes else ""
    errors = f", mostly {kind.replace('_', ' ')}" if kind and kind != "other" else ""
    second = (f"Typical tool use: {sequence}; on average {ev.mean_tool_calls:g} tool calls, "
              f"{ev.mean_tool_errors:g} errors{errors} and {ev.mean_retries:g} retries per trace.")
    return ClusterName(title=title, description=f"{first} {second}")


def _theme(title: str) -> str | None:
    for theme, _ in _THEMES:
        if title.startswith(theme):  # a parent's own title, one level further up
            return theme
    for theme, pattern in _THEMES:
        if re.search(pattern, title, re.I):
            return theme
    return None


def name_parent(ev: ParentEvidence) -> ClusterName:
    weights: Counter[str] = Counter()
    for child in ev.children:
        weights[_theme(child.title) or child.title] += child.size
    themes = [t for t, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
    title = themes[0] if len(themes) == 1 else f"{themes[0]} and {themes[1].lower()}" if len(themes) == 2 \
        else f"{themes[0]}, {themes[1].lower()} and more"
    size = sum(c.size for c in ev.children)
    listed = "; ".join(f"{c.title} ({c.size})" for c in sorted(ev.children, key=lambda c: -c.size)[:6])
    more = f"; and {len(ev.children) - 6} more" if len(ev.children) > 6 else ""
    return ClusterName(title=title, description=f"{len(ev.children)} behaviours, {size} traces: {listed}{more}.")


class OfflineNamer:
    version = VERSION

    def name_clusters(self, clusters: Sequence[ClusterEvidence]) -> list[ClusterName]:
        return [name_leaf(ev) for ev in clusters]

    def name_parents(self, parents: Sequence[ParentEvidence]) -> list[ClusterName]:
        return [name_parent(ev) for ev in parents]


@hookimpl(trylast=True)
def traceclio_namer(settings: Settings) -> OfflineNamer | None:
    return OfflineNamer() if settings.llm == "offline" else None
