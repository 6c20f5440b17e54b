"""Resource use against the run: each span beside the same tool's or model's spans in every trace.

A tool call of 40 s is normal for one tool and a hang for another; a quantile of its peers says which.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from statistics import median

from traceclio_core.facets import FacetRow

PEERS = 20  # fewer spans of a tool or model than this in the run and its usual cost is not known


def _medians(rows: Sequence[FacetRow], field: str, skip_zero: bool = False) -> dict[str, float]:
    values: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for key, value in zip(row.facets.get("span_keys", []), row.facets.get(field, [])):
            if value or not skip_zero:
                values[key].append(value)
    return {key: float(median(v)) for key, v in values.items() if len(v) >= PEERS}


def run_relative(rows: Sequence[FacetRow]) -> dict[str, dict[str, float]]:
    """Per trace: its slowest span's duration over that tool's or model's median in the run, its largest
    model call's tokens over that model's median, and its largest tool result over that tool's median
    (0 when the peers are too few to tell)."""
    durations, tokens = _medians(rows, "span_ms"), _medians(rows, "span_tokens")
    sizes = _medians(rows, "span_result_chars", skip_zero=True)  # failed calls record no result size
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
                             "result_size_ratio": round(large, 2)}
    return out
