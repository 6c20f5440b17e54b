"""A stand-in for the Anthropic API behind the real SDK (httpx2.MockTransport), and a fast test embedder."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import httpx2
import numpy as np
import pytest

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from traceclio_core.hookspecs import hookimpl  # noqa: E402

from traceclio_anthropic import transport  # noqa: E402


def _facets_for(user: str) -> dict:
    """Plausible facets read from the prompt, so clustering has behaviour to separate."""
    text = user.lower()
    if "rate limit" in text:
        mode, status = "retries a rate-limited call without backoff", "failed_honestly"
    elif "500 internal" in text:
        mode, status = "reports success after a tool error", "claimed_success_despite_failure"
    elif "check_inventory" in text and "tool check_inventory" not in text:
        mode, status = "claims a tool call that never ran", "claimed_success_despite_failure"
    elif "can't help" in text:
        mode, status = "none", "refused"
    else:
        mode, status = "none", "succeeded"
    return {"task_summary": "Customer asks the agent for help with a request.",
            "tool_call_sequence": "lookup → answer", "failure_mode": mode, "reasoning_pattern": "act then answer",
            "resource_pattern": "light", "completion_status": status, "concerning_behavior": 2}


def _numbered(block: str) -> list[int]:
    return [int(n) for n in re.findall(r"^(\d+)\. ", block, re.M)]


def _section(user: str, tag: str) -> str:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", user, re.S)
    return match.group(1) if match else ""


def default_answer(body: dict) -> str:
    """A valid answer for whichever stage the request's output schema belongs to."""
    props = body["output_config"]["format"]["schema"]["properties"]
    user = body["messages"][0]["content"]
    if "task_summary" in props:
        return json.dumps(_facets_for(user))
    if "parents" in props:
        return json.dumps({"parents": [{"title": "Tool failures the agent mishandles",
                                        "description": "Runs where a tool failed and the agent handled it badly."},
                                       {"title": "Runs that end without tool trouble",
                                        "description": "Runs that finished or declined cleanly."}]})
    if "assignments" in props:
        children = _numbered(_section(user, "clusters"))
        parents = _numbered(_section(user, "parents"))
        return json.dumps({"assignments": [{"child": c, "parent": c % len(parents)} for c in children]})
    if "verdicts" in props:
        ids = re.findall(r'<cluster id="([^"]+)">', user)
        return json.dumps({"verdicts": [{"cluster_id": i, "private": False, "reason": "behaviour only"} for i in ids]})
    digest = hashlib.sha256(user.encode()).hexdigest()[:6]
    return json.dumps({"title": f"Agent behaviour group {digest}",
                       "description": "Runs that share a pattern of tool use and outcome."})


def message(text: str, model: str, input_tokens: int = 1000, output_tokens: int = 100, cache_read: int = 0) -> dict:
    return {"id": "msg_" + hashlib.sha256(text.encode()).hexdigest()[:8], "type": "message", "role": "assistant",
            "model": model, "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                                             "cache_read_input_tokens": cache_read, "cache_creation_input_tokens": 0}}


def batch_body(batch_id: str, status: str) -> dict:
    return {"id": batch_id, "type": "message_batch", "processing_status": status,
            "request_counts": {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
            "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-02T00:00:00Z", "ended_at": None,
            "archived_at": None, "cancel_initiated_at": None,
            "results_url": f"https://api.anthropic.com/v1/messages/batches/{batch_id}/results"
            if status == "ended" else None}


class FakeAnthropic:
    """Answers /v1/messages and the batch endpoints; scripted failures and answers can be queued."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict | None]] = []
        self.scripted: list = []  # each: (status, json) or a str answer text, used before default answers
        self.answer = default_answer
        self.batches: dict[str, list[dict]] = {}
        self.batch_outcome: dict[str, str] = {}  # custom_id → "errored" | "expired"
        self.batch_ready = True

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.requests.append((request.method, path, body))
        if path == "/v1/messages":
            if self.scripted:
                item = self.scripted.pop(0)
                if isinstance(item, tuple):
                    return httpx2.Response(item[0], json=item[1], headers={"retry-after": "0"})
                return httpx2.Response(200, json=message(item, body["model"]))
            return httpx2.Response(200, json=message(self.answer(body), body["model"]))
        if path == "/v1/messages/batches" and request.method == "POST":
            batch_id = f"msgbatch_{len(self.batches) + 1}"
            self.batches[batch_id] = body["requests"]
            return httpx2.Response(200, json=batch_body(batch_id, "in_progress"))
        match = re.fullmatch(r"/v1/messages/batches/([^/]+)(/results)?", path)
        if match and match.group(2):
            lines = []
            for item in reversed(self.batches[match.group(1)]):  # unordered on purpose
                outcome = self.batch_outcome.get(item["custom_id"])
                if outcome == "errored":
                    result = {"type": "errored", "error": {"type": "error",
                                                           "error": {"type": "api_error", "message": "boom"}}}
                elif outcome == "expired":
                    result = {"type": "expired"}
                else:
                    result = {"type": "succeeded", "message": message(self.answer(item["params"]),
                                                                      item["params"]["model"])}
                lines.append(json.dumps({"custom_id": item["custom_id"], "result": result}))
            return httpx2.Response(200, content="\n".join(lines).encode())
        if match:
            return httpx2.Response(200, json=batch_body(match.group(1), "ended" if self.batch_ready else "in_progress"))
        return httpx2.Response(404, json={"type": "error", "error": {"type": "not_found_error", "message": path}})

    def count(self, method: str | None = None, path: str | None = None) -> int:
        return sum(1 for m, p, _ in self.requests if (method is None or m == method) and (path is None or p == path))


@pytest.fixture
def fake_api(monkeypatch) -> FakeAnthropic:
    fake = FakeAnthropic()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.setattr(transport, "http_client", lambda: httpx2.Client(transport=httpx2.MockTransport(fake.handle)))
    monkeypatch.setattr(transport, "sleep", lambda seconds: None)
    return fake


class HashingEmbedder:
    """Bag-of-words hashing vectors: deterministic, instant, good enough to separate the fixture."""

    model_id = "test-hashing-64"

    def embed(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


class FastEmbedderPlugin:
    @hookimpl
    def traceclio_embedder(self, settings):
        return HashingEmbedder()


@pytest.fixture
def test_plugins():
    return (FastEmbedderPlugin(),)
