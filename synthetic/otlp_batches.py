"""Packs spans into OTLP/JSON lines the way a BatchSpanProcessor + file exporter would.

Spans are exported when they end, so children come before their parents and a
trace's spans are spread over several consecutive lines, mixed with other
traces that ran at the same time.
"""
import json


def _resource(service, tenant):
    return {"attributes": [
        {"key": "service.name", "value": {"stringValue": service}},
        {"key": "tenant.id", "value": {"stringValue": tenant}},
        {"key": "telemetry.sdk.language", "value": {"stringValue": "python"}},
    ]}


def batch_lines(window, rng):
    """Yields JSON lines for a window of traces.

    window: list of (service name, tenant id, [(scope name, span dict)]) whose
    traces overlap in time; each yielded line is one ExportTraceServiceRequest.
    """
    exported = []
    for service, tenant, spans in window:
        for scope, span in spans:
            exported.append((int(span["endTimeUnixNano"]), len(exported), service, tenant, scope, span))
    exported.sort(key=lambda e: (e[0], e[1]))
    i = 0
    while i < len(exported):
        size = rng.randint(3, 40)
        yield _line(exported[i:i + size])
        i += size


def _line(batch):
    resources = {}
    for _, _, service, tenant, scope, span in batch:
        scopes = resources.setdefault((service, tenant), {})
        scopes.setdefault(scope, []).append(span)
    request = {"resourceSpans": [
        {"resource": _resource(service, tenant),
         "scopeSpans": [{"scope": {"name": scope}, "spans": spans} for scope, spans in scopes.items()]}
        for (service, tenant), scopes in resources.items()]}
    return json.dumps(request, ensure_ascii=False, separators=(",", ":"))
