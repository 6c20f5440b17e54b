"""Builder-made OTLP/JSON requests → ExportTraceServiceRequest protobuf, posted to Phoenix's /v1/traces."""

from __future__ import annotations

import time

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status


def _any_value(value: dict) -> AnyValue:
    if "stringValue" in value:
        return AnyValue(string_value=value["stringValue"])
    if "boolValue" in value:
        return AnyValue(bool_value=value["boolValue"])
    if "intValue" in value:
        return AnyValue(int_value=int(value["intValue"]))
    if "doubleValue" in value:
        return AnyValue(double_value=value["doubleValue"])
    out = AnyValue()
    out.array_value.values.extend(_any_value(v) for v in value["arrayValue"]["values"])
    return out


def _attributes(items: list[dict]) -> list[KeyValue]:
    return [KeyValue(key=item["key"], value=_any_value(item["value"])) for item in items]


def _span(span: dict) -> Span:
    out = Span(
        trace_id=bytes.fromhex(span["traceId"]), span_id=bytes.fromhex(span["spanId"]), name=span["name"],
        kind=span.get("kind", 1), start_time_unix_nano=int(span["startTimeUnixNano"]),
        end_time_unix_nano=int(span["endTimeUnixNano"]), attributes=_attributes(span.get("attributes", [])),
    )
    if span.get("parentSpanId"):
        out.parent_span_id = bytes.fromhex(span["parentSpanId"])
    if "status" in span:
        out.status.CopyFrom(Status(code=span["status"]["code"], message=span["status"].get("message", "")))
    for event in span.get("events", []):
        added = out.events.add()
        added.name = event["name"]
        added.time_unix_nano = int(event["timeUnixNano"])
        added.attributes.extend(_attributes(event.get("attributes", [])))
    return out


def to_protobuf(requests: list[dict], project: str) -> ExportTraceServiceRequest:
    """One protobuf request holding every span; `openinference.project.name` routes them to `project`."""
    message = ExportTraceServiceRequest()
    for request in requests:
        for resource_spans in request["resourceSpans"]:
            added = message.resource_spans.add()
            added.resource.attributes.extend(_attributes(resource_spans["resource"]["attributes"]))
            added.resource.attributes.append(KeyValue(key="openinference.project.name",
                                                      value=AnyValue(string_value=project)))
            for scope_spans in resource_spans["scopeSpans"]:
                scope = added.scope_spans.add()
                scope.scope.name = scope_spans["scope"]["name"]
                scope.spans.extend(_span(s) for s in scope_spans["spans"])
    return message


def post_traces(base_url: str, requests: list[dict], project: str) -> None:
    body = to_protobuf(requests, project).SerializeToString()
    for attempt in range(20):  # a server that has just come up may still refuse or answer 5xx
        try:
            response = httpx.post(f"{base_url}/v1/traces", content=body,
                                  headers={"content-type": "application/x-protobuf"}, timeout=30)
            if response.status_code < 500:
                break
        except httpx.TransportError:
            if attempt == 19:
                raise
        time.sleep(0.5)
    response.raise_for_status()
