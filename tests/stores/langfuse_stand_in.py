"""A local stand-in for the Langfuse API behind httpx.MockTransport, for the real langfuse SDK.

Every request body is validated with the SDK's own Fern models (parse_obj_as on the camelCase wire
JSON, as the SDK itself parses) and its keys are checked against the model's wire names, since the
models accept extra keys. Observations and scores (v3) are served page by page with a cursor; writes are
recorded and upserted by id, the way Langfuse stores them. `failures` lets a test answer some writes
with an error, `broken_pages` some observation pages.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import langfuse.api as api_models
from langfuse import Langfuse
from langfuse.api.core.pydantic_utilities import parse_obj_as
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SECRET_KEY = "sk-lf-test"
NOW = "2026-11-20T10:00:00.000Z"


def wire_keys(model) -> set[str]:
    keys = set()
    for name, info in model.model_fields.items():
        keys.add(next((m.alias for m in info.metadata if getattr(m, "alias", None)), name))
    return keys


def checked(model, body: dict):
    """The body as the SDK's model, after checking it names no key the model does not know."""
    unknown = set(body) - wire_keys(model)
    assert not unknown, f"{model.__name__} got unknown keys {unknown}"
    return parse_obj_as(model, body)


@dataclass
class LangfuseStandIn:
    observations: list[dict] = field(default_factory=list)
    page_size: int = 3
    # Scores as the v3 API sends them ({name, value, dataType, subject: {kind, id[, traceId]}}).
    scores_v3: list[dict] = field(default_factory=list)
    # Observation page number (1-based) → the response sent instead of that page.
    broken_pages: dict[int, httpx.Response] = field(default_factory=dict)
    # False when a test serves observations the real API would not send as they are.
    validate_pages: bool = True
    requests: list[httpx.Request] = field(default_factory=list)
    # (method, path) → list of writes accepted, in order; stored state is upserted by id.
    accepted: list[tuple[str, dict]] = field(default_factory=list)
    score_configs: dict[str, dict] = field(default_factory=dict)
    scores: dict[str, dict] = field(default_factory=dict)
    datasets: dict[str, dict] = field(default_factory=dict)
    items: dict[str, dict] = field(default_factory=dict)
    # Called before each write; returns a status to answer instead, or raises to simulate a crash.
    failures: Callable[[str, dict | list], int | None] = lambda path, body: None
    # The SDK keeps one set of resources (httpx client included) per public key for the whole process:
    # each stand-in needs its own key or it would be answered by an earlier stand-in's transport.
    public_key: str = field(default_factory=lambda: f"pk-lf-{uuid.uuid4().hex[:12]}")

    def client(self) -> Langfuse:
        return Langfuse(public_key=self.public_key, secret_key=SECRET_KEY, base_url="http://langfuse.test",
                        httpx_client=httpx.Client(transport=httpx.MockTransport(self.handle)),
                        span_exporter=InMemorySpanExporter())

    def factory(self, location) -> Langfuse:
        assert location.base_url == "http://127.0.0.1:3000"
        return self.client()

    @property
    def writes(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method != "GET"]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        expected = "Basic " + base64.b64encode(f"{self.public_key}:{SECRET_KEY}".encode()).decode()
        assert request.headers.get("authorization") == expected
        path = request.url.path
        if request.method == "GET":
            return self._read(path, request.url.params)
        body = json.loads(request.content)
        status = self.failures(path, body)
        if status is not None:
            return httpx.Response(status, json={"message": "stand-in failure"})
        return self._write(path, body)

    def _read(self, path: str, params) -> httpx.Response:
        if path == "/api/public/v2/observations":
            assert int(params["limit"]) <= 1000
            assert {"core", "basic", "io", "usage", "metadata", "model"} <= set(params["fields"].split(","))
            start = int(params.get("cursor") or 0)
            if start // self.page_size + 1 in self.broken_pages:
                return self.broken_pages[start // self.page_size + 1]
            page = self.observations[start:start + self.page_size]
            more = start + self.page_size < len(self.observations)
            body = {"data": page, "meta": {"cursor": str(start + self.page_size) if more else None}}
            if self.validate_pages:
                parse_obj_as(api_models.ObservationsV2Response, body)
            return httpx.Response(200, json=body)
        if path == "/api/public/v3/scores":
            assert int(params["limit"]) <= 100 and "subject" in params["fields"].split(",")
            names = set(params["name"].split(",")) if params.get("name") else None
            wanted = [s for s in self.scores_v3 if names is None or s["name"] in names]
            start = int(params.get("cursor") or 0)
            more = start + self.page_size < len(wanted)
            body = {"data": wanted[start:start + self.page_size],
                    "meta": {"limit": int(params["limit"]), "cursor": str(start + self.page_size) if more else None}}
            parse_obj_as(api_models.GetScoresV3Response, {
                "data": [{"id": f"s{i}", "projectId": "project-1", "source": "API", "timestamp": NOW,
                          "environment": "default", "createdAt": NOW, "updatedAt": NOW, **score}
                         for i, score in enumerate(body["data"])], "meta": body["meta"]})
            return httpx.Response(200, json=body)
        if path == "/api/public/score-configs":
            data = list(self.score_configs.values())
            return httpx.Response(200, json={"data": data, "meta": {"page": 1, "limit": 100, "totalItems": len(data),
                                                                    "totalPages": 1}})
        raise AssertionError(f"unexpected GET {path}")

    def _write(self, path: str, body) -> httpx.Response:
        if path == "/api/public/scores":
            assert isinstance(body, list) and body
            for score in body:
                checked(api_models.CreateScoreRequest, score)
                self.accepted.append((path, score))
                self.scores[score["id"]] = score
            return httpx.Response(202, json={"message": "Accepted"})
        if path == "/api/public/score-configs":
            checked(api_models.CreateScoreConfigRequest, body)
            self.accepted.append((path, body))
            config = {**body, "id": f"config-{len(self.score_configs) + 1}", "createdAt": NOW, "updatedAt": NOW,
                      "projectId": "project-1", "isArchived": False}
            self.score_configs[config["id"]] = config
            return httpx.Response(200, json=config)
        if path == "/api/public/v2/datasets":
            checked(api_models.CreateDatasetRequest, body)
            self.accepted.append((path, body))
            dataset = {"metadata": None, **body, "id": f"dataset-{body['name']}", "projectId": "project-1",
                       "createdAt": NOW, "updatedAt": NOW}
            self.datasets[body["name"]] = dataset  # Langfuse upserts a dataset by name
            return httpx.Response(200, json=dataset)
        if path == "/api/public/dataset-items":
            checked(api_models.CreateDatasetItemRequest, body)
            self.accepted.append((path, body))
            item = {"input": None, "expectedOutput": None, "metadata": None, **body, "status": "ACTIVE",
                    "datasetId": f"dataset-{body['datasetName']}", "createdAt": NOW, "updatedAt": NOW,
                    "mediaReferences": []}
            self.items[body["id"]] = item
            return httpx.Response(200, json=item)
        raise AssertionError(f"unexpected write {path}")


def observation(trace_id: str, obs_id: str, type_: str, name: str, start_s: int, parent: str | None = None,
                **fields) -> dict:
    """An observation as the v2 API sends it (camelCase, io as raw strings)."""
    return {"id": obs_id, "traceId": trace_id, "type": type_, "name": name, "projectId": "project-1",
            "startTime": f"2026-11-20T09:{start_s // 60:02d}:{start_s % 60:02d}.000Z",
            "endTime": f"2026-11-20T09:{(start_s + 1) // 60:02d}:{(start_s + 1) % 60:02d}.000Z",
            "parentObservationId": parent, "level": "DEFAULT", **fields}


def agent_trace(n: int, behaviour: str, user: str) -> list[dict]:
    """One agent run: AGENT root, a GENERATION asking for a tool, the TOOL, a final GENERATION."""
    tid = f"{behaviour}-{n:02d}".ljust(32, "0")[:32]
    asks = {"ok": "Where is my parcel?", "error": "Refund order ORD-4417 please.", "slow": "Find a cheap flight."}
    tool = {"ok": "track_parcel", "error": "issue_refund", "slow": "search_flights"}[behaviour]
    root = observation(tid, f"{tid}-a", "AGENT", "support-agent", 0, userId=user, metadata={"org": f"org-{user}"},
                       input=json.dumps({"question": asks[behaviour]}), output="Done.")
    ask = observation(tid, f"{tid}-g1", "GENERATION", "chat", 1, f"{tid}-a", model="gpt-4o", userId=user,
                      usageDetails={"input": 500, "output": 40, "total": 540},
                      input=json.dumps([{"role": "user", "content": asks[behaviour]}]),
                      output=json.dumps({"role": "assistant", "content": "",
                                         "tool_calls": [{"id": "call_1", "type": "function",
                                                         "function": {"name": tool, "arguments": "{}"}}]}))
    run = observation(tid, f"{tid}-t", "TOOL", tool, 2, f"{tid}-a", input='{"id": 1}', output="ok")
    if behaviour == "error":
        run.update(level="ERROR", statusMessage="payment gateway 503", output=None)
    answer = observation(tid, f"{tid}-g2", "GENERATION", "chat", 3, f"{tid}-a", model="gpt-4o",
                         usageDetails={"input": 600, "output": 20},
                         input=json.dumps([{"role": "user", "content": asks[behaviour]}]),
                         output=json.dumps({"role": "assistant", "content": "Done, all handled."}))
    return [root, ask, run, answer]


def agent_traces(per_behaviour: int = 4) -> list[dict]:
    out = []
    for n in range(per_behaviour):
        for behaviour in ("ok", "error", "slow"):
            out.extend(agent_trace(n, behaviour, f"user-{n % 2}"))
    # Newest first, as the API answers: a trace's observations end up on different pages.
    return list(reversed(out))


def trace_score(trace_id: str, name: str, value, data_type: str = "NUMERIC") -> dict:
    """A trace-level score as the v3 scores API sends it with fields=subject (core fields the reader ignores left out)."""
    return {"name": name, "value": value, "dataType": data_type, "subject": {"kind": "trace", "id": trace_id}}
