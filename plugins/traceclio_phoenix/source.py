"""Phoenix as a trace source: spans read through arize-phoenix-client, assembled by the same code as OTLP files.

Phoenix's span JSON becomes a RawSpan (attributes flattened to the dotted keys OTLP would carry, status
code, exception events) and goes through TraceAssembler, so the mapping onto the trace model, the bounds
on values and the rejects are exactly the file source's. Phoenix keeps no resource attributes: the tenant
must be a span attribute (`--tenant-key user.id`, or `tenant.id` set on a span).

The outcome is a span attribute named by --outcome-key, else a trace annotation of that name (its score,
else its label read as pass/fail), looked up for each batch of assembled traces. A span that cannot be
read, or a time slice whose pages Phoenix fails to answer after the first, is recorded and skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from traceclio_core.assembly import TraceAssembler, with_outcome
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
# Traces whose annotations one request asks for (the server takes up to 1,000 trace ids).
ANNOTATION_BATCH = 100
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


def to_raw_span(span: dict, source: str, rejects: RejectLog) -> RawSpan | None:
    """One span of Phoenix's JSON as the raw span the assembler takes; None (and a Reject) if unusable."""
    if not isinstance(span, dict):
        rejects.add(Reject(source=source, reason=f"span is not an object: {type(span).__name__}",
                           excerpt=str(span)[:300]))
        return None
    context = span.get("context") if isinstance(span.get("context"), dict) else {}
    trace_id, span_id = context.get("trace_id"), context.get("span_id")
    if not isinstance(trace_id, str) or not isinstance(span_id, str) or not trace_id or not span_id:
        rejects.add(Reject(source=source, trace_id=trace_id if isinstance(trace_id, str) else None,
                           span_id=span_id if isinstance(span_id, str) else None,
                           reason="span without trace_id/span_id in its context", excerpt=str(span)[:300]))
        return None
    try:
        return _raw_span(span, trace_id, span_id, source)
    except (ValueError, TypeError, AttributeError) as err:
        rejects.add(Reject(source=source, trace_id=trace_id, span_id=span_id, reason=f"malformed span: {err}",
                           excerpt=str(span)[:300]))
        return None


def _raw_span(span: dict, trace_id: str, span_id: str, source: str) -> RawSpan:
    attributes = flatten(span.get("attributes") or {})
    kind = span.get("span_kind")
    if kind and kind != "UNKNOWN":
        attributes.setdefault("openinference.span.kind", kind)
    try:
        start, end = _nanos(span.get("start_time")), _nanos(span.get("end_time"))
    except (ValueError, TypeError) as err:
        raise ValueError(f"bad timestamp: {err}") from None
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


def _slice_spans(client, location: StoreLocation, window: dict, wanted: dict[str, str]) -> list[dict]:
    if not wanted:
        return client.spans.get_spans(**window, limit=MAX_SPANS_PER_SLICE)
    matching = client.spans.get_spans(**window, attributes=wanted, limit=MAX_SPANS_PER_SLICE)
    trace_ids = sorted({s["context"]["trace_id"] for s in matching})
    spans = []
    for i in range(0, len(trace_ids), TRACE_IDS_PER_REQUEST):
        spans += client.spans.get_spans(project_identifier=location.project, timeout=REQUEST_TIMEOUT,
                                        trace_ids=trace_ids[i:i + TRACE_IDS_PER_REQUEST], limit=MAX_SPANS_PER_SLICE)
    return spans


def read_spans(client, location: StoreLocation, settings: Settings, rejects: RejectLog) -> Iterator[dict]:
    """Every span of the project in the window (or of the traces the filter matches), slice by slice.

    A slice Phoenix fails to answer, once an earlier one was answered, is recorded and skipped (its
    spans are not in the run); a failure on the first slice means Phoenix cannot be read at all.
    """
    import httpx

    since = parse_since(settings.since)
    until = datetime.now(timezone.utc)
    wanted = parse_filter(settings.source_filter)
    answered = False
    for start, end in _slices(since, until):
        window = dict(project_identifier=location.project, start_time=start, end_time=end,
                      timeout=REQUEST_TIMEOUT)
        try:
            spans = _slice_spans(client, location, window, wanted)
        except (httpx.HTTPStatusError, httpx.TransportError, ValueError, KeyError, TypeError) as err:
            if not answered:
                raise
            rejects.add(Reject(source=location.uri, reason=f"spans from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} "
                                                           f"could not be read ({_describe(err)}); they are left out"))
            continue
        answered = True
        yield from spans


def _describe(err: Exception) -> str:
    import httpx

    if isinstance(err, httpx.HTTPStatusError):
        return f"Phoenix answered {err.response.status_code}"
    return f"{type(err).__name__}: {str(err)[:200]}"


def annotated_outcomes(traces: Iterable[Trace], client, location: StoreLocation, settings: Settings,
                       rejects: RejectLog) -> Iterator[Trace]:
    """`traces`, those without an outcome given one from their trace annotation named by an outcome key.

    arize-phoenix-client writes trace annotations but has no call to read them; the server's
    `GET v1/projects/{project}/trace_annotations` is asked through the client's own HTTP client, one
    request per batch of traces. If the server cannot answer, that is recorded once and traces go on.
    """
    batch: list[Trace] = []
    readable = True
    for trace in traces:
        batch.append(trace)
        if len(batch) >= ANNOTATION_BATCH:
            readable = yield from _annotate(batch, client, location, settings, rejects, readable)
            batch = []
    yield from _annotate(batch, client, location, settings, rejects, readable)


def _annotate(batch: list[Trace], client, location: StoreLocation, settings: Settings, rejects: RejectLog,
              readable: bool) -> Generator[Trace, None, bool]:
    wanted = [t.trace_id for t in batch if t.outcome is None]
    found: dict[str, dict[str, dict]] = {}
    if wanted and readable and settings.outcome_keys:
        try:
            found = _trace_annotations(client, location, wanted, settings.outcome_keys)
        except Exception as err:  # httpx errors, an older server without the endpoint, a page not JSON
            rejects.add(Reject(source=location.uri, reason=f"trace annotations could not be read ({_describe(err)}); "
                                                           "outcomes from annotations are left out"))
            readable = False
    for trace in batch:
        by_name = found.get(trace.trace_id, {})
        result = next((by_name[k] for k in settings.outcome_keys if k in by_name), None)
        if result is not None:
            value = result.get("score") if result.get("score") is not None else result.get("label")
            trace = with_outcome(trace, value, location.uri, None, rejects)
        yield trace
    return readable


def _trace_annotations(client, location: StoreLocation, trace_ids: list[str],
                       names: tuple[str, ...]) -> dict[str, dict[str, dict]]:
    """trace id → annotation name → its result, the newest annotation of each name."""
    out: dict[str, dict[str, dict]] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"trace_ids": trace_ids, "include_annotation_names": list(names), "limit": 1000}
        if cursor:
            params["cursor"] = cursor
        response = client._client.get(f"v1/projects/{location.project}/trace_annotations", params=params,
                                      timeout=REQUEST_TIMEOUT)
        response.raise_for_status()
        payload = response.json()
        for annotation in payload["data"]:
            # The server answers newest first: the first of each name is kept.
            out.setdefault(annotation["trace_id"], {}).setdefault(annotation["name"], annotation.get("result") or {})
        cursor = payload.get("next_cursor")
        if not cursor:
            return out


def load_traces(location: StoreLocation, settings: Settings, rejects: RejectLog,
                client_factory: ClientFactory = phoenix_client) -> Iterator[Trace]:
    """Traces of one Phoenix project, assembled and mapped exactly as OTLP file traces are."""
    import httpx

    if not location.project:
        raise SourceError(f"{location.uri}: name the project, phoenix://HOST:PORT/PROJECT")
    client = client_factory(location)
    assembler = TraceAssembler(rejects, settings)

    def raw_spans() -> Iterator[RawSpan]:
        try:
            for span in read_spans(client, location, settings, rejects):
                raw = to_raw_span(span, location.uri, rejects)
                if raw is not None:
                    yield raw
        except httpx.HTTPStatusError as err:
            raise SourceError(f"{location.uri}: Phoenix answered {err.response.status_code} "
                              f"({err.response.text[:200]})") from None
        except httpx.TransportError as err:
            raise SourceError(f"{location.uri}: cannot reach Phoenix at {location.base_url} ({err})") from None
        except (ValueError, KeyError, TypeError) as err:
            raise SourceError(f"{location.uri}: Phoenix's answer cannot be read ({_describe(err)})") from None

    yield from annotated_outcomes(assembler.assemble(raw_spans()), client, location, settings, rejects)
