"""Read OTLP trace files as the Collector's file exporter writes them, one span at a time.

Formats, detected from the bytes: JSON Lines (one ExportTraceServiceRequest per line), and length-prefixed
messages (4-byte big-endian length, then protobuf or JSON), optionally in a zstd stream. Anything that
cannot be read becomes a Reject naming file, line (or message number) and trace id; reading goes on.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from traceclio_core.errors import Reject
from traceclio_core.rejects import RejectLog
from traceclio_core.semconv import RawSpan

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class SpanError(ValueError):
    """One span (or line) is malformed; the message says how."""


class FileReader:
    """Yields RawSpans from one file; rejects go to `rejects`. Values are kept whole: assembly bounds them."""

    def __init__(self, path: Path, rejects: RejectLog):
        self.path = path
        self.source = str(path)
        self.rejects = rejects

    def spans(self) -> Iterator[RawSpan]:
        with self.path.open("rb") as raw:
            stream: IO[bytes] = raw
            if raw.read(4) == ZSTD_MAGIC:
                import zstandard

                raw.seek(0)
                stream = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            else:
                raw.seek(0)
            # A length prefix starts with a zero byte for any message under 16 MiB; JSON starts with text.
            head = stream.read(1)
            if head in (b"", b"{") or head.isspace():
                yield from self._json_lines(stream, first=head)
            else:
                yield from self._length_prefixed(stream, first=head)

    # -- JSON Lines ---------------------------------------------------------------------------------

    def _json_lines(self, stream: IO[bytes], first: bytes) -> Iterator[RawSpan]:
        for number, line in enumerate(_lines(stream, first), start=1):
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as err:
                self._reject(number, f"line is not valid UTF-8 (byte {err.start})", line)
                continue
            try:
                message = json.loads(text)
            except ValueError as err:
                complete = line.endswith(b"\n")
                why = "line is not valid JSON" if complete else "file ends in the middle of a line (truncated)"
                self._reject(number, f"{why}: {err}", text)
                continue
            yield from self._request(message, number)

    # -- length-prefixed protobuf / JSON -----------------------------------------------------------

    def _length_prefixed(self, stream: IO[bytes], first: bytes) -> Iterator[RawSpan]:
        buffer = first
        number = 0
        while True:
            header = buffer + _read_exactly(stream, 4 - len(buffer))
            buffer = b""
            if not header:
                return
            number += 1
            if len(header) < 4:
                self._reject(number, "file ends inside a message's length prefix (truncated)", None)
                return
            size = int.from_bytes(header, "big")
            payload = _read_exactly(stream, size)
            if len(payload) < size:
                self._reject(number, f"file ends inside message {number}: {len(payload)} of {size} bytes (truncated)",
                             None)
                return
            if payload[:1] == b"{":
                try:
                    yield from self._request(json.loads(payload.decode("utf-8")), number)
                except (ValueError, UnicodeDecodeError) as err:
                    self._reject(number, f"message is not valid JSON: {err}", None)
                continue
            request = ExportTraceServiceRequest()
            try:
                request.ParseFromString(payload)
            except DecodeError as err:
                self._reject(number, f"message is not a valid ExportTraceServiceRequest: {err}", None)
                continue
            yield from self._proto_request(request, number)

    def _proto_request(self, request: ExportTraceServiceRequest, number: int) -> Iterator[RawSpan]:
        for resource_spans in request.resource_spans:
            resource = {kv.key: self._any_proto(kv.value, number, None, kv.key) for kv in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    trace_id, span_id = span.trace_id.hex(), span.span_id.hex()
                    if len(trace_id) != 32 or len(span_id) != 16:
                        self._reject(number, "span has a missing or malformed trace or span id", None,
                                     trace_id=trace_id or None)
                        continue
                    attributes = {kv.key: self._any_proto(kv.value, number, trace_id, kv.key) for kv in span.attributes}
                    events = [
                        (event.name, {kv.key: self._any_proto(kv.value, number, trace_id, kv.key)
                                      for kv in event.attributes})
                        for event in span.events
                    ]
                    yield RawSpan(
                        trace_id=trace_id, span_id=span_id, parent_id=span.parent_span_id.hex() or None,
                        name=span.name, kind=span.kind, start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano, attributes=attributes, resource=resource,
                        status_code=span.status.code, status_message=span.status.message, events=events,
                        source=self.source, line=number,
                    )

    def _any_proto(self, value: AnyValue, number: int, trace_id: str | None, key: str) -> Any:
        which = value.WhichOneof("value")
        if which == "array_value":
            return [self._any_proto(v, number, trace_id, key) for v in value.array_value.values]
        if which == "kvlist_value":
            return {kv.key: self._any_proto(kv.value, number, trace_id, key) for kv in value.kvlist_value.values}
        if which == "bytes_value":
            return base64.b64encode(value.bytes_value).decode("ascii")
        if which is None:
            return None
        return getattr(value, which)

    # -- shared: the request's JSON shape -----------------------------------------------------------

    def _request(self, message: Any, number: int) -> Iterator[RawSpan]:
        # An object with other keys and no resourceSpans is some other JSON (a transcript read with
        # --format otlp): rejected, not read as an empty request.
        if not isinstance(message, dict) or not isinstance(message.get("resourceSpans", []), list) \
                or (message and "resourceSpans" not in message):
            self._reject(number, "line is not an OTLP ExportTraceServiceRequest (no resourceSpans list)", str(message))
            return
        for resource_spans in message.get("resourceSpans", []):
            try:
                resource = self._attributes((resource_spans.get("resource") or {}).get("attributes"), number, None)
                scopes = resource_spans.get("scopeSpans") or resource_spans.get("instrumentationLibrarySpans") or []
                spans = [s for scope in scopes for s in (scope.get("spans") or [])]
            except (AttributeError, TypeError, SpanError) as err:
                self._reject(number, f"malformed resourceSpans entry: {err}", json.dumps(resource_spans)[:300])
                continue
            for span in spans:
                trace_id = span.get("traceId") if isinstance(span, dict) else None
                try:
                    yield self._json_span(span, resource, number)
                except (SpanError, AttributeError, TypeError, ValueError) as err:
                    self._reject(number, f"malformed span: {err}", json.dumps(span)[:300],
                                 trace_id=trace_id if isinstance(trace_id, str) else None,
                                 span_id=span.get("spanId") if isinstance(span, dict) else None)

    def _json_span(self, span: dict, resource: dict[str, Any], number: int) -> RawSpan:
        trace_id = _hex_id(span.get("traceId"), 16, "traceId")
        span_id = _hex_id(span.get("spanId"), 8, "spanId")
        parent = span.get("parentSpanId")
        parent_id = _hex_id(parent, 8, "parentSpanId") if parent else None
        status = span.get("status") or {}
        events = [
            (str(event.get("name", "")), self._attributes(event.get("attributes"), number, trace_id))
            for event in span.get("events") or []
        ]
        return RawSpan(
            trace_id=trace_id, span_id=span_id, parent_id=parent_id, name=str(span.get("name", "")),
            kind=_int_field(span.get("kind", 0), "kind"),
            start_ns=_int_field(span.get("startTimeUnixNano", 0), "startTimeUnixNano"),
            end_ns=_int_field(span.get("endTimeUnixNano", 0), "endTimeUnixNano"),
            attributes=self._attributes(span.get("attributes"), number, trace_id), resource=resource,
            status_code=_int_field(status.get("code", 0), "status.code"),
            status_message=str(status.get("message", "")), events=events, source=self.source, line=number,
        )

    def _attributes(self, items: Any, number: int, trace_id: str | None) -> dict[str, Any]:
        if items is None:
            return {}
        if not isinstance(items, list):
            raise SpanError(f"attributes must be a list, got {type(items).__name__}")
        out = {}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                raise SpanError(f"attribute entry without a string key: {str(item)[:80]}")
            out[item["key"]] = self._any_json(item.get("value"), number, trace_id, item["key"])
        return out

    def _any_json(self, value: Any, number: int, trace_id: str | None, key: str) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise SpanError(f"attribute {key!r} value must be an AnyValue object, got {type(value).__name__}")
        if "stringValue" in value:
            return str(value["stringValue"])
        if "intValue" in value:
            return _int_field(value["intValue"], key)
        if "doubleValue" in value:
            return _double(value["doubleValue"], key)
        if "boolValue" in value:
            return bool(value["boolValue"])
        if "arrayValue" in value:
            return [self._any_json(v, number, trace_id, key) for v in (value["arrayValue"] or {}).get("values", [])]
        if "kvlistValue" in value:
            return self._attributes((value["kvlistValue"] or {}).get("values", []), number, trace_id)
        if "bytesValue" in value:
            return str(value["bytesValue"])
        return None

    def _reject(self, number: int, reason: str, excerpt: Any, trace_id: str | None = None,
                span_id: str | None = None) -> None:
        if isinstance(excerpt, bytes):
            excerpt = excerpt[:300].decode("utf-8", "replace")
        self.rejects.add(Reject(source=self.source, line=number, trace_id=trace_id, span_id=span_id, reason=reason,
                                excerpt=excerpt[:300] if isinstance(excerpt, str) else None))


def _hex_id(value: Any, size: int, name: str) -> str:
    """OTLP/JSON ids are hex; accept any case, and base64 from encoders that ignore the spec."""
    if not isinstance(value, str) or not value:
        raise SpanError(f"{name} is missing")
    if len(value) == size * 2:
        try:
            bytes.fromhex(value)
            return value.lower()
        except ValueError:
            pass
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) == size:
        return decoded.hex()
    raise SpanError(f"{name} {value[:40]!r} is not {size * 2} hex characters")


def _int_field(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise SpanError(f"{name} must be an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise SpanError(f"{name} must be an integer, got {str(value)[:40]!r}")


def _double(value: Any, name: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise SpanError(f"{name} must be a number, got {str(value)[:40]!r}")


def _lines(stream: IO[bytes], first: bytes) -> Iterator[bytes]:
    """Lines of a binary stream, with `first` put back in front; works on zstd readers too."""
    pending = first
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line + b"\n"
    if pending:
        yield pending


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    parts, remaining = [], size
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)

