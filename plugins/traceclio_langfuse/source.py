"""Langfuse as a trace source: observations streamed page by page, translated, and assembled by core.

Each observation is mapped onto the trace model (observations.py) and handed to the one assembly path
(traceclio_core/assembly.py) as it arrives, so grouping, duplicate ids, cycles, value bounds and their
rejects are the same as for every other source, and memory holds only the traces in flight. The
outcome of a trace is its score named by an outcome key (--outcome-key), read first.

The SDK parses a page as a whole, so one malformed observation would hide its page and, without that
page's cursor, every page after it. Pages are therefore fetched as JSON through the SDK's own HTTP
client (its base URL, keys and retries) and each observation is parsed with the SDK's own model: a
malformed observation is recorded and skipped; a page that cannot be read is recorded and ends the
reading of that store there (no cursor leads past it), never the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from traceclio_core.assembly import SpanRecord, TraceAssembler
from traceclio_core.errors import ConfigurationError, Reject, SourceError
from traceclio_core.model import Trace
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings
from traceclio_core.store_location import StoreLocation, parse_since
from traceclio_langfuse.client import ClientFactory, langfuse_factory
from traceclio_langfuse.observations import tenant_of, to_span

FIELDS = "core,basic,io,metadata,model,usage"
PAGE_SIZE = 1000  # the observations API's maximum
SCORES_PAGE_SIZE = 100  # the scores API's maximum
OBSERVATIONS = "api/public/v2/observations"
SCORES = "api/public/v3/scores"
DEFAULT_TENANT = "user_id"


def tenant_field(settings: Settings, location: StoreLocation) -> str:
    """plugin_options["langfuse"]["tenant"], else `?tenant=` on the URI, else the user id."""
    field = settings.plugin_options.get("langfuse", {}).get("tenant") or location.options.get("tenant") \
        or DEFAULT_TENANT
    if field not in ("user_id", "project") and not field.startswith("metadata."):
        raise ConfigurationError(f"Langfuse tenant field must be user_id, project or metadata.<key>, got {field!r}")
    return field


def pages(client, path: str, params: dict[str, Any], location: StoreLocation, rejects: RejectLog,
          what: str) -> Iterator[list]:
    """The `data` list of each page, following the cursor. The first page failing means the store
    cannot be read (SourceError); a later one is recorded and reading stops there."""
    from langfuse.api.core import ApiError

    http = client.api._client_wrapper.httpx_client  # the SDK's own client; see the module docstring
    cursor, number = None, 0
    while True:
        number += 1
        try:
            response = http.request(path, method="GET", params={**params, "cursor": cursor})
            if response.status_code >= 400:
                raise ApiError(status_code=response.status_code, body=response.text[:200])
            body = response.json()
            data, cursor = body["data"], (body.get("meta") or {}).get("cursor")
            if not isinstance(data, list):
                raise TypeError(f"data is a {type(data).__name__}, not a list")
        except ApiError as err:
            if number == 1:
                raise SourceError(f"{location.uri}: Langfuse answered {err.status_code} to the first page of "
                                  f"{what}") from None
            _page_lost(location, rejects, what, number, f"Langfuse answered {err.status_code}")
            return
        except Exception as err:  # transport errors and pages that are not the JSON the API promises
            if number == 1:
                raise SourceError(f"{location.uri}: cannot read {what} ({type(err).__name__}: {err})") from None
            _page_lost(location, rejects, what, number, f"{type(err).__name__}: {str(err)[:200]}")
            return
        yield data
        if not cursor or not data:
            return


def _page_lost(location: StoreLocation, rejects: RejectLog, what: str, number: int, why: str) -> None:
    rejects.add(Reject(source=location.uri, reason=f"page {number} of {what} cannot be read ({why}); no cursor "
                                                   "leads past it, so reading this store stops here"))


def read_outcomes(client, location: StoreLocation, settings: Settings, rejects: RejectLog) -> dict[str, Any]:
    """trace id → the raw value of its score named by the first outcome key that has one."""
    if not settings.outcome_keys:
        return {}
    params = {"limit": SCORES_PAGE_SIZE, "fields": "subject", "name": ",".join(settings.outcome_keys),
              "fromTimestamp": _since(settings)}
    rank = {key: i for i, key in enumerate(settings.outcome_keys)}
    best: dict[str, tuple[int, Any]] = {}
    for page in pages(client, SCORES, params, location, rejects, "scores"):
        for score in page:
            trace_id = _scored_trace(score)
            if not trace_id or score.get("name") not in rank:
                continue
            order = rank[score["name"]]
            if trace_id not in best or order < best[trace_id][0]:
                best[trace_id] = (order, score.get("value"))
    return {trace_id: value for trace_id, (_, value) in best.items()}


def _scored_trace(score: Any) -> str | None:
    """The trace a score belongs to: its subject when that is a trace, or the observation's trace."""
    subject = score.get("subject") if isinstance(score, dict) else None
    if not isinstance(subject, dict):
        return None
    if subject.get("kind") == "trace":
        return _text(subject.get("id"))
    return _text(subject.get("traceId"))


def _since(settings: Settings) -> str | None:
    from langfuse.api.core.datetime_utils import serialize_datetime

    since = parse_since(settings.since)
    return serialize_datetime(since) if since else None


def observation_records(client, location: StoreLocation, settings: Settings, rejects: RejectLog,
                        tenant_by: str, outcomes: dict[str, Any]) -> Iterator[SpanRecord]:
    """Every observation in the window as a span record, page by page; malformed ones are recorded."""
    import langfuse.api as api_models
    from langfuse.api.core.pydantic_utilities import parse_obj_as

    params = {"fields": FIELDS, "limit": PAGE_SIZE, "fromStartTime": _since(settings),
              "filter": settings.source_filter or None}
    for number, page in enumerate(pages(client, OBSERVATIONS, params, location, rejects, "observations"), 1):
        for item in page:
            raw = item if isinstance(item, dict) else {}
            try:
                observation = parse_obj_as(api_models.ObservationV2, item)
                span = to_span(observation)
            except (ValueError, TypeError, AttributeError) as err:
                rejects.add(Reject(source=location.uri, trace_id=_text(raw.get("traceId")),
                                   span_id=_text(raw.get("id")),
                                   reason=f"page {number}: observation cannot be read ({_first_line(err)}); it is "
                                          "left out", excerpt=str(item)[:300]))
                continue
            yield SpanRecord(trace_id=observation.trace_id, span=span, source=location.uri,
                             tenant=tenant_of(observation, tenant_by), outcome=outcomes.get(observation.trace_id))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _first_line(err: Exception) -> str:
    """What is wrong, in one line: for a validation error its first few fields and their faults."""
    if hasattr(err, "errors"):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()[:3])
    return str(err).strip().split("\n", 1)[0][:200]


def load_traces(location: StoreLocation, settings: Settings, rejects: RejectLog,
                client_factory: ClientFactory | None = None) -> Iterator[Trace]:
    """Traces of the Langfuse project the keys belong to, from `settings.since` on."""
    tenant_by = tenant_field(settings, location)
    client = (client_factory or langfuse_factory())(location)
    try:
        outcomes = read_outcomes(client, location, settings, rejects)
    except SourceError as err:  # scores are extra: without them the traces are still worth reading
        rejects.add(Reject(source=location.uri, reason=f"scores cannot be read ({err}); traces are read "
                                                       "without outcomes"))
        outcomes = {}
    records = observation_records(client, location, settings, rejects, tenant_by, outcomes)
    yield from TraceAssembler(rejects, settings).assemble(records)
