"""Phoenix as a trace source: spans read through arize-phoenix-client, assembled by the same code as OTLP files.

Phoenix's span JSON becomes a RawSpan (attributes flattened to the dotted keys OTLP would carry, status
code, exception events) and goes through TraceAssembler, so the mapping onto the trace model is exactly
the one the file source uses. Phoenix keeps no resource attributes: the tenant must be a span attribute
(`--tenant-key user.id`, or `tenant.id` set on a span).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from traceclio_core.assembly import TraceAssembler
from traceclio_core.errors import Reject, SourceError
from traceclio_core.model import Trace
from traceclio_core.rejects import RejectLog
from traceclio_core.semconv import RawSpan
from traceclio_core.settings import Settings
from traceclio_core.store_location import StoreLocation, parse_since

# Spans are read in time slices so a big window is never held in memory at once.
SLICE_HOURS = 24
# Seconds each page request may take; Phoenix pages by cursor inside get_spans.
REQUEST_TIMEOUT = 60
# The most spans one slice may return (get_spans' `limit` is a maximum, not a page size).
MAX_SPANS_PER_SLICE = 10_000_000
# Trace ids per request when a filter first finds traces, then reads them whole.
TRACE_IDS_PER_REQUEST = 50
_STATUS = {"OK": 1, "ERROR": 2}

ClientFactory = Callable[[StoreLocation], Any]


def phoenix_client(location: StoreLocation):
    """A phoenix.client.Client for `location`; the API key comes from PHOENIX_API_KEY (never logged)."""
    from phoenix.client import Client

    return Client(base_url=location.base_url, api_key=os.environ.get("PHOENIX_API_KEY") or None)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested attribute JSON → dotted keys, as OTLP carries them (`llm.input_messages.0.message.role`)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        out = {}
        for index, inner in enumerate(value):
            out.update(flatten(inner, f"{prefix}.{index}"))
        return out
    return {prefix: value}


def _nanos(text: str | None) -> int:
    if not text:
        return 0
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def _cut(attributes: dict[str, Any], limit: int, reject: Callable[[str], None]) -> dict[str, Any]:
    for key, value in attributes.items():
        if isinstance(value, str) and len(value.encode()) > limit:
            attributes[key] = value.encode()[:limit].decode(errors="ignore")
            reject(f"attribute {key} longer than {limit} bytes was cut")
    return attributes


def to_raw_span(span: dict, source: str, max_bytes: int, rejects: RejectLog) -> RawSpan | None:
    """One span of Phoenix's JSON as the raw span the assembler takes; None (and a Reject) if unusable."""
    context = span.get("context") or {}
    trace_id, span_id = context.get("trace_id"), context.get("span_id")
    if not trace_id or not span_id:
        rejects.add(Reject(source=source, trace_id=trace_id, span_id=span_id,
                           reason="span without trace_id/span_id in its context", excerpt=str(span)[:300]))
        return None

    def truncated(reason: str) -> None:
        rejects.add(Reject(source=source, trace_id=trace_id, span_id=span_id, reason=reason, action="truncated"))

    attributes = _cut(flatten(span.get("attributes") or {}), max_bytes, truncated)
    kind = span.get("span_kind")
    if kind and kind != "UNKNOWN":
        attributes.setdefault("openinference.span.kind", kind)
    try:
        start, end = _nanos(span.get("start_time")), _nanos(span.get("end_time"))
    except ValueError as err:
        rejects.add(Reject(source=source, trace_id=trace_id, span_id=span_id, reason=f"bad timestamp: {err}"))
        return None
    events = [(e.get("name", ""), flatten(e.get("attributes") or {})) for e in span.get("events") or []]
    return RawSpan(
        trace_id=trace_id, span_id=span_id, parent_id=span.get("parent_id") or None, name=span.get("name", ""),
        start_ns=start, end_ns=end, attributes=attributes, status_code=_STATUS.get(span.get("status_code"), 0),
        status_message=span.get("status_message") or "", events=events, source=source,
    )


def parse_filter(expression: str | None) -> dict[str, str]:
    """`user.id=u1,session.id=s9` → attribute equalities; traces with a span matching all are read whole."""
    if not expression:
        return {}
    out = {}
    for pair in expression.split(","):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SourceError(f"Phoenix --filter takes ATTRIBUTE=VALUE[,…], got {expression!r}")
        out[key.strip()] = value.strip()
    return out


def _slices(since: datetime | None, until: datetime) -> list[tuple[datetime | None, datetime | None]]:
    if since is None:
        return [(None, None)]
    out, start = [], since
    while start < until:
        end = min(start + timedelta(hours=SLICE_HOURS), until)
        out.append((start, end))
        start = end
    return out


def read_spans(client, location: StoreLocation, settings: Settings) -> Iterator[dict]:
    """Every span of the project in the window (or of the traces the filter matches), slice by slice."""
    since = parse_since(settings.since)
    until = datetime.now(timezone.utc)
    wanted = parse_filter(settings.source_filter)
    for start, end in _slices(since, until):
        window = dict(project_identifier=location.project, start_time=start, end_time=end,
                      timeout=REQUEST_TIMEOUT)
        if not wanted:
            yield from client.spans.get_spans(**window, limit=MAX_SPANS_PER_SLICE)
            continue
        matching = client.spans.get_spans(**window, attributes=wanted, limit=MAX_SPANS_PER_SLICE)
        trace_ids = sorted({s["context"]["trace_id"] for s in matching})
        for i in range(0, len(trace_ids), TRACE_IDS_PER_REQUEST):
            yield from client.spans.get_spans(project_identifier=location.project, timeout=REQUEST_TIMEOUT,
                                              trace_ids=trace_ids[i:i + TRACE_IDS_PER_REQUEST],
                                              limit=MAX_SPANS_PER_SLICE)


def load_traces(location: StoreLocation, settings: Settings, rejects: RejectLog,
                client_factory: ClientFactory = phoenix_client) -> Iterator[Trace]:
    """Traces of one Phoenix project, assembled and mapped exactly as OTLP file traces are."""
    import httpx

    if not location.project:
        raise SourceError(f"{location.uri}: name the project, phoenix://HOST:PORT/PROJECT")
    client = client_factory(location)
    assembler = TraceAssembler(rejects, settings.tenant_keys, settings.trace_window_spans)

    def raw_spans() -> Iterator[RawSpan]:
        try:
            for span in read_spans(client, location, settings):
                raw = to_raw_span(span, location.uri, settings.max_attribute_bytes, rejects)
                if raw is not None:
                    yield raw
        except httpx.HTTPStatusError as err:
            raise SourceError(f"{location.uri}: Phoenix answered {err.response.status_code} "
                              f"({err.response.text[:200]})") from None
        except httpx.TransportError as err:
            raise SourceError(f"{location.uri}: cannot reach Phoenix at {location.base_url} ({err})") from None

    yield from assembler.assemble(raw_spans())
