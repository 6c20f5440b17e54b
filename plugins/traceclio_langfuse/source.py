"""Langfuse as a trace source: observations paged by cursor through the SDK, grouped by trace, mapped directly.

Observations of one trace can sit on any page, so they are grouped once every page is read. An
observation that cannot be placed (no trace id, a duplicate id) becomes a Reject naming the source and
the trace, and the run goes on; a trace whose parent links form a cycle is set aside whole.
"""

from __future__ import annotations

from collections.abc import Iterator

from traceclio_core.errors import ConfigurationError, Reject, SourceError
from traceclio_core.model import Trace
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings
from traceclio_langfuse.client import ClientFactory, langfuse_factory
from traceclio_langfuse.observations import tenant_of, to_span
from traceclio_core.store_location import StoreLocation, parse_since

FIELDS = "core,basic,io,metadata,model,usage"
PAGE_SIZE = 1000  # the API's maximum
DEFAULT_TENANT = "user_id"


def tenant_field(settings: Settings, location: StoreLocation) -> str:
    """plugin_options["langfuse"]["tenant"], else `?tenant=` on the URI, else the user id."""
    field = settings.plugin_options.get("langfuse", {}).get("tenant") or location.options.get("tenant") \
        or DEFAULT_TENANT
    if field not in ("user_id", "project") and not field.startswith("metadata."):
        raise ConfigurationError(f"Langfuse tenant field must be user_id, project or metadata.<key>, got {field!r}")
    return field


def read_observations(client, settings: Settings) -> Iterator:
    """Every observation in the window, page by page until the cursor runs out."""
    since = parse_since(settings.since)
    cursor = None
    while True:
        page = client.api.observations.get_many(fields=FIELDS, limit=PAGE_SIZE, cursor=cursor,
                                                from_start_time=since, filter=settings.source_filter or None)
        yield from page.data
        cursor = page.meta.cursor
        if not cursor or not page.data:
            return


def _has_cycle(parents: dict[str, str | None]) -> bool:
    for start in parents:
        seen, node = set(), start
        while node in parents:
            if node in seen:
                return True
            seen.add(node)
            node = parents[node]
    return False


def build_traces(observations, location: StoreLocation, tenant_by: str, rejects: RejectLog) -> Iterator[Trace]:
    """Group observations by trace and map them; malformed ones are rejected, the rest go on."""
    groups: dict[str, dict[str, object]] = {}
    for observation in observations:
        if not observation.trace_id:
            rejects.add(Reject(source=location.uri, span_id=observation.id,
                               reason="observation has no traceId; it cannot be placed in a trace"))
            continue
        group = groups.setdefault(observation.trace_id, {})
        if observation.id in group:
            rejects.add(Reject(source=location.uri, trace_id=observation.trace_id, span_id=observation.id,
                               reason="duplicate observation id in trace; the first one read is kept"))
            continue
        group[observation.id] = observation
    for trace_id, group in groups.items():
        if _has_cycle({oid: o.parent_observation_id for oid, o in group.items()}):
            rejects.add(Reject(source=location.uri, trace_id=trace_id, whole_trace=True,
                               reason="parent links of the observations form a cycle; the trace is set aside"))
            continue
        spans = []
        for observation in group.values():
            try:
                spans.append(to_span(observation))
            except (ValueError, TypeError) as err:
                rejects.add(Reject(source=location.uri, trace_id=trace_id, span_id=observation.id,
                                   reason=f"observation cannot be mapped: {err}"))
        tenant = next((t for o in group.values() if (t := tenant_of(o, tenant_by))), None)
        spans.sort(key=lambda s: (s.start_ns, s.span_id))
        yield Trace(trace_id=trace_id, tenant=tenant, spans=tuple(spans))


def load_traces(location: StoreLocation, settings: Settings, rejects: RejectLog,
                client_factory: ClientFactory | None = None) -> Iterator[Trace]:
    """Traces of the Langfuse project the keys belong to, from `settings.since` on."""
    from langfuse.api.core import ApiError

    tenant_by = tenant_field(settings, location)
    client = (client_factory or langfuse_factory())(location)
    try:
        observations = list(read_observations(client, settings))
    except ApiError as err:
        raise SourceError(f"{location.uri}: Langfuse answered {err.status_code}") from None
    except Exception as err:  # httpx transport errors and pages the SDK cannot parse
        raise SourceError(f"{location.uri}: cannot read observations ({type(err).__name__}: {err})") from None
    yield from build_traces(observations, location, tenant_by, rejects)
