"""A trace's span timeline, scrubbed: what the report's drill-in shows of an exemplar trace.

Computed while the trace is at hand (facet extraction) and kept beside its facets in the row's `extra`,
so cached rows, `traceclio cluster RUN_DIR` and a cold run all give the same timeline. It holds the
shape of the run only: each span's kind, a label (the agent, model or tool name, else the span's name),
its nesting depth, when it started and how long it took, its tokens and its error; every text goes
through `sanitize`, as task summaries do, and never a message, argument or result.

Stored as compact JSON text, one list per span, `[kind, depth, start_ms, duration_ms, tokens, label,
error]` (`error` is "" for a span that did not fail): as text a timeline weighs about 1 KB a row in
memory, parsed about 4 KB (a row's facets weigh about 14 KB).
"""

from __future__ import annotations

import json
import re

from traceclio_core.model import Span, SpanKind, Trace
from traceclio_core.sanitize import compile_names, sanitize

# At most this many spans per trace: the failed ones first, then the earliest (a 2,000-span trace
# would otherwise weigh on every row and on the report).
MAX_SPANS = 40
LABEL_CHARS = 60
ERROR_CHARS = 120
RAW_CHARS = 2000
# Part of the facet cache's key (pipeline.facet_version): rows cached without a timeline, or with an
# older one, are computed again.
TIMELINE_VERSION = "1"
_PLACEHOLDER = re.compile(r"<(?:email|url|name|number|id)>")
FIELDS = ("kind", "depth", "start_ms", "duration_ms", "tokens", "label", "error")


def _label(span: Span) -> str:
    if span.kind is SpanKind.AGENT and span.agent_name:
        return span.agent_name
    if span.kind is SpanKind.LLM and span.model:
        return span.model
    if span.kind in (SpanKind.TOOL, SpanKind.RETRIEVER) and span.tool_name:
        return span.tool_name
    return span.name


def _depths(trace: Trace) -> dict[str, int]:
    depth: dict[str, int] = {}
    stack = [(root, 0) for root in trace.roots]
    while stack:
        span, level = stack.pop()
        if span.span_id in depth:
            continue
        depth[span.span_id] = level
        stack.extend((child, level + 1) for child in trace.children.get(span.span_id, []))
    return depth


def scrub(text: str, names: re.Pattern[str] | None, limit: int) -> str:
    """`sanitize`d and cut to `limit`. A long text is first cut at a space well beyond the limit, so the
    scrubbers' work stays bounded and no email or id is cut in half before they see it."""
    if len(text) > RAW_CHARS:
        words = text[:RAW_CHARS].rsplit(None, 1)
        text = words[0] if len(words) > 1 else ""
    return sanitize(text, names)[:limit]


def _scrub_label(text: str, names: re.Pattern[str] | None) -> str:
    """A label that is nothing but placeholders once scrubbed ("<id>.<id>" for a versioned model name) is
    dropped: the report then names the span by its kind."""
    label = scrub(text, names, LABEL_CHARS)
    return label if _PLACEHOLDER.sub("", label).strip(" .:/_-") else ""


def span_timeline(trace: Trace) -> str:
    """JSON text of `{"spans": [[kind, depth, start_ms, duration_ms, tokens, label, error], ...],
    "omitted": int, "timed": bool}`; `timed` is False where the source recorded no times (durations then
    mean nothing)."""
    names = compile_names([trace.tenant]) if trace.tenant else None
    spans = list(trace.spans)
    kept = spans
    if len(spans) > MAX_SPANS:
        failed = [s for s in spans if s.failed][:MAX_SPANS]
        chosen = {s.span_id for s in failed}
        chosen.update(s.span_id for s in [s for s in spans if not s.failed][: MAX_SPANS - len(failed)])
        kept = [s for s in spans if s.span_id in chosen]
    start = min((s.start_ns for s in spans), default=0)
    depth = _depths(trace)
    rows = []
    for span in kept:
        error = ""
        if span.failed:
            error = scrub(": ".join(t for t in (span.error_type, span.error_message) if t) or "error", names,
                          ERROR_CHARS)
        rows.append([span.kind.value, depth.get(span.span_id, 0), round((span.start_ns - start) / 1e6, 1),
                     round(span.duration_ms, 1), span.input_tokens + span.output_tokens,
                     _scrub_label(_label(span), names), error])
    return json.dumps({"spans": rows, "omitted": len(spans) - len(kept), "timed": trace.timing_recorded},
                      separators=(",", ":"), ensure_ascii=False)


def rescrub(text: str, names: re.Pattern[str] | None) -> dict:
    """The timeline (`span_timeline`'s text), parsed, with every text scrubbed again, of all the run's
    tenant names (extraction knew only the trace's own)."""
    timeline = json.loads(text)
    spans = [[*span[:5], _scrub_label(span[5], names), scrub(span[6], names, ERROR_CHARS)]
             for span in timeline.get("spans", [])]
    return {**timeline, "spans": spans}
