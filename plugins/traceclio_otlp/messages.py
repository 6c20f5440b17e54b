"""An ExportTraceServiceRequest (an OTLP/JSON object or a parsed protobuf) → RawSpans, one span at a time.

A span that is malformed is set aside with a record naming file, line and trace id; a value that had to be
cut or clamped on the way in (values.py) is recorded and the span kept; fields OTLP does not define are
recorded, so that a renamed key never loses traces without a word.
"""

from __future__ import annotations

import base64
import binascii
import json
import reprlib
from collections.abc import Iterator
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan
from opentelemetry.proto.trace.v1.trace_pb2 import Status as ProtoStatus

from traceclio_core.errors import Reject
from traceclio_core.rejects import RejectLog
from traceclio_core.semconv import RawSpan
from traceclio_otlp.values import UINT64, AttributeValue, Note, SpanError, clamp, parse_int, scalar_text

_EXCERPT = reprlib.Repr()
_EXCERPT.maxlevel, _EXCERPT.maxstring, _EXCERPT.maxother = 6, 120, 120


_NOT_PLAIN = object()


def _plain(value: Any, limit: int) -> Any:
    """An AnyValue that needs no bounds: a string of at most `limit` characters, a boolean, or an integer
    of at most 18 digits (inside int64 whatever they are); else _NOT_PLAIN."""
    if type(value) is not dict or len(value) != 1:
        return _NOT_PLAIN
    if "stringValue" in value:
        text = value["stringValue"]
        return text if type(text) is str and len(text) <= limit else _NOT_PLAIN
    if "intValue" in value:
        number = value["intValue"]
        if type(number) is str and 0 < len(number) <= 18 and number.isascii() and number.isdigit():
            return int(number)
        return number if type(number) is int and -(10 ** 18) < number < 10 ** 18 else _NOT_PLAIN
    if "boolValue" in value:
        flag = value["boolValue"]
        return flag if type(flag) is bool else _NOT_PLAIN
    return _NOT_PLAIN


class RequestReader:
    """Reads the requests of one file (`source`); rejects go to `rejects`."""

    def __init__(self, source: str, rejects: RejectLog, max_attribute_bytes: int):
        self.source = source
        self.rejects = rejects
        self.max_attribute_bytes = max_attribute_bytes

    # -- OTLP/JSON ----------------------------------------------------------------------------------

    def from_json(self, message: Any, number: int) -> Iterator[RawSpan]:
        if isinstance(message, dict) and "resourceSpans" not in message and "resource_spans" in message:
            message = _camel_case(message)  # written with protobuf's preserving_proto_field_name
        if not isinstance(message, dict) or not isinstance(message.get("resourceSpans", []), list) or (
                message and "resourceSpans" not in message):
            self.reject(number, "line is not an OTLP ExportTraceServiceRequest (no resourceSpans list)",
                        _excerpt(message))
            return
        self._unknown_fields(message, _REQUEST_FIELDS, "request", number)
        for resource_spans in message.get("resourceSpans", []):
            try:
                self._unknown_fields(resource_spans, _RESOURCE_SPANS_FIELDS, "resourceSpans entry", number)
                resource = self._attributes((resource_spans.get("resource") or {}).get("attributes"), number,
                                            None, None)
                scopes = resource_spans.get("scopeSpans") or resource_spans.get("instrumentationLibrarySpans") or []
                for scope in scopes:
                    self._unknown_fields(scope, _SCOPE_SPANS_FIELDS, "scopeSpans entry", number)
                spans = [s for scope in scopes for s in (scope.get("spans") or [])]
            except (AttributeError, TypeError, SpanError) as err:
                self.reject(number, f"malformed resourceSpans entry: {err}", _excerpt(resource_spans))
                continue
            for span in spans:
                try:
                    yield self._json_span(span, resource, number)
                except (SpanError, AttributeError, TypeError, ValueError) as err:
                    ids = [span.get(key) if isinstance(span, dict) else None for key in ("traceId", "spanId")]
                    trace_id, span_id = (i if isinstance(i, str) else None for i in ids)
                    self.reject(number, f"malformed span: {err}", _excerpt(span), trace_id=trace_id,
                                span_id=span_id)

    def _json_span(self, span: dict, resource: dict[str, Any], number: int) -> RawSpan:
        trace_id = _hex_id(span.get("traceId"), 16, "traceId")
        span_id = _hex_id(span.get("spanId"), 8, "spanId")
        self._unknown_fields(span, _SPAN_FIELDS, "span", number, trace_id, span_id)
        parent = span.get("parentSpanId")
        parent_id = _hex_id(parent, 8, "parentSpanId", zero_is_none=True) if parent else None
        status = span.get("status") or {}
        if not isinstance(status, dict):
            raise SpanError(f"status must be an object, got {type(status).__name__}")
        notes: list[Note] = []
        events = []
        for event in span.get("events") or []:
            if not isinstance(event, dict):
                raise SpanError(f"event must be an object, got {type(event).__name__}")
            events.append((scalar_text(event.get("name"), "event name"),
                           self._attributes(event.get("attributes"), number, trace_id, span_id)))
        raw = RawSpan(
            trace_id=trace_id, span_id=span_id, parent_id=parent_id, name=scalar_text(span.get("name"), "name"),
            kind=_enum(span.get("kind", 0), "kind", ProtoSpan.SpanKind, notes),
            start_ns=clamp(parse_int(span.get("startTimeUnixNano", 0), "startTimeUnixNano"), UINT64,
                           "startTimeUnixNano", "fixed64", notes),
            end_ns=clamp(parse_int(span.get("endTimeUnixNano", 0), "endTimeUnixNano"), UINT64,
                         "endTimeUnixNano", "fixed64", notes),
            attributes=self._attributes(span.get("attributes"), number, trace_id, span_id), resource=resource,
            status_code=_enum(status.get("code", 0), "status.code", ProtoStatus.StatusCode, notes),
            status_message=scalar_text(status.get("message"), "status.message"), events=events,
            source=self.source, line=number,
        )
        self._record(number, trace_id, span_id, notes)
        return raw

    def _attributes(self, items: Any, number: int, trace_id: str | None, span_id: str | None) -> dict[str, Any]:
        if items is None:
            return {}
        if not isinstance(items, list):
            raise SpanError(f"attributes must be a list, got {type(items).__name__}")
        out = {}
        limit = self.max_attribute_bytes
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                raise SpanError(f"attribute entry without a string key: {_excerpt(item)[:80]}")
            # Most values are a string within bounds or a small decimal integer: read those at once, as
            # AttributeValue would (nothing to cut, clamp or record); everything else goes through it.
            plain = _plain(item.get("value"), limit)
            if plain is not _NOT_PLAIN:
                out[item["key"]] = plain
                continue
            value = AttributeValue(item["key"], limit)
            out[item["key"]] = value.from_json(item.get("value"))
            self._record(number, trace_id, span_id, value.notes)
        return out

    def _unknown_fields(self, value: Any, known: frozenset[str], what: str, number: int, trace_id: str | None = None,
                        span_id: str | None = None) -> None:
        """Fields OTLP does not define are not read; say so, or a renamed "spans" would lose traces silently."""
        if isinstance(value, dict) and not value.keys() <= known:
            names = ", ".join(sorted(repr(k) for k in value.keys() - known)[:5])
            self.reject(number, f"{what} has fields OTLP does not define ({names}); what they hold was not read",
                        None, trace_id=trace_id, span_id=span_id)

    # -- protobuf -----------------------------------------------------------------------------------

    def from_proto(self, request: ExportTraceServiceRequest, number: int) -> Iterator[RawSpan]:
        for resource_spans in request.resource_spans:
            resource = self._proto_attributes(resource_spans.resource.attributes, number, None, None)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    trace_id, span_id = span.trace_id.hex(), span.span_id.hex()
                    problem = _proto_id_problem(trace_id, span_id)
                    if problem:
                        self.reject(number, problem, None, trace_id=trace_id or None, span_id=span_id or None)
                        continue
                    parent = span.parent_span_id.hex()
                    events = [(event.name, self._proto_attributes(event.attributes, number, trace_id, span_id))
                              for event in span.events]
                    yield RawSpan(
                        trace_id=trace_id, span_id=span_id, parent_id=None if _zero(parent) else parent,
                        name=span.name, kind=span.kind, start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        attributes=self._proto_attributes(span.attributes, number, trace_id, span_id),
                        resource=resource, status_code=span.status.code, status_message=span.status.message,
                        events=events, source=self.source, line=number,
                    )

    def _proto_attributes(self, items, number: int, trace_id: str | None, span_id: str | None) -> dict[str, Any]:
        out = {}
        for kv in items:
            value = AttributeValue(kv.key, self.max_attribute_bytes)
            out[kv.key] = value.from_proto(kv.value)
            self._record(number, trace_id, span_id, value.notes)
        return out

    # -- records ------------------------------------------------------------------------------------

    def _record(self, number: int, trace_id: str | None, span_id: str | None, notes: list[Note]) -> None:
        for note in notes:
            self.rejects.add(Reject(source=self.source, line=number, trace_id=trace_id, span_id=span_id,
                                    action=note.action, reason=note.reason))

    def reject(self, number: int | None, reason: str, excerpt: Any, trace_id: str | None = None,
               span_id: str | None = None) -> None:
        if isinstance(excerpt, bytes):
            excerpt = excerpt[:300].decode("utf-8", "replace")
        self.rejects.add(Reject(source=self.source, line=number, trace_id=trace_id, span_id=span_id, reason=reason,
                                excerpt=excerpt[:300] if isinstance(excerpt, str) else None))


_REQUEST_FIELDS = frozenset({"resourceSpans"})
_RESOURCE_SPANS_FIELDS = frozenset({"resource", "scopeSpans", "instrumentationLibrarySpans", "schemaUrl"})
_SCOPE_SPANS_FIELDS = frozenset({"scope", "instrumentationLibrary", "spans", "schemaUrl"})
_SPAN_FIELDS = frozenset({"traceId", "spanId", "traceState", "parentSpanId", "flags", "name", "kind",
                          "startTimeUnixNano", "endTimeUnixNano", "attributes", "droppedAttributesCount", "events",
                          "droppedEventsCount", "links", "droppedLinksCount", "status"})


def _camel_case(value: Any) -> Any:
    """Field names as OTLP/JSON writes them: every dict key in the trace messages is a field name (there
    are no maps), so converting them all is safe; attribute keys are values and stay as they are."""
    if isinstance(value, dict):
        return {_camel(k): _camel_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_case(v) for v in value]
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _excerpt(value: Any) -> str:
    """The start of a rejected value as JSON, or a bounded repr where it cannot be written (too deep)."""
    try:
        return json.dumps(value)[:300]
    except (ValueError, TypeError, RecursionError):
        return _EXCERPT.repr(value)[:300]


def _zero(hex_id: str) -> bool:
    return hex_id.strip("0") == ""


def _proto_id_problem(trace_id: str, span_id: str) -> str | None:
    if len(trace_id) != 32 or len(span_id) != 16:
        return "span has a missing or malformed trace or span id"
    if _zero(trace_id) or _zero(span_id):
        return "span has an all-zero trace or span id, which OTLP defines as invalid"
    return None


def _hex_id(value: Any, size: int, name: str, zero_is_none: bool = False) -> str | None:
    """OTLP/JSON ids are hex; accept any case, and base64 from encoders that ignore the spec. All zeros is
    OTLP's invalid id: an error for a trace or span id, "no parent" for a parent id."""
    if not isinstance(value, str) or not value:
        raise SpanError(f"{name} is missing")
    decoded = None
    if len(value) == size * 2:
        try:
            decoded = bytes.fromhex(value).hex()
        except ValueError:
            pass
        if decoded is not None and len(decoded) != size * 2:  # fromhex skips spaces between pairs
            decoded = None
    if decoded is None:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != size:
            raise SpanError(f"{name} {value[:40]!r} is not {size * 2} hex characters")
        decoded = raw.hex()
    if _zero(decoded):
        if zero_is_none:
            return None
        raise SpanError(f"{name} is all zeros, which OTLP defines as invalid")
    return decoded


def _enum(value: Any, name: str, enum, notes: list[Note]) -> int:
    """An enum field: its number, or its name as the protobuf JSON mapping writes it. Anything else is
    read as 0 (unspecified) and noted: the span is worth more than its kind or status code."""
    if isinstance(value, str) and value in enum.keys():
        return enum.Value(value)
    try:
        number = parse_int(value, name)
    except SpanError:
        number = None
    if number is None or number not in enum.values():
        notes.append(Note("repaired", f"{name} {str(value)[:40]!r} is not one of OTLP's values; read as 0 (unset)"))
        return 0
    return number
