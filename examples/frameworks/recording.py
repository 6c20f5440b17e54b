"""One OpenTelemetry SDK tracer provider for every framework, and OTLP JSON Lines out of it.

Each scripted run becomes one trace, written as one ExportTraceServiceRequest per line, the way the
Collector's file exporter writes them: the SDK's own protobuf encoder, then protobuf's JSON mapping with
the ids turned from base64 into hex (OTLP/JSON spells ids in hex; `json_format` does not know that).

Ids are drawn from a generator seeded by the run's name, so a re-recording keeps its trace ids; times
are the real ones, moved so each trace starts at a fixed instant (durations are as measured).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from typing import Any

from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator

# Every trace is moved to start here (2026-01-05T09:00:00Z), one minute apart, so fixtures diff cleanly.
EPOCH_NS = 1_767_603_600 * 1_000_000_000
RUN_SPACING_NS = 60 * 1_000_000_000


class SeededIds(IdGenerator):
    """Trace and span ids drawn from a generator reseeded for each run."""

    def __init__(self) -> None:
        self._random = random.Random(0)
        self.trace_id = 0

    def start_run(self, run_name: str) -> str:
        seed = int.from_bytes(hashlib.sha256(run_name.encode()).digest()[:8], "big")
        self._random = random.Random(seed)
        self.trace_id = self._random.getrandbits(128)
        return f"{self.trace_id:032x}"

    def generate_trace_id(self) -> int:
        return self.trace_id

    def generate_span_id(self) -> int:
        return self._random.getrandbits(64) or 1


class TenantStamp(SpanProcessor):
    """Puts the current run's tenant on every span as `tenant.id` (traceclio's default tenant key)."""

    def __init__(self) -> None:
        self.tenant: str | None = None

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        if self.tenant:
            span.set_attribute("tenant.id", self.tenant)


class Recorder:
    """The tracer provider the instrumentors write to, and the finished spans of the run under way."""

    def __init__(self, service_name: str = "traceclio-framework-fixtures") -> None:
        self.ids = SeededIds()
        self.tenant = TenantStamp()
        self.memory = InMemorySpanExporter()
        self.provider = TracerProvider(id_generator=self.ids, resource=Resource.create(
            # A fixed instance id: the SDK would draw a new one per process, and the fixtures would churn.
            {"service.name": service_name, "service.instance.id": "fixtures"}))
        self.provider.add_span_processor(self.tenant)
        self.provider.add_span_processor(SimpleSpanProcessor(self.memory))
        self.runs = 0

    def start_run(self, run_name: str, tenant: str) -> str:
        """Begin a run: returns the trace id its spans will carry."""
        self.memory.clear()
        self.tenant.tenant = tenant
        return self.ids.start_run(run_name)

    def finish_run(self) -> tuple[str, list[ReadableSpan]]:
        """The run's spans as one OTLP JSON line, and the spans themselves."""
        self.provider.force_flush()
        spans = list(self.memory.get_finished_spans())
        self.memory.clear()
        line = otlp_json_line(spans, EPOCH_NS + self.runs * RUN_SPACING_NS)
        self.runs += 1
        return line, spans


_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def otlp_json_line(spans: list[ReadableSpan], start_ns: int) -> str:
    """One ExportTraceServiceRequest for `spans`, as OTLP/JSON on one line, shifted to begin at `start_ns`."""
    request = encode_spans(spans)
    message = json_format.MessageToDict(request, use_integers_for_enums=True)
    flat = [span for resource in message.get("resourceSpans", []) for scope in resource.get("scopeSpans", [])
            for span in scope.get("spans", [])]
    shift = start_ns - min((int(s["startTimeUnixNano"]) for s in flat), default=start_ns)
    for span in flat:
        for key in _ID_FIELDS:
            if span.get(key):
                span[key] = base64.b64decode(span[key]).hex()
        for link in span.get("links", []):
            for key in ("traceId", "spanId"):
                if link.get(key):
                    link[key] = base64.b64decode(link[key]).hex()
        for key in ("startTimeUnixNano", "endTimeUnixNano"):
            span[key] = str(int(span[key]) + shift)
        for event in span.get("events", []):
            event["timeUnixNano"] = str(int(event["timeUnixNano"]) + shift)
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)
