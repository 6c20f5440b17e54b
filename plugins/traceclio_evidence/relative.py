"""A trace against the run: each span beside the same tool's or model's spans in every trace, and its
steps beside the steps other traces take after the same tool.

A tool call of 40 s is normal for one tool and a hang for another; a quantile of its peers says which.
A step that most runs of a tool take next (stop what was started, run what was written, check what was
changed) and this trace leaves out is seen the same way: against the run, not against a list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from statistics import median

from traceclio_core.facets import FacetRow

PEERS = 20  # fewer spans of a tool or model than this in the run and its usual cost is not known
USUAL = 0.5  # a tool another follows in at least this share of the traces that call it is its usual sequel


def _tools_after(keys: list[str]) -> dict[str, set[str]]:
    """Each tool of a trace, with the tools called after its first call."""
    tools = [k[5:] for k in keys if k.startswith("tool:")]
    out: dict[str, set[str]] = {}
    for i, tool in enumerate(tools):
        if tool not in out:
            out[tool] = set(tools[i + 1:]) - {tool}
    return out


def missing_sequels(rows: Sequence[FacetRow]) -> dict[str, list[str]]:
    """Per trace, 'U after T' for each tool U that follows T in at least USUAL of the run's traces calling T
    (PEERS of them at least) and does not follow it here, the commonest sequel first."""
    after = {row.trace_id: _tools_after(row.facets.get("span_keys", [])) for row in rows}
    calls: dict[str, int] = defaultdict(int)
    followed: dict[tuple[str, str], int] = defaultdict(int)
    for tools in after.values():
        for tool, sequels in tools.items():
            calls[tool] += 1
            for sequel in sequels:
                followed[tool, sequel] += 1
    usual: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (tool, sequel), n in followed.items():
        if calls[tool] >= PEERS and n >= USUAL * calls[tool]:
            usual[tool].append((n / calls[tool], sequel))
    out = {}
    for trace_id, tools in after.items():
        missing = sorted((-share, f"{sequel} after {tool}") for tool, sequels in tools.items()
                         for share, sequel in usual.get(tool, []) if sequel not in sequels)
        out[trace_id] = [m for _, m in missing]
    return out


def _medians(rows: Sequence[FacetRow], field: str, skip_zero: bool = False) -> dict[str, float]:
    values: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for key, value in zip(row.facets.get("span_keys", []), row.facets.get(field, [])):
            if value or not skip_zero:
                values[key].append(value)
    return {key: float(median(v)) for key, v in values.items() if len(v) >= PEERS}


def run_relative(rows: Sequence[FacetRow]) -> dict[str, dict]:
    """Per trace: its slowest span's duration over that tool's or model's median in the run, its largest
    model call's tokens over that model's median, and its largest tool result over that tool's median
    (0 when the peers are too few to tell), and the usual next steps it leaves out."""
    durations, tokens = _medians(rows, "span_ms"), _medians(rows, "span_tokens")
    sizes = _medians(rows, "span_result_chars", skip_zero=True)  # failed calls record no result size
    sequels = missing_sequels(rows)
    out = {}
    for row in rows:
        keys = row.facets.get("span_keys")
        if keys is None:
            continue
        timed = [(ms / durations[k], ms) for k, ms in zip(keys, row.facets.get("span_ms", [])) if durations.get(k, 0) > 0]
        slow, slow_ms = max(timed, default=(0.0, 0.0))
        heavy = max((t / tokens[k] for k, t in zip(keys, row.facets.get("span_tokens", []))
                     if k.startswith("llm:") and tokens.get(k, 0) > 0), default=0.0)
        large = max((c / sizes[k] for k, c in zip(keys, row.facets.get("span_result_chars", []))
                     if k.startswith("tool:") and sizes.get(k, 0) > 0), default=0.0)
        out[row.trace_id] = {"slow_span_ratio": round(slow, 2), "slowest_span_ms": round(slow_ms, 1),
                             "token_span_ratio": round(heavy, 2),
                             "result_size_ratio": round(large, 2),
                             "missing_sequels": sequels.get(row.trace_id, [])[:3]}
    return out
